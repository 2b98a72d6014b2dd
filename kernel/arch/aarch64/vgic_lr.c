/* SPDX-License-Identifier: MIT */
/*
 * GICv2 list registers. The distributor (core/vgic_dist.c) is the truth
 * about every interrupt; a running vCPU's list registers are a cache of it,
 * where the hardware presents interrupts to the guest, which acknowledges
 * and ends them through the GICV frame without trapping. Whenever the
 * kernel looks again (something new for the vCPU, an interrupt ended, a
 * trapped GICD access, a switch) it folds every list register back into
 * the distributor and fills them again, active interrupts first and then
 * the pending ones by priority, so the listed set is always the best one
 * and a GICD write always reaches what was listed. A maintenance interrupt
 * (no pending entry left, or the end of an active one) says when an
 * interrupt that did not fit can be listed.
 *
 * The virtual timer is a level line the hardware drives: the physical PPI
 * 27 stays active while the guest has the virtual one pending or active,
 * so it cannot fire again before the guest ends it; the guest's end exits
 * (the EOI bit of its list register, a maintenance interrupt) and the
 * kernel deactivates the PPI at the distributor, so it fires again at once
 * if the timer condition still holds (vtimer_follow). Nothing is ever
 * written to the guest's CNTV_CTL_EL0.
 */
#include <arch/cpu_local.h>
#include <arch/gic.h>
#include <arch/mmio.h>
#include <arch/pgtable.h>
#include <arch/sysreg.h>
#include <arch/vgic.h>
#include <keel/arch.h>
#include <keel/partition.h>
#include <keel/thread.h>
#include <keel/vcpu_irq.h>

#define GICH_HCR  0x00
#define GICH_VTR  0x04
#define GICH_VMCR 0x08
#define GICH_APR  0xf0
#define GICH_LR0  0x100

#define HCR_EN   (1u << 0)
#define HCR_NPIE (1u << 3) /* maintenance when no list register is pending */

#define LR_HW          (1u << 31) /* the guest's end deactivates the physical ID */
#define LR_PENDING     (1u << 28)
#define LR_ACTIVE      (1u << 29)
#define LR_STATE_SHIFT 28
#define LR_PRIO_SHIFT  23
#define LR_EOI         (1u << 19) /* without HW: maintenance when it is ended */
#define LR_SRC_SHIFT   10         /* CPUID (SGI source), or with HW the physical ID */
#define LR_ID_MASK     0x3ffu

#define CNTV_CTL_ENABLE (1ull << 0)
#define CNTV_CTL_IMASK  (1ull << 1)
#define CNTV_CTL_STATUS (1ull << 2)

static uint64_t gich, gicv;
static unsigned lr_count;

bool vgic_hw_init(void)
{
	if (!gic_virt_iface(&gich, &gicv))
		return false;
	unsigned n = (mmio_read32(gich + GICH_VTR) & 0x3f) + 1;
	lr_count = n < VGIC_LRS ? n : VGIC_LRS;
	return true;
}

void vgic_hw_init_cpu(void)
{
	if (!lr_count)
		return;
	mmio_write32(gich + GICH_HCR, 0);
	gic_enable_ppi(GIC_PPI_MAINTENANCE);
	gic_enable_ppi(GIC_PPI_VIRT_TIMER);
}

bool arch_vgic_available(void)
{
	return lr_count != 0;
}

int arch_vm_init(struct partition *vm)
{
	/* Without a virtual CPU interface a VM still gets its distributor. */
	if (!lr_count)
		return 0;
	return pt_map(&vm->s2, VGIC_GUEST_GICC, gicv, VGIC_GICV_SIZE,
	              PT_READ | PT_WRITE | PT_DEVICE, PT_MAP_STRICT);
}

static uint32_t lr_encode(const struct vgic_lr *l)
{
	uint32_t v = (uint32_t)l->state << LR_STATE_SHIFT |
	             (uint32_t)(l->priority >> 3) << LR_PRIO_SHIFT | l->intid;
	if (l->hw)
		return v | LR_HW | (uint32_t)l->hw << LR_SRC_SHIFT;
	return v | (uint32_t)l->source << LR_SRC_SHIFT | (l->eoi_notify ? LR_EOI : 0);
}

static struct vgic_lr lr_decode(uint32_t v)
{
	struct vgic_lr l = {.intid = (uint16_t)(v & LR_ID_MASK),
	                    .state = (uint8_t)((v >> LR_STATE_SHIFT) & 3)};
	if (v & LR_HW)
		l.hw = (uint16_t)((v >> LR_SRC_SHIFT) & LR_ID_MASK);
	else
		l.source = (uint8_t)((v >> LR_SRC_SHIFT) & 7);
	return l;
}

static void write_hcr(struct vgic_cpu *v, uint32_t hcr)
{
	if (v->hcr != hcr)
		mmio_write32(gich + GICH_HCR, hcr);
	v->hcr = hcr;
}

/* The physical PPI 27 of this CPU is active exactly while the loaded vCPU
 * has its virtual timer interrupt pending or active (listed or not). Its
 * state is read from the GIC, not remembered: the guest's end of a HW
 * list register deactivates it, and a new one may have been taken since,
 * which an ended list register read back later cannot tell apart. */
static void vtimer_follow(struct thread *t)
{
	const struct vgic_dist *d = &t->partition->vgic;
	bool want = vgic_irq_pending(d, t->vcpu_index, VGIC_PPI_VTIMER) ||
	            vgic_irq_active(d, t->vcpu_index, VGIC_PPI_VTIMER);

	if (want != gic_ppi_active(GIC_PPI_VIRT_TIMER))
		gic_set_ppi_active(GIC_PPI_VIRT_TIMER, want);
}

/* Every list register back into the distributor, as the guest left it. */
static void fold_all(struct thread *t)
{
	struct vgic_cpu *v = &t->vgic;
	struct vgic_dist *d = &t->partition->vgic;

	for (unsigned i = 0; i < lr_count; i++) {
		if (!(v->lr_used & (1u << i)))
			continue;
		struct vgic_lr l = lr_decode(mmio_read32(gich + GICH_LR0 + 4ull * i));
		vgic_lr_fold(d, t->vcpu_index, &l);
		mmio_write32(gich + GICH_LR0 + 4ull * i, 0);
	}
	v->lr_used = 0;
}

/* Ask for a maintenance interrupt when what did not fit can be listed:
 * once no listed interrupt is pending (NPIE), or, with only active (or
 * pending and active) ones listed, once the guest ends one (their EOI
 * bit; not possible with HW). */
static uint32_t arm_maintenance(struct vgic_cpu *v, struct vgic_lr *l, unsigned n, bool left)
{
	bool any_pending = false;

	v->waiting = left;
	v->armed = false;
	/* Pending only: NP counts no entry that is pending and active, and
	 * would fire at once for ever. */
	for (unsigned i = 0; i < n; i++)
		any_pending |= l[i].state == VGIC_LR_PENDING;
	if (!left)
		return HCR_EN;
	if (any_pending) {
		v->armed = true;
		return HCR_EN | HCR_NPIE;
	}
	for (unsigned i = 0; i < n; i++) {
		l[i].eoi_notify |= !l[i].hw;
		v->armed |= l[i].eoi_notify;
	}
	return HCR_EN;
}

static void fill(struct thread *t)
{
	struct vgic_cpu *v = &t->vgic;
	struct vgic_lr l[VGIC_LRS];
	bool left;
	unsigned n = vgic_lr_fill(&t->partition->vgic, t->vcpu_index, l, lr_count, &left);
	uint32_t hcr = arm_maintenance(v, l, n, left);

	for (unsigned i = 0; i < n; i++) {
		v->lr[i] = lr_encode(&l[i]);
		mmio_write32(gich + GICH_LR0 + 4ull * i, v->lr[i]);
	}
	v->lr_used = (uint8_t)((1u << n) - 1);
	write_hcr(v, hcr);
	vtimer_follow(t);
}

void vgic_cpu_load(struct thread *t)
{
	struct vgic_cpu *v = &t->vgic;
	if (!lr_count)
		return;
	mmio_write32(gich + GICH_VMCR, v->vmcr);
	mmio_write32(gich + GICH_APR, v->apr);
	v->hcr = ~0u; /* unknown: the next write_hcr writes */
	/* A vCPU reset while loaded here left its entries behind. */
	for (unsigned i = 0; i < lr_count; i++)
		mmio_write32(gich + GICH_LR0 + 4ull * i, 0);
	v->lr_used = 0;
	v->dirty = true; /* its interrupts are all in the distributor */
}

void vgic_cpu_save(struct thread *t)
{
	struct vgic_cpu *v = &t->vgic;
	if (!lr_count)
		return;
	v->vmcr = mmio_read32(gich + GICH_VMCR);
	v->apr = mmio_read32(gich + GICH_APR);
	fold_all(t);
	write_hcr(v, 0);
	/* The PPI is the CPU's: the next vCPU's timer must be able to fire. */
	if (gic_ppi_active(GIC_PPI_VIRT_TIMER))
		gic_set_ppi_active(GIC_PPI_VIRT_TIMER, false);
}

void vgic_cpu_release(struct thread *t)
{
	vcpu_irq_release(t, true);
	t->vgic = (struct vgic_cpu){0};
}

void vgic_fold(struct thread *t)
{
	if (!lr_count)
		return;
	fold_all(t);
	t->vgic.dirty = true;
}

/* Whether the guest ended an interrupt that a list register held. */
static bool any_ended(struct thread *t)
{
	const struct vgic_cpu *v = &t->vgic;
	for (unsigned i = 0; i < lr_count; i++)
		if ((v->lr_used & (1u << i)) &&
		    !((mmio_read32(gich + GICH_LR0 + 4ull * i) >> LR_STATE_SHIFT) & 3))
			return true;
	return false;
}

void vgic_flush(struct thread *t)
{
	if (!lr_count)
		return;
	if (!t->vgic.dirty && t->vgic.lr_used && any_ended(t))
		t->vgic.dirty = true;
	if (t->vgic.dirty) {
		t->vgic.dirty = false;
		fold_all(t);
		fill(t);
	}
}

bool vgic_cpu_pending(struct thread *t)
{
	if (lr_count) {
		vgic_flush(t);
		for (unsigned i = 0; i < lr_count; i++)
			if ((t->vgic.lr_used & (1u << i)) &&
			    (mmio_read32(gich + GICH_LR0 + 4ull * i) & LR_PENDING))
				return true;
	}
	return vgic_next_pending(&t->partition->vgic, t->vcpu_index) != VGIC_NONE;
}

bool vgic_cpu_blocked(const struct thread *t)
{
	return t->vgic.waiting && !t->vgic.armed;
}

/*
 * A vCPU that blocked (in an exit, its WFI) stays loaded while its CPU
 * idles, and a pending list register keeps the virtual IRQ line high.
 * QEMU counts that line as work for a WFI at EL2, which then ends at once:
 * while a GVM booted, the idle loop of its CPU took the kernel lock 60,000
 * times a second (200 with the interface muted).
 */
void vgic_cpu_mute(void)
{
	/* Also with no owner: a vCPU reset on another CPU leaves its list
	 * registers here, dead and perhaps pending, until the next load. */
	if (lr_count) {
		mmio_write32(gich + GICH_HCR, 0);
		this_cpu()->gich_muted = 1;
	}
}

/* Not on the way out of the WFI, where the kernel lock is not held and
 * another CPU may be resetting the owner: here, under the lock, as t
 * enters its guest. */
void vgic_cpu_unmute(struct thread *t)
{
	struct cpu_local *cpu = this_cpu();
	if (!cpu->gich_muted)
		return;
	cpu->gich_muted = 0;
	mmio_write32(gich + GICH_HCR, t->vgic.hcr);
}

void vgic_maintenance_irq(void)
{
	struct thread *t = this_cpu()->el1_owner;

	/* The condition stays asserted until the list registers change: fold
	 * them now; the next entry fills them again. */
	if (t) {
		fold_all(t);
		write_hcr(&t->vgic, HCR_EN);
		t->vgic.dirty = true;
	} else {
		mmio_write32(gich + GICH_HCR, 0);
	}
}

static bool vtimer_line_high(void)
{
	uint64_t ctl = sysreg_read(cntv_ctl_el0);
	return (ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK | CNTV_CTL_STATUS)) ==
	       (CNTV_CTL_ENABLE | CNTV_CTL_STATUS);
}

void vtimer_sync(struct thread *t)
{
	if (!lr_count || gic_ppi_active(GIC_PPI_VIRT_TIMER) || !vtimer_line_high())
		return;
	/* As if the physical PPI had fired and been taken: no exception for it
	 * right after the eret. */
	gic_set_ppi_active(GIC_PPI_VIRT_TIMER, true);
	vcpu_irq_raise(t->partition, t->vcpu_index, VGIC_PPI_VTIMER);
}

bool vtimer_irq(void)
{
	struct thread *t = this_cpu()->el1_owner;

	/* No vCPU owns the loaded timer (it was reset or its memory reused
	 * while loaded here): its state is dead, and its line must drop or it
	 * fires for ever. */
	if (!t) {
		sysreg_write(cntv_ctl_el0, 0);
		isb();
		return false;
	}
	/* Condition not met: the line of a vCPU switched out just before it
	 * was taken; the timer now loaded is another vCPU's, whose deadline
	 * has not come. */
	if (!lr_count || !vtimer_line_high())
		return false;
	/* Left active (the caller only drops its priority): the guest's end
	 * of the HW list register deactivates it. */
	vcpu_irq_raise(t->partition, t->vcpu_index, VGIC_PPI_VTIMER);
	return true;
}
