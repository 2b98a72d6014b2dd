/* SPDX-License-Identifier: MIT */
/*
 * VMSAv8-64 translation tables, 4 KiB granule: the builder behind the EL2
 * stage-1 tables now and the stage-2 tables of services and guests later.
 *
 * Tables are addressed by their physical address, and the EL2 kernel maps
 * RAM with VA == PA, so a table pointer is its own physical address. Table
 * pages come from an allocator the caller supplies (the boot pool, or memory
 * a partition handed over), never from a kernel heap.
 */
#ifndef KEEL_ARCH_PGTABLE_H
#define KEEL_ARCH_PGTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PT_PAGE_SIZE 4096ull
#define PT_ENTRIES   512

static inline uint64_t pt_page_down(uint64_t v)
{
	return v & ~(PT_PAGE_SIZE - 1);
}

static inline uint64_t pt_page_up(uint64_t v)
{
	return pt_page_down(v + PT_PAGE_SIZE - 1);
}

/* What a mapping allows; the format decides how that is encoded. */
enum pt_attr {
	PT_READ = 1u << 0,
	PT_WRITE = 1u << 1,
	PT_EXEC = 1u << 2,
	PT_DEVICE = 1u << 3, /* Device-nGnRE; otherwise Normal write-back */
};

enum pt_format {
	PT_FMT_EL2_S1, /* EL2 stage 1 (non-VHE): one VA range, no EL0 */
	PT_FMT_S2,     /* stage 2 of a partition or VM: IPA -> PA */
};

enum pt_map_mode {
	PT_MAP_STRICT,     /* overlapping an existing mapping is an error */
	PT_MAP_FILL_HOLES, /* map only where nothing is mapped yet */
};

struct pt_allocator {
	/* Returns a zeroed, 4 KiB-aligned page, or NULL when exhausted. */
	void *(*alloc_page)(void *ctx);
	void *ctx;
};

struct pgtable {
	uint64_t *root;
	unsigned start_level; /* 0..2 */
	unsigned va_bits;     /* input address size */
	enum pt_format format;
	struct pt_allocator alloc;
};

/* A simple bump allocator over a caller's array of pages. */
struct pt_pool {
	uint8_t (*pages)[PT_PAGE_SIZE];
	size_t count;
	size_t used;
};
void *pt_pool_alloc(void *pool);

int pt_init(struct pgtable *pt, enum pt_format format, unsigned va_bits, struct pt_allocator alloc);
int pt_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, unsigned attrs,
           enum pt_map_mode mode);
/* Remove every mapping in [va, va+size); blocks must be covered whole.
 * The caller invalidates the TLB. 0, -KEEL_EINVAL or -KEEL_ERANGE. */
int pt_unmap(struct pgtable *pt, uint64_t va, uint64_t size);
/* Remove every page or block whose physical memory meets [pa, pa+size),
 * wherever it is mapped. Returns whether there was any. The caller
 * invalidates the TLB; table pages stay allocated. */
bool pt_unmap_phys(struct pgtable *pt, uint64_t pa, uint64_t size);
/* Whether nothing at all is mapped in [va, va+size). */
bool pt_range_empty(const struct pgtable *pt, uint64_t va, uint64_t size);
/* Translate va; returns false if unmapped. */
bool pt_lookup(const struct pgtable *pt, uint64_t va, uint64_t *pa, unsigned *attrs,
               uint64_t *block_size);

/* Encoding details, exposed for the MMU setup and for tests. */
#define PTE_VALID      (1ull << 0)
#define PTE_TABLE      (1ull << 1) /* at levels 0-2: table; at level 3: page */
#define PTE_ATTRIDX(i) ((uint64_t)(i) << 2)
#define PTE_AP_RO      (1ull << 7)
#define PTE_AP_EL2_SBO (1ull << 6) /* AP[1] is RES1 in the EL2 regime */
#define PTE_SH_INNER   (3ull << 8)
#define PTE_AF         (1ull << 10)
#define PTE_XN         (1ull << 54)
#define PTE_ADDR_MASK  0x0000fffffffff000ull

/* Stage-2 leaf bits. */
#define S2_MEMATTR_NORMAL (0xfull << 2) /* outer and inner write-back */
#define S2_MEMATTR_DEVICE (0x1ull << 2) /* Device-nGnRE */
#define S2_AP_R           (1ull << 6)
#define S2_AP_W           (1ull << 7)

/* MAIR_EL2 slots the EL2_S1 format uses. */
#define MAIR_IDX_NORMAL 0
#define MAIR_IDX_DEVICE 1
#define MAIR_EL2_VALUE  0x04ffull /* slot 0: Normal WB RW-alloc, slot 1: Device-nGnRE */

#endif
