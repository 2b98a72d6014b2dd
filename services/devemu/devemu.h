/* SPDX-License-Identifier: MIT */
/*
 * devemu's state and its message handling, with no system calls (main.c
 * makes them): what arrives on its endpoint goes through devemu_handle,
 * which runs the PL011 models and the console channel and says what main
 * must do next (reply, signal the console, settle interrupt lines). The
 * host unit tests drive it as main does.
 */
#ifndef DEVEMU_H
#define DEVEMU_H

#include "conring.h"
#include "pl011.h"

#include <keel/fairshare.h>
#include <keel_abi.h>
#include <stdbool.h>

/* A badge's guest: never heard of (a boot-time guest devemu was given no
 * arguments for is taken on at its first exit), attached, or detached
 * (its exits are aborted until the next attach). */
enum devemu_guest_state {
	DEVEMU_GUEST_NONE,
	DEVEMU_GUEST_LIVE,
	DEVEMU_GUEST_GONE,
};

struct devemu_guest {
	uint8_t state;      /* enum devemu_guest_state */
	bool irq_level;     /* the level the guest's interrupt controller has */
	bool inject_warned; /* an injection failure was reported */
	bool in_synced;     /* the console saw this guest: its input is taken */
	bool deferred;      /* an exit was over its share (main.c; logged once) */
	uint32_t gen;       /* its generation in the console channel */
	unsigned long vm;   /* VM capability slot, 0 = none (no interrupt) */
	struct pl011 uart;
};

struct devemu {
	unsigned long ep, con_ntfn, intid; /* capability slots, the UART's INTID */
	struct conchan *chan;
	struct devemu_guest g[CONCHAN_GUESTS + 1]; /* by badge; 0 unused */
	unsigned long exits, kicks, strays, controls;
	uint32_t imports; /* live swaps this state went through (format 2 on) */
	/* Its time among the guests, by badge (main.c); a successor of a live
	 * swap starts a fresh one. */
	struct fairshare share;
};

/* What main does after devemu_handle, in this order. */
struct devemu_after {
	bool wake_console; /* signal the console's notification */
	unsigned irq;      /* bit n: guest n's line may have changed */
	bool reply;        /* reply with the message */
};

/* A boot-time guest from argv: n (1..CONCHAN_GUESTS) is attached with this
 * name (NULL: "guestN") and VM slot (0: no interrupt). */
void devemu_guest_add(struct devemu *d, unsigned n, const char *name, unsigned long vm);

/* A control message (keel/devctl.h): 0 or a negative KEEL_E* error.
 * *wake is set if the console must look at the channel. */
long devemu_control(struct devemu *d, const unsigned long w[KEEL_MSG_WORDS], bool *wake);

/* One message received with `badge`; w is turned into the reply. */
struct devemu_after devemu_handle(struct devemu *d, unsigned long badge,
                                  unsigned long w[KEEL_MSG_WORDS]);

#endif
