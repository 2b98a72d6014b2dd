/* SPDX-License-Identifier: MIT */
/* Rules between VMs (services/vmm/vmset.c): each refusal names the VM, the
 * property and the other party. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vmset.h"

static struct vm_desc mvm, gvm, rtvm, add;
static char err[VMDESC_ERR_MAX];

static void desc(struct vm_desc *d, const char *name, enum vm_type type, unsigned cpu0,
                 unsigned vcpus)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	snprintf(d->path, sizeof(d->path), "/vms/%s", name);
	d->type = type;
	d->vcpus = vcpus;
	for (unsigned i = 0; i < vcpus; i++)
		d->cpus[i] = cpu0 + i;
}

/* The default system: services on CPU 0, MVM on 0, GVM on 1-2, RTVM on 3. */
static int system(void **state)
{
	(void)state;
	desc(&mvm, "mvm", VM_TYPE_MVM, 0, 1);
	desc(&gvm, "gvm", VM_TYPE_GVM, 1, 2);
	desc(&rtvm, "rtvm", VM_TYPE_RTVM, 3, 1);
	gvm.uart_endpoint = mvm.uart_endpoint = "devemu-mmio";
	mvm.uart_badge = 1;
	gvm.uart_badge = 2;
	return 0;
}

static int check(const struct vm_desc *d)
{
	const struct vm_desc *const others[] = {&mvm, &gvm, &rtvm};
	err[0] = '\0';
	return vmset_check(d, others, 3, 1ul << 0, err, sizeof(err));
}

static void accepts_a_second_gvm(void **state)
{
	(void)state;
	desc(&add, "gvm2", VM_TYPE_GVM, 1, 2); /* shares CPUs 1-2 with gvm by priority */
	add.uart_endpoint = "devemu-mmio";
	add.uart_badge = 3;
	assert_int_equal(check(&add), 0);
	assert_string_equal(err, "");
	add.uart_endpoint = "other-ep"; /* same badge, other endpoint: another device */
	add.uart_badge = 2;
	assert_int_equal(check(&add), 0);
}

static void refusals(void **state)
{
	(void)state;
	desc(&add, "gvm", VM_TYPE_GVM, 1, 1);
	assert_int_equal(check(&add), -1);
	assert_string_equal(err, "config error in /vms/gvm: a VM named gvm exists already");

	desc(&add, "mvm2", VM_TYPE_MVM, 1, 1);
	assert_int_equal(check(&add), -1);
	assert_string_equal(err,
	                    "config error in /vms/mvm2: property 'type': mvm is the management VM "
	                    "already");

	desc(&add, "gvm2", VM_TYPE_GVM, 1, 1);
	add.uart_endpoint = "devemu-mmio";
	add.uart_badge = 2;
	assert_int_equal(check(&add), -1);
	assert_string_equal(err, "config error in /vms/gvm2: property 'uart-badge': 2 is VM gvm's "
	                         "console");
}

static void rtvm_owns_its_cpus(void **state)
{
	(void)state;
	desc(&add, "gvm2", VM_TYPE_GVM, 2, 2); /* CPUs 2 and 3 */
	assert_int_equal(check(&add), -1);
	assert_string_equal(err, "config error in /vms/gvm2: property 'cpus': CPU 3 belongs to "
	                         "real-time VM rtvm");

	desc(&add, "rt2", VM_TYPE_RTVM, 2, 1);
	assert_int_equal(check(&add), -1);
	assert_string_equal(err, "config error in /vms/rt2: property 'cpus': CPU 2 is already used "
	                         "by VM gvm");

	desc(&add, "rt2", VM_TYPE_RTVM, 3, 1);
	assert_int_equal(check(&add), -1);
	assert_string_equal(err, "config error in /vms/rt2: property 'cpus': CPU 3 is already used "
	                         "by VM rtvm");

	desc(&add, "rt2", VM_TYPE_RTVM, 0, 1);
	assert_int_equal(check(&add), -1);
	assert_string_equal(err, "config error in /vms/rt2: property 'cpus': CPU 0 runs services; "
	                         "an RTVM owns its CPUs");
}

/* Disk slices never overlap; one badge names one VM's virtio devices. */
static void virtio_disks_and_badges(void **state)
{
	(void)state;
	gvm.virtio_endpoint = "virtio-mmio";
	gvm.disk_first_mib = 0;
	gvm.disk_mib = 128;
	desc(&add, "gvm2", VM_TYPE_GVM, 1, 1);
	add.uart_endpoint = "devemu-mmio";
	add.uart_badge = 4;
	add.virtio_endpoint = "virtio-mmio";
	add.disk_first_mib = 127;
	add.disk_mib = 64;
	assert_int_equal(check(&add), -1);
	assert_string_equal(err, "config error in /vms/gvm2: property 'virtio-blk': MiB 127..190 "
	                         "overlap VM gvm's disk");
	add.disk_first_mib = 128;
	assert_int_equal(check(&add), 0);
	add.uart_endpoint = "other-uart"; /* its console elsewhere, its devices on gvm's badge */
	add.uart_badge = 2;
	assert_int_equal(check(&add), -1);
	assert_string_equal(err, "config error in /vms/gvm2: property 'uart-badge': 2 names VM "
	                         "gvm's virtio devices");
	add.virtio_endpoint = "other-virtio";
	assert_int_equal(check(&add), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(accepts_a_second_gvm, system),
	        cmocka_unit_test_setup(refusals, system),
	        cmocka_unit_test_setup(rtvm_owns_its_cpus, system),
	        cmocka_unit_test_setup(virtio_disks_and_badges, system),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
