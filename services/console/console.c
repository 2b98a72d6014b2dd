/* SPDX-License-Identifier: MIT */
/*
 * console: owns the physical UART (a PL011). It prints the kernel log (and
 * so every service's output) and runs the hypervisor shell. It sleeps on
 * one notification: the UART's receive interrupt (KEEL_IRQ_BADGE) and "new
 * log lines" from the kernel (KEEL_LOG_BADGE).
 *
 * All of its state is in struct console, the record a successor would take
 * over on a live swap.
 */
#include "console.h"

#include <keel/service.h>
#include <stdio.h>
#include <string.h>

#define PL011_DR   0x00
#define PL011_FR   0x18
#define PL011_IMSC 0x38
#define PL011_ICR  0x44
#define FR_RXFE    (1u << 4)
#define FR_TXFF    (1u << 5)
#define INT_RX     (1u << 4)
#define INT_RT     (1u << 6)

static struct console con;

static uint32_t reg_read(unsigned off)
{
	return *(volatile uint32_t *)(con.uart_va + off);
}

static void reg_write(unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(con.uart_va + off) = v;
}

void console_putc(char c)
{
	if (c == '\n')
		console_putc('\r');
	while (reg_read(PL011_FR) & FR_TXFF)
		;
	reg_write(PL011_DR, (uint8_t)c);
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console_putc(s[i]);
}

void console_puts(const char *s)
{
	console_write(s, strlen(s));
}

static void prompt(void)
{
	console_puts("keel> ");
	console_write(con.line, con.line_len);
}

static void drain_log(void)
{
	char buf[256];
	unsigned long n, next;
	bool printed = false;

	while (keel_log_read(con.sysinfo, buf, sizeof(buf), con.log_seq, &n, &next) == 0 && n) {
		if (!printed && con.prompt_shown)
			console_puts("\r\033[K"); /* log lines go above the prompt */
		printed = true;
		console_write(buf, n);
		con.log_seq = next;
	}
	if (printed && con.prompt_shown)
		prompt();
}

static void input_char(char c)
{
	if (c == '\r' || c == '\n') {
		console_puts("\n");
		con.line[con.line_len] = '\0';
		con.prompt_shown = false;
		shell_run(&con, con.line);
		con.line_len = 0;
		drain_log();
		prompt();
		con.prompt_shown = true;
	} else if ((c == 0x7f || c == '\b') && con.line_len) {
		con.line_len--;
		console_puts("\b \b");
	} else if (c >= ' ' && c < 0x7f && con.line_len < CONSOLE_LINE_MAX - 1) {
		con.line[con.line_len++] = c;
		console_putc(c);
	}
}

static void drain_uart(void)
{
	while (!(reg_read(PL011_FR) & FR_RXFE))
		input_char((char)(reg_read(PL011_DR) & 0xff));
	reg_write(PL011_ICR, INT_RX | INT_RT);
	keel_irq_ack(con.irq);
}

int main(int argc, char **argv)
{
	con.uart_va = (uintptr_t)keel_arg(argc, argv, "uart_va", 0x30000000);
	con.uart = (unsigned long)keel_arg(argc, argv, "uart", 0);
	con.irq = (unsigned long)keel_arg(argc, argv, "irq", 0);
	con.ntfn = (unsigned long)keel_arg(argc, argv, "irq_ntfn", 0);
	con.sysinfo = (unsigned long)keel_arg(argc, argv, "sysinfo", 0);
	long err = keel_console_claim(con.uart, con.ntfn, &con.log_seq);
	if (err) {
		printf("console: cannot take the UART: %s\n", keel_strerror(err));
		return 1;
	}
	drain_log();
	reg_write(PL011_IMSC, INT_RX | INT_RT);
	console_puts("\nKeel hypervisor shell; 'help' lists the commands.\n");
	prompt();
	con.prompt_shown = true;
	for (;;) {
		unsigned long bits = 0;
		drain_log();
		if (keel_wait(con.ntfn, &bits))
			continue;
		if (bits & KEEL_IRQ_BADGE)
			drain_uart();
	}
}
