/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio transport, version 2 (virtio 1.2, section 4.2.2), as the
 * register file a guest driver sees, with no I/O of its own: the owner
 * forwards the guest's accesses to vmmio_read/vmmio_write and drives the
 * guest's interrupt line from vmmio_irq_level(). The device behind it is a
 * table of callbacks (struct vmmio_ops) for its configuration space, queue
 * notifications and reset.
 *
 * The transport negotiates features (offering the device's own bits, 0 to
 * 23, plus VERSION_1 and the ring features it implements), keeps the
 * queues' addresses and sizes, and owns the failure rule: a device whose
 * driver broke the rules (vmmio_fail) shows DEVICE_NEEDS_RESET, raises a
 * configuration-change interrupt and gets no more notifications until
 * the driver writes Status = 0.
 */
#ifndef VIRTIO_MMIO_H
#define VIRTIO_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio/guestmem.h"
#include "virtio/virtq.h"

/* Register offsets. */
#define VMMIO_MAGIC          0x000
#define VMMIO_VERSION        0x004
#define VMMIO_DEVICE_ID      0x008
#define VMMIO_VENDOR_ID      0x00c
#define VMMIO_DEV_FEATURES   0x010
#define VMMIO_DEV_FEAT_SEL   0x014
#define VMMIO_DRV_FEATURES   0x020
#define VMMIO_DRV_FEAT_SEL   0x024
#define VMMIO_QUEUE_SEL      0x030
#define VMMIO_QUEUE_NUM_MAX  0x034
#define VMMIO_QUEUE_NUM      0x038
#define VMMIO_QUEUE_READY    0x044
#define VMMIO_QUEUE_NOTIFY   0x050
#define VMMIO_INT_STATUS     0x060
#define VMMIO_INT_ACK        0x064
#define VMMIO_STATUS         0x070
#define VMMIO_QUEUE_DESC_LO  0x080
#define VMMIO_QUEUE_DESC_HI  0x084
#define VMMIO_QUEUE_AVAIL_LO 0x090 /* QueueDriver */
#define VMMIO_QUEUE_AVAIL_HI 0x094
#define VMMIO_QUEUE_USED_LO  0x0a0 /* QueueDevice */
#define VMMIO_QUEUE_USED_HI  0x0a4
#define VMMIO_SHM_LEN_LO     0x0b0 /* no shared memory regions: reads all ones */
#define VMMIO_SHM_LEN_HI     0x0b4
#define VMMIO_CONFIG_GEN     0x0fc
#define VMMIO_CONFIG         0x100 /* device configuration space */
#define VMMIO_SIZE           0x200

#define VMMIO_MAGIC_VALUE 0x74726976 /* "virt" */
#define VMMIO_VENDOR      0x4c45454b /* "KEEL" */

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER      0x02
#define VIRTIO_STATUS_DRIVER_OK   0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED      0x80

/* InterruptStatus bits. */
#define VMMIO_INT_USED   0x1
#define VMMIO_INT_CONFIG 0x2

#define VIRTIO_F_VERSION_1 32

#define VMMIO_MAX_QUEUES 4

struct vmmio;

struct vmmio_ops {
	uint32_t device_id;
	/* Device feature bits 0-23, plus VIRTIO_F_EVENT_IDX and
	 * VIRTIO_F_INDIRECT_DESC if the device wants them offered; other
	 * transport bits are dropped, VERSION_1 is always added. */
	uint64_t features;
	unsigned nqueues;   /* at most VMMIO_MAX_QUEUES */
	uint16_t queue_max; /* QueueNumMax; 0 or above VIRTQ_MAX_SIZE means VIRTQ_MAX_SIZE */
	/* Configuration space, offset from VMMIO_CONFIG; width 1, 2 or 4 and
	 * aligned to it (an 8-byte access comes as two 4-byte ones). */
	uint32_t (*cfg_read)(void *ctx, unsigned off, unsigned width);
	void (*cfg_write)(void *ctx, unsigned off, unsigned width, uint32_t v); /* may be NULL */
	/* QueueNotify for a ready queue of a live device; called from vmmio_write. */
	void (*notify)(void *ctx, struct vmmio *t, unsigned queue);
	/* The driver wrote Status = 0; may be NULL. */
	void (*reset)(void *ctx);
};

struct vmmio {
	const struct vmmio_ops *ops;
	void *ctx;
	struct guest_mem mem;
	uint32_t status, isr, dev_feat_sel, drv_feat_sel, queue_sel, cfg_gen;
	uint64_t driver_features;
	bool broken;
	struct virtq q[VMMIO_MAX_QUEUES];
};

void vmmio_init(struct vmmio *t, const struct vmmio_ops *ops, void *ctx, struct guest_mem mem);

/* A guest access of `width` bytes (1, 2, 4 or 8) at offset `off`. Registers
 * below VMMIO_CONFIG take aligned 32-bit accesses only; configuration space
 * takes any naturally aligned width. Anything else, and writes to read-only
 * registers, are ignored (reads give 0). */
uint64_t vmmio_read(struct vmmio *t, uint64_t off, unsigned width);
void vmmio_write(struct vmmio *t, uint64_t off, unsigned width, uint64_t value);

/* The level of the device's interrupt line: InterruptStatus != 0. */
bool vmmio_irq_level(const struct vmmio *t);

/* Raise a used-buffer interrupt. */
void vmmio_used(struct vmmio *t);

/* The configuration space changed: new ConfigGeneration, interrupt. */
void vmmio_config_changed(struct vmmio *t);

/* The driver broke the rules: DEVICE_NEEDS_RESET, a configuration-change
 * interrupt, and no more notifications until Status = 0. */
void vmmio_fail(struct vmmio *t);

/* DRIVER_OK and not failed: the device may use its queues. */
bool vmmio_live(const struct vmmio *t);

/* The device's queue `qi`, if the device has that many, else NULL. */
struct virtq *vmmio_queue(struct vmmio *t, unsigned qi);

/* For a device's notify callback, the failure rule applied: take the next
 * chain of queue qi (1) or find none (0, also when the device is not live
 * or the queue not ready). A malformed queue fails the device and gives 0.
 * With EVENT_IDX an empty queue republishes avail_event and looks again,
 * so no buffer added meanwhile is missed. */
int vmmio_pop(struct vmmio *t, unsigned qi, struct virtq_chain *c);

/* Give a chain back (0); -1, the device failed, if the used ring is gone
 * or the device is not live. */
int vmmio_push(struct vmmio *t, unsigned qi, uint16_t head, uint32_t len);

/* After a batch of pushes: raise the used-buffer interrupt if the driver
 * wants one. */
void vmmio_signal(struct vmmio *t, unsigned qi);

/* A configuration-space read served from a little-endian image of `size`
 * bytes: `width` bytes at `off`, 0 where they do not lie inside it. */
uint32_t vmmio_cfg_bytes(const void *img, size_t size, unsigned off, unsigned width);

#endif
