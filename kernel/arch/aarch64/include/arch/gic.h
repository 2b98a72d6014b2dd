/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ARCH_GIC_H
#define KEEL_ARCH_GIC_H

#include <bsp.h>
#include <stdbool.h>
#include <stdint.h>

#define GIC_PPI_HYP_TIMER   26 /* CNTHP, the EL2 physical timer */
#define GIC_PPI_VIRT_TIMER  27 /* CNTV, the running vCPU's virtual timer */
#define GIC_PPI_MAINTENANCE 25 /* GICv2 virtual interface maintenance */
#define GIC_SPURIOUS        1020
#define GIC_PRIO_DEFAULT    0xa0
#define GIC_SGI_RESCHEDULE  0

/* One implementation per GIC architecture version. */
struct gic_driver {
	enum gic_version version;
	const char *name;
	/* IAR bits holding the interrupt id (GICv2 adds the source CPU above). */
	uint32_t iar_id_mask;
	int (*init_dist)(const struct bsp_gic *desc);
	void (*init_cpu)(void);
	void (*enable_ppi)(unsigned intid);
	uint32_t (*ack)(void);
	/* Priority drop; with a `deactivate` op (GICv2, EOImode 1) only that. */
	void (*eoi)(uint32_t iar);
	void (*deactivate)(uint32_t iar);     /* NULL: eoi also deactivates */
	void (*clear_active)(unsigned intid); /* an SPI, at the distributor */
	/* This CPU's PPI `intid` (GICv2 only: the virtual interface's). */
	void (*set_ppi_active)(unsigned intid, bool active);
	bool (*ppi_active)(unsigned intid);
	void (*send_sgi)(unsigned cpu, uint64_t hwid, unsigned sgi);
	void (*set_spi_enabled)(unsigned intid, bool enabled);
	void (*route_spi)(unsigned intid, unsigned cpu, uint64_t hwid);
};

extern const struct gic_driver gicv2_driver;
extern const struct gic_driver gicv3_driver;

/* Choose the board's GIC that this CPU actually has, and set it up. */
int gic_init(void);
void gic_init_cpu(void);
void gic_enable_ppi(unsigned intid);
void gic_set_ppi_active(unsigned intid, bool active);
bool gic_ppi_active(unsigned intid);
void gic_handle_irq(void);
const char *gic_name(void);
/* The GICv2 virtual interface control (GICH) and virtual CPU interface
 * (GICV) frames, if the GIC in use has them. */
bool gic_virt_iface(uint64_t *gich, uint64_t *gicv);

#endif
