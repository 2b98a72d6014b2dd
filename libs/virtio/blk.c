/* SPDX-License-Identifier: MIT */
/* virtio-blk requests (see virtio/blk.h). Pure: no system calls. */
#include "virtio/blk.h"

#include <string.h>

#include "virtio/guestmem.h"
#include "virtio/mmio.h"

/* Configuration space offsets (5.2.4). */
#define CFG_CAPACITY 0
#define CFG_SEG_MAX  12
#define CFG_BLK_SIZE 20
#define CFG_SIZE     24

/* IN and GET_ID fill the data, OUT reads it (5.2.6.1). Readable buffers
 * come first in a chain, so the readable data is what follows the header
 * and the writable data what precedes the status byte. */
static bool direction_ok(uint32_t type, uint64_t out_data, uint64_t in_data)
{
	switch (type) {
	case VBLK_T_IN:
	case VBLK_T_GET_ID: return !out_data;
	case VBLK_T_OUT: return !in_data;
	default: return true;
	}
}

/* The buffers holding bytes [VBLK_HDR_LEN, VBLK_HDR_LEN + data_len) of the
 * chain taken as one stream. */
static void locate_data(const struct virtq_chain *c, struct vblk_req *r)
{
	uint64_t start = VBLK_HDR_LEN, end = start + r->data_len, pos = 0;
	r->first_seg = c->nseg;
	r->first_off = 0;
	r->nseg = 0;
	for (unsigned i = 0; i < c->nseg; pos += c->seg[i].len, i++) {
		if (pos + c->seg[i].len <= start || pos >= end)
			continue;
		if (!r->nseg) {
			r->first_seg = i;
			r->first_off = start > pos ? (size_t)(start - pos) : 0;
		}
		r->nseg++;
	}
}

int vblk_parse(const struct virtq_chain *c, struct vblk_req *r)
{
	uint8_t hdr[VBLK_HDR_LEN];
	memset(r, 0, sizeof(*r));
	if (!c->nseg || c->nseg > VIRTQ_MAX_SEGS || c->out_len < VBLK_HDR_LEN)
		return -1;
	const struct virtq_seg *last = &c->seg[c->nseg - 1];
	if (!last->write || !last->len)
		return -1;
	uint64_t out_data = c->out_len - VBLK_HDR_LEN, in_data = c->in_len - 1;
	virtq_chain_read(c, 0, hdr, sizeof(hdr));
	r->type = le32_load(hdr);
	r->sector = le64_load(hdr + 8);
	if (!direction_ok(r->type, out_data, in_data))
		return -1;
	r->status = last->p + last->len - 1;
	r->data_len = out_data + in_data;
	locate_data(c, r);
	return 0;
}

bool vblk_in_range(const struct vblk_req *r, uint64_t capacity_sectors)
{
	if (r->data_len % VBLK_SECTOR)
		return false;
	uint64_t n = r->data_len / VBLK_SECTOR;
	return r->sector <= capacity_sectors && n <= capacity_sectors - r->sector;
}

static size_t clamp(uint64_t off, size_t len, uint64_t avail)
{
	if (off >= avail)
		return 0;
	return avail - off < len ? (size_t)(avail - off) : len;
}

size_t vblk_data_read(const struct virtq_chain *c, uint64_t off, void *dst, size_t len)
{
	if (c->out_len < VBLK_HDR_LEN)
		return 0;
	len = clamp(off, len, c->out_len - VBLK_HDR_LEN);
	return len ? virtq_chain_read(c, (size_t)(VBLK_HDR_LEN + off), dst, len) : 0;
}

size_t vblk_data_write(const struct virtq_chain *c, uint64_t off, const void *src, size_t len)
{
	if (!c->in_len)
		return 0;
	len = clamp(off, len, c->in_len - 1);
	return len ? virtq_chain_write(c, (size_t)off, src, len) : 0;
}

void vblk_set_status(const struct vblk_req *r, uint8_t status)
{
	*r->status = status;
}

uint32_t vblk_cfg_read(const struct vblk_cfg *cfg, unsigned off, unsigned width)
{
	uint8_t img[CFG_SIZE] = {0};
	le64_store(img + CFG_CAPACITY, cfg->capacity);
	le32_store(img + CFG_SEG_MAX, cfg->seg_max);
	le32_store(img + CFG_BLK_SIZE, cfg->blk_size);
	return vmmio_cfg_bytes(img, sizeof(img), off, width);
}
