/* SPDX-License-Identifier: MIT */
/*
 * console: owns the physical UART (a PL011). It prints the kernel log (and
 * so every service's output), runs the hypervisor shell and carries the
 * consoles of the guests, whose emulated UARTs devemu runs. It sleeps on
 * one notification: the UART's receive interrupt (KEEL_IRQ_BADGE), "new
 * log lines" from the kernel (KEEL_LOG_BADGE), and devemu's "guest output"
 * (any bits: every wake-up looks at everything).
 *
 * One console at a time has the keyboard and the screen: the shell or one
 * guest. Ctrl-T 0 selects the shell, Ctrl-T n guest n, Ctrl-T Ctrl-T sends
 * a Ctrl-T, Ctrl-T ? lists the consoles. Output of a guest without the
 * focus is kept (its last CONSOLE_HISTORY bytes) and shown when it gets
 * the focus. The kernel log is printed whoever has the focus, so that
 * faults are never hidden.
 *
 * Guests come and go at run time (vmm announces them to devemu, which
 * marks them in the channel, conring.h): the console lists the guests
 * present, and a guest that goes away while it has the focus leaves it to
 * the shell. `keelctl console NAME` arrives as a focus request in the
 * channel and acts as Ctrl-T N would. That part, with no system calls, is
 * guests.c; this file has the UART, the kernel log, keys and the loop.
 *
 * All of its state is in struct console, the record a successor would take
 * over on a live swap.
 */
#include "console.h"
#include "console_state.h"

#include <keel/live.h>
#include <keel/service.h>
#include <stdio.h>
#include <string.h>

#define PL011_DR         0x00
/* How long output may wait to be batched: well below what a person sees. */
#define CONSOLE_BATCH_US 500
#define PL011_FR         0x18
#define PL011_IMSC       0x38
#define PL011_ICR        0x44
#define FR_RXFE          (1u << 4)
#define FR_TXFF          (1u << 5)
#define INT_RX           (1u << 4)
#define INT_RT           (1u << 6)

#ifndef KEEL_SERVICE_VERSION
#define KEEL_SERVICE_VERSION "0.0.0"
#endif

static struct console con;
static struct lu_service lu;

static uint32_t reg_read(unsigned off)
{
	return *(volatile uint32_t *)(con.uart_va + off);
}

static void reg_write(unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(con.uart_va + off) = v;
}

void console_putc_raw(char c)
{
	while (reg_read(PL011_FR) & FR_TXFF)
		;
	reg_write(PL011_DR, (uint8_t)c);
}

void console_putc(char c)
{
	if (c == '\n')
		console_putc_raw('\r');
	console_putc_raw(c);
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

static void prompt(const struct console *c)
{
	console_puts("keel> ");
	console_write(c->line, c->line_len);
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
		prompt(&con);
}

void console_show_prompt(struct console *c)
{
	if (!c->focus && !c->prompt_shown) {
		prompt(c);
		c->prompt_shown = true;
	}
}

static void show_prompt(void)
{
	console_show_prompt(&con);
}

static void kick_devemu(void)
{
	if (con.kick && con.devemu_kick)
		keel_signal(con.devemu_kick); /* never blocks, whatever devemu is doing */
	con.kick = false;
}

static bool drain_guests(void)
{
	bool more = console_drain_guests(&con);
	kick_devemu();
	return more;
}

static void escape_key(char c)
{
	con.boot_focus[0] = '\0'; /* the user chose: a guest coming up later takes nothing */
	if (c == CONSOLE_ESCAPE) {
		/* Ctrl-T Ctrl-T: the key itself, for whoever has the focus */
		if (con.focus)
			console_guest_input(&con, con.focus, c);
		return;
	}
	if (c >= '0' && c <= '0' + CONCHAN_GUESTS && console_focus(&con, (unsigned)(c - '0'))) {
		show_prompt();
		return;
	}
	/* Anything else: what there is to switch to. */
	if (con.prompt_shown)
		console_puts("\r\033[K");
	con.prompt_shown = false;
	console_print_keys(&con);
	show_prompt();
}

static void shell_input(char c)
{
	if (c == '\r' || c == '\n') {
		console_puts("\n");
		con.line[con.line_len] = '\0';
		con.prompt_shown = false;
		shell_run(&con, con.line);
		con.line_len = 0;
		drain_log();
		show_prompt();
	} else if ((c == 0x7f || c == '\b') && con.line_len) {
		con.line_len--;
		console_puts("\b \b");
	} else if (c >= ' ' && c < 0x7f && con.line_len < CONSOLE_LINE_MAX - 1) {
		con.line[con.line_len++] = c;
		console_putc(c);
	}
}

static void input_char(char c)
{
	if (con.escape) {
		con.escape = false;
		escape_key(c);
	} else if (c == CONSOLE_ESCAPE && con.chan) {
		con.escape = true;
	} else if (con.focus) {
		console_guest_input(&con, con.focus, c);
	} else {
		shell_input(c);
	}
}

/* The interrupt is cleared before the FIFO is read, not after: a character
 * that arrives between the last look at the FIFO and a later clear would
 * wait there with its interrupt gone, and QEMU's PL011 without its FIFO
 * takes nothing more until it is read (the hypervisor shell stopped after
 * one character of a typed line, under load). */
static void drain_uart(void)
{
	reg_write(PL011_ICR, INT_RX | INT_RT);
	while (!(reg_read(PL011_FR) & FR_RXFE))
		input_char((char)(reg_read(PL011_DR) & 0xff));
	keel_irq_ack(con.irq);
	kick_devemu();
}

static int export_state(void *ctx, uint32_t format, void *buf, size_t cap, size_t *len)
{
	return console_state_export(ctx, format, buf, cap, len);
}

static int import_state(void *ctx, uint32_t format, const void *payload, size_t len, char *why,
                        size_t why_size)
{
	return console_state_import(ctx, format, payload, len, why, why_size);
}

/* The first instance claims the UART; a successor finds it claimed (the
 * claim is the notification's, which stays) and takes the old one's state,
 * as does an instance restarted after a crash, from its checkpoint. */
static int take_uart(void)
{
	if (lu.successor) {
		printf("console " KEEL_SERVICE_VERSION ": successor, generation %u\n", lu.gen);
		lu_successor_start(&lu);
	}
	if (lu.successor || lu_restarted(&lu)) {
		/* The old one may have stopped with a UART interrupt taken but
		 * not acknowledged (the line stays masked until it is). */
		drain_uart();
		lu_serving(&lu);
		return 0;
	}
	long err = keel_console_claim(con.uart, con.ntfn, &con.log_seq);
	if (err) {
		printf("console: cannot take the UART: %s\n", keel_strerror(err));
		return 1;
	}
	drain_log();
	reg_write(PL011_IMSC, INT_RX | INT_RT);
	console_puts("\nKeel hypervisor shell; 'help' lists the commands.\n");
	show_prompt();
	return 0;
}

int main(int argc, char **argv)
{
	con.uart_va = (uintptr_t)keel_arg(argc, argv, "uart_va", 0x30000000);
	con.uart = (unsigned long)keel_arg(argc, argv, "uart", 0);
	con.irq = (unsigned long)keel_arg(argc, argv, "irq", 0);
	con.ntfn = (unsigned long)keel_arg(argc, argv, "irq_ntfn", 0);
	con.sysinfo = (unsigned long)keel_arg(argc, argv, "sysinfo", 0);
	con.devemu_kick = (unsigned long)keel_arg(argc, argv, "ntfn.devemu", 0);
	if ((unsigned long)keel_arg(argc, argv, "shm.conguest.size", 0) >= sizeof(struct conchan))
		con.chan = (struct conchan *)keel_arg(argc, argv, "shm.conguest", 0);
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "focus=", 6))
			snprintf(con.boot_focus, sizeof(con.boot_focus), "%s", argv[i] + 6);
	lu_init(&lu, argc, argv, "console", 1, export_state, import_state, &con);
	if (take_uart())
		return 1;
	for (;;) {
		unsigned long bits = 0;
		drain_log();
		bool more = drain_guests();
		if (more ? keel_poll(con.ntfn, &bits) : keel_wait(con.ntfn, &bits))
			continue;

		/* Output, not a key: let more of it gather, so that a guest
		 * printing a line costs one wake-up rather than one a byte. */
		if (!more && (reg_read(PL011_FR) & FR_RXFE))
			keel_sleep(CONSOLE_BATCH_US);
		/* devemu's signals carry bit 0 too; reading FR once is cheap. */
		if (bits & KEEL_IRQ_BADGE)
			drain_uart();
		/* Last: with its interrupt acknowledged, nothing is half done. */
		if (bits & KEEL_LU_BADGE)
			lu_handle(&lu);
		lu_checkpoint(&lu);
	}
}
