/* SPDX-License-Identifier: MIT */
/*
 * Which MMIO may become a device frame, and the device frames alive
 * (keel/devmem.h). Device frames are rare and made at set-up time, so the
 * checks walk small tables and, for the host tree, every node: simple
 * beats fast here.
 */
#include <arch/pgtable.h>
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/devmem.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/partition.h>
#include <keel/untyped.h>
#include <libfdt.h>
#include <string.h>

static struct mem_range forbidden[DEVMEM_FORBIDDEN_MAX];
static bool forbid_overflow;
static unsigned nforbidden;
static const void *host_fdt;
static struct frame *live[DEVMEM_FRAMES_MAX];

void devmem_forbid(uint64_t base, uint64_t size)
{
	if (size && nforbidden < DEVMEM_FORBIDDEN_MAX)
		forbidden[nforbidden++] = (struct mem_range){base, size};
	else if (size)
		forbid_overflow = true; /* a range left out: no device frame at all */
}

void devmem_init(const void *fdt, const struct bootinfo *bi)
{
	nforbidden = 0;
	forbid_overflow = false;
	memset(live, 0, sizeof(live));
	for (unsigned i = 0; i < bi->ram_count; i++)
		devmem_forbid(bi->ram[i].base, bi->ram[i].size);
	host_fdt = fdt && !fdt_check_header(fdt) ? fdt : NULL;
}

static bool overlaps(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
	return a < b + bsize && b < a + asize;
}

static uint64_t cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_ld(&p[i]);
	return v;
}

/* `addr` on the bus below `bus` as an address of `bus`'s parent: false
 * when `bus` has no ranges (not memory-mapped) or none holds addr. */
static bool up_one_bus(int bus, uint64_t *addr)
{
	int len;
	const fdt32_t *r = fdt_getprop(host_fdt, bus, "ranges", &len);
	if (!r)
		return false;
	if (len == 0)
		return true; /* identity */
	int parent = fdt_parent_offset(host_fdt, bus);
	int ca = fdt_address_cells(host_fdt, bus), sc = fdt_size_cells(host_fdt, bus);
	int pa = parent >= 0 ? fdt_address_cells(host_fdt, parent) : 2;
	int entry = ca + pa + sc;
	if (ca < 1 || ca > 2 || pa < 1 || pa > 2 || sc < 1 || sc > 2)
		return false;
	for (int off = 0; off + entry <= len / 4; off += entry) {
		uint64_t child = cells(r + off, ca), size = cells(r + off + ca + pa, sc);
		if (*addr >= child && *addr - child < size) {
			*addr = cells(r + off + ca, pa) + (*addr - child);
			return true;
		}
	}
	return false;
}

/* The CPU address of an address on the bus `bus`; false if it has none. */
static bool to_cpu_address(int bus, uint64_t *addr)
{
	for (int b = bus; b > 0; b = fdt_parent_offset(host_fdt, b))
		if (!up_one_bus(b, addr))
			return false;
	return true;
}

static bool node_enabled(int node)
{
	const char *status = fdt_getprop(host_fdt, node, "status", NULL);
	return !status || !strcmp(status, "okay") || !strcmp(status, "ok");
}

/* Whether an enabled node's `reg` overlaps the page at `page`. */
static bool node_covers(int node, uint64_t page)
{
	int len, parent = fdt_parent_offset(host_fdt, node);
	const fdt32_t *reg = fdt_getprop(host_fdt, node, "reg", &len);
	if (!reg || parent < 0 || !node_enabled(node))
		return false;
	int ac = fdt_address_cells(host_fdt, parent), sc = fdt_size_cells(host_fdt, parent);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2) /* /cpus has no sizes: not MMIO */
		return false;
	for (int off = 0; off + ac + sc <= len / 4; off += ac + sc) {
		uint64_t base = cells(reg + off, ac), size = cells(reg + off + ac, sc);
		if (to_cpu_address(parent, &base) && overlaps(base, size, page, PT_PAGE_SIZE))
			return true;
	}
	return false;
}

/* Each page must hold (part of) a device the tree says is there: several
 * small devices may share a page (virtio-mmio slots, 0x200 apart). */
static bool described(uint64_t phys, uint64_t size)
{
	for (uint64_t page = phys; page - phys < size; page += PT_PAGE_SIZE) {
		bool found = false;
		for (int n = fdt_next_node(host_fdt, -1, NULL); n >= 0 && !found;
		     n = fdt_next_node(host_fdt, n, NULL))
			found = node_covers(n, page);
		if (!found)
			return false;
	}
	return true;
}

int devmem_check(uint64_t phys, uint64_t size)
{
	unsigned free_slots = 0;

	if (!size || (phys | size) & (PT_PAGE_SIZE - 1) || phys + size < phys)
		return -KEEL_EINVAL;
	if (forbid_overflow)
		return -KEEL_EPERM;
	for (unsigned i = 0; i < nforbidden; i++)
		if (overlaps(phys, size, forbidden[i].base, forbidden[i].size))
			return -KEEL_EPERM;
	if (!host_fdt || !described(phys, size))
		return -KEEL_ENODEV;
	for (unsigned i = 0; i < DEVMEM_FRAMES_MAX; i++) {
		if (!live[i])
			free_slots++;
		else if (overlaps(phys, size, live[i]->phys, live[i]->size))
			return -KEEL_EBUSY;
	}
	return free_slots ? 0 : -KEEL_ENOMEM;
}

void devmem_add(struct frame *f)
{
	for (unsigned i = 0; i < DEVMEM_FRAMES_MAX; i++) {
		if (!live[i]) {
			live[i] = f;
			return;
		}
	}
}

/* Mappings are not tracked per frame, so every address space is looked
 * at, as a reset does for the RAM of the range. */
static void unmap_everywhere(const struct frame *f)
{
	for (struct partition *p = partition_first(); p; p = p->next)
		if (p->alive && pt_unmap_phys(&p->s2, f->phys, f->size))
			arch_space_flush(p->vmid);
}

void devmem_forget_inside(const struct untyped *u)
{
	for (unsigned i = 0; i < DEVMEM_FRAMES_MAX; i++) {
		if (live[i] && untyped_contains(u, live[i])) {
			unmap_everywhere(live[i]);
			live[i] = NULL;
		}
	}
}
