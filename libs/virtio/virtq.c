/* SPDX-License-Identifier: MIT */
/* The device side of a split virtqueue (see virtio/virtq.h). Pure: no system calls. */
#include "virtio/virtq.h"

#include <string.h>

/* Offsets inside the rings. */
#define AVAIL_FLAGS 0
#define AVAIL_IDX   2
#define AVAIL_RING  4
#define USED_IDX    2
#define USED_RING   4

/* One descriptor as copied out of guest memory. */
struct vdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* Where a chain is being read from: the queue's table or an indirect one. */
struct table {
	const uint8_t *base;
	uint32_t n; /* descriptors in it */
	bool indirect;
};

void virtq_reset(struct virtq *q)
{
	memset(q, 0, sizeof(*q));
}

/* A ring size the 16-bit free-running indices can wrap with: a power of two. */
static bool size_ok(const struct virtq *q)
{
	return q->num && q->num <= 32768 && !(q->num & (q->num - 1));
}

/* A ring inside guest memory with the alignment the specification requires
 * (2.7: desc 16, avail 2, used 4), which also keeps the index fields we load
 * and store atomically aligned for the host. */
static uint8_t *ring(const struct guest_mem *m, uint64_t gpa, uint64_t len, unsigned align)
{
	uint8_t *p = guest_ptr(m, gpa, len);
	if (!p || ((gpa | (uintptr_t)p) & (align - 1)))
		return NULL;
	return p;
}

static uint8_t *avail_ring(const struct virtq *q, const struct guest_mem *m)
{
	return ring(m, q->avail, VIRTQ_AVAIL_BYTES(q->num), 2);
}

static uint8_t *used_ring(const struct virtq *q, const struct guest_mem *m)
{
	return ring(m, q->used, VIRTQ_USED_BYTES(q->num), 4);
}

/* Index fields change under us: each is read once, as a whole. */
static uint16_t idx_load(const uint8_t *p)
{
	uint16_t v = __atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_ACQUIRE);
	return VIRTIO_LE16(v);
}

static void idx_store(void *p, uint16_t v)
{
	uint16_t *idx = p;
	__atomic_store_n(idx, VIRTIO_LE16(v), __ATOMIC_RELEASE);
}

static struct vdesc desc_load(const struct table *t, uint32_t i)
{
	const uint8_t *p = t->base + (size_t)i * VIRTQ_DESC_SIZE;
	struct vdesc d = {
	        .addr = le64_load(p),
	        .len = le32_load(p + 8),
	        .flags = le16_load(p + 12),
	        .next = le16_load(p + 14),
	};
	return d;
}

/* Append one buffer; refuses a buffer outside memory, a readable one after
 * a writable one (2.7.4.2), one too many, and totals past 32 bits. */
static int add_seg(struct virtq_chain *c, const struct guest_mem *m, const struct vdesc *d)
{
	bool write = d->flags & VIRTQ_DESC_F_WRITE;
	uint8_t *p = guest_ptr(m, d->addr, d->len);
	if (!p || c->nseg == VIRTQ_MAX_SEGS || (!write && c->in_len))
		return -1;
	uint32_t *total = write ? &c->in_len : &c->out_len;
	if (d->len > UINT32_MAX - *total)
		return -1;
	*total += d->len;
	c->seg[c->nseg++] = (struct virtq_seg){.p = p, .len = d->len, .write = write};
	return 0;
}

/* Switch the walk to the indirect table `d` describes (2.7.5.3): only with
 * the feature, never from inside one, never combined with NEXT, and the
 * table a non-empty whole number of descriptors inside memory. */
static int enter_indirect(const struct virtq *q, const struct guest_mem *m, const struct vdesc *d,
                          struct table *t)
{
	if (!q->indirect || t->indirect || (d->flags & VIRTQ_DESC_F_NEXT))
		return -1;
	if (!d->len || d->len % VIRTQ_DESC_SIZE)
		return -1;
	const uint8_t *base = guest_ptr(m, d->addr, d->len);
	if (!base)
		return -1;
	*t = (struct table){.base = base, .n = d->len / VIRTQ_DESC_SIZE, .indirect = true};
	return 0;
}

/* Follow the chain from `head`. A table of n descriptors cannot hold a
 * chain longer than n without a loop, so visiting more is one. */
static int walk_chain(const struct virtq *q, const struct guest_mem *m, const uint8_t *desc,
                      uint16_t head, struct virtq_chain *c)
{
	struct table t = {.base = desc, .n = q->num, .indirect = false};
	uint32_t i = head, visited = 0;
	if (head >= q->num)
		return -1;
	for (;;) {
		if (++visited > t.n)
			return -1;
		struct vdesc d = desc_load(&t, i);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (enter_indirect(q, m, &d, &t))
				return -1;
			i = 0;
			visited = 0;
			continue;
		}
		if (add_seg(c, m, &d))
			return -1;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= t.n)
			return -1;
		i = d.next;
	}
}

int virtq_pop(struct virtq *q, const struct guest_mem *m, struct virtq_chain *c)
{
	if (!q->ready)
		return 0;
	if (!size_ok(q))
		return -1;
	const uint8_t *desc = ring(m, q->desc, VIRTQ_DESC_BYTES(q->num), 16);
	const uint8_t *avail = avail_ring(q, m);
	/* The used ring too: a chain taken is work done (a disk write) that
	 * must be handed back, so a ring it cannot go to fails before. */
	if (!desc || !avail || !used_ring(q, m))
		return -1;
	/* Acquire: the ring entry and descriptors below were written before idx. */
	uint16_t pending = (uint16_t)(idx_load(avail + AVAIL_IDX) - q->last_avail);
	if (pending > q->num)
		return -1;
	if (!pending)
		return 0;
	uint16_t head = le16_load(avail + AVAIL_RING + 2 * (size_t)(q->last_avail % q->num));
	c->head = head;
	c->nseg = 0;
	c->out_len = c->in_len = 0;
	if (walk_chain(q, m, desc, head, c))
		return -1;
	q->last_avail++;
	return 1;
}

int virtq_push(struct virtq *q, const struct guest_mem *m, uint16_t head, uint32_t len)
{
	if (!q->ready || !size_ok(q) || head >= q->num)
		return -1;
	uint8_t *used = used_ring(q, m);
	if (!used)
		return -1;
	uint8_t *elem = used + USED_RING + VIRTQ_USED_ELEM * (size_t)(q->used_idx % q->num);
	le32_store(elem, head);
	le32_store(elem + 4, len);
	/* Release: the element is visible before the index that hands it over. */
	q->used_idx++;
	idx_store(used + USED_IDX, q->used_idx);
	return 0;
}

/* 2.7.10: interrupt when used.idx moved past used_event since the last one. */
static bool passed_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

bool virtq_need_irq(struct virtq *q, const struct guest_mem *m)
{
	/* Our used.idx store must be visible before we read the driver's
	 * wishes, or both sides may decide the other will act. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint16_t old_idx = q->signalled_used;
	bool valid = q->signalled_valid;
	q->signalled_used = q->used_idx;
	q->signalled_valid = true;
	if (valid && old_idx == q->used_idx)
		return false;
	const uint8_t *avail = size_ok(q) ? avail_ring(q, m) : NULL;
	if (!avail)
		return true; /* the next pop fails the device anyway */
	if (!q->event_idx)
		return !(idx_load(avail + AVAIL_FLAGS) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	if (!valid)
		return true;
	uint16_t event = idx_load(avail + AVAIL_RING + 2 * (size_t)q->num);
	return passed_event(event, q->used_idx, old_idx);
}

void virtq_enable_notify(struct virtq *q, const struct guest_mem *m)
{
	if (!q->event_idx || !size_ok(q))
		return;
	uint8_t *used = used_ring(q, m);
	if (!used)
		return;
	idx_store(used + USED_RING + VIRTQ_USED_ELEM * (size_t)q->num, q->last_avail);
	/* Published before the caller looks at avail.idx again. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Bytes of segment s usable after skipping what is left of `*off`. */
static size_t seg_span(const struct virtq_seg *s, size_t *off)
{
	if (*off >= s->len) {
		*off -= s->len;
		return 0;
	}
	return s->len - *off;
}

size_t virtq_chain_read(const struct virtq_chain *c, size_t off, void *dst, size_t len)
{
	uint8_t *out = dst;
	size_t done = 0;
	for (unsigned i = 0; i < c->nseg && i < VIRTQ_MAX_SEGS && done < len; i++) {
		const struct virtq_seg *s = &c->seg[i];
		if (s->write)
			continue;
		size_t n = seg_span(s, &off);
		if (!n)
			continue;
		n = n < len - done ? n : len - done;
		memcpy(out + done, s->p + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t virtq_chain_write(const struct virtq_chain *c, size_t off, const void *src, size_t len)
{
	const uint8_t *in = src;
	size_t done = 0;
	for (unsigned i = 0; i < c->nseg && i < VIRTQ_MAX_SEGS && done < len; i++) {
		const struct virtq_seg *s = &c->seg[i];
		if (!s->write)
			continue;
		size_t n = seg_span(s, &off);
		if (!n)
			continue;
		n = n < len - done ? n : len - done;
		memcpy(s->p + off, in + done, n);
		done += n;
		off = 0;
	}
	return done;
}
