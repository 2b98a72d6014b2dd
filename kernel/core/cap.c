/* SPDX-License-Identifier: MIT */
#include <keel/cap.h>
#include <keel/errno.h>
#include <keel/untyped.h>
#include <string.h>

static struct cspace *registry;

void cspace_init(struct cspace *cs)
{
	memset(cs, 0, sizeof(*cs));
	for (unsigned i = 0; i < KEEL_CSPACE_SLOTS; i++)
		cs->slots[i].owner = cs;
	cs->next_registered = registry;
	cs->registered = true;
	registry = cs;
}

void cspace_unregister(struct cspace *cs)
{
	for (struct cspace **p = &registry; *p; p = &(*p)->next_registered) {
		if (*p == cs) {
			*p = cs->next_registered;
			cs->registered = false;
			return;
		}
	}
}

unsigned cap_slot_of(const struct cap *c)
{
	return (unsigned)(c - c->owner->slots);
}

/* A vCPU is a thread and a VM is a partition: calls on those accept both. */
static bool type_matches(unsigned want, unsigned have)
{
	return want == KEEL_OBJ_NONE || want == have ||
	       (want == KEEL_OBJ_THREAD && have == KEEL_OBJ_VCPU) ||
	       (want == KEEL_OBJ_PARTITION && have == KEEL_OBJ_VM);
}

int cap_lookup(struct cspace *cs, unsigned long slot, unsigned type, unsigned rights,
               struct cap **out)
{
	if (slot == 0 || slot >= KEEL_CSPACE_SLOTS)
		return -KEEL_ENOCAP;
	struct cap *c = &cs->slots[slot];
	if (c->type == KEEL_OBJ_NONE)
		return -KEEL_ENOCAP;
	if (!type_matches(type, c->type))
		return -KEEL_ETYPE;
	if ((c->rights & rights) != rights)
		return -KEEL_EPERM;
	*out = c;
	return 0;
}

static int empty_slot(struct cspace *cs, unsigned long slot, struct cap **out)
{
	if (slot == 0 || slot >= KEEL_CSPACE_SLOTS)
		return -KEEL_ENOCAP;
	if (cs->slots[slot].type != KEEL_OBJ_NONE)
		return -KEEL_EEXIST;
	*out = &cs->slots[slot];
	return 0;
}

int cap_install(struct cspace *cs, unsigned long slot, unsigned type, void *obj, unsigned rights,
                uint64_t badge)
{
	struct cap *c;
	int err = empty_slot(cs, slot, &c);
	if (err)
		return err;
	if (type == KEEL_OBJ_NONE || type >= KEEL_OBJ_TYPES || !obj)
		return -KEEL_EINVAL;
	*c = (struct cap){.type = (uint8_t)type,
	                  .rights = (uint8_t)(rights & KEEL_R_ALL),
	                  .badge = badge,
	                  .obj = obj,
	                  .owner = cs};
	return 0;
}

static bool badgeable(unsigned type)
{
	return type == KEEL_OBJ_ENDPOINT || type == KEEL_OBJ_NOTIFICATION;
}

int cap_derive(struct cap *src, struct cspace *dst, unsigned long slot, unsigned rights, bool mint,
               uint64_t badge)
{
	struct cap *c;
	if (dst != src->owner && !(src->rights & KEEL_R_GRANT))
		return -KEEL_EPERM;
	if (mint && (!badgeable(src->type) || src->badge != 0 || badge == 0))
		return -KEEL_EINVAL;
	int err = empty_slot(dst, slot, &c);
	if (err)
		return err;
	*c = (struct cap){.type = src->type,
	                  .rights = (uint8_t)(src->rights & rights & KEEL_R_ALL),
	                  .badge = mint ? badge : src->badge,
	                  .obj = src->obj,
	                  .parent = src,
	                  .owner = dst};
	return 0;
}

/* Call fn on every non-empty capability of every registered cspace. */
#define for_each_cap(c, cs)                                                                        \
	for ((cs) = registry; (cs); (cs) = (cs)->next_registered)                                  \
		for ((c) = (cs)->slots; (c) < (cs)->slots + KEEL_CSPACE_SLOTS; (c)++)              \
			if ((c)->type != KEEL_OBJ_NONE)

void cap_delete(struct cap *c)
{
	struct cspace *cs;
	struct cap *child;

	if (c->type == KEEL_OBJ_NONE)
		return;
	for_each_cap(child, cs) if (child->parent == c) child->parent = c->parent;
	struct cspace *owner = c->owner;
	*c = (struct cap){.owner = owner};
}

static bool descends_from(const struct cap *c, const struct cap *ancestor)
{
	for (const struct cap *p = c->parent; p; p = p->parent)
		if (p == ancestor)
			return true;
	return false;
}

unsigned cap_revoke(struct cap *c)
{
	struct cspace *cs;
	struct cap *d;
	unsigned n = 0;

	/* One pass is enough: deleting a descendant re-parents its children to
	 * its own parent, which is c or another descendant of c. */
	for_each_cap(d, cs) if (descends_from(d, c))
	{
		cap_delete(d);
		n++;
	}
	return n;
}

unsigned cap_delete_all_to(const void *obj)
{
	struct cspace *cs;
	struct cap *c;
	unsigned n = 0;

	for_each_cap(c, cs) if (c->obj == obj)
	{
		cap_delete(c);
		n++;
	}
	return n;
}

unsigned cap_delete_inside(const struct untyped *u)
{
	struct cspace *cs;
	struct cap *c;
	unsigned n = 0;

	for_each_cap(c, cs) if (untyped_contains(u, c->obj))
	{
		cap_delete(c);
		n++;
	}
	return n;
}

void cap_for_each(void (*fn)(struct cap *c, const void *ctx), const void *ctx)
{
	struct cspace *cs;
	struct cap *c;

	for_each_cap(c, cs) fn(c, ctx);
}
