/* SPDX-License-Identifier: MIT */
#include "vmset.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int refuse(const struct vm_desc *d, char *err, size_t size, const char *fmt, ...)
{
	char why[VMDESC_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err, size, "config error in %s: %s", d->path, why);
	return -1;
}

static unsigned long cpu_mask(const struct vm_desc *d)
{
	unsigned long mask = 0;
	for (unsigned i = 0; i < d->vcpus; i++)
		mask |= 1ul << d->cpus[i];
	return mask;
}

static unsigned lowest(unsigned long mask)
{
	return (unsigned)__builtin_ctzl(mask);
}

static bool same_console(const struct vm_desc *a, const struct vm_desc *b)
{
	return a->uart_endpoint && b->uart_endpoint && a->uart_badge == b->uart_badge &&
	       !strcmp(a->uart_endpoint, b->uart_endpoint);
}

static bool same_virtio(const struct vm_desc *a, const struct vm_desc *b)
{
	return a->virtio_endpoint && b->virtio_endpoint && a->uart_badge == b->uart_badge &&
	       !strcmp(a->virtio_endpoint, b->virtio_endpoint);
}

/* Two VMs' disk slices share no MiB: each VM's disk is its own. */
static bool same_disk(const struct vm_desc *a, const struct vm_desc *b)
{
	return a->disk_mib && b->disk_mib && a->disk_first_mib < b->disk_first_mib + b->disk_mib &&
	       b->disk_first_mib < a->disk_first_mib + a->disk_mib;
}

/* CPUs: an RTVM shares none with a VM or a service, in either direction. */
static int check_cpus(const struct vm_desc *d, const struct vm_desc *o, char *err, size_t size)
{
	unsigned long shared = cpu_mask(d) & cpu_mask(o);
	if (!shared || (d->type != VM_TYPE_RTVM && o->type != VM_TYPE_RTVM))
		return 0;
	if (d->type == VM_TYPE_RTVM)
		return refuse(d, err, size, "property 'cpus': CPU %u is already used by VM %s",
		              lowest(shared), o->name);
	return refuse(d, err, size, "property 'cpus': CPU %u belongs to real-time VM %s",
	              lowest(shared), o->name);
}

int vmset_check(const struct vm_desc *d, const struct vm_desc *const *others, unsigned n,
                unsigned long service_cpus, char *err, size_t err_size)
{
	unsigned long with_services = cpu_mask(d) & service_cpus;
	if (d->type == VM_TYPE_RTVM && with_services)
		return refuse(d, err, err_size,
		              "property 'cpus': CPU %u runs services; an RTVM owns its CPUs",
		              lowest(with_services));
	for (unsigned i = 0; i < n; i++) {
		const struct vm_desc *o = others[i];
		if (!strcmp(o->name, d->name))
			return refuse(d, err, err_size, "a VM named %s exists already", d->name);
		if (d->type == VM_TYPE_MVM && o->type == VM_TYPE_MVM)
			return refuse(d, err, err_size,
			              "property 'type': %s is the management VM already", o->name);
		if (same_console(d, o))
			return refuse(d, err, err_size,
			              "property 'uart-badge': %lu is VM %s's console",
			              d->uart_badge, o->name);
		if (same_virtio(d, o))
			return refuse(d, err, err_size,
			              "property 'uart-badge': %lu names VM %s's virtio devices",
			              d->uart_badge, o->name);
		if (same_disk(d, o))
			return refuse(d, err, err_size,
			              "property 'virtio-blk': MiB %lu..%lu overlap VM %s's disk",
			              d->disk_first_mib, d->disk_first_mib + d->disk_mib - 1,
			              o->name);
		if (check_cpus(d, o, err, err_size))
			return -1;
	}
	return 0;
}
