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

struct irq_handler {
	uint32_t intid;
	bool claimed;
	struct notification *ntfn;
	uint64_t badge;
};

/* The singleton objects behind IRQ control and system-info capabilities. */
extern struct irq_handler irq_control_object;
extern uint8_t sysinfo_object;

/* The handler for `intid`, if it can be claimed (SPIs only); NULL otherwise. */
struct irq_handler *irq_claim(uint32_t intid);
int irq_bind(struct irq_handler *h, struct notification *n, uint64_t badge);
void irq_ack(struct irq_handler *h);
/* From the arch layer, kernel lock held: a device interrupt fired. */
void irq_dispatch(uint32_t intid);
struct untyped;
/* Untyped reset: handlers bound to a notification in u's range are
 * unbound and their lines masked (until IRQ_BIND); the others' notifications
 * forget an endpoint there they are bound to. */
void irq_forget_inside(const struct untyped *u);

#endif
