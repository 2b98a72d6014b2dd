/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the device tree of `keelctl create` as vmm takes it
 * (services/vmm/create_blob.c, then vmdesc.c, vmset.c and vmlimits.c).
 * The input is the blob; like vmm, the harness copies it to an aligned
 * heap block of exactly its size, checks it, then reads its one VM
 * against the default system (mvm, gvm, rtvm on 4 CPUs) and the limits
 * of keel.img. A blob that passes is also read as a system description's
 * limits.
 */
#include <libfdt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "create_blob.h"
#include "vmdesc.h"
#include "vmlimits.h"
#include "vmset.h"

#define NCPUS        4
#define SERVICE_CPUS 1ul /* the services run on CPU 0 */
#define FLOOR        20  /* vmm's priority */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vm_desc system_vms[3];

static void system_init(void)
{
	static const char *const names[] = {"mvm", "gvm", "rtvm"};
	static const enum vm_type types[] = {VM_TYPE_MVM, VM_TYPE_GVM, VM_TYPE_RTVM};
	static const unsigned cpu0[] = {0, 1, 3}, vcpus[] = {1, 2, 1};
	for (unsigned i = 0; i < 3; i++) {
		struct vm_desc *d = &system_vms[i];
		memset(d, 0, sizeof(*d));
		d->name = names[i];
		strcpy(d->path, "/vms/");
		strcat(d->path, names[i]);
		d->type = types[i];
		d->vcpus = vcpus[i];
		for (unsigned c = 0; c < vcpus[i]; c++)
			d->cpus[c] = cpu0[i] + c;
		d->uart_endpoint = "devemu-mmio";
		d->uart_badge = i + 1;
		d->ram_size = 64ul << 20;
	}
	system_vms[1].virtio_endpoint = "virtio-mmio";
	system_vms[1].disk_mib = 128;
}

static void read_vm(const void *fdt, int node)
{
	static const struct vm_limits keel_img = {15, 0x6, 256ul << 20};
	const struct vm_desc *others[3] = {&system_vms[0], &system_vms[1], &system_vms[2]};
	char err[VMDESC_ERR_MAX + 200];
	struct vm_desc d;
	if (vmdesc_read(fdt, node, NCPUS, &d, err, sizeof(err)))
		return;
	if (vmset_check(&d, others, 3, SERVICE_CPUS, err, sizeof(err)) == 0)
		vmlimits_check(&d, &keel_img, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vm_limits lim;
	char err[VMDESC_ERR_MAX + 200];
	const char *why;
	if (!system_vms[0].name)
		system_init();
	void *blob = malloc(size ? size : 1);
	if (!blob)
		return 0;
	memcpy(blob, data, size);
	int node = create_blob_vm(blob, size, &why);
	if (node >= 0) {
		read_vm(blob, node);
		vmlimits_read(blob, NCPUS, FLOOR, &lim, err, sizeof(err));
	}
	free(blob);
	return 0;
}
