/* SPDX-License-Identifier: MIT */
/* Data cache maintenance by VA to the point of coherency. x0 = start, x1 = size. */

/* x2 = smallest D-cache line size, from CTR_EL0.DminLine. */
.macro dcache_line_size
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4
	mov	x2, #4
	lsl	x2, x2, x3
.endm

.macro dcache_by_line op
	dcache_line_size
	add	x1, x0, x1
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	dc	\op, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	1b
	dsb	sy
	ret
.endm

	.text
	.globl	dcache_clean_range
dcache_clean_range:
	dcache_by_line cvac

	.globl	dcache_invalidate_range
dcache_invalidate_range:
	dcache_by_line ivac
