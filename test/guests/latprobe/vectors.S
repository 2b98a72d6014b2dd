/* SPDX-License-Identifier: MIT */
/*
 * latprobe's EL1 vectors. The IRQ entry reads CNTVCT_EL0 in its very first
 * instruction, into x18, which the whole program leaves alone
 * (-ffixed-x18): nothing runs between the exception entry and the time
 * stamp, so a sample ends where the path of the hypervisor (or of QEMU)
 * ends. Exception entry is context synchronizing, so the read cannot be
 * taken early and needs no ISB.
 */
	.macro	unexpected off
	.balign	0x80
	mov	x0, #\off
	b	guest_unexpected
	.endm

	.text
	.balign	0x800
	.globl	lp_vectors
lp_vectors:
	unexpected 0x000
	unexpected 0x080
	unexpected 0x100
	unexpected 0x180
	unexpected 0x200
	.balign	0x80
	/* 0x280: IRQ, current EL with SP_ELx: lp_irq(stamp) between the
	 * caller-saved registers (24 instructions, inside the slot). */
	mrs	x18, cntvct_el0
	stp	x29, x30, [sp, #-160]!
	stp	x0, x1, [sp, #16]
	stp	x2, x3, [sp, #32]
	stp	x4, x5, [sp, #48]
	stp	x6, x7, [sp, #64]
	stp	x8, x9, [sp, #80]
	stp	x10, x11, [sp, #96]
	stp	x12, x13, [sp, #112]
	stp	x14, x15, [sp, #128]
	stp	x16, x17, [sp, #144]
	mov	x0, x18
	bl	lp_irq
	ldp	x16, x17, [sp, #144]
	ldp	x14, x15, [sp, #128]
	ldp	x12, x13, [sp, #112]
	ldp	x10, x11, [sp, #96]
	ldp	x8, x9, [sp, #80]
	ldp	x6, x7, [sp, #64]
	ldp	x4, x5, [sp, #48]
	ldp	x2, x3, [sp, #32]
	ldp	x0, x1, [sp, #16]
	ldp	x29, x30, [sp], #160
	eret
	unexpected 0x300
	unexpected 0x380
	unexpected 0x400
	unexpected 0x480
	unexpected 0x500
	unexpected 0x580
	unexpected 0x600
	unexpected 0x680
	unexpected 0x700
	unexpected 0x780
