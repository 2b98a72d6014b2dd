/* SPDX-License-Identifier: MIT */
/*
 * The guests' consoles: which guests there are (devemu marks them in the
 * channel, services/devemu/conring.h, as vmm attaches and detaches them),
 * their output printed or kept, their input queued, and the focus moving
 * between them and the shell. Pure: the UART and the system calls are
 * console.c's (console_putc_raw, console_puts, console_show_prompt); the
 * host unit test links this file with fakes of those.
 */
#include "console.h"

#include <stdio.h>
#include <string.h>

/* Guest output printed per guest per pass, so that input keeps flowing. */
#define GUEST_BURST 4096

/* Guest n's channel, if the console lists it. */
static struct conguest *guest(const struct console *c, unsigned n)
{
	if (!c->chan || n < 1 || n > CONCHAN_GUESTS || !(c->gen[n] & 1))
		return NULL;
	return &c->chan->guest[n - 1];
}

const char *console_guest_name(const struct console *c, unsigned n)
{
	return guest(c, n) ? c->name[n] : NULL;
}

static void history_add(struct console *c, unsigned n, const uint8_t *s, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		c->history[n].buf[c->history[n].count++ % CONSOLE_HISTORY] = (char)s[i];
}

static void history_replay(struct console *c, unsigned n)
{
	uint32_t count = c->history[n].count;
	uint32_t len = count < CONSOLE_HISTORY ? count : CONSOLE_HISTORY;
	if (count > CONSOLE_HISTORY)
		console_puts("[...]\n");
	for (uint32_t i = count - len; i != count; i++)
		console_putc_raw(c->history[n].buf[i % CONSOLE_HISTORY]);
	c->history[n].count = 0;
}

static void banner(const struct console *c, unsigned n)
{
	char buf[96];
	const char *first = NULL;
	unsigned other = 0;
	for (unsigned i = 1; i <= CONCHAN_GUESTS && !first; i++)
		if ((first = console_guest_name(c, i)))
			other = i;
	if (n)
		snprintf(buf, sizeof(buf), "\n[console: %s (Ctrl-T 0 for the hypervisor shell)]\n",
		         console_guest_name(c, n));
	else if (first)
		snprintf(buf, sizeof(buf), "\n[console: hypervisor shell (Ctrl-T %u for %s)]\n",
		         other, first);
	else
		snprintf(buf, sizeof(buf), "\n[console: hypervisor shell]\n");
	console_puts(buf);
}

bool console_focus(struct console *c, unsigned n)
{
	if (n && !guest(c, n))
		return false;
	if (n == c->focus)
		return true;
	if (c->prompt_shown)
		console_puts("\r\033[K");
	c->prompt_shown = false;
	c->focus = n;
	banner(c, n);
	if (n)
		history_replay(c, n);
	/* Back in the shell: the prompt is drawn by whoever called us (the
	 * escape handler or the shell command's caller). */
	return true;
}

void console_print_keys(const struct console *c)
{
	console_puts("\n[console: Ctrl-T 0 hypervisor shell");
	for (unsigned n = 1; n <= CONCHAN_GUESTS; n++) {
		const char *name = console_guest_name(c, n);
		if (name) {
			char buf[40];
			snprintf(buf, sizeof(buf), ", Ctrl-T %u %s", n, name);
			console_puts(buf);
		}
	}
	console_puts(", Ctrl-T Ctrl-T a Ctrl-T]\n");
}

void console_guest_input(struct console *c, unsigned n, char key)
{
	struct conguest *g = guest(c, n);
	uint8_t b = (uint8_t)key;
	if (!g)
		return;
	if (!conring_write(&g->in, g->in_data, CONCHAN_IN_SIZE, &b, 1, NULL))
		g->in_dropped++;
	c->kick = true;
}

/* Print (or keep) what guest n wrote; returns whether some is left. */
static bool drain_output(struct console *c, unsigned n, struct conguest *g)
{
	uint8_t buf[256];
	uint32_t got, total = 0;
	while (total < GUEST_BURST && (got = conguest_read_out(g, c->gen[n], buf, sizeof(buf)))) {
		total += got;
		if (n == c->focus) {
			for (uint32_t i = 0; i < got; i++)
				console_putc_raw((char)buf[i]);
		} else {
			history_add(c, n, buf, got);
		}
	}
	return total >= GUEST_BURST;
}

static void guest_left(struct console *c, unsigned n)
{
	char buf[80];
	c->history[n].count = 0;
	if (n != c->focus)
		return;
	c->focus = 0;
	snprintf(buf, sizeof(buf), "\n[console: %s went away; hypervisor shell]\n", c->name[n]);
	console_puts(buf);
	console_show_prompt(c);
}

static void guest_came(struct console *c, unsigned n, const char *name)
{
	char num[4];
	memcpy(c->name[n], name, CONCHAN_NAME);
	c->history[n].count = 0;
	snprintf(num, sizeof(num), "%u", n);
	if (c->boot_focus[0] && (!strcmp(c->boot_focus, name) || !strcmp(c->boot_focus, num))) {
		c->boot_focus[0] = '\0';
		console_focus(c, n);
	}
}

/* Guest n's output, then its coming or going; returns whether output is left. */
static bool drain_guest(struct console *c, unsigned n)
{
	struct conguest *g = &c->chan->guest[n - 1];
	/* What a guest wrote before it went is printed before it is dropped. */
	bool more = (c->gen[n] & 1) && drain_output(c, n, g);
	if (!more) {
		char name[CONCHAN_NAME];
		unsigned events = conguest_sync(g, &c->gen[n], name);
		if (events & CONGUEST_LEFT)
			guest_left(c, n);
		if (events & CONGUEST_CAME) {
			guest_came(c, n, name);
			more = drain_output(c, n, g);
		}
	}
	/* Room made after devemu found the ring full: wake it. */
	uint32_t req = conring_load(&g->kick_req);
	if (req != conring_load(&g->kick_ack)) {
		conring_store(&g->kick_ack, req);
		c->kick = true;
	}
	return more;
}

bool console_drain_guests(struct console *c)
{
	bool more = false;
	unsigned focus_to = 0;
	if (!c->chan)
		return false;
	/* Taken first: a request is posted after its guest's attach, which
	 * the loop below then sees. */
	bool focus = conchan_focus_take(c->chan, &focus_to);
	for (unsigned n = 1; n <= CONCHAN_GUESTS; n++)
		more |= drain_guest(c, n);
	/* "keelctl console NAME" (DEVCTL_FOCUS): as if chosen with Ctrl-T,
	 * and nothing if that guest has gone meanwhile. */
	if (focus) {
		c->boot_focus[0] = '\0';
		if (console_focus(c, focus_to))
			console_show_prompt(c);
	}
	return more;
}
