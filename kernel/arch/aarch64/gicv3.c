/* SPDX-License-Identifier: MIT */
/*
 * GICv3: memory-mapped distributor and redistributors, system-register CPU
 * interface. Affinity routing on; everything in Group 1 Non-secure.
 */
#include <arch/gic.h>
#include <arch/mmio.h>
#include <arch/sysreg.h>
#include <keel/arch.h>
#include <keel/config.h>
#include <keel/errno.h>
#include <keel/log.h>

#define GICD_CTLR        0x0000
#define GICD_TYPER       0x0004
#define GICD_IGROUPR     0x0080
#define GICD_ICENABLER   0x0180
#define GICD_IPRIORITYR  0x0400
#define GICD_ISENABLER   0x0100
#define GICD_ICACTIVER   0x0380
#define GICD_IROUTER     0x6000
#define GICD_CTLR_RWP    (1u << 31)
#define GICD_CTLR_ARE_NS (1u << 4)
#define GICD_CTLR_GRP1   (3u << 0)

#define GICR_TYPER        0x0008
#define GICR_WAKER        0x0014
#define GICR_WAKER_SLEEP  (1u << 1)
#define GICR_WAKER_ASLEEP (1u << 2)
#define GICR_TYPER_VLPIS  (1ull << 1)
#define GICR_TYPER_LAST   (1ull << 4)
#define GICR_SGI          0x10000
#define GICR_IGROUPR0     0x0080
#define GICR_ISENABLER0   0x0100
#define GICR_ICENABLER0   0x0180
#define GICR_IPRIORITYR   0x0400

#define PRIO_WORD  (GIC_PRIO_DEFAULT * 0x01010101u)
#define WAIT_LIMIT 1000000

static uint64_t gicd, gicr_first;
static uint64_t gicr_of_cpu[KEEL_MAX_CPUS];

static void wait_rwp(void)
{
	for (int i = 0; i < WAIT_LIMIT && (mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP); i++)
		arch_cpu_relax();
}

static int gicv3_init_dist(const struct bsp_gic *desc)
{
	gicd = desc->gicd;
	gicr_first = desc->gicr;
	mmio_write32(gicd + GICD_CTLR, 0);
	wait_rwp();
	unsigned lines = 32 * ((mmio_read32(gicd + GICD_TYPER) & 0x1f) + 1);
	for (unsigned i = 32; i < lines; i += 32) {
		mmio_write32(gicd + GICD_ICENABLER + i / 8, 0xffffffffu);
		mmio_write32(gicd + GICD_IGROUPR + i / 8, 0xffffffffu);
	}
	for (unsigned i = 32; i < lines; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, PRIO_WORD);
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_GRP1);
	wait_rwp();
	return 0;
}

/* The redistributor frames are contiguous; each names the CPU it serves. */
static uint64_t find_redistributor(uint64_t hwid)
{
	uint64_t aff = ((hwid >> 8) & 0xff000000) | (hwid & 0xffffff);
	uint64_t rd = gicr_first;

	for (unsigned i = 0; i < 4 * KEEL_MAX_CPUS; i++) {
		uint64_t typer = mmio_read64(rd + GICR_TYPER);
		if ((typer >> 32) == aff)
			return rd;
		if (typer & GICR_TYPER_LAST)
			break;
		rd += (typer & GICR_TYPER_VLPIS) ? 0x40000 : 0x20000;
	}
	return 0;
}

static void gicv3_init_cpu(void)
{
	unsigned cpu = arch_cpu_id();
	uint64_t rd = find_redistributor(arch_cpu_hwid());

	if (!rd) {
		log_err("gic", "cpu%u: no redistributor for mpidr 0x%llx", cpu,
		        (unsigned long long)arch_cpu_hwid());
		return;
	}
	gicr_of_cpu[cpu] = rd;
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	for (int i = 0; i < WAIT_LIMIT && (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP); i++)
		arch_cpu_relax();

	uint64_t sgi = rd + GICR_SGI;
	mmio_write32(sgi + GICR_ICENABLER0, 0xffffffffu);
	mmio_write32(sgi + GICR_IGROUPR0, 0xffffffffu);
	for (unsigned i = 0; i < 32; i += 4)
		mmio_write32(sgi + GICR_IPRIORITYR + i, PRIO_WORD);

	sysreg_write(icc_sre_el2, 0x9); /* SRE, and let EL1 use the sysregs too */
	isb();
	sysreg_write(icc_pmr_el1, 0xf0);
	sysreg_write(icc_bpr1_el1, 0);
	sysreg_write(icc_ctlr_el1, 0);
	sysreg_write(icc_igrpen1_el1, 1);
	isb();
	mmio_write32(sgi + GICR_ISENABLER0, 1u << GIC_SGI_RESCHEDULE);
}

static void gicv3_enable_ppi(unsigned intid)
{
	uint64_t rd = gicr_of_cpu[arch_cpu_id()];
	if (rd)
		mmio_write32(rd + GICR_SGI + GICR_ISENABLER0, 1u << intid);
}

static uint32_t gicv3_ack(void)
{
	uint32_t iar = (uint32_t)sysreg_read(icc_iar1_el1);
	dsb(sy);
	return iar;
}

static void gicv3_eoi(uint32_t iar)
{
	sysreg_write(icc_eoir1_el1, iar);
	isb();
}

static void gicv3_clear_active(unsigned intid)
{
	mmio_write32(gicd + GICD_ICACTIVER + (uint64_t)(intid / 32) * 4, 1u << (intid % 32));
}

static void gicv3_send_sgi(unsigned cpu, uint64_t hwid, unsigned sgi)
{
	(void)cpu;
	uint64_t v = ((hwid >> 32) & 0xff) << 48 | ((hwid >> 16) & 0xff) << 32 |
	             (uint64_t)sgi << 24 | ((hwid >> 8) & 0xff) << 16 | (1ull << (hwid & 0xf));
	dsb(ishst);
	sysreg_write(icc_sgi1r_el1, v);
	isb();
}

static void gicv3_set_spi_enabled(unsigned intid, bool enabled)
{
	uint64_t reg = enabled ? GICD_ISENABLER : GICD_ICENABLER;
	mmio_write32(gicd + reg + (uint64_t)(intid / 32) * 4, 1u << (intid % 32));
}

static void gicv3_route_spi(unsigned intid, unsigned cpu, uint64_t hwid)
{
	(void)cpu;
	mmio_write64(gicd + GICD_IROUTER + 8ull * intid, hwid & 0xff00ffffffull);
}

const struct gic_driver gicv3_driver = {
        .version = GIC_V3,
        .name = "GICv3",
        .iar_id_mask = 0xffffff,
        .init_dist = gicv3_init_dist,
        .init_cpu = gicv3_init_cpu,
        .enable_ppi = gicv3_enable_ppi,
        .ack = gicv3_ack,
        .eoi = gicv3_eoi,
        .clear_active = gicv3_clear_active,
        .send_sgi = gicv3_send_sgi,
        .set_spi_enabled = gicv3_set_spi_enabled,
        .route_spi = gicv3_route_spi,
};
