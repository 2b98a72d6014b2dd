/* SPDX-License-Identifier: MIT */
/*
 * EL2 exception vectors. Every slot saves a full struct exc_frame and calls
 * exception_dispatch(frame, slot); a handler that returns resumes the
 * interrupted context from the (possibly edited) frame.
 */
#include <arch/asm.h>

.macro vector slot
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\slot
	b	exception_common
.endm

.macro uvector slot
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\slot
	b	user_entry
.endm

	.text
	.balign	0x800
	.globl	exception_vectors
exception_vectors:
	vector 0
	vector 1
	vector 2
	vector 3
	vector 4
	vector 5
	vector 6
	vector 7
	uvector 8
	uvector 9
	uvector 10
	uvector 11
	uvector 12
	uvector 13
	uvector 14
	uvector 15

exception_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x1, sp, #FRAME_SIZE
	stp	x30, x1, [sp, #240]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [sp, #FRAME_ELR]
	mrs	x2, esr_el2
	mrs	x3, far_el2
	stp	x2, x3, [sp, #FRAME_ESR]
	mov	x1, x0
	mov	x0, sp
	bl	exception_dispatch

	ldp	x2, x3, [sp, #FRAME_ELR]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #FRAME_SIZE
	eret

/*
 * From EL0: save the thread's registers straight into its TCB (the CPU's
 * cur_regs), so a context switch is only a pointer change. x0 and x1 wait
 * on the kernel stack meanwhile.
 */
user_entry:
	mrs	x0, tpidr_el2
	ldr	x0, [x0, #CPU_CUR_REGS]
	stp	x2, x3, [x0, #16]
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	stp	x14, x15, [x0, #112]
	stp	x16, x17, [x0, #128]
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #0]
	mrs	x2, sp_el0
	mrs	x3, elr_el2
	stp	x2, x3, [x0, #REGS_SP]
	mrs	x2, spsr_el2
	mrs	x3, tpidr_el0
	stp	x2, x3, [x0, #REGS_PSTATE]
	bl	user_exception
	b	halt

/* return_to_user(regs): empty kernel stack, restore the thread, eret. */
	.globl	return_to_user
return_to_user:
	mrs	x1, tpidr_el2
	ldr	x2, [x1, #CPU_KSTACK_TOP]
	mov	sp, x2
	str	x0, [x1, #CPU_CUR_REGS]
	ldp	x2, x3, [x0, #REGS_SP]
	msr	sp_el0, x2
	msr	elr_el2, x3
	ldp	x2, x3, [x0, #REGS_PSTATE]
	msr	spsr_el2, x2
	msr	tpidr_el0, x3
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret

/* fp_save(regs), fp_restore(regs): the FP/SIMD file of a thread. */
	.globl	fp_save
fp_save:
	add	x1, x0, #REGS_FP
	stp	q0, q1, [x1, #0]
	stp	q2, q3, [x1, #32]
	stp	q4, q5, [x1, #64]
	stp	q6, q7, [x1, #96]
	stp	q8, q9, [x1, #128]
	stp	q10, q11, [x1, #160]
	stp	q12, q13, [x1, #192]
	stp	q14, q15, [x1, #224]
	stp	q16, q17, [x1, #256]
	stp	q18, q19, [x1, #288]
	stp	q20, q21, [x1, #320]
	stp	q22, q23, [x1, #352]
	stp	q24, q25, [x1, #384]
	stp	q26, q27, [x1, #416]
	stp	q28, q29, [x1, #448]
	stp	q30, q31, [x1, #480]
	mrs	x2, fpsr
	mrs	x3, fpcr
	add	x1, x1, #512		/* REGS_FPSR */
	stp	x2, x3, [x1]
	ret

	.globl	fp_restore
fp_restore:
	add	x1, x0, #REGS_FP
	ldp	q0, q1, [x1, #0]
	ldp	q2, q3, [x1, #32]
	ldp	q4, q5, [x1, #64]
	ldp	q6, q7, [x1, #96]
	ldp	q8, q9, [x1, #128]
	ldp	q10, q11, [x1, #160]
	ldp	q12, q13, [x1, #192]
	ldp	q14, q15, [x1, #224]
	ldp	q16, q17, [x1, #256]
	ldp	q18, q19, [x1, #288]
	ldp	q20, q21, [x1, #320]
	ldp	q22, q23, [x1, #352]
	ldp	q24, q25, [x1, #384]
	ldp	q26, q27, [x1, #416]
	ldp	q28, q29, [x1, #448]
	ldp	q30, q31, [x1, #480]
	add	x1, x1, #512		/* REGS_FPSR */
	ldp	x2, x3, [x1]
	msr	fpsr, x2
	msr	fpcr, x3
	ret
