/* SPDX-License-Identifier: MIT */
/*
 * vCPUs: their EL1 state, and the exits the kernel hands to a service (MMIO
 * data aborts, HVC). An exit is a call on the VM's exit endpoint; the vCPU
 * waits for the reply, which arch_vcpu_exit_complete turns into the result
 * of the trapped instruction.
 */
#include <arch/sysreg.h>
#include <arch/vcpu.h>
#include <keel/arch.h>
#include <keel/endpoint.h>
#include <keel/fault.h>
#include <keel/log.h>
#include <keel/partition.h>
#include <keel/thread.h>
#include <keel/vgic_dist.h>

#define EC_HVC64    0x16
#define EC_DABT_LOW 0x24
#define ESR_ISV     (1ull << 24)
#define ESR_WNR     (1ull << 6)
#define XZR         31

#define SAVE(r, field) (field) = sysreg_read(r)
#define LOAD(r, field) sysreg_write(r, field)

void vcpu_el1_save(struct vcpu_sysregs *s);
void vcpu_el1_load(const struct vcpu_sysregs *s);
void vcpu_exit(struct thread *t, uint64_t esr);

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
	LOAD(cntv_cval_el0, s->cntv_cval);
	LOAD(cntv_ctl_el0, s->cntv_ctl);
	isb();
}

static void exit_to_service(struct thread *t, unsigned kind, const uint64_t *words)
{
	struct partition *vm = t->partition;
	uint64_t msg[KEEL_MSG_WORDS] = {kind, words[0], words[1], words[2], words[3], t->id};

	if (!vm->fault_ep) {
		fault_raise(t, KEEL_FAULT_OTHER, kind, t->regs.pc, words[0]);
		return;
	}
	t->exit_kind = (uint8_t)kind;
	ep_send(vm->fault_ep, t, msg, vm->fault_badge, true);
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
	if (write)
		vgic_dist_write(d, t->vcpu_index, off, width,
		                reg == XZR ? 0 : (uint32_t)t->regs.x[reg]);
	else if (reg != XZR)
		t->regs.x[reg] = vgic_dist_read(d, t->vcpu_index, off, width);
	t->regs.pc += 4;
	return true;
}

static void mmio_exit(struct thread *t, uint64_t esr)
{
	unsigned reg = (unsigned)(esr >> 16) & 0x1f;
	unsigned width = 1u << ((esr >> 22) & 3);
	uint64_t ipa = ((sysreg_read(hpfar_el2) >> 4) << 12) | (sysreg_read(far_el2) & 0xfff);
	bool write = esr & ESR_WNR;
	uint64_t value = write && reg != XZR ? t->regs.x[reg] : 0;

	if (width < 8)
		value &= (1ull << (8 * width)) - 1;
	if (vgicd_access(t, ipa, reg, width, write))
		return;
	t->exit_reg = (uint8_t)reg;
	t->exit_width = (uint8_t)width;
	t->exit_write = write;
	const uint64_t words[4] = {ipa, width, value, write};
	exit_to_service(t, KEEL_EXIT_MMIO, words);
}

void vcpu_exit(struct thread *t, uint64_t esr)
{
	unsigned ec = (unsigned)(esr >> 26) & 0x3f;

	if (ec == EC_HVC64) {
		const uint64_t words[4] = {t->regs.x[0], t->regs.x[1], t->regs.x[2], t->regs.x[3]};
		exit_to_service(t, KEEL_EXIT_HVC, words);
	} else if (ec == EC_DABT_LOW && (esr & ESR_ISV)) {
		mmio_exit(t, esr);
	} else {
		/* Not settled yet (no syndrome, system registers, ...): stop the vCPU. */
		fault_raise(t, ec == EC_DABT_LOW ? KEEL_FAULT_MEMORY : KEEL_FAULT_OTHER,
		            sysreg_read(far_el2), t->regs.pc, esr);
	}
}

void arch_vcpu_exit_complete(struct thread *t, const uint64_t *msg)
{
	if (t->exit_kind == KEEL_EXIT_HVC) {
		t->regs.x[0] = msg[0]; /* ELR already points past the HVC */
		return;
	}
	if (t->exit_kind == KEEL_EXIT_MMIO) {
		uint64_t v = msg[0];
		if (t->exit_width < 8)
			v &= (1ull << (8 * t->exit_width)) - 1;
		if (!t->exit_write && t->exit_reg != XZR)
			t->regs.x[t->exit_reg] = v;
		t->regs.pc += 4;
	}
}
