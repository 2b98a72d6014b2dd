/* SPDX-License-Identifier: MIT */
/*
 * One VM of the system configuration (a child of /vms), format in
 * docs/guests.md:
 *
 *   gvm {
 *       kernel = "linux";            arm64 Image in the bundle (or image = ELF)
 *       initrd = "initramfs";        optional, bundle file
 *       bootargs = "console=ttyAMA0";
 *       memory-mib = <256>;          or memory-kib
 *       vcpus = <2>;
 *       cpus = <1 2>;                physical CPU of each vCPU (or cpu = <N> for all)
 *       priority = <10>;
 *       budget-us = <5000>;          optional, with period-us
 *       period-us = <10000>;
 *       uart-endpoint = "gvm-uart";  optional: the PL011's exits go to this
 *       uart-badge = <1>;            endpoint of the services, with this badge
 *       on-bad-access = "abort";     or "stop": a guest touching nothing
 *       type = "gvm";                or "mvm" (management) or "rtvm" (real time)
 *       virtio-endpoint = "virtio-mmio"; optional, the service of its virtio
 *       virtio-blk = <64 128>;       devices (badge: uart-badge): a disk on MiB
 *       virtio-net;                  64..191 of the physical disk, a port on
 *   };                               the service's switch
 *
 * Everything is checked here, before vmm allocates anything for the VM.
 */
#include "vmdesc.h"

#include <ctype.h>
#include <keel/devctl.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_PRIO       63
#define MAX_MEMORY_MIB 4096ul
#define LINUX_RAM_UNIT (2ul << 20) /* RAM in 2 MiB blocks */

struct reader {
	const void *fdt;
	int node;
	struct vm_desc *d;
	char *err;
	size_t err_size;
};

static int bad(const struct reader *r, const char *prop, const char *fmt, ...)
{
	char why[VMDESC_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->err_size, "config error in %s: property '%s' %s", r->d->path, prop,
	         why);
	return -1;
}

static bool has(const struct reader *r, const char *prop)
{
	return fdt_getprop(r->fdt, r->node, prop, NULL) != NULL;
}

/* 0 when absent (and not required), -1 on error, 1 when read. */
static int read_u32(const struct reader *r, const char *prop, unsigned long *v, bool required)
{
	int len;
	const fdt32_t *p = fdt_getprop(r->fdt, r->node, prop, &len);
	if (!p)
		return required ? bad(r, prop, "is missing") : 0;
	if (len != 4)
		return bad(r, prop, "must be one 32-bit cell");
	*v = fdt32_to_cpu(*p);
	return 1;
}

static int read_any_string(const struct reader *r, const char *prop, const char **s,
                           bool may_be_empty)
{
	int len;
	const char *p = fdt_getprop(r->fdt, r->node, prop, &len);
	if (!p)
		return 0;
	if (len < (may_be_empty ? 1 : 2) || p[len - 1] != '\0' || strlen(p) != (size_t)len - 1)
		return bad(r, prop,
		           may_be_empty ? "must be one string" : "must be one non-empty string");
	*s = p;
	return 1;
}

static int read_string(const struct reader *r, const char *prop, const char **s)
{
	return read_any_string(r, prop, s, false);
}

static int check_known(const struct reader *r)
{
	static const char *const known[] = {
	        "image",      "kernel",    "initrd",        "bootargs",   "memory-mib",
	        "memory-kib", "vcpus",     "cpus",          "cpu",        "priority",
	        "budget-us",  "period-us", "uart-endpoint", "uart-badge", "on-bad-access",
	        "type",       "phandle",   "virtio-blk",    "virtio-net", "virtio-endpoint"};
	int prop;
	fdt_for_each_property_offset (prop, r->fdt, r->node) {
		const char *name;
		if (!fdt_getprop_by_offset(r->fdt, prop, &name, NULL))
			continue;
		bool ok = false;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !ok; i++)
			ok = !strcmp(name, known[i]);
		if (!ok)
			return bad(r, name, "is unknown");
	}
	return 0;
}

static int read_image(const struct reader *r)
{
	struct vm_desc *d = r->d;
	const char *elf = NULL, *kernel = NULL;
	if (read_string(r, "image", &elf) < 0 || read_string(r, "kernel", &kernel) < 0)
		return -1;
	if (!elf == !kernel)
		return bad(r, "kernel", "or 'image' (bare ELF) is needed, and only one of them");
	d->kind = kernel ? VM_KIND_LINUX : VM_KIND_ELF;
	d->image = kernel ? kernel : elf;
	d->bootargs = "";
	if (read_string(r, "initrd", &d->initrd) < 0 ||
	    /* An empty command line is one: a guest may take none. */
	    read_any_string(r, "bootargs", &d->bootargs, true) < 0)
		return -1;
	if (d->kind == VM_KIND_ELF && (d->initrd || has(r, "bootargs")))
		return bad(r, d->initrd ? "initrd" : "bootargs", "needs 'kernel' (a Linux VM)");
	return 0;
}

static int read_memory(const struct reader *r)
{
	struct vm_desc *d = r->d;
	unsigned long mib = 0, kib = 0;
	int has_mib = read_u32(r, "memory-mib", &mib, false);
	int has_kib = read_u32(r, "memory-kib", &kib, false);
	if (has_mib < 0 || has_kib < 0)
		return -1;
	if (has_mib && has_kib)
		return bad(r, "memory-mib", "and 'memory-kib' are both given");
	if (!has_mib && !has_kib) {
		if (d->kind == VM_KIND_LINUX)
			return bad(r, "memory-mib", "is missing");
		kib = 1024;
	}
	if (has_mib && (mib == 0 || mib > MAX_MEMORY_MIB))
		return bad(r, "memory-mib", "must be 1..%lu", MAX_MEMORY_MIB);
	if (has_kib && (kib == 0 || kib % 4 || kib > MAX_MEMORY_MIB * 1024))
		return bad(r, "memory-kib", "must be a multiple of 4 up to %lu",
		           MAX_MEMORY_MIB * 1024);
	d->ram_size = has_mib ? mib << 20 : kib << 10;
	if (d->kind == VM_KIND_LINUX && d->ram_size % LINUX_RAM_UNIT)
		return bad(r, has_mib ? "memory-mib" : "memory-kib",
		           "must be a multiple of 2 MiB for a Linux VM");
	return 0;
}

static int read_cpus(const struct reader *r, unsigned ncpus)
{
	struct vm_desc *d = r->d;
	unsigned long vcpus = 1, cpu = 0;
	int len;
	if (read_u32(r, "vcpus", &vcpus, false) < 0)
		return -1;
	if (vcpus == 0 || vcpus > VMDESC_MAX_VCPUS)
		return bad(r, "vcpus", "must be 1..%d", VMDESC_MAX_VCPUS);
	d->vcpus = (unsigned)vcpus;
	const fdt32_t *cpus = fdt_getprop(r->fdt, r->node, "cpus", &len);
	int has_cpu = read_u32(r, "cpu", &cpu, false);
	if (has_cpu < 0)
		return -1;
	if (cpus && has_cpu)
		return bad(r, "cpus", "and 'cpu' are both given");
	if (cpus && (len % 4 || len / 4 != (int)vcpus))
		return bad(r, "cpus", "has %d entries, 'vcpus' is %lu", len / 4, vcpus);
	for (unsigned i = 0; i < d->vcpus; i++) {
		unsigned long c = cpus ? fdt32_to_cpu(cpus[i]) : cpu;
		if (c >= ncpus)
			return bad(r, cpus ? "cpus" : "cpu",
			           "names CPU %lu, but %u CPUs are online", c, ncpus);
		d->cpus[i] = (unsigned)c;
	}
	return 0;
}

static int read_sched(const struct reader *r)
{
	struct vm_desc *d = r->d;
	unsigned long prio = 0;
	if (read_u32(r, "priority", &prio, true) < 0 ||
	    read_u32(r, "budget-us", &d->budget_us, false) < 0 ||
	    read_u32(r, "period-us", &d->period_us, false) < 0)
		return -1;
	if (prio > MAX_PRIO)
		return bad(r, "priority", "must be 0..%d", MAX_PRIO);
	if ((d->budget_us != 0) != (d->period_us != 0) || d->budget_us > d->period_us)
		return bad(r, "budget-us", "needs period-us, and must not exceed it");
	d->prio = (unsigned)prio;
	return 0;
}

static int read_uart(const struct reader *r)
{
	struct vm_desc *d = r->d;
	int badge = read_u32(r, "uart-badge", &d->uart_badge, false);
	if (badge < 0 || read_string(r, "uart-endpoint", &d->uart_endpoint) < 0)
		return -1;
	if (badge && !d->uart_endpoint)
		return bad(r, "uart-badge", "needs 'uart-endpoint'");
	/* devemu's console channel has one slot per badge, 1..8 */
	if (d->uart_endpoint && (d->uart_badge < 1 || d->uart_badge > VMDESC_MAX_UART_BADGE))
		return bad(r, "uart-badge", "must be 1..%d with 'uart-endpoint'",
		           VMDESC_MAX_UART_BADGE);
	return 0;
}

/* 0 when absent, 1 when present and empty, -1 when it has a value. */
static int read_flag(const struct reader *r, const char *prop)
{
	int len;
	if (!fdt_getprop(r->fdt, r->node, prop, &len))
		return 0;
	return len ? bad(r, prop, "takes no value") : 1;
}

/* virtio devices are answered by their own service (not devemu, so that
 * devemu's live swaps never touch a disk request in flight), under the
 * VM's uart-badge, as the UART is. */
static int read_virtio(const struct reader *r)
{
	struct vm_desc *d = r->d;
	int len, net = read_flag(r, "virtio-net");
	const fdt32_t *blk = fdt_getprop(r->fdt, r->node, "virtio-blk", &len);
	if (net < 0 || read_string(r, "virtio-endpoint", &d->virtio_endpoint) < 0)
		return -1;
	if (blk && len != 8)
		return bad(r, "virtio-blk", "must be <first-MiB MiB-count>");
	if (blk) {
		d->disk_first_mib = fdt32_to_cpu(blk[0]);
		d->disk_mib = fdt32_to_cpu(blk[1]);
		if (!d->disk_mib)
			return bad(r, "virtio-blk", "gives the VM no disk (MiB count 0)");
		if (d->disk_first_mib + d->disk_mib > VMDESC_MAX_DISK_MIB)
			return bad(r, "virtio-blk", "ends past %lu MiB", VMDESC_MAX_DISK_MIB);
	}
	d->virtio = (blk ? 1u << KEEL_VIRTIO_BLK : 0) | (net ? 1u << KEEL_VIRTIO_NET : 0);
	const char *first = blk ? "virtio-blk" : "virtio-net";
	if (!d->virtio != !d->virtio_endpoint)
		return bad(r, d->virtio ? first : "virtio-endpoint",
		           d->virtio ? "needs 'virtio-endpoint', the service of the devices"
		                     : "names no device ('virtio-blk', 'virtio-net')");
	if (d->virtio && !d->uart_endpoint)
		return bad(r, first,
		           "needs 'uart-badge' (with 'uart-endpoint'): the devices' badge");
	if (d->virtio && d->kind != VM_KIND_LINUX)
		return bad(r, first,
		           "needs 'kernel' (a Linux VM: its device tree lists the devices)");
	return 0;
}

/* What a guest gets for an access to an address where nothing is. */
static int read_bad_access(const struct reader *r)
{
	const char *how = NULL;
	if (read_string(r, "on-bad-access", &how) < 0)
		return -1;
	if (!how || !strcmp(how, "abort"))
		r->d->stop_on_bad_access = false;
	else if (!strcmp(how, "stop"))
		r->d->stop_on_bad_access = true;
	else
		return bad(r, "on-bad-access", "must be \"abort\" or \"stop\", not \"%s\"", how);
	return 0;
}

static int read_type(const struct reader *r)
{
	static const char *const names[] = {
	        [VM_TYPE_GVM] = "gvm", [VM_TYPE_MVM] = "mvm", [VM_TYPE_RTVM] = "rtvm"};
	const char *type = NULL;
	if (read_string(r, "type", &type) < 0)
		return -1;
	r->d->type = VM_TYPE_GVM;
	for (unsigned t = 0; type && t < sizeof(names) / sizeof(names[0]); t++)
		if (!strcmp(type, names[t]))
			r->d->type = (enum vm_type)t;
	if (type && strcmp(type, names[r->d->type]) != 0)
		return bad(r, "type", "must be \"gvm\", \"mvm\" or \"rtvm\", not \"%s\"", type);
	return 0;
}

/* An RTVM owns its CPUs: one vCPU per CPU, and nothing to share by budget. */
static int check_rtvm(const struct reader *r)
{
	const struct vm_desc *d = r->d;
	if (d->type != VM_TYPE_RTVM)
		return 0;
	if (d->budget_us)
		return bad(r, "budget-us", "does not apply to an RTVM, which owns its CPUs");
	for (unsigned i = 0; i < d->vcpus; i++)
		for (unsigned j = 0; j < i; j++)
			if (d->cpus[i] == d->cpus[j])
				return bad(r, "cpus",
				           "names CPU %u twice; an RTVM has a CPU per vCPU",
				           d->cpus[i]);
	return 0;
}

/* Names appear in keelctl's protocol and on the console: no spaces. */
static int check_name(const struct reader *r)
{
	const char *n = r->d->name;
	size_t len = n ? strlen(n) : 0;
	if (len == 0 || len > VMDESC_NAME_MAX)
		return bad(r, "name", "must be 1..%d characters", VMDESC_NAME_MAX);
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && n[i] != '-' && n[i] != '_')
			return bad(r, "name", "may hold only letters, digits, '-' and '_'");
	return 0;
}

const char *vmdesc_type_name(enum vm_type t)
{
	return t == VM_TYPE_MVM ? "mvm" : t == VM_TYPE_RTVM ? "rtvm" : "gvm";
}

int vmdesc_read(const void *fdt, int node, unsigned ncpus, struct vm_desc *d, char *err,
                size_t err_size)
{
	struct reader r = {fdt, node, d, err, err_size};
	memset(d, 0, sizeof(*d));
	d->name = fdt_get_name(fdt, node, NULL);
	snprintf(d->path, sizeof(d->path), "/vms/%s", d->name ? d->name : "?");
	if (err_size)
		err[0] = '\0';
	if (check_name(&r) || check_known(&r) || read_image(&r) || read_memory(&r) ||
	    read_cpus(&r, ncpus) || read_sched(&r) || read_uart(&r) || read_virtio(&r) ||
	    read_bad_access(&r) || read_type(&r) || check_rtvm(&r) ||
	    passthrough_read(fdt, node, d, err, err_size))
		return -1;
	return 0;
}
