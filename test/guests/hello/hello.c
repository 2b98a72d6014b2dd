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
#define GICD            0x08000000ul

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

static uint64_t counter(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static void put_dec(uint64_t v)
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

/* The cost of one emulated MMIO read, exit to reply, in counter ticks
 * (instructions under -icount shift=0 with a 1 GHz counter). */
static void time_mmio(void)
{
	enum { N = 64 };
	uint64_t t0 = counter();
	for (int i = 0; i < N; i++)
		(void)*(volatile uint32_t *)(UART + UART_FR);
	uint64_t t1 = counter();
	puts_("mmio read exit: ");
	put_dec((t1 - t0) / N);
	puts_(" ticks avg over 64\n");
}

/* The virtual distributor lives in the kernel: program it, read it back,
 * and time an access (no service is involved). */
static void try_gicd(void)
{
	*(volatile uint32_t *)GICD = 1;             /* GICD_CTLR */
	*(volatile uint32_t *)(GICD + 0x104) = 0x5; /* enable interrupts 32 and 34 */
	puts_("gicd ctlr=0x");
	put_hex(*(volatile uint32_t *)GICD);
	puts_(" isenabler1=0x");
	put_hex(*(volatile uint32_t *)(GICD + 0x104));
	puts_("\n");
	enum { N = 64 };
	uint64_t t0 = counter();
	for (int i = 0; i < N; i++)
		(void)*(volatile uint32_t *)(GICD + 0x004); /* GICD_TYPER */
	uint64_t t1 = counter();
	puts_("gicd read exit: ");
	put_dec((t1 - t0) / N);
	puts_(" ticks avg over 64\n");
}

void guest_main(void)
{
	puts_("Hello from a Keel VM\n");
	time_mmio();
	try_gicd();
	uint32_t fr = *(volatile uint32_t *)(UART + UART_FR);
	puts_("uart fr=0x");
	put_hex(fr);
	puts_("\n");
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;
	__asm__ volatile("hvc #0" : "+r"(x0)::"memory");
	puts_("FAIL: still running after SYSTEM_OFF\n");
}
