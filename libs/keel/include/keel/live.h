/* SPDX-License-Identifier: MIT */
/*
 * A service's side of the live-update protocol (keel/lifecycle.h): what a
 * swappable service calls. It gives the protocol two functions that write
 * and read its state record; the library does the rest.
 *
 *   lu_init(&lu, argc, argv, ...)     after reading its arguments
 *   lu_successor_start(&lu)           if lu.successor: before serving;
 *                                     imports the old instance's state
 *   lu_restarted(&lu)                 else: true if it took the state of
 *                                     a crashed instance from its checkpoint
 *   lu_serving(&lu)                   then, right before its first receive
 *   lu_handle(&lu)                    whenever a wake-up carries KEEL_LU_BADGE
 *   lu_checkpoint(&lu)                at its receive point, after a request
 *                                     that changed its state
 *
 * Arguments from vmm: lu.page (the lifecycle page's address), lu.park (the
 * park notification's slot), lu.gen (this instance's generation),
 * lu.successor=1 for a new instance that takes over a running one,
 * lu.ckpt (the checkpoint frame's address), lu.restart=N for the N-th
 * restart after a crash and lu.delay (microseconds to wait first: the
 * back-off of a crash loop).
 */
#ifndef KEEL_LIVE_H
#define KEEL_LIVE_H

#include <keel/lifecycle.h>
#include <stdbool.h>
#include <stddef.h>

/* Writes the state as a record payload of `format` (at most the service's
 * newest) into buf: 0 and *len, or -1 (the format is not one it writes). */
typedef int (*lu_export_fn)(void *ctx, uint32_t format, void *buf, size_t cap, size_t *len);
/* Takes over a payload of `format`: 0, or -1 with why (nothing changed). */
typedef int (*lu_import_fn)(void *ctx, uint32_t format, const void *payload, size_t len, char *why,
                            size_t why_size);

struct lu_service {
	const char *name;
	struct keel_lu_page *page;
	unsigned long park; /* slot */
	uint32_t gen;
	bool successor;
	uint32_t format; /* the newest record format this build writes and reads */
	lu_export_fn export_state;
	lu_import_fn import_state;
	void *ctx;
	uint32_t last_seq; /* the last command answered */
	struct keel_lu_ckpt *ckpt;
	uint64_t ckpt_seq;     /* the last checkpoint written */
	unsigned long restart; /* this instance follows a crash: the count */
	unsigned long delay_us;
};

/* False if vmm gave no lifecycle page: the service runs, not swappable. */
bool lu_init(struct lu_service *lu, int argc, char **argv, const char *name, uint32_t format,
             lu_export_fn export_state, lu_import_fn import_state, void *ctx);

/* A successor: READY, then waits for IMPORT and imports. Returns once it
 * has the state and may serve; if the state is rejected it says so in the
 * page and waits to be destroyed (never returns). */
void lu_successor_start(struct lu_service *lu);

/* A restarted instance (lu.restart): waits out its back-off, then imports
 * the newest checkpoint. True if it has the state; false (and why, on its
 * console) if it must start afresh: no checkpoint, or one refused. */
bool lu_restarted(struct lu_service *lu);

/* Writes the state into the next checkpoint slot (nothing without a
 * checkpoint frame). */
void lu_checkpoint(struct lu_service *lu);

/* A successor, right before its first receive: stamps the moment it
 * serves again (the end of the pause its clients see). */
void lu_serving(struct lu_service *lu);

/* Parks until the coordinator (or vmm) says RESUME: what a frozen
 * instance does, and the coordinator after committing its own swap. */
void lu_park(struct lu_service *lu);

/* A command waits: HEALTH is answered at once; FREEZE writes the record
 * and parks until the coordinator says RESUME (the swap failed), so this
 * returns only when the service is to go on as before, or for nothing;
 * FAULT (from vmm, a test aid) makes the service fault. */
void lu_handle(struct lu_service *lu);

#endif
