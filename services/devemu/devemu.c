/* SPDX-License-Identifier: MIT */
/* devemu's message handling (see devemu.h and main.c). Pure: no system calls. */
#include "devemu.h"

#include <keel/devctl.h>
#include <stdio.h>
#include <string.h>

_Static_assert(CONCHAN_GUESTS == KEEL_DEVCTL_GUESTS, "one console per uart-badge");
_Static_assert(CONCHAN_NAME == KEEL_DEVCTL_NAME, "the names vmm sends fit the channel");

/* Guest n gets a fresh UART and a new generation in the channel. */
static void attach(struct devemu *d, unsigned n, const char *name, unsigned long vm)
{
	struct devemu_guest *g = &d->g[n];
	char fallback[CONCHAN_NAME];
	if (!name || !name[0]) {
		snprintf(fallback, sizeof(fallback), "guest%u", n);
		name = fallback;
	}
	g->state = DEVEMU_GUEST_LIVE;
	g->irq_level = false; /* a new VM's interrupt controller starts low */
	g->inject_warned = false;
	g->in_synced = false;
	g->deferred = false;
	g->vm = vm;
	fairshare_forget(&d->share, n); /* no debt of an earlier guest */
	pl011_reset(&g->uart);
	g->gen = conguest_attach(&d->chan->guest[n - 1], name);
}

static void detach(struct devemu *d, unsigned n)
{
	struct devemu_guest *g = &d->g[n];
	if (g->state == DEVEMU_GUEST_LIVE)
		conguest_detach(&d->chan->guest[n - 1]);
	g->state = DEVEMU_GUEST_GONE;
	g->vm = 0; /* vmm deletes the capability */
	g->irq_level = false;
	g->in_synced = false;
}

void devemu_guest_add(struct devemu *d, unsigned n, const char *name, unsigned long vm)
{
	if (n >= 1 && n <= CONCHAN_GUESTS)
		attach(d, n, name, vm);
}

long devemu_control(struct devemu *d, const unsigned long w[KEEL_MSG_WORDS], bool *wake)
{
	unsigned long n = w[1];
	char name[KEEL_DEVCTL_NAME];
	d->controls++;
	switch (w[0]) {
	case DEVCTL_ATTACH:
		if (n < 1 || n > CONCHAN_GUESTS || !w[2] || !keel_devctl_name_unpack(&w[3], name))
			return -KEEL_EINVAL;
		if (d->g[n].state == DEVEMU_GUEST_LIVE)
			return -KEEL_EBUSY;
		attach(d, (unsigned)n, name, w[2]);
		*wake = true;
		return 0;
	case DEVCTL_DETACH:
		if (n < 1 || n > CONCHAN_GUESTS)
			return -KEEL_EINVAL;
		*wake |= d->g[n].state == DEVEMU_GUEST_LIVE;
		detach(d, (unsigned)n);
		return 0;
	case DEVCTL_FOCUS:
		if (n > CONCHAN_GUESTS)
			return -KEEL_EINVAL;
		if (n && d->g[n].state != DEVEMU_GUEST_LIVE)
			return -KEEL_ENOENT;
		conchan_focus_post(d->chan, (unsigned)n);
		*wake = true;
		return 0;
	default: return -KEEL_EINVAL;
	}
}

/* Move bytes between guest n's model and its rings; returns whether the
 * console must be woken (its output ring was empty before). */
static bool transfer(struct devemu *d, unsigned n)
{
	struct devemu_guest *g = &d->g[n];
	struct pl011 *u = &g->uart;
	struct conguest *cg = &d->chan->guest[n - 1];
	uint8_t buf[PL011_TX_BUF];
	bool wake = false;

	for (int pass = 0; pass < 2 && u->tx_count; pass++) {
		bool was_empty;
		unsigned len = pl011_tx_peek(u, buf, sizeof(buf));
		uint32_t done = conring_write(&cg->out, cg->out_data, CONCHAN_OUT_SIZE, buf, len,
		                              &was_empty);
		pl011_tx_consume(u, done);
		wake |= was_empty;
		if (!u->tx_count || pass)
			break;
		/* Full: ask for a kick, then look once more in case the console
		 * made room before it could see the request. */
		conring_store(&cg->kick_req, conring_load(&cg->kick_req) + 1);
	}

	unsigned room = pl011_rx_room(u);
	if (room && conguest_input_ready(cg, g->gen, &g->in_synced)) {
		uint32_t got = conring_read(&cg->in, cg->in_data, CONCHAN_IN_SIZE, buf,
		                            room < sizeof(buf) ? room : sizeof(buf));
		for (uint32_t i = 0; i < got; i++)
			pl011_rx_push(u, buf[i]);
	}
	return wake;
}

/* An exit that no guest's model answers: the access aborts. */
static struct devemu_after stray(struct devemu *d, unsigned long w[KEEL_MSG_WORDS])
{
	d->strays++;
	memset(w, 0, KEEL_MSG_WORDS * sizeof(w[0]));
	w[1] = KEEL_EXIT_REPLY_ABORT;
	return (struct devemu_after){.reply = true};
}

struct devemu_after devemu_handle(struct devemu *d, unsigned long badge,
                                  unsigned long w[KEEL_MSG_WORDS])
{
	struct devemu_after after = {0};

	if (badge == KEEL_BADGE_SIGNAL) { /* the console: input or room for some guest */
		d->kicks++;
		for (unsigned n = 1; n <= CONCHAN_GUESTS; n++) {
			if (d->g[n].state == DEVEMU_GUEST_LIVE) {
				after.wake_console |= transfer(d, n);
				after.irq |= 1u << n;
			}
		}
		return after;
	}
	if (badge == KEEL_DEVCTL_BADGE) { /* vmm */
		long err = devemu_control(d, w, &after.wake_console);
		memset(w, 0, KEEL_MSG_WORDS * sizeof(w[0]));
		w[0] = (unsigned long)err;
		after.reply = true;
		return after;
	}
	if (badge == 0 || badge > CONCHAN_GUESTS || w[0] != KEEL_EXIT_MMIO ||
	    d->g[badge].state == DEVEMU_GUEST_GONE)
		return stray(d, w);

	unsigned n = (unsigned)badge;
	if (d->g[n].state == DEVEMU_GUEST_NONE) {
		attach(d, n, NULL, 0);
		after.wake_console = true; /* a console to list */
	}
	struct pl011 *u = &d->g[n].uart;
	uint32_t off = (uint32_t)(w[1] & (PL011_SIZE - 1));
	unsigned width = (unsigned)w[2];
	uint32_t value = 0;
	d->exits++;
	if (w[4])
		pl011_write(u, off, width, (uint32_t)w[3]);
	else
		value = pl011_read(u, off, width);
	/* The line is settled before the reply, so the access completes with
	 * the device and its interrupt in agreement, as on hardware. */
	after.wake_console |= transfer(d, n);
	after.irq = 1u << n;
	w[0] = value;
	w[1] = 0;
	after.reply = true;
	return after;
}
