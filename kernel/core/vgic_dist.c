/* SPDX-License-Identifier: MIT */
#include <keel/vgic_dist.h>
#include <string.h>

#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_IIDR       0x008
#define GICD_IGROUPR    0x080
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_ISPENDR    0x200
#define GICD_ICPENDR    0x280
#define GICD_ISACTIVER  0x300
#define GICD_ICACTIVER  0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_ICFGR      0xc00
#define GICD_SGIR       0xf00
#define GICD_CPENDSGIR  0xf10
#define GICD_SPENDSGIR  0xf20
#define GICD_SGI_END    0xf30
#define GICD_END        0x1000
#define IIDR_KEEL       0x0000043b /* ARM's JEP106 code, as GIC-400 reports */
#define GICD_ID_FIRST   0xfd0

/* The peripheral and component ID registers, 0xfd0..0xffc: GIC-400's, as
 * the IIDR says (ICPIDR2 0x2b: architecture version 2). */
static const uint8_t gic400_ids[] = {0x04, 0, 0, 0, 0x90, 0xb4, 0x2b, 0, 0x0d, 0xf0, 0x05, 0xb1};

enum bit_reg { REG_ENABLE, REG_PENDING, REG_ACTIVE };

_Static_assert(VGIC_PRIVATE == 32 && VGIC_SPIS % 32 == 0, "pending bitmaps: whole words");

static const struct vgic_irq *irq_at(const struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	if (intid < VGIC_PRIVATE)
		return vcpu < d->vcpus ? &d->priv[vcpu][intid] : NULL;
	return intid < VGIC_IRQS ? &d->spi[intid - VGIC_PRIVATE] : NULL;
}

static struct vgic_irq *irq_of(struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	return (struct vgic_irq *)irq_at(d, vcpu, intid);
}

/* An interrupt as a GIC-400 has it at power-on: SGIs always enabled,
 * PPIs level, SPIs to CPU 0; the virtual timer's PPI driven by its own. */
static void power_on(struct vgic_irq *irq, unsigned intid)
{
	*irq = (struct vgic_irq){
	        .enabled = intid < 16,
	        .level_cfg = intid >= 16 && intid < VGIC_PRIVATE,
	        .targets = intid >= VGIC_PRIVATE ? 1 : 0,
	        .hw_intid = intid == VGIC_PPI_VTIMER ? VGIC_PPI_VTIMER : 0,
	};
}

void vgic_dist_init(struct vgic_dist *d, unsigned vcpus)
{
	memset(d, 0, sizeof(*d));
	d->vcpus = vcpus > VGIC_MAX_VCPUS ? VGIC_MAX_VCPUS : vcpus;
	for (unsigned v = 0; v < d->vcpus; v++)
		for (unsigned i = 0; i < VGIC_PRIVATE; i++)
			power_on(&d->priv[v][i], i);
	for (unsigned i = 0; i < VGIC_SPIS; i++)
		power_on(&d->spi[i], VGIC_PRIVATE + i);
}

/* Pending as the GIC defines it: a latched event or SGI, or a level line
 * that is high. A hardware-driven interrupt's line is the physical one,
 * which the physical GIC latches for it. */
static bool is_pending(const struct vgic_irq *irq)
{
	return irq->pending || irq->sgi_sources || (irq->level_cfg && !irq->hw_intid && irq->line);
}

/* After any change to intid's pending, active or SGI state. */
static void note_state(struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	const struct vgic_irq *irq = irq_of(d, vcpu, intid);
	uint32_t *word = intid < VGIC_PRIVATE ? &d->priv_busy[vcpu]
	                                      : &d->spi_busy[(intid - VGIC_PRIVATE) / 32];
	uint32_t bit = 1u << (intid % 32);

	if (is_pending(irq) || irq->active)
		*word |= bit;
	else
		*word &= ~bit;
}

/* Power-on state, but for the wiring: the physical interrupt behind one,
 * and a device model's line, which it still drives. */
static void reset_irq(struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	struct vgic_irq *irq = irq_of(d, vcpu, intid);
	uint16_t hw = irq->hw_intid;
	bool line = irq->line;
	power_on(irq, intid);
	irq->hw_intid = hw;
	irq->line = line;
	note_state(d, vcpu, intid); /* a line still high is pending */
}

void vgic_dist_reset(struct vgic_dist *d)
{
	d->enabled = false;
	d->resync = 0;
	for (unsigned v = 0; v < d->vcpus; v++)
		for (unsigned i = 0; i < VGIC_PRIVATE; i++)
			reset_irq(d, v, i);
	for (unsigned i = 0; i < VGIC_SPIS; i++)
		reset_irq(d, 0, VGIC_PRIVATE + i);
	d->hw_changed = true;
}

static bool listed_pending(const struct vgic_irq *irq)
{
	return irq->in_lr && (irq->lr_state & VGIC_LR_PENDING) && !irq->clear_pending;
}

static bool listed_active(const struct vgic_irq *irq)
{
	return irq->in_lr && (irq->lr_state & VGIC_LR_ACTIVE) && !irq->clear_active;
}

static bool read_bit(const struct vgic_irq *irq, enum bit_reg r)
{
	if (r == REG_ENABLE)
		return irq->enabled;
	if (r == REG_PENDING)
		return is_pending(irq) || listed_pending(irq);
	return irq->active || listed_active(irq);
}

static uint32_t read_bits(struct vgic_dist *d, unsigned vcpu, unsigned first, enum bit_reg r)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < 32; i++) {
		struct vgic_irq *irq = irq_of(d, vcpu, first + i);
		if (irq && read_bit(irq, r))
			v |= 1u << i;
	}
	return v;
}

/* The owner of an SPI made active by a write: the vCPU that last had it
 * listed, else its first target. */
static void claim_active(struct vgic_irq *irq, unsigned intid)
{
	if (intid >= VGIC_PRIVATE && !irq->in_lr && !(irq->targets & (1u << irq->lr_vcpu)))
		irq->lr_vcpu = (uint8_t)(irq->targets ? __builtin_ctz(irq->targets) : 0);
}

/* ICPENDR/ICACTIVER on an interrupt in a list register: the list
 * register's state is cancelled when it comes back, and its vCPU must
 * fold it now (it may be running its guest on another CPU). */
static void write_bit(struct vgic_dist *d, struct vgic_irq *irq, unsigned intid, enum bit_reg r,
                      bool set)
{
	if (r == REG_ENABLE) {
		irq->enabled = set;
	} else if (r == REG_PENDING) {
		irq->pending = set; /* a level line that is high keeps it pending */
		if (!set)
			irq->clear_pending = irq->in_lr;
	} else {
		irq->active = set;
		if (set)
			claim_active(irq, intid);
		else
			irq->clear_active = irq->in_lr;
	}
	if (irq->in_lr)
		d->resync |= (uint8_t)(1u << irq->lr_vcpu);
	if (irq->hw_intid && intid >= VGIC_PRIVATE)
		d->hw_changed = true;
}

static void write_bits(struct vgic_dist *d, unsigned vcpu, unsigned first, enum bit_reg r,
                       uint32_t value, bool set)
{
	for (unsigned i = 0; i < 32; i++) {
		struct vgic_irq *irq = irq_of(d, vcpu, first + i);
		if (!irq || !(value & (1u << i)))
			continue;
		if ((r == REG_ENABLE || r == REG_PENDING) && first + i < 16)
			continue; /* SGI enables are fixed; SGIs pend through GICD_SGIR only */
		write_bit(d, irq, first + i, r, set);
		note_state(d, vcpu, first + i);
	}
}

static uint32_t read_bytes(struct vgic_dist *d, unsigned vcpu, unsigned first, unsigned width,
                           bool targets)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < width; i++) {
		struct vgic_irq *irq = irq_of(d, vcpu, first + i);
		uint8_t b = 0;
		if (irq && targets)
			b = first + i < VGIC_PRIVATE ? (uint8_t)(1u << vcpu) : irq->targets;
		else if (irq)
			b = irq->priority;
		v |= (uint32_t)b << (8 * i);
	}
	return v;
}

static void write_bytes(struct vgic_dist *d, unsigned vcpu, unsigned first, unsigned width,
                        uint32_t value, bool targets)
{
	uint8_t vcpu_mask = (uint8_t)((1u << d->vcpus) - 1);
	for (unsigned i = 0; i < width; i++) {
		struct vgic_irq *irq = irq_of(d, vcpu, first + i);
		uint8_t b = (uint8_t)(value >> (8 * i));
		if (!irq)
			continue;
		if (!targets)
			irq->priority = b & 0xf8; /* 5 priority bits, as GIC-400 */
		else if (first + i >= VGIC_PRIVATE) {
			irq->targets = b & vcpu_mask;
			d->hw_changed |= irq->hw_intid != 0;
		}
	}
}

static uint32_t read_cfg(struct vgic_dist *d, unsigned vcpu, unsigned first)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < 16; i++) {
		const struct vgic_irq *irq = irq_of(d, vcpu, first + i);
		bool sgi = first + i < 16; /* SGIs are edge-triggered */
		if (sgi || (irq && !irq->level_cfg))
			v |= 2u << (2 * i);
	}
	return v;
}

static void write_cfg(struct vgic_dist *d, unsigned vcpu, unsigned first, uint32_t value)
{
	for (unsigned i = 0; i < 16; i++) {
		struct vgic_irq *irq = irq_of(d, vcpu, first + i);
		/* SGIs are always edge-triggered, PPIs level (as GIC-400's): the
		 * virtual timer stays a level line whatever the guest writes. */
		if (irq && first + i >= VGIC_PRIVATE) {
			irq->level_cfg = !(value & (2u << (2 * i)));
			/* A line already high is pending once it counts as level. */
			note_state(d, vcpu, first + i);
		}
	}
}

static void send_sgi(struct vgic_dist *d, unsigned vcpu, uint32_t value)
{
	unsigned sgi = value & 0xf, filter = (value >> 24) & 3;
	uint8_t targets = (uint8_t)(value >> 16);
	uint8_t all = (uint8_t)((1u << d->vcpus) - 1);

	if (filter == 1)
		targets = all & (uint8_t) ~(1u << vcpu);
	else if (filter == 2)
		targets = (uint8_t)(1u << vcpu);
	else if (filter == 3)
		return;
	for (unsigned v = 0; v < d->vcpus; v++) {
		if (targets & (1u << v)) {
			d->priv[v][sgi].sgi_sources |= (uint8_t)(1u << vcpu);
			note_state(d, v, sgi);
		}
	}
}

/* Byte-accessible registers: priorities, targets, SGI pending sources. */
static bool byte_register(uint32_t off)
{
	return (off >= GICD_IPRIORITYR && off < GICD_ICFGR) ||
	       (off >= GICD_CPENDSGIR && off < GICD_SGI_END);
}

/* GICD_[SC]PENDSGIR: a byte per SGI, a bit per source vCPU. */
static uint32_t read_sgi_sources(struct vgic_dist *d, unsigned vcpu, unsigned first, unsigned width)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < width; i++) {
		const struct vgic_irq *irq = &d->priv[vcpu][first + i];
		uint8_t b = irq->sgi_sources;
		if (listed_pending(irq))
			b |= (uint8_t)(1u << irq->lr_source);
		v |= (uint32_t)b << (8 * i);
	}
	return v;
}

static void write_sgi_sources(struct vgic_dist *d, unsigned vcpu, unsigned first, unsigned width,
                              uint32_t value, bool set)
{
	uint8_t vcpu_mask = (uint8_t)((1u << d->vcpus) - 1);
	for (unsigned i = 0; i < width; i++) {
		struct vgic_irq *irq = &d->priv[vcpu][first + i];
		uint8_t b = (uint8_t)(value >> (8 * i)) & vcpu_mask;
		if (set) {
			irq->sgi_sources |= b;
		} else {
			irq->sgi_sources &= (uint8_t)~b;
			if (listed_pending(irq) && (b & (1u << irq->lr_source))) {
				irq->clear_pending = true; /* cancels the listed one */
				d->resync |= (uint8_t)(1u << irq->lr_vcpu);
			}
		}
		note_state(d, vcpu, first + i);
	}
}

uint32_t vgic_dist_read(struct vgic_dist *d, unsigned vcpu, uint32_t off, unsigned width)
{
	if (off >= GICD_END || vcpu >= d->vcpus)
		return 0;
	bool bytes = byte_register(off);
	if (!bytes && (width != 4 || (off & 3)))
		return 0;
	if (bytes && off + width > ((off & ~3u) + 4))
		return 0;
	if (off == GICD_CTLR)
		return d->enabled;
	if (off == GICD_TYPER)
		return ((d->vcpus - 1) << 5) | (VGIC_IRQS / 32 - 1);
	if (off == GICD_IIDR)
		return IIDR_KEEL;
	if (off >= GICD_ISENABLER && off < GICD_ISPENDR)
		return read_bits(d, vcpu, (off & 0x7f) * 8, REG_ENABLE);
	if (off >= GICD_ISPENDR && off < GICD_ISACTIVER)
		return read_bits(d, vcpu, (off & 0x7f) * 8, REG_PENDING);
	if (off >= GICD_ISACTIVER && off < GICD_IPRIORITYR)
		return read_bits(d, vcpu, (off & 0x7f) * 8, REG_ACTIVE);
	if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR)
		return read_bytes(d, vcpu, off - GICD_IPRIORITYR, width, false);
	if (off >= GICD_ITARGETSR && off < GICD_ICFGR)
		return read_bytes(d, vcpu, off - GICD_ITARGETSR, width, true);
	if (off >= GICD_ICFGR && off < GICD_ICFGR + VGIC_IRQS / 4)
		return read_cfg(d, vcpu, (off - GICD_ICFGR) * 4);
	if (off >= GICD_CPENDSGIR && off < GICD_SGI_END)
		return read_sgi_sources(d, vcpu, off & 0xf, width);
	if (off >= GICD_ID_FIRST)
		return gic400_ids[(off - GICD_ID_FIRST) / 4];
	return 0; /* IGROUPR (all group 0), SGIR (write-only), reserved */
}

void vgic_dist_write(struct vgic_dist *d, unsigned vcpu, uint32_t off, unsigned width,
                     uint32_t value)
{
	if (off >= GICD_END || vcpu >= d->vcpus)
		return;
	bool bytes = byte_register(off);
	if (!bytes && (width != 4 || (off & 3)))
		return;
	if (bytes && off + width > ((off & ~3u) + 4))
		return;
	if (off == GICD_CTLR)
		d->enabled = value & 1;
	else if (off >= GICD_ISENABLER && off < GICD_ISPENDR)
		write_bits(d, vcpu, (off & 0x7f) * 8, REG_ENABLE, value, off < GICD_ICENABLER);
	else if (off >= GICD_ISPENDR && off < GICD_ISACTIVER)
		write_bits(d, vcpu, (off & 0x7f) * 8, REG_PENDING, value, off < GICD_ICPENDR);
	else if (off >= GICD_ISACTIVER && off < GICD_IPRIORITYR)
		write_bits(d, vcpu, (off & 0x7f) * 8, REG_ACTIVE, value, off < GICD_ICACTIVER);
	else if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR)
		write_bytes(d, vcpu, off - GICD_IPRIORITYR, width, value, false);
	else if (off >= GICD_ITARGETSR && off < GICD_ICFGR)
		write_bytes(d, vcpu, off - GICD_ITARGETSR, width, value, true);
	else if (off >= GICD_ICFGR && off < GICD_ICFGR + VGIC_IRQS / 4)
		write_cfg(d, vcpu, (off - GICD_ICFGR) * 4, value);
	else if (off == GICD_SGIR)
		send_sgi(d, vcpu, value);
	else if (off >= GICD_CPENDSGIR && off < GICD_SGI_END)
		write_sgi_sources(d, vcpu, off & 0xf, width, value, off >= GICD_SPENDSGIR);
}

void vgic_set_line(struct vgic_dist *d, unsigned vcpu, unsigned intid, bool level)
{
	struct vgic_irq *irq = irq_of(d, vcpu, intid);
	if (!irq || intid < 16)
		return;
	if (irq->level_cfg && !irq->hw_intid) {
		/* A line that drops before the guest took it withdraws the
		 * interrupt, as on a GIC: a list register still showing it
		 * pending must fold, or the guest takes a spurious one. */
		if (irq->line && !level && listed_pending(irq) && !irq->lr_latch)
			d->resync |= (uint8_t)(1u << irq->lr_vcpu);
	} else if (level) {
		irq->pending = true;
	}
	/* The device's line, whatever the guest's configuration says now: a
	 * line that dropped while the interrupt was edge-triggered must not
	 * count as high once the guest makes it level again (the model only
	 * says when it changes, so it would never be lowered: an interrupt
	 * storm, hostile campaign seed 3). */
	if (!irq->hw_intid)
		irq->line = level;
	note_state(d, vcpu, intid);
}

static bool pending_enabled(const struct vgic_dist *d, const struct vgic_irq *irq)
{
	return d->enabled && irq->enabled && is_pending(irq);
}

static bool deliverable(const struct vgic_dist *d, const struct vgic_irq *irq)
{
	return !irq->active && !irq->in_lr && pending_enabled(d, irq);
}

/* Whether SPI `irq` is vcpu's to list: an active one belongs to the vCPU
 * that took it, a pending one to its targets. */
static bool spi_for(const struct vgic_irq *irq, unsigned vcpu)
{
	if (irq->active)
		return irq->lr_vcpu == vcpu;
	return irq->targets & (1u << vcpu);
}

/* The first busy interrupt of `vcpu` from INTID `from` on, its own or an
 * SPI for it, or VGIC_NONE; *irq is its state. The busy bitmaps make this
 * look at pending and active interrupts only. */
static unsigned busy_from(const struct vgic_dist *d, unsigned vcpu, unsigned from,
                          const struct vgic_irq **irq)
{
	for (unsigned w = from / 32; w < VGIC_IRQS / 32; w++, from = 32 * w) {
		uint32_t bits = w == 0 ? d->priv_busy[vcpu] : d->spi_busy[w - 1];
		for (bits &= ~0u << (from % 32); bits; bits &= bits - 1) {
			unsigned i = 32 * w + (unsigned)__builtin_ctz(bits);
			*irq = i < VGIC_PRIVATE ? &d->priv[vcpu][i] : &d->spi[i - VGIC_PRIVATE];
			if (i < VGIC_PRIVATE || spi_for(*irq, vcpu))
				return i;
		}
	}
	return VGIC_NONE;
}

/* On every entry to a vCPU that may have something new: only the busy
 * interrupts are looked at, in increasing order. */
unsigned vgic_next_pending(const struct vgic_dist *d, unsigned vcpu)
{
	unsigned best = VGIC_NONE;
	unsigned best_prio = 0x100;
	const struct vgic_irq *irq;

	if (!d->enabled || vcpu >= d->vcpus)
		return VGIC_NONE;
	for (unsigned i = busy_from(d, vcpu, 0, &irq); i != VGIC_NONE;
	     i = busy_from(d, vcpu, i + 1, &irq)) {
		if (deliverable(d, irq) && irq->priority < best_prio) {
			best = i;
			best_prio = irq->priority;
		}
	}
	return best;
}

bool vgic_pending_behind(const struct vgic_dist *d, unsigned vcpu)
{
	const struct vgic_irq *irq;

	if (vcpu >= d->vcpus)
		return false;
	for (unsigned i = busy_from(d, vcpu, 0, &irq); i != VGIC_NONE;
	     i = busy_from(d, vcpu, i + 1, &irq))
		if (pending_enabled(d, irq) && (irq->active || irq->in_lr))
			return true;
	return false;
}

/* An SGI source or a pending state can join an active interrupt in its
 * list register (state pending and active) only without the HW bit, which
 * the architecture does not allow so, and for an SGI only from the source
 * that the list register names. */
static bool joins_active(const struct vgic_irq *irq, unsigned intid)
{
	if (irq->hw_intid || !is_pending(irq))
		return false;
	return intid >= 16 || (irq->sgi_sources & (1u << irq->active_source));
}

/* Fill order: active interrupts first (key below 0x100), then pending
 * ones by priority; lower INTIDs first among equals. */
static unsigned fill_key(const struct vgic_irq *irq, unsigned intid)
{
	return (irq->active ? 0 : 0x100 + irq->priority) << 10 | intid;
}

static bool fill_candidate(const struct vgic_dist *d, const struct vgic_irq *irq)
{
	return !irq->in_lr && (irq->active || deliverable(d, irq));
}

/* Insert `key` into the sorted `keys[0..*count)`, keeping the n best. */
static void keep_best(unsigned *keys, unsigned *count, unsigned n, unsigned key)
{
	unsigned i = *count < n ? (*count)++ : n;
	if (i == n && key > keys[n - 1])
		return;
	if (i == n)
		i--;
	for (; i > 0 && keys[i - 1] > key; i--)
		keys[i] = keys[i - 1];
	keys[i] = key;
}

/* Move intid's state into a list register. */
static struct vgic_lr list_irq(struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	struct vgic_irq *irq = irq_of(d, vcpu, intid);
	/* A passed-through SPI's list register carries the HW bit. The
	 * virtual timer's does not: its guest's end asks for a maintenance
	 * interrupt instead, and the kernel deactivates the physical PPI at
	 * the distributor (vtimer_follow). A HW end leaves the physical
	 * interface to notice by itself that a line still high is pending
	 * again, which QEMU's GICv2 model does only at its next unrelated
	 * event: a vCPU idling alone in an untrapped WFI waited seconds. */
	struct vgic_lr lr = {.intid = (uint16_t)intid,
	                     .hw = intid >= VGIC_PRIVATE ? irq->hw_intid : 0,
	                     .priority = irq->priority};
	bool pending = irq->active ? joins_active(irq, intid) : true;

	if (irq->active) {
		lr.state = VGIC_LR_ACTIVE;
		lr.source = irq->active_source;
		irq->active = false;
	}
	if (pending) {
		lr.state |= VGIC_LR_PENDING;
		if (intid < 16) {
			if (!(lr.state & VGIC_LR_ACTIVE))
				lr.source = (uint8_t)__builtin_ctz(irq->sgi_sources);
			irq->sgi_sources &= (uint8_t) ~(1u << lr.source);
		}
		irq->lr_latch = irq->pending;
		irq->pending = false; /* a level line stays as it is */
	}
	/* A level line still high when the guest ends it is pending again at
	 * once: the end must exit (maintenance), since the guest may end it
	 * and idle in a WFI that does not trap. */
	lr.eoi_notify = irq->level_cfg && !lr.hw;
	irq->in_lr = true;
	irq->lr_vcpu = (uint8_t)vcpu;
	irq->lr_source = lr.source;
	irq->lr_state = lr.state;
	irq->clear_pending = irq->clear_active = false;
	note_state(d, vcpu, intid);
	return lr;
}

unsigned vgic_lr_fill(struct vgic_dist *d, unsigned vcpu, struct vgic_lr *out, unsigned n,
                      bool *left)
{
	unsigned keys[8], count = 0, seen = 0;
	const struct vgic_irq *irq;

	*left = false;
	if (vcpu >= d->vcpus || n == 0)
		return 0;
	n = n > 8 ? 8 : n;
	for (unsigned i = busy_from(d, vcpu, 0, &irq); i != VGIC_NONE;
	     i = busy_from(d, vcpu, i + 1, &irq)) {
		if (!fill_candidate(d, irq))
			continue;
		seen++;
		/* Pending again behind its own active state, and unable to join
		 * it: only the guest's end of the active one lets it in. */
		*left |= irq->active && pending_enabled(d, irq) && !joins_active(irq, i);
		keep_best(keys, &count, n, fill_key(irq, i));
	}
	*left |= seen > count;
	for (unsigned k = 0; k < count; k++) {
		out[k] = list_irq(d, vcpu, keys[k] & 0x3ff);
		/* Another source of the same SGI waits for this one to end. */
		*left |= out[k].intid < 16 && d->priv[vcpu][out[k].intid].sgi_sources;
	}
	return count;
}

void vgic_lr_fold(struct vgic_dist *d, unsigned vcpu, const struct vgic_lr *lr)
{
	struct vgic_irq *irq = irq_of(d, vcpu, lr->intid);
	if (!irq || !irq->in_lr || irq->lr_vcpu != vcpu)
		return;
	bool pending = (lr->state & VGIC_LR_PENDING) && !irq->clear_pending;
	bool active = (lr->state & VGIC_LR_ACTIVE) && !irq->clear_active;

	irq->in_lr = irq->clear_pending = irq->clear_active = false;
	if (active) {
		irq->active = true;
		irq->active_source = lr->source;
	}
	if (pending && lr->intid < 16)
		irq->sgi_sources |= (uint8_t)(1u << lr->source);
	else if (pending && (irq->lr_latch || !irq->level_cfg || irq->hw_intid))
		irq->pending = true; /* a level line says for itself */
	note_state(d, vcpu, lr->intid);
}

bool vgic_irq_pending(const struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	const struct vgic_irq *irq = irq_at(d, vcpu, intid);
	return irq && (is_pending(irq) || listed_pending(irq));
}

bool vgic_irq_active(const struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	const struct vgic_irq *irq = irq_at(d, vcpu, intid);
	return irq && (irq->active || listed_active(irq));
}

bool vgic_irq_listed(const struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	const struct vgic_irq *irq = irq_at(d, vcpu, intid);
	return irq && irq->in_lr;
}

unsigned vgic_irq_targets(const struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	if (intid < VGIC_PRIVATE)
		return vcpu < d->vcpus ? 1u << vcpu : 0;
	return intid < VGIC_IRQS ? d->spi[intid - VGIC_PRIVATE].targets : 0;
}

/* What a listed interrupt of a vCPU that stops leaves behind: its pending
 * state, not its active one. */
static void release_irq(struct vgic_dist *d, unsigned vcpu, unsigned intid, uint16_t *hw,
                        unsigned *n, unsigned max)
{
	struct vgic_irq *irq = irq_of(d, vcpu, intid);
	bool owned = intid < VGIC_PRIVATE || irq->lr_vcpu == vcpu;

	if (!owned || (!irq->in_lr && !irq->active))
		return;
	if (listed_pending(irq) && intid < 16)
		irq->sgi_sources |= (uint8_t)(1u << irq->lr_source);
	else if (listed_pending(irq) && (irq->lr_latch || !irq->level_cfg || irq->hw_intid))
		irq->pending = true;
	if (irq->hw_intid && intid >= VGIC_PRIVATE && *n < max)
		hw[(*n)++] = irq->hw_intid;
	irq->in_lr = irq->active = irq->clear_pending = irq->clear_active = false;
	note_state(d, vcpu, intid);
}

unsigned vgic_vcpu_release(struct vgic_dist *d, unsigned vcpu, bool all, uint16_t *hw, unsigned max)
{
	unsigned n = 0;

	if (vcpu >= d->vcpus)
		return 0;
	for (unsigned i = all ? 0 : VGIC_PRIVATE; i < VGIC_IRQS; i++)
		release_irq(d, vcpu, i, hw, &n, max);
	if (all) {
		/* A reset vCPU's timer is off: an event of its last run is not
		 * pending for the next one. */
		d->priv[vcpu][VGIC_PPI_VTIMER].pending = false;
		note_state(d, vcpu, VGIC_PPI_VTIMER);
	}
	return n;
}
