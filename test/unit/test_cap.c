/* SPDX-License-Identifier: MIT */
/*
 * Capabilities (kernel/core/cap.c): lookup, install, derive (copy and mint),
 * delete with re-parenting, revoke across cspaces, object teardown and the
 * cspace registry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <keel/cap.h>
#include <keel/errno.h>

#define NCS 4

/* Objects the capabilities name: only their addresses matter. */
static int ep_a, ep_b, ntfn, frame;

struct fixture {
	struct cspace *cs[NCS];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	for (unsigned i = 0; i < NCS; i++) {
		f->cs[i] = calloc(1, sizeof(struct cspace));
		cspace_init(f->cs[i]);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	for (unsigned i = 0; i < NCS; i++) {
		cspace_unregister(f->cs[i]);
		free(f->cs[i]);
	}
	free(f);
	return 0;
}

static struct cap *slot(struct cspace *cs, unsigned i)
{
	return &cs->slots[i];
}

static void assert_empty(const struct cap *c, const struct cspace *owner)
{
	assert_int_equal(c->type, KEEL_OBJ_NONE);
	assert_int_equal(c->rights, 0);
	assert_int_equal(c->badge, 0);
	assert_null(c->obj);
	assert_null(c->parent);
	assert_ptr_equal(c->owner, owner);
}

static void init_empties_and_owns_every_slot(void **state)
{
	struct fixture *f = *state;
	struct cspace *a = f->cs[0];
	assert_true(a->registered);
	for (unsigned i = 0; i < KEEL_CSPACE_SLOTS; i++) {
		assert_empty(slot(a, i), a);
		assert_int_equal(cap_slot_of(slot(a, i)), i);
	}
}

static void lookup_empty_zero_and_out_of_range(void **state)
{
	struct fixture *f = *state;
	struct cspace *a = f->cs[0];
	struct cap *sentinel = (struct cap *)&ep_b;
	struct cap *out = sentinel;

	assert_int_equal(cap_install(a, 1, KEEL_OBJ_ENDPOINT, &ep_a, KEEL_R_ALL, 0), 0);
	assert_int_equal(cap_lookup(a, 0, KEEL_OBJ_NONE, 0, &out), -KEEL_ENOCAP);
	assert_int_equal(cap_lookup(a, KEEL_CSPACE_SLOTS, KEEL_OBJ_NONE, 0, &out), -KEEL_ENOCAP);
	assert_int_equal(cap_lookup(a, (unsigned long)-1, KEEL_OBJ_NONE, 0, &out), -KEEL_ENOCAP);
	assert_int_equal(cap_lookup(a, 2, KEEL_OBJ_NONE, 0, &out), -KEEL_ENOCAP);
	assert_int_equal(cap_lookup(a, KEEL_CSPACE_SLOTS - 1, KEEL_OBJ_ENDPOINT, 0, &out),
	                 -KEEL_ENOCAP);
	assert_ptr_equal(out, sentinel); /* untouched on failure */
	/* Slot 0 stays empty: nothing can be put there. */
	assert_int_equal(cap_install(a, 0, KEEL_OBJ_ENDPOINT, &ep_a, KEEL_R_ALL, 0), -KEEL_ENOCAP);
	assert_int_equal(cap_install(a, KEEL_CSPACE_SLOTS, KEEL_OBJ_ENDPOINT, &ep_a, KEEL_R_ALL, 0),
	                 -KEEL_ENOCAP);
	assert_empty(slot(a, 0), a);
	/* Slot 0 is refused as such, whatever it holds. */
	*slot(a, 0) = *slot(a, 1);
	assert_int_equal(cap_lookup(a, 0, KEEL_OBJ_NONE, 0, &out), -KEEL_ENOCAP);
	assert_ptr_equal(out, sentinel);
	*slot(a, 0) = (struct cap){.owner = a};
}

static void lookup_type_and_rights(void **state)
{
	struct fixture *f = *state;
	struct cspace *a = f->cs[0];
	struct cap *out = NULL;

	assert_int_equal(
	        cap_install(a, 5, KEEL_OBJ_ENDPOINT, &ep_a, KEEL_R_READ | KEEL_R_WRITE, 0x9), 0);
	assert_int_equal(cap_lookup(a, 5, KEEL_OBJ_NOTIFICATION, 0, &out), -KEEL_ETYPE);
	assert_int_equal(cap_lookup(a, 5, KEEL_OBJ_FRAME, KEEL_R_READ, &out), -KEEL_ETYPE);
	/* Wrong type and missing right: the type is reported. */
	assert_int_equal(cap_lookup(a, 5, KEEL_OBJ_FRAME, KEEL_R_GRANT, &out), -KEEL_ETYPE);
	assert_int_equal(cap_lookup(a, 5, KEEL_OBJ_ENDPOINT, KEEL_R_GRANT, &out), -KEEL_EPERM);
	/* Every right asked for is needed, not just one of them. */
	assert_int_equal(cap_lookup(a, 5, KEEL_OBJ_ENDPOINT, KEEL_R_READ | KEEL_R_GRANT, &out),
	                 -KEEL_EPERM);
	assert_int_equal(cap_lookup(a, 5, KEEL_OBJ_NONE, KEEL_R_CONTROL, &out), -KEEL_EPERM);
	assert_null(out);

	assert_int_equal(cap_lookup(a, 5, KEEL_OBJ_ENDPOINT, KEEL_R_READ | KEEL_R_WRITE, &out), 0);
	assert_ptr_equal(out, slot(a, 5));
	out = NULL;
	/* KEEL_OBJ_NONE matches any type. */
	assert_int_equal(cap_lookup(a, 5, KEEL_OBJ_NONE, 0, &out), 0);
	assert_ptr_equal(out, slot(a, 5));
	assert_ptr_equal(out->obj, &ep_a);
	assert_int_equal(out->badge, 0x9);
	assert_int_equal(cap_slot_of(out), 5);
}

static void install_checks(void **state)
{
	struct fixture *f = *state;
	struct cspace *a = f->cs[0];

	assert_int_equal(cap_install(a, 3, KEEL_OBJ_FRAME, &frame, 0xff, 0), 0);
	struct cap *c = slot(a, 3);
	assert_int_equal(c->type, KEEL_OBJ_FRAME);
	assert_int_equal(c->rights, KEEL_R_ALL); /* unknown rights bits dropped */
	assert_null(c->parent);
	assert_ptr_equal(c->owner, a);

	/* Occupied: refused, and the capability there is untouched. */
	assert_int_equal(cap_install(a, 3, KEEL_OBJ_ENDPOINT, &ep_a, KEEL_R_READ, 7), -KEEL_EEXIST);
	assert_int_equal(c->type, KEEL_OBJ_FRAME);
	assert_ptr_equal(c->obj, &frame);
	assert_int_equal(c->badge, 0);

	assert_int_equal(cap_install(a, 4, KEEL_OBJ_NONE, &ep_a, KEEL_R_ALL, 0), -KEEL_EINVAL);
	assert_int_equal(cap_install(a, 4, KEEL_OBJ_TYPES, &ep_a, KEEL_R_ALL, 0), -KEEL_EINVAL);
	assert_int_equal(cap_install(a, 4, KEEL_OBJ_ENDPOINT, NULL, KEEL_R_ALL, 0), -KEEL_EINVAL);
	assert_empty(slot(a, 4), a);
}

static void derive_masks_rights(void **state)
{
	struct fixture *f = *state;
	struct cspace *a = f->cs[0];
	struct cap *child, *out;

	assert_int_equal(cap_install(a, 1, KEEL_OBJ_ENDPOINT, &ep_a, KEEL_R_READ | KEEL_R_WRITE, 0),
	                 0);
	struct cap *root = slot(a, 1);

	/* Asking for everything gives no more than the parent has. */
	assert_int_equal(cap_derive(root, a, 2, KEEL_R_ALL, false, 0), 0);
	child = slot(a, 2);
	assert_int_equal(child->rights, KEEL_R_READ | KEEL_R_WRITE);
	assert_int_equal(child->type, KEEL_OBJ_ENDPOINT);
	assert_ptr_equal(child->obj, &ep_a);
	assert_ptr_equal(child->parent, root);
	assert_ptr_equal(child->owner, a);
	assert_int_equal(cap_lookup(a, 2, KEEL_OBJ_ENDPOINT, KEEL_R_GRANT, &out), -KEEL_EPERM);

	assert_int_equal(cap_derive(root, a, 3, KEEL_R_READ | KEEL_R_CONTROL, false, 0), 0);
	assert_int_equal(slot(a, 3)->rights, KEEL_R_READ);
	/* From the reduced child: WRITE cannot come back. */
	assert_int_equal(cap_derive(slot(a, 3), a, 4, KEEL_R_ALL, false, 0), 0);
	assert_int_equal(slot(a, 4)->rights, KEEL_R_READ);
	assert_ptr_equal(slot(a, 4)->parent, slot(a, 3));
	assert_int_equal(cap_derive(slot(a, 3), a, 5, KEEL_R_WRITE, false, 0), 0);
	assert_int_equal(slot(a, 5)->rights, 0);

	/* Destination checks. */
	assert_int_equal(cap_derive(root, a, 2, KEEL_R_ALL, false, 0), -KEEL_EEXIST);
	assert_ptr_equal(slot(a, 2)->parent, root);
	assert_int_equal(cap_derive(root, a, 0, KEEL_R_ALL, false, 0), -KEEL_ENOCAP);
	assert_int_equal(cap_derive(root, a, KEEL_CSPACE_SLOTS, KEEL_R_ALL, false, 0),
	                 -KEEL_ENOCAP);
	assert_empty(slot(a, 0), a);
}

static void copy_to_other_cspace_needs_grant(void **state)
{
	struct fixture *f = *state;
	struct cspace *a = f->cs[0], *b = f->cs[1], *c = f->cs[2];

	assert_int_equal(cap_install(a, 1, KEEL_OBJ_ENDPOINT, &ep_a, KEEL_R_READ | KEEL_R_WRITE, 0),
	                 0);
	assert_int_equal(cap_install(a, 2, KEEL_OBJ_ENDPOINT, &ep_b, KEEL_R_ALL, 0), 0);

	/* Without GRANT: only within its own cspace. */
	assert_int_equal(cap_derive(slot(a, 1), b, 1, KEEL_R_ALL, false, 0), -KEEL_EPERM);
	assert_empty(slot(b, 1), b);
	assert_int_equal(cap_derive(slot(a, 1), a, 10, KEEL_R_ALL, false, 0), 0);
	/* Minting into another cspace needs it too. */
	assert_int_equal(cap_derive(slot(a, 1), b, 1, KEEL_R_ALL, true, 5), -KEEL_EPERM);

	/* With GRANT: the copy lands in b, owned by b. */
	assert_int_equal(cap_derive(slot(a, 2), b, 7, KEEL_R_READ | KEEL_R_WRITE, false, 0), 0);
	struct cap *in_b = slot(b, 7);
	assert_ptr_equal(in_b->owner, b);
	assert_ptr_equal(in_b->parent, slot(a, 2));
	assert_ptr_equal(in_b->obj, &ep_b);
	assert_int_equal(cap_slot_of(in_b), 7);
	struct cap *out;
	assert_int_equal(cap_lookup(b, 7, KEEL_OBJ_ENDPOINT, KEEL_R_WRITE, &out), 0);
	assert_ptr_equal(out, in_b);

	/* The copy did not get GRANT: b can copy it inside b, not on to c. */
	assert_int_equal(cap_derive(in_b, c, 1, KEEL_R_ALL, false, 0), -KEEL_EPERM);
	assert_int_equal(cap_derive(in_b, b, 8, KEEL_R_READ, false, 0), 0);
	/* And the mint/destination checks of a refused copy change nothing. */
	assert_empty(slot(c, 1), c);
}

static void mint_sets_badge_once(void **state)
{
	struct fixture *f = *state;
	struct cspace *a = f->cs[0], *b = f->cs[1];

	assert_int_equal(cap_install(a, 1, KEEL_OBJ_ENDPOINT, &ep_a, KEEL_R_ALL, 0), 0);
	assert_int_equal(cap_install(a, 2, KEEL_OBJ_NOTIFICATION, &ntfn, KEEL_R_ALL, 0), 0);
	assert_int_equal(cap_install(a, 3, KEEL_OBJ_FRAME, &frame, KEEL_R_ALL, 0), 0);
	assert_int_equal(cap_install(a, 4, KEEL_OBJ_ENDPOINT, &ep_b, KEEL_R_ALL, 0x77), 0);

	assert_int_equal(cap_derive(slot(a, 1), b, 1, KEEL_R_WRITE, true, 0x42), 0);
	assert_int_equal(slot(b, 1)->badge, 0x42);
	assert_int_equal(slot(b, 1)->rights, KEEL_R_WRITE);
	assert_ptr_equal(slot(b, 1)->parent, slot(a, 1));
	assert_int_equal(cap_derive(slot(a, 2), b, 2, KEEL_R_ALL, true, 1ull << 63), 0);
	assert_int_equal(slot(b, 2)->badge, 1ull << 63);

	/* Badge 0, a badged source, a type without badges: all refused. */
	assert_int_equal(cap_derive(slot(a, 1), b, 3, KEEL_R_ALL, true, 0), -KEEL_EINVAL);
	assert_int_equal(cap_derive(slot(b, 1), b, 3, KEEL_R_ALL, true, 0x43), -KEEL_EINVAL);
	assert_int_equal(cap_derive(slot(a, 4), b, 3, KEEL_R_ALL, true, 0x43), -KEEL_EINVAL);
	assert_int_equal(cap_derive(slot(a, 3), b, 3, KEEL_R_ALL, true, 0x43), -KEEL_EINVAL);
	assert_empty(slot(b, 3), b);

	/* A plain copy keeps the badge, of a minted or an original badged cap. */
	assert_int_equal(cap_derive(slot(b, 1), b, 4, KEEL_R_ALL, false, 0x99), 0);
	assert_int_equal(slot(b, 4)->badge, 0x42);
	assert_int_equal(slot(b, 4)->rights, KEEL_R_WRITE);
	assert_int_equal(cap_derive(slot(a, 4), b, 5, KEEL_R_ALL, false, 0), 0);
	assert_int_equal(slot(b, 5)->badge, 0x77);
	assert_int_equal(cap_derive(slot(a, 1), b, 6, KEEL_R_ALL, false, 0), 0);
	assert_int_equal(slot(b, 6)->badge, 0);
	assert_int_equal(cap_derive(slot(a, 3), b, 7, KEEL_R_READ, false, 0), 0);
	assert_int_equal(slot(b, 7)->badge, 0);
}

static void delete_reparents_children(void **state)
{
	struct fixture *f = *state;
	struct cspace *a = f->cs[0], *b = f->cs[1], *c = f->cs[2];

	assert_int_equal(cap_install(a, 1, KEEL_OBJ_ENDPOINT, &ep_a, KEEL_R_ALL, 0), 0);
	struct cap *root = slot(a, 1);
	assert_int_equal(cap_derive(root, b, 1, KEEL_R_ALL, false, 0), 0);
	struct cap *mid = slot(b, 1);
	assert_int_equal(cap_derive(mid, c, 1, KEEL_R_ALL, false, 0), 0);
	assert_int_equal(cap_derive(mid, a, 9, KEEL_R_ALL, false, 0), 0);
	assert_int_equal(cap_derive(slot(c, 1), c, 2, KEEL_R_ALL, false, 0), 0);

	cap_delete(mid);
	assert_empty(mid, b);
	assert_int_equal(cap_slot_of(mid), 1);
	assert_ptr_equal(slot(c, 1)->parent, root);
	assert_ptr_equal(slot(a, 9)->parent, root);
	assert_ptr_equal(slot(c, 2)->parent, slot(c, 1)); /* grandchild's link unchanged */

	/* The tree stays connected: revoking the root still finds them all. */
	assert_int_equal(cap_revoke(root), 3);
	assert_empty(slot(c, 1), c);
	assert_empty(slot(c, 2), c);
	assert_empty(slot(a, 9), a);
	assert_int_equal(root->type, KEEL_OBJ_ENDPOINT);

	/* Deleting an empty slot does nothing; the slot can be reused. */
	cap_delete(mid);
	assert_empty(mid, b);
	assert_int_equal(cap_install(b, 1, KEEL_OBJ_FRAME, &frame, KEEL_R_READ, 0), 0);
}

static void delete_of_root_makes_children_roots(void **state)
{
	struct fixture *f = *state;
	struct cspace *a = f->cs[0], *b = f->cs[1];

	assert_int_equal(cap_install(a, 1, KEEL_OBJ_NOTIFICATION, &ntfn, KEEL_R_ALL, 0), 0);
	assert_int_equal(cap_derive(slot(a, 1), b, 2, KEEL_R_ALL, true, 4), 0);
	assert_int_equal(cap_derive(slot(a, 1), b, 3, KEEL_R_READ, false, 0), 0);
	cap_delete(slot(a, 1));
	assert_empty(slot(a, 1), a);
	assert_null(slot(b, 2)->parent);
	assert_null(slot(b, 3)->parent);
	assert_int_equal(slot(b, 2)->badge, 4);
	assert_ptr_equal(slot(b, 2)->obj, &ntfn);
	/* A new capability in the old slot is not their parent. */
	assert_int_equal(cap_install(a, 1, KEEL_OBJ_NOTIFICATION, &ntfn, KEEL_R_ALL, 0), 0);
	assert_int_equal(cap_revoke(slot(a, 1)), 0);
	assert_int_equal(slot(b, 2)->type, KEEL_OBJ_NOTIFICATION);
}

/*
 * The tree of the revoke tests (cspace:slot):
 *
 *   R a:10 -- C1 b:5 -- G1 c:3 -- GG d:1
 *          |         `- G3 a:2            (lower slot than its ancestors)
 *          `- C2 a:20 - G2 b:1
 *   U a:11 -- UC b:6                      (same object, unrelated)
 */
struct tree {
	struct cap *r, *c1, *c2, *g1, *g2, *g3, *gg, *u, *uc;
};

static struct tree build_tree(struct fixture *f)
{
	struct cspace *a = f->cs[0], *b = f->cs[1], *c = f->cs[2], *d = f->cs[3];
	struct tree t;

	assert_int_equal(cap_install(a, 10, KEEL_OBJ_ENDPOINT, &ep_a, KEEL_R_ALL, 0), 0);
	assert_int_equal(cap_install(a, 11, KEEL_OBJ_ENDPOINT, &ep_a, KEEL_R_ALL, 0), 0);
	t.r = slot(a, 10);
	t.u = slot(a, 11);
	assert_int_equal(cap_derive(t.r, b, 5, KEEL_R_ALL, false, 0), 0);
	t.c1 = slot(b, 5);
	assert_int_equal(cap_derive(t.r, a, 20, KEEL_R_ALL, false, 0), 0);
	t.c2 = slot(a, 20);
	assert_int_equal(cap_derive(t.c1, c, 3, KEEL_R_ALL, true, 0x10), 0);
	t.g1 = slot(c, 3);
	assert_int_equal(cap_derive(t.c2, b, 1, KEEL_R_ALL, false, 0), 0);
	t.g2 = slot(b, 1);
	assert_int_equal(cap_derive(t.c1, a, 2, KEEL_R_READ, false, 0), 0);
	t.g3 = slot(a, 2);
	assert_int_equal(cap_derive(t.g1, d, 1, KEEL_R_ALL, false, 0), 0);
	t.gg = slot(d, 1);
	assert_int_equal(cap_derive(t.u, b, 6, KEEL_R_ALL, false, 0), 0);
	t.uc = slot(b, 6);
	return t;
}

static void revoke_deletes_all_descendants(void **state)
{
	struct fixture *f = *state;
	struct tree t = build_tree(f);

	assert_int_equal(cap_revoke(t.r), 6);
	assert_empty(t.c1, f->cs[1]);
	assert_empty(t.c2, f->cs[0]);
	assert_empty(t.g1, f->cs[2]);
	assert_empty(t.g2, f->cs[1]);
	assert_empty(t.g3, f->cs[0]);
	assert_empty(t.gg, f->cs[3]);
	/* The revoked capability and the unrelated ones stay as they were. */
	assert_int_equal(t.r->type, KEEL_OBJ_ENDPOINT);
	assert_int_equal(t.r->rights, KEEL_R_ALL);
	assert_ptr_equal(t.r->obj, &ep_a);
	assert_int_equal(t.u->type, KEEL_OBJ_ENDPOINT);
	assert_int_equal(t.uc->type, KEEL_OBJ_ENDPOINT);
	assert_ptr_equal(t.uc->parent, t.u);
	/* Nothing left to revoke. */
	assert_int_equal(cap_revoke(t.r), 0);
}

static void revoke_of_a_subtree(void **state)
{
	struct fixture *f = *state;
	struct tree t = build_tree(f);

	assert_int_equal(cap_revoke(t.c1), 3); /* g1, g3, gg */
	assert_int_equal(t.c1->type, KEEL_OBJ_ENDPOINT);
	assert_ptr_equal(t.c1->parent, t.r);
	assert_empty(t.g1, f->cs[2]);
	assert_empty(t.g3, f->cs[0]);
	assert_empty(t.gg, f->cs[3]);
	assert_int_equal(t.c2->type, KEEL_OBJ_ENDPOINT);
	assert_int_equal(t.g2->type, KEEL_OBJ_ENDPOINT);
	assert_ptr_equal(t.g2->parent, t.c2);

	/* A leaf has nothing to revoke. */
	assert_int_equal(cap_revoke(t.g2), 0);
	assert_int_equal(t.g2->type, KEEL_OBJ_ENDPOINT);
	assert_int_equal(cap_revoke(t.r), 3); /* c1, c2, g2 */
	assert_int_equal(t.u->type, KEEL_OBJ_ENDPOINT);
}

static void revoke_after_delete_in_the_middle(void **state)
{
	struct fixture *f = *state;
	struct tree t = build_tree(f);

	cap_delete(t.g1); /* gg now hangs from c1 */
	assert_ptr_equal(t.gg->parent, t.c1);
	cap_delete(t.c1); /* gg and g3 now hang from r */
	assert_ptr_equal(t.gg->parent, t.r);
	assert_ptr_equal(t.g3->parent, t.r);
	assert_int_equal(cap_revoke(t.r), 4); /* c2, g2, g3, gg */
	assert_empty(t.gg, f->cs[3]);
	assert_empty(t.g3, f->cs[0]);
}

static void delete_all_to_an_object(void **state)
{
	struct fixture *f = *state;
	struct cspace *a = f->cs[0], *b = f->cs[1];
	struct tree t = build_tree(f); /* 9 caps to ep_a */

	assert_int_equal(cap_install(a, 30, KEEL_OBJ_ENDPOINT, &ep_b, KEEL_R_ALL, 0), 0);
	assert_int_equal(cap_derive(slot(a, 30), b, 30, KEEL_R_ALL, true, 3), 0);
	assert_int_equal(cap_install(b, 31, KEEL_OBJ_FRAME, &frame, KEEL_R_ALL, 0), 0);

	assert_int_equal(cap_delete_all_to(&ep_a), 9);
	assert_empty(t.r, a);
	assert_empty(t.u, a);
	assert_empty(t.gg, f->cs[3]);
	assert_empty(t.uc, b);
	/* Other objects' capabilities and their tree are untouched. */
	assert_ptr_equal(slot(a, 30)->obj, &ep_b);
	assert_ptr_equal(slot(b, 30)->parent, slot(a, 30));
	assert_int_equal(slot(b, 30)->badge, 3);
	assert_int_equal(slot(b, 31)->type, KEEL_OBJ_FRAME);
	assert_int_equal(cap_delete_all_to(&ep_a), 0);
	assert_int_equal(cap_delete_all_to(&ntfn), 0);
	assert_int_equal(cap_delete_all_to(&ep_b), 2);
	assert_int_equal(slot(b, 31)->type, KEEL_OBJ_FRAME);
}

static void unregistered_cspace_is_not_touched(void **state)
{
	struct fixture *f = *state;
	struct tree t = build_tree(f);
	struct cspace *b = f->cs[1];

	/* b is in the middle of the registry (d, c, b, a): unlinking it keeps the others. */
	cspace_unregister(b);
	assert_false(b->registered);
	cspace_unregister(b); /* twice: harmless */

	assert_int_equal(cap_revoke(t.r), 4); /* c2, g1, g3, gg: not c1 and g2 in b */
	assert_int_equal(t.c1->type, KEEL_OBJ_ENDPOINT);
	assert_int_equal(t.g2->type, KEEL_OBJ_ENDPOINT);
	assert_empty(t.c2, f->cs[0]);
	assert_empty(t.g1, f->cs[2]);
	assert_empty(t.g3, f->cs[0]);
	assert_empty(t.gg, f->cs[3]);

	/* Object teardown does not see b either. */
	assert_int_equal(cap_delete_all_to(&ep_a), 2); /* r, u */
	assert_int_equal(t.uc->type, KEEL_OBJ_ENDPOINT);
	assert_int_equal(t.c1->type, KEEL_OBJ_ENDPOINT);

	/* Still a working cspace for lookups (the partition's own teardown). */
	struct cap *out;
	assert_int_equal(cap_lookup(b, 5, KEEL_OBJ_ENDPOINT, 0, &out), 0);
	assert_ptr_equal(out, t.c1);
}

static void unregister_head_and_tail(void **state)
{
	struct fixture *f = *state;
	struct cspace *a = f->cs[0], *b = f->cs[1], *c = f->cs[2], *d = f->cs[3];

	assert_int_equal(cap_install(a, 1, KEEL_OBJ_ENDPOINT, &ep_a, KEEL_R_ALL, 0), 0);
	for (unsigned i = 1; i < NCS; i++)
		assert_int_equal(cap_derive(slot(a, 1), f->cs[i], 1, KEEL_R_ALL, false, 0), 0);
	cspace_unregister(d); /* the head: last initialised */
	cspace_unregister(a); /* the tail */
	assert_true(b->registered);
	assert_true(c->registered);
	assert_int_equal(cap_revoke(slot(a, 1)), 2); /* b:1 and c:1 */
	assert_int_equal(slot(d, 1)->type, KEEL_OBJ_ENDPOINT);
	assert_int_equal(slot(a, 1)->type, KEEL_OBJ_ENDPOINT);
	assert_empty(slot(b, 1), b);
	assert_empty(slot(c, 1), c);
}

/* A vCPU counts as a thread and a VM as a partition, never the reverse. */
static void vcpu_and_vm_are_subtypes(void **state)
{
	struct fixture *f = *state;
	struct cspace *a = f->cs[0];
	struct cap *c;
	int obj;
	assert_int_equal(cap_install(a, 1, KEEL_OBJ_VCPU, &obj, KEEL_R_ALL, 0), 0);
	assert_int_equal(cap_install(a, 2, KEEL_OBJ_VM, &obj, KEEL_R_ALL, 0), 0);
	assert_int_equal(cap_install(a, 3, KEEL_OBJ_THREAD, &obj, KEEL_R_ALL, 0), 0);
	assert_int_equal(cap_lookup(a, 1, KEEL_OBJ_THREAD, KEEL_R_CONTROL, &c), 0);
	assert_int_equal(cap_lookup(a, 2, KEEL_OBJ_PARTITION, KEEL_R_WRITE, &c), 0);
	assert_int_equal(cap_lookup(a, 3, KEEL_OBJ_VCPU, 0, &c), -KEEL_ETYPE);
	assert_int_equal(cap_lookup(a, 1, KEEL_OBJ_PARTITION, 0, &c), -KEEL_ETYPE);
	assert_int_equal(cap_lookup(a, 2, KEEL_OBJ_THREAD, 0, &c), -KEEL_ETYPE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(init_empties_and_owns_every_slot, setup, teardown),
	        cmocka_unit_test_setup_teardown(lookup_empty_zero_and_out_of_range, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(lookup_type_and_rights, setup, teardown),
	        cmocka_unit_test_setup_teardown(install_checks, setup, teardown),
	        cmocka_unit_test_setup_teardown(derive_masks_rights, setup, teardown),
	        cmocka_unit_test_setup_teardown(copy_to_other_cspace_needs_grant, setup, teardown),
	        cmocka_unit_test_setup_teardown(mint_sets_badge_once, setup, teardown),
	        cmocka_unit_test_setup_teardown(delete_reparents_children, setup, teardown),
	        cmocka_unit_test_setup_teardown(delete_of_root_makes_children_roots, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(revoke_deletes_all_descendants, setup, teardown),
	        cmocka_unit_test_setup_teardown(revoke_of_a_subtree, setup, teardown),
	        cmocka_unit_test_setup_teardown(revoke_after_delete_in_the_middle, setup, teardown),
	        cmocka_unit_test_setup_teardown(delete_all_to_an_object, setup, teardown),
	        cmocka_unit_test_setup_teardown(unregistered_cspace_is_not_touched, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(unregister_head_and_tail, setup, teardown),
	        cmocka_unit_test_setup_teardown(vcpu_and_vm_are_subtypes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
