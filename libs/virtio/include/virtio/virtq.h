/* SPDX-License-Identifier: MIT */
/*
 * The device side of a split virtqueue (virtio 1.2, section 2.7): take
 * descriptor chains the driver made available, hand them back on the used
 * ring, and decide when the driver wants an interrupt.
 *
 * The three rings live in guest memory and the driver keeps writing them
 * from another CPU while the device reads, so nothing read from them is
 * trusted twice: each descriptor is copied out once and checked, every
 * buffer becomes a host pointer only through guest_ptr(), and a chain that
 * breaks a rule of the specification (a loop, an index or address out of
 * range, a readable buffer after a writable one, more than VIRTQ_MAX_SEGS
 * buffers, a nested or misshapen indirect table) makes virtq_pop() return
 * -1, after which the transport stops the device until the driver resets
 * it. The queue never touches memory outside the window.
 */
#ifndef VIRTIO_VIRTQ_H
#define VIRTIO_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio/guestmem.h"

#define VIRTQ_MAX_SIZE 256 /* the QueueNumMax a device offers */
#define VIRTQ_MAX_SEGS 64  /* longest chain accepted, indirect buffers included */

/* Descriptor flags. */
#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4

/* avail.flags: the driver needs no used-buffer interrupt (without EVENT_IDX). */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

/* Ring layout: a descriptor is {le64 addr, le32 len, le16 flags, le16 next};
 * avail is {le16 flags, le16 idx, le16 ring[num], le16 used_event};
 * used is {le16 flags, le16 idx, {le32 id, le32 len} ring[num], le16 avail_event}. */
#define VIRTQ_DESC_SIZE        16
#define VIRTQ_USED_ELEM        8
#define VIRTQ_DESC_BYTES(num)  ((uint64_t)(num)*VIRTQ_DESC_SIZE)
#define VIRTQ_AVAIL_BYTES(num) (6 + 2 * (uint64_t)(num))
#define VIRTQ_USED_BYTES(num)  (6 + VIRTQ_USED_ELEM * (uint64_t)(num))

/* Feature bits that change how the rings are used. */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29

/* One buffer of a chain: `len` bytes at host pointer `p`, already checked
 * to lie inside guest memory; `write`: the device may write it. */
struct virtq_seg {
	uint8_t *p;
	uint32_t len;
	bool write;
};

/* A popped chain: its head (to give back to virtq_push), its buffers in
 * order (all readable ones before all writable ones), and the byte counts
 * of each direction. */
struct virtq_chain {
	uint16_t head;
	uint16_t nseg;
	uint32_t out_len; /* driver -> device bytes */
	uint32_t in_len;  /* device-writable bytes */
	struct virtq_seg seg[VIRTQ_MAX_SEGS];
};

struct virtq {
	uint16_t num; /* ring size: a power of two */
	bool ready;
	uint64_t desc, avail, used; /* guest-physical addresses of the rings */
	uint16_t last_avail;        /* next avail ring entry to take */
	uint16_t used_idx;          /* used.idx as last published */
	bool event_idx;             /* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;              /* VIRTIO_F_INDIRECT_DESC negotiated */
	uint16_t signalled_used;    /* used_idx when virtq_need_irq last ran */
	bool signalled_valid;       /* ... and whether it ran since ready */
};

/* Not ready, no rings, indices at 0. */
void virtq_reset(struct virtq *q);

/* Take the next available chain into *c: 1 if one was taken, 0 if none is
 * available (or the queue is not ready), -1 if the queue is malformed (rings
 * outside memory or misaligned, avail.idx more than num ahead, a bad chain).
 * After -1 nothing was taken. */
int virtq_pop(struct virtq *q, const struct guest_mem *m, struct virtq_chain *c);

/* Give chain `head` back with `len` bytes written into it: 0, or -1 if the
 * used ring is not in memory (or head is not a descriptor index). */
int virtq_push(struct virtq *q, const struct guest_mem *m, uint16_t head, uint32_t len);

/* After a batch of pushes: does the driver want a used-buffer interrupt?
 * With EVENT_IDX, yes when used.idx passed the driver's used_event (and
 * always the first time after the queue became ready); without, unless
 * avail.flags has NO_INTERRUPT. No when nothing was pushed since the last
 * call. Remembers what it answered for. */
bool virtq_need_irq(struct virtq *q, const struct guest_mem *m);

/* With EVENT_IDX: publish avail_event = last_avail, so the driver notifies
 * again for the next buffer it adds. A buffer may have been added just
 * before, unseen by the driver's check: pop again after calling this
 * before going idle. Without EVENT_IDX notifications are never suppressed
 * and this does nothing. */
void virtq_enable_notify(struct virtq *q, const struct guest_mem *m);

/* Copy between a flat buffer and a chain: read gathers from the readable
 * buffers taken as one stream, write scatters into the writable ones, both
 * starting `off` bytes into that stream. Return the bytes copied, fewer
 * than `len` where the stream ends. */
size_t virtq_chain_read(const struct virtq_chain *c, size_t off, void *dst, size_t len);
size_t virtq_chain_write(const struct virtq_chain *c, size_t off, const void *src, size_t len);

#endif
