/* SPDX-License-Identifier: MIT */
/*
 * A VM's console: its PL011 page is routed to the endpoint its description
 * names (`uart-endpoint`, badge `uart-badge`), usually devemu's, and the VM
 * is announced to the service behind it with the control protocol of
 * keel/devctl.h, at boot as for VMs created later: ATTACH with a copy of
 * the VM capability for its interrupts, before the VM's first vCPU runs;
 * DETACH once its vCPUs are stopped; FOCUS for `keelctl console`. The
 * service never calls vmm, so these calls cannot deadlock.
 */
#include "guest_fdt.h"
#include "vm.h"
#include "vmm.h"

#include <keel/devctl.h>
#include <keel/service.h>
#include <stdio.h>
#include <string.h>

/* vmm's copy of a service's endpoint, badged as control messages. */
unsigned long devctl_endpoint(const char *ep_name)
{
	static struct {
		char name[24];
		unsigned long slot;
	} minted[SERVICE_MAX];
	unsigned i;
	for (i = 0; i < SERVICE_MAX && minted[i].slot; i++)
		if (!strcmp(minted[i].name, ep_name))
			return minted[i].slot;
	unsigned long ep = named_endpoint_slot(ep_name), slot = ep ? slot_alloc() : 0;
	if (i == SERVICE_MAX || !slot)
		return 0;
	if (keel_cap_mint(ep, 0, slot, KEEL_R_WRITE, KEEL_DEVCTL_BADGE)) {
		slot_free(slot);
		return 0;
	}
	snprintf(minted[i].name, sizeof(minted[i].name), "%s", ep_name);
	minted[i].slot = slot;
	return slot;
}

static long control_call(const struct vm *v, unsigned long op, unsigned long arg)
{
	unsigned long ep = devctl_endpoint(v->d.uart_endpoint);
	if (!ep)
		return -KEEL_ENOENT;
	struct keel_msg m = {{op, v->d.uart_badge, arg, 0, 0, 0}};
	keel_devctl_name_pack(v->d.name, &m.w[3]);
	long err = keel_call(ep, &m);
	return err ? err : (long)m.w[0];
}

/* Its copy of the VM capability goes with the VM's memory. */
static long announce(struct vm *v)
{
	struct service *s = service_serving(v->d.uart_endpoint);
	if (!s)
		return -KEEL_ENOENT;
	long err = service_give(s, v->slot, KEEL_R_WRITE, &v->console_slot);
	if (err)
		v->console_slot = 0;
	return err ? err : control_call(v, DEVCTL_ATTACH, v->console_slot);
}

void vm_console_attach(struct vm *v)
{
	const struct vm_desc *d = &v->d;
	if (!d->uart_endpoint)
		return;
	unsigned long ep = named_endpoint_slot(d->uart_endpoint);
	long err = ep ? keel_vm_mmio_route(v->slot, GUEST_UART_BASE, GUEST_UART_SIZE, ep,
	                                   d->uart_badge)
	              : -KEEL_ENOENT;
	if (!ep)
		printf("config error in %s: property 'uart-endpoint': no service has endpoint "
		       "'%s'; vmm answers the UART\n",
		       d->path, d->uart_endpoint);
	else if (err)
		printf("VM %s: cannot route the UART to '%s': %s; vmm answers it\n", d->name,
		       d->uart_endpoint, keel_strerror(err));
	else if ((err = announce(v)))
		printf("VM %s: the service behind '%s' does not know it (%s): no console\n",
		       d->name, d->uart_endpoint, keel_strerror(err));
}

void vm_console_detach(struct vm *v)
{
	if (v->d.uart_endpoint && named_endpoint_slot(v->d.uart_endpoint))
		control_call(v, DEVCTL_DETACH, 0);
	/* The copy goes with the VM's memory; a successor must not get one. */
	struct service *s = v->d.uart_endpoint ? service_serving(v->d.uart_endpoint) : NULL;
	if (s && v->console_slot)
		service_take_back(s, v->console_slot);
	v->console_slot = 0;
}

long vm_console_focus(const struct vm *v)
{
	return v->d.uart_endpoint ? control_call(v, DEVCTL_FOCUS, 0) : -KEEL_ENOENT;
}
