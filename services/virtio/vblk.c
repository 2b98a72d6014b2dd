/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk on a slice of the physical disk (a mediated device: one disk,
 * a slice per VM, vdev.h). Reads and writes go to the disk as physical
 * addresses of the guest's own buffers, so the data moves by DMA and
 * the service copies nothing; a flush is passed on, so what a guest flushed is
 * on the disk image when it completes. A request outside the guest's
 * slice fails with IOERR; a malformed chain breaks only this device.
 */
#include "vdev.h"

#include <string.h>
#include <virtio/blk.h>

/* The guest's slice in sectors; one past the end of a smaller disk is cut
 * where the disk ends. */
static uint64_t slice_sectors(const struct vdev *v, const struct vdev_guest *g)
{
	uint64_t cap = g->disk_first < v->disk.sectors ? v->disk.sectors - g->disk_first : 0;
	return cap < g->disk_sectors ? cap : g->disk_sectors;
}

static uint32_t blk_cfg_read(void *ctx, unsigned off, unsigned width)
{
	const struct vdev_ref *r = ctx;
	unsigned segs = r->v->disk.max_segs ? r->v->disk.max_segs : 1;
	struct vblk_cfg cfg = {
	        .capacity = slice_sectors(r->v, &r->v->g[r->n]),
	        .seg_max = segs < VBLK_SEG_MAX ? segs : VBLK_SEG_MAX,
	        .blk_size = VBLK_SECTOR,
	};
	return vblk_cfg_read(&cfg, off, width);
}

static void blk_reset(void *ctx)
{
	struct vdev_ref *r = ctx;
	r->v->g[r->n].gen[KEEL_VIRTIO_BLK]++; /* requests in flight complete into nothing */
}

const struct vmmio_ops vblk_ops = {
        .device_id = VIRTIO_ID_BLOCK,
        .features = 1ull << VBLK_F_SEG_MAX | 1ull << VBLK_F_BLK_SIZE | 1ull << VBLK_F_FLUSH |
                    1ull << VIRTIO_F_EVENT_IDX,
        .nqueues = 1,
        .queue_max = VIRTQ_MAX_SIZE,
        .cfg_read = blk_cfg_read,
        .notify = vblk_notify,
        .reset = blk_reset,
};

/* A request answered here, without the disk. */
static void complete_now(struct vdev *v, unsigned n, const struct virtq_chain *c, uint8_t *status,
                         uint8_t s, uint32_t data_len)
{
	struct vdev_guest *g = &v->g[n];
	struct vmmio *t = &g->t[KEEL_VIRTIO_BLK];
	*status = s;
	v->blk_errors += s != VBLK_S_OK;
	vmmio_push(t, 0, c->head, data_len + 1);
}

static int pending_slot(struct vdev *v)
{
	for (unsigned i = 0; i < VDEV_MAX_PENDING; i++)
		if (!v->pend[i].used)
			return (int)i;
	return -1;
}

/* The data segments of r as physical addresses for the disk; the header
 * and status byte may share their first and last buffer. */
static bool to_disk_request(const struct vdev_guest *g, const struct virtq_chain *c,
                            const struct vblk_req *r, struct vdisk_req *d)
{
	uint64_t left = r->data_len;
	d->nseg = 0;
	for (unsigned i = 0; i < r->nseg && left; i++) {
		const struct virtq_seg *s = &c->seg[r->first_seg + i];
		size_t skip = i == 0 ? r->first_off : 0;
		uint64_t len = s->len - skip < left ? s->len - skip : left;
		if (d->nseg == VDISK_MAX_SEGS)
			return false;
		d->seg[d->nseg++] = (struct vdisk_seg){
		        .phys = g->ram_phys + (uint64_t)(s->p + skip - g->mem.host),
		        .len = (uint32_t)len,
		};
		left -= len;
	}
	return left == 0;
}

/* Hand a read, write or flush to the disk: 0, or 1 if it must wait. */
static int submit(struct vdev *v, unsigned n, const struct virtq_chain *c, const struct vblk_req *r)
{
	struct vdev_guest *g = &v->g[n];
	int slot = pending_slot(v);
	struct vdisk_req d = {.type = r->type, .sector = g->disk_first + r->sector};
	if (slot < 0 || g->in_flight >= VDEV_GUEST_MAX || v->disk.room(v->disk.ctx) < r->nseg + 2)
		return 1;
	if (!to_disk_request(g, c, r, &d)) {
		complete_now(v, n, c, r->status, VBLK_S_IOERR, 0);
		return 0;
	}
	d.cookie = (uint64_t)slot;
	int err = v->disk.submit(v->disk.ctx, &d);
	if (err > 0)
		return 1;
	if (err < 0) {
		complete_now(v, n, c, r->status, VBLK_S_IOERR, 0);
		return 0;
	}
	v->pend[slot] = (struct vdev_pending){
	        .used = true,
	        .n = (uint8_t)n,
	        .head = c->head,
	        .gen = g->gen[KEEL_VIRTIO_BLK],
	        .len = (r->type == VBLK_T_IN ? (uint32_t)r->data_len : 0) + 1,
	        .status = r->status,
	};
	v->in_flight++;
	g->in_flight++;
	return 0;
}

static void get_id(struct vdev *v, unsigned n, const struct virtq_chain *c,
                   const struct vblk_req *r)
{
	char id[VBLK_ID_BYTES] = {0};
	/* A fixed 20-byte field, zero-padded: no terminator wanted. */
	memcpy(id, "keel-disk-", 10); /* NOLINT(bugprone-not-null-terminated-result) */
	id[10] = (char)('0' + n);
	uint32_t len = r->data_len < sizeof(id) ? (uint32_t)r->data_len : sizeof(id);
	virtq_chain_write(c, 0, id, len);
	complete_now(v, n, c, r->status, VBLK_S_OK, len);
}

/* One chain: 0 done (queued or answered), 1 must wait for the disk, -1 malformed. */
static int serve_one(struct vdev *v, unsigned n, const struct virtq_chain *c)
{
	struct vdev_guest *g = &v->g[n];
	struct vblk_req r;
	if (vblk_parse(c, &r))
		return -1;
	v->blk_reqs++;
	switch (r.type) {
	case VBLK_T_IN:
	case VBLK_T_OUT:
		if (!vblk_in_range(&r, slice_sectors(v, g)) || r.nseg > v->disk.max_segs) {
			complete_now(v, n, c, r.status, VBLK_S_IOERR, 0);
			return 0;
		}
		return submit(v, n, c, &r);
	case VBLK_T_FLUSH:
		if (!v->disk.sectors || !v->disk.flush) {
			complete_now(v, n, c, r.status, v->disk.sectors ? VBLK_S_OK : VBLK_S_IOERR,
			             0);
			return 0;
		}
		r.nseg = 0;
		r.data_len = 0;
		return submit(v, n, c, &r);
	case VBLK_T_GET_ID: get_id(v, n, c, &r); return 0;
	default: complete_now(v, n, c, r.status, VBLK_S_UNSUPP, 0); return 0;
	}
}

/* Take chains until the queue is empty or the disk is full. A chain the
 * disk has no room for is not taken: the next pass finds it again. */
static void serve(struct vdev *v, unsigned n)
{
	struct vdev_guest *g = &v->g[n];
	struct vmmio *t = &g->t[KEEL_VIRTIO_BLK];
	static struct virtq_chain c; /* 1 KiB: not on the service's small stack */
	while (!g->stopping) {
		struct virtq saved = t->q[0];
		if (!vmmio_pop(t, 0, &c)) /* none left, or the device failed */
			break;
		int done = serve_one(v, n, &c);
		if (done < 0) {
			vmmio_fail(t);
			break;
		}
		if (done > 0) {
			t->q[0] = saved;
			v->disk_waiting = true;
			break;
		}
	}
	vmmio_signal(t, 0);
	v->irq |= 1u << n;
}

void vblk_notify(void *ctx, struct vmmio *t, unsigned queue)
{
	struct vdev_ref *r = ctx;
	(void)t;
	if (queue == 0)
		serve(r->v, r->n);
}

void vdev_disk_done(struct vdev *v, uint64_t cookie, uint8_t status)
{
	if (cookie >= VDEV_MAX_PENDING || !v->pend[cookie].used)
		return;
	struct vdev_pending p = v->pend[cookie];
	v->pend[cookie].used = false;
	v->in_flight--;
	struct vdev_guest *g = &v->g[p.n];
	g->in_flight--;
	struct vmmio *t = &g->t[KEEL_VIRTIO_BLK];
	if (g->stopping || p.gen != g->gen[KEEL_VIRTIO_BLK] || !vmmio_live(t))
		return; /* the driver reset the device meanwhile, or the VM is going */
	if (status > VBLK_S_UNSUPP)
		status = VBLK_S_IOERR; /* the disk never wrote it */
	*p.status = status;
	v->blk_errors += status != VBLK_S_OK;
	if (!vmmio_push(t, 0, p.head, status == VBLK_S_OK ? p.len : 1))
		vmmio_signal(t, 0);
	v->irq |= 1u << p.n;
}

/* By turns, so that the room does not always go to the same guest. */
void vdev_disk_resume(struct vdev *v)
{
	if (!v->disk_waiting)
		return;
	v->disk_waiting = false;
	v->resume_next = v->resume_next % VDEV_GUESTS + 1;
	for (unsigned i = 0; i < VDEV_GUESTS; i++) {
		unsigned n = (v->resume_next + i - 1) % VDEV_GUESTS + 1;
		if (v->g[n].on && (v->g[n].devices & (1u << KEEL_VIRTIO_BLK)))
			serve(v, n);
	}
}
