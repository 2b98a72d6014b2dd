/* SPDX-License-Identifier: MIT */
/*
 * Capabilities. A capability names a kernel object and carries rights (and,
 * for endpoints and notifications, a badge the receiver sees). Each
 * partition has a flat capability space of KEEL_CSPACE_SLOTS slots.
 *
 * Every capability but the originals the kernel creates remembers the one it
 * was derived from, so revoke can find and delete all descendants; when a
 * capability is deleted its children are re-parented to its parent, so the
 * derivation tree stays connected.
 */
#ifndef KEEL_CAP_H
#define KEEL_CAP_H

#include <keel_abi.h>
#include <stdbool.h>
#include <stdint.h>

struct cap {
	uint8_t type;   /* enum keel_obj_type; KEEL_OBJ_NONE: empty slot */
	uint8_t rights; /* KEEL_R_* */
	uint64_t badge;
	void *obj;
	struct cap *parent;
	struct cspace *owner;
};

struct cspace {
	struct cap slots[KEEL_CSPACE_SLOTS];
	struct cspace *next_registered;
	bool registered;
};

/* Every live cspace is registered, so revoke can look at all of them. */
void cspace_init(struct cspace *cs);
void cspace_unregister(struct cspace *cs);

/* Find the capability in `slot` and check its type (KEEL_OBJ_NONE: any)
 * and that it has all of `rights`. 0 or -KEEL_ENOCAP/-ETYPE/-EPERM. */
int cap_lookup(struct cspace *cs, unsigned long slot, unsigned type, unsigned rights,
               struct cap **out);

/* Put an original capability (no parent) into an empty slot. */
int cap_install(struct cspace *cs, unsigned long slot, unsigned type, void *obj, unsigned rights,
                uint64_t badge);

/* Derive from `src` into dst's empty `slot` with rights masked by `rights`.
 * Minting sets a badge, and only an unbadged capability can be minted. */
int cap_derive(struct cap *src, struct cspace *dst, unsigned long slot, unsigned rights, bool mint,
               uint64_t badge);

void cap_delete(struct cap *c);
/* Delete every capability derived, directly or not, from `c`; `c` stays.
 * Returns how many were deleted. */
unsigned cap_revoke(struct cap *c);
/* Delete every capability in any cspace that names `obj` (object teardown). */
unsigned cap_delete_all_to(const void *obj);
struct untyped;
/* Delete every capability in any cspace that names an object in u's range. */
unsigned cap_delete_inside(const struct untyped *u);
/* Call fn on every non-empty capability of every registered cspace. */
void cap_for_each(void (*fn)(struct cap *c, const void *ctx), const void *ctx);

unsigned cap_slot_of(const struct cap *c);

#endif
