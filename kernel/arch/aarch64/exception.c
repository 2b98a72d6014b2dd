/* SPDX-License-Identifier: MIT */
/*
 * Exceptions taken to EL2. Interrupts go to the GIC driver; anything else is
 * unexpected at this stage and produces a crash report: exception class by
 * name, ESR, FAR, ELR, SPSR, the CPU and every register, then the panic's
 * end (keel/panic.h): the thread, the other CPUs stopped, reset or halt.
 */
#include <arch/exception.h>
#include <arch/gic.h>
#include <keel/arch.h>
#include <keel/kernel.h>
#include <keel/panic.h>

static const char *const vector_names[] = {
        "EL2 (SP0) sync",
        "EL2 (SP0) IRQ",
        "EL2 (SP0) FIQ",
        "EL2 (SP0) SError",
        "EL2 sync",
        "EL2 IRQ",
        "EL2 FIQ",
        "EL2 SError",
        "lower EL (A64) sync",
        "lower EL (A64) IRQ",
        "lower EL (A64) FIQ",
        "lower EL (A64) SError",
        "lower EL (A32) sync",
        "lower EL (A32) IRQ",
        "lower EL (A32) FIQ",
        "lower EL (A32) SError",
};

const char *esr_class_name(unsigned ec)
{
	switch (ec) {
	case 0x00: return "Unknown reason";
	case 0x01: return "WFI/WFE";
	case 0x07: return "FP/SIMD access";
	case 0x0e: return "Illegal execution state";
	case 0x11: return "SVC (AArch32)";
	case 0x12: return "HVC (AArch32)";
	case 0x13: return "SMC (AArch32)";
	case 0x15: return "SVC (AArch64)";
	case 0x16: return "HVC (AArch64)";
	case 0x17: return "SMC (AArch64)";
	case 0x18: return "System register access";
	case 0x20: return "Instruction Abort (lower EL)";
	case 0x21: return "Instruction Abort (current EL)";
	case 0x22: return "PC alignment fault";
	case 0x24: return "Data Abort (lower EL)";
	case 0x25: return "Data Abort (current EL)";
	case 0x26: return "SP alignment fault";
	case 0x2c: return "FP exception (AArch64)";
	case 0x2f: return "SError";
	case 0x30: return "Breakpoint (lower EL)";
	case 0x31: return "Breakpoint (current EL)";
	case 0x32: return "Software step (lower EL)";
	case 0x33: return "Software step (current EL)";
	case 0x34: return "Watchpoint (lower EL)";
	case 0x35: return "Watchpoint (current EL)";
	case 0x3c: return "BRK instruction";
	default: return "Reserved or unhandled class";
	}
}

static void print_registers(const struct exc_frame *f)
{
	for (unsigned i = 0; i < 31; i += 2) {
		if (i == 30)
			panic_printf("x30  0x%016llx  sp   0x%016llx\n",
			             (unsigned long long)f->x[30], (unsigned long long)f->sp);
		else
			panic_printf("x%-2u  0x%016llx  x%-2u  0x%016llx\n", i,
			             (unsigned long long)f->x[i], i + 1,
			             (unsigned long long)f->x[i + 1]);
	}
}

static _Noreturn void crash_report(const struct exc_frame *f, unsigned vector)
{
	unsigned ec = (unsigned)(f->esr >> 26) & 0x3f;

	panic_begin();
	panic_printf("\n*** KEEL CRASH on cpu%u: %s, taken as %s ***\n", arch_cpu_id(),
	             esr_class_name(ec), vector < 16 ? vector_names[vector] : "?");
	panic_printf("ESR  0x%08llx (EC 0x%02x IL %u ISS 0x%07llx)\n", (unsigned long long)f->esr,
	             ec, (unsigned)(f->esr >> 25) & 1, (unsigned long long)(f->esr & 0x1ffffff));
	panic_printf("FAR  0x%016llx\nELR  0x%016llx\nSPSR 0x%016llx\n", (unsigned long long)f->far,
	             (unsigned long long)f->elr, (unsigned long long)f->spsr);
	print_registers(f);
	panic_end();
}

void exception_dispatch(struct exc_frame *frame, unsigned vector)
{
	if (vector == VEC_CUR_SPX_IRQ) {
		/* Only taken while a CPU waits idle (or in the boot timer check), never
		 * inside the kernel proper: take the lock the handlers expect. */
		kernel_lock();
		gic_handle_irq();
		kernel_unlock();
		return;
	}
	crash_report(frame, vector);
}
