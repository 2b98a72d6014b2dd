/* SPDX-License-Identifier: MIT */
#include "guest.h"

void put(char c)
{
	*(volatile uint8_t *)UART = (uint8_t)c;
}

void puts_(const char *s)
{
	while (*s)
		put(*s++);
}

void put_hex(uint32_t v)
{
	for (int i = 28; i >= 0; i -= 4)
		put("0123456789abcdef"[(v >> i) & 0xf]);
}

void put_hex64(uint64_t v)
{
	for (int i = 60; i >= 0; i -= 4)
		put("0123456789abcdef"[(v >> i) & 0xf]);
}

void put_dec(uint64_t v)
{
	char buf[21];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put(buf[--n]);
}

void psci_system_off(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;
	__asm__ volatile("hvc #0" : "+r"(x0)::"memory");
}

_Noreturn void guest_unexpected(unsigned long vector)
{
	puts_("FAIL: unexpected exception at vector 0x");
	put_hex((uint32_t)vector);
	puts_("\n");
	for (;;)
		__asm__ volatile("wfe");
}

__attribute__((weak)) void guest_sync(void)
{
	guest_unexpected(0x200);
}

__attribute__((weak)) void guest_irq(void)
{
	guest_unexpected(0x280);
}

__attribute__((weak)) void guest_serror(void)
{
	guest_unexpected(0x380);
}

void gic_enable_vtimer(void)
{
	wr32(GICD, 1); /* GICD_CTLR */
	wr32(GICD + GICD_ISENABLER, 1u << PPI_VTIMER);
	wr8(GICD + GICD_IPRIORITYR + PPI_VTIMER, 0xa0);
	wr32(GICC + GICC_PMR, 0xf0);
	wr32(GICC + GICC_CTLR, 1);
}

void guest_vtimer_tick(volatile bool *tick)
{
	uint32_t iar = rd32(GICC + GICC_IAR);
	if ((iar & 0x3ff) == PPI_VTIMER) {
		__asm__ volatile("msr cntv_ctl_el0, xzr\n\tisb");
		*tick = true;
	}
	if ((iar & 0x3ff) < 1020)
		wr32(GICC + GICC_EOIR, iar);
}
