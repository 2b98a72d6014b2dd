/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <keel/notification.h>
#include <keel/untyped.h>

static struct irq_handler handlers[IRQ_MAX];
struct irq_handler irq_control_object;
uint8_t sysinfo_object;

struct irq_handler *irq_claim(uint32_t intid)
{
	if (intid < IRQ_FIRST_SPI || intid >= IRQ_MAX || handlers[intid].claimed)
		return NULL;
	handlers[intid] = (struct irq_handler){.intid = intid, .claimed = true};
	return &handlers[intid];
}

int irq_bind(struct irq_handler *h, struct notification *n, uint64_t badge)
{
	h->ntfn = n;
	h->badge = badge ? badge : 1;
	/* Delivered to the boot CPU; routing follows the service in a later issue. */
	return arch_irq_route(h->intid, 0);
}

void irq_ack(struct irq_handler *h)
{
	arch_irq_unmask(h->intid);
}

void irq_dispatch(uint32_t intid)
{
	struct irq_handler *h = intid < IRQ_MAX ? &handlers[intid] : NULL;

	if (!h || !h->ntfn) {
		log_warn("irq", "interrupt %u has no handler; masked", intid);
		arch_irq_mask(intid);
		return;
	}
	arch_irq_mask(intid);
	ntfn_signal(h->ntfn, h->badge);
}

void irq_forget_inside(const struct untyped *u)
{
	for (unsigned i = IRQ_FIRST_SPI; i < IRQ_MAX; i++) {
		struct irq_handler *h = &handlers[i];
		if (untyped_contains(u, h->ntfn)) {
			arch_irq_mask(h->intid);
			h->ntfn = NULL;
		} else if (h->ntfn) {
			ntfn_forget_inside(h->ntfn, u);
		}
	}
}
