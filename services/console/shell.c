/* SPDX-License-Identifier: MIT */
/* The hypervisor shell: help, ps, caps, log. */
#include "console.h"

#include <keel/service.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 64

static const char *const state_names[] = {
        [KEEL_TS_INACTIVE] = "inactive",   [KEEL_TS_READY] = "ready",
        [KEEL_TS_RUNNING] = "running",     [KEEL_TS_BLOCKED_SEND] = "send",
        [KEEL_TS_BLOCKED_RECV] = "recv",   [KEEL_TS_BLOCKED_REPLY] = "reply",
        [KEEL_TS_BLOCKED_WAIT] = "wait",   [KEEL_TS_SLEEPING] = "sleep",
        [KEEL_TS_THROTTLED] = "throttled", [KEEL_TS_FAULTED] = "faulted",
        [KEEL_TS_EXITED] = "exited",
};

static const char *const type_names[] = {
        [KEEL_OBJ_NONE] = "-",
        [KEEL_OBJ_UNTYPED] = "untyped",
        [KEEL_OBJ_PARTITION] = "partition",
        [KEEL_OBJ_THREAD] = "thread",
        [KEEL_OBJ_ENDPOINT] = "endpoint",
        [KEEL_OBJ_NOTIFICATION] = "notification",
        [KEEL_OBJ_FRAME] = "frame",
        [KEEL_OBJ_IRQ_HANDLER] = "irq",
        [KEEL_OBJ_IRQ_CONTROL] = "irq-control",
        [KEEL_OBJ_SYSINFO] = "sysinfo",
        [KEEL_OBJ_VM] = "vm",
        [KEEL_OBJ_VCPU] = "vcpu",
};

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static int read_threads(struct console *con, struct keel_thread_info *t, unsigned long *n)
{
	long err = keel_info_threads(con->sysinfo, t, MAX_THREADS * sizeof(*t), n);
	if (err)
		out("error: %s\n", keel_strerror(err));
	return err ? -1 : 0;
}

static void cmd_ps(struct console *con, const char *arg)
{
	static struct keel_thread_info t[MAX_THREADS];
	unsigned long n;
	(void)arg;
	if (read_threads(con, t, &n))
		return;
	out("%4s %4s %-12s %-9s %3s %4s %17s %12s %9s\n", "PID", "TID", "PARTITION", "STATE", "CPU",
	    "PRIO", "BUDGET/PERIOD us", "USED us", "THROTTLED");
	for (unsigned long i = 0; i < n; i++) {
		char bp[24] = "-";
		if (t[i].period_us)
			snprintf(bp, sizeof(bp), "%lu/%lu", t[i].budget_us, t[i].period_us);
		const char *st = t[i].state <= KEEL_TS_EXITED ? state_names[t[i].state] : "?";
		out("%4u %4u %-12.15s %-9s %3u %4u %17s %12lu %9lu\n", t[i].partition_id,
		    t[i].thread_id, t[i].partition_name, st, t[i].cpu, t[i].prio, bp, t[i].used_us,
		    t[i].throttled);
	}
}

static const char *rights_string(unsigned r, char *buf)
{
	const char letters[] = "rwgxc";
	for (int i = 0; i < 5; i++)
		buf[i] = (r >> i) & 1 ? letters[i] : '-';
	buf[5] = '\0';
	return buf;
}

static void cmd_caps(struct console *con, const char *arg)
{
	static struct keel_thread_info t[MAX_THREADS];
	struct keel_cap_info caps[KEEL_CSPACE_SLOTS];
	unsigned long n, id = 0;

	if (!arg || !*arg) {
		out("usage: caps <partition name or id>\n");
		return;
	}
	if (read_threads(con, t, &n))
		return;
	for (unsigned long i = 0; i < n && !id; i++)
		if (!strcmp(t[i].partition_name, arg))
			id = t[i].partition_id;
	if (!id)
		id = strtoul(arg, NULL, 0);
	long err = keel_info_caps(con->sysinfo, id, caps, sizeof(caps), &n);
	if (err) {
		out("caps: no partition '%s' (%s)\n", arg, keel_strerror(err));
		return;
	}
	out("%4s %-13s %-5s %6s %s\n", "SLOT", "TYPE", "RIGHT", "OBJECT", "BADGE");
	for (unsigned long i = 0; i < n; i++) {
		char r[6];
		const char *type = caps[i].type < KEEL_OBJ_TYPES ? type_names[caps[i].type] : "?";
		out("%4u %-13s %-5s %6u %lu\n", caps[i].slot, type,
		    rights_string(caps[i].rights, r), caps[i].object_id, caps[i].badge);
	}
}

static void cmd_log(struct console *con, const char *arg)
{
	char buf[256];
	unsigned long n, seq = 0, next;
	(void)arg;
	while (keel_log_read(con->sysinfo, buf, sizeof(buf), seq, &n, &next) == 0 && n) {
		console_write(buf, n);
		seq = next;
	}
}

static void cmd_console(struct console *con, const char *arg)
{
	if (arg && *arg) {
		for (unsigned n = 0; n <= CONCHAN_GUESTS; n++) {
			const char *name = n ? console_guest_name(con, n) : "shell";
			char num[4];
			snprintf(num, sizeof(num), "%u", n);
			if (name && (!strcmp(arg, name) || !strcmp(arg, num))) {
				console_focus(con, n);
				return;
			}
		}
		out("console: no console '%s'\n", arg);
		return;
	}
	out("  0 shell (Ctrl-T 0)%s\n", con->focus ? "" : ", focused");
	for (unsigned n = 1; n <= CONCHAN_GUESTS; n++) {
		const char *name = console_guest_name(con, n);
		if (name)
			out("  %u %s (Ctrl-T %u)%s, %lu bytes of input dropped\n", n, name, n,
			    con->focus == n ? ", focused" : "",
			    (unsigned long)con->chan->guest[n - 1].in_dropped);
	}
}

static void cmd_help(struct console *con, const char *arg);

static const struct command {
	const char *name, *help;
	void (*fn)(struct console *con, const char *arg);
} commands[] = {
        {"help", "this list", cmd_help},
        {"ps", "partitions and threads: state, CPU, priority, budget use", cmd_ps},
        {"caps", "caps <partition>: its capability space", cmd_caps},
        {"log", "the kernel log ring (all services' output too)", cmd_log},
        {"console", "console [name]: list the consoles, or give one the UART", cmd_console},
};

static void cmd_help(struct console *con, const char *arg)
{
	(void)con;
	(void)arg;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		out("  %-8s %s\n", commands[i].name, commands[i].help);
}

void shell_run(struct console *con, char *line)
{
	char *cmd = strtok(line, " \t");
	char *arg = strtok(NULL, " \t");
	if (!cmd)
		return;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(cmd, commands[i].name)) {
			commands[i].fn(con, arg);
			return;
		}
	}
	out("unknown command '%s'; try 'help'\n", cmd);
}
