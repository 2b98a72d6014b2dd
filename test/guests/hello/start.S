/* SPDX-License-Identifier: MIT */
	.section .text.boot, "ax"
	.globl	_start
_start:
	ldr	x1, =stack_top
	mov	sp, x1
	bl	guest_main
1:	wfe
	b	1b
