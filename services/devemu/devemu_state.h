/* SPDX-License-Identifier: MIT */
/*
 * devemu's state record for a live swap (keel/lifecycle.h). Everything of
 * struct devemu that is not a capability slot given by argv (those are the
 * same in every instance): each guest's attachment, interrupt level,
 * console generation, VM slot and its whole PL011 (a plain value).
 *
 *   format 1 (devemu 1.0): struct devemu_rec_v1
 *   format 2 (devemu 1.1): format 1, then the count of imports so far
 *
 * A build reads every format up to its own and writes any of them, so an
 * upgrade converts an older record and a rollback gets one it can read.
 * Pure code, tested on the host (unit.devemu_state).
 */
#ifndef DEVEMU_STATE_H
#define DEVEMU_STATE_H

#include "devemu.h"

#include <stddef.h>
#include <stdint.h>

#ifndef KEEL_STATE_VERSION
#define KEEL_STATE_VERSION 1
#endif

struct devemu_guest_rec {
	uint8_t state, irq_level, inject_warned, in_synced;
	uint32_t gen;
	uint64_t vm;
	struct pl011 uart;
};

struct devemu_rec_v1 {
	uint32_t guests; /* CONCHAN_GUESTS + 1 */
	uint32_t pad;
	uint64_t exits, kicks, strays, controls;
	struct devemu_guest_rec g[CONCHAN_GUESTS + 1];
};

struct devemu_rec_v2 {
	struct devemu_rec_v1 v1;
	uint32_t imports;
	uint32_t pad;
};

/* Writes format `format` (1..max_format) of d into buf: 0 and *len, or -1. */
int devemu_state_export(const struct devemu *d, uint32_t format, uint32_t max_format, void *buf,
                        size_t cap, size_t *len);
/* Checks a payload of `format` and, only if all of it is sound, takes it
 * over into d (its capability slots and channel stay): 0, or -1 and why. */
int devemu_state_import(struct devemu *d, uint32_t format, uint32_t max_format, const void *payload,
                        size_t len, char *why, size_t why_size);

#endif
