/* SPDX-License-Identifier: MIT */
/*
 * GICv2 list registers. The distributor (core/vgic_dist.c) decides which
 * interrupt a vCPU should see; the list registers are where the hardware
 * presents it to the guest, which then acknowledges and ends it through the
 * GICV frame without trapping. The kernel only looks again when something
 * changed (vgic_cpu.dirty), when the guest ended an interrupt that still
 * occupies a list register, or on an underflow maintenance interrupt when
 * more was pending than list registers were free.
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

#define HCR_EN  (1u << 0)
#define HCR_UIE (1u << 1)

#define LR_HW          (1u << 31) /* the guest's EOI deactivates the physical ID */
#define LR_PHYS_SHIFT  10
#define LR_ID_MASK     0x3ffu
#define LR_PENDING     (1u << 28)
#define LR_STATE_MASK  (3u << 28)
#define LR_PRIO_SHIFT  23
#define LR_CPUID_SHIFT 10

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

static uint32_t hcr_value(const struct vgic_cpu *v)
{
	return HCR_EN | (v->underflow ? HCR_UIE : 0);
}

void vgic_cpu_load(struct thread *t)
{
	struct vgic_cpu *v = &t->vgic;
	if (!lr_count)
		return;
	mmio_write32(gich + GICH_VMCR, v->vmcr);
	mmio_write32(gich + GICH_APR, v->apr);
	for (unsigned i = 0; i < lr_count; i++)
		mmio_write32(gich + GICH_LR0 + 4ull * i, (v->lr_used & (1u << i)) ? v->lr[i] : 0);
	mmio_write32(gich + GICH_HCR, hcr_value(v));
}

void vgic_cpu_save(struct thread *t)
{
	struct vgic_cpu *v = &t->vgic;
	if (!lr_count)
		return;
	v->vmcr = mmio_read32(gich + GICH_VMCR);
	v->apr = mmio_read32(gich + GICH_APR);
	for (unsigned i = 0; i < lr_count; i++)
		if (v->lr_used & (1u << i))
			v->lr[i] = mmio_read32(gich + GICH_LR0 + 4ull * i);
	mmio_write32(gich + GICH_HCR, 0);
}

void vgic_cpu_release(struct thread *t)
{
	struct vgic_cpu *v = &t->vgic;
	for (unsigned i = 0; i < VGIC_LRS; i++) {
		if (!(v->lr_used & (1u << i)))
			continue;
		/* No EOI of the guest will end it now (harmless if it did). */
		if (v->lr[i] & LR_HW)
			arch_irq_deactivate((v->lr[i] >> LR_PHYS_SHIFT) & LR_ID_MASK);
		vgic_lr_done(&t->partition->vgic, t->vcpu_index, v->lr_intid[i]);
	}
	*v = (struct vgic_cpu){0};
}

/* List registers whose interrupt the guest ended become free again. */
static void retire_ended(struct thread *t)
{
	struct vgic_cpu *v = &t->vgic;
	for (unsigned i = 0; i < lr_count; i++) {
		if (!(v->lr_used & (1u << i)))
			continue;
		v->lr[i] = mmio_read32(gich + GICH_LR0 + 4ull * i);
		if (v->lr[i] & LR_STATE_MASK)
			continue;
		v->lr_used &= (uint8_t) ~(1u << i);
		vgic_lr_done(&t->partition->vgic, t->vcpu_index, v->lr_intid[i]);
		v->dirty = true; /* a level interrupt still asserted comes back */
	}
}

static void fill(struct thread *t)
{
	struct vgic_cpu *v = &t->vgic;
	struct vgic_dist *d = &t->partition->vgic;
	unsigned intid = vgic_next_pending(d, t->vcpu_index);

	for (unsigned i = 0; i < lr_count && intid != VGIC_NONE; i++) {
		if (v->lr_used & (1u << i))
			continue;
		unsigned prio = vgic_irq_priority(d, t->vcpu_index, intid);
		unsigned source = vgic_lr_take(d, t->vcpu_index, intid);
		unsigned hw = vgic_irq_hw(d, intid);
		v->lr[i] = LR_PENDING | ((prio >> 3) << LR_PRIO_SHIFT) | intid |
		           (hw ? LR_HW | (hw << LR_PHYS_SHIFT) : source << LR_CPUID_SHIFT);
		v->lr_intid[i] = (uint16_t)intid;
		v->lr_used |= (uint8_t)(1u << i);
		mmio_write32(gich + GICH_LR0 + 4ull * i, v->lr[i]);
		intid = vgic_next_pending(d, t->vcpu_index);
	}
	bool underflow = intid != VGIC_NONE;
	if (underflow != v->underflow) {
		v->underflow = underflow;
		mmio_write32(gich + GICH_HCR, hcr_value(v));
	}
}

void vgic_flush(struct thread *t)
{
	if (!lr_count)
		return;
	if (t->vgic.lr_used)
		retire_ended(t);
	if (t->vgic.dirty) {
		t->vgic.dirty = false;
		fill(t);
	}
}

bool vgic_cpu_pending(struct thread *t)
{
	if (lr_count) {
		vgic_flush(t);
		for (unsigned i = 0; i < lr_count; i++)
			if ((t->vgic.lr_used & (1u << i)) && (t->vgic.lr[i] & LR_PENDING))
				return true;
	}
	return vgic_next_pending(&t->partition->vgic, t->vcpu_index) != VGIC_NONE;
}

bool vgic_cpu_blocked(const struct thread *t)
{
	const struct vgic_cpu *v = &t->vgic;
	for (unsigned used = v->lr_used; used; used &= used - 1) {
		unsigned intid = v->lr_intid[__builtin_ctz(used)];
		if (vgic_irq_pending(&t->partition->vgic, t->vcpu_index, intid))
			return true;
	}
	return false;
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
	mmio_write32(gich + GICH_HCR, hcr_value(&t->vgic));
}

void vgic_maintenance_irq(void)
{
	struct thread *t = this_cpu()->el1_owner;

	/* Underflow: list registers freed up; the next entry refills them. */
	mmio_write32(gich + GICH_HCR, HCR_EN);
	if (t) {
		t->vgic.underflow = false;
		t->vgic.dirty = true;
	}
}

void vtimer_sync(struct thread *t)
{
	uint64_t ctl = sysreg_read(cntv_ctl_el0);

	if ((ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK | CNTV_CTL_STATUS)) !=
	    (CNTV_CTL_ENABLE | CNTV_CTL_STATUS))
		return;
	/* Level-triggered: mask it until the guest programs its next deadline
	 * (Linux clears IMASK when it does), so the line drops now. */
	sysreg_write(cntv_ctl_el0, ctl | CNTV_CTL_IMASK);
	isb();
	if (t)
		vcpu_irq_raise(t->partition, t->vcpu_index, GIC_PPI_VIRT_TIMER);
}

void vtimer_irq(void)
{
	/* Condition not met: the line of a vCPU switched out just before it
	 * was taken; the timer now loaded is another vCPU's, whose deadline
	 * has not come. Masking and injecting it would leave that timer masked
	 * after a spurious interrupt its guest ignores (Linux reprograms only
	 * when ISTATUS). */
	vtimer_sync(this_cpu()->el1_owner);
}
