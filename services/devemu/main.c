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
 * Guests created and destroyed at run time are announced by vmm with
 * CALLs badged KEEL_DEVCTL_BADGE (keel/devctl.h): attach, detach, focus.
 * devemu answers them at once and never calls vmm.
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
 * Its time is shared among the guests (keel/fairshare.h): its budget
 * (budget-us per period-us, which vmm passes) in each period, a part for
 * each guest that made exits lately, so that a guest alone still has all
 * of it, as before. An exit of a guest over its part is answered
 * KEEL_EXIT_REPLY_RETRY: its vCPU sleeps until its part is back and then
 * makes the access again. A guest flooding its UART uses up neither
 * devemu's budget nor the others' turns; it only slows itself. (The
 * answers, the console's kicks and vmm's calls come on top: a flooder's
 * vCPU costs one short answer a period.)
 *
 * All state is in struct devemu (devemu.h) and the shared frame; the
 * handling of messages is devemu.c, this file makes the system calls.
 */
#include "devemu.h"
#include "devemu_state.h"

#include <keel/live.h>
#include <keel/service.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVEMU_DEFAULT_INTID 33    /* QEMU virt's PL011: SPI 1 */
#define DEVEMU_SHARE_PERIOD  10000 /* us; without a budget, all of every period */
#define DEVEMU_EXIT_MAX_US   100   /* one exit is charged at most this */

#ifndef KEEL_SERVICE_VERSION
#define KEEL_SERVICE_VERSION "0.0.0"
#endif

static struct devemu dev;
static struct lu_service lu;
static unsigned long freq;

/* The value of argv entry "key=value", or NULL. */
static const char *arg_str(int argc, char **argv, const char *key)
{
	size_t n = strlen(key);
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
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
		if (vm || name)
			devemu_guest_add(d, n, name, (unsigned long)vm);
	}
}

/* Tell the guest's interrupt controller about a change of the line. */
static void update_irq(struct devemu *d, unsigned n)
{
	struct devemu_guest *g = &d->g[n];
	bool level = pl011_irq_level(&g->uart);
	if (level == g->irq_level || !g->vm || g->state != DEVEMU_GUEST_LIVE)
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

static int export_state(void *ctx, uint32_t format, void *buf, size_t cap, size_t *len)
{
	return devemu_state_export(ctx, format, KEEL_STATE_VERSION, buf, cap, len);
}

static int import_state(void *ctx, uint32_t format, const void *payload, size_t len, char *why,
                        size_t why_size)
{
#ifdef DEVEMU_TEST_REJECT
	(void)ctx, (void)format, (void)payload, (void)len;
	snprintf(why, why_size, "devemu " KEEL_SERVICE_VERSION ": test build rejects every state");
	return -1;
#else
	int err = devemu_state_import(ctx, format, KEEL_STATE_VERSION, payload, len, why, why_size);
	if (!err)
		dev.imports++;
	return err;
#endif
}

static void share_init(int argc, char **argv)
{
	unsigned long budget = (unsigned long)keel_arg(argc, argv, "budget-us", 0);
	unsigned long period = (unsigned long)keel_arg(argc, argv, "period-us", 0);
	if (!budget || !period)
		budget = period = DEVEMU_SHARE_PERIOD;
	keel_time(NULL, &freq);
	fairshare_init(&dev.share, (uint64_t)period * freq / 1000000,
	               (uint64_t)budget * freq / 1000000);
	/* An access to the model takes microseconds: more is time lost. */
	fairshare_request_max(&dev.share, (uint64_t)DEVEMU_EXIT_MAX_US * freq / 1000000);
}

/* A guest's exit at `now` over its part: answered "retry later". */
static bool deferred(unsigned long badge, struct keel_msg *m, uint64_t now)
{
	uint64_t until = fairshare_admit(&dev.share, (unsigned)badge, now);
	if (!until)
		return false;
	if (!dev.g[badge].deferred)
		printf("devemu: guest %lu over its share of devemu's time: its exits wait (logged "
		       "once)\n",
		       badge);
	dev.g[badge].deferred = true;
	uint64_t us = fairshare_retry_us(until, now, freq);
	*m = (struct keel_msg){{0, KEEL_EXIT_REPLY_RETRY,
	                        us < KEEL_EXIT_RETRY_MAX_US ? us : KEEL_EXIT_RETRY_MAX_US}};
	return true;
}

static void act(const struct devemu_after *after)
{
	if (after->wake_console && dev.con_ntfn)
		keel_signal(dev.con_ntfn);
	for (unsigned n = 1; n <= CONCHAN_GUESTS; n++)
		if (after->irq & (1u << n))
			update_irq(&dev, n);
}

/* Kicks may have waited while no instance served. */
static void look_at_every_guest(void)
{
	unsigned long w[KEEL_MSG_WORDS] = {0};
	struct devemu_after after = devemu_handle(&dev, KEEL_BADGE_SIGNAL, w);
	act(&after);
}

/* A successor takes the old instance's state instead of its argv's guests,
 * then looks at every guest once. */
static void take_over(void)
{
#ifdef DEVEMU_TEST_CRASH
	__builtin_trap(); /* test build: dies before it is ready */
#endif
	/* Printed before the freeze: it is not part of the pause. */
	printf("devemu " KEEL_SERVICE_VERSION ": successor, generation %u\n", lu.gen);
	lu_successor_start(&lu);
	look_at_every_guest();
	lu_serving(&lu);
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
	share_init(argc, argv);
	unsigned long kick = (unsigned long)keel_arg(argc, argv, "ntfn.kick", 0);
	bool live = lu_init(&lu, argc, argv, "devemu", KEEL_STATE_VERSION, export_state,
	                    import_state, &dev);
	long bound = kick ? keel_ep_bind(dev.ep, kick) : -KEEL_ENOCAP;
	if (bound == -KEEL_EBUSY && (lu.successor || lu.restart))
		bound = 0; /* an earlier instance bound it; the binding is the endpoint's */
	if (bound)
		printf("devemu: no kick notification (%s): guest input waits for the guest's "
		       "next access\n",
		       keel_strerror(bound));
	if (live && lu.successor)
		take_over();
	else if (live && lu_restarted(&lu))
		look_at_every_guest();
	else
		parse_guests(&dev, argc, argv);

	struct keel_msg m;
	unsigned long badge;
	bool reply = false;
	/* The guest whose exit devemu works on, and its CPU time then: an exit
	 * costs devemu what it ran from the exit's arrival to the next
	 * message's (handling, reply and receive). */
	unsigned long charged = 0, since = 0;
	for (;;) {
		long err =
		        reply ? keel_reply_recv(dev.ep, &m, &badge) : keel_recv(dev.ep, &m, &badge);
		if (err && reply) /* the caller went away: just receive */
			err = keel_recv(dev.ep, &m, &badge);
		if (err) {
			printf("devemu: receive failed: %s\n", keel_strerror(err));
			return 1;
		}
		if (badge == KEEL_BADGE_SIGNAL && (m.w[0] & KEEL_LU_BADGE)) {
#ifndef DEVEMU_TEST_HANG
			lu_handle(&lu); /* at the receive point: nothing is half done */
#endif
			m.w[0] &= ~KEEL_LU_BADGE;
		}
		unsigned long now = 0, cpu = keel_cpu_time(&now);
		if (charged)
			fairshare_charge(&dev.share, (unsigned)charged, cpu - since);
		bool guest_exit = badge >= 1 && badge <= CONCHAN_GUESTS && m.w[0] == KEEL_EXIT_MMIO;
		charged = guest_exit ? badge : 0;
		since = cpu;
		if (guest_exit && deferred(badge, &m, now)) {
			reply = true;
			continue;
		}
		struct devemu_after after = devemu_handle(&dev, badge, m.w);
		act(&after);
		/* Before the reply completes the access: a restart after a crash
		 * in the next request starts from here. */
		lu_checkpoint(&lu);
		reply = after.reply;
	}
}
