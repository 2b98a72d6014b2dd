/* SPDX-License-Identifier: MIT */
/*
 * Rules between VMs, checked before a VM is built (at boot and on
 * `keelctl create`): unique names, one management VM, one console model
 * per (endpoint, badge), and the CPUs of a real-time VM are its alone.
 * Pure, so the host unit tests compile it as it is.
 */
#ifndef VMSET_H
#define VMSET_H

#include "vmdesc.h"

#include <stddef.h>

/* `others` are the VMs that exist; `service_cpus` has bit N set when a
 * service runs on CPU N. 0, or -1 with the message in `err`. */
int vmset_check(const struct vm_desc *d, const struct vm_desc *const *others, unsigned n,
                unsigned long service_cpus, char *err, size_t err_size);

#endif
