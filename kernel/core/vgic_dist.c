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
#define GICD_END        0x1000
#define IIDR_KEEL       0x0000043b /* ARM's JEP106 code, as GIC-400 reports */

enum bit_reg { REG_ENABLE, REG_PENDING, REG_ACTIVE };

_Static_assert(VGIC_PRIVATE == 32 && VGIC_SPIS % 32 == 0, "pending bitmaps: whole words");

static struct vgic_irq *irq_of(struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	if (intid < VGIC_PRIVATE)
		return vcpu < d->vcpus ? &d->priv[vcpu][intid] : NULL;
	return intid < VGIC_IRQS ? &d->spi[intid - VGIC_PRIVATE] : NULL;
}

void vgic_dist_init(struct vgic_dist *d, unsigned vcpus)
{
	memset(d, 0, sizeof(*d));
	d->vcpus = vcpus > VGIC_MAX_VCPUS ? VGIC_MAX_VCPUS : vcpus;
	for (unsigned v = 0; v < d->vcpus; v++)
		for (unsigned i = 0; i < 16; i++) {
			d->priv[v][i].enabled = true; /* SGIs are always enabled on GIC-400 */
			d->priv[v][16 + i].level_cfg = true; /* PPIs read as level, as GIC-400's */
		}
	for (unsigned i = 0; i < VGIC_SPIS; i++)
		d->spi[i].targets = 1;
}

/* After any change to intid's pending state or SGI sources. */
static void note_pending(struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	const struct vgic_irq *irq = irq_of(d, vcpu, intid);
	uint32_t *word = intid < VGIC_PRIVATE ? &d->priv_pending[vcpu]
	                                      : &d->spi_pending[(intid - VGIC_PRIVATE) / 32];
	uint32_t bit = 1u << (intid % 32);

	if (irq->pending || irq->sgi_sources)
		*word |= bit;
	else
		*word &= ~bit;
}

static bool *bit_field(struct vgic_irq *irq, enum bit_reg r)
{
	return r == REG_ENABLE ? &irq->enabled : r == REG_PENDING ? &irq->pending : &irq->active;
}

static uint32_t read_bits(struct vgic_dist *d, unsigned vcpu, unsigned first, enum bit_reg r)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < 32; i++) {
		struct vgic_irq *irq = irq_of(d, vcpu, first + i);
		if (irq && (*bit_field(irq, r) || (r == REG_PENDING && irq->sgi_sources)))
			v |= 1u << i;
	}
	return v;
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
		*bit_field(irq, r) = set;
		if (r == REG_ENABLE && irq->hw_intid)
			d->hw_changed = true;
		if (r == REG_PENDING && !set)
			irq->sgi_sources = 0;
		if (r == REG_PENDING)
			note_pending(d, vcpu, first + i);
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
		if (irq && first + i >= 16) /* SGIs are always edge-triggered */
			irq->level_cfg = !(value & (2u << (2 * i)));
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
			note_pending(d, v, sgi);
		}
	}
}

uint32_t vgic_dist_read(struct vgic_dist *d, unsigned vcpu, uint32_t off, unsigned width)
{
	if (off >= GICD_END || vcpu >= d->vcpus)
		return 0;
	bool bytes = (off >= GICD_IPRIORITYR && off < GICD_ICFGR);
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
	return 0; /* IGROUPR (all group 0), SGIR (write-only), reserved */
}

void vgic_dist_write(struct vgic_dist *d, unsigned vcpu, uint32_t off, unsigned width,
                     uint32_t value)
{
	if (off >= GICD_END || vcpu >= d->vcpus)
		return;
	bool bytes = (off >= GICD_IPRIORITYR && off < GICD_ICFGR);
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
}

void vgic_set_line(struct vgic_dist *d, unsigned vcpu, unsigned intid, bool level)
{
	struct vgic_irq *irq = irq_of(d, vcpu, intid);
	if (!irq || intid < 16)
		return;
	if (level)
		irq->pending = true;
	else if (irq->level_cfg)
		irq->pending = false; /* a level interrupt stops being pending with its line */
	note_pending(d, vcpu, intid);
}

static bool deliverable(const struct vgic_irq *irq)
{
	return irq->enabled && !irq->active && !irq->in_lr && (irq->pending || irq->sgi_sources);
}

/* The first pending interrupt of `vcpu` from INTID `from` on, its own or
 * an SPI that targets it, or VGIC_NONE; *irq is its state. The pending
 * bitmaps make this look at pending interrupts only. */
static unsigned pending_from(const struct vgic_dist *d, unsigned vcpu, unsigned from,
                             const struct vgic_irq **irq)
{
	for (unsigned w = from / 32; w < VGIC_IRQS / 32; w++, from = 32 * w) {
		uint32_t bits = w == 0 ? d->priv_pending[vcpu] : d->spi_pending[w - 1];
		for (bits &= ~0u << (from % 32); bits; bits &= bits - 1) {
			unsigned i = 32 * w + (unsigned)__builtin_ctz(bits);
			*irq = i < VGIC_PRIVATE ? &d->priv[vcpu][i] : &d->spi[i - VGIC_PRIVATE];
			if (i < VGIC_PRIVATE || ((*irq)->targets & (1u << vcpu)))
				return i;
		}
	}
	return VGIC_NONE;
}

/* On every entry to a vCPU that may have something new: only the pending
 * interrupts are looked at, in increasing order. */
unsigned vgic_next_pending(const struct vgic_dist *d, unsigned vcpu)
{
	unsigned best = VGIC_NONE;
	unsigned best_prio = 0x100;
	const struct vgic_irq *irq;

	if (!d->enabled || vcpu >= d->vcpus)
		return VGIC_NONE;
	for (unsigned i = pending_from(d, vcpu, 0, &irq); i != VGIC_NONE;
	     i = pending_from(d, vcpu, i + 1, &irq)) {
		if (deliverable(irq) && irq->priority < best_prio) {
			best = i;
			best_prio = irq->priority;
		}
	}
	return best;
}

bool vgic_pending_in_lr(const struct vgic_dist *d, unsigned vcpu)
{
	const struct vgic_irq *irq;

	if (vcpu >= d->vcpus)
		return false;
	for (unsigned i = pending_from(d, vcpu, 0, &irq); i != VGIC_NONE;
	     i = pending_from(d, vcpu, i + 1, &irq))
		if (irq->in_lr)
			return true;
	return false;
}

void vgic_acknowledge(struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	struct vgic_irq *irq = irq_of(d, vcpu, intid);
	if (!irq)
		return;
	irq->active = true;
	if (intid < 16) {
		/* One source at a time: the lowest-numbered sending vCPU. */
		irq->sgi_sources &= (uint8_t)(irq->sgi_sources - 1);
	} else if (!irq->level_cfg) {
		irq->pending = false;
	}
	note_pending(d, vcpu, intid);
}

void vgic_deactivate(struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	struct vgic_irq *irq = irq_of(d, vcpu, intid);
	if (irq)
		irq->active = false;
}

unsigned vgic_lr_take(struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	struct vgic_irq *irq = irq_of(d, vcpu, intid);
	unsigned source = 0;
	if (!irq)
		return 0;
	irq->in_lr = true;
	if (intid < 16) {
		source = (unsigned)__builtin_ctz(irq->sgi_sources | 0x100u) & 7;
		irq->sgi_sources &= (uint8_t) ~(1u << source);
	} else if (!irq->level_cfg || intid < VGIC_PRIVATE || irq->hw_intid) {
		/* PPIs (the virtual timer) are raised once per event by the kernel;
		 * a passed-through SPI stays active at the GIC until the guest's
		 * EOI, which no second event can pass. */
		irq->pending = false;
	}
	note_pending(d, vcpu, intid);
	return source;
}

void vgic_lr_done(struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	struct vgic_irq *irq = irq_of(d, vcpu, intid);
	if (irq)
		irq->in_lr = irq->active = false;
}

uint8_t vgic_irq_priority(const struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	if (intid < VGIC_PRIVATE)
		return vcpu < d->vcpus ? d->priv[vcpu][intid].priority : 0xff;
	return intid < VGIC_IRQS ? d->spi[intid - VGIC_PRIVATE].priority : 0xff;
}

unsigned vgic_irq_targets(const struct vgic_dist *d, unsigned vcpu, unsigned intid)
{
	if (intid < VGIC_PRIVATE)
		return vcpu < d->vcpus ? 1u << vcpu : 0;
	return intid < VGIC_IRQS ? d->spi[intid - VGIC_PRIVATE].targets : 0;
}
