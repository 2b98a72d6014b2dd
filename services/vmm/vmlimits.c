/* SPDX-License-Identifier: MIT */
/* Limits of VMs created at run time (vmlimits.h). Pure code. */
#include "vmlimits.h"

#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>

#define MAX_CPUS       (8 * sizeof(unsigned long))
#define MAX_MEMORY_MIB 4096ul /* vmdesc.c's */
#define WHERE          "the system description's /vms"

static int say(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -1;
}

static int refuse_all(struct vm_limits *l)
{
	*l = (struct vm_limits){.max_prio = -1};
	return -1;
}

/* 0 when absent, 1 when read, -1 when not one cell. */
static int read_cell(const void *fdt, int node, const char *prop, unsigned long *v)
{
	int len;
	const fdt32_t *p = node < 0 ? NULL : fdt_getprop(fdt, node, prop, &len);
	if (!p)
		return 0;
	if (len != 4)
		return -1;
	*v = fdt32_to_cpu(*p);
	return 1;
}

static int read_prio(const void *fdt, int node, unsigned floor, struct vm_limits *l, char *err,
                     size_t size)
{
	unsigned long prio = 0;
	int got = read_cell(fdt, node, "runtime-max-priority", &prio);
	if (got < 0)
		return say(err, size,
		           "config error in %s: property 'runtime-max-priority' "
		           "must be one 32-bit cell",
		           WHERE);
	if (got && prio >= floor)
		return say(err, size,
		           "config error in %s: property 'runtime-max-priority' is %lu, it must "
		           "be below %u, the lowest priority of vmm and the services",
		           WHERE, prio, floor);
	l->max_prio = got ? (int)prio : (int)floor - 1;
	return 0;
}

static int read_cpus(const void *fdt, int node, unsigned ncpus, struct vm_limits *l, char *err,
                     size_t size)
{
	int len;
	const fdt32_t *p = node < 0 ? NULL : fdt_getprop(fdt, node, "runtime-cpus", &len);
	l->cpus = ncpus >= MAX_CPUS ? ~0ul : (1ul << ncpus) - 1;
	if (!p)
		return 0;
	if (len % 4)
		return say(err, size, "config error in %s: property 'runtime-cpus' must be cells",
		           WHERE);
	l->cpus = 0;
	for (int i = 0; i < len / 4; i++) {
		unsigned long cpu = fdt32_to_cpu(p[i]);
		if (cpu >= ncpus || cpu >= MAX_CPUS)
			return say(err, size,
			           "config error in %s: property 'runtime-cpus' names CPU %lu, "
			           "but %u CPUs are online",
			           WHERE, cpu, ncpus);
		l->cpus |= 1ul << cpu;
	}
	return 0;
}

static int read_memory(const void *fdt, int node, struct vm_limits *l, char *err, size_t size)
{
	unsigned long mib = MAX_MEMORY_MIB;
	int got = read_cell(fdt, node, "runtime-max-memory-mib", &mib);
	if (got < 0 || mib > MAX_MEMORY_MIB)
		return say(err, size,
		           "config error in %s: property 'runtime-max-memory-mib' must be one "
		           "cell, 0..%lu",
		           WHERE, MAX_MEMORY_MIB);
	l->max_ram = mib << 20;
	return 0;
}

int vmlimits_read(const void *fdt, unsigned ncpus, unsigned floor, struct vm_limits *l, char *err,
                  size_t err_size)
{
	int node = fdt_path_offset(fdt, "/vms");
	if (read_prio(fdt, node, floor, l, err, err_size) ||
	    read_cpus(fdt, node, ncpus, l, err, err_size) ||
	    read_memory(fdt, node, l, err, err_size))
		return refuse_all(l);
	return 0;
}

static unsigned first_outside(const struct vm_desc *d, unsigned long cpus)
{
	for (unsigned i = 0; i < d->vcpus; i++)
		if (d->cpus[i] >= MAX_CPUS || !(cpus & (1ul << d->cpus[i])))
			return i;
	return d->vcpus;
}

int vmlimits_check(const struct vm_desc *d, const struct vm_limits *l, char *err, size_t err_size)
{
	if (l->max_prio < 0)
		return say(err, err_size,
		           "config error in %s: this system allows no VM created at run time",
		           d->path);
	if (d->prio > (unsigned)l->max_prio)
		return say(err, err_size,
		           "config error in %s: property 'priority' is %u; a VM created at run "
		           "time may take at most %d (runtime-max-priority)",
		           d->path, d->prio, l->max_prio);
	unsigned i = first_outside(d, l->cpus);
	if (i < d->vcpus)
		return say(err, err_size,
		           "config error in %s: property 'cpus': CPU %u is not open to VMs "
		           "created at run time (runtime-cpus)",
		           d->path, d->cpus[i]);
	if (d->ram_size > l->max_ram)
		return say(err, err_size,
		           "config error in %s: property 'memory-mib': %lu MiB; a VM created at "
		           "run time may have at most %lu MiB (runtime-max-memory-mib)",
		           d->path, (d->ram_size + (1ul << 20) - 1) >> 20, l->max_ram >> 20);
	return 0;
}
