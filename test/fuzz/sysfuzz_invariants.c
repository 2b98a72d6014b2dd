/* SPDX-License-Identifier: MIT */
/*
 * What must hold after every kernel entry, whatever the calls before:
 *
 *  - no capability, partition, thread, queue, binding, fault endpoint,
 *    MMIO route or interrupt handler refers to memory of an untyped above
 *    its watermark (freed, or reset and not carved again);
 *  - untyped accounting adds up: a child's range lies in its parent's
 *    carved part, the watermark lies in the range, objects never overlap;
 *  - every page a partition maps from untyped memory is carved memory;
 *  - capabilities: right owner, parent a live capability, type matching
 *    the object (VM or partition, vCPU or thread);
 *  - every thread is in exactly the queues its state says: READY in its
 *    CPU's ready queue of its priority, THROTTLED and SLEEPING in theirs,
 *    BLOCKED_SEND/RECV/WAIT in the queue of what it is blocked on, RUNNING
 *    the current thread of its CPU, all others in none; reply links pair;
 *    placement counts add up; a thread in a dead partition never runs;
 *  - no thread is on two CPUs at once.
 *
 * Objects are reached from the partition list, capabilities, scheduler
 * queues and the links between objects, as the kernel reaches them.
 */
#include "sysfuzz.h"

#include <keel/cap.h>
#include <keel/endpoint.h>
#include <keel/frame.h>
#include <keel/irq.h>
#include <keel/kernel.h>
#include <keel/notification.h>
#include <keel/sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_SEEN  8192
#define MAX_STEPS 100000 /* a longer queue is a loop */

static _Noreturn void broken(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "sysfuzz: invariant broken: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

/* A set of objects: collected, then sorted and made unique. */
struct set {
	const void *v[MAX_SEEN];
	unsigned n;
};

static struct set untypeds, threads, endpoints, ntfns;
static unsigned sched_hits[MAX_SEEN], ipc_hits[MAX_SEEN], list_hits[MAX_SEEN];

static void add(struct set *s, const void *p)
{
	if (!p)
		return;
	if (s->n == MAX_SEEN)
		broken("more than %u objects of a kind", MAX_SEEN);
	s->v[s->n++] = p;
}

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (const void *const *)a,
	          y = (uintptr_t) * (const void *const *)b;
	return x < y ? -1 : x > y;
}

static void make_unique(struct set *s)
{
	unsigned n = 0;
	qsort(s->v, s->n, sizeof(s->v[0]), by_address);
	for (unsigned i = 0; i < s->n; i++)
		if (!n || s->v[n - 1] != s->v[i])
			s->v[n++] = s->v[i];
	s->n = n;
}

static unsigned index_of(const struct set *s, const void *p)
{
	const void *const *hit = bsearch(&p, s->v, s->n, sizeof(s->v[0]), by_address);
	if (!hit)
		broken("object %p reached but not collected", p);
	return (unsigned)(hit - s->v);
}

/* --- liveness: below the watermark of the innermost untyped --------------- */

static const struct untyped *innermost(uintptr_t at, uint64_t len, const struct untyped * not )
{
	const struct untyped *best = NULL;
	for (unsigned i = 0; i < untypeds.n; i++) {
		const struct untyped *u = untypeds.v[i];
		if (u != not &&at >= u->base && at + len <= u->base + u->size &&
		    (!best || u->size < best->size))
			best = u;
	}
	return best;
}

static void check_live(const void *p, uint64_t len, const char *what)
{
	uintptr_t at = (uintptr_t)p;
	if (!untyped_contains(&sf.arena, p))
		return; /* the supervisor's and the kernel's static objects */
	const struct untyped *u = innermost(at, len, NULL);
	if (!u || at + len > u->watermark)
		broken("%s %p lies in free memory of untyped %u (watermark %#llx)", what, p,
		       u ? u->id : 0, u ? (unsigned long long)u->watermark : 0ull);
}

static void check_untyped(const struct untyped *u)
{
	if (u->watermark < u->base || u->watermark > u->base + u->size)
		broken("untyped %u: watermark %#llx outside its range", u->id,
		       (unsigned long long)u->watermark);
	if (u == &sf.arena)
		return;
	check_live(u, sizeof(*u), "untyped header");
	const struct untyped *in = innermost(u->base, u->size, u);
	if (!in || u->base + u->size > in->watermark)
		broken("untyped %u: its range is not carved from its parent", u->id);
}

/* --- capabilities and partitions --------------------------------------------- */

static uint64_t object_size(unsigned type)
{
	switch (type) {
	case KEEL_OBJ_UNTYPED: return sizeof(struct untyped);
	case KEEL_OBJ_PARTITION:
	case KEEL_OBJ_VM: return sizeof(struct partition);
	case KEEL_OBJ_THREAD:
	case KEEL_OBJ_VCPU: return sizeof(struct thread);
	case KEEL_OBJ_ENDPOINT: return sizeof(struct endpoint);
	case KEEL_OBJ_NOTIFICATION: return sizeof(struct notification);
	case KEEL_OBJ_FRAME: return sizeof(struct frame);
	default: return 1;
	}
}

/* What objects take of the arena: each object's own bytes and each
 * frame's memory. Carving never hands out a byte twice, so no two overlap. */
struct extent {
	uintptr_t start, end;
};
static struct extent extents[MAX_SEEN];
static unsigned nextents;

static void add_extent(const void *p, uint64_t len)
{
	if (!untyped_contains(&sf.arena, p))
		return;
	if (nextents == MAX_SEEN)
		broken("more than %u objects", MAX_SEEN);
	extents[nextents++] = (struct extent){(uintptr_t)p, (uintptr_t)p + len};
}

static int by_start(const void *a, const void *b)
{
	const struct extent *x = a, *y = b;
	return x->start != y->start ? (x->start < y->start ? -1 : 1)
	                            : (x->end < y->end ? -1 : x->end > y->end);
}

static void check_extents(void)
{
	qsort(extents, nextents, sizeof(extents[0]), by_start);
	for (unsigned i = 1; i < nextents; i++) {
		const struct extent *a = &extents[i - 1], *b = &extents[i];
		bool same = a->start == b->start && a->end == b->end; /* two capabilities */
		if (!same && b->start < a->end)
			broken("objects overlap: [%#lx, %#lx) and [%#lx, %#lx)",
			       (unsigned long)a->start, (unsigned long)a->end,
			       (unsigned long)b->start, (unsigned long)b->end);
	}
}

static bool is_listed(const struct cspace *cs)
{
	for (const struct partition *p = partition_first(); p; p = p->next)
		if (p->alive && &p->cspace == cs)
			return true;
	return false;
}

static void check_cap_type(const struct cap *c, unsigned slot)
{
	bool ok = true;
	if (c->type == KEEL_OBJ_VM || c->type == KEEL_OBJ_PARTITION)
		ok = ((const struct partition *)c->obj)->is_vm == (c->type == KEEL_OBJ_VM);
	else if (c->type == KEEL_OBJ_VCPU || c->type == KEEL_OBJ_THREAD)
		ok = ((const struct thread *)c->obj)->is_vcpu == (c->type == KEEL_OBJ_VCPU);
	else if (c->type == KEEL_OBJ_IRQ_HANDLER || c->type == KEEL_OBJ_IRQ_CONTROL ||
	         c->type == KEEL_OBJ_SYSINFO)
		ok = !untyped_contains(&sf.arena, c->obj);
	if (!ok)
		broken("slot %u: a capability of type %u to another kind of object", slot, c->type);
}

static void check_cap(const struct partition *p, const struct cap *c, unsigned slot)
{
	if (!p->alive || slot == 0)
		broken("partition %u (alive %d) holds a capability in slot %u", p->id, p->alive,
		       slot);
	if (c->type >= KEEL_OBJ_TYPES || !c->obj || c->owner != &p->cspace)
		broken("partition %u slot %u: malformed capability", p->id, slot);
	check_live(c->obj, object_size(c->type), "capability's object");
	if (c->parent && (c->parent->type == KEEL_OBJ_NONE || !is_listed(c->parent->owner)))
		broken("partition %u slot %u: its parent capability is gone", p->id, slot);
	check_cap_type(c, slot);
	add_extent(c->obj, object_size(c->type));
	if (c->type == KEEL_OBJ_FRAME && !((const struct frame *)c->obj)->device)
		add_extent((const void *)(uintptr_t)((const struct frame *)c->obj)->phys,
		           ((const struct frame *)c->obj)->size);
	if (c->type == KEEL_OBJ_UNTYPED)
		add(&untypeds, c->obj);
	else if (c->type == KEEL_OBJ_THREAD || c->type == KEEL_OBJ_VCPU)
		add(&threads, c->obj);
	else if (c->type == KEEL_OBJ_ENDPOINT)
		add(&endpoints, c->obj);
	else if (c->type == KEEL_OBJ_NOTIFICATION)
		add(&ntfns, c->obj);
}

static void collect_partition(const struct partition *p)
{
	unsigned steps = 0;
	check_live(p, sizeof(*p), "listed partition");
	if (p->alive != p->cspace.registered)
		broken("partition %u: alive %d but cspace registered %d", p->id, p->alive,
		       p->cspace.registered);
	for (unsigned s = 0; s < KEEL_CSPACE_SLOTS; s++)
		if (p->cspace.slots[s].type != KEEL_OBJ_NONE)
			check_cap(p, &p->cspace.slots[s], s);
	for (const struct list *l = p->threads.next; l != &p->threads; l = l->next) {
		if (++steps > MAX_STEPS)
			broken("partition %u: its thread list loops", p->id);
		add(&threads, container_of(l, struct thread, partition_node));
	}
	add(&endpoints, p->fault_ep);
	for (unsigned i = 0; i < VM_MMIO_ROUTES; i++)
		add(&endpoints, p->routes[i].ep);
}

/* Every page a partition maps from the arena is carved memory, and its
 * table pages are its own: a reset unmaps what it frees everywhere. */
static void check_table(const struct partition *p, const uint64_t *table, unsigned level)
{
	const uint8_t *pages = p->table_pages[0];
	if ((const uint8_t *)table < pages ||
	    (const uint8_t *)table >= pages + sizeof(p->table_pages))
		broken("partition %u: a stage-2 table page outside the partition", p->id);
	for (unsigned i = 0; i < 512; i++) {
		uint64_t e = table[i];
		if (!(e & PTE_VALID))
			continue;
		uint64_t pa = e & PTE_ADDR_MASK;
		if (level < 3 && (e & PTE_TABLE)) {
			check_table(p, (const uint64_t *)(uintptr_t)pa, level + 1);
			continue;
		}
		uint64_t len = 1ull << (12 + 9 * (3 - level));
		if (untyped_contains(&sf.arena, (const void *)(uintptr_t)pa))
			check_live((const void *)(uintptr_t)pa, len, "mapped memory");
	}
}

static void collect_objects(void)
{
	unsigned n = 0;
	nextents = 0;
	untypeds.n = threads.n = endpoints.n = ntfns.n = 0;
	add(&untypeds, &sf.arena);
	for (const struct partition *p = partition_first(); p; p = p->next) {
		if (++n > MAX_STEPS)
			broken("the partition list loops");
		collect_partition(p);
	}
	make_unique(&untypeds);
	for (const struct partition *p = partition_first(); p; p = p->next)
		if (p->alive)
			check_table(p, p->s2.root, p->s2.start_level);
	check_extents();
	/* The handlers are a table indexed by line: one look-up, not one per
	 * line, keeps the check fast. */
	const struct irq_handler *first = irq_handler_at(IRQ_FIRST_SPI);
	for (unsigned i = IRQ_FIRST_SPI; i < IRQ_MAX; i++) {
		const struct irq_handler *h = first + (i - IRQ_FIRST_SPI);
		add(&ntfns, h->ntfn);
		if (h->vm && (check_live(h->vm, sizeof(*h->vm), "passed line's VM"), !h->vm->is_vm))
			broken("interrupt %u passed to a partition that is no VM", i);
	}
}

/* --- queues ------------------------------------------------------------------ */

typedef void (*visit_fn)(const struct thread *t, const void *queue, unsigned kind);

static bool sched_kind(unsigned kind)
{
	return kind == KEEL_TS_READY || kind == KEEL_TS_THROTTLED || kind == KEEL_TS_SLEEPING;
}

/* Call fn on each thread of queue q (of `owner`), whose members must be in
 * state `kind`. */
static void walk(const struct list *q, const void *owner, unsigned kind, visit_fn fn)
{
	size_t off = sched_kind(kind) ? offsetof(struct thread, sched_node)
	                              : offsetof(struct thread, ipc_node);
	unsigned steps = 0;
	for (const struct list *l = q->next; l != q; l = l->next) {
		if (++steps > MAX_STEPS)
			broken("a queue of %p loops", owner);
		fn((const struct thread *)(const void *)((const char *)l - off), owner, kind);
	}
}

static void walk_sched(unsigned cpu, visit_fn fn)
{
	const struct sched_cpu *s = &sched_cpus[cpu];
	if (cpu >= SF_CPUS) {
		if (s->ready_mask || s->current || s->placed || !list_empty(&s->throttled) ||
		    !list_empty(&s->sleeping))
			broken("offline cpu %u has threads", cpu);
		return;
	}
	for (unsigned p = 0; p < SCHED_PRIOS; p++) {
		if (!list_empty(&s->ready[p]) != !!(s->ready_mask & (1ull << p)))
			broken("cpu %u: ready mask %#llx disagrees with queue %u", cpu,
			       (unsigned long long)s->ready_mask, p);
		walk(&s->ready[p], s, KEEL_TS_READY, fn);
	}
	walk(&s->throttled, s, KEEL_TS_THROTTLED, fn);
	walk(&s->sleeping, s, KEEL_TS_SLEEPING, fn);
}

static void walk_ipc(visit_fn fn)
{
	for (unsigned i = 0; i < endpoints.n; i++) {
		const struct endpoint *ep = endpoints.v[i];
		walk(&ep->senders, ep, KEEL_TS_BLOCKED_SEND, fn);
		walk(&ep->receivers, ep, KEEL_TS_BLOCKED_RECV, fn);
	}
	for (unsigned i = 0; i < ntfns.n; i++) {
		const struct notification *n = ntfns.v[i];
		walk(&n->waiters, n, KEEL_TS_BLOCKED_WAIT, fn);
	}
}

static void collect_thread(const struct thread *t, const void *queue, unsigned kind)
{
	(void)queue;
	(void)kind;
	add(&threads, t);
}

static void count_thread(const struct thread *t, const void *queue, unsigned kind)
{
	unsigned i = index_of(&threads, t);
	if (t->state != kind)
		broken("thread %u in state %u is on a queue of state %u", t->id, t->state, kind);
	if (sched_kind(kind)) {
		const struct sched_cpu *s = queue;
		if (s != &sched_cpus[t->cpu] ||
		    (kind == KEEL_TS_READY && list_empty(&s->ready[t->prio])))
			broken("thread %u is queued on another CPU than its own", t->id);
		sched_hits[i]++;
	} else {
		if (t->blocked_on != queue)
			broken("thread %u waits in the queue of %p, blocked on %p", t->id, queue,
			       t->blocked_on);
		ipc_hits[i]++;
	}
}

/* Threads reach endpoints and notifications; endpoints and notifications
 * reach each other; queues reach more threads: to a fixed point. */
static void collect_links(void)
{
	for (unsigned i = 0; i < KEEL_MAX_CPUS; i++) {
		walk_sched(i, collect_thread);
		add(&threads, sched_cpus[i].current);
	}
	for (unsigned c = 0; c < SF_CPUS; c++)
		add(&threads, sf.running[c]);
	unsigned before;
	do {
		before = threads.n + endpoints.n + ntfns.n;
		make_unique(&threads);
		for (unsigned i = 0, n = threads.n; i < n; i++) {
			const struct thread *t = threads.v[i];
			check_live(t, sizeof(*t), "thread");
			add(&threads, t->reply_to);
			add(&threads, t->reply_from);
			if (t->state == KEEL_TS_BLOCKED_WAIT)
				add(&ntfns, t->blocked_on);
			else if (t->state == KEEL_TS_BLOCKED_SEND ||
			         t->state == KEEL_TS_BLOCKED_RECV)
				add(&endpoints, t->blocked_on);
		}
		make_unique(&endpoints);
		make_unique(&ntfns);
		for (unsigned i = 0, n = endpoints.n; i < n; i++) {
			const struct endpoint *ep = endpoints.v[i];
			check_live(ep, sizeof(*ep), "endpoint");
			add(&ntfns, ep->bound);
		}
		for (unsigned i = 0, count = ntfns.n; i < count; i++) {
			const struct notification *n = ntfns.v[i];
			check_live(n, sizeof(*n), "notification");
			add(&endpoints, n->bound_ep);
		}
		make_unique(&endpoints);
		make_unique(&ntfns);
		walk_ipc(collect_thread);
		make_unique(&threads);
	} while (threads.n + endpoints.n + ntfns.n != before);
}

/* --- each thread against its state -------------------------------------------- */

static bool unplaced_state(unsigned state)
{
	return state == KEEL_TS_INACTIVE || state == KEEL_TS_FAULTED || state == KEEL_TS_EXITED;
}

static bool ipc_state(unsigned state)
{
	return state == KEEL_TS_BLOCKED_SEND || state == KEEL_TS_BLOCKED_RECV ||
	       state == KEEL_TS_BLOCKED_WAIT;
}

static void check_partners(const struct thread *t)
{
	if (t->state == KEEL_TS_BLOCKED_REPLY && (!t->reply_from || t->reply_from->reply_to != t))
		broken("thread %u waits for a reply nobody owes it", t->id);
	if (t->reply_from && t->reply_from->reply_to != t)
		broken("thread %u: reply_from %u does not owe it", t->id, t->reply_from->id);
	if (t->reply_to &&
	    (t->reply_to->reply_from != t || t->reply_to->state != KEEL_TS_BLOCKED_REPLY))
		broken("thread %u owes a reply to thread %u, which does not wait for it", t->id,
		       t->reply_to->id);
}

static void check_home(const struct thread *t, unsigned i)
{
	const struct partition *p = t->partition;
	if (!p) {
		if (t->state != KEEL_TS_INACTIVE || list_hits[i])
			broken("thread %u has no partition, state %u, listed %u", t->id, t->state,
			       list_hits[i]);
		return;
	}
	if (list_hits[i] != 1)
		broken("thread %u is in %u partitions' lists", t->id, list_hits[i]);
	if (!p->alive && !unplaced_state(t->state))
		broken("thread %u of destroyed partition %u is in state %u", t->id, p->id,
		       t->state);
	if (t->is_vcpu != p->is_vm && t != sf.sup && p != sf.sup_part)
		broken("thread %u (vcpu %d) in partition %u (vm %d)", t->id, t->is_vcpu, p->id,
		       p->is_vm);
}

static void check_thread(const struct thread *t, unsigned i)
{
	unsigned want_sched = sched_kind(t->state), want_ipc = ipc_state(t->state);
	if (t->state > KEEL_TS_EXITED || t->cpu >= SF_CPUS)
		broken("thread %u: state %u cpu %u", t->id, t->state, t->cpu);
	if (sched_hits[i] != want_sched || ipc_hits[i] != want_ipc)
		broken("thread %u in state %u is on %u scheduler and %u wait queues", t->id,
		       t->state, sched_hits[i], ipc_hits[i]);
	if (list_linked(&t->sched_node) != (sched_hits[i] != 0) ||
	    list_linked(&t->ipc_node) != (ipc_hits[i] != 0))
		broken("thread %u: queue links disagree with the queues", t->id);
	if (!want_ipc && t->blocked_on)
		broken("thread %u in state %u is blocked on %p", t->id, t->state, t->blocked_on);
	if ((t->state == KEEL_TS_RUNNING) != (sched_cpus[t->cpu].current == t))
		broken("thread %u: state %u, current of its CPU %d", t->id, t->state,
		       sched_cpus[t->cpu].current == t);
	if (t->placed == unplaced_state(t->state))
		broken("thread %u: placed %d in state %u", t->id, t->placed, t->state);
	check_partners(t);
	check_home(t, i);
}

static void check_cpus(void)
{
	unsigned placed[KEEL_MAX_CPUS] = {0};
	for (unsigned i = 0; i < threads.n; i++) {
		const struct thread *t = threads.v[i];
		placed[t->cpu] += t->placed;
		bool on = false;
		for (unsigned c = 0; c < SF_CPUS; c++) {
			if (sf.running[c] != t)
				continue;
			if (on)
				broken("thread %u is on two CPUs at once", t->id);
			on = true;
		}
		if (t->on_cpu != on)
			broken("thread %u: on_cpu %d, running on a CPU %d", t->id, t->on_cpu, on);
	}
	for (unsigned c = 0; c < KEEL_MAX_CPUS; c++)
		if (sched_cpus[c].placed != placed[c])
			broken("cpu %u counts %u placed threads, %u are", c, sched_cpus[c].placed,
			       placed[c]);
}

static void count_lists(void)
{
	for (const struct partition *p = partition_first(); p; p = p->next) {
		for (const struct list *l = p->threads.next; l != &p->threads; l = l->next) {
			const struct thread *t = container_of(l, struct thread, partition_node);
			if (t->partition != p)
				broken("thread %u is in the list of partition %u, not its own",
				       t->id, p->id);
			list_hits[index_of(&threads, t)]++;
		}
	}
}

static void check_bindings(void)
{
	for (unsigned i = 0; i < endpoints.n; i++) {
		const struct endpoint *ep = endpoints.v[i];
		if (ep->bound && ep->bound->bound_ep != ep)
			broken("endpoint %u is bound to a notification bound elsewhere", ep->id);
	}
	for (unsigned i = 0; i < ntfns.n; i++) {
		const struct notification *n = ntfns.v[i];
		if (n->bound_ep && n->bound_ep->bound != n)
			broken("notification %u is bound to an endpoint bound elsewhere", n->id);
	}
}

void sysfuzz_check(void)
{
	collect_objects();
	for (unsigned i = 0; i < untypeds.n; i++)
		check_untyped(untypeds.v[i]);
	collect_links();
	for (unsigned i = 0; i < threads.n; i++)
		sched_hits[i] = ipc_hits[i] = list_hits[i] = 0;
	for (unsigned c = 0; c < KEEL_MAX_CPUS; c++)
		walk_sched(c, count_thread);
	walk_ipc(count_thread);
	count_lists();
	for (unsigned i = 0; i < threads.n; i++)
		check_thread(threads.v[i], i);
	check_cpus();
	check_bindings();
}
