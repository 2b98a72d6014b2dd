/* SPDX-License-Identifier: MIT */
#ifndef CONSOLE_H
#define CONSOLE_H

#include "../devemu/conring.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_LINE_MAX 128
/* Guest output kept while another console has the UART, replayed on switch. */
#define CONSOLE_HISTORY  4096
/* The escape key: Ctrl-T (QEMU's -nographic terminal takes Ctrl-A). */
#define CONSOLE_ESCAPE   0x14

/* The whole state of the console service (see console.c). */
struct console {
	uintptr_t uart_va;
	unsigned long uart, irq, ntfn, sysinfo; /* capability slots */
	unsigned long log_seq;                  /* next kernel log byte to print */
	char line[CONSOLE_LINE_MAX];
	size_t line_len;
	bool prompt_shown;

	/* Guest consoles: devemu's channel, NULL if this system has none. */
	struct conchan *chan;
	unsigned long devemu_kick;     /* signalled to wake devemu (input, room) */
	unsigned focus;                /* who has the UART: 0 the shell, n guest n */
	char boot_focus[CONCHAN_NAME]; /* "focus=" until that guest appears */
	bool escape;                   /* the escape key was the last input */
	bool kick;                     /* devemu has work from us */
	/* The guests as the console knows them: the channel's generation it
	 * last saw (odd: a guest it lists) and that guest's name. */
	uint32_t gen[CONCHAN_GUESTS + 1];
	char name[CONCHAN_GUESTS + 1][CONCHAN_NAME];
	struct {
		uint32_t count; /* bytes kept since the last replay (may exceed the size) */
		char buf[CONSOLE_HISTORY];
	} history[CONCHAN_GUESTS + 1];
};

/* console.c: the UART (console_putc turns \n into \r\n, the raw one does
 * not) and the shell's prompt, drawn if the shell has the focus. */
void console_putc_raw(char c);
void console_putc(char c);
void console_write(const char *s, size_t n);
void console_puts(const char *s);
void console_show_prompt(struct console *con);

/* shell.c: run one shell command line. */
void shell_run(struct console *con, char *line);

/* guests.c: the guests' consoles, with no system calls. */
/* Give the UART to console n (0 the shell, n guest n); false if there is no such guest. */
bool console_focus(struct console *con, unsigned n);
/* The name of guest n, or NULL if the console does not list one. */
const char *console_guest_name(const struct console *con, unsigned n);
/* The line listing the consoles and their keys (Ctrl-T and any other key). */
void console_print_keys(const struct console *con);
/* A key for guest n (sets con->kick: devemu is to be woken). */
void console_guest_input(struct console *con, unsigned n, char key);
/* Print (or keep) what the guests wrote, follow guests coming and going
 * and focus requests (may set con->kick); returns whether output is left. */
bool console_drain_guests(struct console *con);

#endif
