/* SPDX-License-Identifier: MIT */
/*
 * What the bare-metal test guests share: the guest's view of the machine
 * (QEMU virt's map, which Keel's VMs keep), printing through the PL011, the
 * counter, and the entry points that common/start.S calls.
 */
#ifndef KEEL_TEST_GUEST_H
#define KEEL_TEST_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#define UART            0x09000000ul
#define UART_FR         0x18
#define UART_IMSC       0x38
#define UART_INT_TX     (1u << 5)
#define PSCI_SYSTEM_OFF 0x84000008ul
#define GICD            0x08000000ul
#define GICD_TYPER      0x004
#define GICD_ISENABLER  0x100
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_SGIR       0xf00
#define GICC            0x08010000ul /* the hardware GICV frame, mapped by the kernel */
#define GICC_CTLR       0x00
#define GICC_PMR        0x04
#define GICC_IAR        0x0c
#define GICC_EOIR       0x10
#define GICC_IIDR       0xfc
#define PPI_VTIMER      27
#define SPI_UART        33

/* Called by start.S: the program, its IRQ, synchronous exception and
 * SError handlers (the default ones report the exception and stop). */
void guest_main(void);
void guest_irq(void);
void guest_sync(void);
void guest_serror(void);
_Noreturn void guest_unexpected(unsigned long vector);

/* Device accesses, each one plain load or store. A volatile access in C
 * may become a pair or a writeback form (a store with post-increment in a
 * loop), for which a hypervisor gets no syndrome (ESR ISV=0) and which it
 * cannot emulate: Keel answers those with an abort. */
static inline uint32_t rd32(unsigned long a)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void wr32(unsigned long a, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"rZ"(v), "r"(a) : "memory");
}

static inline void wr8(unsigned long a, uint8_t v)
{
	__asm__ volatile("strb %w0, [%1]" ::"rZ"(v), "r"(a) : "memory");
}

static inline uint64_t counter(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static inline uint64_t counter_freq(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

void put(char c);
void puts_(const char *s);
void put_hex(uint32_t v);
void put_hex64(uint64_t v);
void put_dec(uint64_t v);
/* PSCI SYSTEM_OFF; returns only if it failed. */
void psci_system_off(void);
/* Distributor and CPU interface on, the virtual timer's PPI enabled at
 * priority 0xa0 and let through: what a guest taking its timer needs. */
void gic_enable_vtimer(void);

/* The IRQ handler of a guest that sleeps on its virtual timer: the timer
 * stopped, *tick set, the interrupt ended. Its guest_irq calls it. */
void guest_vtimer_tick(volatile bool *tick);

#endif
