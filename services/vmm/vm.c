/* SPDX-License-Identifier: MIT */
/*
 * The VMs of /vms in the system configuration (format: vmdesc.c and
 * docs/guests.md). Each is a VM object, its RAM as one frame at 0x40000000
 * and one vCPU object per `vcpus`; its exits come to vmm's fault endpoint
 * with badge VM_BADGE + index. Built in two steps around the services:
 * vms_create() validates every description and builds the VMs with their
 * vCPUs stopped, so that services can be given a VM ("vm:NAME" caps);
 * vms_start() routes the PL011 to its endpoint and starts vCPU 0.
 */
#include "vm.h"
#include "guest_fdt.h"
#include "vmm.h"

#include <elf.h>
#include <keel/service.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define VM_MAX 4

static struct vm vms[VM_MAX];
static int vm_count;
static const void *(*bundle_file)(const char *name, size_t *size);

/* ---- checks, before anything is allocated --------------------------------- */

static unsigned long host_cpus = 1, host_flags;

static int config_error(const struct vm_desc *d, const char *prop, const char *fmt, ...)
{
	char why[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("config error in %s: property '%s': %s\n", d->path, prop, why);
	return -1;
}

static int check_elf(struct vm *v)
{
	const Elf64_Ehdr *eh;
	const uint8_t *img = v->image;
	if (elf_check(img, v->image_size, &eh))
		return config_error(&v->d, "image", "'%s' is not a static AArch64 ELF", v->d.image);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff) + i;
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_vaddr < GUEST_RAM_BASE || ph->p_memsz > v->d.ram_size ||
		    ph->p_vaddr - GUEST_RAM_BASE > v->d.ram_size - ph->p_memsz ||
		    ph->p_filesz > ph->p_memsz || ph->p_offset > v->image_size ||
		    ph->p_filesz > v->image_size - ph->p_offset)
			return config_error(&v->d, "image",
			                    "'%s' has a segment outside the VM's RAM", v->d.image);
	}
	v->entry = eh->e_entry;
	v->arg = 0;
	return 0;
}

static int check_linux(struct vm *v)
{
	static uint8_t dtb[LINUX_DTB_MAX];
	char why[LINUX_ERR_MAX];
	struct linux_image li;
	size_t initrd_size = 0;
	const struct vm_desc *d = &v->d;

	if (d->initrd && !(v->initrd = bundle_file(d->initrd, &initrd_size)))
		return config_error(d, "initrd", "'%s' is not in the boot bundle", d->initrd);
	if (linux_image_check(v->image, v->image_size, d->ram_size, &li, why, sizeof(why)))
		return config_error(d, "kernel", "'%s' %s", d->image, why);
	if (linux_layout(&li, d->ram_size, initrd_size, &v->layout, why, sizeof(why)))
		return config_error(d, "memory-mib", "%s", why);
	const struct guest_fdt_config cfg = {
	        .ram_size = d->ram_size, .vcpus = d->vcpus, .bootargs = d->bootargs};
	int err = guest_fdt_build(dtb, sizeof(dtb), &cfg);
	if (err)
		return config_error(d, "bootargs", "guest device tree: %s", fdt_strerror(err));
	v->entry = GUEST_RAM_BASE + v->layout.kernel;
	v->arg = GUEST_RAM_BASE + v->layout.dtb;
	return 0;
}

/* Everything about `v->d` that can be known before allocating. */
static int vm_check(struct vm *v)
{
	const char *prop = v->d.kind == VM_KIND_LINUX ? "kernel" : "image";
	v->image = bundle_file(v->d.image, &v->image_size);
	if (!v->image)
		return config_error(&v->d, prop, "'%s' is not in the boot bundle", v->d.image);
	/* Linux cannot run without its timer interrupt. */
	if (v->d.kind == VM_KIND_LINUX && !(host_flags & KEEL_SYSTEM_VGIC)) {
		printf("cannot start VM %s: this host's GIC has no GICv2 virtual CPU interface "
		       "(Linux guests on a GICv3 host come later)\n",
		       v->d.name);
		return -1;
	}
	return v->d.kind == VM_KIND_LINUX ? check_linux(v) : check_elf(v);
}

/* ---- RAM contents ------------------------------------------------------- */

static long fill_elf(void *mem, void *ctx)
{
	const struct vm *v = ctx;
	const uint8_t *img = v->image;
	const Elf64_Ehdr *eh = v->image;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff) + i;
		if (ph->p_type == PT_LOAD)
			memcpy((uint8_t *)mem + (ph->p_vaddr - GUEST_RAM_BASE), img + ph->p_offset,
			       ph->p_filesz);
	}
	return 0;
}

static long fill_linux(void *mem, void *ctx)
{
	const struct vm *v = ctx;
	const struct linux_layout *l = &v->layout;
	linux_load(mem, l, v->image, v->image_size, v->initrd);
	const struct guest_fdt_config cfg = {
	        .ram_base = GUEST_RAM_BASE,
	        .ram_size = v->d.ram_size,
	        .vcpus = v->d.vcpus,
	        .bootargs = v->d.bootargs,
	        .initrd_start = GUEST_RAM_BASE + l->initrd,
	        .initrd_end = GUEST_RAM_BASE + l->initrd + l->initrd_size,
	};
	return guest_fdt_build((uint8_t *)mem + l->dtb, LINUX_DTB_MAX, &cfg) ? -KEEL_EINVAL : 0;
}

/* Mapping RAM into the VM is also when the kernel cleans it to the point
 * of coherency: the guest starts with its caches off. */
static long ram_map(struct vm *v)
{
	return keel_frame_map(v->ram_slot, v->slot, GUEST_RAM_BASE,
	                      KEEL_R_READ | KEEL_R_WRITE | KEEL_R_EXEC);
}

static long vm_load(struct vm *v)
{
	return frame_fill(v->ram_slot, v->d.ram_size,
	                  v->d.kind == VM_KIND_LINUX ? fill_linux : fill_elf, v);
}

/* ---- building ----------------------------------------------------------- */

/* The kernel object id of a capability in vmm's cspace, or 0. */
static unsigned long slot_object_id(unsigned long slot)
{
	static struct keel_cap_info caps[KEEL_CSPACE_SLOTS];
	unsigned long n = 0;
	if (keel_info_caps(KEEL_ROOT_SLOT_SYSINFO, (unsigned long)getpid(), caps, sizeof(caps), &n))
		return 0;
	for (unsigned long i = 0; i < n; i++)
		if (caps[i].slot == slot)
			return caps[i].object_id;
	return 0;
}

/* vCPUs are configured in index order: the kernel numbers them so. */
static long vcpus_build(struct vm *v)
{
	const struct vm_desc *d = &v->d;
	long err = 0;
	for (unsigned i = 0; i < d->vcpus && !err; i++) {
		struct vcpu *c = &v->vcpu[i];
		c->slot = slot_alloc();
		err = c->slot ? keel_retype(KEEL_ROOT_SLOT_UNTYPED, KEEL_OBJ_VCPU, 0, 0, c->slot)
		              : -KEEL_ENOMEM;
		if (!err)
			err = keel_thread_config(c->slot, v->slot, i ? 0 : v->entry, 0,
			                         i ? 0 : v->arg);
		if (!err)
			err = keel_thread_sched(c->slot, d->prio, d->budget_us, d->period_us,
			                        d->cpus[i]);
		c->id = slot_object_id(c->slot);
	}
	return err;
}

static long vm_build(struct vm *v, unsigned long badge)
{
	v->slot = slot_alloc();
	v->ram_slot = slot_alloc();
	if (!v->slot || !v->ram_slot)
		return -KEEL_ENOMEM;
	long err = keel_retype(KEEL_ROOT_SLOT_UNTYPED, KEEL_OBJ_VM, 0, 0, v->slot);
	if (!err)
		err = keel_partition_config(v->slot, v->d.name, VMM_SLOT_FAULT_EP, badge);
	if (!err)
		err = keel_retype(KEEL_ROOT_SLOT_UNTYPED, KEEL_OBJ_FRAME, v->d.ram_size, 0,
		                  v->ram_slot);
	if (!err)
		err = vm_load(v);
	if (!err)
		err = ram_map(v);
	if (!err)
		err = vcpus_build(v);
	return err;
}

int vms_create(const void *fdt, const void *(*file)(const char *name, size_t *size))
{
	int parent = fdt_path_offset(fdt, "/vms"), node;
	unsigned ncpus = 0;
	bundle_file = file;
	if (parent < 0)
		return 0;
	fdt_for_each_subnode (node, fdt, parent) {
		char err[VMDESC_ERR_MAX];
		struct vm *v = &vms[vm_count];
		if (vm_count == VM_MAX) {
			printf("config: more than %d VMs, the rest are ignored\n", VM_MAX);
			break;
		}
		if (!ncpus) {
			keel_info_system(KEEL_ROOT_SLOT_SYSINFO, &host_cpus, &host_flags);
			ncpus = (unsigned)host_cpus;
		}
		memset(v, 0, sizeof(*v));
		if (vmdesc_read(fdt, node, ncpus, &v->d, err, sizeof(err))) {
			printf("%s\n", err);
			continue;
		}
		if (vm_check(v))
			continue;
		long e = vm_build(v, VM_BADGE + (unsigned long)vm_count);
		if (e) {
			printf("cannot build VM %s: %s\n", v->d.name, keel_strerror(e));
			continue;
		}
		vm_count++;
	}
	return vm_count;
}

unsigned long vm_cap_slot(const char *name)
{
	for (int i = 0; i < vm_count; i++)
		if (!strcmp(vms[i].d.name, name))
			return vms[i].slot;
	return 0;
}

/* ---- running ------------------------------------------------------------ */

long vm_vcpu_start(struct vm *v, unsigned index, unsigned long entry, unsigned long arg)
{
	struct vcpu *c = &v->vcpu[index];
	long err = keel_thread_config(c->slot, v->slot, entry, 0, arg);
	/* Just stopped on another CPU that has not left it yet: a moment. */
	for (int tries = 0; err == -KEEL_EBUSY && tries < 1000; tries++) {
		keel_yield();
		err = keel_thread_config(c->slot, v->slot, entry, 0, arg);
	}
	if (!err)
		err = keel_thread_start(c->slot);
	c->on = !err;
	if (!err)
		v->running = true;
	return err;
}

void vm_stop_all(struct vm *v)
{
	for (unsigned i = 0; i < v->d.vcpus; i++) {
		keel_thread_stop(v->vcpu[i].slot);
		v->vcpu[i].on = false;
	}
	v->running = false;
}

/* Stop, reload RAM from the bundle files, boot vCPU 0 again. The vGIC state
 * is the kernel's and stays as it was; a guest resets its distributor. */
long vm_reset(struct vm *v)
{
	vm_stop_all(v);
	v->line_len = 0;
	long err = keel_frame_unmap(v->ram_slot, v->slot, GUEST_RAM_BASE);
	if (!err)
		err = vm_load(v);
	if (!err)
		err = ram_map(v); /* cleaned again, for the rebooted guest */
	return err ? err : vm_vcpu_start(v, 0, v->entry, v->arg);
}

static void route_uart(struct vm *v)
{
	const struct vm_desc *d = &v->d;
	unsigned long ep = named_endpoint_slot(d->uart_endpoint);
	long err = ep ? keel_vm_mmio_route(v->slot, GUEST_UART_BASE, GUEST_UART_SIZE, ep,
	                                   d->uart_badge)
	              : -KEEL_ENOENT;
	if (!ep)
		printf("config error in %s: property 'uart-endpoint': no service has endpoint "
		       "'%s'; "
		       "vmm answers the UART\n",
		       d->path, d->uart_endpoint);
	else if (err)
		printf("VM %s: cannot route the UART to '%s': %s; vmm answers it\n", d->name,
		       d->uart_endpoint, keel_strerror(err));
}

void vms_start(void)
{
	for (int i = 0; i < vm_count; i++) {
		struct vm *v = &vms[i];
		if (v->d.uart_endpoint)
			route_uart(v);
		long err = vm_vcpu_start(v, 0, v->entry, v->arg);
		if (err) {
			printf("cannot start VM %s: %s\n", v->d.name, keel_strerror(err));
			continue;
		}
		printf("started VM %s (%u vCPU%s, %lu MiB, cpu %u)\n", v->d.name, v->d.vcpus,
		       v->d.vcpus > 1 ? "s" : "", v->d.ram_size >> 20, v->d.cpus[0]);
	}
}

/* ---- exits -------------------------------------------------------------- */

static struct vcpu *vcpu_by_id(struct vm *v, unsigned long id)
{
	for (unsigned i = 0; i < v->d.vcpus; i++)
		if (v->vcpu[i].id && v->vcpu[i].id == id)
			return &v->vcpu[i];
	return NULL;
}

/* Nothing is at the address: an external abort for the guest to handle,
 * or the VM stops, as its description says. Either way it is logged. */
static bool bad_access(struct vm *v, struct keel_msg *m)
{
	const char *dir = m->w[4] ? "write to" : "read of";
	/* A guest looping on a bad access must not drown the console. */
	bool quiet = v->bad_accesses++ >= VM_BAD_ACCESS_LOG_MAX;
	if (v->bad_accesses == VM_BAD_ACCESS_LOG_MAX + 1)
		printf("VM %s: further bad accesses are not logged\n", v->d.name);
	if (v->d.stop_on_bad_access) {
		vm_stop_all(v);
		if (!quiet)
			printf("VM %s: %s 0x%lx where nothing is: VM stopped\n", v->d.name, dir,
			       m->w[1]);
		return false;
	}
	if (!quiet)
		printf("VM %s: %s 0x%lx where nothing is: external abort injected\n", v->d.name,
		       dir, m->w[1]);
	m->w[0] = 0;
	m->w[1] = KEEL_EXIT_REPLY_ABORT;
	return true;
}

/* Returns whether to reply (a vCPU turned off is stopped instead). */
static bool vm_exit(struct vm *v, struct keel_msg *m)
{
	unsigned long kind = m->w[0];
	if (kind == KEEL_EXIT_MMIO) {
		unsigned long ipa = m->w[1];
		if (ipa - GUEST_UART_BASE < GUEST_UART_SIZE) {
			vuart_access(v, m);
			return true;
		}
		return bad_access(v, m);
	}
	if (kind == KEEL_EXIT_HVC)
		return psci_call(v, vcpu_by_id(v, m->w[5]), m);
	/* A fault the kernel could not settle: the VM cannot go on. */
	vm_stop_all(v);
	printf("VM %s: stopped (kind %lu, 0x%lx, pc 0x%lx)\n", v->d.name, kind, m->w[1], m->w[2]);
	return false;
}

bool vms_handle(unsigned long badge, struct keel_msg *m)
{
	unsigned long i = badge - VM_BADGE;
	if (badge < VM_BADGE || i >= (unsigned long)vm_count)
		return false;
	if (vm_exit(&vms[i], m))
		keel_reply(m);
	return true;
}
