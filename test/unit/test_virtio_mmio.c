/* SPDX-License-Identifier: MIT */
/* libs/virtio's virtio-mmio transport: identification, feature
 * negotiation, queue set-up, notifications, interrupts, the failure rule,
 * reset and configuration space. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "virtio/mmio.h"

#define BASE      0x80000000ull
#define RAM_SIZE  0x8000u
#define DESC_GPA  (BASE + 0x0000)
#define AVAIL_GPA (BASE + 0x1000)
#define USED_GPA  (BASE + 0x2000)
#define BUF_GPA   (BASE + 0x4000)
#define QSIZE     16

#define BIT(n)  (1ull << (n))
#define DEV_BIT BIT(3)

#define S_ACK  (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER)
#define S_FOK  (S_ACK | VIRTIO_STATUS_FEATURES_OK)
#define S_LIVE (S_FOK | VIRTIO_STATUS_DRIVER_OK)

/* A fake device: records what the transport calls. */
struct fake {
	unsigned notifies, last_queue, resets, cfg_writes;
	unsigned cfg_off, cfg_width;
	uint32_t cfg_val;
	bool pop_on_notify; /* the notify callback takes one chain */
	int popped;
};

static _Alignas(16) uint8_t ram[RAM_SIZE];
static struct fake dev;
static struct vmmio t;

static uint32_t fake_cfg_read(void *ctx, unsigned off, unsigned width)
{
	(void)ctx;
	/* Byte i of the space reads as (0xc0 + i) & 0xff. */
	uint32_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= ((0xc0u + off + i) & 0xff) << (8 * i);
	return v;
}

static void fake_cfg_write(void *ctx, unsigned off, unsigned width, uint32_t v)
{
	struct fake *f = ctx;
	f->cfg_writes++;
	f->cfg_off = off;
	f->cfg_width = width;
	f->cfg_val = v;
}

static void fake_notify(void *ctx, struct vmmio *tr, unsigned queue)
{
	struct fake *f = ctx;
	f->notifies++;
	f->last_queue = queue;
	if (f->pop_on_notify) {
		struct virtq_chain c;
		f->popped = vmmio_pop(tr, queue, &c);
	}
}

static void fake_reset(void *ctx)
{
	struct fake *f = ctx;
	f->resets++;
}

static const struct vmmio_ops ops = {
        .device_id = 2,
        .features =
                DEV_BIT | BIT(VIRTIO_F_EVENT_IDX) | BIT(VIRTIO_F_INDIRECT_DESC) | BIT(27) | BIT(33),
        .nqueues = 2,
        .queue_max = 0,
        .cfg_read = fake_cfg_read,
        .cfg_write = fake_cfg_write,
        .notify = fake_notify,
        .reset = fake_reset,
};

static uint8_t *at(uint64_t gpa)
{
	return ram + (gpa - BASE);
}

static uint32_t rd(uint64_t off)
{
	return (uint32_t)vmmio_read(&t, off, 4);
}

static void wr(uint64_t off, uint32_t v)
{
	vmmio_write(&t, off, 4, v);
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	memset(&dev, 0, sizeof(dev));
	vmmio_init(&t, &ops, &dev, (struct guest_mem){.host = ram, .gpa = BASE, .size = RAM_SIZE});
	return 0;
}

static void write_features(uint64_t f)
{
	wr(VMMIO_DRV_FEAT_SEL, 0);
	wr(VMMIO_DRV_FEATURES, (uint32_t)f);
	wr(VMMIO_DRV_FEAT_SEL, 1);
	wr(VMMIO_DRV_FEATURES, (uint32_t)(f >> 32));
}

/* What Linux's virtio_mmio does: status, features, queue 0, DRIVER_OK. */
static void bring_up(uint64_t features)
{
	wr(VMMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VMMIO_STATUS, S_ACK);
	write_features(features);
	wr(VMMIO_STATUS, S_FOK);
	assert_int_equal(rd(VMMIO_STATUS), S_FOK);
	wr(VMMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(VMMIO_QUEUE_READY), 0);
	wr(VMMIO_QUEUE_NUM, QSIZE);
	wr(VMMIO_QUEUE_DESC_LO, (uint32_t)DESC_GPA);
	wr(VMMIO_QUEUE_DESC_HI, (uint32_t)(DESC_GPA >> 32));
	wr(VMMIO_QUEUE_AVAIL_LO, (uint32_t)AVAIL_GPA);
	wr(VMMIO_QUEUE_AVAIL_HI, (uint32_t)(AVAIL_GPA >> 32));
	wr(VMMIO_QUEUE_USED_LO, (uint32_t)USED_GPA);
	wr(VMMIO_QUEUE_USED_HI, (uint32_t)(USED_GPA >> 32));
	wr(VMMIO_QUEUE_READY, 1);
	wr(VMMIO_STATUS, S_LIVE);
}

/* The driver offers chain `head` on queue 0, a 4-byte readable buffer. */
static void offer(uint16_t head, uint16_t flags, uint16_t next)
{
	uint8_t *d = at(DESC_GPA) + 16ull * head;
	le64_store(d, BUF_GPA);
	le32_store(d + 8, 4);
	le16_store(d + 12, flags);
	le16_store(d + 14, next);
	uint16_t idx = le16_load(at(AVAIL_GPA + 2));
	le16_store(at(AVAIL_GPA + 4 + 2ull * (idx % QSIZE)), head);
	le16_store(at(AVAIL_GPA + 2), (uint16_t)(idx + 1));
}

static void identification(void **state)
{
	(void)state;
	assert_int_equal(rd(VMMIO_MAGIC), 0x74726976);
	assert_int_equal(rd(VMMIO_VERSION), 2);
	assert_int_equal(rd(VMMIO_DEVICE_ID), 2);
	assert_int_equal(rd(VMMIO_VENDOR_ID), VMMIO_VENDOR);
	/* Read-only registers ignore writes. */
	wr(VMMIO_MAGIC, 0);
	wr(VMMIO_DEVICE_ID, 7);
	assert_int_equal(rd(VMMIO_MAGIC), 0x74726976);
	assert_int_equal(rd(VMMIO_DEVICE_ID), 2);
	/* Registers take aligned 32-bit accesses only. */
	assert_int_equal(vmmio_read(&t, VMMIO_MAGIC, 1), 0);
	assert_int_equal(vmmio_read(&t, VMMIO_MAGIC, 2), 0);
	assert_int_equal(vmmio_read(&t, VMMIO_MAGIC, 8), 0);
	assert_int_equal(vmmio_read(&t, VMMIO_VERSION + 1, 4), 0);
	assert_int_equal(vmmio_read(&t, VMMIO_MAGIC, 3), 0);
	/* Unknown and out-of-range offsets. */
	assert_int_equal(rd(0x0f8), 0);
	assert_int_equal(rd(VMMIO_SIZE), 0);
	assert_int_equal(rd(UINT64_MAX - 3), 0);
	vmmio_write(&t, UINT64_MAX, 8, UINT64_MAX);
	vmmio_write(&t, VMMIO_STATUS, 2, 0);
	assert_int_equal(dev.resets, 0);
	/* No shared memory regions. */
	assert_int_equal(rd(VMMIO_SHM_LEN_LO), 0xffffffff);
	assert_int_equal(rd(VMMIO_SHM_LEN_HI), 0xffffffff);
}

static void device_features_in_two_windows(void **state)
{
	(void)state;
	wr(VMMIO_DEV_FEAT_SEL, 0);
	/* Bit 27 is not a feature this transport implements: dropped. */
	assert_int_equal(rd(VMMIO_DEV_FEATURES),
	                 DEV_BIT | BIT(VIRTIO_F_EVENT_IDX) | BIT(VIRTIO_F_INDIRECT_DESC));
	wr(VMMIO_DEV_FEAT_SEL, 1);
	/* VERSION_1 added, bit 33 (ACCESS_PLATFORM) dropped. */
	assert_int_equal(rd(VMMIO_DEV_FEATURES), 1);
	wr(VMMIO_DEV_FEAT_SEL, 2);
	assert_int_equal(rd(VMMIO_DEV_FEATURES), 0);
}

static void features_ok_for_a_subset(void **state)
{
	(void)state;
	wr(VMMIO_STATUS, S_ACK);
	write_features(DEV_BIT | BIT(VIRTIO_F_VERSION_1));
	wr(VMMIO_STATUS, S_FOK);
	assert_int_equal(rd(VMMIO_STATUS), S_FOK);
	assert_int_equal(t.driver_features, DEV_BIT | BIT(VIRTIO_F_VERSION_1));
	/* Fixed from now on. */
	wr(VMMIO_DRV_FEAT_SEL, 0);
	wr(VMMIO_DRV_FEATURES, 0);
	assert_int_equal(t.driver_features, DEV_BIT | BIT(VIRTIO_F_VERSION_1));
}

static void features_ok_refused_beyond_offer(void **state)
{
	(void)state;
	wr(VMMIO_STATUS, S_ACK);
	write_features(DEV_BIT | BIT(VIRTIO_F_VERSION_1) | BIT(27));
	wr(VMMIO_STATUS, S_FOK);
	assert_int_equal(rd(VMMIO_STATUS), S_ACK);
	/* A high-word bit the device lacks. */
	write_features(BIT(VIRTIO_F_VERSION_1) | BIT(33));
	wr(VMMIO_STATUS, S_FOK);
	assert_int_equal(rd(VMMIO_STATUS), S_ACK);
	/* Selector windows past the second are ignored. */
	write_features(BIT(VIRTIO_F_VERSION_1));
	wr(VMMIO_DRV_FEAT_SEL, 2);
	wr(VMMIO_DRV_FEATURES, 0xffffffff);
	wr(VMMIO_STATUS, S_FOK);
	assert_int_equal(rd(VMMIO_STATUS), S_FOK);
}

static void features_ok_refused_without_version_1(void **state)
{
	(void)state;
	wr(VMMIO_STATUS, S_ACK);
	write_features(DEV_BIT);
	wr(VMMIO_STATUS, S_FOK);
	assert_int_equal(rd(VMMIO_STATUS), S_ACK);
	assert_false(rd(VMMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
}

static void queue_set_up_and_ready(void **state)
{
	(void)state;
	bring_up(BIT(VIRTIO_F_VERSION_1));
	const struct virtq *q = &t.q[0];
	assert_true(q->ready);
	assert_int_equal(rd(VMMIO_QUEUE_READY), 1);
	assert_int_equal(q->num, QSIZE);
	assert_int_equal(q->desc, DESC_GPA);
	assert_int_equal(q->avail, AVAIL_GPA);
	assert_int_equal(q->used, USED_GPA);
	assert_false(q->event_idx);
	assert_false(q->indirect);
	assert_true(vmmio_live(&t));
	/* Its registers are fixed while it is ready. */
	wr(VMMIO_QUEUE_NUM, 4);
	wr(VMMIO_QUEUE_DESC_LO, 0);
	assert_int_equal(q->num, QSIZE);
	assert_int_equal(q->desc, DESC_GPA);
	/* Ready 0 stops it; ready again starts from index 0. */
	t.q[0].last_avail = 9;
	wr(VMMIO_QUEUE_READY, 0);
	assert_int_equal(rd(VMMIO_QUEUE_READY), 0);
	assert_false(q->ready);
	wr(VMMIO_QUEUE_READY, 1);
	assert_true(q->ready);
	assert_int_equal(q->last_avail, 0);
	/* Queue 1 was never touched. */
	wr(VMMIO_QUEUE_SEL, 1);
	assert_int_equal(rd(VMMIO_QUEUE_READY), 0);
}

static void ring_features_follow_negotiation(void **state)
{
	(void)state;
	bring_up(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_EVENT_IDX) | BIT(VIRTIO_F_INDIRECT_DESC));
	assert_true(t.q[0].event_idx);
	assert_true(t.q[0].indirect);
	setup(NULL);
	bring_up(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_INDIRECT_DESC));
	assert_false(t.q[0].event_idx);
	assert_true(t.q[0].indirect);
}

static void queue_num_max_and_missing_queues(void **state)
{
	(void)state;
	wr(VMMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(VMMIO_QUEUE_NUM_MAX), VIRTQ_MAX_SIZE);
	wr(VMMIO_QUEUE_SEL, 1);
	assert_int_equal(rd(VMMIO_QUEUE_NUM_MAX), VIRTQ_MAX_SIZE);
	/* A queue the device does not have: max 0, writes ignored. */
	wr(VMMIO_QUEUE_SEL, 2);
	assert_int_equal(rd(VMMIO_QUEUE_NUM_MAX), 0);
	wr(VMMIO_QUEUE_NUM, 8);
	wr(VMMIO_QUEUE_READY, 1);
	assert_int_equal(rd(VMMIO_QUEUE_READY), 0);
	assert_int_equal(t.q[2].num, 0);
	wr(VMMIO_QUEUE_SEL, 0xffffffff);
	assert_int_equal(rd(VMMIO_QUEUE_NUM_MAX), 0);
	/* A device's own smaller maximum. */
	struct vmmio_ops small = ops;
	small.queue_max = 64;
	vmmio_init(&t, &small, &dev, t.mem);
	assert_int_equal(rd(VMMIO_QUEUE_NUM_MAX), 64);
	small.queue_max = 1024;
	assert_int_equal(rd(VMMIO_QUEUE_NUM_MAX), VIRTQ_MAX_SIZE);
}

static void bad_queue_num_fails_device(void **state)
{
	(void)state;
	static const uint32_t bad[] = {0, 3, 24, 2 * VIRTQ_MAX_SIZE, 0x10010};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setup(NULL);
		wr(VMMIO_STATUS, S_FOK);
		wr(VMMIO_QUEUE_NUM, bad[i]);
		wr(VMMIO_QUEUE_READY, 1);
		assert_int_equal(rd(VMMIO_QUEUE_READY), 0);
		assert_true(rd(VMMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	}
	/* 1 and the maximum are fine. */
	setup(NULL);
	wr(VMMIO_QUEUE_NUM, 1);
	wr(VMMIO_QUEUE_READY, 1);
	wr(VMMIO_QUEUE_SEL, 1);
	wr(VMMIO_QUEUE_NUM, VIRTQ_MAX_SIZE);
	wr(VMMIO_QUEUE_READY, 1);
	assert_true(t.q[0].ready && t.q[1].ready);
	assert_false(t.broken);
}

static void notify_dispatch(void **state)
{
	(void)state;
	bring_up(BIT(VIRTIO_F_VERSION_1));
	wr(VMMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(dev.notifies, 1);
	assert_int_equal(dev.last_queue, 0);
	/* Not ready, missing, or before DRIVER_OK: ignored. */
	wr(VMMIO_QUEUE_NOTIFY, 1);
	wr(VMMIO_QUEUE_NOTIFY, 2);
	wr(VMMIO_QUEUE_NOTIFY, 0xffffffff);
	assert_int_equal(dev.notifies, 1);
	wr(VMMIO_STATUS, S_FOK);
	wr(VMMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(dev.notifies, 1);
	wr(VMMIO_STATUS, S_LIVE);
	wr(VMMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(dev.notifies, 2);
}

static void interrupt_status_and_ack(void **state)
{
	(void)state;
	assert_false(vmmio_irq_level(&t));
	vmmio_used(&t);
	assert_true(vmmio_irq_level(&t));
	assert_int_equal(rd(VMMIO_INT_STATUS), VMMIO_INT_USED);
	vmmio_config_changed(&t);
	assert_int_equal(rd(VMMIO_INT_STATUS), VMMIO_INT_USED | VMMIO_INT_CONFIG);
	/* Read-only: a write does not clear it. */
	wr(VMMIO_INT_STATUS, 0);
	assert_int_equal(rd(VMMIO_INT_STATUS), VMMIO_INT_USED | VMMIO_INT_CONFIG);
	wr(VMMIO_INT_ACK, VMMIO_INT_USED);
	assert_int_equal(rd(VMMIO_INT_STATUS), VMMIO_INT_CONFIG);
	assert_true(vmmio_irq_level(&t));
	wr(VMMIO_INT_ACK, VMMIO_INT_CONFIG);
	assert_false(vmmio_irq_level(&t));
}

static void fail_needs_reset_and_blocks_notify(void **state)
{
	(void)state;
	bring_up(BIT(VIRTIO_F_VERSION_1));
	vmmio_fail(&t);
	assert_int_equal(rd(VMMIO_STATUS), S_LIVE | VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(rd(VMMIO_INT_STATUS), VMMIO_INT_CONFIG);
	assert_false(vmmio_live(&t));
	wr(VMMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(dev.notifies, 0);
	/* The driver cannot clear the bit, only reset. */
	wr(VMMIO_STATUS, S_LIVE);
	assert_int_equal(rd(VMMIO_STATUS), S_LIVE | VIRTIO_STATUS_NEEDS_RESET);
	wr(VMMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(dev.notifies, 0);
	wr(VMMIO_STATUS, 0);
	assert_int_equal(dev.resets, 1);
	assert_int_equal(rd(VMMIO_STATUS), 0);
	assert_int_equal(rd(VMMIO_INT_STATUS), 0);
	bring_up(BIT(VIRTIO_F_VERSION_1));
	wr(VMMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(dev.notifies, 1);
}

static void reset_clears_everything(void **state)
{
	(void)state;
	bring_up(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_EVENT_IDX));
	vmmio_config_changed(&t);
	wr(VMMIO_STATUS, 0);
	assert_int_equal(dev.resets, 1);
	assert_false(t.q[0].ready);
	assert_int_equal(t.q[0].num, 0);
	assert_int_equal(t.q[0].desc, 0);
	assert_false(t.q[0].event_idx);
	assert_int_equal(t.driver_features, 0);
	assert_int_equal(t.queue_sel, 0);
	assert_int_equal(rd(VMMIO_INT_STATUS), 0);
	assert_int_equal(rd(VMMIO_QUEUE_READY), 0);
	/* The generation keeps counting up. */
	assert_int_equal(rd(VMMIO_CONFIG_GEN), 1);
	assert_ptr_equal(t.ops, &ops);
	assert_ptr_equal(t.mem.host, ram);
}

static void config_space_through_ops(void **state)
{
	(void)state;
	assert_int_equal(vmmio_read(&t, VMMIO_CONFIG, 1), 0xc0);
	assert_int_equal(vmmio_read(&t, VMMIO_CONFIG + 6, 2), 0xc7c6);
	assert_int_equal(vmmio_read(&t, VMMIO_CONFIG + 4, 4), 0xc7c6c5c4);
	assert_int_equal(vmmio_read(&t, VMMIO_CONFIG + 8, 8), 0xcfcecdcccbcac9c8ull);
	/* Unaligned, odd widths and past the end read 0. */
	assert_int_equal(vmmio_read(&t, VMMIO_CONFIG + 1, 2), 0);
	assert_int_equal(vmmio_read(&t, VMMIO_CONFIG + 4, 8), 0);
	assert_int_equal(vmmio_read(&t, VMMIO_CONFIG, 3), 0);
	assert_int_equal(vmmio_read(&t, VMMIO_SIZE, 1), 0);
	assert_int_equal(vmmio_read(&t, VMMIO_SIZE - 4, 4), 0xbfbebdbc);
	vmmio_write(&t, VMMIO_CONFIG + 2, 2, 0xbeef);
	assert_int_equal(dev.cfg_writes, 1);
	assert_int_equal(dev.cfg_off, 2);
	assert_int_equal(dev.cfg_width, 2);
	assert_int_equal(dev.cfg_val, 0xbeef);
	vmmio_write(&t, VMMIO_CONFIG + 8, 8, 0x1122334455667788ull);
	assert_int_equal(dev.cfg_writes, 3);
	assert_int_equal(dev.cfg_off, 12);
	assert_int_equal(dev.cfg_val, 0x11223344);
	vmmio_write(&t, VMMIO_CONFIG + 3, 2, 0);
	assert_int_equal(dev.cfg_writes, 3);
	/* Without callbacks: reads 0, writes dropped. */
	struct vmmio_ops bare = ops;
	bare.cfg_read = NULL;
	bare.cfg_write = NULL;
	vmmio_init(&t, &bare, &dev, t.mem);
	assert_int_equal(vmmio_read(&t, VMMIO_CONFIG, 4), 0);
	vmmio_write(&t, VMMIO_CONFIG, 4, 1);
	assert_int_equal(dev.cfg_writes, 3);
}

static void config_generation(void **state)
{
	(void)state;
	assert_int_equal(rd(VMMIO_CONFIG_GEN), 0);
	vmmio_config_changed(&t);
	assert_int_equal(rd(VMMIO_CONFIG_GEN), 1);
	assert_int_equal(rd(VMMIO_INT_STATUS), VMMIO_INT_CONFIG);
	vmmio_config_changed(&t);
	assert_int_equal(rd(VMMIO_CONFIG_GEN), 2);
}

static void cfg_bytes_reads_an_image(void **state)
{
	(void)state;
	static const uint8_t img[6] = {1, 2, 3, 4, 5, 6};
	assert_int_equal(vmmio_cfg_bytes(img, sizeof(img), 0, 4), 0x04030201);
	assert_int_equal(vmmio_cfg_bytes(img, sizeof(img), 4, 2), 0x0605);
	assert_int_equal(vmmio_cfg_bytes(img, sizeof(img), 5, 1), 6);
	assert_int_equal(vmmio_cfg_bytes(img, sizeof(img), 4, 4), 0);
	assert_int_equal(vmmio_cfg_bytes(img, sizeof(img), 6, 1), 0);
	assert_int_equal(vmmio_cfg_bytes(img, sizeof(img), 0, 3), 0);
	assert_int_equal(vmmio_cfg_bytes(img, sizeof(img), UINT32_MAX, 4), 0);
}

/* A device's notify pops through the transport: a good chain is served
 * and signalled, a malformed one fails the device. */
static void pop_push_signal(void **state)
{
	(void)state;
	dev.pop_on_notify = true;
	bring_up(BIT(VIRTIO_F_VERSION_1));
	offer(0, 0, 0);
	wr(VMMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(dev.popped, 1);
	assert_int_equal(vmmio_push(&t, 0, 0, 0), 0);
	vmmio_signal(&t, 0);
	assert_int_equal(rd(VMMIO_INT_STATUS), VMMIO_INT_USED);
	assert_int_equal(le16_load(at(USED_GPA + 2)), 1);
	/* A driver that wants no interrupt gets none. */
	wr(VMMIO_INT_ACK, VMMIO_INT_USED);
	le16_store(at(AVAIL_GPA), VIRTQ_AVAIL_F_NO_INTERRUPT);
	offer(0, 0, 0);
	wr(VMMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(dev.popped, 1);
	assert_int_equal(vmmio_push(&t, 0, 0, 0), 0);
	vmmio_signal(&t, 0);
	assert_false(vmmio_irq_level(&t));
	/* Queue 1 is not ready: nothing to take or give. */
	struct virtq_chain c;
	assert_int_equal(vmmio_pop(&t, 1, &c), 0);
	assert_int_equal(vmmio_push(&t, 1, 0, 0), -1);
	assert_false(t.broken);
}

static void malformed_chain_fails_device(void **state)
{
	(void)state;
	dev.pop_on_notify = true;
	bring_up(BIT(VIRTIO_F_VERSION_1));
	offer(1, VIRTQ_DESC_F_NEXT, 1); /* a loop */
	wr(VMMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(dev.popped, 0);
	assert_true(t.broken);
	assert_true(rd(VMMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(rd(VMMIO_INT_STATUS), VMMIO_INT_CONFIG);
	/* Stopped: no more notifications, nothing popped or pushed. */
	wr(VMMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(dev.notifies, 1);
	struct virtq_chain c;
	assert_int_equal(vmmio_pop(&t, 0, &c), 0);
	assert_int_equal(vmmio_push(&t, 0, 1, 0), -1);
	assert_int_equal(le16_load(at(USED_GPA + 2)), 0);
}

static void push_to_lost_used_ring_fails_device(void **state)
{
	(void)state;
	bring_up(BIT(VIRTIO_F_VERSION_1));
	t.q[0].used = BASE + RAM_SIZE;
	assert_int_equal(vmmio_push(&t, 0, 0, 0), -1);
	assert_true(t.broken);
}

/* With EVENT_IDX, finding the queue empty asks for the next notification. */
static void empty_pop_publishes_avail_event(void **state)
{
	(void)state;
	bring_up(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_EVENT_IDX));
	uint8_t *avail_event = at(USED_GPA + 4 + 8ull * QSIZE);
	le16_store(avail_event, 0xffff);
	offer(0, 0, 0);
	struct virtq_chain c;
	assert_int_equal(vmmio_pop(&t, 0, &c), 1);
	assert_int_equal(le16_load(avail_event), 0xffff);
	assert_int_equal(vmmio_pop(&t, 0, &c), 0);
	assert_int_equal(le16_load(avail_event), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(identification, setup),
	        cmocka_unit_test_setup(device_features_in_two_windows, setup),
	        cmocka_unit_test_setup(features_ok_for_a_subset, setup),
	        cmocka_unit_test_setup(features_ok_refused_beyond_offer, setup),
	        cmocka_unit_test_setup(features_ok_refused_without_version_1, setup),
	        cmocka_unit_test_setup(queue_set_up_and_ready, setup),
	        cmocka_unit_test_setup(ring_features_follow_negotiation, setup),
	        cmocka_unit_test_setup(queue_num_max_and_missing_queues, setup),
	        cmocka_unit_test_setup(bad_queue_num_fails_device, setup),
	        cmocka_unit_test_setup(notify_dispatch, setup),
	        cmocka_unit_test_setup(interrupt_status_and_ack, setup),
	        cmocka_unit_test_setup(fail_needs_reset_and_blocks_notify, setup),
	        cmocka_unit_test_setup(reset_clears_everything, setup),
	        cmocka_unit_test_setup(config_space_through_ops, setup),
	        cmocka_unit_test_setup(config_generation, setup),
	        cmocka_unit_test_setup(cfg_bytes_reads_an_image, setup),
	        cmocka_unit_test_setup(pop_push_signal, setup),
	        cmocka_unit_test_setup(malformed_chain_fails_device, setup),
	        cmocka_unit_test_setup(push_to_lost_used_ring_fails_device, setup),
	        cmocka_unit_test_setup(empty_pop_publishes_avail_event, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
