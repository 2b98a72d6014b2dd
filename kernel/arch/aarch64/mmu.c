/* SPDX-License-Identifier: MIT */
/*
 * The EL2 stage-1 tables: one identity map shared by every CPU.
 *
 * mmu_build_boot_tables runs with the MMU off (everything is Device memory
 * then, hence -mstrict-align for the kernel); it maps the image with its
 * section permissions, the board MMIO and the device tree. RAM is added
 * after the tree has been read, only into holes, so the image keeps its
 * finer mapping and no live entry is ever rewritten.
 */
#include <arch/cache.h>
#include <arch/mmu.h>
#include <arch/pgtable.h>
#include <arch/sysreg.h>
#include <bsp.h>
#include <keel/errno.h>
#include <stddef.h>

#define BOOT_TABLE_PAGES 48
#define FDT_MAGIC        0xd00dfeedu

extern char _start[], _etext[], _erodata[], __bss_end[];

static uint8_t boot_table_pages[BOOT_TABLE_PAGES][PT_PAGE_SIZE]
        __attribute__((aligned(PT_PAGE_SIZE), section(".bss.pagetables")));
static struct pt_pool boot_pool;
static struct pgtable kernel_pt;
uint64_t mmu_boot_root;
uint64_t mmu_boot_fdt;

static uint32_t be32(const volatile uint32_t *p)
{
	return __builtin_bswap32(*p);
}

static int map_range(uint64_t start, uint64_t end, unsigned attrs, enum pt_map_mode mode)
{
	start = pt_page_down(start);
	end = pt_page_up(end);
	return pt_map(&kernel_pt, start, start, end - start, attrs, mode);
}

/* No console is usable yet if the boot map fails: stop where a debugger sees it. */
static void boot_map_failed(void)
{
	for (;;)
		__asm__ volatile("wfe");
}

static void map_or_halt(uint64_t start, uint64_t end, unsigned attrs)
{
	if (map_range(start, end, attrs, PT_MAP_STRICT))
		boot_map_failed();
}

uint64_t mmu_build_boot_tables(uint64_t dtb)
{
	boot_pool = (struct pt_pool){boot_table_pages, BOOT_TABLE_PAGES, 0};
	struct pt_allocator alloc = {pt_pool_alloc, &boot_pool};
	if (pt_init(&kernel_pt, PT_FMT_EL2_S1, MMU_VA_BITS, alloc))
		boot_map_failed();

	map_or_halt((uintptr_t)_start, (uintptr_t)_etext, PT_READ | PT_EXEC);
	map_or_halt((uintptr_t)_etext, (uintptr_t)_erodata, PT_READ);
	map_or_halt((uintptr_t)_erodata, (uintptr_t)__bss_end, PT_READ | PT_WRITE);
	for (size_t i = 0; i < board.mmio_count; i++)
		map_or_halt(board.mmio[i].base, board.mmio[i].base + board.mmio[i].size,
		            PT_READ | PT_WRITE | PT_DEVICE);

	/* The header fields are aligned big-endian words: safe to read as Device. */
	if (dtb && !(dtb & 7) && be32((const volatile uint32_t *)dtb) == FDT_MAGIC) {
		uint32_t size = be32((const volatile uint32_t *)(dtb + 4));
		if (!map_range(dtb, dtb + size, PT_READ, PT_MAP_FILL_HOLES))
			mmu_boot_fdt = dtb;
	}
	mmu_boot_root = (uintptr_t)kernel_pt.root;
	return mmu_boot_root;
}

void mmu_enable(uint64_t root)
{
	const uint64_t tcr = (64 - MMU_VA_BITS)             /* T0SZ */
	                     | (1ull << 8)                  /* IRGN0: write-back, write-allocate */
	                     | (1ull << 10)                 /* ORGN0: same */
	                     | (3ull << 12)                 /* SH0: inner shareable */
	                     | (2ull << 16)                 /* PS: 40-bit physical addresses */
	                     | (1ull << 23) | (1ull << 31); /* RES1 */

	sysreg_write(mair_el2, MAIR_EL2_VALUE);
	sysreg_write(tcr_el2, tcr);
	sysreg_write(ttbr0_el2, root);
	isb();
	__asm__ volatile("tlbi alle2" ::: "memory");
	dsb(ish);
	isb();
	sysreg_write(sctlr_el2, SCTLR_EL2_RES1 | SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_I |
	                                SCTLR_EL2_SA | SCTLR_EL2_WXN);
	isb();
}

int mmu_map_ram(const struct bootinfo *bi)
{
	for (unsigned i = 0; i < bi->ram_count; i++) {
		const struct mem_range *r = &bi->ram[i];
		int err = map_range(r->base, r->base + r->size, PT_READ | PT_WRITE,
		                    PT_MAP_FILL_HOLES);
		if (err)
			return err;
	}
	/* New entries only filled invalid slots: no break-before-make needed. */
	dsb(ishst);
	isb();
	return 0;
}
