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

struct irq_handler *irq_handler_at(uint32_t intid)
{
	return intid >= IRQ_FIRST_SPI && intid < IRQ_MAX ? &handlers[intid] : NULL;
}

int irq_bind(struct irq_handler *h, struct notification *n, uint64_t badge)
{
	if (h->vm)
		return -KEEL_EBUSY;
	h->ntfn = n;
	h->badge = badge ? badge : 1;
	/* Delivered to the boot CPU; routing follows the service in a later issue. */
	return arch_irq_route(h->intid, 0);
}

void irq_ack(struct irq_handler *h)
{
	if (!h->vm) /* a passed line follows its guest's enable alone */
		arch_irq_unmask(h->intid);
}

bool irq_dispatch(uint32_t intid)
{
	struct irq_handler *h = intid < IRQ_MAX ? &handlers[intid] : NULL;

	if (h && h->vm)
		return irq_pass_dispatch(h);
	if (!h || !h->ntfn) {
		log_warn("irq", "interrupt %u has no handler; masked", intid);
		arch_irq_mask(intid);
		return false;
	}
	arch_irq_mask(intid);
	ntfn_signal(h->ntfn, h->badge);
	return false;
}

void irq_forget_inside(const struct untyped *u)
{
	for (unsigned i = IRQ_FIRST_SPI; i < IRQ_MAX; i++) {
		struct irq_handler *h = &handlers[i];
		if (untyped_contains(u, h->vm)) {
			irq_pass_unbind(h);
		} else if (untyped_contains(u, h->ntfn)) {
			arch_irq_mask(h->intid);
			h->ntfn = NULL;
		} else if (h->ntfn) {
			ntfn_forget_inside(h->ntfn, u);
		}
	}
}
