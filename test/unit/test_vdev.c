/* SPDX-License-Identifier: MIT */
/*
 * The virtio service's device models (services/virtio: vdev.c, vblk.c,
 * vnet_switch.c) driven as a guest driver would: registers through
 * vdev_access, rings and buffers in a fake guest RAM, a fake physical disk
 * that completes when the test says so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vdev.h"

#include <keel_abi.h>
#include <virtio/blk.h>
#include <virtio/mmio.h>
#include <virtio/net.h>

#define RAM_SIZE   (1u << 20)
#define RAM_PHYS   0x80000000ull
#define QNUM       16
#define DISK_SECTS 4096 /* 2 MiB */
/* Ring and buffer places in each guest's RAM (guest-physical offsets). */
#define DESC_OFF   0x1000
#define AVAIL_OFF  0x2000
#define USED_OFF   0x3000
#define BUF_OFF    0x10000

static struct vdev v;
static uint8_t *ram[VDEV_GUESTS + 1];
static uint8_t disk[DISK_SECTS * VDEV_SECTOR];
static struct vdisk_req queued[64];
static unsigned nqueued, disk_room = 64;
static unsigned injected[VDEV_GUESTS + 1][KEEL_VIRTIO_DEVS];

static unsigned fake_room(void *ctx)
{
	(void)ctx;
	return disk_room;
}

static int fake_submit(void *ctx, const struct vdisk_req *r)
{
	(void)ctx;
	if (nqueued == 64)
		return 1;
	queued[nqueued++] = *r;
	return 0;
}

/* The disk does request i: data moves between the disk and guest RAM
 * through the physical addresses, as DMA would. */
static void disk_complete(unsigned i, uint8_t status)
{
	const struct vdisk_req *r = &queued[i];
	uint64_t at = r->sector * VDEV_SECTOR;
	for (unsigned s = 0; s < r->nseg && status == 0; s++) {
		uint64_t phys = r->seg[s].phys;
		unsigned n = (unsigned)((phys - RAM_PHYS) / RAM_SIZE);
		uint8_t *p = ram[n] + (phys - RAM_PHYS) % RAM_SIZE;
		assert_in_range(n, 1, VDEV_GUESTS);
		assert_true(at + r->seg[s].len <= sizeof(disk));
		if (r->type == VBLK_T_IN)
			memcpy(p, disk + at, r->seg[s].len);
		else
			memcpy(disk + at, p, r->seg[s].len);
		at += r->seg[s].len;
	}
	vdev_disk_done(&v, r->cookie, status);
}

static long fake_inject(unsigned long vm, unsigned long intid, bool level)
{
	unsigned n = (unsigned)vm, dev = (unsigned)intid - 32 - KEEL_VIRTIO_SPI;
	assert_in_range(dev, 0, KEEL_VIRTIO_DEVS - 1);
	injected[n][dev] += level;
	return 0;
}

static uint64_t reg_addr(unsigned dev, unsigned off)
{
	return KEEL_VIRTIO_BASE + dev * KEEL_VIRTIO_STRIDE + off;
}

static void wr(unsigned n, unsigned dev, unsigned off, uint32_t val)
{
	vdev_access(&v, n, reg_addr(dev, off), 4, true, val);
}

static uint32_t rd(unsigned n, unsigned dev, unsigned off)
{
	return (uint32_t)vdev_access(&v, n, reg_addr(dev, off), 4, false, 0);
}

static uint64_t gpa(unsigned q, unsigned off)
{
	return KEEL_VIRTIO_RAM_BASE + off + q * 0x4000;
}

static uint8_t *at(unsigned n, uint64_t guest_pa)
{
	return ram[n] + (guest_pa - KEEL_VIRTIO_RAM_BASE);
}

/* What Linux's virtio_mmio driver does before it uses a device. */
static void driver_start(unsigned n, unsigned dev, unsigned nq)
{
	wr(n, dev, VMMIO_STATUS, 0);
	wr(n, dev, VMMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(n, dev, VMMIO_DRV_FEAT_SEL, 1);
	wr(n, dev, VMMIO_DRV_FEATURES, 1); /* VERSION_1 only */
	wr(n, dev, VMMIO_DRV_FEAT_SEL, 0);
	wr(n, dev, VMMIO_DRV_FEATURES, 0);
	wr(n, dev, VMMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	assert_true(rd(n, dev, VMMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	for (unsigned q = 0; q < nq; q++) {
		memset(at(n, gpa(q, DESC_OFF)), 0, 0x3000); /* fresh rings, as a driver allocates */
		wr(n, dev, VMMIO_QUEUE_SEL, q);
		wr(n, dev, VMMIO_QUEUE_NUM, QNUM);
		wr(n, dev, VMMIO_QUEUE_DESC_LO, (uint32_t)gpa(q, DESC_OFF));
		wr(n, dev, VMMIO_QUEUE_AVAIL_LO, (uint32_t)gpa(q, AVAIL_OFF));
		wr(n, dev, VMMIO_QUEUE_USED_LO, (uint32_t)gpa(q, USED_OFF));
		wr(n, dev, VMMIO_QUEUE_READY, 1);
	}
	wr(n, dev, VMMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
	           VIRTIO_STATUS_DRIVER_OK);
}

struct buf {
	uint64_t addr;
	uint32_t len;
	bool write;
};

/* Put a chain of bufs in queue q at descriptor `first` and make it available. */
static void post(unsigned n, unsigned dev, unsigned q, unsigned first, const struct buf *b,
                 unsigned nb)
{
	for (unsigned i = 0; i < nb; i++) {
		uint8_t *d = at(n, gpa(q, DESC_OFF)) + 16 * ((first + i) % QNUM);
		uint16_t flags = (uint16_t)((i + 1 < nb ? VIRTQ_DESC_F_NEXT : 0) |
		                            (b[i].write ? VIRTQ_DESC_F_WRITE : 0));
		le64_store(d, b[i].addr);
		le32_store(d + 8, b[i].len);
		le16_store(d + 12, flags);
		le16_store(d + 14, (uint16_t)((first + i + 1) % QNUM));
	}
	uint8_t *avail = at(n, gpa(q, AVAIL_OFF));
	uint16_t idx = le16_load(avail + 2);
	le16_store(avail + 4 + 2 * (idx % QNUM), (uint16_t)first);
	le16_store(avail + 2, (uint16_t)(idx + 1));
	wr(n, dev, VMMIO_QUEUE_NOTIFY, q);
}

static uint16_t used_idx(unsigned n, unsigned q)
{
	return le16_load(at(n, gpa(q, USED_OFF)) + 2);
}

static uint32_t used_len(unsigned n, unsigned q, unsigned i)
{
	return le32_load(at(n, gpa(q, USED_OFF)) + 4 + 8 * i + 4);
}

/* A block request: header at BUF_OFF, data at BUF_OFF + 0x1000, status at BUF_OFF + 0x100. */
static void blk_request(unsigned n, unsigned first, uint32_t type, uint64_t sector, uint32_t len)
{
	uint64_t hdr = KEEL_VIRTIO_RAM_BASE + BUF_OFF + first * 0x2000;
	le32_store(at(n, hdr), type);
	le32_store(at(n, hdr) + 4, 0);
	le64_store(at(n, hdr) + 8, sector);
	at(n, hdr + 0x100)[0] = 0xff;
	struct buf b[3] = {
	        {hdr, 16, false}, {hdr + 0x1000, len, type != VBLK_T_OUT}, {hdr + 0x100, 1, true}};
	if (len)
		post(n, KEEL_VIRTIO_BLK, 0, first, b, 3);
	else
		post(n, KEEL_VIRTIO_BLK, 0, first, (struct buf[]){b[0], b[2]}, 2);
}

static uint8_t blk_status(unsigned n, unsigned first)
{
	return at(n, KEEL_VIRTIO_RAM_BASE + BUF_OFF + first * 0x2000 + 0x100)[0];
}

static uint8_t *blk_data(unsigned n, unsigned first)
{
	return at(n, KEEL_VIRTIO_RAM_BASE + BUF_OFF + first * 0x2000 + 0x1000);
}

static void attach(unsigned n, unsigned devices, uint64_t first_mib, uint64_t mib)
{
	assert_int_equal(vdev_attach(&v, n, devices, n, ram[n], RAM_PHYS + n * RAM_SIZE, RAM_SIZE,
	                             first_mib, mib),
	                 0);
}

static int setup(void **state)
{
	(void)state;
	memset(&v, 0, sizeof(v));
	memset(disk, 0, sizeof(disk));
	memset(injected, 0, sizeof(injected));
	nqueued = 0;
	disk_room = 64;
	v.disk = (struct vdev_disk){.sectors = DISK_SECTS,
	                            .flush = true,
	                            .max_segs = 30,
	                            .room = fake_room,
	                            .submit = fake_submit};
	for (unsigned n = 1; n <= VDEV_GUESTS; n++)
		ram[n] = calloc(1, RAM_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= VDEV_GUESTS; n++)
		free(ram[n]);
	return 0;
}

static void identity_and_config(void **state)
{
	(void)state;
	attach(1, 1u << KEEL_VIRTIO_BLK | 1u << KEEL_VIRTIO_NET, 1, 1);
	assert_int_equal(rd(1, KEEL_VIRTIO_BLK, VMMIO_MAGIC), VMMIO_MAGIC_VALUE);
	assert_int_equal(rd(1, KEEL_VIRTIO_BLK, VMMIO_VERSION), 2);
	assert_int_equal(rd(1, KEEL_VIRTIO_BLK, VMMIO_DEVICE_ID), 2);
	assert_int_equal(rd(1, KEEL_VIRTIO_NET, VMMIO_DEVICE_ID), 1);
	/* capacity: the 1 MiB slice, in sectors */
	assert_int_equal(rd(1, KEEL_VIRTIO_BLK, VMMIO_CONFIG), 2048);
	/* the MAC ends in the guest's badge */
	assert_int_equal(
	        vdev_access(&v, 1, reg_addr(KEEL_VIRTIO_NET, VMMIO_CONFIG + 5), 1, false, 0), 1);
	/* an empty slot of the page has no device; outside the page is not ours */
	assert_int_equal(vdev_access(&v, 1, KEEL_VIRTIO_BASE + 5 * KEEL_VIRTIO_STRIDE, 4, false, 0),
	                 0);
	assert_false(vdev_claims(&v, 1, KEEL_VIRTIO_BASE + KEEL_VIRTIO_PAGE));
	assert_false(vdev_claims(&v, 2, KEEL_VIRTIO_BASE));
	/* a slice past the end of the disk is cut where the disk ends */
	attach(2, 1u << KEEL_VIRTIO_BLK, 1, 100);
	assert_int_equal(rd(2, KEEL_VIRTIO_BLK, VMMIO_CONFIG), DISK_SECTS - 2048);
}

static void attach_refusals(void **state)
{
	(void)state;
	assert_int_equal(vdev_attach(&v, 0, 1, 1, ram[1], RAM_PHYS, RAM_SIZE, 0, 1), -KEEL_EINVAL);
	assert_int_equal(vdev_attach(&v, 9, 1, 1, ram[1], RAM_PHYS, RAM_SIZE, 0, 1), -KEEL_EINVAL);
	assert_int_equal(vdev_attach(&v, 1, 0, 1, ram[1], RAM_PHYS, RAM_SIZE, 0, 1), -KEEL_EINVAL);
	assert_int_equal(vdev_attach(&v, 1, 8, 1, ram[1], RAM_PHYS, RAM_SIZE, 0, 1), -KEEL_EINVAL);
	attach(1, 1, 0, 1);
	assert_int_equal(vdev_attach(&v, 1, 1, 1, ram[1], RAM_PHYS, RAM_SIZE, 0, 1), -KEEL_EEXIST);
	assert_int_equal(vdev_detach(&v, 1), 0);
	attach(1, 1, 0, 1);
}

/* A write lands in the guest's slice of the disk; a read brings it back. */
static void blk_write_read_in_slice(void **state)
{
	(void)state;
	attach(1, 1u << KEEL_VIRTIO_BLK, 1, 1); /* sectors 2048.. */
	driver_start(1, KEEL_VIRTIO_BLK, 1);
	memset(blk_data(1, 0), 0xab, 4096);
	blk_request(1, 0, VBLK_T_OUT, 8, 4096);
	assert_int_equal(nqueued, 1);
	assert_int_equal(queued[0].sector, 2048 + 8);
	assert_int_equal(queued[0].seg[0].phys, RAM_PHYS + RAM_SIZE + BUF_OFF + 0x1000);
	disk_complete(0, 0);
	assert_int_equal(blk_status(1, 0), VBLK_S_OK);
	assert_int_equal(used_idx(1, 0), 1);
	assert_int_equal(disk[(2048 + 8) * VDEV_SECTOR], 0xab);
	assert_int_equal(disk[(2048 + 8) * VDEV_SECTOR + 4095], 0xab);
	assert_int_equal(disk[(2048 + 8) * VDEV_SECTOR + 4096], 0);

	blk_request(1, 3, VBLK_T_IN, 8, 4096);
	disk_complete(1, 0);
	assert_int_equal(blk_status(1, 3), VBLK_S_OK);
	assert_int_equal(blk_data(1, 3)[100], 0xab);
	assert_int_equal(used_len(1, 0, 1), 4097);
	vdev_sync_irqs(&v, fake_inject);
	assert_true(injected[1][KEEL_VIRTIO_BLK] >= 1);
}

static void blk_outside_slice_fails(void **state)
{
	(void)state;
	attach(1, 1u << KEEL_VIRTIO_BLK, 1, 1);
	driver_start(1, KEEL_VIRTIO_BLK, 1);
	blk_request(1, 0, VBLK_T_OUT, 2047, 1024); /* crosses the slice's end */
	assert_int_equal(nqueued, 0);
	assert_int_equal(blk_status(1, 0), VBLK_S_IOERR);
	blk_request(1, 3, VBLK_T_IN, UINT64_MAX - 1, 4096);
	assert_int_equal(nqueued, 0);
	assert_int_equal(blk_status(1, 3), VBLK_S_IOERR);
	assert_int_equal(used_idx(1, 0), 2);
	assert_true(vmmio_live(&v.g[1].t[KEEL_VIRTIO_BLK]));
}

static void blk_flush_and_id(void **state)
{
	(void)state;
	attach(1, 1u << KEEL_VIRTIO_BLK, 0, 1);
	driver_start(1, KEEL_VIRTIO_BLK, 1);
	blk_request(1, 0, VBLK_T_FLUSH, 0, 0);
	assert_int_equal(nqueued, 1);
	assert_int_equal(queued[0].type, VBLK_T_FLUSH);
	assert_int_equal(queued[0].nseg, 0);
	disk_complete(0, 0);
	assert_int_equal(blk_status(1, 0), VBLK_S_OK);
	blk_request(1, 3, VBLK_T_GET_ID, 0, 20);
	assert_int_equal(blk_status(1, 3), VBLK_S_OK);
	assert_memory_equal(blk_data(1, 3), "keel-disk-1", 11);
	blk_request(1, 6, 99, 0, 0);
	assert_int_equal(blk_status(1, 6), VBLK_S_UNSUPP);
}

/* A loop in guest 1's chain breaks its disk only: guest 2's goes on. */
static void blk_malformed_breaks_one_device(void **state)
{
	(void)state;
	attach(1, 1u << KEEL_VIRTIO_BLK | 1u << KEEL_VIRTIO_NET, 0, 1);
	attach(2, 1u << KEEL_VIRTIO_BLK, 1, 1);
	driver_start(1, KEEL_VIRTIO_BLK, 1);
	driver_start(1, KEEL_VIRTIO_NET, 2);
	driver_start(2, KEEL_VIRTIO_BLK, 1);
	uint8_t *d = at(1, gpa(0, DESC_OFF));
	le64_store(d, KEEL_VIRTIO_RAM_BASE + BUF_OFF);
	le32_store(d + 8, 16);
	le16_store(d + 12, VIRTQ_DESC_F_NEXT);
	le16_store(d + 14, 0); /* itself */
	uint8_t *avail = at(1, gpa(0, AVAIL_OFF));
	le16_store(avail + 4, 0);
	le16_store(avail + 2, 1);
	wr(1, KEEL_VIRTIO_BLK, VMMIO_QUEUE_NOTIFY, 0);
	assert_true(rd(1, KEEL_VIRTIO_BLK, VMMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	assert_true(rd(1, KEEL_VIRTIO_BLK, VMMIO_INT_STATUS) & VMMIO_INT_CONFIG);
	unsigned bn = 0, bdev = 9;
	assert_true(vdev_newly_broken(&v, &bn, &bdev));
	assert_int_equal(bn, 1);
	assert_int_equal(bdev, KEEL_VIRTIO_BLK);
	assert_false(vdev_newly_broken(&v, &bn, &bdev)); /* told once */
	assert_int_equal(v.broken, 1);
	assert_int_equal(nqueued, 0);
	assert_true(vmmio_live(&v.g[1].t[KEEL_VIRTIO_NET]));
	/* a buffer outside guest RAM on guest 2 breaks guest 2's disk only */
	blk_request(2, 0, VBLK_T_OUT, 0, 512);
	assert_int_equal(nqueued, 1);
	struct buf bad[3] = {{KEEL_VIRTIO_RAM_BASE + BUF_OFF, 16, false},
	                     {KEEL_VIRTIO_RAM_BASE + RAM_SIZE - 256, 512, false},
	                     {KEEL_VIRTIO_RAM_BASE + BUF_OFF + 0x100, 1, true}};
	post(2, KEEL_VIRTIO_BLK, 0, 3, bad, 3);
	assert_true(rd(2, KEEL_VIRTIO_BLK, VMMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(nqueued, 1);
	/* the request it queued before still completes; the guest reset drops it */
	wr(2, KEEL_VIRTIO_BLK, VMMIO_STATUS, 0);
	disk_complete(0, 0);
	assert_int_equal(v.in_flight, 0);
	/* after a reset the driver can start again */
	driver_start(1, KEEL_VIRTIO_BLK, 1);
	blk_request(1, 0, VBLK_T_OUT, 0, 512);
	assert_int_equal(nqueued, 2);
}

/* A full disk leaves chains in the ring; room brings them in. */
static void blk_waits_for_disk_room(void **state)
{
	(void)state;
	attach(1, 1u << KEEL_VIRTIO_BLK, 0, 1);
	driver_start(1, KEEL_VIRTIO_BLK, 1);
	disk_room = 2; /* less than header + data + status */
	blk_request(1, 0, VBLK_T_OUT, 0, 512);
	assert_int_equal(nqueued, 0);
	assert_int_equal(used_idx(1, 0), 0);
	disk_room = 64;
	vdev_disk_resume(&v);
	assert_int_equal(nqueued, 1);
	disk_complete(0, 0);
	assert_int_equal(blk_status(1, 0), VBLK_S_OK);
}

/* Detach waits for the disk: its DMA writes into the guest's RAM. From
 * the first try on, the guest's devices serve nothing more. */
static void detach_busy_while_in_flight(void **state)
{
	(void)state;
	attach(1, 1u << KEEL_VIRTIO_BLK, 0, 1);
	driver_start(1, KEEL_VIRTIO_BLK, 1);
	blk_request(1, 0, VBLK_T_IN, 0, 512);
	assert_int_equal(vdev_detach(&v, 1), -KEEL_EBUSY);
	blk_request(1, 3, VBLK_T_IN, 0, 512); /* not taken: the VM is going */
	assert_int_equal(nqueued, 1);
	disk_complete(0, 0);
	assert_int_equal(blk_status(1, 0), 0xff); /* nothing more written there */
	assert_int_equal(used_idx(1, 0), 0);
	assert_int_equal(vdev_detach(&v, 1), 0);
	assert_false(vdev_claims(&v, 1, KEEL_VIRTIO_BASE));
}

/* A reboot's reset waits for the disk like a detach, then leaves the
 * devices as a driver's reset would, ready to be set up again. */
static void reset_waits_then_clears(void **state)
{
	(void)state;
	assert_int_equal(vdev_reset(&v, 1), -KEEL_ENOENT);
	attach(1, 1u << KEEL_VIRTIO_BLK | 1u << KEEL_VIRTIO_NET, 0, 1);
	driver_start(1, KEEL_VIRTIO_BLK, 1);
	driver_start(1, KEEL_VIRTIO_NET, 2);
	blk_request(1, 0, VBLK_T_IN, 0, 512);
	assert_int_equal(vdev_reset(&v, 1), -KEEL_EBUSY);
	assert_int_equal(rd(1, KEEL_VIRTIO_BLK, VMMIO_MAGIC), 0); /* serves nothing meanwhile */
	disk_complete(0, 0);
	assert_int_equal(used_idx(1, 0), 0); /* the old run's completion lands nowhere */
	assert_int_equal(vdev_reset(&v, 1), 0);
	assert_int_equal(rd(1, KEEL_VIRTIO_BLK, VMMIO_MAGIC), VMMIO_MAGIC_VALUE);
	assert_int_equal(rd(1, KEEL_VIRTIO_BLK, VMMIO_STATUS), 0);
	assert_int_equal(rd(1, KEEL_VIRTIO_NET, VMMIO_STATUS), 0);
	driver_start(1, KEEL_VIRTIO_BLK, 1);
	blk_request(1, 0, VBLK_T_OUT, 0, 512);
	assert_int_equal(nqueued, 2);
}

/* A status the disk never wrote (0xff) reaches the guest as IOERR; one
 * guest cannot hold every request slot. */
static void blk_status_and_fair_share(void **state)
{
	(void)state;
	attach(1, 1u << KEEL_VIRTIO_BLK, 0, 1);
	driver_start(1, KEEL_VIRTIO_BLK, 1);
	blk_request(1, 0, VBLK_T_IN, 0, 512);
	disk_complete(0, 0xff);
	assert_int_equal(blk_status(1, 0), VBLK_S_IOERR);
	for (unsigned i = 0; i < VDEV_GUEST_MAX; i++)
		v.g[1].in_flight++; /* as if it had that many queued */
	blk_request(1, 3, VBLK_T_IN, 0, 512);
	assert_int_equal(nqueued, 1); /* waits */
	v.g[1].in_flight -= VDEV_GUEST_MAX;
	vdev_disk_resume(&v);
	assert_int_equal(nqueued, 2);
	/* more data buffers than the disk takes: IOERR, not a wait forever */
	v.disk.max_segs = 0;
	blk_request(1, 6, VBLK_T_IN, 0, 512);
	assert_int_equal(nqueued, 2);
	assert_int_equal(blk_status(1, 6), VBLK_S_IOERR);
}

/* Ethernet: frame of 60 bytes from `src` to `dst` with a 12-byte header in front. */
static void net_send(unsigned n, unsigned first, const uint8_t dst[6], uint8_t src_badge)
{
	uint64_t b = KEEL_VIRTIO_RAM_BASE + BUF_OFF + 0x8000 + first * 0x800;
	uint8_t *p = at(n, b);
	memset(p, 0, 12 + 60);
	memcpy(p + 12, dst, 6);
	const uint8_t src[6] = {0x52, 0x54, 0x00, 0x4b, 0x00, src_badge};
	memcpy(p + 18, src, 6);
	p[12 + 59] = (uint8_t)(0xa0 + first);
	struct buf one = {b, 12 + 60, false};
	post(n, KEEL_VIRTIO_NET, VNET_TXQ, first, &one, 1);
}

static void net_give_rx(unsigned n, unsigned first)
{
	struct buf one = {KEEL_VIRTIO_RAM_BASE + BUF_OFF + 0xc000 + first * 0x800, 1526, true};
	post(n, KEEL_VIRTIO_NET, VNET_RXQ, first, &one, 1);
}

static uint8_t *net_rx(unsigned n, unsigned first)
{
	return at(n, KEEL_VIRTIO_RAM_BASE + BUF_OFF + 0xc000 + first * 0x800);
}

static void net_switches_frames(void **state)
{
	(void)state;
	const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const uint8_t to2[6] = {0x52, 0x54, 0x00, 0x4b, 0x00, 2};
	for (unsigned n = 1; n <= 3; n++) {
		attach(n, 1u << KEEL_VIRTIO_NET, 0, 0);
		driver_start(n, KEEL_VIRTIO_NET, 2);
		net_give_rx(n, 0);
	}
	/* a broadcast from guest 2 reaches every other port */
	net_send(2, 0, bcast, 2);
	assert_int_equal(used_idx(1, VNET_RXQ), 1);
	assert_int_equal(used_idx(3, VNET_RXQ), 1);
	assert_int_equal(used_idx(2, VNET_RXQ), 0); /* not back to the sender */
	assert_int_equal(used_len(1, VNET_RXQ, 0), 12 + 60);
	assert_int_equal(net_rx(1, 0)[12 + 59], 0xa0);
	assert_int_equal(le16_load(net_rx(1, 0) + 10), 1); /* num_buffers */
	/* a unicast frame to guest 2 goes to guest 2 only */
	net_give_rx(1, 1);
	net_give_rx(3, 1);
	net_send(1, 0, to2, 1);
	assert_int_equal(used_idx(2, VNET_RXQ), 1);
	assert_int_equal(net_rx(2, 0)[12 + 59], 0xa0);
	assert_int_equal(used_idx(3, VNET_RXQ), 1);
	assert_int_equal(used_idx(1, VNET_TXQ), 1);
	assert_int_equal(v.net_frames, 2);
	vdev_sync_irqs(&v, fake_inject);
	assert_true(injected[2][KEEL_VIRTIO_NET] >= 1);
}

/* No receive buffer: a few frames wait, the rest are dropped. */
static void net_backlog_then_drop(void **state)
{
	(void)state;
	const uint8_t to2[6] = {0x52, 0x54, 0x00, 0x4b, 0x00, 2};
	attach(1, 1u << KEEL_VIRTIO_NET, 0, 0);
	attach(2, 1u << KEEL_VIRTIO_NET, 0, 0);
	driver_start(1, KEEL_VIRTIO_NET, 2);
	driver_start(2, KEEL_VIRTIO_NET, 2);
	for (unsigned i = 0; i < VNET_BACKLOG + 2; i++)
		net_send(1, i % QNUM, to2, 1);
	assert_int_equal(v.net_drops, 2);
	assert_int_equal(used_idx(2, VNET_RXQ), 0);
	net_give_rx(2, 0); /* the notify delivers the oldest waiting frame */
	assert_int_equal(used_idx(2, VNET_RXQ), 1);
	assert_int_equal(net_rx(2, 0)[12 + 59], 0xa0);
	net_give_rx(2, 1);
	assert_int_equal(net_rx(2, 1)[12 + 59], 0xa1);
}

/* A guest sending from another port's address, or to no port, reaches nobody. */
static void net_spoofing_dropped(void **state)
{
	(void)state;
	const uint8_t to2[6] = {0x52, 0x54, 0x00, 0x4b, 0x00, 2};
	const uint8_t nobody[6] = {0x52, 0x54, 0x00, 0x4b, 0x00, 7};
	for (unsigned n = 1; n <= 3; n++) {
		attach(n, 1u << KEEL_VIRTIO_NET, 0, 0);
		driver_start(n, KEEL_VIRTIO_NET, 2);
		net_give_rx(n, 0);
	}
	net_send(1, 0, to2, 3); /* guest 1 claims to be guest 3 */
	assert_int_equal(v.net_spoofed, 1);
	assert_int_equal(used_idx(2, VNET_RXQ), 0);
	assert_int_equal(used_idx(1, VNET_TXQ), 1); /* its buffer still comes back */
	net_send(1, 1, nobody, 1);                  /* unicast to no port: not flooded */
	assert_int_equal(used_idx(2, VNET_RXQ), 0);
	assert_int_equal(used_idx(3, VNET_RXQ), 0);
	net_send(1, 2, to2, 1);
	assert_int_equal(used_idx(2, VNET_RXQ), 1);
	assert_int_equal(used_idx(3, VNET_RXQ), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(identity_and_config, setup, teardown),
	        cmocka_unit_test_setup_teardown(attach_refusals, setup, teardown),
	        cmocka_unit_test_setup_teardown(blk_write_read_in_slice, setup, teardown),
	        cmocka_unit_test_setup_teardown(blk_outside_slice_fails, setup, teardown),
	        cmocka_unit_test_setup_teardown(blk_flush_and_id, setup, teardown),
	        cmocka_unit_test_setup_teardown(blk_malformed_breaks_one_device, setup, teardown),
	        cmocka_unit_test_setup_teardown(blk_waits_for_disk_room, setup, teardown),
	        cmocka_unit_test_setup_teardown(detach_busy_while_in_flight, setup, teardown),
	        cmocka_unit_test_setup_teardown(net_switches_frames, setup, teardown),
	        cmocka_unit_test_setup_teardown(net_backlog_then_drop, setup, teardown),
	        cmocka_unit_test_setup_teardown(net_spoofing_dropped, setup, teardown),
	        cmocka_unit_test_setup_teardown(blk_status_and_fair_share, setup, teardown),
	        cmocka_unit_test_setup_teardown(reset_waits_then_clears, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
