/* SPDX-License-Identifier: MIT */
/*
 * Building and destroying VMs (format of a description: vmdesc.c and
 * docs/guests.md). Each is a VM object, its RAM as one frame at 0x40000000
 * and one vCPU object per `vcpus`, all carved from a memory block of its
 * own (memory.c); its exits come to vmm's fault endpoint with badge
 * VM_BADGE + index. The VMs of /vms are built in two steps around the
 * services: vms_create() builds them with their vCPUs stopped, so that
 * services can be given a VM ("vm:NAME" caps); vms_start() routes the
 * PL011 to its endpoint and starts vCPU 0. keelctl creates and destroys
 * VMs at run time (mgmt.c).
 */
#include "vm.h"
#include "guest_fdt.h"
#include "mgmt.h"
#include "vmlimits.h"
#include "vmm.h"
#include "vmset.h"

#include <elf.h>
#include <keel/service.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct vm vms[VM_MAX];
static unsigned next_id = 1;
static const void *(*bundle_file)(const char *name, size_t *size);
static unsigned long service_cpus; /* bit N: a service runs on CPU N */
static struct vm_limits runtime_limits;

/* ---- checks, before anything is allocated --------------------------------- */

static unsigned long host_cpus, host_flags;
static char check_err[VMDESC_ERR_MAX + 200];

static int config_error(const struct vm_desc *d, const char *prop, const char *fmt, ...)
{
	char why[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(check_err, sizeof(check_err), "config error in %s: property '%s': %s", d->path,
	         prop, why);
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
	const struct guest_fdt_config cfg = {.ram_size = d->ram_size,
	                                     .vcpus = d->vcpus,
	                                     .bootargs = d->bootargs,
	                                     .mgmt_mailbox = d->type == VM_TYPE_MVM,
	                                     .virtio = d->virtio,
	                                     .pass = d->pass,
	                                     .npass = d->npass};
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
		snprintf(check_err, sizeof(check_err),
		         "cannot start VM %s: this host's GIC has no GICv2 virtual CPU interface "
		         "(Linux guests on a GICv3 host come later)",
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
	        .mgmt_mailbox = v->d.type == VM_TYPE_MVM,
	        .virtio = v->d.virtio,
	        .pass = v->d.pass,
	        .npass = v->d.npass,
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

/* Unmapped, filled again, mapped again: mapping also cleans it for the
 * guest's caches-off start. */
long vm_ram_reload(struct vm *v)
{
	long err = keel_frame_unmap(v->ram_slot, v->slot, GUEST_RAM_BASE);
	if (!err)
		err = vm_load(v);
	return err ? err : ram_map(v);
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

static long carve(const struct vm *v, unsigned long type, unsigned long size, unsigned long *slot)
{
	*slot = slot_alloc();
	return *slot ? keel_retype(v->mem->slot, type, size, 0, *slot) : -KEEL_ENOMEM;
}

/* vCPUs are configured in index order: the kernel numbers them so. */
static long vcpus_build(struct vm *v)
{
	const struct vm_desc *d = &v->d;
	long err = 0;
	for (unsigned i = 0; i < d->vcpus && !err; i++) {
		struct vcpu *c = &v->vcpu[i];
		err = carve(v, KEEL_OBJ_VCPU, 0, &c->slot);
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

/* The RAM first: the block is 2 MiB aligned, so is the frame. */
static long vm_build(struct vm *v, unsigned long badge)
{
	long err = mem_get(mem_vm_size(v->d.ram_size), &v->mem);
	if (!err)
		err = carve(v, KEEL_OBJ_FRAME, v->d.ram_size, &v->ram_slot);
	if (!err)
		err = carve(v, KEEL_OBJ_VM, 0, &v->slot);
	if (!err)
		err = keel_partition_config(v->slot, v->d.name, VMM_SLOT_FAULT_EP, badge);
	if (!err)
		err = vm_pass_attach(v);
	if (!err)
		err = vm_load(v);
	if (!err)
		err = ram_map(v);
	if (!err)
		err = vcpus_build(v);
	return err;
}

/* The capabilities are gone with the memory block; their slot numbers too. */
static void vm_free(struct vm *v)
{
	long err = v->mem ? mem_put(v->mem) : 0;
	if (err)
		printf("VM %s: memory not given back: %s\n", v->d.name, keel_strerror(err));
	vm_pass_detach(v);
	slot_free(v->slot);
	slot_free(v->ram_slot);
	for (unsigned i = 0; i < VMDESC_MAX_VCPUS; i++)
		slot_free(v->vcpu[i].slot);
	free(v->blob);
	memset(v, 0, sizeof(*v));
}

static int vms_check(const struct vm *v, char *err, size_t size)
{
	const struct vm_desc *others[VM_MAX];
	unsigned n = 0;
	for (unsigned i = 0; i < VM_MAX; i++)
		if (vms[i].used && &vms[i] != v)
			others[n++] = &vms[i].d;
	return vmset_check(&v->d, others, n, service_cpus, err, size);
}

static struct vm *free_entry(void)
{
	for (unsigned i = 0; i < VM_MAX; i++)
		if (!vms[i].used)
			return &vms[i];
	return NULL;
}

long vm_create(const void *fdt, int node, void *blob, struct vm **out, char *err, size_t size)
{
	struct vm *v = free_entry();
	if (!host_cpus)
		keel_info_system(KEEL_ROOT_SLOT_SYSINFO, &host_cpus, &host_flags);
	if (!v) {
		snprintf(err, size, "no room for another VM (%d at most)", VM_MAX);
		free(blob);
		return -KEEL_ENOMEM;
	}
	memset(v, 0, sizeof(*v));
	v->used = true;
	vm_exit_share_forget((unsigned)(v - vms));
	v->blob = blob;
	check_err[0] = '\0';
	/* blob: made at run time, from the management VM's description. */
	int bad = vmdesc_read(fdt, node, (unsigned)host_cpus, &v->d, err, size) ||
	          vms_check(v, err, size) ||
	          (blob && vmlimits_check(&v->d, &runtime_limits, err, size));
	if (!bad && vm_check(v)) {
		snprintf(err, size, "%s", check_err);
		bad = 1;
	}
	/* A device passed through can DMA anywhere (there is no SMMU here):
	 * only the system description, not a VM made at run time, names one. */
	if (!bad && blob && v->d.npass) {
		snprintf(err, size,
		         "config error in %s: node 'passthrough' is for VMs of the system "
		         "description only",
		         v->d.path);
		bad = 1;
	}
	if (bad) {
		free(blob);
		memset(v, 0, sizeof(*v));
		return -KEEL_EINVAL;
	}
	long e = vm_build(v, VM_BADGE + (unsigned long)(v - vms));
	if (e) {
		snprintf(err, size, "cannot build VM %s: %s", v->d.name, keel_strerror(e));
		vm_free(v);
		return e;
	}
	v->id = next_id++;
	v->state = VM_CREATED;
	*out = v;
	return 0;
}

long vm_destroy(struct vm *v)
{
	vm_stop_all(v);
	vm_console_detach(v);
	/* Memory the disk still writes into is never handed out again. */
	long err = vm_virtio_detach(v);
	if (err)
		return err;
	vm_free(v);
	return 0;
}

int vms_create(const void *fdt, const void *(*file)(const char *name, size_t *size),
               unsigned long cpus_of_services, unsigned prio_floor)
{
	int parent = fdt_path_offset(fdt, "/vms"), node, built = 0;
	char why[VMDESC_ERR_MAX + 200];
	bundle_file = file;
	service_cpus = cpus_of_services;
	keel_info_system(KEEL_ROOT_SLOT_SYSINFO, &host_cpus, &host_flags);
	if (vmlimits_read(fdt, (unsigned)host_cpus, prio_floor, &runtime_limits, why, sizeof(why)))
		printf("%s; no VM can be created at run time\n", why);
	if (parent < 0)
		return 0;
	fdt_for_each_subnode (node, fdt, parent) {
		char err[VMDESC_ERR_MAX + 200];
		struct vm *v;
		if (vm_create(fdt, node, NULL, &v, err, sizeof(err)))
			printf("%s\n", err);
		else
			built++;
	}
	return built;
}

void vm_connect(struct vm *v)
{
	vm_console_attach(v);
	vm_virtio_attach(v);
	if (v->d.type == VM_TYPE_MVM)
		mgmt_attach(v);
}

struct vm *vm_at(unsigned i)
{
	return i < VM_MAX && vms[i].used ? &vms[i] : NULL;
}

struct vm *vm_by_name(const char *name)
{
	for (unsigned i = 0; i < VM_MAX; i++)
		if (vms[i].used && !strcmp(vms[i].d.name, name))
			return &vms[i];
	return NULL;
}

unsigned long vm_cap_slot(const char *name)
{
	const struct vm *v = vm_by_name(name);
	return v ? v->slot : 0;
}

void vms_start(void)
{
	for (unsigned i = 0; i < VM_MAX; i++) {
		struct vm *v = vm_at(i);
		if (!v)
			continue;
		vm_connect(v);
		long err = vm_start(v);
		if (err) {
			printf("cannot start VM %s: %s\n", v->d.name, keel_strerror(err));
			continue;
		}
		printf("started VM %s (%s, %u vCPU%s, %lu MiB, cpu %u)\n", v->d.name,
		       vmdesc_type_name(v->d.type), v->d.vcpus, v->d.vcpus > 1 ? "s" : "",
		       v->d.ram_size >> 20, v->d.cpus[0]);
	}
}
