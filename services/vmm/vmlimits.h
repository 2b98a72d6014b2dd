/* SPDX-License-Identifier: MIT */
/*
 * What a VM created at run time (`keelctl create`) may ask for. The VMs of
 * the system description are the system's own; a run-time VM comes from
 * the management VM, whose root must not be able to starve the services
 * or vmm (a priority above theirs on their CPU) or take CPUs and memory
 * the system keeps for others. The system description sets the limits on
 * its /vms node (docs/guests.md):
 *
 *   vms {
 *       runtime-max-priority = <15>;     below every service and vmm
 *       runtime-cpus = <1 2>;            CPUs run-time VMs may use
 *       runtime-max-memory-mib = <256>;  RAM of one run-time VM
 *   };
 *
 * Pure (libfdt and libc), so the host unit tests compile it as it is.
 */
#ifndef VMLIMITS_H
#define VMLIMITS_H

#include "vmdesc.h"

#include <stddef.h>

struct vm_limits {
	int max_prio;          /* highest priority; -1: no run-time VM at all */
	unsigned long cpus;    /* bit N: CPU N may run a run-time VM's vCPU */
	unsigned long max_ram; /* bytes, per VM */
};

/*
 * Reads the limits from /vms of the system tree. `floor` is the lowest
 * priority of any service and of vmm: the ceiling is always below it,
 * and without `runtime-max-priority` it is floor - 1. Without
 * `runtime-cpus`, every online CPU; without `runtime-max-memory-mib`, the
 * most a description may give. 0, or -1 with the message in `err` and
 * *l set to refuse every run-time VM.
 */
int vmlimits_read(const void *fdt, unsigned ncpus, unsigned floor, struct vm_limits *l, char *err,
                  size_t err_size);

/* 0 when `d` keeps within `l`, or -1 with the refusal in `err`
 * ("config error in /vms/NAME: property 'priority' ..."). */
int vmlimits_check(const struct vm_desc *d, const struct vm_limits *l, char *err, size_t err_size);

#endif
