/* SPDX-License-Identifier: MIT */
/* The virtio-mmio version 2 transport (see virtio/mmio.h). Pure: no system calls. */
#include "virtio/mmio.h"

#include <string.h>

#define BIT64(n) (1ull << (n))

/* Device-type bits (0-23) and the transport features implemented here. */
#define DEVICE_BITS    (BIT64(24) - 1)
#define TRANSPORT_BITS (BIT64(VIRTIO_F_INDIRECT_DESC) | BIT64(VIRTIO_F_EVENT_IDX))

void vmmio_init(struct vmmio *t, const struct vmmio_ops *ops, void *ctx, struct guest_mem mem)
{
	memset(t, 0, sizeof(*t));
	t->ops = ops;
	t->ctx = ctx;
	t->mem = mem;
	for (unsigned i = 0; i < VMMIO_MAX_QUEUES; i++)
		virtq_reset(&t->q[i]);
}

static unsigned nqueues(const struct vmmio *t)
{
	return t->ops->nqueues < VMMIO_MAX_QUEUES ? t->ops->nqueues : VMMIO_MAX_QUEUES;
}

static uint16_t queue_max(const struct vmmio *t)
{
	uint16_t max = t->ops->queue_max;
	return max && max <= VIRTQ_MAX_SIZE ? max : VIRTQ_MAX_SIZE;
}

static uint64_t offered(const struct vmmio *t)
{
	return (t->ops->features & (DEVICE_BITS | TRANSPORT_BITS)) | BIT64(VIRTIO_F_VERSION_1);
}

static bool negotiated(const struct vmmio *t, unsigned bit)
{
	return t->driver_features & offered(t) & BIT64(bit);
}

struct virtq *vmmio_queue(struct vmmio *t, unsigned qi)
{
	return qi < nqueues(t) ? &t->q[qi] : NULL;
}

bool vmmio_irq_level(const struct vmmio *t)
{
	return t->isr != 0;
}

void vmmio_used(struct vmmio *t)
{
	t->isr |= VMMIO_INT_USED;
}

void vmmio_config_changed(struct vmmio *t)
{
	t->cfg_gen++;
	t->isr |= VMMIO_INT_CONFIG;
}

void vmmio_fail(struct vmmio *t)
{
	t->broken = true;
	t->status |= VIRTIO_STATUS_NEEDS_RESET;
	t->isr |= VMMIO_INT_CONFIG;
}

bool vmmio_live(const struct vmmio *t)
{
	return (t->status & VIRTIO_STATUS_DRIVER_OK) && !t->broken;
}

/* Status = 0: everything back to its initial state; ConfigGeneration only
 * ever grows, so a driver never mistakes an old read for a new one. */
static void device_reset(struct vmmio *t)
{
	if (t->ops->reset)
		t->ops->reset(t->ctx);
	uint32_t gen = t->cfg_gen;
	vmmio_init(t, t->ops, t->ctx, t->mem);
	t->cfg_gen = gen;
}

/* 3.1.1: FEATURES_OK stays set only for a subset of what was offered that
 * includes VERSION_1 (a legacy driver is not served). */
static bool features_acceptable(const struct vmmio *t)
{
	return !(t->driver_features & ~offered(t)) &&
	       (t->driver_features & BIT64(VIRTIO_F_VERSION_1));
}

static void status_write(struct vmmio *t, uint32_t v)
{
	if (!v) {
		device_reset(t);
		return;
	}
	v &= 0xff & ~VIRTIO_STATUS_NEEDS_RESET;
	bool newly_ok = (v & VIRTIO_STATUS_FEATURES_OK) && !(t->status & VIRTIO_STATUS_FEATURES_OK);
	if (newly_ok && !features_acceptable(t))
		v &= ~VIRTIO_STATUS_FEATURES_OK;
	t->status = v | (t->broken ? VIRTIO_STATUS_NEEDS_RESET : 0);
}

/* One 32-bit half of the driver's features, fixed once FEATURES_OK is. */
static void driver_features_write(struct vmmio *t, uint32_t v)
{
	if ((t->status & VIRTIO_STATUS_FEATURES_OK) || t->drv_feat_sel > 1)
		return;
	unsigned shift = 32 * t->drv_feat_sel;
	t->driver_features =
	        (t->driver_features & ~(0xffffffffull << shift)) | ((uint64_t)v << shift);
}

static uint32_t device_features_read(const struct vmmio *t)
{
	return t->dev_feat_sel > 1 ? 0 : (uint32_t)(offered(t) >> (32 * t->dev_feat_sel));
}

static bool num_valid(uint16_t num, uint16_t max)
{
	return num && num <= max && !(num & (num - 1));
}

/* QueueReady = 1 starts the queue at index 0 with the addresses written
 * so far (they cannot change while it is ready); a size the device did
 * not allow fails the device. QueueReady = 0 stops it. */
static void queue_ready_write(struct vmmio *t, struct virtq *q, uint32_t v)
{
	if (!(v & 1)) {
		q->ready = false;
		return;
	}
	if (q->ready)
		return;
	if (!num_valid(q->num, queue_max(t))) {
		vmmio_fail(t);
		return;
	}
	q->last_avail = 0;
	q->used_idx = 0;
	q->signalled_used = 0;
	q->signalled_valid = false;
	q->event_idx = negotiated(t, VIRTIO_F_EVENT_IDX);
	q->indirect = negotiated(t, VIRTIO_F_INDIRECT_DESC);
	q->ready = true;
}

static void set_half(uint64_t *reg, bool high, uint32_t v)
{
	if (high)
		*reg = (*reg & 0xffffffffull) | ((uint64_t)v << 32);
	else
		*reg = (*reg & ~0xffffffffull) | v;
}

/* The registers of the queue QueueSel names, ignored while it is ready. */
static void queue_write(struct vmmio *t, unsigned off, uint32_t v)
{
	struct virtq *q = vmmio_queue(t, t->queue_sel);
	if (!q)
		return;
	if (off == VMMIO_QUEUE_READY) {
		queue_ready_write(t, q, v);
		return;
	}
	if (q->ready)
		return;
	switch (off) {
	case VMMIO_QUEUE_NUM: q->num = v <= UINT16_MAX ? (uint16_t)v : 0; break;
	case VMMIO_QUEUE_DESC_LO: set_half(&q->desc, false, v); break;
	case VMMIO_QUEUE_DESC_HI: set_half(&q->desc, true, v); break;
	case VMMIO_QUEUE_AVAIL_LO: set_half(&q->avail, false, v); break;
	case VMMIO_QUEUE_AVAIL_HI: set_half(&q->avail, true, v); break;
	case VMMIO_QUEUE_USED_LO: set_half(&q->used, false, v); break;
	case VMMIO_QUEUE_USED_HI: set_half(&q->used, true, v); break;
	default: break;
	}
}

static void notify_write(struct vmmio *t, uint32_t qi)
{
	const struct virtq *q = vmmio_queue(t, qi);
	if (q && q->ready && vmmio_live(t) && t->ops->notify)
		t->ops->notify(t->ctx, t, qi);
}

static uint32_t reg_read(struct vmmio *t, unsigned off)
{
	const struct virtq *q = vmmio_queue(t, t->queue_sel);
	switch (off) {
	case VMMIO_MAGIC: return VMMIO_MAGIC_VALUE;
	case VMMIO_VERSION: return 2;
	case VMMIO_DEVICE_ID: return t->ops->device_id;
	case VMMIO_VENDOR_ID: return VMMIO_VENDOR;
	case VMMIO_DEV_FEATURES: return device_features_read(t);
	case VMMIO_QUEUE_NUM_MAX: return q ? queue_max(t) : 0;
	case VMMIO_QUEUE_READY: return q ? q->ready : 0;
	case VMMIO_INT_STATUS: return t->isr;
	case VMMIO_STATUS: return t->status;
	case VMMIO_SHM_LEN_LO:
	case VMMIO_SHM_LEN_HI: return 0xffffffff;
	case VMMIO_CONFIG_GEN: return t->cfg_gen;
	default: return 0;
	}
}

static void reg_write(struct vmmio *t, unsigned off, uint32_t v)
{
	switch (off) {
	case VMMIO_DEV_FEAT_SEL: t->dev_feat_sel = v; break;
	case VMMIO_DRV_FEATURES: driver_features_write(t, v); break;
	case VMMIO_DRV_FEAT_SEL: t->drv_feat_sel = v; break;
	case VMMIO_QUEUE_SEL: t->queue_sel = v; break;
	case VMMIO_QUEUE_NOTIFY: notify_write(t, v); break;
	case VMMIO_INT_ACK: t->isr &= ~v; break;
	case VMMIO_STATUS: status_write(t, v); break;
	default: queue_write(t, off, v); break;
	}
}

static bool config_access_ok(uint64_t off, unsigned width)
{
	bool width_ok = width == 1 || width == 2 || width == 4 || width == 8;
	return width_ok && !(off % width) && off < VMMIO_SIZE - VMMIO_CONFIG &&
	       width <= VMMIO_SIZE - VMMIO_CONFIG - off;
}

static uint64_t config_read(const struct vmmio *t, unsigned off, unsigned width)
{
	if (!t->ops->cfg_read)
		return 0;
	if (width < 8)
		return t->ops->cfg_read(t->ctx, off, width);
	return t->ops->cfg_read(t->ctx, off, 4) | (uint64_t)t->ops->cfg_read(t->ctx, off + 4, 4)
	                                                  << 32;
}

static void config_write(const struct vmmio *t, unsigned off, unsigned width, uint64_t v)
{
	if (!t->ops->cfg_write)
		return;
	if (width < 8) {
		t->ops->cfg_write(t->ctx, off, width, (uint32_t)v);
		return;
	}
	t->ops->cfg_write(t->ctx, off, 4, (uint32_t)v);
	t->ops->cfg_write(t->ctx, off + 4, 4, (uint32_t)(v >> 32));
}

static bool is_register(uint64_t off, unsigned width)
{
	return off < VMMIO_CONFIG && width == 4 && !(off & 3);
}

uint64_t vmmio_read(struct vmmio *t, uint64_t off, unsigned width)
{
	if (is_register(off, width))
		return reg_read(t, (unsigned)off);
	if (off >= VMMIO_CONFIG && config_access_ok(off - VMMIO_CONFIG, width))
		return config_read(t, (unsigned)(off - VMMIO_CONFIG), width);
	return 0;
}

void vmmio_write(struct vmmio *t, uint64_t off, unsigned width, uint64_t value)
{
	if (is_register(off, width))
		reg_write(t, (unsigned)off, (uint32_t)value);
	else if (off >= VMMIO_CONFIG && config_access_ok(off - VMMIO_CONFIG, width))
		config_write(t, (unsigned)(off - VMMIO_CONFIG), width, value);
}

/* The queue a device may work on now, or NULL. */
static struct virtq *live_queue(struct vmmio *t, unsigned qi)
{
	struct virtq *q = vmmio_queue(t, qi);
	return q && q->ready && vmmio_live(t) ? q : NULL;
}

int vmmio_pop(struct vmmio *t, unsigned qi, struct virtq_chain *c)
{
	struct virtq *q = live_queue(t, qi);
	if (!q)
		return 0;
	int r = virtq_pop(q, &t->mem, c);
	if (!r && q->event_idx) {
		virtq_enable_notify(q, &t->mem);
		r = virtq_pop(q, &t->mem, c);
	}
	if (r < 0) {
		vmmio_fail(t);
		return 0;
	}
	return r;
}

int vmmio_push(struct vmmio *t, unsigned qi, uint16_t head, uint32_t len)
{
	struct virtq *q = live_queue(t, qi);
	if (!q)
		return -1;
	if (virtq_push(q, &t->mem, head, len)) {
		vmmio_fail(t);
		return -1;
	}
	return 0;
}

void vmmio_signal(struct vmmio *t, unsigned qi)
{
	struct virtq *q = live_queue(t, qi);
	if (q && virtq_need_irq(q, &t->mem))
		vmmio_used(t);
}

uint32_t vmmio_cfg_bytes(const void *img, size_t size, unsigned off, unsigned width)
{
	if ((width != 1 && width != 2 && width != 4) || off >= size || width > size - off)
		return 0;
	uint8_t b[4] = {0};
	memcpy(b, (const uint8_t *)img + off, width);
	return le32_load(b);
}
