/* SPDX-License-Identifier: MIT */
/* The virtio-blk driver over virtio-mmio 2 (see vdisk.h). Pure: no system calls. */
#include "vdisk.h"

#include <keel/why.h>
#include <string.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "virtio 1 structures are little-endian and are stored natively here");

/* virtio-mmio registers (virtio 1.2, 4.2.2). */
#define MMIO_MAGIC             0x000
#define MMIO_VERSION           0x004
#define MMIO_DEVICE_ID         0x008
#define MMIO_DEVICE_FEATURES   0x010
#define MMIO_DEVICE_FEAT_SEL   0x014
#define MMIO_DRIVER_FEATURES   0x020
#define MMIO_DRIVER_FEAT_SEL   0x024
#define MMIO_QUEUE_SEL         0x030
#define MMIO_QUEUE_NUM_MAX     0x034
#define MMIO_QUEUE_NUM         0x038
#define MMIO_QUEUE_READY       0x044
#define MMIO_QUEUE_NOTIFY      0x050
#define MMIO_INTERRUPT_STATUS  0x060
#define MMIO_INTERRUPT_ACK     0x064
#define MMIO_STATUS            0x070
#define MMIO_QUEUE_DESC        0x080 /* low word, high word at +4 */
#define MMIO_QUEUE_DRIVER      0x090
#define MMIO_QUEUE_DEVICE      0x0a0
#define MMIO_CONFIG_GENERATION 0x0fc
#define MMIO_CONFIG            0x100

#define MMIO_MAGIC_VALUE  0x74726976 /* "virt" */
#define VIRTIO_ID_BLOCK   2
#define INT_USED_BUFFER   1u
#define INT_CONFIG_CHANGE 2u

#define STATUS_ACKNOWLEDGE 1u
#define STATUS_DRIVER      2u
#define STATUS_DRIVER_OK   4u
#define STATUS_FEATURES_OK 8u
#define STATUS_FAILED      128u

#define VIRTIO_BLK_F_SEG_MAX  (1ull << 2)
#define VIRTIO_BLK_F_BLK_SIZE (1ull << 6)
#define VIRTIO_BLK_F_FLUSH    (1ull << 9)
#define VIRTIO_F_VERSION_1    (1ull << 32)
#define FEATURES_WANTED                                                                            \
	(VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_SEG_MAX)

/* virtio-blk configuration fields (5.2.4). */
#define CFG_CAPACITY 0x00
#define CFG_SEG_MAX  0x0c
#define CFG_BLK_SIZE 0x14

#define VIRTQ_DESC_F_NEXT      1
#define VIRTQ_DESC_F_WRITE     2
#define VIRTQ_USED_F_NO_NOTIFY 1

struct vdisk_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* Both rings end with an event-index word the driver does not use. */
struct vdisk_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct vdisk_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vdisk_used {
	uint16_t flags;
	uint16_t idx;
	struct vdisk_used_elem ring[];
};

struct vdisk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/*
 * The DMA area for a queue of n: descriptors (16-byte aligned), available
 * ring (2), used ring (4), then the headers and status bytes by head. The
 * used ring and the headers start on their own 64-byte lines so that what
 * the device writes does not share a cache line with what the driver does.
 */
#define ALIGN64(x)    (((x) + 63) & ~(size_t)63)
#define AVAIL_OFF(n)  (sizeof(struct vdisk_desc) * (size_t)(n))
#define USED_OFF(n)   ALIGN64(AVAIL_OFF(n) + 6 + 2 * (size_t)(n))
#define HDR_OFF(n)    ALIGN64(USED_OFF(n) + 6 + sizeof(struct vdisk_used_elem) * (size_t)(n))
#define STATUS_OFF(n) (HDR_OFF(n) + sizeof(struct vdisk_hdr) * (size_t)(n))
#define DMA_NEED(n)   (STATUS_OFF(n) + (size_t)(n))
_Static_assert(DMA_NEED(VDISK_QUEUE_MAX) <= VDISK_DMA_SIZE, "VDISK_DMA_SIZE is too small");
_Static_assert(sizeof(struct vdisk_desc) == 16 && sizeof(struct vdisk_hdr) == 16, "virtio layouts");

#ifndef VDISK_MMIO_HOOKS
#define vdisk_mmio_reading(regs, off) ((void)0)
#define vdisk_mmio_wrote(regs, off)   ((void)0)
#endif

static uint32_t rd(const struct vdisk *d, uint32_t off)
{
	vdisk_mmio_reading(d->regs, off);
	return d->regs[off / 4];
}

static void wr(const struct vdisk *d, uint32_t off, uint32_t v)
{
	d->regs[off / 4] = v;
	vdisk_mmio_wrote(d->regs, off);
}

static void wr64(const struct vdisk *d, uint32_t off, uint64_t v)
{
	wr(d, off, (uint32_t)v);
	wr(d, off + 4, (uint32_t)(v >> 32));
}

static int probe(const struct vdisk *d, char *why, size_t why_size)
{
	uint32_t magic = rd(d, MMIO_MAGIC);
	if (magic != MMIO_MAGIC_VALUE)
		return keel_why(why, why_size, "not a virtio-mmio device (magic 0x%08x)", magic);
	uint32_t version = rd(d, MMIO_VERSION);
	if (version == 1)
		return keel_why(why, why_size,
		                "legacy virtio-mmio (version 1); run QEMU with "
		                "-global virtio-mmio.force-legacy=false");
	if (version != 2)
		return keel_why(why, why_size, "unknown virtio-mmio version %u", version);
	uint32_t id = rd(d, MMIO_DEVICE_ID);
	if (id == 0)
		return keel_why(why, why_size, "no device in this virtio-mmio slot");
	if (id != VIRTIO_ID_BLOCK)
		return keel_why(why, why_size, "virtio device %u is not a block device", id);
	return 0;
}

/* The spec wants the reset seen done (status reads 0) before going on. */
static int reset(const struct vdisk *d, char *why, size_t why_size)
{
	wr(d, MMIO_STATUS, 0);
	for (unsigned i = 0; i < 1000000; i++) {
		if (!rd(d, MMIO_STATUS))
			return 0;
	}
	return keel_why(why, why_size, "the device does not finish its reset");
}

static uint64_t device_features(const struct vdisk *d)
{
	wr(d, MMIO_DEVICE_FEAT_SEL, 1);
	uint64_t hi = rd(d, MMIO_DEVICE_FEATURES);
	wr(d, MMIO_DEVICE_FEAT_SEL, 0);
	return hi << 32 | rd(d, MMIO_DEVICE_FEATURES);
}

static int negotiate(struct vdisk *d, char *why, size_t why_size)
{
	uint64_t offered = device_features(d);
	if (!(offered & VIRTIO_F_VERSION_1))
		return keel_why(why, why_size, "the device does not offer VIRTIO_F_VERSION_1");
	d->features = offered & FEATURES_WANTED;
	wr(d, MMIO_DRIVER_FEAT_SEL, 0);
	wr(d, MMIO_DRIVER_FEATURES, (uint32_t)d->features);
	wr(d, MMIO_DRIVER_FEAT_SEL, 1);
	wr(d, MMIO_DRIVER_FEATURES, (uint32_t)(d->features >> 32));
	wr(d, MMIO_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
	/* The device clears FEATURES_OK if it cannot live with our subset. */
	if (!(rd(d, MMIO_STATUS) & STATUS_FEATURES_OK))
		return keel_why(why, why_size, "the device refused features 0x%llx",
		                (unsigned long long)d->features);
	return 0;
}

/* The largest power of two the device allows, at most VDISK_QUEUE_MAX:
 * ring positions are free-running 16-bit indices taken modulo the size,
 * which stays consistent across their wrap only for a power of two. */
static unsigned queue_size(uint32_t max)
{
	unsigned n = VDISK_QUEUE_MAX;
	while (n > max)
		n /= 2;
	return n;
}

static void lay_out(struct vdisk *d, uint8_t *dma, uint64_t dma_phys, unsigned n)
{
	memset(dma, 0, DMA_NEED(n));
	d->dma = dma;
	d->dma_phys = dma_phys;
	d->desc = (struct vdisk_desc *)dma;
	d->avail = (struct vdisk_avail *)(dma + AVAIL_OFF(n));
	d->used = (struct vdisk_used *)(dma + USED_OFF(n));
	d->hdr = (struct vdisk_hdr *)(dma + HDR_OFF(n));
	d->status = dma + STATUS_OFF(n);
	d->avail->flags = 0; /* interrupts wanted: no VIRTQ_AVAIL_F_NO_INTERRUPT */
	d->qsize = (uint16_t)n;
	d->nfree = (uint16_t)n;
	d->free_head = 0;
	for (unsigned i = 0; i < n; i++)
		d->link[i] = (uint16_t)((i + 1) % n);
}

static uint64_t phys_of(const struct vdisk *d, const void *p)
{
	return d->dma_phys + (uint64_t)((const uint8_t *)p - d->dma);
}

static int setup_queue(struct vdisk *d, void *dma, uint64_t dma_phys, size_t dma_size, char *why,
                       size_t why_size)
{
	wr(d, MMIO_QUEUE_SEL, 0);
	if (rd(d, MMIO_QUEUE_READY))
		return keel_why(why, why_size, "queue 0 is still live after the reset");
	uint32_t max = rd(d, MMIO_QUEUE_NUM_MAX);
	unsigned n = queue_size(max);
	if (n < 4)
		return keel_why(why, why_size, "queue 0 has %u descriptors, 4 at least are needed",
		                max);
	if (dma_size < DMA_NEED(n))
		return keel_why(why, why_size, "DMA area of %zu bytes, a queue of %u needs %zu",
		                dma_size, n, DMA_NEED(n));
	lay_out(d, dma, dma_phys, n);
	wr(d, MMIO_QUEUE_NUM, n);
	wr64(d, MMIO_QUEUE_DESC, phys_of(d, d->desc));
	wr64(d, MMIO_QUEUE_DRIVER, phys_of(d, d->avail));
	wr64(d, MMIO_QUEUE_DEVICE, phys_of(d, d->used));
	/* The zeroed rings must be visible before the device may look at them. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr(d, MMIO_QUEUE_READY, 1);
	return 0;
}

static bool has(const struct vdisk *d, uint64_t feature)
{
	return (d->features & feature) != 0;
}

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/* The configuration can change under us (a resize): the generation
 * counter tells whether these reads saw one consistent version. */
static int read_config(struct vdisk *d, char *why, size_t why_size)
{
	for (unsigned tries = 0; tries < 16; tries++) {
		uint32_t gen = rd(d, MMIO_CONFIG_GENERATION);
		uint64_t cap = rd(d, MMIO_CONFIG + CFG_CAPACITY);
		cap |= (uint64_t)rd(d, MMIO_CONFIG + CFG_CAPACITY + 4) << 32;
		uint32_t seg_max =
		        has(d, VIRTIO_BLK_F_SEG_MAX) ? rd(d, MMIO_CONFIG + CFG_SEG_MAX) : 0;
		uint32_t blk =
		        has(d, VIRTIO_BLK_F_BLK_SIZE) ? rd(d, MMIO_CONFIG + CFG_BLK_SIZE) : 0;
		if (rd(d, MMIO_CONFIG_GENERATION) != gen)
			continue;
		d->capacity = cap;
		d->blk_size = blk ? blk : VDISK_SECTOR;
		d->max_segs = min_u(VDISK_MAX_SEGS, d->qsize - 2u);
		if (seg_max)
			d->max_segs = min_u(d->max_segs, seg_max);
		return 0;
	}
	return keel_why(why, why_size, "the configuration kept changing while read");
}

static int start(struct vdisk *d, void *dma, uint64_t dma_phys, size_t dma_size, char *why,
                 size_t why_size)
{
	wr(d, MMIO_STATUS, STATUS_ACKNOWLEDGE);
	wr(d, MMIO_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
	if (negotiate(d, why, why_size) < 0 ||
	    setup_queue(d, dma, dma_phys, dma_size, why, why_size) < 0 ||
	    read_config(d, why, why_size) < 0)
		return -1;
	wr(d, MMIO_STATUS,
	   STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
	return 0;
}

int vdisk_init(struct vdisk *d, volatile uint32_t *regs, void *dma, uint64_t dma_phys,
               size_t dma_size, char *why, size_t why_size)
{
	memset(d, 0, sizeof(*d));
	d->regs = regs;
	if ((uintptr_t)dma % 16 || dma_phys % 16)
		return keel_why(why, why_size, "DMA area not 16-byte aligned");
	if (probe(d, why, why_size) < 0 || reset(d, why, why_size) < 0)
		return -1;
	if (start(d, dma, dma_phys, dma_size, why, why_size) < 0) {
		/* Tell the device we gave up on it. */
		wr(d, MMIO_STATUS, rd(d, MMIO_STATUS) | STATUS_FAILED);
		return -1;
	}
	return 0;
}

static bool segs_ok(const struct vdisk *d, const struct vdisk_req *r)
{
	if (r->nseg == 0 || r->nseg > d->max_segs)
		return false;
	uint64_t bytes = 0;
	for (unsigned i = 0; i < r->nseg; i++) {
		const struct vdisk_seg *s = &r->seg[i];
		if (!s->len || s->phys + s->len < s->phys)
			return false;
		bytes += s->len;
	}
	if (bytes % VDISK_SECTOR)
		return false;
	return r->sector <= d->capacity && bytes / VDISK_SECTOR <= d->capacity - r->sector;
}

static bool req_ok(const struct vdisk *d, const struct vdisk_req *r)
{
	switch (r->type) {
	case VBLK_T_IN:
	case VBLK_T_OUT: return segs_ok(d, r);
	case VBLK_T_FLUSH: return vdisk_has_flush(d) && r->nseg == 0;
	default: return false;
	}
}

/* Free descriptors are taken from the front of the free list: a chain's
 * order is the list's, so `link` serves both. */
static uint16_t chain_take(struct vdisk *d, unsigned n)
{
	uint16_t head = d->free_head, tail = head;
	for (unsigned i = 1; i < n; i++)
		tail = d->link[tail];
	d->free_head = d->link[tail];
	d->nfree = (uint16_t)(d->nfree - n);
	d->ndesc[head] = (uint8_t)n;
	return head;
}

static void chain_give(struct vdisk *d, uint16_t head)
{
	uint16_t tail = head;
	for (unsigned i = 1; i < d->ndesc[head]; i++)
		tail = d->link[tail];
	d->link[tail] = d->free_head;
	d->free_head = head;
	d->nfree = (uint16_t)(d->nfree + d->ndesc[head]);
	d->ndesc[head] = 0;
}

/* Fills descriptor i and returns the next one of the chain. */
static uint16_t put_desc(struct vdisk *d, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags)
{
	struct vdisk_desc *x = &d->desc[i];
	x->addr = addr;
	x->len = len;
	x->flags = flags;
	x->next = (flags & VIRTQ_DESC_F_NEXT) ? d->link[i] : 0;
	return d->link[i];
}

static void fill_chain(struct vdisk *d, uint16_t head, const struct vdisk_req *r)
{
	struct vdisk_hdr *h = &d->hdr[head];
	h->type = r->type;
	h->reserved = 0;
	h->sector = r->type == VBLK_T_FLUSH ? 0 : r->sector;
	d->status[head] = 0xff; /* what the caller sees if the device never writes it */

	uint16_t data = r->type == VBLK_T_IN ? VIRTQ_DESC_F_WRITE : 0;
	uint16_t i = put_desc(d, head, phys_of(d, h), sizeof(*h), VIRTQ_DESC_F_NEXT);
	for (unsigned s = 0; s < r->nseg; s++)
		i = put_desc(d, i, r->seg[s].phys, r->seg[s].len, VIRTQ_DESC_F_NEXT | data);
	put_desc(d, i, phys_of(d, &d->status[head]), 1, VIRTQ_DESC_F_WRITE);
}

/* Publishing: the chain and its ring slot before the index that hands
 * them over, the index before the notification (or before looking at
 * whether one is wanted). The device is another agent: full barriers. */
static void publish(struct vdisk *d, uint16_t head)
{
	d->avail->ring[d->avail_idx & (d->qsize - 1)] = head;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	d->avail_idx++;
	__atomic_store_n(&d->avail->idx, d->avail_idx, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&d->used->flags, __ATOMIC_RELAXED) & VIRTQ_USED_F_NO_NOTIFY))
		wr(d, MMIO_QUEUE_NOTIFY, 0);
}

int vdisk_submit(struct vdisk *d, const struct vdisk_req *r)
{
	if (!req_ok(d, r))
		return -1;
	unsigned need = r->nseg + 2; /* header, data, status */
	if (need > d->nfree)
		return 1;
	uint16_t head = chain_take(d, need);
	d->cookie[head] = r->cookie;
	fill_chain(d, head, r);
	publish(d, head);
	return 0;
}

/* Acking before reaping: a completion posted after the ack raises the
 * interrupt again, so none is left unreaped behind an acked interrupt. */
static void ack_interrupt(struct vdisk *d)
{
	uint32_t isr = rd(d, MMIO_INTERRUPT_STATUS);
	if (!isr)
		return;
	wr(d, MMIO_INTERRUPT_ACK, isr);
	if (isr & INT_CONFIG_CHANGE)
		read_config(d, NULL, 0); /* keeps the old values if it never settles */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

unsigned vdisk_reap(struct vdisk *d, vdisk_done_fn *done, void *ctx)
{
	ack_interrupt(d);
	unsigned n = 0;
	uint16_t used_idx = __atomic_load_n(&d->used->idx, __ATOMIC_ACQUIRE);
	while (d->last_used != used_idx) {
		const struct vdisk_used_elem *e = &d->used->ring[d->last_used & (d->qsize - 1)];
		uint32_t id = __atomic_load_n(&e->id, __ATOMIC_RELAXED);
		d->last_used++;
		if (id >= d->qsize || !d->ndesc[id]) {
			d->bad_used++; /* a device bug: nothing of ours to finish */
			continue;
		}
		uint8_t status = __atomic_load_n(&d->status[id], __ATOMIC_RELAXED);
		uint64_t cookie = d->cookie[id];
		chain_give(d, (uint16_t)id);
		done(ctx, cookie, status);
		n++;
	}
	return n;
}

uint64_t vdisk_capacity(const struct vdisk *d)
{
	return d->capacity;
}

bool vdisk_has_flush(const struct vdisk *d)
{
	return has(d, VIRTIO_BLK_F_FLUSH);
}

uint32_t vdisk_blk_size(const struct vdisk *d)
{
	return d->blk_size;
}

unsigned vdisk_max_segs(const struct vdisk *d)
{
	return d->max_segs;
}

unsigned vdisk_free_descs(const struct vdisk *d)
{
	return d->nfree;
}
