/* SPDX-License-Identifier: MIT */
/*
 * vCPUs: their EL1 state, and their exits. The kernel settles what it can
 * (WFI, the virtual distributor, aborts on nothing); the rest is a call on
 * an endpoint: an MMIO range's device model, or the VM's exit endpoint
 * (vmm) for PSCI and unrouted MMIO. The vCPU waits for the reply, which
 * arch_vcpu_exit_complete turns into the result of the trapped instruction.
 */
#include <arch/asm.h>
#include <arch/cache.h>
#include <arch/esr.h>
#include <arch/sysreg.h>
#include <arch/vcpu.h>
#include <arch/vgic.h>
#include <keel/arch.h>
#include <keel/endpoint.h>
#include <keel/fault.h>
#include <keel/kernel.h>
#include <keel/log.h>
#include <keel/partition.h>
#include <keel/thread.h>
#include <keel/vcpu_irq.h>
#include <keel/vgic_dist.h>

#define EC_WFX      0x01
#define EC_CP15_32  0x03
#define EC_CP15_64  0x04
#define EC_CP14_32  0x05
#define EC_CP14_LS  0x06
#define EC_CP14_64  0x0c
#define EC_HVC64    0x16
#define EC_SMC64    0x17
#define EC_SYSREG   0x18
#define EC_IABT_LOW 0x20
#define EC_DABT_LOW 0x24
#define ESR_IL      (1ull << 25)
#define FSC_SEA     0x10
#define XZR         31

#define SMCCC_NOT_SUPPORTED ((uint64_t)-1)

#define CNTV_CTL_ENABLE (1ull << 0)
#define CNTV_CTL_IMASK  (1ull << 1)

#define SAVE(r, field) (field) = sysreg_read(r)
#define LOAD(r, field) sysreg_write(r, field)

void vcpu_el1_save(struct vcpu_sysregs *s)
{
	SAVE(sctlr_el1, s->sctlr);
	SAVE(ttbr0_el1, s->ttbr0);
	SAVE(ttbr1_el1, s->ttbr1);
	SAVE(tcr_el1, s->tcr);
	SAVE(mair_el1, s->mair);
	SAVE(amair_el1, s->amair);
	SAVE(vbar_el1, s->vbar);
	SAVE(contextidr_el1, s->contextidr);
	SAVE(tpidr_el1, s->tpidr);
	SAVE(tpidrro_el0, s->tpidrro);
	SAVE(sp_el1, s->sp_el1);
	SAVE(elr_el1, s->elr);
	SAVE(spsr_el1, s->spsr);
	SAVE(esr_el1, s->esr);
	SAVE(far_el1, s->far);
	SAVE(afsr0_el1, s->afsr0);
	SAVE(afsr1_el1, s->afsr1);
	SAVE(par_el1, s->par);
	SAVE(cpacr_el1, s->cpacr);
	SAVE(cntkctl_el1, s->cntkctl);
	SAVE(csselr_el1, s->csselr);
	SAVE(cntv_ctl_el0, s->cntv_ctl);
	SAVE(cntv_cval_el0, s->cntv_cval);
	/* Its virtual timer must not fire into whoever runs next. */
	sysreg_write(cntv_ctl_el0, 0);
}

void vcpu_el1_load(const struct vcpu_sysregs *s)
{
	LOAD(sctlr_el1, s->sctlr);
	LOAD(ttbr0_el1, s->ttbr0);
	LOAD(ttbr1_el1, s->ttbr1);
	LOAD(tcr_el1, s->tcr);
	LOAD(mair_el1, s->mair);
	LOAD(amair_el1, s->amair);
	LOAD(vbar_el1, s->vbar);
	LOAD(contextidr_el1, s->contextidr);
	LOAD(tpidr_el1, s->tpidr);
	LOAD(tpidrro_el0, s->tpidrro);
	LOAD(sp_el1, s->sp_el1);
	LOAD(elr_el1, s->elr);
	LOAD(spsr_el1, s->spsr);
	LOAD(esr_el1, s->esr);
	LOAD(far_el1, s->far);
	LOAD(afsr0_el1, s->afsr0);
	LOAD(afsr1_el1, s->afsr1);
	LOAD(par_el1, s->par);
	LOAD(cpacr_el1, s->cpacr);
	LOAD(cntkctl_el1, s->cntkctl);
	LOAD(csselr_el1, s->csselr);
	LOAD(vmpidr_el2, s->vmpidr);
	LOAD(cntv_cval_el0, s->cntv_cval);
	LOAD(cntv_ctl_el0, s->cntv_ctl);
	isb();
}

#define VECTOR_SYNC 0

/*
 * A synchronous exception taken to the guest's EL1 as the hardware would
 * take it: the vector of the exception level and stack it came from, with
 * ESR and FAR describing it. Runs on the vCPU's CPU with its EL1 state
 * loaded.
 */
static void inject_exception(struct thread *t, uint64_t esr, uint64_t far, uint64_t kind)
{
	uint64_t spsr = t->regs.pstate;
	bool from_el1 = ((spsr >> 2) & 3) == 1;
	bool aarch32 = (spsr >> 4) & 1; /* only EL0 can be AArch32 here */
	uint64_t vector = from_el1 ? ((spsr & 1) ? 0x200 : 0x000) : (aarch32 ? 0x600 : 0x400);

	sysreg_write(esr_el1, esr);
	sysreg_write(far_el1, far);
	sysreg_write(elr_el1, t->regs.pc);
	sysreg_write(spsr_el1, spsr);
	t->regs.pc = sysreg_read(vbar_el1) + vector + kind;
	t->regs.pstate = VCPU_PSTATE_EL1H;
}

/* A synchronous external abort on an access that reached nothing. */
static void inject_abort(struct thread *t, uint64_t far, bool data)
{
	bool from_el1 = ((t->regs.pstate >> 2) & 3) == 1;
	uint64_t ec = (data ? EC_DABT_LOW : EC_IABT_LOW) + (from_el1 ? 1 : 0);

	inject_exception(t, (ec << 26) | ESR_IL | FSC_SEA, far, VECTOR_SYNC);
}

/*
 * A vCPU alone on its CPU executes its WFI in its guest (TWI and TWE
 * clear): the CPU idles there, and when its virtual timer fires, the
 * physical PPI 27 is the one exception on the way to the guest's handler
 * (vtimer_irq). While it idles so, the scheduler counts it as running,
 * which costs nobody anything only because nothing else is placed on the
 * CPU; a thread placed there later interrupts the CPU (thread_wake), as
 * does anything else for it (a wake-up, a stop, a virtual interrupt to
 * inject, the EL2 timer), since physical interrupts still go to EL2 (IMO),
 * and the next entry traps WFI again. WFI traps also
 * - for a vCPU with a budget: idling would use the budget up;
 * - while an interrupt waits for one of its list registers
 *   (vgic_cpu_blocked): the trapped WFI is the exit that delivers it
 *   once the guest has ended the one there;
 * - without list registers, when PPI 27 is not taken at EL2 at all: only
 *   the trapped WFI's sleep ends at the timer's deadline.
 */
uint64_t vcpu_hcr(const struct thread *t)
{
	if (!t->budget && thread_alone_on_cpu(t) && arch_vgic_available() && !vgic_cpu_blocked(t))
		return HCR_EL2_GUEST & ~(HCR_EL2_TWI | HCR_EL2_TWE);
	return HCR_EL2_GUEST;
}

void vcpu_enter(struct thread *t)
{
	/* Still set, its WFI sleep ended at the timer's deadline (a virtual
	 * interrupt clears it when it wakes the vCPU): the timer's line is
	 * high, or will be as soon as the guest runs. */
	if (t->in_wfi) {
		t->in_wfi = false;
		vtimer_sync(t);
	}
	if (t->abort_pending) {
		t->abort_pending = false;
		inject_abort(t, t->abort_far, true);
	}
	vgic_flush(t);
}

/* Enough to see what a guest does wrong, not enough to drown the log when
 * it loops on the same fault. */
#define ABORT_LOG_MAX 16

static void abort_guest(struct thread *t, uint64_t ipa, uint64_t far, bool data)
{
	unsigned n = t->partition->abort_logs++;
	if (n == ABORT_LOG_MAX)
		log_warn("vm", "%s: further aborts are not logged", t->partition->name);
	if (n >= ABORT_LOG_MAX) {
		inject_abort(t, far, data);
		return;
	}
	log_warn("vm",
	         "%s vCPU %u: %s abort at IPA 0x%llx (pc 0x%llx): nothing there, abort injected",
	         t->partition->name, t->vcpu_index, data ? "data" : "instruction",
	         (unsigned long long)ipa, (unsigned long long)t->regs.pc);
	inject_abort(t, far, data);
}

static void exit_call(struct thread *t, struct endpoint *ep, uint64_t badge, unsigned kind,
                      const uint64_t *words)
{
	uint64_t msg[KEEL_MSG_WORDS] = {kind, words[0], words[1], words[2], words[3], t->id};
	t->exit_kind = (uint8_t)kind;
	ep_send(ep, t, msg, badge, true);
}

static void exit_to_vmm(struct thread *t, unsigned kind, const uint64_t *words)
{
	struct partition *vm = t->partition;
	if (!vm->fault_ep) {
		fault_raise(t, KEEL_FAULT_OTHER, kind, t->regs.pc, words[0]);
		return;
	}
	exit_call(t, vm->fault_ep, vm->fault_badge, kind, words);
}

static const struct mmio_route *route_of(const struct partition *vm, uint64_t ipa)
{
	for (unsigned i = 0; i < VM_MMIO_ROUTES; i++) {
		const struct mmio_route *r = &vm->routes[i];
		if (r->ep && ipa - r->base < r->size)
			return r;
	}
	return NULL;
}

/* The guest's GICD frame, where QEMU virt has it; settled in the kernel. */
#define VGICD_BASE 0x08000000ull
#define VGICD_SIZE 0x10000ull

static bool vgicd_access(struct thread *t, uint64_t ipa, unsigned reg, unsigned width, bool write)
{
	struct vgic_dist *d = &t->partition->vgic;
	if (ipa - VGICD_BASE >= VGICD_SIZE)
		return false;
	uint32_t off = (uint32_t)(ipa - VGICD_BASE);
	vgic_fold(t);
	if (write) {
		vgic_dist_write(d, t->vcpu_index, off, width,
		                reg == XZR ? 0 : (uint32_t)t->regs.x[reg]);
		vcpu_irq_dist_changed(t->partition);
	} else if (reg != XZR) {
		t->regs.x[reg] = vgic_dist_read(d, t->vcpu_index, off, width);
	}
	t->regs.pc += 4;
	return true;
}

static uint64_t fault_ipa(void)
{
	return ((sysreg_read(hpfar_el2) >> 4) << 12) | (sysreg_read(far_el2) & 0xfff);
}

static void mmio_exit(struct thread *t, uint64_t esr)
{
	uint64_t ipa = fault_ipa();
	struct dabt_access acc;
	if (!esr_dabt_decode(esr, &acc)) {
		/* No syndrome (a load pair, a post-index...): not a device access. */
		abort_guest(t, ipa, sysreg_read(far_el2), true);
		return;
	}
	unsigned reg = acc.reg, width = acc.width;
	bool write = acc.write;
	uint64_t value = write && reg != XZR ? t->regs.x[reg] : 0;

	if (width < 8)
		value &= (1ull << (8 * width)) - 1;
	if (vgicd_access(t, ipa, reg, width, write))
		return;
	t->exit_access = acc;
	t->abort_far = sysreg_read(far_el2);
	const uint64_t words[4] = {ipa, width, value, write};
	const struct mmio_route *r = route_of(t->partition, ipa);
	if (r)
		exit_call(t, r->ep, r->badge, KEEL_EXIT_MMIO, words);
	else
		exit_to_vmm(t, KEEL_EXIT_MMIO, words);
}

/* WFI: the vCPU sleeps until a virtual interrupt is there for it, or its
 * virtual timer's deadline (whose interrupt the kernel then injects). */
static void wfi_exit(struct thread *t, uint64_t esr)
{
	t->regs.pc += 4;
	if (esr & 1) /* WFE (not trapped unless HCR_EL2.TWE) */
		return;
	if (vgic_cpu_pending(t))
		return;
	uint64_t ctl = sysreg_read(cntv_ctl_el0);
	uint64_t until = (ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK)) == CNTV_CTL_ENABLE
	                         ? sysreg_read(cntv_cval_el0)
	                         : SCHED_NO_EVENT;
	t->in_wfi = true;
	sched_sleep(this_sched(), t, until);
}

/* ESR ISS of a trapped MSR/MRS: Op0, Op2, Op1, CRn, CRm (Rt and the
 * direction masked out). */
#define SYSREG_ID_MASK 0x3ffc1eull
#define SYSREG_ID(op0, op1, crn, crm, op2)                                                         \
	(((uint64_t)(op0) << 20) | ((uint64_t)(op2) << 17) | ((uint64_t)(op1) << 14) |             \
	 ((uint64_t)(crn) << 10) | ((uint64_t)(crm) << 1))
#define SYSREG_OSLAR_EL1 SYSREG_ID(2, 0, 1, 0, 4)
#define SYSREG_OSLSR_EL1 SYSREG_ID(2, 0, 1, 1, 4)
#define OSLSR_OSLM_IMPL  (1ull << 3) /* OSLM = 0b10: the OS lock exists */
#define OSLSR_OSLK       (1ull << 1)

/* The value a trapped system register reads as. Debug and PMU registers
 * (MDCR_EL2) and those the guest may not have (the physical timer, ...)
 * read as zero and ignore writes, as on a core without breakpoints or PMU
 * counters; the OS lock is the guest's own, since Linux and debuggers
 * expect to see it follow OSLAR. */
static uint64_t sysreg_emulate(struct thread *t, uint64_t id, bool read, uint64_t value)
{
	if (id == SYSREG_OSLAR_EL1 && !read)
		t->el1.os_lock = value & 1;
	if (id == SYSREG_OSLSR_EL1)
		return OSLSR_OSLM_IMPL | (t->el1.os_lock ? OSLSR_OSLK : 0);
	return 0;
}

static void sysreg_exit(struct thread *t, uint64_t esr)
{
	unsigned reg = (unsigned)(esr >> 5) & 0x1f;
	bool read = esr & 1;
	uint64_t value =
	        sysreg_emulate(t, esr & SYSREG_ID_MASK, read, reg == XZR ? 0 : t->regs.x[reg]);
	if (read && reg != XZR)
		t->regs.x[reg] = value;
	t->regs.pc += 4;
}

/* An AArch32 EL0 coprocessor access that MDCR_EL2 trapped (cp14 debug,
 * cp15 PMU): undefined, as the guest's own kernel would have made it. */
static void undef_guest(struct thread *t)
{
	inject_exception(t, ESR_IL, 0, VECTOR_SYNC);
}

void vcpu_exit(struct thread *t, uint64_t esr)
{
	unsigned ec = (unsigned)(esr >> 26) & 0x3f;
	const uint64_t args[4] = {t->regs.x[0], t->regs.x[1], t->regs.x[2], t->regs.x[3]};

	switch (ec) {
	case EC_WFX: wfi_exit(t, esr); break;
	case EC_SMC64:
		t->regs.pc += 4; /* unlike HVC, ELR points at the SMC itself */
		exit_to_vmm(t, KEEL_EXIT_HVC, args);
		break;
	case EC_HVC64: exit_to_vmm(t, KEEL_EXIT_HVC, args); break;
	case EC_SYSREG: sysreg_exit(t, esr); break;
	case EC_CP15_32:
	case EC_CP15_64:
	case EC_CP14_32:
	case EC_CP14_LS:
	case EC_CP14_64: undef_guest(t); break;
	case EC_DABT_LOW: mmio_exit(t, esr); break;
	case EC_IABT_LOW: abort_guest(t, fault_ipa(), sysreg_read(far_el2), false); break;
	default: fault_raise(t, KEEL_FAULT_OTHER, sysreg_read(far_el2), t->regs.pc, esr); break;
	}
}

void arch_vcpu_exit_complete(struct thread *t, const uint64_t *msg)
{
	if (t->exit_kind == KEEL_EXIT_HVC) {
		t->regs.x[0] = msg[0]; /* ELR already points past the HVC */
		return;
	}
	if (t->exit_kind == KEEL_EXIT_MMIO) {
		if (msg[1] == KEEL_EXIT_REPLY_ABORT) {
			/* Injected when it next runs: its EL1 state may be on another CPU now. */
			t->abort_pending = true;
			return;
		}
		if (!t->exit_access.write && t->exit_access.reg != XZR)
			t->regs.x[t->exit_access.reg] = dabt_load_value(&t->exit_access, msg[0]);
		t->regs.pc += 4;
	}
}

void arch_vcpu_exit_retry(struct thread *t)
{
	/* HVC: ELR points past it; SMC: vcpu_exit stepped past it. MMIO: the
	 * access is stepped over only when completed. */
	if (t->exit_kind == KEEL_EXIT_HVC)
		t->regs.pc -= 4;
}

void arch_vcpu_exit_fail(struct thread *t)
{
	if (t->exit_kind == KEEL_EXIT_MMIO)
		t->abort_pending = true; /* injected when it next runs, as a reply's abort */
	else if (t->exit_kind == KEEL_EXIT_HVC)
		t->regs.x[0] = SMCCC_NOT_SUPPORTED;
	t->exit_kind = 0;
}

void arch_vcpu_exit_abandon(struct thread *t)
{
	if (t->exit_kind == KEEL_EXIT_HVC)
		t->regs.x[0] = SMCCC_NOT_SUPPORTED; /* ELR is already past the HVC */
	t->exit_kind = 0;
}

void arch_sync_for_guest(uint64_t phys, uint64_t size)
{
	dcache_clean_range((uintptr_t)phys, (size_t)size);
	__asm__ volatile("ic ialluis" ::: "memory");
	dsb(ish);
	isb();
}
