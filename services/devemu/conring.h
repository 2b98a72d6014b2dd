/* SPDX-License-Identifier: MIT */
/*
 * The console channel between devemu and the console service: one shared
 * frame ("shm:conguest:32" on both) holding, per guest, a ring of the
 * guest's UART output (devemu -> console) and a ring of its input
 * (console -> devemu), and the console's focus requests.
 *
 * Each ring has one producer and one consumer; each index is written by
 * one side only (head by the producer, tail by the consumer), so plain
 * atomic loads and stores suffice, with no read-modify-write. Indices run
 * freely and wrap at 2^32; sizes are powers of two.
 *
 * Wake-ups: the producer learns whether the consumer had caught up before
 * the write (conring_write's *was_empty) and only then needs to wake it.
 * That needs the producer's "store head, load tail" and the consumer's
 * "store tail, load head" to be sequentially consistent (either side sees
 * the other's store), and the consumer to read until conring_read returns
 * 0 before it sleeps.
 *
 * Guests come and go (keel/devctl.h). Each slot has a generation, `gen`,
 * that devemu bumps when a guest is attached and when it is detached: odd
 * while a guest is there (present), and a new odd value is a new guest.
 * The rings are not reset when the guest changes, since neither side may
 * write the other's index; each side instead skips, in the ring it
 * consumes, what was produced for an earlier guest:
 * - Output: devemu records out.head at the attach (out_start) before it
 *   publishes the new gen. The console, when it sees the new gen, moves
 *   out.tail up to out_start. It reads output only up to a head it loaded
 *   while gen was still the one it knows (or that guest's detach): the new
 *   guest's bytes all follow the new gen, so they are never taken for the
 *   old guest's and never skipped.
 * - Input: the console, when it sees the new gen, records its own in.head
 *   (in_start), then acknowledges the gen (gen_ack). devemu gives a guest
 *   no input until gen_ack is its gen, then moves in.tail up to in_start,
 *   so keys typed at the old guest, even in flight while it was replaced,
 *   never reach the new one.
 * The name is written while no guest is there (gen even) and read like a
 * sequence lock: copied, then kept only if gen has not moved meanwhile.
 *
 * Focus requests (DEVCTL_FOCUS): devemu stores focus_n, then bumps
 * focus_req; the console, seeing focus_req differ from its focus_ack,
 * reads focus_n, copies focus_req to focus_ack and switches. A request
 * overtaken by another before the console looked is superseded by it.
 *
 * Pure header: compiled into both services and the host unit tests.
 */
#ifndef DEVEMU_CONRING_H
#define DEVEMU_CONRING_H

#include <stdbool.h>
#include <stdint.h>

#define CONCHAN_GUESTS   8 /* uart-badge 1..8 */
#define CONCHAN_NAME     16
#define CONCHAN_OUT_SIZE 2048 /* guest output, bytes */
#define CONCHAN_IN_SIZE  256  /* guest input, bytes */

/* Indices on separate cache lines: each side writes one of them. */
struct conring {
	uint32_t head; /* bytes ever produced */
	uint32_t pad0[15];
	uint32_t tail; /* bytes ever consumed */
	uint32_t pad1[15];
};

struct conguest {
	/* devemu: written while gen is even, before the gen store that makes
	 * it odd. */
	char name[CONCHAN_NAME];
	uint32_t gen;       /* devemu: odd while a guest is attached */
	uint32_t out_start; /* devemu: out.head when guest `gen` was attached */
	uint32_t gen_ack;   /* console: the gen whose input starts at in_start */
	uint32_t in_start;  /* console: in.head when it saw gen_ack */
	/* devemu bumps kick_req when a guest's TX FIFO is waiting for room in
	 * `out`; the console, having made room, copies it to kick_ack and
	 * wakes devemu (a signal of devemu's bound notification). */
	uint32_t kick_req, kick_ack;
	uint32_t in_dropped; /* console: input lost to a full `in` ring */
	struct conring out;
	uint8_t out_data[CONCHAN_OUT_SIZE];
	struct conring in;
	uint8_t in_data[CONCHAN_IN_SIZE];
};

struct conchan {
	struct conguest guest[CONCHAN_GUESTS]; /* guest[badge - 1] */
	uint32_t focus_req, focus_n;           /* devemu */
	uint32_t focus_ack;                    /* console */
};

static inline uint32_t conring_load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

/* NOLINTNEXTLINE(readability-non-const-parameter): the atomic store writes *p. */
static inline void conring_store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

/* Bytes waiting (consumer's view) and free room (producer's view). */
static inline uint32_t conring_used(const struct conring *r)
{
	return conring_load(&r->head) - conring_load(&r->tail);
}

/* Producer: copies up to n bytes in, returns how many fitted. */
static inline uint32_t conring_write(struct conring *r, uint8_t *data, uint32_t size,
                                     const uint8_t *src, uint32_t n, bool *was_empty)
{
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	uint32_t room = size - (head - conring_load(&r->tail));
	if (n > room)
		n = room;
	for (uint32_t i = 0; i < n; i++)
		data[(head + i) & (size - 1)] = src[i];
	if (n)
		conring_store(&r->head, head + n);
	if (was_empty)
		*was_empty = n && conring_load(&r->tail) == head;
	return n;
}

/* Consumer: copies up to n bytes before `head` (a value of r->head) out,
 * returns how many. */
static inline uint32_t conring_read_to(struct conring *r, const uint8_t *data, uint32_t size,
                                       uint8_t *dst, uint32_t n, uint32_t head)
{
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	uint32_t avail = head - tail;
	if (n > avail)
		n = avail;
	for (uint32_t i = 0; i < n; i++)
		dst[i] = data[(tail + i) & (size - 1)];
	if (n)
		conring_store(&r->tail, tail + n);
	return n;
}

/* Consumer: copies up to n bytes out, returns how many. */
static inline uint32_t conring_read(struct conring *r, const uint8_t *data, uint32_t size,
                                    uint8_t *dst, uint32_t n)
{
	return conring_read_to(r, data, size, dst, n, conring_load(&r->head));
}

/* Consumer: drops what was produced before `start`, a value head had. A
 * start the consumer is already past is ignored. */
static inline void conring_skip_to(struct conring *r, uint32_t start)
{
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	if (start - tail <= conring_load(&r->head) - tail)
		conring_store(&r->tail, start);
}

/* --- guests coming and going: devemu's side ------------------------------ */

static inline bool conguest_present(const struct conguest *g)
{
	return conring_load(&g->gen) & 1;
}

/* devemu: guest `name` is now in slot g (a slot still marked present is
 * first emptied); returns its gen. Output already in `out` is not its. */
static inline uint32_t conguest_attach(struct conguest *g, const char *name)
{
	uint32_t gen = __atomic_load_n(&g->gen, __ATOMIC_RELAXED);
	if (gen & 1)
		conring_store(&g->gen, ++gen);
	/* The name's stores stay after the even gen (a sequence lock's
	 * writer); its reader checks gen after copying. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	bool end = false;
	for (unsigned i = 0; i < CONCHAN_NAME; i++) {
		end = end || i == CONCHAN_NAME - 1 || !name[i];
		__atomic_store_n(&g->name[i], end ? '\0' : name[i], __ATOMIC_RELAXED);
	}
	conring_store(&g->out_start, __atomic_load_n(&g->out.head, __ATOMIC_RELAXED));
	conring_store(&g->gen, ++gen);
	return gen;
}

/* devemu: the guest in slot g went away. */
static inline void conguest_detach(struct conguest *g)
{
	uint32_t gen = __atomic_load_n(&g->gen, __ATOMIC_RELAXED);
	if (gen & 1)
		conring_store(&g->gen, gen + 1);
}

/* devemu: may guest `gen` be given input yet? Once the console has seen
 * it, drops what was typed for earlier guests; *synced (false at the
 * attach) remembers that this was done. */
static inline bool conguest_input_ready(struct conguest *g, uint32_t gen, bool *synced)
{
	if (*synced)
		return true;
	if (conring_load(&g->gen_ack) != gen)
		return false;
	conring_skip_to(&g->in, conring_load(&g->in_start));
	*synced = true;
	return true;
}

/* devemu: ask the console to give the UART to console n (0 the shell). */
static inline void conchan_focus_post(struct conchan *c, unsigned n)
{
	conring_store(&c->focus_n, n);
	conring_store(&c->focus_req, __atomic_load_n(&c->focus_req, __ATOMIC_RELAXED) + 1);
}

/* --- guests coming and going: the console's side ------------------------- */

#define CONGUEST_LEFT 1u /* the guest the console knew is gone */
#define CONGUEST_CAME 2u /* a guest it did not know is there */

/*
 * console: what changed in slot g since it last looked. *seen is the gen
 * it knows (0 at first, odd while it shows a guest). On CONGUEST_CAME the
 * new guest's name is in name[CONCHAN_NAME], and the rings are set up for
 * it: old output skipped, input from here on its own, in_dropped zeroed.
 * Both can come at once (a guest replaced between two looks). A slot that
 * changes during the look is taken as empty; devemu signals the console
 * after every change, so the next look finds the guest.
 */
static inline unsigned conguest_sync(struct conguest *g, uint32_t *seen, char *name)
{
	uint32_t gen = conring_load(&g->gen);
	if (gen == *seen)
		return 0;
	unsigned events = *seen & 1 ? CONGUEST_LEFT : 0;
	*seen = gen;
	if (!(gen & 1))
		return events;
	for (unsigned i = 0; i < CONCHAN_NAME; i++)
		name[i] = __atomic_load_n(&g->name[i], __ATOMIC_RELAXED);
	name[CONCHAN_NAME - 1] = '\0';
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (conring_load(&g->gen) != gen) {
		*seen = 0; /* torn name: look again */
		return events;
	}
	conring_skip_to(&g->out, conring_load(&g->out_start));
	conring_store(&g->in_dropped, 0);
	conring_store(&g->in_start, __atomic_load_n(&g->in.head, __ATOMIC_RELAXED));
	conring_store(&g->gen_ack, gen);
	return events | CONGUEST_CAME;
}

/* console: output of guest `gen` (the gen it knows), up to n bytes. After
 * that guest's detach, what it wrote before it went is still read; once
 * another guest is attached, nothing is (conguest_sync skips the rest). */
static inline uint32_t conguest_read_out(struct conguest *g, uint32_t gen, uint8_t *dst, uint32_t n)
{
	uint32_t head = conring_load(&g->out.head);
	/* devemu writes nothing while the slot is empty, and a new guest's
	 * first byte follows its gen: a head loaded before gen moved past
	 * gen + 1 holds only bytes of guest `gen`. */
	if (conring_load(&g->gen) - gen > 1)
		return 0;
	return conring_read_to(&g->out, g->out_data, CONCHAN_OUT_SIZE, dst, n, head);
}

/* console: a focus request not yet taken, into *n. */
static inline bool conchan_focus_take(struct conchan *c, unsigned *n)
{
	uint32_t req = conring_load(&c->focus_req);
	if (req == __atomic_load_n(&c->focus_ack, __ATOMIC_RELAXED))
		return false;
	*n = conring_load(&c->focus_n);
	conring_store(&c->focus_ack, req);
	return true;
}

#endif
