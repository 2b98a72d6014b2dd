/* SPDX-License-Identifier: MIT */
/*
 * Running service threads at EL0 (HCR_EL2.TGE = 1, stage 2 only), and the
 * way back in: SVC, aborts and interrupts from EL0 land in user_exception
 * with the thread's registers already saved in its TCB.
 */
#include <arch/asm.h>
#include <arch/cpu.h>
#include <arch/cpu_local.h>
#include <arch/exception.h>
#include <arch/gic.h>
#include <arch/sysreg.h>
#include <arch/user.h>
#include <arch/vgic.h>
#include <keel/entry.h>
#include <keel/fastpath.h>
#include <keel/fault.h>
#include <keel/kernel.h>
#include <keel/partition.h>
#include <keel/syscall.h>
#include <stdbool.h>

#define EC_FP       0x07
#define EC_SVC64    0x15
#define EC_HVC64    0x16
#define EC_IABT_LOW 0x20
#define EC_DABT_LOW 0x24

#define CNTHCTL_EL1PCTEN (1ull << 0)

void fp_save(struct arch_regs *regs);
void fp_restore(const struct arch_regs *regs);
_Noreturn void return_to_user(struct arch_regs *regs);
_Noreturn void user_exception(struct arch_regs *regs, unsigned vector);

/* Debug and PMU state belong to the hypervisor: guests trap on every access
 * (MDCR_EL2), and what firmware or a previous boot left is cleared so no
 * breakpoint, watchpoint or step fires in a service (under TGE their debug
 * exceptions would be EL2's, and fatal to the service). */
static void debug_init_cpu(void)
{
	uint64_t hpmn = sysreg_read(mdcr_el2) & MDCR_EL2_HPMN_MASK;

	sysreg_write(mdcr_el2, hpmn | MDCR_EL2_TRAPS);
	sysreg_write(mdscr_el1, 0);
	sysreg_write(oslar_el1, 1); /* OS lock on: no debug exception but BRK */
}

void arch_user_init_cpu(void)
{
	/* CPACR_EL1.FPEN still governs EL0 under TGE: musl's string routines use SIMD. */
	sysreg_write(cpacr_el1, 3ull << 20);
	sysreg_write(vtcr_el2, VTCR_EL2_VALUE);
	sysreg_write(hcr_el2, HCR_EL2_SERVICE);
	/* Guests: virtual count = physical count; EL1 may read the physical
	 * counter but not program the physical timer (the virtual one is theirs). */
	sysreg_write(cntvoff_el2, 0);
	sysreg_write(vpidr_el2, sysreg_read(midr_el1)); /* guests see the real core */
	sysreg_write(cnthctl_el2, CNTHCTL_EL1PCTEN);
	debug_init_cpu();
	isb();
	this_cpu()->hcr = HCR_EL2_SERVICE;
	this_cpu()->service_el1 = true;
}

static void switch_space(struct cpu_local *cpu, struct partition *p)
{
	if (cpu->space == p)
		return;
	sysreg_write(vttbr_el2, ((uint64_t)p->vmid << 48) | (uintptr_t)p->s2.root);
	isb();
	cpu->space = p;
}

/*
 * FP/SIMD registers are switched lazily: a thread that does not own the
 * CPU's FP registers runs with FP trapped (CPTR_EL2.TFP), and only its first
 * FP instruction moves the 528 bytes. IPC partners that never touch FP
 * between messages (most servers) never pay for it.
 */
static void set_fp_trap(struct cpu_local *cpu, bool trap)
{
	if (cpu->fp_trapped == trap)
		return;
	sysreg_write(cptr_el2, CPTR_EL2_NOTRAP | (trap ? CPTR_EL2_TFP : 0));
	isb();
	cpu->fp_trapped = trap;
}

static void switch_fp(struct cpu_local *cpu, const struct thread *next)
{
	set_fp_trap(cpu, cpu->fp_owner != next);
}

static void fp_take(struct thread *t)
{
	struct cpu_local *cpu = this_cpu();

	set_fp_trap(cpu, false);
	if (cpu->fp_owner)
		fp_save(&cpu->fp_owner->regs);
	fp_restore(&t->regs);
	cpu->fp_owner = t;
}

static void set_hcr(struct cpu_local *cpu, uint64_t hcr)
{
	if (cpu->hcr == hcr)
		return;
	sysreg_write(hcr_el2, hcr);
	isb();
	cpu->hcr = hcr;
}

/*
 * Services and vCPUs differ in HCR_EL2 (TGE, DC) and in whose EL1 system
 * registers the CPU holds; a vCPU's stay loaded until another context
 * needs the CPU's EL1 state (another vCPU, or a service, which needs
 * CPACR_EL1.FPEN for its FP/SIMD). A vCPU's HCR_EL2 is chosen on every
 * entry (vcpu_hcr), not here.
 */
static void switch_kind(struct cpu_local *cpu, struct thread *next)
{
	if (!next->is_vcpu && !cpu->el1_owner && cpu->service_el1)
		return; /* service to service: the common case */
	if (cpu->el1_owner && cpu->el1_owner != next) {
		vcpu_el1_save(&cpu->el1_owner->el1);
		vgic_cpu_save(cpu->el1_owner);
		cpu->el1_owner = NULL;
	}
	if (next->is_vcpu && cpu->el1_owner != next) {
		vcpu_el1_load(&next->el1);
		vgic_cpu_load(next);
		cpu->el1_owner = next;
	} else if (!next->is_vcpu && !cpu->service_el1) {
		sysreg_write(cpacr_el1, 3ull << 20);
	}
	cpu->service_el1 = !next->is_vcpu;
	if (!next->is_vcpu)
		set_hcr(cpu, HCR_EL2_SERVICE);
}

_Noreturn void arch_run_next(void)
{
	struct thread *next = kernel_pick_next();
	struct cpu_local *cpu = this_cpu();

	/* Back to the thread that entered: nothing to switch (most system calls). */
	if (next != cpu->last) {
		switch_kind(cpu, next);
		switch_space(cpu, next->partition);
		switch_fp(cpu, next);
		cpu->last = next;
	}
	if (next->is_vcpu) {
		vgic_cpu_unmute(next);
		vcpu_enter(next);
		/* Even when it runs on: the CPU may have got or lost a thread,
		 * its list registers their interrupts (vcpu_enter). */
		set_hcr(cpu, vcpu_hcr(next));
	}
	next->on_cpu = true;
	kernel_unlock();
	return_to_user(&next->regs);
}

static void user_sync(struct thread *t)
{
	uint64_t esr = sysreg_read(esr_el2);
	unsigned ec = (unsigned)(esr >> 26) & 0x3f;

	/* A guest's exits are decoded apart; its FP traps are ours (lazy FP). */
	if (t->is_vcpu && ec != EC_FP) {
		vcpu_exit(t, esr);
		return;
	}

	if (ec == EC_SVC64 && (esr & 0xffff) == KEEL_SVC_KEEL) {
		uint64_t no = regs_sysno(&t->regs);
		bool ipc = no == KEEL_SYS_CALL || no == KEEL_SYS_REPLY_RECV;
		if (!ipc || !fastpath_try(t))
			syscall_keel(t);
	} else if (ec == EC_SVC64 && (esr & 0xffff) == KEEL_SVC_LINUX)
		syscall_linux(t);
	else if (ec == EC_FP)
		fp_take(t);
	else if (ec == EC_DABT_LOW || ec == EC_IABT_LOW)
		fault_raise(t, KEEL_FAULT_MEMORY, sysreg_read(far_el2), t->regs.pc, esr);
	else
		fault_raise(t, KEEL_FAULT_OTHER, esr, t->regs.pc, 0);
}

/*
 * t was stopped while its exception waited for the kernel lock: if it is
 * resumed, the instruction that trapped runs again, as if it had been
 * stopped just before. SVC and HVC leave ELR past themselves; the other
 * exceptions leave it at the instruction (SMC included) or, asynchronous,
 * at the next one to run.
 */
static void drop_exception(struct thread *t, unsigned vector)
{
	unsigned ec = (unsigned)(sysreg_read(esr_el2) >> 26) & 0x3f;

	if (vector == VEC_LOW64_SYNC && (ec == EC_SVC64 || ec == EC_HVC64))
		t->regs.pc -= 4;
}

_Noreturn void user_exception(struct arch_regs *regs, unsigned vector)
{
	/* regs is the first member of the thread that was running. */
	struct thread *t = (struct thread *)regs;

	kernel_lock(); /* parks the CPU if another one panicked */
	bool still_running = kernel_entry(t);
	if (vector == VEC_LOW64_IRQ)
		gic_handle_irq();
	else if (!still_running)
		drop_exception(t, vector);
	else if (vector == VEC_LOW64_SYNC)
		user_sync(t);
	else
		fault_raise(t, KEEL_FAULT_OTHER, sysreg_read(esr_el2), regs->pc, vector);
	arch_run_next();
}

void arch_wait_for_ipi(void)
{
	vgic_cpu_mute();
	cpu_wait_interrupt();
}

void arch_idle_wait(void)
{
	/* WFI with interrupts masked still wakes on a pending one, so a wake-up
	 * IPI sent between the caller's last look at its queues and here is
	 * never lost; only then are interrupts let in to be handled. */
	vgic_cpu_mute();
	cpu_wait_interrupt();
	cpu_irq_enable();
	isb();
	cpu_irq_disable();
}

void arch_space_flush(unsigned vmid)
{
	uint64_t saved = sysreg_read(vttbr_el2);

	/* TLB maintenance by VMID acts on the VMID in VTTBR_EL2. */
	sysreg_write(vttbr_el2, (uint64_t)vmid << 48);
	isb();
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	dsb(ish);
	sysreg_write(vttbr_el2, saved);
	isb();
}

void arch_vcpu_reset(struct thread *vcpu)
{
	vgic_cpu_release(vcpu);
	for (unsigned c = 0; c < KEEL_MAX_CPUS; c++) {
		struct cpu_local *cpu = &cpu_locals[c];
		if (cpu->el1_owner == vcpu)
			cpu->el1_owner = NULL; /* its old registers there are dead */
		if (cpu->last == vcpu)
			cpu->last = NULL;
	}
}

static bool inside(const void *p, uint64_t base, uint64_t size)
{
	return p && (uintptr_t)p - base < size;
}

/* cur_regs needs nothing: every return to EL0 sets it first. */
void arch_memory_reused(uint64_t base, uint64_t size)
{
	for (unsigned c = 0; c < KEEL_MAX_CPUS; c++) {
		struct cpu_local *cpu = &cpu_locals[c];
		if (inside(cpu->fp_owner, base, size))
			cpu->fp_owner = NULL; /* its registers there are dead */
		if (inside(cpu->el1_owner, base, size))
			cpu->el1_owner = NULL;
		if (inside(cpu->space, base, size))
			cpu->space = NULL;
		/* A thread that lives on but loses its partition must not be
		 * taken for already switched to when it next runs here. */
		if (cpu->last &&
		    (inside(cpu->last, base, size) || inside(cpu->last->partition, base, size)))
			cpu->last = NULL;
	}
}
