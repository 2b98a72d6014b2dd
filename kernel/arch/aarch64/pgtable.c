/* SPDX-License-Identifier: MIT */
#include <arch/pgtable.h>
#include <keel/errno.h>
#include <string.h>

#define PT_LAST_LEVEL 3
#define PT_PA_MAX     ((1ull << 48) - 1)

static unsigned level_shift(unsigned level)
{
	return 12 + 9 * (PT_LAST_LEVEL - level);
}

static uint64_t level_size(unsigned level)
{
	return 1ull << level_shift(level);
}

static unsigned level_entries(const struct pgtable *pt, unsigned level)
{
	if (level == pt->start_level)
		return 1u << (pt->va_bits - level_shift(level));
	return PT_ENTRIES;
}

static unsigned level_index(const struct pgtable *pt, unsigned level, uint64_t va)
{
	return (unsigned)((va >> level_shift(level)) & (level_entries(pt, level) - 1));
}

/* Blocks exist at level 1 (1 GiB) and 2 (2 MiB) with a 4 KiB granule. */
static bool level_has_blocks(unsigned level)
{
	return level == 1 || level == 2;
}

static uint64_t encode_s2(unsigned attrs)
{
	uint64_t d = PTE_AF | S2_AP_R;

	if (attrs & PT_DEVICE)
		d |= S2_MEMATTR_DEVICE;
	else
		d |= S2_MEMATTR_NORMAL | PTE_SH_INNER;
	if (attrs & PT_WRITE)
		d |= S2_AP_W;
	if (!(attrs & PT_EXEC) || (attrs & PT_DEVICE))
		d |= PTE_XN;
	return d;
}

static uint64_t encode_attrs(enum pt_format format, unsigned attrs)
{
	uint64_t d = PTE_AF | PTE_AP_EL2_SBO;

	if (format == PT_FMT_S2)
		return encode_s2(attrs);
	if (attrs & PT_DEVICE)
		d |= PTE_ATTRIDX(MAIR_IDX_DEVICE);
	else
		d |= PTE_ATTRIDX(MAIR_IDX_NORMAL) | PTE_SH_INNER;
	if (!(attrs & PT_WRITE))
		d |= PTE_AP_RO;
	if (!(attrs & PT_EXEC) || (attrs & PT_DEVICE))
		d |= PTE_XN;
	return d;
}

static unsigned decode_attrs(enum pt_format format, uint64_t d)
{
	unsigned attrs = PT_READ;

	if (format == PT_FMT_S2) {
		attrs = ((d & S2_AP_R) ? PT_READ : 0) | ((d & S2_AP_W) ? PT_WRITE : 0);
		if (!(d & PTE_XN))
			attrs |= PT_EXEC;
		if ((d & (0xfull << 2)) == S2_MEMATTR_DEVICE)
			attrs |= PT_DEVICE;
		return attrs;
	}

	if (!(d & PTE_AP_RO))
		attrs |= PT_WRITE;
	if (!(d & PTE_XN))
		attrs |= PT_EXEC;
	if (((d >> 2) & 7) == MAIR_IDX_DEVICE)
		attrs |= PT_DEVICE;
	return attrs;
}

static bool is_table(uint64_t d, unsigned level)
{
	return level < PT_LAST_LEVEL && (d & (PTE_VALID | PTE_TABLE)) == (PTE_VALID | PTE_TABLE);
}

static uint64_t *table_of(uint64_t d)
{
	return (uint64_t *)(uintptr_t)(d & PTE_ADDR_MASK);
}

void *pt_pool_alloc(void *ctx)
{
	struct pt_pool *pool = ctx;
	if (pool->used == pool->count)
		return NULL;
	void *page = pool->pages[pool->used++];
	memset(page, 0, PT_PAGE_SIZE);
	return page;
}

int pt_init(struct pgtable *pt, enum pt_format format, unsigned va_bits, struct pt_allocator alloc)
{
	/* A single (non-concatenated) start table of 2..512 entries. */
	if (va_bits < 22 || va_bits > 48 || !alloc.alloc_page)
		return -KEEL_EINVAL;
	unsigned start = PT_LAST_LEVEL - (va_bits - 12 - 1) / 9;

	*pt = (struct pgtable){
	        .start_level = start, .va_bits = va_bits, .format = format, .alloc = alloc};
	pt->root = alloc.alloc_page(alloc.ctx);
	return pt->root ? 0 : -KEEL_ENOMEM;
}

struct map_req {
	uint64_t pa_offset; /* pa - va, modulo 2^64 */
	uint64_t leaf_bits;
	enum pt_map_mode mode;
};

static int map_level(struct pgtable *pt, uint64_t *table, unsigned level, uint64_t va, uint64_t end,
                     const struct map_req *req);

/* Map [va, end) within the single entry `*slot` of `level`. */
static int map_entry(struct pgtable *pt, uint64_t *slot, unsigned level, uint64_t va, uint64_t end,
                     const struct map_req *req)
{
	uint64_t size = level_size(level);
	uint64_t pa = va + req->pa_offset;
	bool whole = !(va & (size - 1)) && end - va >= size;
	bool leaf_ok = level == PT_LAST_LEVEL || (level_has_blocks(level) && !(pa & (size - 1)));

	if (*slot & PTE_VALID) {
		if (is_table(*slot, level))
			return map_level(pt, table_of(*slot), level + 1, va, end, req);
		/* An existing page or block: splitting it is not needed yet. */
		return req->mode == PT_MAP_FILL_HOLES ? 0 : -KEEL_EEXIST;
	}
	if (whole && leaf_ok) {
		uint64_t type = level == PT_LAST_LEVEL ? PTE_VALID | PTE_TABLE : PTE_VALID;
		*slot = (pa & PTE_ADDR_MASK) | req->leaf_bits | type;
		return 0;
	}
	uint64_t *next = pt->alloc.alloc_page(pt->alloc.ctx);
	if (!next)
		return -KEEL_ENOMEM;
	*slot = ((uint64_t)(uintptr_t)next & PTE_ADDR_MASK) | PTE_VALID | PTE_TABLE;
	return map_level(pt, next, level + 1, va, end, req);
}

static int map_level(struct pgtable *pt, uint64_t *table, unsigned level, uint64_t va, uint64_t end,
                     const struct map_req *req)
{
	uint64_t size = level_size(level);

	while (va < end) {
		uint64_t next = (va | (size - 1)) + 1;
		uint64_t chunk_end = next < end ? next : end; /* va < 2^48: no wrap */
		int err = map_entry(pt, &table[level_index(pt, level, va)], level, va, chunk_end,
		                    req);
		if (err)
			return err;
		va = chunk_end;
	}
	return 0;
}

int pt_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, unsigned attrs,
           enum pt_map_mode mode)
{
	uint64_t limit = 1ull << pt->va_bits;

	if ((va | pa | size) & (PT_PAGE_SIZE - 1) || !size)
		return -KEEL_EINVAL;
	if (va >= limit || size > limit - va || pa > PT_PA_MAX || size - 1 > PT_PA_MAX - pa)
		return -KEEL_ERANGE;
	if (!(attrs & PT_READ))
		return -KEEL_EINVAL;

	struct map_req req = {
	        .pa_offset = pa - va, .leaf_bits = encode_attrs(pt->format, attrs), .mode = mode};
	return map_level(pt, pt->root, pt->start_level, va, va + size, &req);
}

static int unmap_level(const struct pgtable *pt, uint64_t *table, unsigned level, uint64_t va,
                       uint64_t end)
{
	uint64_t size = level_size(level);

	while (va < end) {
		uint64_t next = (va | (size - 1)) + 1;
		uint64_t chunk_end = next < end ? next : end;
		uint64_t *slot = &table[level_index(pt, level, va)];
		if (is_table(*slot, level)) {
			int err = unmap_level(pt, table_of(*slot), level + 1, va, chunk_end);
			if (err)
				return err;
		} else if (*slot & PTE_VALID) {
			/* Splitting a block is not supported: it must go whole. */
			if ((va & (size - 1)) || chunk_end - va != size)
				return -KEEL_EINVAL;
			*slot = 0;
		}
		va = chunk_end;
	}
	return 0;
}

int pt_unmap(struct pgtable *pt, uint64_t va, uint64_t size)
{
	if ((va | size) & (PT_PAGE_SIZE - 1) || !size)
		return -KEEL_EINVAL;
	if (va >= 1ull << pt->va_bits || size > (1ull << pt->va_bits) - va)
		return -KEEL_ERANGE;
	return unmap_level(pt, pt->root, pt->start_level, va, va + size);
}

static bool unmap_phys_level(uint64_t *table, unsigned entries, unsigned level, uint64_t pa,
                             uint64_t end)
{
	uint64_t size = level_size(level);
	bool any = false;

	for (unsigned i = 0; i < entries; i++) {
		uint64_t d = table[i];
		if (is_table(d, level)) {
			any |= unmap_phys_level(table_of(d), PT_ENTRIES, level + 1, pa, end);
		} else if (d & PTE_VALID) {
			uint64_t lo = d & PTE_ADDR_MASK & ~(size - 1);
			if (lo < end && pa < lo + size) {
				table[i] = 0;
				any = true;
			}
		}
	}
	return any;
}

bool pt_unmap_phys(struct pgtable *pt, uint64_t pa, uint64_t size)
{
	if (!size)
		return false;
	return unmap_phys_level(pt->root, level_entries(pt, pt->start_level), pt->start_level, pa,
	                        pa + size);
}

static bool range_empty(const struct pgtable *pt, const uint64_t *table, unsigned level,
                        uint64_t va, uint64_t end)
{
	uint64_t size = level_size(level);

	while (va < end) {
		uint64_t next = (va | (size - 1)) + 1;
		uint64_t chunk_end = next < end ? next : end;
		uint64_t d = table[level_index(pt, level, va)];
		if (is_table(d, level)) {
			if (!range_empty(pt, table_of(d), level + 1, va, chunk_end))
				return false;
		} else if (d & PTE_VALID) {
			return false;
		}
		va = chunk_end;
	}
	return true;
}

bool pt_range_empty(const struct pgtable *pt, uint64_t va, uint64_t size)
{
	if (va >= 1ull << pt->va_bits || size > (1ull << pt->va_bits) - va)
		return false;
	return range_empty(pt, pt->root, pt->start_level, va, va + size);
}

bool pt_lookup(const struct pgtable *pt, uint64_t va, uint64_t *pa, unsigned *attrs,
               uint64_t *block_size)
{
	const uint64_t *table = pt->root;

	if (va >> pt->va_bits)
		return false;
	for (unsigned level = pt->start_level; level <= PT_LAST_LEVEL; level++) {
		uint64_t d = table[level_index(pt, level, va)];
		if (!(d & PTE_VALID))
			return false;
		if (is_table(d, level)) {
			table = table_of(d);
			continue;
		}
		uint64_t size = level_size(level);
		if (pa)
			*pa = (d & PTE_ADDR_MASK & ~(size - 1)) | (va & (size - 1));
		if (attrs)
			*attrs = decode_attrs(pt->format, d);
		if (block_size)
			*block_size = size;
		return true;
	}
	return false;
}
