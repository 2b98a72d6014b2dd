/* SPDX-License-Identifier: MIT */
/*
 * Hostile guest: a bare-metal guest at EL1 (MMU off) that runs a long,
 * seeded random mix of what a guest may do to its interrupt controller,
 * system registers, timer, hypervisor calls and memory (chaos.c,
 * sysregs.c), and every `recover_every` operations re-initialises its GIC
 * and checks that its virtual timer, a self-SGI and its PL011's transmit
 * interrupt still arrive (recover.c). Bare QEMU virt is the reference:
 * whatever it delivers, a hypervisor must deliver. The directed modes
 * (directed.c) replay single known holes and print PASS or FAIL.
 *
 * Output, one line each (scripts/campaign-guest parses it):
 *   hostile: start seed S ops N mode M recover-every E deadline-us D
 *   hostile: recover R ops N timer ok|LOST sgi ok|LOST uart ok|LOST aborts A undef U
 *   hostile: seed S ops N recovers R lost-timer A lost-sgi B lost-uart C hangs H
 *   hostile: done
 *   hostile: stall N ticks T kind K addr 0xA value 0xV   (an operation over 1 s)
 * `hangs` counts operations that took longer than a second and returned;
 * one that never returns is seen from outside (no more output).
 */
#include "hostile.h"

#ifndef HOSTILE_SEED
#define HOSTILE_SEED 1
#endif
#ifndef HOSTILE_OPS
#define HOSTILE_OPS 100000
#endif
#ifndef HOSTILE_INSTANCE
#define HOSTILE_INSTANCE 0 /* a second copy in one system gets other numbers */
#endif

#define EC_UNKNOWN  0x00
#define EC_SVC64    0x15
#define EC_DABT_CUR 0x25

volatile struct hostile_config hostile_cfg __attribute__((used)) = {
        .magic = "HOSTILE-CONFIG:",
        .seed = HOSTILE_SEED,
        .ops = HOSTILE_OPS,
        .mode = MODE_CAMPAIGN,
        .recover_every = 1000,
        .deadline_us = 200000,
        .bp = {0x4001c0, 0x4001c0, 0x4001c0, 0x4001c0},
        .trace_from = ~0ull,
};

volatile struct fault_counts faults;
static uint64_t rng;
static uint64_t freq;

void rng_seed(uint64_t seed)
{
	rng = seed * 0x9e3779b97f4a7c15ull + 0x4b45454c484f5354ull;
	if (!rng)
		rng = 1;
}

uint64_t rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

uint64_t us_to_ticks(uint64_t us)
{
	return freq / 1000000 * us + (freq % 1000000) * us / 1000000;
}

/* Aborts (MMIO outside RAM, a trapped register a hypervisor refuses),
 * undefined instructions (HVC/SMC without a handler, registers without an
 * implementation) and anything else: counted, stepped over. */
void guest_sync(void)
{
	uint64_t esr, elr;
	__asm__ volatile("mrs %0, esr_el1\n\tmrs %1, elr_el1" : "=r"(esr), "=r"(elr));
	switch (esr >> 26) {
	case EC_DABT_CUR: faults.aborts++; break;
	case EC_UNKNOWN: faults.undef++; break;
	case EC_SVC64: faults.other++; return; /* ELR is past it already */
	default: faults.other++; break;
	}
	__asm__ volatile("msr elr_el1, %0" ::"r"(elr + 4));
}

/* A virtual SError: counted; SErrors stay masked on return. */
void guest_serror(void)
{
	uint64_t spsr;
	faults.other++;
	__asm__ volatile("mrs %0, spsr_el1" : "=r"(spsr));
	__asm__ volatile("msr spsr_el1, %0" ::"r"(spsr | (1ul << 8)));
}

void line_kv(const char *key, uint64_t v)
{
	put(' ');
	if (*key) {
		puts_(key);
		put(' ');
	}
	put_dec(v);
}

void pass_fail(const char *what, bool ok)
{
	puts_("hostile: ");
	puts_(what);
	puts_(ok ? " PASS\n" : " FAIL\n");
}

static const char *ok_lost(bool ok)
{
	return ok ? "ok" : "LOST";
}

static struct {
	uint64_t recovers, lost_timer, lost_sgi, lost_uart, hangs;
} total;

static void recover_phase(uint64_t ops)
{
	crumb(CRUMB_RECOVER, ops, 0);
	struct recover_result r = recover();
	total.recovers++;
	total.lost_timer += !r.timer;
	total.lost_sgi += !r.sgi;
	total.lost_uart += !r.uart;
	puts_("hostile: recover");
	line_kv("", total.recovers);
	line_kv("ops", ops);
	puts_(" timer ");
	puts_(ok_lost(r.timer));
	puts_(" sgi ");
	puts_(ok_lost(r.sgi));
	puts_(" uart ");
	puts_(ok_lost(r.uart));
	line_kv("aborts", faults.aborts);
	line_kv("undef", faults.undef);
	puts_("\n");
}

/* What the operation just done was (its crumb): for shrinking a failing
 * seed to the operations that matter. */
static void trace_op(const char *what, uint64_t n, uint64_t ticks)
{
	puts_("hostile: ");
	puts_(what);
	line_kv("", n);
	line_kv("ticks", ticks);
	line_kv("kind", hostile_cfg.crumb_kind);
	puts_(" addr 0x");
	put_hex64(hostile_cfg.crumb_addr);
	puts_(" value 0x");
	put_hex64(hostile_cfg.crumb_value);
	puts_("\n");
}

static void campaign(uint64_t seed, uint64_t ops, uint64_t every)
{
	uint64_t stall = us_to_ticks(1000000);
	recover_phase(0);
	for (uint64_t n = 1; n <= ops; n++) {
		uint64_t t0 = counter();
		hostile_cfg.crumb_op = n;
		chaos_op();
		bool stalled = counter() - t0 > stall;
		if (stalled || n >= hostile_cfg.trace_from)
			trace_op(stalled ? "stall" : "op", n, counter() - t0);
		total.hangs += stalled;
		if (n % every == 0 || n == ops)
			recover_phase(n);
	}
	puts_("hostile: seed");
	line_kv("", seed);
	line_kv("ops", ops);
	line_kv("recovers", total.recovers);
	line_kv("lost-timer", total.lost_timer);
	line_kv("lost-sgi", total.lost_sgi);
	line_kv("lost-uart", total.lost_uart);
	line_kv("hangs", total.hangs);
	puts_("\n");
}

void guest_main(void)
{
	freq = counter_freq();
	uint64_t seed = hostile_cfg.seed + HOSTILE_INSTANCE * 1000003ull;
	uint64_t every = hostile_cfg.recover_every ? hostile_cfg.recover_every : 1000;
	puts_("hostile: start seed");
	line_kv("", seed);
	line_kv("ops", hostile_cfg.ops);
	line_kv("mode", hostile_cfg.mode);
	line_kv("recover-every", every);
	line_kv("deadline-us", hostile_cfg.deadline_us);
	line_kv("skip", hostile_cfg.skip);
	puts_("\n");
	rng_seed(seed);
	switch (hostile_cfg.mode) {
	case MODE_DEBUG: directed_debug(); break;
	case MODE_VTIMER: directed_vtimer(); break;
	case MODE_LR: directed_lr(); break;
	default: campaign(seed, hostile_cfg.ops, every); break;
	}
	puts_("hostile: done\n");
	psci_system_off();
	for (;;)
		__asm__ volatile("wfe");
}
