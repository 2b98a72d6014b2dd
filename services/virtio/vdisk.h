/* SPDX-License-Identifier: MIT */
/*
 * A driver for a virtio-blk device behind virtio-mmio version 2 (virtio
 * 1.x; legacy version 1 devices are refused), such as the disk QEMU virt
 * gives the hypervisor in its last virtio-mmio slot (0x0a003e00, SPI 47 =
 * INTID 79). QEMU makes virtio-mmio devices legacy unless told
 * `-global virtio-mmio.force-legacy=false`. Pure logic with no system
 * calls: registers are reached through `regs`, and the ring lives in a
 * DMA area the caller provides. The driver serves sector-addressed
 * requests; carving the disk into per-VM partitions is the caller's
 * business.
 *
 * What the caller provides:
 * - `regs`: the device's 4 KiB frame mapped as device memory (every
 *   access the driver makes is a 32-bit one, as virtio-mmio requires).
 * - A DMA area of VDISK_DMA_SIZE bytes (less is refused if the queue does
 *   not fit), 16-byte aligned both at `dma` and at `dma_phys`, physically
 *   contiguous, and coherent with the device (QEMU's devices are; on
 *   hardware map it non-cacheable or use coherent DMA). It holds only the
 *   queue and the per-request headers and status bytes: it must stay
 *   mapped and untouched by anyone else while the driver lives.
 * - Physical addresses of the data (guest RAM is physically contiguous, so
 *   a guest buffer is one segment): data is DMA'd in place, never copied.
 *   The buffers must stay put until their request is reaped.
 *
 * Use:
 *   vdisk_init once (refusals come with a reason in `why`);
 *   vdisk_submit per request: 0 queued, 1 not enough free descriptors
 *   (keep it and retry after the next reap), -1 never acceptable;
 *   on the device's interrupt notification: vdisk_reap, which first acks
 *   the device's InterruptStatus and only then collects completions (a
 *   completion that lands after that ack raises the line again, so none
 *   is lost), and only after it ack the IRQ to the kernel (the line is
 *   level-triggered: acked earlier, it would fire again at once); then
 *   retry the requests that got 1. Reaping without an interrupt (polling)
 *   is also fine.
 *
 * A request's status is the device's status byte: VBLK_S_OK,
 * VBLK_S_IOERR, VBLK_S_UNSUPP; 0xff if the device completed it
 * without writing one. Requests complete in any order the device likes.
 *
 * Not done: multiple queues, indirect descriptors, event index, discard
 * and write-zeroes, read-only and resize reporting beyond the capacity
 * re-read on a configuration-change interrupt, and recovery from
 * DEVICE_NEEDS_RESET. One driver instance is not thread safe.
 */
#ifndef VIRTIO_VDISK_H
#define VIRTIO_VDISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <virtio/blk.h> /* request types and status bytes (VBLK_T_*, VBLK_S_*) */

#define VDISK_SECTOR    VBLK_SECTOR
#define VDISK_QUEUE_MAX 128u  /* descriptors used at most, a power of two */
#define VDISK_MAX_SEGS  32u   /* data segments per request at most */
#define VDISK_DMA_SIZE  8192u /* enough for a queue of VDISK_QUEUE_MAX */

struct vdisk_seg {
	uint64_t phys;
	uint32_t len;
};

/* IN reads the disk into the segments, OUT writes them to it; FLUSH has
 * no segments and needs vdisk_has_flush. The total length of IN and OUT
 * is a multiple of VDISK_SECTOR and stays within the capacity. */
struct vdisk_req {
	uint32_t type; /* VBLK_T_* */
	unsigned nseg;
	uint64_t sector;
	uint64_t cookie; /* handed back on completion */
	struct vdisk_seg seg[VDISK_MAX_SEGS];
};

/* The split virtqueue's parts, laid out in vdisk.c. */
struct vdisk_desc;
struct vdisk_avail;
struct vdisk_used;
struct vdisk_hdr;

struct vdisk {
	volatile uint32_t *regs;
	uint8_t *dma;
	uint64_t dma_phys;
	struct vdisk_desc *desc;
	struct vdisk_avail *avail;
	struct vdisk_used *used;
	struct vdisk_hdr *hdr; /* by head descriptor: the request's header */
	uint8_t *status;       /* by head descriptor: the byte the device writes */
	uint16_t qsize;        /* descriptors, a power of two */
	uint16_t nfree, free_head;
	uint16_t avail_idx, last_used;  /* free-running, wrap at 65536 */
	uint16_t link[VDISK_QUEUE_MAX]; /* next free descriptor, or next in a chain */
	uint8_t ndesc[VDISK_QUEUE_MAX]; /* by head: chain length in flight, 0 = none */
	uint64_t cookie[VDISK_QUEUE_MAX];
	uint64_t features; /* negotiated */
	uint64_t capacity; /* in VDISK_SECTOR sectors */
	uint32_t blk_size; /* the device's logical block size (512 if not told) */
	unsigned max_segs;
	unsigned long bad_used; /* used entries naming no request in flight */
};

/* Probe, reset and start the device; 0, or -1 with the reason in why. */
int vdisk_init(struct vdisk *d, volatile uint32_t *regs, void *dma, uint64_t dma_phys,
               size_t dma_size, char *why, size_t why_size);

/* Queue one request: 0 queued, 1 not enough free descriptors now, -1 invalid. */
int vdisk_submit(struct vdisk *d, const struct vdisk_req *r);

/* Ack the device's interrupt, then call done() for each finished request;
 * returns how many finished. The request's descriptors are free when done()
 * runs, so done() may call vdisk_submit (a waiting request takes them). */
typedef void vdisk_done_fn(void *ctx, uint64_t cookie, uint8_t status);
unsigned vdisk_reap(struct vdisk *d, vdisk_done_fn *done, void *ctx);

uint64_t vdisk_capacity(const struct vdisk *d);
bool vdisk_has_flush(const struct vdisk *d);
uint32_t vdisk_blk_size(const struct vdisk *d);
unsigned vdisk_max_segs(const struct vdisk *d);
unsigned vdisk_free_descs(const struct vdisk *d);

#ifdef VDISK_MMIO_HOOKS
/* Host tests only: their fake device sees each register access. */
void vdisk_mmio_reading(volatile uint32_t *regs, uint32_t off);
void vdisk_mmio_wrote(volatile uint32_t *regs, uint32_t off);
#endif

#endif
