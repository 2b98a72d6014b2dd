/* SPDX-License-Identifier: MIT */
/*
 * Real-time latency probe: how late the virtual timer's interrupt reaches
 * this guest's handler. A bare-metal guest at EL1, MMU off. The virtual
 * timer is armed every LP_PERIOD_US microseconds; a sample is the counter
 * read by the first instruction of the IRQ entry (vectors.S) minus the
 * deadline programmed in CNTV_CVAL_EL0, in counter ticks. After LP_SAMPLES
 * samples the timer is stopped, the round is printed and only then is the
 * next round armed: printing is an MMIO exit under a hypervisor, and it
 * must never fall inside a measurement.
 *
 * Output (scripts/bench-rt parses it), one line each:
 *   latprobe: start period_us P samples N freq F
 *   latprobe: round R samples N min A avg B max C ticks (freq F Hz)
 *   latprobe: hist <1us n <2us n <5us n <10us n <20us n <50us n <100us n >=100us n
 *   latprobe: done rounds R          (only with LP_ROUNDS > 0, then SYSTEM_OFF)
 * The histogram's bounds are in microseconds at the counter's frequency.
 * Under -icount shift=0,sleep=off with a 1 GHz counter, a tick is one
 * executed instruction.
 */
#include "guest.h"

#include <stdbool.h>
#include <stdint.h>

#ifndef LP_SAMPLES
#define LP_SAMPLES 1000
#endif
#ifndef LP_PERIOD_US
#define LP_PERIOD_US 1000
#endif
#ifndef LP_ROUNDS
#define LP_ROUNDS 0 /* forever */
#endif

#define CNTV_CTL_ENABLE 1ul

extern const char lp_vectors[];

static const uint32_t bound_us[] = {1, 2, 5, 10, 20, 50, 100};
enum { NBOUND = sizeof(bound_us) / sizeof(bound_us[0]) };

/* A bucket's bound in ticks, rounded up, so that `ticks < bound` is
 * exactly `ticks / freq < us` at any frequency (62.5 MHz has no whole
 * number of ticks per microsecond). */
static uint64_t bound_ticks[NBOUND];

static uint64_t period, deadline;
static volatile bool round_done;
static uint32_t nsamples;
static int64_t lat_min, lat_max, lat_sum;
static uint32_t hist[NBOUND + 1];

static void timer_arm(uint64_t at)
{
	deadline = at;
	/* CTL is written again because a hypervisor may have set IMASK when
	 * the previous deadline passed (Keel does). */
	__asm__ volatile("msr cntv_cval_el0, %0\n\tmsr cntv_ctl_el0, %1\n\tisb" ::"r"(at),
	                 "r"(CNTV_CTL_ENABLE));
}

static void timer_stop(void)
{
	__asm__ volatile("msr cntv_ctl_el0, xzr\n\tisb");
}

static void record(int64_t lat)
{
	lat_min = nsamples == 0 || lat < lat_min ? lat : lat_min;
	lat_max = nsamples == 0 || lat > lat_max ? lat : lat_max;
	lat_sum += lat;
	unsigned b = 0;
	while (b < NBOUND && lat >= 0 && (uint64_t)lat >= bound_ticks[b])
		b++;
	hist[b]++;
	nsamples++;
}

/* Called by vectors.S with the counter as the IRQ entry read it. */
void lp_irq(uint64_t stamp);
void lp_irq(uint64_t stamp)
{
	uint32_t iar = rd32(GICC + GICC_IAR);
	uint32_t id = iar & 0x3ff;
	if (id == PPI_VTIMER) {
		if (round_done) {
			timer_stop();
		} else {
			record((int64_t)(stamp - deadline));
			if (nsamples == LP_SAMPLES)
				round_done = true;
			/* Armed once more after the last sample too: if that
			 * sample lands between the main loop's test and its WFI,
			 * this deadline still wakes it. Missed periods are
			 * skipped, not queued. */
			uint64_t next = deadline + period, now = counter();
			while (next <= now)
				next += period;
			timer_arm(next);
		}
	}
	if (id < 1020)
		wr32(GICC + GICC_EOIR, iar);
}

static void put_sdec(int64_t v)
{
	if (v < 0) {
		put('-');
		put_dec((uint64_t)0 - (uint64_t)v);
	} else {
		put_dec((uint64_t)v);
	}
}

static void print_round(uint32_t round, uint64_t freq)
{
	puts_("latprobe: round ");
	put_dec(round);
	puts_(" samples ");
	put_dec(nsamples);
	puts_(" min ");
	put_sdec(lat_min);
	puts_(" avg ");
	put_sdec(lat_sum / (int64_t)nsamples);
	puts_(" max ");
	put_sdec(lat_max);
	puts_(" ticks (freq ");
	put_dec(freq);
	puts_(" Hz)\nlatprobe: hist");
	for (unsigned b = 0; b < NBOUND; b++) {
		puts_(" <");
		put_dec(bound_us[b]);
		puts_("us ");
		put_dec(hist[b]);
	}
	puts_(" >=");
	put_dec(bound_us[NBOUND - 1]);
	puts_("us ");
	put_dec(hist[NBOUND]);
	puts_("\n");
}

static bool gic_init(void)
{
	if (!rd32(GICC + GICC_IIDR))
		return false;
	gic_enable_vtimer();
	return true;
}

void guest_main(void)
{
	uint64_t freq = counter_freq();
	puts_("latprobe: start period_us ");
	put_dec(LP_PERIOD_US);
	puts_(" samples ");
	put_dec(LP_SAMPLES);
	puts_(" freq ");
	put_dec(freq);
	puts_("\n");
	if (!freq) {
		puts_("latprobe: FAIL: CNTFRQ_EL0 is 0\n");
		return;
	}
	period = freq * LP_PERIOD_US / 1000000;
	for (unsigned b = 0; b < NBOUND; b++)
		bound_ticks[b] = (bound_us[b] * freq + 999999) / 1000000;
	__asm__ volatile("msr vbar_el1, %0\n\tisb" ::"r"(lp_vectors));
	if (!gic_init()) {
		puts_("latprobe: FAIL: no virtual cpu interface\n");
		return;
	}
	__asm__ volatile("msr daifclr, #2" ::: "memory");

	for (uint32_t round = 1;; round++) {
		nsamples = 0;
		lat_sum = 0;
		for (unsigned b = 0; b <= NBOUND; b++)
			hist[b] = 0;
		round_done = false;
		timer_arm(counter() + period);
		while (!round_done)
			__asm__ volatile("wfi" ::: "memory");
		timer_stop();
		print_round(round, freq);
		if (round == LP_ROUNDS)
			break;
	}
	__asm__ volatile("msr daifset, #2" ::: "memory");
	puts_("latprobe: done rounds ");
	put_dec(LP_ROUNDS);
	puts_("\n");
	psci_system_off();
	puts_("latprobe: FAIL: still running after SYSTEM_OFF\n");
}
