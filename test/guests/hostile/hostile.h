/* SPDX-License-Identifier: MIT */
/*
 * The hostile guest (docs/guests.md, "Hostile guest"): what its parts share.
 */
#ifndef KEEL_HOSTILE_H
#define KEEL_HOSTILE_H

#include "guest.h"

#include <stdbool.h>
#include <stdint.h>

/* Set by scripts/campaign-guest in a copy of the image, found by its magic:
 * one build serves every seed, operation count and mode. */
struct hostile_config {
	char magic[16];
	uint64_t seed, ops, mode, recover_every;
	uint64_t deadline_us; /* how long a recover check waits for an interrupt */
	uint64_t bp[4];       /* directed debug mode: code addresses in services */
	/* Written before every operation, never read: what a guest stuck in
	 * an operation was doing, for a dump of physical memory to find. */
	uint64_t crumb_op, crumb_kind, crumb_addr, crumb_value;
	uint64_t trace_from; /* operations from this one on are printed first */
	uint64_t skip;       /* SKIP_* bits: classes of operations left out */
};

/* With SKIP_DEBUG the mix leaves the debug registers alone, so that a
 * campaign can look past a known debug-register hole. */
#define SKIP_DEBUG 1u

enum crumb_kind {
	CRUMB_GICD_RD = 1,
	CRUMB_GICD_WR,
	CRUMB_GICD_WR8,
	CRUMB_GICC_RD,
	CRUMB_GICC_WR,
	CRUMB_SYSREG,
	CRUMB_CALL,
	CRUMB_RAM,
	CRUMB_OUTSIDE,
	CRUMB_UART,
	CRUMB_WFE,
	CRUMB_WFI,
	CRUMB_RECOVER
};

extern volatile struct hostile_config hostile_cfg;

static inline void crumb(enum crumb_kind kind, uint64_t addr, uint64_t value)
{
	hostile_cfg.crumb_kind = kind;
	hostile_cfg.crumb_addr = addr;
	hostile_cfg.crumb_value = value;
}

enum hostile_mode { MODE_CAMPAIGN, MODE_DEBUG, MODE_VTIMER, MODE_LR, MODE_COUNT };

#define GICD_CTLR         0x000
#define GICD_IGROUPR      0x080
#define GICD_ICENABLER    0x180
#define GICD_ISPENDR      0x200
#define GICD_ICPENDR      0x280
#define GICD_ISACTIVER    0x300
#define GICD_ICACTIVER    0x380
#define GICD_ICFGR        0xc00
#define GICD_CPENDSGIR    0xf10
#define GICD_SPENDSGIR    0xf20
#define GICC_BPR          0x08
#define GICC_RPR          0x14
#define GICC_HPPIR        0x18
#define GICC_ABPR         0x1c
#define GICC_AIAR         0x20
#define GICC_AEOIR        0x24
#define GICC_AHPPIR       0x28
#define GICC_APR0         0xd0
#define GICC_NSAPR0       0xe0
#define GICC_DIR          0x1000
#define GICC_CTLR_EOIMODE (1u << 9)
#define SGIR_SELF         (2u << 24)
#define IAR_SPURIOUS      1023u
#define UART_RIS          0x3c
#define UART_MIS          0x40
#define UART_ICR          0x44
#define UART_LCR_H        0x2c
#define UART_CR           0x30
#define CNTV_ENABLE       1ul
#define CNTV_IMASK        2ul

/* The interrupts a recover phase checks; HOSTILE_SGI is the self-SGI. */
#define HOSTILE_SGI 3u

uint64_t rnd(void);
void rng_seed(uint64_t seed);
uint64_t us_to_ticks(uint64_t us);

/* Every synchronous exception is counted and stepped over. */
struct fault_counts {
	uint32_t aborts, undef, other;
};
extern volatile struct fault_counts faults;

/* GIC lines the guest's distributor has (GICD_TYPER), at most 1020. */
unsigned gic_lines(void);
/* Distributor and CPU interface to a known state: nothing enabled,
 * pending or active, every active priority dropped. */
void gic_quiesce(void);
/* The three interrupts of a recover phase enabled, at priority 0x80. */
void gic_enable_checked(void);
void gic_timer_level(void);
/* An interrupt acknowledged by the random mix and not yet ended. */
void gic_note_active(uint32_t iar);
uint32_t gic_poll_iar(uint64_t timeout_us);

/* Interrupts the handler took since the last reset of these. */
struct irq_seen {
	uint32_t timer, sgi, uart, other;
};
extern volatile struct irq_seen irqs;

struct recover_result {
	bool timer, sgi, uart;
};
struct recover_result recover(void);

void chaos_op(void);
void chaos_wfi(void);
void sysreg_op(void);

void directed_debug(void);
void directed_vtimer(void);
void directed_lr(void);

void line_kv(const char *key, uint64_t v);
void pass_fail(const char *what, bool ok);

#endif
