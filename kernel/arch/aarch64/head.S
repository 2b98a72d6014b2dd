/* SPDX-License-Identifier: MIT */
/*
 * Entry from the loader (QEMU -kernel, U-Boot booti, the RPi firmware) at
 * EL2 with the MMU off and x0 = device tree, per the arm64 boot protocol;
 * and entry of secondary CPUs released by PSCI or the spin table.
 */
#include <arch/asm.h>
#include <arch/sysreg.h>

	.section .text.head, "ax"
	.globl	_start
_start:
	/* arm64 Image header (Documentation/arch/arm64/booting.rst) */
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	KEEL_TEXT_OFFSET	/* text_offset from a 2 MiB-aligned RAM base */
	.quad	keel_image_size		/* image_size, bss included */
	.quad	0x2			/* flags: little endian, 4 KiB pages, base near RAM start */
	.quad	0, 0, 0			/* res2..res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE/COFF header */

primary_entry:
	mov	x19, x0
	msr	daifset, #0xf
	bl	el2_check
	/* The image is linked for one address (bsp board.cmake); refuse others. */
	adr	x0, _start
	ldr	x1, =_start
	cmp	x0, x1
	b.ne	wrong_load_address
	bl	el2_known_state

	/* Mix the counter into the stack-protector guard before any C runs. */
	mrs	x0, cntpct_el0
	ldr	x1, =__stack_chk_guard
	ldr	x2, [x1]
	eor	x2, x2, x0, ror #17
	str	x2, [x1]

	/* Drop stale lines the firmware may hold for bss, then zero it. */
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
	sub	x1, x1, x0
	bl	dcache_invalidate_range
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	stp	xzr, xzr, [x0], #16
	cmp	x0, x1
	b.lo	1b

	ldr	x0, =cpu_locals
	msr	tpidr_el2, x0
	ldr	x1, =keel_stacks + KEEL_STACK_SIZE
	str	x1, [x0, #CPU_KSTACK_TOP]
	mov	sp, x1
	mov	x0, x19
	bl	mmu_build_boot_tables
	bl	mmu_enable
	ldr	x0, =mmu_boot_fdt
	ldr	x0, [x0]
	bl	kernel_main
	b	halt

	.globl	secondary_entry
secondary_entry:
	msr	daifset, #0xf
	bl	el2_check
	bl	el2_known_state
	/* Logical CPU number: our MPIDR's index in smp_boot_hwid[]. */
	mrs	x0, mpidr_el1
	ldr	x1, =MPIDR_AFF_MASK
	and	x0, x0, x1
	ldr	x1, =smp_boot_hwid
	mov	x2, #0
2:	ldr	x3, [x1, x2, lsl #3]
	cmp	x3, x0
	b.eq	3f
	add	x2, x2, #1
	cmp	x2, #KEEL_MAX_CPUS
	b.lo	2b
	b	halt
3:	mov	x19, x2
	ldr	x1, =keel_stacks
	add	x4, x19, #1
	mov	x3, #KEEL_STACK_SIZE
	madd	x20, x4, x3, x1
	mov	sp, x20
	ldr	x0, =mmu_boot_root
	ldr	x0, [x0]
	bl	mmu_enable
	/* Per-CPU data is written only now, through the coherent caches. */
	ldr	x0, =cpu_locals
	mov	x3, #CPU_LOCAL_SIZE
	madd	x0, x19, x3, x0
	str	x19, [x0, #CPU_ID]
	str	x20, [x0, #CPU_KSTACK_TOP]
	msr	tpidr_el2, x0
	mov	x0, x19
	bl	smp_secondary_main
	b	halt

/* Hang quietly unless we are at EL2: there is no one to tell below it. */
el2_check:
	mrs	x0, CurrentEL
	cmp	x0, #(2 << 2)
	b.ne	halt
	ret

/*
 * MMU and caches off, vectors installed, FP/SIMD not trapped (libfdt uses
 * it), and physical interrupts routed to EL2 (HCR_EL2.IMO/FMO/AMO): without
 * them an IRQ is never taken while running at EL2.
 */
el2_known_state:
	ldr	x0, =SCTLR_EL2_RES1
	msr	sctlr_el2, x0
	ldr	x0, =HCR_EL2_HOST
	msr	hcr_el2, x0
	mov	x0, #CPTR_EL2_NOTRAP
	msr	cptr_el2, x0
	ldr	x0, =exception_vectors
	msr	vbar_el2, x0
	isb
	ret

wrong_load_address:
	/* PC-relative: absolute addresses are wrong here by definition. */
	adrp	x0, wrong_load_msg
	add	x0, x0, :lo12:wrong_load_msg
	bl	early_puts
	b	halt

/* Write the NUL-terminated string at x0 with the MMU off. */
early_puts:
	mov	x20, x30
	mov	x21, x0
4:	ldrb	w0, [x21], #1
	cbz	w0, 5f
	bl	uart_putc
	b	4b
5:	ret	x20

	.globl	halt
halt:
	msr	daifset, #0xf
6:	wfe
	b	6b

	.section .rodata
wrong_load_msg:
	.asciz	"keel: loaded at the wrong address; see docs/boards.md\r\n"
