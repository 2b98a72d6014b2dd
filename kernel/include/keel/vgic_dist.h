/* SPDX-License-Identifier: MIT */
/*
 * The virtual GICv2 distributor of a VM: register-level emulation of the
 * GICD frame as a guest sees it, and the question the injection code asks
 * ("which interrupt should vCPU n take next?"). Pure state, no hardware:
 * the list-register side lives in the arch layer.
 *
 * Interrupts 0-15 are SGIs and 16-31 PPIs, banked per vCPU; 32 and up are
 * SPIs shared by the VM.
 */
#ifndef KEEL_VGIC_DIST_H
#define KEEL_VGIC_DIST_H

#include <stdbool.h>
#include <stdint.h>

#define VGIC_MAX_VCPUS 8
#define VGIC_PRIVATE   32
#define VGIC_SPIS      96
#define VGIC_IRQS      (VGIC_PRIVATE + VGIC_SPIS)
#define VGIC_NONE      1023u

struct vgic_irq {
	bool enabled, pending, active, level_cfg;
	bool in_lr; /* held in one of its vCPU's list registers */
	uint8_t priority;
	uint8_t targets;     /* SPIs: vCPU mask (ITARGETSR) */
	uint8_t sgi_sources; /* SGIs: which vCPUs sent it, pending */
	uint16_t hw_intid;   /* SPIs passed through: the physical INTID, else 0 */
};

struct vgic_dist {
	bool enabled; /* GICD_CTLR.Enable */
	/* The guest changed the enable or targets of a passed-through SPI:
	 * the physical line must follow (irq_pass_sync). */
	bool hw_changed;
	unsigned vcpus;
	/* A bit per interrupt that is pending (or, an SGI, has a source):
	 * the only ones vgic_next_pending looks at. */
	uint32_t priv_pending[VGIC_MAX_VCPUS];
	uint32_t spi_pending[VGIC_SPIS / 32];
	struct vgic_irq priv[VGIC_MAX_VCPUS][VGIC_PRIVATE];
	struct vgic_irq spi[VGIC_SPIS];
};

void vgic_dist_init(struct vgic_dist *d, unsigned vcpus);
/* A 32-bit (or, for byte registers, 8-bit) access by vCPU `vcpu` at
 * `offset` in the GICD frame. Unknown or reserved offsets read as zero and
 * ignore writes, as the architecture allows. */
uint32_t vgic_dist_read(struct vgic_dist *d, unsigned vcpu, uint32_t offset, unsigned width);
void vgic_dist_write(struct vgic_dist *d, unsigned vcpu, uint32_t offset, unsigned width,
                     uint32_t value);
/* A device (or the virtual timer) raises or lowers interrupt `intid`. */
void vgic_set_line(struct vgic_dist *d, unsigned vcpu, unsigned intid, bool level);
/* The highest-priority enabled, pending, inactive interrupt for `vcpu`, or
 * VGIC_NONE; lower numbers win ties, as on the GIC. */
unsigned vgic_next_pending(const struct vgic_dist *d, unsigned vcpu);
/* Whether an interrupt is pending for `vcpu` while one of its list
 * registers holds it (or held it: the guest may have ended it there
 * since the kernel last looked). */
bool vgic_pending_in_lr(const struct vgic_dist *d, unsigned vcpu);
/* The vCPU took `intid` (it is now active, no longer pending), then ended it. */
void vgic_acknowledge(struct vgic_dist *d, unsigned vcpu, unsigned intid);
void vgic_deactivate(struct vgic_dist *d, unsigned vcpu, unsigned intid);

uint8_t vgic_irq_priority(const struct vgic_dist *d, unsigned vcpu, unsigned intid);
/* Whether `intid` is pending (an SGI: from some source) for `vcpu`, in a
 * list register or not. */
static inline bool vgic_irq_pending(const struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	if (intid < VGIC_PRIVATE)
		return vcpu < d->vcpus && (d->priv_pending[vcpu] >> intid) & 1;
	return intid < VGIC_IRQS &&
	       (d->spi_pending[(intid - VGIC_PRIVATE) / 32] >> (intid % 32)) & 1;
}
/* Which vCPUs may take `intid` (a bit per vCPU). */
unsigned vgic_irq_targets(const struct vgic_dist *d, unsigned vcpu, unsigned intid);

/* List registers (arch layer): `intid` goes into one of vCPU `vcpu`'s list
 * registers as pending, so the distributor stops offering it; for an SGI
 * the return value is the source vCPU that the list register names. */
unsigned vgic_lr_take(struct vgic_dist *d, unsigned vcpu, unsigned intid);
/* The physical INTID behind `intid` (a passed-through SPI), or 0. */
static inline unsigned vgic_irq_hw(const struct vgic_dist *d, unsigned intid)
{
	return intid >= VGIC_PRIVATE && intid < VGIC_IRQS ? d->spi[intid - VGIC_PRIVATE].hw_intid
	                                                  : 0;
}
/* The guest ended it (its list register went invalid). */
void vgic_lr_done(struct vgic_dist *d, unsigned vcpu, unsigned intid);

#endif
