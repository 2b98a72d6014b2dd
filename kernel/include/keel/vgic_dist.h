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

/*
 * One interrupt's state. The distributor is the one truth about it, except
 * while it sits in a list register (in_lr): then the list register holds
 * the state it was given, the fields here hold what happened since (a new
 * edge, ISPENDR/ISACTIVER), and clear_pending/clear_active the guest's
 * ICPENDR/ICACTIVER writes that must cancel the list register's state when
 * it comes back (vgic_lr_fold).
 */
struct vgic_irq {
	bool enabled, active, level_cfg;
	bool pending; /* latched: an edge, ISPENDR, or a raise of a HW interrupt */
	bool line;    /* level interrupts of a device model: the line is high */
	bool in_lr;   /* held in a list register of vCPU lr_vcpu */
	bool clear_pending, clear_active;
	bool lr_latch;     /* listing it consumed the latch (level: not the line) */
	uint8_t lr_state;  /* what the list register was given: VGIC_LR_* bits */
	uint8_t lr_vcpu;   /* the vCPU that holds it listed, or last did */
	uint8_t lr_source; /* SGIs: the source its list register names */
	uint8_t priority;
	uint8_t targets;       /* SPIs: vCPU mask (ITARGETSR) */
	uint8_t sgi_sources;   /* SGIs: which vCPUs sent it, pending */
	uint8_t active_source; /* SGIs: the source of the active one */
	/* The physical INTID behind it (a passed-through SPI, or the virtual
	 * timer's PPI), else 0: the guest's end of it deactivates that one. */
	uint16_t hw_intid;
};

#define VGIC_LR_PENDING 1u
#define VGIC_LR_ACTIVE  2u

struct vgic_dist {
	bool enabled; /* GICD_CTLR.Enable */
	/* The guest changed the enable, targets, pending or active state of a
	 * passed-through SPI: the physical line must follow (irq_pass_sync). */
	bool hw_changed;
	/* vCPUs whose list registers hold an interrupt that a write changed:
	 * they must fold them back and list again (vcpu_irq_dist_changed). */
	uint8_t resync;
	unsigned vcpus;
	/* A bit per interrupt that is pending, has an SGI source or is active:
	 * the only ones the list register fill and vgic_next_pending look at. */
	uint32_t priv_busy[VGIC_MAX_VCPUS];
	uint32_t spi_busy[VGIC_SPIS / 32];
	struct vgic_irq priv[VGIC_MAX_VCPUS][VGIC_PRIVATE];
	struct vgic_irq spi[VGIC_SPIS];
};

/* One list register's worth of an interrupt, as the arch layer writes it
 * to (vgic_lr_fill) and reads it back from (vgic_lr_fold) the hardware. */
struct vgic_lr {
	uint16_t intid;
	uint16_t hw;    /* physical INTID the guest's end deactivates, or 0 */
	uint8_t source; /* SGIs: the sending vCPU */
	uint8_t priority;
	uint8_t state;   /* VGIC_LR_* */
	bool eoi_notify; /* ask for a maintenance interrupt when it is ended */
};

/* The virtual timer's PPI (the generic timer's, as the guest device tree
 * says): the hardware drives it, and its list register names the physical
 * PPI, so the guest's end of it lets the timer interrupt again. */
#define VGIC_PPI_VTIMER 27

void vgic_dist_init(struct vgic_dist *d, unsigned vcpus);
/* As at power-on, but for what is wiring, not GIC state: which physical
 * interrupt drives an interrupt (hw_intid) and where a device model holds
 * its line. Passed-through SPIs are marked for irq_pass_sync. The caller
 * has taken every vCPU's list registers back (arch_vcpu_reset). */
void vgic_dist_reset(struct vgic_dist *d);
/* A 32-bit (or, for byte registers, 8-bit) access by vCPU `vcpu` at
 * `offset` in the GICD frame. Unknown or reserved offsets read as zero and
 * ignore writes, as the architecture allows. The caller has folded vcpu's
 * own list registers back first, so what the guest reads is exact. */
uint32_t vgic_dist_read(struct vgic_dist *d, unsigned vcpu, uint32_t offset, unsigned width);
void vgic_dist_write(struct vgic_dist *d, unsigned vcpu, uint32_t offset, unsigned width,
                     uint32_t value);
/* A device model raises or lowers interrupt `intid`'s line; for an edge
 * interrupt, or one the hardware drives (hw_intid), a raise is one event. */
void vgic_set_line(struct vgic_dist *d, unsigned vcpu, unsigned intid, bool level);
/* The highest-priority enabled, pending, inactive, unlisted interrupt for
 * `vcpu`, or VGIC_NONE; lower numbers win ties, as on the GIC. */
unsigned vgic_next_pending(const struct vgic_dist *d, unsigned vcpu);
/* Whether an enabled interrupt is pending for `vcpu` behind its own
 * active state or a list register (an SGI or a level line again while the
 * guest handles the last one): the vCPU must look again, even if it was
 * switched out and its active interrupt folded back here. */
bool vgic_pending_behind(const struct vgic_dist *d, unsigned vcpu);

/*
 * The list registers of vCPU `vcpu` are a cache of this distributor:
 * vgic_lr_fill chooses what at most `n` of them hold - every interrupt
 * active on the vCPU first (the guest must find it there to end it), then
 * the pending ones by priority - and marks them listed; *left says that a
 * deliverable interrupt did not fit (the caller arms a maintenance
 * interrupt). vgic_lr_fold takes one back with the state the guest left
 * in it. Folding all and filling again keeps the listed set the best one.
 */
unsigned vgic_lr_fill(struct vgic_dist *d, unsigned vcpu, struct vgic_lr *out, unsigned n,
                      bool *left);
void vgic_lr_fold(struct vgic_dist *d, unsigned vcpu, const struct vgic_lr *lr);

/* vCPU `vcpu` stops (`all`: and is reset): the SPIs listed or active on
 * it (with `all`, its own interrupts too) go back to the distributor,
 * pending if they were, no longer active, since nothing would end them
 * now. `hw` receives the physical INTIDs of those passed through, which
 * the caller deactivates; returns how many. */
unsigned vgic_vcpu_release(struct vgic_dist *d, unsigned vcpu, bool all, uint16_t *hw,
                           unsigned max);

/* Whether `intid` is pending (an SGI: from some source) or active for
 * `vcpu` in the distributor, listed or not. */
bool vgic_irq_pending(const struct vgic_dist *d, unsigned vcpu, unsigned intid);
bool vgic_irq_active(const struct vgic_dist *d, unsigned vcpu, unsigned intid);
bool vgic_irq_listed(const struct vgic_dist *d, unsigned vcpu, unsigned intid);
/* Which vCPUs may take `intid` (a bit per vCPU). */
unsigned vgic_irq_targets(const struct vgic_dist *d, unsigned vcpu, unsigned intid);
/* The physical INTID behind SPI `intid` (a passed-through one), or 0. */
static inline unsigned vgic_irq_hw(const struct vgic_dist *d, unsigned intid)
{
	return intid >= VGIC_PRIVATE && intid < VGIC_IRQS ? d->spi[intid - VGIC_PRIVATE].hw_intid
	                                                  : 0;
}

#endif
