/* SPDX-License-Identifier: MIT */
/* Frames: physically contiguous memory (or device MMIO) a partition can map. */
#ifndef KEEL_FRAME_H
#define KEEL_FRAME_H

#include <stdbool.h>
#include <stdint.h>

struct partition;

struct frame {
	uint32_t id;
	bool device;
	uint64_t phys;
	uint64_t size;
};

void frame_init(struct frame *f, uint32_t id, uint64_t phys, uint64_t size, bool device);
/* Map the whole frame at `ipa` in p with KEEL_R_* rights (READ required). */
int frame_map(struct frame *f, struct partition *p, uint64_t ipa, unsigned rights);
int frame_unmap(struct frame *f, struct partition *p, uint64_t ipa);

#endif
