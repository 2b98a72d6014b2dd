/* SPDX-License-Identifier: MIT */
/* The kernel's own memory and devices, which no device frame may reach. */
#include <arch/pgtable.h>
#include <bsp.h>
#include <keel/devmem.h>

/* Conservative sizes of the GIC frames the kernel uses itself. */
#define GICD_SIZE   0x10000ull
#define GICC_SIZE   0x2000ull
#define GICV2_VSIZE 0x2000ull
#define GICR_SIZE   (0x20000ull * KEEL_MAX_CPUS)

static void forbid(uint64_t base, uint64_t size)
{
	if (base)
		devmem_forbid(base, size);
}

void devmem_init_board(const void *fdt, const struct bootinfo *bi)
{
	extern char _start[], _end[];

	devmem_init(fdt, bi);
	devmem_forbid((uintptr_t)_start, (uintptr_t)_end - (uintptr_t)_start);
	devmem_forbid(pt_page_down(board.uart_base), PT_PAGE_SIZE);
	for (size_t i = 0; i < board.mmio_count; i++)
		devmem_forbid(board.mmio[i].base, board.mmio[i].size);
	for (size_t i = 0; i < board.gic_count; i++) {
		const struct bsp_gic *g = &board.gics[i];
		forbid(g->gicd, GICD_SIZE);
		forbid(g->gicc, GICC_SIZE);
		forbid(g->gich, GICV2_VSIZE);
		forbid(g->gicv, GICV2_VSIZE);
		forbid(g->gicr, GICR_SIZE);
	}
}
