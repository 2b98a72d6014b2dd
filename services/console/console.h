/* SPDX-License-Identifier: MIT */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_LINE_MAX 128

/* The whole state of the console service (see console.c). */
struct console {
	uintptr_t uart_va;
	unsigned long uart, irq, ntfn, sysinfo; /* capability slots */
	unsigned long log_seq;                  /* next kernel log byte to print */
	char line[CONSOLE_LINE_MAX];
	size_t line_len;
	bool prompt_shown;
};

void console_putc(char c);
void console_write(const char *s, size_t n);
void console_puts(const char *s);
/* Run one shell command line. */
void shell_run(struct console *con, char *line);

#endif
