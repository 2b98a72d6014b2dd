/* SPDX-License-Identifier: MIT */
	.section .text.boot, "ax"
	.globl	_start
_start:
	ldr	x1, =stack_top
	mov	sp, x1
	ldr	x1, =vectors
	msr	vbar_el1, x1
	isb
	bl	guest_main
1:	wfe
	b	1b

/* EL1 vectors: an IRQ, a synchronous exception (the injected abort) or an
 * SError on the EL1h stack is expected; anything else reports its vector
 * offset and stops. */
	.macro	unexpected off
	.balign	0x80
	mov	x0, #\off
	b	guest_unexpected
	.endm

	.text
	.balign	0x800
vectors:
	unexpected 0x000
	unexpected 0x080
	unexpected 0x100
	unexpected 0x180
	.balign	0x80
	/* 0x200: synchronous, current EL with SP_ELx */
	stp	x29, x30, [sp, #-176]!
	ldr	x30, =guest_sync
	b	save_and_call
	.balign	0x80
	/* 0x280: IRQ, current EL with SP_ELx */
	stp	x29, x30, [sp, #-176]!
	ldr	x30, =guest_irq
	b	save_and_call
	unexpected 0x300
	.balign	0x80
	/* 0x380: SError, current EL with SP_ELx; only a guest that unmasks
	 * PSTATE.A (intruder) can take one. */
	stp	x29, x30, [sp, #-176]!
	ldr	x30, =guest_serror
	b	save_and_call
	unexpected 0x400
	unexpected 0x480
	unexpected 0x500
	unexpected 0x580
	unexpected 0x600
	unexpected 0x680
	unexpected 0x700
	unexpected 0x780

/* The caller-saved registers around a C handler (x30 holds it). */
save_and_call:
	stp	x0, x1, [sp, #16]
	stp	x2, x3, [sp, #32]
	stp	x4, x5, [sp, #48]
	stp	x6, x7, [sp, #64]
	stp	x8, x9, [sp, #80]
	stp	x10, x11, [sp, #96]
	stp	x12, x13, [sp, #112]
	stp	x14, x15, [sp, #128]
	stp	x16, x17, [sp, #144]
	str	x18, [sp, #160]
	blr	x30
	ldr	x18, [sp, #160]
	ldp	x16, x17, [sp, #144]
	ldp	x14, x15, [sp, #128]
	ldp	x12, x13, [sp, #112]
	ldp	x10, x11, [sp, #96]
	ldp	x8, x9, [sp, #80]
	ldp	x6, x7, [sp, #64]
	ldp	x4, x5, [sp, #48]
	ldp	x2, x3, [sp, #32]
	ldp	x0, x1, [sp, #16]
	ldp	x29, x30, [sp], #176
	eret
