/* SPDX-License-Identifier: MIT */
/* Guests' virtio devices: attach, detach, register access, interrupt lines
 * (see vdev.h). Pure: no system calls. */
#include "vdev.h"

#include <keel_abi.h>
#include <string.h>

static const struct vmmio_ops *const dev_ops[KEEL_VIRTIO_DEVS] = {
        [KEEL_VIRTIO_BLK] = &vblk_ops,
        [KEEL_VIRTIO_NET] = &vnet_ops,
};

long vdev_attach(struct vdev *v, unsigned n, unsigned devices, unsigned long vm, void *host,
                 uint64_t ram_phys, uint64_t ram_size, uint64_t first_mib, uint64_t mib)
{
	if (n < 1 || n > VDEV_GUESTS || !host || !ram_size || !devices)
		return -KEEL_EINVAL;
	for (unsigned i = 0; i < KEEL_VIRTIO_DEVS; i++)
		if ((devices & (1u << i)) && !dev_ops[i])
			return -KEEL_EINVAL; /* a device this build does not have */
	if (devices & ~KEEL_VIRTIO_MASK)
		return -KEEL_EINVAL;
	struct vdev_guest *g = &v->g[n];
	if (g->on)
		return -KEEL_EEXIST;
	memset(g, 0, sizeof(*g));
	g->on = true;
	g->devices = devices;
	g->vm = vm;
	g->mem = (struct guest_mem){host, KEEL_VIRTIO_RAM_BASE, ram_size};
	g->ram_phys = ram_phys;
	uint64_t per_mib = (1u << 20) / VDEV_SECTOR;
	g->disk_first = first_mib * per_mib;
	g->disk_sectors = mib * per_mib;
	/* Locally administered, Keel's own prefix, the guest's badge last. */
	const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x4b, 0x00, (uint8_t)n};
	memcpy(g->mac, mac, sizeof(mac));
	for (unsigned i = 0; i < KEEL_VIRTIO_DEVS; i++) {
		g->ref[i] = (struct vdev_ref){v, n, i};
		if (devices & (1u << i))
			vmmio_init(&g->t[i], dev_ops[i], &g->ref[i], g->mem);
	}
	return 0;
}

long vdev_detach(struct vdev *v, unsigned n)
{
	if (n < 1 || n > VDEV_GUESTS)
		return -KEEL_EINVAL;
	if (v->g[n].in_flight) {
		v->g[n].stopping = true;
		return -KEEL_EBUSY;
	}
	memset(&v->g[n], 0, sizeof(v->g[n]));
	v->backlog[n].count = 0;
	return 0;
}

long vdev_reset(struct vdev *v, unsigned n)
{
	if (n < 1 || n > VDEV_GUESTS || !v->g[n].on)
		return -KEEL_ENOENT;
	struct vdev_guest *g = &v->g[n];
	if (g->in_flight) {
		g->stopping = true;
		return -KEEL_EBUSY;
	}
	g->stopping = false;
	v->backlog[n].count = 0;
	for (unsigned i = 0; i < KEEL_VIRTIO_DEVS; i++) {
		if (!(g->devices & (1u << i)))
			continue;
		g->gen[i]++;
		g->failed[i] = false;
		vmmio_init(&g->t[i], dev_ops[i], &g->ref[i], g->mem);
	}
	v->irq |= 1u << n; /* the lines go low with the interrupt status */
	return 0;
}

/* The device of guest n at `ipa`, or -1. */
static int device_at(const struct vdev *v, unsigned n, uint64_t ipa)
{
	if (n < 1 || n > VDEV_GUESTS || !v->g[n].on || v->g[n].stopping || ipa < KEEL_VIRTIO_BASE)
		return -1;
	uint64_t i = (ipa - KEEL_VIRTIO_BASE) / KEEL_VIRTIO_STRIDE;
	return i < KEEL_VIRTIO_DEVS && (v->g[n].devices & (1u << i)) ? (int)i : -1;
}

bool vdev_claims(const struct vdev *v, unsigned n, uint64_t ipa)
{
	return n >= 1 && n <= VDEV_GUESTS && v->g[n].on && ipa >= KEEL_VIRTIO_BASE &&
	       ipa - KEEL_VIRTIO_BASE < KEEL_VIRTIO_PAGE;
}

uint64_t vdev_access(struct vdev *v, unsigned n, uint64_t ipa, unsigned width, bool write,
                     uint64_t value)
{
	int i = device_at(v, n, ipa);
	if (i < 0)
		return 0; /* an empty slot of the page reads as no device (magic 0) */
	struct vmmio *t = &v->g[n].t[i];
	uint64_t off = (ipa - KEEL_VIRTIO_BASE) % KEEL_VIRTIO_STRIDE;
	uint64_t out = 0;
	if (write)
		vmmio_write(t, off, width, value);
	else
		out = vmmio_read(t, off, width);
	v->irq |= 1u << n;
	return out;
}

bool vdev_newly_broken(struct vdev *v, unsigned *n, unsigned *dev)
{
	for (unsigned i = 1; i <= VDEV_GUESTS; i++) {
		struct vdev_guest *g = &v->g[i];
		for (unsigned d = 0; g->on && d < KEEL_VIRTIO_DEVS; d++) {
			bool broken = (g->devices & (1u << d)) && g->t[d].broken;
			bool fresh = broken && !g->failed[d];
			g->failed[d] = broken; /* a reset makes the next breakage news */
			if (fresh) {
				*n = i;
				*dev = d;
				v->broken++;
				return true;
			}
		}
	}
	return false;
}

void vdev_sync_irqs(struct vdev *v,
                    long (*inject)(unsigned long vm, unsigned long intid, bool level))
{
	for (unsigned n = 1; n <= VDEV_GUESTS; n++) {
		struct vdev_guest *g = &v->g[n];
		if (!(v->irq & (1u << n)) || !g->on || !g->vm)
			continue;
		for (unsigned i = 0; i < KEEL_VIRTIO_DEVS; i++) {
			bool level = (g->devices & (1u << i)) && vmmio_irq_level(&g->t[i]);
			if (level != g->level[i] && !inject(g->vm, 32 + KEEL_VIRTIO_SPI + i, level))
				g->level[i] = level;
		}
	}
	v->irq = 0;
}
