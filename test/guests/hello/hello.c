/* SPDX-License-Identifier: MIT */
/*
 * A bare-metal guest at EL1 with the MMU off: its UART accesses fall outside
 * its stage-2 map, so each one is an MMIO exit that the kernel turns into a
 * message to the VM's service (vmm) and completes with the reply.
 */
#include <stdint.h>

#define UART            0x09000000ul
#define UART_FR         0x18
#define PSCI_SYSTEM_OFF 0x84000008ul

void guest_main(void);

static void put(char c)
{
	*(volatile uint8_t *)UART = (uint8_t)c;
}

static void puts_(const char *s)
{
	while (*s)
		put(*s++);
}

static void put_hex(uint32_t v)
{
	for (int i = 28; i >= 0; i -= 4)
		put("0123456789abcdef"[(v >> i) & 0xf]);
}

void guest_main(void)
{
	puts_("Hello from a Keel VM\n");
	uint32_t fr = *(volatile uint32_t *)(UART + UART_FR);
	puts_("uart fr=0x");
	put_hex(fr);
	puts_("\n");
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;
	__asm__ volatile("hvc #0" : "+r"(x0)::"memory");
	puts_("FAIL: still running after SYSTEM_OFF\n");
}
