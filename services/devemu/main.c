/* SPDX-License-Identifier: MIT */
/*
 * devemu: the emulated PL011 of each Linux guest. vmm routes a guest's
 * UART page (uart-endpoint, uart-badge in its VM description) to devemu's
 * endpoint; every guest access arrives as a KEEL_EXIT_MMIO message whose
 * badge says which guest (1..CONCHAN_GUESTS). devemu runs the register
 * model (pl011.c), moves bytes between the model's FIFOs and the console
 * channel (conring.h), sets the guest's interrupt line, then replies,
 * which completes the access.
 *
 * The console wakes devemu, when it has input for a guest or has made
 * room in a full output ring, by signalling the notification bound to that
 * endpoint (EP_BIND): devemu's receive returns it with KEEL_BADGE_SIGNAL.
 * A signal never blocks the console, whatever state devemu is in.
 *
 * Flow control: a guest's output waits in its model's TX FIFO while its
 * ring is full; the guest sees FR.TXFF and no TX interrupt, as with a slow
 * wire, and nothing is dropped. devemu itself never blocks except in
 * receive, so one guest's flood cannot hold up another: it only costs that
 * guest's own exits. Input a guest does not read waits in its `in` ring,
 * and the console drops what no longer fits there.
 *
 * Arguments (vmconfigs/devemu.dtsi): ep.mmio, ntfn.kick, ntfn.console, shm.conguest
 * (and .size) from the caps; vm.N or vmN = the capability of the VM whose
 * uart-badge is N; guestN=NAME, its console name; irq=INTID (33).
 *
 * All state is in struct devemu and the shared frame.
 */
#include "conring.h"
#include "pl011.h"

#include <keel/service.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVEMU_DEFAULT_INTID 33 /* QEMU virt's PL011: SPI 1 */

struct guest {
	bool present;
	bool irq_level;     /* the level the guest's interrupt controller has */
	bool inject_warned; /* an injection failure was reported */
	unsigned long vm;   /* VM capability slot, 0 = none (no interrupt) */
	struct pl011 uart;
};

struct devemu {
	unsigned long ep, con_ntfn, intid;
	struct conchan *chan;
	struct guest g[CONCHAN_GUESTS + 1]; /* by badge; 0 unused */
	unsigned long exits, kicks, strays;
};

static struct devemu dev;

/* The value of argv entry "key=value", or NULL. */
static const char *arg_str(int argc, char **argv, const char *key)
{
	size_t n = strlen(key);
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
}

static void guest_add(struct devemu *d, unsigned n, const char *name)
{
	struct guest *g = &d->g[n];
	struct conguest *cg = &d->chan->guest[n - 1];
	if (!g->present) {
		g->present = true;
		pl011_reset(&g->uart);
	}
	if (name || !conring_load(&cg->present)) {
		snprintf(cg->name, sizeof(cg->name), "%s", name ? name : "");
		if (!name)
			snprintf(cg->name, sizeof(cg->name), "guest%u", n);
		conring_store(&cg->present, 1);
	}
}

static void parse_guests(struct devemu *d, int argc, char **argv)
{
	char key[16];
	for (unsigned n = 1; n <= CONCHAN_GUESTS; n++) {
		snprintf(key, sizeof(key), "vm.%u", n);
		long vm = keel_arg(argc, argv, key, 0);
		snprintf(key, sizeof(key), "vm%u", n);
		vm = keel_arg(argc, argv, key, vm);
		snprintf(key, sizeof(key), "guest%u", n);
		const char *name = arg_str(argc, argv, key);
		if (vm || name) {
			guest_add(d, n, name);
			d->g[n].vm = (unsigned long)vm;
		}
	}
}

/* Move bytes between guest n's model and its rings; returns whether the
 * console must be woken (its output ring was empty before). */
static bool transfer(struct devemu *d, unsigned n)
{
	struct pl011 *u = &d->g[n].uart;
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
	if (room) {
		uint32_t got = conring_read(&cg->in, cg->in_data, CONCHAN_IN_SIZE, buf,
		                            room < sizeof(buf) ? room : sizeof(buf));
		for (uint32_t i = 0; i < got; i++)
			pl011_rx_push(u, buf[i]);
	}
	return wake;
}

/* Tell the guest's interrupt controller about a change of the line. */
static void update_irq(struct devemu *d, unsigned n)
{
	struct guest *g = &d->g[n];
	bool level = pl011_irq_level(&g->uart);
	if (level == g->irq_level || !g->vm)
		return;
	long err = keel_vm_inject(g->vm, d->intid, level, 0);
	if (!err) {
		g->irq_level = level;
	} else if (!g->inject_warned) {
		/* The guest can still poll; keep trying on later changes. */
		printf("devemu: guest %u: cannot set interrupt %lu: %s\n", n, d->intid,
		       keel_strerror(err));
		g->inject_warned = true;
	}
}

static void service(struct devemu *d, unsigned n)
{
	if (transfer(d, n))
		keel_signal(d->con_ntfn);
	update_irq(d, n);
}

/* One message; returns whether it expects a reply. */
static bool handle(struct devemu *d, unsigned long badge, struct keel_msg *m)
{
	if (badge == KEEL_BADGE_SIGNAL) { /* the console: input or room for some guest */
		d->kicks++;
		for (unsigned n = 1; n <= CONCHAN_GUESTS; n++)
			if (d->g[n].present)
				service(d, n);
		return false;
	}
	if (badge == 0 || badge > CONCHAN_GUESTS || m->w[0] != KEEL_EXIT_MMIO) {
		d->strays++;
		m->w[0] = 0;
		m->w[1] = KEEL_EXIT_REPLY_ABORT;
		return true;
	}
	unsigned n = (unsigned)badge;
	if (!d->g[n].present)
		guest_add(d, n, NULL);
	struct pl011 *u = &d->g[n].uart;
	uint32_t off = (uint32_t)(m->w[1] & (PL011_SIZE - 1));
	unsigned width = (unsigned)m->w[2];
	uint32_t value = 0;
	d->exits++;
	if (m->w[4])
		pl011_write(u, off, width, (uint32_t)m->w[3]);
	else
		value = pl011_read(u, off, width);
	/* The line is settled before the reply, so the access completes with
	 * the device and its interrupt in agreement, as on hardware. */
	service(d, n);
	m->w[0] = value;
	m->w[1] = 0;
	return true;
}

int main(int argc, char **argv)
{
	dev.ep = (unsigned long)keel_arg(argc, argv, "ep.mmio", 0);
	dev.con_ntfn = (unsigned long)keel_arg(argc, argv, "ntfn.console", 0);
	dev.intid = (unsigned long)keel_arg(argc, argv, "irq", DEVEMU_DEFAULT_INTID);
	dev.chan = (struct conchan *)keel_arg(argc, argv, "shm.conguest", 0);
	unsigned long size = (unsigned long)keel_arg(argc, argv, "shm.conguest.size", 0);
	if (!dev.ep || !dev.chan || size < sizeof(struct conchan)) {
		printf("devemu: needs ep.mmio and shm.conguest of at least %zu bytes\n",
		       sizeof(struct conchan));
		return 1;
	}
	unsigned long kick = (unsigned long)keel_arg(argc, argv, "ntfn.kick", 0);
	long bound = kick ? keel_ep_bind(dev.ep, kick) : -KEEL_ENOCAP;
	if (bound)
		printf("devemu: no kick notification (%s): guest input waits for the guest's "
		       "next access\n",
		       keel_strerror(bound));
	parse_guests(&dev, argc, argv);

	struct keel_msg m;
	unsigned long badge;
	bool reply = false;
	for (;;) {
		long err =
		        reply ? keel_reply_recv(dev.ep, &m, &badge) : keel_recv(dev.ep, &m, &badge);
		if (err && reply) /* the guest went away: just receive */
			err = keel_recv(dev.ep, &m, &badge);
		if (err) {
			printf("devemu: receive failed: %s\n", keel_strerror(err));
			return 1;
		}
		reply = handle(&dev, badge, &m);
	}
}
