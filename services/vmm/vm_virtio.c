/* SPDX-License-Identifier: MIT */
/*
 * A VM's virtio devices (`virtio-endpoint`, `virtio-blk`, `virtio-net`):
 * the device page of the guest goes to the service's endpoint with the
 * VM's uart-badge, and the service gets what it needs to serve it, with
 * DEVCTL_VIRTIO (keel/devctl.h): a copy of the RAM frame, where the rings
 * and buffers are, and of the VM capability, for the interrupts. Both
 * copies are part of the service's plan and go with the VM's memory.
 */
#include "vm.h"
#include "vmm.h"

#include <keel/devctl.h>
#include <keel/service.h>
#include <stdio.h>

#define DETACH_TRIES 2000 /* 1 ms apart: a disk request takes far less */

static long virtio_call(const struct vm *v, struct keel_msg *m)
{
	unsigned long ep = devctl_endpoint(v->d.virtio_endpoint);
	if (!ep)
		return -KEEL_ENOENT;
	long err = keel_call(ep, m);
	return err ? err : (long)m->w[0];
}

static long give_copies(struct vm *v, struct service *s)
{
	long err = service_give(s, v->ram_slot, KEEL_R_READ | KEEL_R_WRITE, &v->virtio_ram);
	if (err)
		return err;
	return service_give(s, v->slot, KEEL_R_WRITE, &v->virtio_vm);
}

static long virtio_announce(struct vm *v, unsigned long ep)
{
	const struct vm_desc *d = &v->d;
	struct service *s = service_serving(d->virtio_endpoint);
	if (!s)
		return -KEEL_ENOENT;
	long err =
	        keel_vm_mmio_route(v->slot, KEEL_VIRTIO_BASE, KEEL_VIRTIO_PAGE, ep, d->uart_badge);
	if (!err)
		err = give_copies(v, s);
	if (err)
		return err;
	struct keel_msg m = {{DEVCTL_VIRTIO, d->uart_badge, v->virtio_ram,
	                      d->ram_size >> 20 | v->virtio_vm << 32, d->virtio,
	                      d->disk_first_mib | d->disk_mib << 32}};
	return virtio_call(v, &m);
}

void vm_virtio_attach(struct vm *v)
{
	const struct vm_desc *d = &v->d;
	if (!d->virtio_endpoint)
		return;
	unsigned long ep = named_endpoint_slot(d->virtio_endpoint);
	long err = ep ? virtio_announce(v, ep) : -KEEL_ENOENT;
	if (!ep)
		printf("config error in %s: property 'virtio-endpoint': no service has endpoint "
		       "'%s'; the VM has no virtio devices\n",
		       d->path, d->virtio_endpoint);
	else if (err)
		printf("VM %s: no virtio devices: '%s' refused them (%s)\n", d->name,
		       d->virtio_endpoint, keel_strerror(err));
}

/* The service took its devices (DEVCTL_VIRTIO) and is still there. */
static bool has_devices(const struct vm *v)
{
	return v->virtio_ram && named_endpoint_slot(v->d.virtio_endpoint);
}

/* Calls `op` for the VM until the service no longer answers EBUSY (its
 * disk requests in flight write into the VM's RAM) or 2 s went by. */
static long call_until_idle(const struct vm *v, unsigned long op)
{
	long err = -KEEL_EBUSY;
	for (unsigned i = 0; i < DETACH_TRIES && err == -KEEL_EBUSY; i++) {
		struct keel_msg m = {{op, v->d.uart_badge, 0, 0, 0, 0}};
		err = virtio_call(v, &m);
		if (err == -KEEL_EBUSY)
			keel_sleep(1000);
	}
	return err;
}

long vm_virtio_reset(struct vm *v)
{
	if (!has_devices(v))
		return 0;
	long err = call_until_idle(v, DEVCTL_VIRTIO_RESET);
	if (err == -KEEL_EBUSY)
		printf("VM %s: the virtio service still has its disk requests: not reloaded\n",
		       v->d.name);
	return err == -KEEL_EBUSY ? err : 0;
}

/* The service lets go of the devices only when no disk request of the VM
 * is in flight: they write into the RAM that is about to be reused. */
long vm_virtio_detach(struct vm *v)
{
	if (!has_devices(v))
		return 0;
	long err = call_until_idle(v, DEVCTL_DETACH);
	if (err == -KEEL_EBUSY) {
		printf("VM %s: the virtio service still has its disk requests: memory kept\n",
		       v->d.name);
		return err;
	}
	struct service *s = service_serving(v->d.virtio_endpoint);
	if (s && v->virtio_ram)
		service_take_back(s, v->virtio_ram);
	if (s && v->virtio_vm)
		service_take_back(s, v->virtio_vm);
	v->virtio_ram = v->virtio_vm = 0;
	return 0;
}
