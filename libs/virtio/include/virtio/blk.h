/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk (device ID 2, virtio 1.2 section 5.2) requests as a device
 * reads them from a popped chain: a 16-byte header {le32 type, le32
 * reserved, le64 sector} in the readable buffers, the data, and one
 * status byte, the chain's last writable byte. The storage behind the
 * device is the caller's: this file only parses, checks and copies.
 *
 * A request whose shape breaks the specification (no room for the header
 * or the status byte, data going the wrong way for its type) is malformed
 * and fails the device; a well-formed request for sectors past the end of
 * the disk is the caller's to answer with VBLK_S_IOERR.
 */
#ifndef VIRTIO_BLK_H
#define VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio/virtq.h"

#define VIRTIO_ID_BLOCK 2

/* Feature bits. */
#define VBLK_F_SEG_MAX  2
#define VBLK_F_RO       5
#define VBLK_F_BLK_SIZE 6
#define VBLK_F_FLUSH    9

#define VBLK_SECTOR   512 /* the unit of sector numbers and capacity */
#define VBLK_HDR_LEN  16
#define VBLK_ID_BYTES 20 /* the serial a GET_ID request reads */
/* Data buffers per request, so that with header and status a request fits
 * the longest chain accepted. */
#define VBLK_SEG_MAX  (VIRTQ_MAX_SEGS - 2)

enum { VBLK_T_IN = 0, VBLK_T_OUT = 1, VBLK_T_FLUSH = 4, VBLK_T_GET_ID = 8 };
enum { VBLK_S_OK = 0, VBLK_S_IOERR = 1, VBLK_S_UNSUPP = 2 };

struct vblk_req {
	uint32_t type;
	uint64_t sector;
	uint8_t *status; /* where the status byte goes */
	/* The data: nseg buffers of the chain from seg[first_seg], starting
	 * first_off bytes into it, data_len bytes in all. */
	unsigned first_seg, nseg;
	size_t first_off;
	uint64_t data_len;
};

/* Parse chain c: 0, or -1 if it is malformed. IN and GET_ID need all data
 * writable, OUT all data readable; other types are not checked (the caller
 * answers an unknown type with VBLK_S_UNSUPP). */
int vblk_parse(const struct virtq_chain *c, struct vblk_req *r);

/* An IN or OUT request covers whole sectors inside a disk of
 * `capacity_sectors`. */
bool vblk_in_range(const struct vblk_req *r, uint64_t capacity_sectors);

/* Copy data out of an OUT request, or into an IN or GET_ID one, `off`
 * bytes into the data; bounded by the data, so the status byte is never
 * written. Return the bytes copied. */
size_t vblk_data_read(const struct virtq_chain *c, uint64_t off, void *dst, size_t len);
size_t vblk_data_write(const struct virtq_chain *c, uint64_t off, const void *src, size_t len);

/* Answer the request; the used length to push is what was written into the
 * data plus this one byte. */
void vblk_set_status(const struct vblk_req *r, uint8_t status);

/* The configuration space the device offers. */
struct vblk_cfg {
	uint64_t capacity; /* in VBLK_SECTOR units */
	uint32_t seg_max;  /* with VBLK_F_SEG_MAX */
	uint32_t blk_size; /* with VBLK_F_BLK_SIZE: 512 or 4096 */
};

/* Its layout: capacity (le64 at 0), seg_max (le32 at 12), blk_size (le32
 * at 20); the rest reads 0. For vmmio_ops.cfg_read. */
uint32_t vblk_cfg_read(const struct vblk_cfg *cfg, unsigned off, unsigned width);

#endif
