/* SPDX-License-Identifier: MIT */
/*
 * "mmio:PHYS:SIZE[:KEY]" in a service's caps: a physical device's MMIO for
 * a driver service (the virtio service's disk, for one). vmm makes a device frame of
 * the pages that hold [PHYS, PHYS + SIZE) (KEEL_SYS_DEVICE_FRAME: the kernel
 * refuses RAM and its own devices, and what the host tree does not
 * describe), keeps it in its own cspace, so every instance of the service
 * (a live swap's successor too) maps the same frame, and maps it at the
 * next free page of the service's MMIO window, after the UART's. Several
 * devices may share a page (virtio-mmio slots are 0x200 apart): argv
 * gives the address of PHYS itself, "mmio.KEY" (KEY defaults to PHYS in
 * hex, no 0x), and the frame's slot, "mmio.KEY.slot".
 */
#include "vmm.h"

#include <keel/service.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096ul

long give_mmio(struct plan *p, const struct service_config *cfg, const char *phys_s,
               const char *size_s, const char *alias)
{
	char key[40], *end1, *end2;
	unsigned long phys = strtoul(phys_s, &end1, 0), size = strtoul(size_s, &end2, 0);
	unsigned long base = phys & ~(PAGE - 1),
	              len = ((phys + size + PAGE - 1) & ~(PAGE - 1)) - base;
	unsigned long va = SERVICE_MMIO_VA + PAGE + p->mmio_used, slot;

	if (*end1 || *end2 || !size || phys + size < phys) {
		printf("config error in %s: capability 'mmio:%s:%s': address and size, please\n",
		       cfg->node, phys_s, size_s);
		return -KEEL_EINVAL;
	}
	if (va + len > SERVICE_SHM_VA)
		return -KEEL_ENOMEM;
	slot = slot_alloc();
	long err = slot ? keel_device_frame(KEEL_ROOT_SLOT_UNTYPED, KEEL_ROOT_SLOT_IRQ_CTL, base,
	                                    len, 0, slot)
	                : -KEEL_ENOMEM;
	if (err) {
		printf("config error in %s: capability 'mmio:%s:%s': no device frame of 0x%lx, "
		       "size 0x%lx: %s\n",
		       cfg->node, phys_s, size_s, base, len, keel_strerror(err));
		slot_free(slot);
		return err;
	}
	unsigned long child_slot;
	err = plan_add_map(p, slot, va, KEEL_R_READ | KEEL_R_WRITE);
	if (!err)
		err = plan_add_cap(p, slot, KEEL_R_READ | KEEL_R_WRITE, 0, false, &child_slot);
	if (err)
		return err;
	p->mmio_used += len;
	if (alias[0])
		snprintf(key, sizeof(key), "mmio.%s", alias);
	else
		snprintf(key, sizeof(key), "mmio.%lx", phys);
	plan_add_arg(p, key, va + (phys - base));
	snprintf(key + strlen(key), sizeof(key) - strlen(key), ".slot");
	plan_add_arg(p, key, child_slot);
	return 0;
}
