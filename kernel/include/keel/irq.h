/* SPDX-License-Identifier: MIT */
/*
 * Device interrupts for services. IRQ control (held by the root service)
 * claims an interrupt line as an IRQ handler capability; the handler is
 * bound to a notification. When the line fires, the kernel masks it and
 * signals the notification; the service handles the device and acks, which
 * unmasks it. The kernel never runs service code on the interrupt path.
 */
#ifndef KEEL_IRQ_H
#define KEEL_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#define IRQ_FIRST_SPI 32
#define IRQ_MAX       1020

struct notification;
struct partition;

struct irq_handler {
	uint32_t intid;
	bool claimed;
	struct notification *ntfn;
	uint64_t badge;
	/* Passed through (VM_IRQ_PASS, irq_pass.c): the VM, its SPI, and the
	 * physical line's state as last set, so that only changes reach the GIC. */
	struct partition *vm;
	uint16_t vintid;
	int16_t pcpu; /* CPU routed to; -1: not yet */
	bool penabled;
};

/* The singleton objects behind IRQ control and system-info capabilities. */
extern struct irq_handler irq_control_object;
extern uint8_t sysinfo_object;

/* The handler for `intid`, if it can be claimed (SPIs only); NULL otherwise. */
struct irq_handler *irq_claim(uint32_t intid);
/* -KEEL_EBUSY if the line is passed to a VM. */
int irq_bind(struct irq_handler *h, struct notification *n, uint64_t badge);
void irq_ack(struct irq_handler *h);
/* From the arch layer, kernel lock held: a device interrupt fired. True
 * when it went to a guest, whose EOI will deactivate it: the caller then
 * only drops its priority. */
bool irq_dispatch(uint32_t intid);
/* The handler of a line, claimed or not (NULL outside the SPIs). */
struct irq_handler *irq_handler_at(uint32_t intid);

/* Passthrough (irq_pass.c): the line fires straight into VM `vm` as SPI
 * `vintid`. -KEEL_ENODEV without a virtual CPU interface, -KEEL_ERANGE
 * for a vintid that is not one of the VM's SPIs, -KEEL_EBUSY if the line
 * is bound (to a notification or a VM) or the VM's SPI is taken. */
int irq_pass_bind(struct irq_handler *h, struct partition *vm, unsigned vintid);
/* The line fired: raise the guest's SPI. False if the VM is gone (the
 * line is then unbound and masked). */
bool irq_pass_dispatch(struct irq_handler *h);
/* The guest changed enable or targets of a passed SPI: the physical line
 * follows (enabled with it, routed to the CPU of its first target vCPU). */
void irq_pass_sync(struct partition *vm);
/* Unbound: masked, deactivated, free for another VM. */
void irq_pass_unbind(struct irq_handler *h);
struct untyped;
/* Untyped reset: handlers bound to a notification or passed to a VM in
 * u's range are unbound and their lines masked (until IRQ_BIND or
 * VM_IRQ_PASS); the others' notifications forget an endpoint there they
 * are bound to. */
void irq_forget_inside(const struct untyped *u);

#endif
