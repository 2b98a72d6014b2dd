/* SPDX-License-Identifier: MIT */
/*
 * A guest that streams through its emulated UART and times it, for the
 * live-swap benchmark (scripts/bench-swap): a numbered line every
 * US_PERIOD_US microseconds (the virtual timer wakes it; it sleeps in WFI
 * between lines), each byte one store to the data register. For every
 * store it takes the counter before and after: the difference is how long
 * its vCPU was blocked on the device (an MMIO exit waits for devemu's
 * reply; while devemu is being swapped, it waits for the new instance).
 *
 * Output:
 *   uartstream: start period_us P freq F
 *   uartstream: L0000001 ...             the stream, one line a period
 *   uartstream: stall line N blocked T ticks gap G ticks
 *        a store that took more than US_STALL_US: T its own time, G the
 *        time since the store before it (the gap the wire would show)
 *   uartstream: window W lines N stores S avg A max M ticks stalls K late-max L
 *        every US_WINDOW lines, over them; L: the latest a line started
 *        after its deadline (the vCPU waiting for its CPU)
 * Printing a report is not measured. Under -icount shift=0,sleep=off with
 * a 1 GHz counter a tick is one executed instruction.
 */
#include "guest.h"

#include <stdbool.h>
#include <stdint.h>

#ifndef US_PERIOD_US
#define US_PERIOD_US 100
#endif
#ifndef US_STALL_US
#define US_STALL_US 12
#endif
#ifndef US_WINDOW
#define US_WINDOW 10000
#endif

#define CNTV_CTL_ENABLE 1ul
#define UART_DR         0x00
#define FR_TXFF         (1u << 5)

static volatile bool tick;
static uint64_t stall_ticks;
static struct {
	uint64_t stores, sum, max, stalls, late_max;
} win;
struct stall {
	uint64_t line, blocked, gap;
	bool pending;
};
static struct stall stall;
static uint64_t last_store_end;

static void timer_arm(uint64_t at)
{
	__asm__ volatile("msr cntv_cval_el0, %0\n\tmsr cntv_ctl_el0, %1\n\tisb" ::"r"(at),
	                 "r"(CNTV_CTL_ENABLE));
}

void guest_irq(void)
{
	guest_vtimer_tick(&tick);
}

/* One timed store; a full FIFO (flow control) counts as blocked too. */
static void timed_put(char c, uint64_t line)
{
	uint64_t t0 = counter();
	while (rd32(UART + UART_FR) & FR_TXFF)
		;
	wr8(UART + UART_DR, (uint8_t)c);
	uint64_t t1 = counter(), blocked = t1 - t0;
	win.stores++;
	win.sum += blocked;
	win.max = blocked > win.max ? blocked : win.max;
	if (blocked > stall_ticks && !stall.pending) {
		stall = (struct stall){line, blocked, t1 - last_store_end, true};
		win.stalls++;
	}
	last_store_end = t1;
}

static void stream_line(uint64_t line)
{
	char digits[8];
	uint64_t n = line;
	for (int i = 7; i >= 0; i--, n /= 10)
		digits[i] = (char)('0' + n % 10);
	timed_put('L', line);
	for (int i = 0; i < 8; i++)
		timed_put(digits[i], line);
	timed_put('\n', line);
}

static void report(uint64_t line, uint64_t window)
{
	if (stall.pending) {
		puts_("uartstream: stall line ");
		put_dec(stall.line);
		puts_(" blocked ");
		put_dec(stall.blocked);
		puts_(" ticks gap ");
		put_dec(stall.gap);
		puts_(" ticks\n");
		stall.pending = false;
	}
	if (line % US_WINDOW)
		return;
	puts_("uartstream: window ");
	put_dec(window);
	puts_(" lines ");
	put_dec(US_WINDOW);
	puts_(" stores ");
	put_dec(win.stores);
	puts_(" avg ");
	put_dec(win.stores ? win.sum / win.stores : 0);
	puts_(" max ");
	put_dec(win.max);
	puts_(" ticks stalls ");
	put_dec(win.stalls);
	puts_(" late-max ");
	put_dec(win.late_max);
	puts_("\n");
	win.stores = win.sum = win.max = win.stalls = win.late_max = 0;
}

void guest_main(void)
{
	uint64_t freq = counter_freq(), period = freq * US_PERIOD_US / 1000000;
	stall_ticks = freq * US_STALL_US / 1000000;
	puts_("uartstream: start period_us ");
	put_dec(US_PERIOD_US);
	puts_(" freq ");
	put_dec(freq);
	puts_("\n");
	gic_enable_vtimer();
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	uint64_t next = counter();
	for (uint64_t line = 1;; line++) {
		next += period;
		tick = false;
		timer_arm(next);
		while (!tick)
			__asm__ volatile("wfi" ::: "memory");
		last_store_end = counter();
		/* How late the line starts: time the vCPU did not get its CPU
		 * (the timer's path, or higher-priority work such as a swap). */
		uint64_t late = last_store_end - next;
		win.late_max = late > win.late_max ? late : win.late_max;
		stream_line(line);
		report(line, line / US_WINDOW);
	}
}
