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
	bool seen[CONCHAN_GUESTS + 1]; /* guests announced so far */
	struct {
		uint32_t count; /* bytes kept since the last replay (may exceed the size) */
		char buf[CONSOLE_HISTORY];
	} history[CONCHAN_GUESTS + 1];
};

void console_putc(char c);
void console_write(const char *s, size_t n);
void console_puts(const char *s);
/* Run one shell command line. */
void shell_run(struct console *con, char *line);
/* Give the UART to console n (0 the shell, n guest n); false if there is no such guest. */
bool console_focus(struct console *con, unsigned n);
/* The name of guest n, or NULL if there is none. */
const char *console_guest_name(const struct console *con, unsigned n);

#endif
