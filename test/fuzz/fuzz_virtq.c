/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: guest memory a hostile driver controls, fed through
 * libs/virtio as devemu would use it. The first SETUP bytes of the input
 * choose a queue (size, features, ring places, starting index), the
 * window's guest-physical base and what to fuzz; the rest is the window's
 * contents, so every ring field, descriptor and request header is the
 * fuzzer's. Each chain the queue gives is read, parsed as a virtio-blk
 * request and as a virtio-net frame, written back and returned.
 *
 * Random bytes seldom make an address inside the window, so on request the
 * harness first folds the descriptors' addresses (and the avail index) into
 * range, leaving lengths, flags and links alone: most chains then get as
 * far as the checks that matter. In transport mode a driver brings the
 * device up through the virtio-mmio registers as Linux does, then the
 * input's register accesses follow, then every queue is notified.
 *
 * The window is a heap block of exactly its size, so AddressSanitizer
 * reports any access the library lets through outside it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/blk.h"
#include "virtio/mmio.h"
#include "virtio/net.h"
#include "virtio/virtq.h"

#define WINDOW   0x10000u
#define SETUP    12 /* input bytes that choose the set-up */
#define MAX_OPS  64 /* transport accesses per input */
#define OP_BYTES 7

/* Bits of the input's second byte (the first two choose the base). */
#define F_EVENT_IDX   0x04
#define F_INDIRECT    0x08
#define F_WILD_USED   0x10 /* the used ring anywhere in the address space */
#define F_TRANSPORT   0x20
#define F_FIX_ADDRS   0x40
#define F_FIX_PENDING 0x80

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t scratch[2 * WINDOW];

struct setup {
	uint8_t flags;
	struct virtq q; /* as the driver sets it up */
	uint64_t capacity;
};

static uint64_t window_base(uint8_t sel)
{
	static const uint64_t bases[4] = {0x40000000, 0, UINT64_MAX - WINDOW + 1, 0x12345678};
	return bases[sel & 3];
}

static struct setup read_setup(const uint8_t *in, const struct guest_mem *m)
{
	struct setup s = {.flags = in[1], .capacity = le16_load(in + 10)};
	struct virtq *q = &s.q;
	virtq_reset(q);
	q->num = (uint16_t)(1u << (in[0] % 10));
	q->event_idx = in[1] & F_EVENT_IDX;
	q->indirect = in[1] & F_INDIRECT;
	q->desc = m->gpa + le16_load(in + 2);
	q->avail = m->gpa + le16_load(in + 4);
	q->used = in[1] & F_WILD_USED ? le64_load(in + 2) : m->gpa + le16_load(in + 6);
	q->last_avail = q->used_idx = le16_load(in + 8);
	q->ready = true;
	return s;
}

/* Fold the addresses of a table's descriptors into the window; follow
 * indirect tables one level. */
static void fix_addresses(uint8_t *table, uint32_t n, const struct guest_mem *m, bool follow)
{
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *d = table + 16 * (size_t)i;
		uint64_t addr = m->gpa + le64_load(d) % WINDOW;
		le64_store(d, addr);
		uint32_t len = le32_load(d + 8);
		uint8_t *sub = guest_ptr(m, addr, len);
		if (follow && (le16_load(d + 12) & VIRTQ_DESC_F_INDIRECT) && sub)
			fix_addresses(sub, len / 16, m, false);
	}
}

static void fix_up(const struct setup *s, const struct guest_mem *m)
{
	const struct virtq *q = &s->q;
	uint8_t *desc = guest_ptr(m, q->desc, VIRTQ_DESC_BYTES(q->num));
	if ((s->flags & F_FIX_ADDRS) && desc)
		fix_addresses(desc, q->num, m, true);
	uint8_t *avail = guest_ptr(m, q->avail, VIRTQ_AVAIL_BYTES(q->num));
	if ((s->flags & F_FIX_PENDING) && avail) {
		uint16_t pending = (uint16_t)(le16_load(avail + 2) % (q->num + 1u));
		le16_store(avail + 2, (uint16_t)(q->last_avail + pending));
	}
}

/* What a device does with a chain: every parser and copy over it. */
static uint32_t serve(const struct virtq_chain *c, uint64_t capacity)
{
	uint32_t written = 0;
	virtq_chain_read(c, 0, scratch, sizeof(scratch));
	virtq_chain_read(c, c->out_len / 2, scratch, 100);
	struct vblk_req r;
	if (!vblk_parse(c, &r)) {
		(void)vblk_in_range(&r, capacity);
		vblk_data_read(c, r.sector & 0xfff, scratch, 4096);
		written += (uint32_t)vblk_data_write(c, r.sector & 0x7ff, scratch, 4096);
		vblk_set_status(&r, (uint8_t)r.type);
		written++;
	}
	uint8_t frame[VNET_MAX_FRAME];
	size_t len = vnet_tx_frame(c, frame, sizeof(frame));
	if (len)
		written += (uint32_t)vnet_rx_frame(c, frame, len);
	written += (uint32_t)vnet_forward(c, c);
	size_t all = c->in_len < sizeof(scratch) ? c->in_len : sizeof(scratch);
	written += (uint32_t)virtq_chain_write(c, 3, scratch, all);
	return written;
}

static void fuzz_queue(struct virtq *q, const struct guest_mem *m, uint64_t capacity)
{
	struct virtq_chain c;
	int r = 0;
	for (unsigned n = 0; n < 2u * q->num + 2 && (r = virtq_pop(q, m, &c)) == 1; n++) {
		virtq_push(q, m, c.head, serve(&c, capacity));
		virtq_need_irq(q, m);
	}
	if (r == 0) {
		virtq_enable_notify(q, m);
		virtq_need_irq(q, m);
	}
}

/* The transport's device: virtio-blk or virtio-net by the MAC's last bit. */
static uint32_t dev_cfg_read(void *ctx, unsigned off, unsigned width)
{
	static const struct vblk_cfg cfg = {
	        .capacity = 2048, .seg_max = VBLK_SEG_MAX, .blk_size = 512};
	const uint8_t *mac = ctx;
	return mac[5] & 1 ? vnet_cfg_read(mac, off, width) : vblk_cfg_read(&cfg, off, width);
}

static void dev_notify(void *ctx, struct vmmio *t, unsigned queue)
{
	(void)ctx;
	struct virtq_chain c;
	for (unsigned n = 0; n < 2 * VIRTQ_MAX_SIZE && vmmio_pop(t, queue, &c) == 1; n++)
		vmmio_push(t, queue, c.head, serve(&c, 2048));
	vmmio_signal(t, queue);
}

static void wr(struct vmmio *t, unsigned off, uint64_t v)
{
	vmmio_write(t, off, 4, v);
}

/* Linux's virtio_mmio probe, for queue 0 with the set-up's rings. */
static void bring_up(struct vmmio *t, const struct virtq *q)
{
	uint64_t features = 1ull << VIRTIO_F_VERSION_1;
	if (q->event_idx)
		features |= 1ull << VIRTIO_F_EVENT_IDX;
	if (q->indirect)
		features |= 1ull << VIRTIO_F_INDIRECT_DESC;
	wr(t, VMMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(t, VMMIO_DRV_FEAT_SEL, 0);
	wr(t, VMMIO_DRV_FEATURES, (uint32_t)features);
	wr(t, VMMIO_DRV_FEAT_SEL, 1);
	wr(t, VMMIO_DRV_FEATURES, (uint32_t)(features >> 32));
	wr(t, VMMIO_STATUS, 0x0b);
	wr(t, VMMIO_QUEUE_SEL, 0);
	wr(t, VMMIO_QUEUE_NUM, q->num);
	wr(t, VMMIO_QUEUE_DESC_LO, (uint32_t)q->desc);
	wr(t, VMMIO_QUEUE_DESC_HI, (uint32_t)(q->desc >> 32));
	wr(t, VMMIO_QUEUE_AVAIL_LO, (uint32_t)q->avail);
	wr(t, VMMIO_QUEUE_AVAIL_HI, (uint32_t)(q->avail >> 32));
	wr(t, VMMIO_QUEUE_USED_LO, (uint32_t)q->used);
	wr(t, VMMIO_QUEUE_USED_HI, (uint32_t)(q->used >> 32));
	wr(t, VMMIO_QUEUE_READY, 1);
	wr(t, VMMIO_STATUS, 0x0f);
}

/* Each access: a byte of width and direction, le16 offset, le32 value. */
static void fuzz_transport(const struct setup *s, const uint8_t *ops, size_t size,
                           const struct guest_mem *m)
{
	static const unsigned widths[4] = {1, 2, 4, 8};
	uint8_t mac[6] = {0x52, 0x54, 0, 0, 0, (uint8_t)size};
	struct vmmio_ops dev = {
	        .device_id = mac[5] & 1 ? VIRTIO_ID_NET : VIRTIO_ID_BLOCK,
	        .features = (1ull << VIRTIO_F_EVENT_IDX) | (1ull << VIRTIO_F_INDIRECT_DESC) |
	                    (1ull << VNET_F_MAC),
	        .nqueues = 3,
	        .queue_max = 128,
	        .cfg_read = dev_cfg_read,
	        .notify = dev_notify,
	};
	struct vmmio t;
	vmmio_init(&t, &dev, mac, *m);
	bring_up(&t, &s->q);
	for (size_t i = 0; i + OP_BYTES <= size; i += OP_BYTES) {
		const uint8_t *op = ops + i;
		unsigned width = widths[op[0] & 3];
		uint64_t off = le16_load(op + 1) & 0x3ff;
		if (op[0] & 4)
			vmmio_read(&t, off, width);
		else
			vmmio_write(&t, off, width, le32_load(op + 3));
		vmmio_irq_level(&t);
	}
	for (unsigned qi = 0; qi < 4; qi++)
		wr(&t, VMMIO_QUEUE_NOTIFY, qi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < SETUP)
		return 0;
	uint8_t *ram = malloc(WINDOW);
	if (!ram)
		return 0;
	size_t body = size - SETUP < WINDOW ? size - SETUP : WINDOW;
	memset(ram, 0, WINDOW);
	memcpy(ram, data + SETUP, body);
	struct guest_mem m = {.host = ram, .gpa = window_base(data[1]), .size = WINDOW};
	struct setup s = read_setup(data, &m);
	fix_up(&s, &m);
	if (s.flags & F_TRANSPORT) {
		/* The accesses come from the input's end. */
		size_t nops = body / OP_BYTES < MAX_OPS ? body / OP_BYTES : MAX_OPS;
		fuzz_transport(&s, data + size - nops * OP_BYTES, nops * OP_BYTES, &m);
	} else {
		fuzz_queue(&s.q, &m, s.capacity);
	}
	free(ram);
	return 0;
}
