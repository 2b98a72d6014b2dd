/* SPDX-License-Identifier: MIT */
/*
 * devemu's virtio-blk driver against a fake virtio-mmio 2 block device:
 * probing and its refusals, feature negotiation, the queue in the DMA
 * area, data in place, backpressure, index wrap, completion order, status
 * pass-through, notification suppression and interrupt acking.
 *
 * The fake follows the spec on its own (its constants and ring layouts are
 * written here from virtio 1.2, not taken from the driver) and finds the
 * rings through the physical addresses the driver programmed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vdisk.h"

/* virtio-mmio registers (4.2.2). */
enum {
	R_MAGIC = 0x000,
	R_VERSION = 0x004,
	R_DEVICE_ID = 0x008,
	R_VENDOR_ID = 0x00c,
	R_DEV_FEAT = 0x010,
	R_DEV_FEAT_SEL = 0x014,
	R_DRV_FEAT = 0x020,
	R_DRV_FEAT_SEL = 0x024,
	R_QUEUE_SEL = 0x030,
	R_QUEUE_NUM_MAX = 0x034,
	R_QUEUE_NUM = 0x038,
	R_QUEUE_READY = 0x044,
	R_QUEUE_NOTIFY = 0x050,
	R_ISR = 0x060,
	R_ISR_ACK = 0x064,
	R_STATUS = 0x070,
	R_DESC_LO = 0x080,
	R_DRIVER_LO = 0x090,
	R_DEVICE_LO = 0x0a0,
	R_CONFIG_GEN = 0x0fc,
	R_CONFIG = 0x100,
	R_SIZE = 0x200,
};

#define S_ACK         1u
#define S_DRIVER      2u
#define S_DRIVER_OK   4u
#define S_FEATURES_OK 8u
#define S_FAILED      128u

#define F_SIZE_MAX  (1ull << 1)
#define F_SEG_MAX   (1ull << 2)
#define F_RO        (1ull << 5)
#define F_BLK_SIZE  (1ull << 6)
#define F_FLUSH     (1ull << 9)
#define F_INDIRECT  (1ull << 28)
#define F_EVENT_IDX (1ull << 29)
#define F_VERSION_1 (1ull << 32)
#define F_RING_PACK (1ull << 34)
#define F_ALL_BLK   (F_VERSION_1 | F_FLUSH | F_BLK_SIZE | F_SEG_MAX)

#define D_NEXT  1
#define D_WRITE 2

struct fdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct fused {
	uint16_t flags, idx;
	struct {
		uint32_t id, len;
	} ring[];
};

/* Physical addresses of the test: the DMA area and guest RAM. */
#define DMA_PHYS   0x40000000ull
#define GUEST_PHYS 0x80000000ull
#define GUEST_SIZE (64 * 1024)
#define SECTORS    64
#define NO_SECTOR  UINT64_MAX

static _Alignas(4096) uint8_t dma[VDISK_DMA_SIZE];
static _Alignas(4096) uint8_t guest[GUEST_SIZE];
static uint8_t disk[SECTORS * 512];

static struct fake {
	uint32_t regs[R_SIZE / 4]; /* what the driver reads and writes */
	uint64_t offered, accepted;
	bool refuse_features; /* clears FEATURES_OK */
	bool stuck_status;    /* a reset never completes */
	bool stuck_ready;     /* queue 0 stays live across a reset */
	uint32_t qmax;
	uint64_t capacity;
	uint32_t seg_max, blk_size;
	uint32_t status_log[16];
	unsigned nstatus;
	uint64_t q_desc, q_driver, q_device;
	uint32_t qnum;
	bool live; /* QueueReady written 1 since the last reset */
	uint16_t last_avail, used_idx;
	unsigned notifies, flushes;
	uint16_t avail_at_notify; /* the available index the last notification found */
	uint64_t ioerr_sector;    /* requests there fail with IOERR */
	bool flush_unsupported;   /* FLUSH gets UNSUPP */
	bool tear_capacity;       /* the capacity changes while the driver reads it */
	uint64_t last_sector;     /* of the last request run */
} dev;

/* --- the fake device ---------------------------------------------------------------------------
 */

static uint32_t *reg(uint32_t off)
{
	return &dev.regs[off / 4];
}

static void set_config(uint64_t capacity)
{
	dev.capacity = capacity;
	*reg(R_CONFIG + 0x00) = (uint32_t)capacity;
	*reg(R_CONFIG + 0x04) = (uint32_t)(capacity >> 32);
	*reg(R_CONFIG + 0x0c) = dev.seg_max;
	*reg(R_CONFIG + 0x14) = dev.blk_size;
	(*reg(R_CONFIG_GEN))++;
}

/* A QEMU-like virtio-blk device with a 64-sector disk. */
static void fake_reset_all(void)
{
	memset(&dev, 0, sizeof(dev));
	memset(dma, 0xa5, sizeof(dma)); /* the driver must zero what it uses */
	memset(guest, 0, sizeof(guest));
	memset(disk, 0, sizeof(disk));
	*reg(R_MAGIC) = 0x74726976;
	*reg(R_VERSION) = 2;
	*reg(R_DEVICE_ID) = 2;
	*reg(R_VENDOR_ID) = 0x554d4551;
	dev.offered = F_ALL_BLK | F_SIZE_MAX | F_RO | F_INDIRECT | F_EVENT_IDX | F_RING_PACK;
	dev.qmax = 256;
	dev.seg_max = 126;
	dev.blk_size = 512;
	dev.ioerr_sector = NO_SECTOR;
	*reg(R_STATUS) = S_ACK | S_DRIVER | S_DRIVER_OK; /* left by someone before */
	set_config(SECTORS);
}

/* Physical to host addresses: the DMA area and guest RAM. */
static void *host(uint64_t phys, size_t len)
{
	if (phys >= DMA_PHYS && phys + len <= DMA_PHYS + sizeof(dma))
		return dma + (phys - DMA_PHYS);
	if (phys >= GUEST_PHYS && phys + len <= GUEST_PHYS + sizeof(guest))
		return guest + (phys - GUEST_PHYS);
	fail_msg("phys 0x%llx+%zu is neither DMA area nor guest RAM", (unsigned long long)phys,
	         len);
	return NULL;
}

static struct fdesc *fdesc(uint16_t i)
{
	assert_true(i < dev.qnum);
	return host(dev.q_desc + 16ull * i, 16);
}

static uint16_t *favail(void)
{
	return host(dev.q_driver, 6 + 2ull * dev.qnum);
}

static struct fused *fused(void)
{
	return host(dev.q_device, 6 + 8ull * dev.qnum);
}

static void device_reset(void)
{
	dev.accepted = 0;
	dev.qnum = 0;
	dev.live = false;
	dev.last_avail = dev.used_idx = 0;
	*reg(R_QUEUE_READY) = dev.stuck_ready;
	*reg(R_ISR) = 0;
	if (dev.stuck_status)
		*reg(R_STATUS) = S_ACK;
}

static void status_written(uint32_t v)
{
	if (dev.nstatus < 16)
		dev.status_log[dev.nstatus++] = v;
	if (!v) {
		device_reset();
		return;
	}
	if ((v & S_FEATURES_OK) && dev.refuse_features)
		*reg(R_STATUS) = v & ~S_FEATURES_OK;
}

static void feature_select(uint32_t sel)
{
	*reg(R_DEV_FEAT) = sel < 2 ? (uint32_t)(dev.offered >> (32 * sel)) : 0;
}

static void driver_features(uint32_t v)
{
	uint32_t sel = *reg(R_DRV_FEAT_SEL);
	assert_true(sel < 2);
	dev.accepted &= ~(0xffffffffull << (32 * sel));
	dev.accepted |= (uint64_t)v << (32 * sel);
}

static uint64_t reg64(uint32_t off)
{
	return *reg(off) | (uint64_t)*reg(off + 4) << 32;
}

/* The queue's registers must not change while it is live. */
static void queue_reg(uint32_t off)
{
	if (dev.live)
		fail_msg("queue register 0x%03x written while the queue is live", off);
}

static void queue_ready(uint32_t v)
{
	queue_reg(R_QUEUE_READY);
	if (v != 1)
		return;
	assert_int_equal(*reg(R_QUEUE_SEL), 0);
	dev.qnum = *reg(R_QUEUE_NUM);
	dev.q_desc = reg64(R_DESC_LO);
	dev.q_driver = reg64(R_DRIVER_LO);
	dev.q_device = reg64(R_DEVICE_LO);
	dev.live = true;
	/* Checked as QEMU does when the queue goes live. */
	assert_true(dev.qnum && dev.qnum <= dev.qmax);
	assert_true(dev.q_desc && dev.q_driver && dev.q_device);
}

void vdisk_mmio_wrote(volatile uint32_t *regs, uint32_t off)
{
	assert_ptr_equal(regs, dev.regs);
	assert_int_equal(off % 4, 0);
	uint32_t v = *reg(off);
	switch (off) {
	case R_STATUS: status_written(v); break;
	case R_DEV_FEAT_SEL: feature_select(v); break;
	case R_DRV_FEAT: driver_features(v); break;
	case R_QUEUE_SEL: *reg(R_QUEUE_NUM_MAX) = v == 0 ? dev.qmax : 0; break;
	case R_QUEUE_READY: queue_ready(v); break;
	case R_QUEUE_NUM:
	case R_DESC_LO:
	case R_DESC_LO + 4:
	case R_DRIVER_LO:
	case R_DRIVER_LO + 4:
	case R_DEVICE_LO:
	case R_DEVICE_LO + 4: queue_reg(off); break;
	case R_QUEUE_NOTIFY:
		assert_int_equal(v, 0);
		dev.notifies++;
		dev.avail_at_notify = favail()[1];
		break;
	case R_ISR_ACK: *reg(R_ISR) &= ~v; break;
	default: break;
	}
}

void vdisk_mmio_reading(volatile uint32_t *regs, uint32_t off)
{
	assert_ptr_equal(regs, dev.regs);
	/* A resize lands between the two halves of the capacity. */
	if (off == R_CONFIG + 4 && dev.tear_capacity) {
		dev.tear_capacity = false;
		set_config(0x100000000ull);
	}
}

/* Moves the data of one IN or OUT segment; returns the bytes written into it. */
static uint32_t transfer(uint32_t type, const struct fdesc *x, uint64_t *pos)
{
	assert_true(x->len > 0);
	assert_true(*pos + x->len <= sizeof(disk));
	uint8_t *buf = host(x->addr, x->len);
	if (type == 0) {
		assert_true(x->flags & D_WRITE);
		memcpy(buf, disk + *pos, x->len);
	} else {
		assert_int_equal(type, 1);
		assert_false(x->flags & D_WRITE);
		memcpy(disk + *pos, buf, x->len);
	}
	*pos += x->len;
	return type == 0 ? x->len : 0;
}

static uint8_t run_status(uint32_t type, uint64_t sector)
{
	if (sector == dev.ioerr_sector)
		return 1;
	if (type == 4 && dev.flush_unsupported)
		return 2;
	return 0;
}

/* Runs the chain at head as QEMU would; returns the used length. */
static uint32_t run_chain(uint16_t head)
{
	const struct fdesc *h = fdesc(head);
	assert_int_equal(h->len, 16);
	assert_int_equal(h->flags & (D_NEXT | D_WRITE), D_NEXT);
	const uint32_t *hw = host(h->addr, 16);
	uint32_t type = hw[0];
	uint64_t sector = hw[2] | (uint64_t)hw[3] << 32;
	assert_int_equal(hw[1], 0);
	dev.last_sector = sector;
	uint8_t status = run_status(type, sector);

	uint64_t pos = sector * 512;
	uint32_t written = 1;
	const struct fdesc *x = fdesc(h->next);
	for (unsigned n = 0; x->flags & D_NEXT; n++) {
		assert_true(n < dev.qnum);
		assert_true(type == 0 || type == 1);
		if (!status)
			written += transfer(type, x, &pos);
		x = fdesc(x->next);
	}
	if (type == 4) {
		assert_int_equal(sector, 0);
		dev.flushes++;
	}
	assert_int_equal(x->len, 1);
	assert_int_equal(x->flags, D_WRITE);
	*(uint8_t *)host(x->addr, 1) = status;
	return written;
}

static void post_used(uint16_t head, uint32_t len)
{
	struct fused *u = fused();
	u->ring[dev.used_idx % dev.qnum].id = head;
	u->ring[dev.used_idx % dev.qnum].len = len;
	u->idx = ++dev.used_idx;
}

/* Runs up to max available requests, completing them in order or in
 * reverse, and raises the interrupt; returns how many ran. */
static unsigned fake_device_process(unsigned max, bool reverse)
{
	uint16_t heads[128];
	uint32_t lens[128];
	unsigned n = 0;
	assert_int_equal(*reg(R_QUEUE_READY), 1);
	uint16_t *avail = favail();
	while (n < max && n < 128 && dev.last_avail != avail[1]) {
		heads[n] = avail[2 + dev.last_avail % dev.qnum];
		dev.last_avail++;
		lens[n] = run_chain(heads[n]);
		n++;
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned k = reverse ? n - 1 - i : i;
		post_used(heads[k], lens[k]);
	}
	if (n)
		*reg(R_ISR) |= 1;
	return n;
}

/* --- driver helpers ------------------------------------------------------------------------------
 */

struct completions {
	unsigned n;
	uint64_t cookie[256];
	uint8_t status[256];
	uint32_t isr_seen; /* InterruptStatus while completions were handed out */
};

static void collect(void *ctx, uint64_t cookie, uint8_t status)
{
	struct completions *c = ctx;
	assert_true(c->n < 256);
	c->cookie[c->n] = cookie;
	c->status[c->n] = status;
	c->isr_seen |= *reg(R_ISR);
	c->n++;
}

static char why[128];

static int init(struct vdisk *d)
{
	why[0] = 0;
	return vdisk_init(d, dev.regs, dma, DMA_PHYS, sizeof(dma), why, sizeof(why));
}

static void init_ok(struct vdisk *d)
{
	int rc = init(d);
	if (rc)
		fail_msg("vdisk_init: %s", why);
}

static void refused(const char *reason)
{
	struct vdisk d;
	assert_int_equal(init(&d), -1);
	if (!strstr(why, reason))
		fail_msg("why = \"%s\", expected \"%s\" in it", why, reason);
}

static struct vdisk_req rw(uint32_t type, uint64_t sector, uint64_t cookie)
{
	struct vdisk_req r = {.type = type, .sector = sector, .cookie = cookie};
	return r;
}

static void add_seg(struct vdisk_req *r, uint32_t guest_off, uint32_t len)
{
	r->seg[r->nseg].phys = GUEST_PHYS + guest_off;
	r->seg[r->nseg].len = len;
	r->nseg++;
}

static int setup(void **state)
{
	(void)state;
	fake_reset_all();
	return 0;
}

/* --- probing -------------------------------------------------------------------------------------
 */

static void refuses_bad_magic(void **state)
{
	(void)state;
	*reg(R_MAGIC) = 0x12345678;
	refused("not a virtio-mmio device (magic 0x12345678)");
	assert_int_equal(dev.nstatus, 0); /* not touched */
}

static void refuses_legacy_version_1(void **state)
{
	(void)state;
	*reg(R_VERSION) = 1;
	refused("legacy virtio-mmio (version 1)");
	refused("force-legacy=false");
	*reg(R_VERSION) = 3;
	refused("unknown virtio-mmio version 3");
	assert_int_equal(dev.nstatus, 0);
}

static void refuses_other_devices(void **state)
{
	(void)state;
	*reg(R_DEVICE_ID) = 0; /* QEMU virt's empty slots */
	refused("no device in this virtio-mmio slot");
	*reg(R_DEVICE_ID) = 1;
	refused("virtio device 1 is not a block device");
	assert_int_equal(dev.nstatus, 0);
}

static void refuses_when_features_ok_not_kept(void **state)
{
	(void)state;
	dev.refuse_features = true;
	refused("the device refused features 0x100000244");
	assert_true(*reg(R_STATUS) & S_FAILED);
	assert_false(*reg(R_STATUS) & S_DRIVER_OK);
	assert_int_equal(dev.qnum, 0); /* no queue set up */
}

static void refuses_without_version_1(void **state)
{
	(void)state;
	dev.offered = F_FLUSH | F_BLK_SIZE;
	refused("does not offer VIRTIO_F_VERSION_1");
	assert_true(*reg(R_STATUS) & S_FAILED);
	assert_false(*reg(R_STATUS) & S_FEATURES_OK);
}

static void refuses_unusable_queue_or_dma(void **state)
{
	(void)state;
	struct vdisk d;
	dev.stuck_status = true;
	refused("the device does not finish its reset");
	dev.stuck_status = false;
	dev.stuck_ready = true;
	refused("queue 0 is still live after the reset");
	dev.stuck_ready = false;
	dev.qmax = 0;
	refused("queue 0 has 0 descriptors");
	assert_true(*reg(R_STATUS) & S_FAILED);
	dev.qmax = 3;
	refused("queue 0 has 3 descriptors");

	fake_reset_all();
	dev.qmax = 128;
	assert_int_equal(vdisk_init(&d, dev.regs, dma, DMA_PHYS, 4096, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "DMA area of 4096 bytes, a queue of 128 needs"));
	assert_int_equal(
	        vdisk_init(&d, dev.regs, dma + 8, DMA_PHYS, sizeof(dma) - 8, why, sizeof(why)), -1);
	assert_string_equal(why, "DMA area not 16-byte aligned");
	assert_int_equal(vdisk_init(&d, dev.regs, dma, DMA_PHYS + 4, sizeof(dma), why, sizeof(why)),
	                 -1);
	assert_string_equal(why, "DMA area not 16-byte aligned");
	/* A smaller queue fits a smaller area. */
	dev.qmax = 8;
	assert_int_equal(vdisk_init(&d, dev.regs, dma, DMA_PHYS, 1024, why, sizeof(why)), 0);
	for (size_t i = 1024; i < sizeof(dma); i++)
		assert_int_equal(dma[i], 0xa5); /* nothing past the area touched */
}

/* --- set-up
 * ----------------------------------------------------------------------------------------
 */

static void negotiates_only_what_it_uses(void **state)
{
	(void)state;
	struct vdisk d;
	dev.blk_size = 4096;
	dev.seg_max = 20;
	set_config(SECTORS);
	init_ok(&d);
	assert_int_equal(dev.accepted, F_ALL_BLK);
	assert_true(vdisk_has_flush(&d));
	assert_int_equal(vdisk_blk_size(&d), 4096);
	assert_int_equal(vdisk_max_segs(&d), 20);
	assert_int_equal(vdisk_capacity(&d), SECTORS);

	/* The minimum: VERSION_1 alone. Config fields of features not taken are not read. */
	fake_reset_all();
	dev.offered = F_VERSION_1 | F_SIZE_MAX;
	dev.blk_size = 4096;
	dev.seg_max = 3;
	set_config(SECTORS);
	init_ok(&d);
	assert_int_equal(dev.accepted, F_VERSION_1);
	assert_false(vdisk_has_flush(&d));
	assert_int_equal(vdisk_blk_size(&d), 512);
	assert_int_equal(vdisk_max_segs(&d), VDISK_MAX_SEGS);
}

static void starts_in_spec_order(void **state)
{
	(void)state;
	struct vdisk d;
	init_ok(&d);
	static const uint32_t want[] = {
	        0,
	        S_ACK,
	        S_ACK | S_DRIVER,
	        S_ACK | S_DRIVER | S_FEATURES_OK,
	        S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK,
	};
	assert_int_equal(dev.nstatus, 5);
	assert_memory_equal(dev.status_log, want, sizeof(want));
	/* The queue was live (QueueReady, captured addresses) before DRIVER_OK. */
	assert_int_equal(*reg(R_QUEUE_READY), 1);
	assert_int_equal(dev.qnum, 128);
	assert_int_equal(vdisk_free_descs(&d), 128);
}

static void queue_lies_in_the_dma_area(void **state)
{
	(void)state;
	struct vdisk d;
	init_ok(&d);
	uint64_t n = dev.qnum;
	assert_int_equal(dev.q_desc % 16, 0);
	assert_int_equal(dev.q_driver % 2, 0);
	assert_int_equal(dev.q_device % 4, 0);
	/* Each part within the area, none overlapping the next. */
	assert_true(dev.q_desc >= DMA_PHYS);
	assert_true(dev.q_desc + 16 * n <= dev.q_driver);
	assert_true(dev.q_driver + 6 + 2 * n <= dev.q_device);
	assert_true(dev.q_device + 6 + 8 * n <= DMA_PHYS + sizeof(dma));
	/* Zeroed: empty rings, no flags. */
	assert_int_equal(favail()[0], 0);
	assert_int_equal(favail()[1], 0);
	assert_int_equal(fused()->idx, 0);
	assert_int_equal(fused()->flags, 0);
}

static void queue_size_is_a_power_of_two_up_to_128(void **state)
{
	(void)state;
	static const uint32_t max[] = {1024, 128, 100, 8, 5};
	static const uint32_t want[] = {128, 128, 64, 8, 4};
	for (unsigned i = 0; i < 5; i++) {
		struct vdisk d;
		fake_reset_all();
		dev.qmax = max[i];
		init_ok(&d);
		assert_int_equal(dev.qnum, want[i]);
		assert_int_equal(vdisk_free_descs(&d), want[i]);
		assert_int_equal(vdisk_max_segs(&d), want[i] - 2 < 32 ? want[i] - 2 : 32);
	}
}

static void capacity_read_is_consistent(void **state)
{
	(void)state;
	struct vdisk d;
	set_config(0xffffffffull);
	dev.tear_capacity = true; /* becomes 1 << 32 between the halves */
	init_ok(&d);
	assert_false(dev.tear_capacity);
	assert_int_equal(vdisk_capacity(&d), 0x100000000ull);
}

/* --- requests ------------------------------------------------------------------------------------
 */

static uint8_t *sec(unsigned n)
{
	return disk + (size_t)n * 512;
}

static void fill(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void write_read_flush_round_trip(void **state)
{
	(void)state;
	struct vdisk d;
	struct completions c = {0};
	init_ok(&d);

	/* Sectors 10..13 from three guest buffers, out of guest order. */
	struct vdisk_req w = rw(VBLK_T_OUT, 10, 0xabc);
	add_seg(&w, 0x3000, 1024);
	add_seg(&w, 0x1000, 512);
	add_seg(&w, 0x2200, 512);
	fill(guest + 0x3000, 1024, 1);
	fill(guest + 0x1000, 512, 2);
	fill(guest + 0x2200, 512, 3);
	assert_int_equal(vdisk_submit(&d, &w), 0);
	assert_int_equal(vdisk_free_descs(&d), 128 - 5);
	assert_int_equal(dev.notifies, 1);
	assert_int_equal(dev.avail_at_notify, 1); /* published before notifying */
	assert_int_equal(fake_device_process(16, false), 1);
	assert_int_equal(dev.last_sector, 10);
	assert_int_equal(vdisk_reap(&d, collect, &c), 1);
	assert_int_equal(c.cookie[0], 0xabc);
	assert_int_equal(c.status[0], VBLK_S_OK);
	assert_int_equal(vdisk_free_descs(&d), 128);
	assert_memory_equal(sec(10), guest + 0x3000, 1024);
	assert_memory_equal(sec(12), guest + 0x1000, 512);
	assert_memory_equal(sec(13), guest + 0x2200, 512);
	assert_int_equal(sec(10)[-1], 0);
	assert_int_equal(*sec(14), 0);

	/* Back into two other buffers, split differently. */
	struct vdisk_req r = rw(VBLK_T_IN, 10, 0xdef);
	add_seg(&r, 0x8000, 1536);
	add_seg(&r, 0x6000, 512);
	assert_int_equal(vdisk_submit(&d, &r), 0);
	assert_int_equal(fake_device_process(16, false), 1);
	assert_int_equal(vdisk_reap(&d, collect, &c), 1);
	assert_int_equal(c.cookie[1], 0xdef);
	assert_int_equal(c.status[1], VBLK_S_OK);
	assert_memory_equal(guest + 0x8000, sec(10), 1536);
	assert_memory_equal(guest + 0x6000, sec(13), 512);
	assert_memory_equal(guest + 0x6000, guest + 0x2200, 512);

	struct vdisk_req f = rw(VBLK_T_FLUSH, 7, 0xf1); /* the sector is ignored */
	assert_int_equal(vdisk_submit(&d, &f), 0);
	assert_int_equal(fake_device_process(16, false), 1);
	assert_int_equal(vdisk_reap(&d, collect, &c), 1);
	assert_int_equal(dev.flushes, 1);
	assert_int_equal(c.cookie[2], 0xf1);
	assert_int_equal(c.status[2], VBLK_S_OK);
	assert_int_equal(vdisk_free_descs(&d), 128);
}

static void invalid_requests_change_nothing(void **state)
{
	(void)state;
	struct vdisk d;
	dev.offered = F_VERSION_1 | F_SEG_MAX; /* no FLUSH */
	dev.seg_max = 4;
	set_config(SECTORS);
	init_ok(&d);
	struct vdisk_req bad[10];
	unsigned n = 0;
	bad[n] = rw(VBLK_T_OUT, 0, 1); /* no segment */
	n++;
	bad[n] = rw(VBLK_T_IN, 0, 2); /* more than seg_max */
	for (unsigned i = 0; i < 5; i++)
		add_seg(&bad[n], 512 * i, 512);
	n++;
	bad[n] = rw(VBLK_T_IN, 0, 3); /* not whole sectors */
	add_seg(&bad[n], 0, 700);
	n++;
	bad[n] = rw(VBLK_T_IN, 0, 4); /* a zero-length segment */
	add_seg(&bad[n], 0, 512);
	add_seg(&bad[n], 512, 0);
	n++;
	bad[n] = rw(VBLK_T_OUT, SECTORS - 1, 5); /* past the end */
	add_seg(&bad[n], 0, 1024);
	n++;
	bad[n] = rw(VBLK_T_OUT, UINT64_MAX, 6); /* far past the end */
	add_seg(&bad[n], 0, 512);
	n++;
	bad[n] = rw(VBLK_T_IN, 0, 7); /* wrapping address */
	bad[n].seg[0].phys = UINT64_MAX - 100;
	bad[n].seg[0].len = 512;
	bad[n].nseg = 1;
	n++;
	bad[n] = rw(VBLK_T_FLUSH, 0, 8); /* not offered */
	n++;
	bad[n] = rw(8, 0, 9); /* GET_ID: not supported by this driver */
	add_seg(&bad[n], 0, 512);
	n++;
	for (unsigned i = 0; i < n; i++) {
		if (vdisk_submit(&d, &bad[i]) != -1)
			fail_msg("request %u accepted", i);
	}
	assert_int_equal(vdisk_free_descs(&d), 128);
	assert_int_equal(favail()[1], 0);
	assert_int_equal(dev.notifies, 0);
	/* The last sector, with seg_max segments, is fine. */
	struct vdisk_req ok = rw(VBLK_T_OUT, SECTORS - 4, 10);
	for (unsigned i = 0; i < 4; i++)
		add_seg(&ok, 512 * i, 512);
	assert_int_equal(vdisk_submit(&d, &ok), 0);
	assert_int_equal(favail()[1], 1);
}

static void queue_full_then_retry_after_reap(void **state)
{
	(void)state;
	struct vdisk d;
	struct completions c = {0};
	dev.qmax = 8;
	init_ok(&d);
	/* Two segments: 4 descriptors each, so two fit in 8. */
	struct vdisk_req r[3];
	for (unsigned i = 0; i < 3; i++) {
		r[i] = rw(VBLK_T_OUT, 2ull * i, 100 + i);
		add_seg(&r[i], 1024 * i, 512);
		add_seg(&r[i], 1024 * i + 512, 512);
		fill(guest + 1024ul * i, 1024, (uint8_t)(i + 1));
	}
	assert_int_equal(vdisk_submit(&d, &r[0]), 0);
	assert_int_equal(vdisk_submit(&d, &r[1]), 0);
	assert_int_equal(vdisk_free_descs(&d), 0);
	assert_int_equal(vdisk_submit(&d, &r[2]), 1);
	assert_int_equal(favail()[1], 2); /* the refused one was not published */
	assert_int_equal(dev.notifies, 2);

	/* One completes: room again. */
	assert_int_equal(fake_device_process(1, false), 1);
	assert_int_equal(vdisk_reap(&d, collect, &c), 1);
	assert_int_equal(vdisk_free_descs(&d), 4);
	assert_int_equal(vdisk_submit(&d, &r[2]), 0);
	assert_int_equal(fake_device_process(8, false), 2);
	assert_int_equal(vdisk_reap(&d, collect, &c), 2);
	assert_int_equal(c.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(c.cookie[i], 100 + i);
		assert_memory_equal(disk + 1024ul * i, guest + 1024ul * i, 1024);
	}
	assert_int_equal(vdisk_free_descs(&d), 8);
}

/* Both free-running ring indices pass 65535 several times. */
static void ring_indices_wrap(void **state)
{
	(void)state;
	struct vdisk d;
	struct completions c = {0};
	init_ok(&d);
	uint64_t next = 0, expect = 0;
	while (expect < 3 * 65536 + 100) {
		unsigned batch = 1 + (unsigned)(next % 40); /* up to 40 x 3 descriptors */
		for (unsigned i = 0; i < batch; i++) {
			struct vdisk_req r = rw(VBLK_T_OUT, next % SECTORS, next);
			add_seg(&r, (uint32_t)(next % SECTORS) * 512, 512);
			assert_int_equal(vdisk_submit(&d, &r), 0);
			next++;
		}
		assert_int_equal(fake_device_process(128, false), batch);
		c.n = 0;
		assert_int_equal(vdisk_reap(&d, collect, &c), batch);
		for (unsigned i = 0; i < batch; i++)
			assert_int_equal(c.cookie[i], expect++);
		assert_int_equal(vdisk_free_descs(&d), 128);
	}
	assert_int_equal(favail()[1], (uint16_t)next);
	assert_int_equal(fused()->idx, (uint16_t)next);
	assert_int_equal(d.bad_used, 0);
}

static void out_of_order_completion(void **state)
{
	(void)state;
	struct vdisk d;
	struct completions c = {0};
	init_ok(&d);
	struct vdisk_req a = rw(VBLK_T_IN, 0, 111);
	add_seg(&a, 0, 512);
	struct vdisk_req b = rw(VBLK_T_IN, 1, 222);
	add_seg(&b, 512, 1024);
	struct vdisk_req f = rw(VBLK_T_FLUSH, 0, 333);
	fill(disk, 1536, 9);
	dev.ioerr_sector = 1; /* b fails: its status must follow its cookie */
	assert_int_equal(vdisk_submit(&d, &a), 0);
	assert_int_equal(vdisk_submit(&d, &b), 0);
	assert_int_equal(vdisk_submit(&d, &f), 0);
	assert_int_equal(fake_device_process(16, true), 3);
	assert_int_equal(vdisk_reap(&d, collect, &c), 3);
	assert_int_equal(c.cookie[0], 333);
	assert_int_equal(c.status[0], VBLK_S_OK);
	assert_int_equal(c.cookie[1], 222);
	assert_int_equal(c.status[1], VBLK_S_IOERR);
	assert_int_equal(c.cookie[2], 111);
	assert_int_equal(c.status[2], VBLK_S_OK);
	assert_memory_equal(guest, disk, 512);
	assert_int_equal(vdisk_free_descs(&d), 128);
	/* Freed out of order, the descriptors still serve a full queue. */
	unsigned queued = 0;
	struct vdisk_req r = rw(VBLK_T_FLUSH, 0, 0);
	while (queued < 100 && vdisk_submit(&d, &r) == 0)
		queued++;
	assert_int_equal(queued, 128 / 2);
	assert_int_equal(fake_device_process(128, true), 64);
	assert_int_equal(vdisk_reap(&d, collect, &c), 64);
	assert_int_equal(vdisk_free_descs(&d), 128);
}

static void error_status_passed_through(void **state)
{
	(void)state;
	struct vdisk d;
	struct completions c = {0};
	init_ok(&d);
	dev.ioerr_sector = 5;
	dev.flush_unsupported = true;
	struct vdisk_req ok = rw(VBLK_T_OUT, 4, 1);
	add_seg(&ok, 0, 512);
	struct vdisk_req bad = rw(VBLK_T_OUT, 5, 2);
	add_seg(&bad, 0, 512);
	struct vdisk_req f = rw(VBLK_T_FLUSH, 0, 3);
	assert_int_equal(vdisk_submit(&d, &ok), 0);
	assert_int_equal(vdisk_submit(&d, &bad), 0);
	assert_int_equal(vdisk_submit(&d, &f), 0);
	assert_int_equal(fake_device_process(16, false), 3);
	assert_int_equal(vdisk_reap(&d, collect, &c), 3);
	static const uint8_t want[] = {VBLK_S_OK, VBLK_S_IOERR, VBLK_S_UNSUPP};
	assert_memory_equal(c.status, want, 3);

	/* A device that completes without writing the status: not OK. */
	struct vdisk_req r = rw(VBLK_T_FLUSH, 0, 4);
	assert_int_equal(vdisk_submit(&d, &r), 0);
	uint16_t head = favail()[2 + dev.last_avail % dev.qnum];
	dev.last_avail++;
	post_used(head, 0);
	assert_int_equal(vdisk_reap(&d, collect, &c), 1);
	assert_int_equal(c.cookie[3], 4);
	assert_int_equal(c.status[3], 0xff);
}

static void no_notify_honored(void **state)
{
	(void)state;
	struct vdisk d;
	struct completions c = {0};
	init_ok(&d);
	struct vdisk_req r = rw(VBLK_T_FLUSH, 0, 1);
	fused()->flags = 1; /* VIRTQ_USED_F_NO_NOTIFY: the device is polling */
	assert_int_equal(vdisk_submit(&d, &r), 0);
	assert_int_equal(vdisk_submit(&d, &r), 0);
	assert_int_equal(dev.notifies, 0);
	assert_int_equal(favail()[1], 2); /* published all the same */
	fused()->flags = 0;
	assert_int_equal(vdisk_submit(&d, &r), 0);
	assert_int_equal(dev.notifies, 1);
	assert_int_equal(dev.avail_at_notify, 3);
	assert_int_equal(fake_device_process(16, false), 3);
	assert_int_equal(vdisk_reap(&d, collect, &c), 3);
}

static void interrupt_acked_before_completions(void **state)
{
	(void)state;
	struct vdisk d;
	struct completions c = {0};
	init_ok(&d);
	struct vdisk_req r = rw(VBLK_T_FLUSH, 0, 1);
	assert_int_equal(vdisk_submit(&d, &r), 0);
	assert_int_equal(fake_device_process(16, false), 1);
	assert_int_equal(*reg(R_ISR), 1);
	assert_int_equal(vdisk_reap(&d, collect, &c), 1);
	assert_int_equal(c.isr_seen, 0); /* acked before done() ran */
	assert_int_equal(*reg(R_ISR), 0);
	/* Nothing pending: nothing acked, nothing reaped. */
	assert_int_equal(vdisk_reap(&d, collect, &c), 0);

	/* A configuration change (a resize) is acked and the capacity re-read. */
	set_config(48);
	*reg(R_ISR) = 2;
	assert_int_equal(vdisk_reap(&d, collect, &c), 0);
	assert_int_equal(*reg(R_ISR), 0);
	assert_int_equal(vdisk_capacity(&d), 48);
}

struct resubmitter {
	struct vdisk *d;
	struct completions c;
	unsigned resubmitted;
};

/* Completion of request n queues request n + 2, up to 10, from inside done(). */
static void resubmit(void *ctx, uint64_t cookie, uint8_t status)
{
	struct resubmitter *rs = ctx;
	collect(&rs->c, cookie, status);
	if (cookie + 2 >= 10)
		return;
	struct vdisk_req r = rw(VBLK_T_FLUSH, 0, cookie + 2);
	assert_int_equal(vdisk_submit(rs->d, &r), 0);
	rs->resubmitted++;
}

static void done_may_submit(void **state)
{
	(void)state;
	struct vdisk d;
	struct resubmitter rs = {.d = &d};
	dev.qmax = 4; /* room for two flushes only */
	init_ok(&d);
	struct vdisk_req r0 = rw(VBLK_T_FLUSH, 0, 0), r1 = rw(VBLK_T_FLUSH, 0, 1);
	assert_int_equal(vdisk_submit(&d, &r0), 0);
	assert_int_equal(vdisk_submit(&d, &r1), 0);
	while (fake_device_process(4, false))
		vdisk_reap(&d, resubmit, &rs);
	assert_int_equal(rs.c.n, 10);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(rs.c.cookie[i], i);
	assert_int_equal(rs.resubmitted, 8);
	assert_int_equal(vdisk_free_descs(&d), 4);
}

static void bogus_used_entries_ignored(void **state)
{
	(void)state;
	struct vdisk d;
	struct completions c = {0};
	init_ok(&d);
	struct vdisk_req r = rw(VBLK_T_IN, 0, 7);
	add_seg(&r, 0, 512);
	assert_int_equal(vdisk_submit(&d, &r), 0);
	uint16_t head = favail()[2];
	post_used(500, 0);                        /* out of range */
	post_used((uint16_t)(head + 1), 0);       /* inside the chain, not its head */
	post_used((uint16_t)(head + 3) % 128, 0); /* a free descriptor */
	assert_int_equal(vdisk_reap(&d, collect, &c), 0);
	assert_int_equal(d.bad_used, 3);
	assert_int_equal(vdisk_free_descs(&d), 125);
	assert_int_equal(fake_device_process(16, false), 1);
	assert_int_equal(vdisk_reap(&d, collect, &c), 1);
	assert_int_equal(c.cookie[0], 7);
	/* Completed twice (a device bug): the second is ignored. */
	post_used(head, 0);
	assert_int_equal(vdisk_reap(&d, collect, &c), 0);
	assert_int_equal(d.bad_used, 4);
	assert_int_equal(vdisk_free_descs(&d), 128);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(refuses_bad_magic, setup),
	        cmocka_unit_test_setup(refuses_legacy_version_1, setup),
	        cmocka_unit_test_setup(refuses_other_devices, setup),
	        cmocka_unit_test_setup(refuses_when_features_ok_not_kept, setup),
	        cmocka_unit_test_setup(refuses_without_version_1, setup),
	        cmocka_unit_test_setup(refuses_unusable_queue_or_dma, setup),
	        cmocka_unit_test_setup(negotiates_only_what_it_uses, setup),
	        cmocka_unit_test_setup(starts_in_spec_order, setup),
	        cmocka_unit_test_setup(queue_lies_in_the_dma_area, setup),
	        cmocka_unit_test_setup(queue_size_is_a_power_of_two_up_to_128, setup),
	        cmocka_unit_test_setup(capacity_read_is_consistent, setup),
	        cmocka_unit_test_setup(write_read_flush_round_trip, setup),
	        cmocka_unit_test_setup(invalid_requests_change_nothing, setup),
	        cmocka_unit_test_setup(queue_full_then_retry_after_reap, setup),
	        cmocka_unit_test_setup(ring_indices_wrap, setup),
	        cmocka_unit_test_setup(out_of_order_completion, setup),
	        cmocka_unit_test_setup(error_status_passed_through, setup),
	        cmocka_unit_test_setup(no_notify_honored, setup),
	        cmocka_unit_test_setup(interrupt_acked_before_completions, setup),
	        cmocka_unit_test_setup(done_may_submit, setup),
	        cmocka_unit_test_setup(bogus_used_entries_ignored, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
