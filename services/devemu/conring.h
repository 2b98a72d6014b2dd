/* SPDX-License-Identifier: MIT */
/*
 * The console channel between devemu and the console service: one shared
 * frame ("shm:conguest:32" on both) holding, per guest, a ring of the
 * guest's UART output (devemu -> console) and a ring of its input
 * (console -> devemu).
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
 * Pure header: compiled into both services and the host unit test.
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
	/* Written by devemu before `present` is set to 1. */
	char name[CONCHAN_NAME];
	uint32_t present;
	/* devemu bumps kick_req when a guest's TX FIFO is waiting for room in
	 * `out`; the console, having made room, copies it to kick_ack and
	 * wakes devemu (a SEND with badge 0 on devemu's endpoint). */
	uint32_t kick_req, kick_ack;
	uint32_t in_dropped; /* console: input lost to a full `in` ring */
	struct conring out;
	uint8_t out_data[CONCHAN_OUT_SIZE];
	struct conring in;
	uint8_t in_data[CONCHAN_IN_SIZE];
};

struct conchan {
	struct conguest guest[CONCHAN_GUESTS]; /* guest[badge - 1] */
};

static inline uint32_t conring_load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

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

/* Consumer: copies up to n bytes out, returns how many. */
static inline uint32_t conring_read(struct conring *r, const uint8_t *data, uint32_t size,
                                    uint8_t *dst, uint32_t n)
{
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	uint32_t avail = conring_load(&r->head) - tail;
	if (n > avail)
		n = avail;
	for (uint32_t i = 0; i < n; i++)
		dst[i] = data[(tail + i) & (size - 1)];
	if (n)
		conring_store(&r->tail, tail + n);
	return n;
}

#endif
