/* SPDX-License-Identifier: MIT */
/*
 * A guest that floods its VM's exits (issue 14, hole 8; test/qemu/
 * flood_test.py): every vCPU repeats one trapping access in a tight loop,
 * forever. flood-hvc makes PSCI_VERSION calls (HVC, answered by vmm);
 * flood-uart stores to its PL011's data register (answered by devemu, or
 * by vmm's minimal UART), numbered lines without looking at the flag
 * register, as fast as the stores complete.
 *
 * vCPU 0 waits FLOOD_DELAY_MS (the virtual timer, in WFI), so that a
 * witness can be measured before the flood, starts every other vCPU of
 * its VM with PSCI CPU_ON and floods like them. flood-hvc's vCPU 0 prints
 * a line every FLOOD_REPORT of its own calls:
 *   flood: start vcpus N
 *   flood: calls C ms T        (C calls of vCPU 0 after T ms of flood)
 *   flood: off                 (the config block said so: it only waits)
 * The config block is patched in a copy of the image by flood_test.py
 * (--only), which finds each flooder's by its magic and kind.
 */
#include "guest.h"

#include <stdbool.h>
#include <stdint.h>

#ifndef FLOOD_DELAY_MS
#define FLOOD_DELAY_MS 2000
#endif
#ifndef FLOOD_REPORT
#define FLOOD_REPORT 20000
#endif
#define FLOOD_VCPUS_MAX 8
#define PSCI_VERSION    0x84000000ul
#define PSCI_CPU_ON     0xc4000003ul
#define CNTV_CTL_ENABLE 1ul
#define UART_DR         0x00

#ifdef FLOOD_UART
#define FLOOD_KIND 2
#else
#define FLOOD_KIND 1
#endif

static volatile struct {
	char magic[16];
	uint64_t kind; /* 1 HVC, 2 UART */
	uint64_t off;  /* 1: do not flood */
} flood_config = {"FLOOD-CONFIG:", FLOOD_KIND, 0};

static uint8_t stacks[FLOOD_VCPUS_MAX][2048] __attribute__((aligned(16)));
static uint64_t vbar;
static volatile bool tick;

static uint64_t hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
	return x0;
}

#ifdef FLOOD_UART
static void flood(unsigned vcpu)
{
	char digits[20];
	for (uint64_t line = 0;; line++) {
		int n = 0;
		uint64_t v = line;
		do {
			digits[n++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		wr8(UART + UART_DR, (uint8_t)('0' + vcpu));
		wr8(UART + UART_DR, ':');
		while (n)
			wr8(UART + UART_DR, (uint8_t)digits[--n]);
		wr8(UART + UART_DR, '\n');
	}
}
#else
static void flood(unsigned vcpu)
{
	uint64_t start = counter(), freq = counter_freq();
	for (uint64_t calls = 1;; calls++) {
		hvc(PSCI_VERSION, 0, 0, 0);
		if (vcpu || calls % FLOOD_REPORT)
			continue;
		puts_("flood: calls ");
		put_dec(calls);
		puts_(" ms ");
		put_dec((counter() - start) * 1000 / freq);
		puts_("\n");
	}
}
#endif

/* Other vCPUs start here (PSCI CPU_ON, x0 = the top of their stack). */
void flood_secondary(void);
void flood_secondary_main(void);
__asm__(".text\n"
        ".globl flood_secondary\n"
        "flood_secondary:\n"
        "\tmov sp, x0\n"
        "\tb flood_secondary_main\n");

void flood_secondary_main(void)
{
	uint64_t mpidr;
	__asm__ volatile("msr vbar_el1, %0\n\tisb" ::"r"(vbar));
	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	flood((unsigned)(mpidr & 0xff));
}

void guest_irq(void)
{
	guest_vtimer_tick(&tick);
}

/* Sleep in WFI until the virtual timer's interrupt, taken and ended, so
 * that nothing stays pending once the flood runs with interrupts masked. */
static void wait_ms(uint64_t ms)
{
	uint64_t at = counter() + counter_freq() * ms / 1000;
	tick = false;
	__asm__ volatile("msr cntv_cval_el0, %0\n\tmsr cntv_ctl_el0, %1\n\tisb" ::"r"(at),
	                 "r"(CNTV_CTL_ENABLE));
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	while (!tick)
		__asm__ volatile("wfi" ::: "memory");
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

void guest_main(void)
{
	gic_enable_vtimer();
	wait_ms(FLOOD_DELAY_MS);
	if (flood_config.off) {
		puts_("flood: off\n");
		for (;;)
			__asm__ volatile("wfi" ::: "memory");
	}
	__asm__ volatile("mrs %0, vbar_el1" : "=r"(vbar));
	unsigned n = 1;
	while (n < FLOOD_VCPUS_MAX && hvc(PSCI_CPU_ON, n, (uint64_t)(uintptr_t)flood_secondary,
	                                  (uint64_t)(uintptr_t)stacks[n + 1]) == 0)
		n++;
	puts_("flood: start vcpus ");
	put_dec(n);
	puts_("\n");
	flood(0);
}
