/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio devices the virtio service gives guests (keel/devctl.h,
 * DEVCTL_VIRTIO): per guest a virtio-blk disk on its slice of the physical
 * disk, a virtio-net port on the switch that joins the guests, and the
 * transports' interrupt lines. Pure: main.c maps guest RAM, owns the
 * physical disk and makes the system calls; the host unit tests drive
 * this code with a fake disk and fake guest memory.
 *
 * What a guest can reach: only its own RAM window (every ring and buffer
 * goes through guest_ptr) and its own disk slice (checked per request).
 * A malformed ring or chain marks that one device NEEDS_RESET and nothing
 * else happens: the other devices, guests and the disk go on.
 */
#ifndef VIRTIO_VDEV_H
#define VIRTIO_VDEV_H

#include "vdisk.h"

#include <keel/devctl.h>
#include <stdbool.h>
#include <stdint.h>
#include <virtio/guestmem.h>
#include <virtio/mmio.h>
#include <virtio/net.h>

#define VDEV_GUESTS      8   /* badges 1..8, as the UARTs */
#define VDEV_MAX_PENDING 128 /* disk requests in flight, all guests */
#define VDEV_GUEST_MAX   64  /* ... of one guest: it cannot take them all */
#define VDEV_SECTOR      VDISK_SECTOR
#define VNET_BACKLOG     8 /* frames a port keeps while it has no buffer */

/* The physical disk as the device models see it: requests carry physical
 * addresses (guest RAM is one physically contiguous frame), so the data
 * moves by DMA straight between the disk and the guest's buffers. */
struct vdev_disk {
	uint64_t sectors;            /* 0: no disk; every request fails with IOERR */
	bool flush;                  /* the disk honours flush (a write cache to drain) */
	unsigned max_segs;           /* data buffers one request may have */
	unsigned (*room)(void *ctx); /* free descriptors */
	int (*submit)(void *ctx, const struct vdisk_req *r); /* 0 queued, 1 full, -1 bad */
	void *ctx;
};

/* What a transport's callbacks need to find their device. */
struct vdev_ref {
	struct vdev *v;
	unsigned n, dev;
};

struct vdev_guest {
	bool on;
	bool stopping;      /* detached while its disk requests finish: serves nothing */
	unsigned in_flight; /* its disk requests */
	unsigned devices;   /* 1 << KEEL_VIRTIO_* */
	unsigned long vm;   /* VM capability slot for interrupts (0: none) */
	unsigned long ram;  /* the service's slot of the RAM frame */
	struct guest_mem mem;
	uint64_t ram_phys;
	uint64_t disk_first, disk_sectors; /* its slice, in sectors */
	uint8_t mac[6];                    /* its port's address, the only source it may use */
	uint32_t gen[KEEL_VIRTIO_DEVS];    /* bumped by each reset: stale completions */
	bool level[KEEL_VIRTIO_DEVS];      /* what the interrupt controller has */
	bool failed[KEEL_VIRTIO_DEVS];     /* its breakage was reported */
	struct vmmio t[KEEL_VIRTIO_DEVS];
	struct vdev_ref ref[KEEL_VIRTIO_DEVS];
};

/* A disk request in flight; the cookie given to the disk is its index. */
struct vdev_pending {
	bool used;
	uint8_t n;
	uint16_t head;
	uint32_t gen;
	uint32_t len; /* bytes the device wrote into the chain */
	uint8_t *status;
};

struct vdev {
	struct vdev_guest g[VDEV_GUESTS + 1]; /* by badge; 0 unused */
	struct vdev_disk disk;
	struct vdev_pending pend[VDEV_MAX_PENDING];
	unsigned in_flight;
	unsigned irq;         /* bit n: guest n's lines may have changed */
	bool disk_waiting;    /* a guest's requests wait for room on the disk */
	unsigned resume_next; /* the guest served first when room comes: by turns */
	/* counters for the tests */
	unsigned long blk_reqs, blk_errors, net_frames, net_drops, net_spoofed, broken;
	/* frames waiting for a port's receive buffers */
	struct {
		uint16_t len[VNET_BACKLOG];
		uint8_t data[VNET_BACKLOG][VNET_MAX_FRAME];
		unsigned head, count;
	} backlog[VDEV_GUESTS + 1];
};

/* Guest n gets `devices` (1 << KEEL_VIRTIO_*) with its RAM at `host`
 * (guest-physical KEEL_VIRTIO_RAM_BASE, physical ram_phys) and, for
 * virtio-blk, the disk slice [first_mib, first_mib + mib). 0 or
 * -KEEL_EINVAL / -KEEL_EEXIST (keel/devctl.h, DEVCTL_VIRTIO). */
long vdev_attach(struct vdev *v, unsigned n, unsigned devices, unsigned long vm, void *host,
                 uint64_t ram_phys, uint64_t ram_size, uint64_t first_mib, uint64_t mib);

/* -KEEL_EBUSY while the disk still has requests of guest n in flight (they
 * write into its RAM): from then on its devices serve nothing, so a later
 * call succeeds once those complete. Else 0: its devices are gone. */
long vdev_detach(struct vdev *v, unsigned n);

/* Guest n's devices as a driver's reset leaves them, once none of its disk
 * requests is in flight: -KEEL_EBUSY until then (its devices serve
 * nothing meanwhile), -KEEL_ENOENT if it has none, else 0. */
long vdev_reset(struct vdev *v, unsigned n);

/* Whether `ipa` is in guest n's virtio page. */
bool vdev_claims(const struct vdev *v, unsigned n, uint64_t ipa);

/* A guest access in the virtio page: the value read (0 for a write). */
uint64_t vdev_access(struct vdev *v, unsigned n, uint64_t ipa, unsigned width, bool write,
                     uint64_t value);

/* A device that broke since the last call (its driver broke a rule of the
 * rings): true with its guest and device index; each breakage once. */
bool vdev_newly_broken(struct vdev *v, unsigned *n, unsigned *dev);

/* The disk finished request `cookie` with `status` (VBLK_S_*). */
void vdev_disk_done(struct vdev *v, uint64_t cookie, uint8_t status);

/* After completions made room on the disk: queue what guests left waiting. */
void vdev_disk_resume(struct vdev *v);

/* Settle the interrupt lines of the guests in v->irq: inject(vm, intid,
 * level) for each line that changed. */
void vdev_sync_irqs(struct vdev *v,
                    long (*inject)(unsigned long vm, unsigned long intid, bool level));

/* virtio-blk and virtio-net (vblk.c, vnet_switch.c). */
extern const struct vmmio_ops vblk_ops, vnet_ops;
void vblk_notify(void *ctx, struct vmmio *t, unsigned queue);
void vnet_notify(void *ctx, struct vmmio *t, unsigned queue);

#endif
