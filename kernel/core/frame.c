/* SPDX-License-Identifier: MIT */
#include <arch/pgtable.h>
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/partition.h>

void frame_init(struct frame *f, uint32_t id, uint64_t phys, uint64_t size, bool device)
{
	f->id = id;
	f->phys = phys;
	f->size = size;
	f->device = device;
}

int frame_map(struct frame *f, struct partition *p, uint64_t ipa, unsigned rights)
{
	unsigned attrs = 0;

	if (!(rights & KEEL_R_READ))
		return -KEEL_EINVAL;
	attrs |= PT_READ;
	if (rights & KEEL_R_WRITE)
		attrs |= PT_WRITE;
	if (rights & KEEL_R_EXEC)
		attrs |= PT_EXEC;
	if (f->device)
		attrs |= PT_DEVICE;
	/* All or nothing: a refused map leaves the address space as it was. */
	if ((ipa | f->size) & (PT_PAGE_SIZE - 1))
		return -KEEL_EINVAL;
	if (!pt_range_empty(&p->s2, ipa, f->size))
		return -KEEL_EEXIST;
	int err = pt_map(&p->s2, ipa, f->phys, f->size, attrs, PT_MAP_STRICT);
	if (err)
		pt_unmap(&p->s2, ipa, f->size);
	/* A guest starts with its MMU and caches off: what its loader wrote
	 * through the cache must be in memory. */
	else if (p->is_vm && !f->device)
		arch_sync_for_guest(f->phys, f->size);
	return err;
}

int frame_unmap(struct frame *f, struct partition *p, uint64_t ipa)
{
	uint64_t pa;

	/* Only this frame's own mapping may be taken down with its capability. */
	if (!pt_lookup(&p->s2, ipa, &pa, NULL, NULL) || pa != f->phys)
		return -KEEL_ENOENT;
	int err = pt_unmap(&p->s2, ipa, f->size);
	arch_space_flush(p->vmid);
	return err;
}
