/* SPDX-License-Identifier: MIT */
/*
 * Test VMs (/vms in the system configuration): a VM object, its RAM as one
 * frame at 0x40000000 holding the guest ELF, and one vCPU. Its exits come to
 * vmm's fault endpoint with badge VM_BADGE + index; the emulated PL011 and
 * PSCI SYSTEM_OFF are answered here until devemu takes the device models.
 *
 *   vms { hello { image = "hello-guest"; memory-kib = <1024>; cpu = <1>; priority = <15>; }; };
 */
#include "vmm.h"

#include <elf.h>
#include <keel/service.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#define GUEST_RAM          0x40000000ul
#define UART_BASE          0x09000000ul
#define UART_DR            0x00
#define UART_FR            0x18
#define UART_FR_IDLE       0x90 /* TX FIFO empty, RX FIFO empty */
#define PSCI_VERSION       0x84000000ul
#define PSCI_SYSTEM_OFF    0x84000008ul
#define PSCI_NOT_SUPPORTED ((unsigned long)-1)
#define VM_MAX             4

struct vm {
	char name[16];
	unsigned long vcpu; /* its vCPU's capability slot in vmm */
	char line[120];
	size_t line_len;
	bool off;
};

static struct vm vms[VM_MAX];
static int vm_count;

struct ram_fill {
	const uint8_t *img;
	size_t size;
	unsigned long ram_size;
	long err;
};

static void fill_ram(void *mem, const void *ctx)
{
	struct ram_fill *f = (struct ram_fill *)ctx;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->img;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(f->img + eh->e_phoff) + i;
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_vaddr < GUEST_RAM || ph->p_memsz > f->ram_size ||
		    ph->p_vaddr - GUEST_RAM > f->ram_size - ph->p_memsz ||
		    ph->p_filesz > ph->p_memsz || ph->p_offset > f->size ||
		    ph->p_filesz > f->size - ph->p_offset) {
			f->err = -KEEL_EINVAL;
			return;
		}
		memcpy((uint8_t *)mem + (ph->p_vaddr - GUEST_RAM), f->img + ph->p_offset,
		       ph->p_filesz);
	}
}

static long vm_build(struct vm *v, const void *image, size_t size, unsigned long ram_kib,
                     unsigned long cpu, unsigned long prio, unsigned long badge)
{
	const char *name = v->name;
	const Elf64_Ehdr *eh;
	if (elf_check(image, size, &eh))
		return -KEEL_EINVAL;
	unsigned long vm = slot_alloc(), vcpu = slot_alloc();
	if (!vm || !vcpu)
		return -KEEL_ENOMEM;
	v->vcpu = vcpu;
	long err = keel_retype(KEEL_ROOT_SLOT_UNTYPED, KEEL_OBJ_VM, 0, 0, vm);
	if (!err)
		err = keel_partition_config(vm, name, VMM_SLOT_FAULT_EP, badge);
	struct ram_fill f = {image, size, ram_kib * 1024, 0};
	if (!err)
		err = child_frame(vm, GUEST_RAM, ram_kib * 1024,
		                  KEEL_R_READ | KEEL_R_WRITE | KEEL_R_EXEC, fill_ram, &f);
	if (!err)
		err = f.err;
	if (!err)
		err = keel_retype(KEEL_ROOT_SLOT_UNTYPED, KEEL_OBJ_VCPU, 0, 0, vcpu);
	if (!err)
		err = keel_thread_config(vcpu, vm, eh->e_entry, 0, 0);
	if (!err)
		err = keel_thread_sched(vcpu, prio, 0, 0, cpu);
	if (!err)
		err = keel_thread_start(vcpu);
	return err;
}

static unsigned long prop_u32(const void *fdt, int node, const char *prop, unsigned long dflt)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);
	return p && len == 4 ? fdt32_to_cpu(*p) : dflt;
}

int vms_start(const void *fdt, const void *(*file)(const char *name, size_t *size))
{
	int parent = fdt_path_offset(fdt, "/vms"), node;
	if (parent < 0)
		return 0;
	fdt_for_each_subnode (node, fdt, parent) {
		if (vm_count == VM_MAX)
			break;
		const char *name = fdt_get_name(fdt, node, NULL);
		const char *image = fdt_getprop(fdt, node, "image", NULL);
		size_t size;
		const void *elf = image ? file(image, &size) : NULL;
		if (!elf) {
			printf("config error in /vms/%s: property 'image' missing or not in the "
			       "bundle\n",
			       name);
			continue;
		}
		struct vm *v = &vms[vm_count];
		snprintf(v->name, sizeof(v->name), "%s", name);
		long err =
		        vm_build(v, elf, size, prop_u32(fdt, node, "memory-kib", 1024),
		                 prop_u32(fdt, node, "cpu", 0), prop_u32(fdt, node, "priority", 10),
		                 VM_BADGE + (unsigned long)vm_count);
		if (err) {
			printf("cannot start VM %s: %s\n", name, keel_strerror(err));
			continue;
		}
		printf("started VM %s (cpu %lu)\n", name, prop_u32(fdt, node, "cpu", 0));
		vm_count++;
	}
	return vm_count;
}

static void uart_write(struct vm *v, char c)
{
	if (c == '\n' || v->line_len == sizeof(v->line) - 1) {
		v->line[v->line_len] = '\0';
		printf("%s: %s\n", v->name, v->line);
		v->line_len = 0;
		if (c == '\n')
			return;
	}
	v->line[v->line_len++] = c;
}

/* Returns whether to reply (a powered-off vCPU stays waiting). */
static bool vm_exit(struct vm *v, struct keel_msg *m)
{
	unsigned long kind = m->w[0];
	if (kind == KEEL_EXIT_MMIO) {
		unsigned long ipa = m->w[1], write = m->w[4];
		m->w[0] = 0;
		if (ipa == UART_BASE + UART_DR && write)
			uart_write(v, (char)m->w[3]);
		else if (ipa == UART_BASE + UART_FR && !write)
			m->w[0] = UART_FR_IDLE;
		else
			printf("VM %s: %s of unemulated address 0x%lx ignored\n", v->name,
			       write ? "write" : "read", ipa);
		return true;
	}
	if (kind == KEEL_EXIT_HVC) {
		unsigned long fn = m->w[1];
		if (fn == PSCI_SYSTEM_OFF) {
			/* Stopped, not left waiting: the next exit vmm receives would
			 * otherwise release this one with -KEEL_ESRCH. */
			long err = keel_thread_stop(v->vcpu);
			printf("VM %s: system off (PSCI)%s\n", v->name, err ? ", stop failed" : "");
			v->off = true;
			return false;
		}
		m->w[0] = fn == PSCI_VERSION ? 0x10001 : PSCI_NOT_SUPPORTED;
		return true;
	}
	printf("VM %s: stopped (kind %lu, 0x%lx, pc 0x%lx)\n", v->name, kind, m->w[1], m->w[2]);
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
