/* SPDX-License-Identifier: MIT */
/*
 * Device frames (KEEL_SYS_DEVICE_FRAME: sys_device.c, devmem.c) and
 * interrupt passthrough (KEEL_SYS_VM_IRQ_PASS: irq_pass.c), through the
 * real system-call decoder and objects on the host arch fake, with the
 * fixture of test_untyped.c: vmm holds a pool untyped and a VM's untyped
 * (VM_UT), which the tests reset. The host tree is built here: a PL011 at
 * 0x9040000, a disabled device, virtio-mmio slots sharing a page, and a
 * bus whose `ranges` move its children to 0x10000000.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sanitizer/asan_interface.h>

#include <fake_arch.h>
#include <keel/bootinfo.h>
#include <keel/cap.h>
#include <keel/devmem.h>
#include <keel/endpoint.h>
#include <keel/errno.h>
#include <keel/fault.h>
#include <keel/frame.h>
#include <keel/irq.h>
#include <keel/kernel.h>
#include <keel/log.h>
#include <keel/notification.h>
#include <keel/partition.h>
#include <keel/smp.h>
#include <keel/syscall.h>
#include <keel/untyped.h>
#include <keel/vcpu_irq.h>
#include <libfdt.h>

#include "syscall_world.h"

/* --- the host ------------------------------------------------------------ */

#define DEV_UART  0x9040000ull
#define DEV_OFF   0x9050000ull
#define DEV_VIRTQ 0xa003000ull /* slots at 0x...e00 and 0x...c00 */
#define DEV_BUS   0x10001000ull
#define RAM_BASE  0x40000000ull

static uint8_t host_tree[4096];

static void add_dev(int parent, const char *name, uint64_t base, uint64_t size, bool on)
{
	int n = fdt_add_subnode(host_tree, parent, name);
	assert_true(n >= 0);
	fdt64_t reg[2] = {cpu_to_fdt64(base), cpu_to_fdt64(size)};
	assert_int_equal(fdt_setprop(host_tree, n, "reg", reg, sizeof(reg)), 0);
	if (!on)
		assert_int_equal(fdt_setprop_string(host_tree, n, "status", "disabled"), 0);
}

static void host_init(bool with_tree)
{
	assert_int_equal(fdt_create_empty_tree(host_tree, sizeof(host_tree)), 0);
	assert_int_equal(fdt_setprop_u32(host_tree, 0, "#address-cells", 2), 0);
	assert_int_equal(fdt_setprop_u32(host_tree, 0, "#size-cells", 2), 0);
	add_dev(0, "pl011@9040000", DEV_UART, PAGE, true);
	add_dev(0, "off@9050000", DEV_OFF, PAGE, false);
	add_dev(0, "virtio_mmio@a003e00", DEV_VIRTQ + 0xe00, 0x200, true);
	add_dev(0, "virtio_mmio@a003c00", DEV_VIRTQ + 0xc00, 0x200, true);
	add_dev(0, "memory@40000000", RAM_BASE, 64 * MIB, true);
	int bus = fdt_add_subnode(host_tree, 0, "bus");
	assert_int_equal(fdt_setprop_u32(host_tree, bus, "#address-cells", 1), 0);
	assert_int_equal(fdt_setprop_u32(host_tree, bus, "#size-cells", 1), 0);
	/* child address (1 cell), parent address (2 cells), size (1 cell) */
	fdt32_t r[4] = {cpu_to_fdt32(0), 0, cpu_to_fdt32(0x10000000), cpu_to_fdt32(0x100000)};
	assert_int_equal(fdt_setprop(host_tree, bus, "ranges", r, sizeof(r)), 0);
	int child = fdt_add_subnode(host_tree, bus, "dev@1000");
	fdt32_t reg[2] = {cpu_to_fdt32(0x1000), cpu_to_fdt32(0x1000)};
	assert_int_equal(fdt_setprop(host_tree, child, "reg", reg, sizeof(reg)), 0);

	struct bootinfo bi = {.ram = {{RAM_BASE, 64 * MIB}}, .ram_count = 1};
	devmem_init(with_tree ? host_tree : NULL, &bi);
	devmem_forbid(0x08000000, 0x1000000); /* GIC */
	devmem_forbid(0x09000000, PAGE);      /* the kernel's UART */
}

static int dev_setup(void **state)
{
	int err = setup(state);
	host_init(true);
	return err;
}

static long devframe(unsigned ut, uint64_t phys, uint64_t size, unsigned part, unsigned slot)
{
	vmm->regs.x[5] = slot;
	return call(vmm, KEEL_SYS_DEVICE_FRAME, ut, IRQ_CTL, phys, size, part);
}

/* --- device frames --------------------------------------------------------- */

static void device_frame_refusals_change_nothing(void **state)
{
	(void)state;
	uint64_t left = free_bytes(vmm, VM_UT);

	assert_int_equal(devframe(VM_UT, DEV_UART + 8, PAGE, 0, 8), -KEEL_EINVAL);
	assert_int_equal(devframe(VM_UT, DEV_UART, 0, 0, 8), -KEEL_EINVAL);
	assert_int_equal(devframe(VM_UT, DEV_UART, 100, 0, 8), -KEEL_EINVAL);
	assert_int_equal(devframe(VM_UT, RAM_BASE + MIB, PAGE, 0, 8), -KEEL_EPERM);
	assert_int_equal(devframe(VM_UT, 0x08010000, PAGE, 0, 8), -KEEL_EPERM);
	assert_int_equal(devframe(VM_UT, 0x09000000, PAGE, 0, 8), -KEEL_EPERM);
	/* Straddling the kernel's UART and a real device. */
	assert_int_equal(devframe(VM_UT, 0x09000000, 0x41000, 0, 8), -KEEL_EPERM);
	assert_int_equal(devframe(VM_UT, 0x9060000, PAGE, 0, 8), -KEEL_ENODEV);
	assert_int_equal(devframe(VM_UT, DEV_OFF, PAGE, 0, 8), -KEEL_ENODEV);
	assert_int_equal(devframe(VM_UT, DEV_UART, 2 * PAGE, 0, 8), -KEEL_ENODEV);
	/* Capabilities and the destination slot. */
	assert_int_equal(devframe(SCRATCH, DEV_UART, PAGE, 0, 8), -KEEL_ETYPE);
	assert_int_equal(call(vmm, KEEL_SYS_CAP_COPY, IRQ_CTL, 0, 12, KEEL_R_READ, 0), 0);
	vmm->regs.x[5] = 8;
	assert_int_equal(call(vmm, KEEL_SYS_DEVICE_FRAME, VM_UT, 12, DEV_UART, PAGE, 0),
	                 -KEEL_EPERM);
	assert_int_equal(devframe(VM_UT, DEV_UART, PAGE, 0, 0), -KEEL_ENOCAP);
	assert_int_equal(devframe(VM_UT, DEV_UART, PAGE, 0, SCRATCH), -KEEL_EEXIST);
	assert_true(slot_empty(vmm_p, 8));
	assert_int_equal(free_bytes(vmm, VM_UT), left);
	/* No tree (QEMU's raspi4b): nothing is described. */
	host_init(false);
	assert_int_equal(devframe(VM_UT, DEV_UART, PAGE, 0, 8), -KEEL_ENODEV);
}

static void device_frame_maps_device_memory_until_its_untyped_is_reset(void **state)
{
	(void)state;
	struct partition *q = make(POOL, KEEL_OBJ_PARTITION, 8);
	unsigned attrs;
	assert_int_equal(devframe(VM_UT, DEV_UART, PAGE, 0, 9), 0);
	assert_int_equal(frame_phys(9), DEV_UART);
	assert_true(((struct frame *)obj(vmm, 9))->device);
	assert_false(untyped_contains(obj(vmm, VM_UT), (void *)(uintptr_t)DEV_UART));
	/* One frame per range while it lives. */
	assert_int_equal(devframe(POOL, DEV_UART, PAGE, 0, 10), -KEEL_EBUSY);
	assert_int_equal(call(vmm, KEEL_SYS_FRAME_MAP, 9, 0, 0x30000000, RW, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_FRAME_MAP, 9, 8, 0x9040000, RW, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_FRAME_MAP, 9, 0, 0x30001000, RW | KEEL_R_EXEC, 0),
	                 -KEEL_EPERM);
	assert_true(pt_lookup(&q->s2, 0x9040000, NULL, &attrs, NULL));
	assert_true(attrs & PT_DEVICE);
	/* Its capability going does not unmap it (as for any frame)... */
	assert_int_equal(call(vmm, KEEL_SYS_CAP_DELETE, 9, 0, 0, 0, 0), 0);
	assert_true(mapped(q, 0x9040000));

	/* ...the reset of the untyped that holds its header does, everywhere. */
	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_false(mapped(vmm_p, 0x30000000));
	assert_false(mapped(q, 0x9040000));
	assert_true(mapped(vmm_p, SCRATCH_IPA));
	assert_int_equal(devframe(POOL, DEV_UART, PAGE, 0, 10), 0);
}

static void device_frames_of_shared_pages_and_buses(void **state)
{
	(void)state;
	/* Two virtio slots, one page: the page is described. */
	assert_int_equal(devframe(VM_UT, DEV_VIRTQ, PAGE, 0, 8), 0);
	assert_int_equal(devframe(VM_UT, DEV_BUS, PAGE, 0, 9), 0);
	assert_int_equal(frame_phys(9), DEV_BUS);
	assert_int_equal(devframe(VM_UT, DEV_BUS + PAGE, PAGE, 0, 10), -KEEL_ENODEV);
}

/* --- interrupt passthrough ------------------------------------------------- */

#define VM     8
#define VCPU   9
#define HANDLE 10

static struct vgic_dist *vgic_of(unsigned slot)
{
	return &((struct partition *)obj(vmm, slot))->vgic;
}

/* The guest writes its distributor (as the GICD trap does). */
static void guest_gicd(unsigned off, uint32_t value)
{
	struct partition *vm = obj(vmm, VM);
	vgic_dist_write(&vm->vgic, 0, off, 4, value);
	vcpu_irq_dist_changed(vm);
}

static void vm_with_vcpu_on_cpu1(void)
{
	(void)make(VM_UT, KEEL_OBJ_VM, VM);
	(void)make(VM_UT, KEEL_OBJ_VCPU, VCPU);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_CONFIG, VCPU, VM, 0x40000000, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, VCPU, 20, 0, 0, 1), 0);
}

static void pass_follows_the_guests_enable_and_target(void **state)
{
	(void)state;
	vm_with_vcpu_on_cpu1();
	assert_int_equal(call(vmm, KEEL_SYS_IRQ_CLAIM, IRQ_CTL, 72, HANDLE, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_VM_IRQ_PASS, VM, HANDLE, 40, 0, 0), 0);
	/* Masked until the guest enables its SPI 40. */
	assert_false(fake_arch.irq_unmasked[72]);
	vgic_of(VM)->enabled = true;
	guest_gicd(0x104, 1u << 8); /* ISENABLER1: INTID 40 */
	assert_true(fake_arch.irq_unmasked[72]);
	assert_int_equal(fake_arch.irq_cpu[72], 1); /* vCPU 0's CPU */

	/* It fires: SPI 40 pending for the guest, the physical one left active. */
	assert_true(irq_dispatch(72));
	assert_true(vgic_irq_pending(vgic_of(VM), 0, 40));
	assert_int_equal(vgic_next_pending(vgic_of(VM), 0), 40);
	assert_int_equal(vgic_irq_hw(vgic_of(VM), 40), 72);
	/* Into a list register: no longer pending (the GIC keeps it active). */
	struct vgic_lr lr;
	bool left;
	assert_int_equal(vgic_lr_fill(vgic_of(VM), 0, &lr, 1, &left), 1);
	assert_int_equal(lr.hw, 72);
	assert_false(vgic_irq_pending(vgic_of(VM), 0, 40) && !vgic_irq_listed(vgic_of(VM), 0, 40));

	/* A guest that disables it does not get it. */
	guest_gicd(0x184, 1u << 8); /* ICENABLER1 */
	assert_false(fake_arch.irq_unmasked[72]);
	/* IRQ_ACK cannot unmask it behind the guest's back. */
	assert_int_equal(call(vmm, KEEL_SYS_IRQ_ACK, HANDLE, 0, 0, 0, 0), 0);
	assert_false(fake_arch.irq_unmasked[72]);
}

static void pass_refusals(void **state)
{
	(void)state;
	vm_with_vcpu_on_cpu1();
	(void)make(POOL, KEEL_OBJ_PARTITION, 11);
	(void)make(POOL, KEEL_OBJ_NOTIFICATION, 12);
	assert_int_equal(call(vmm, KEEL_SYS_IRQ_CLAIM, IRQ_CTL, 73, HANDLE, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_IRQ_CLAIM, IRQ_CTL, 74, 13, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_VM_IRQ_PASS, 11, HANDLE, 40, 0, 0), -KEEL_ETYPE);
	assert_int_equal(call(vmm, KEEL_SYS_VM_IRQ_PASS, VM, 12, 40, 0, 0), -KEEL_ETYPE);
	assert_int_equal(call(vmm, KEEL_SYS_VM_IRQ_PASS, VM, HANDLE, 31, 0, 0), -KEEL_ERANGE);
	assert_int_equal(call(vmm, KEEL_SYS_VM_IRQ_PASS, VM, HANDLE, 128, 0, 0), -KEEL_ERANGE);
	fake_arch.vgic_absent = true;
	assert_int_equal(call(vmm, KEEL_SYS_VM_IRQ_PASS, VM, HANDLE, 40, 0, 0), -KEEL_ENODEV);
	fake_arch.vgic_absent = false;
	assert_int_equal(call(vmm, KEEL_SYS_CAP_COPY, VM, 0, 14, KEEL_R_WRITE, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_VM_IRQ_PASS, 14, HANDLE, 40, 0, 0), -KEEL_EPERM);
	assert_int_equal(call(vmm, KEEL_SYS_VM_IRQ_PASS, VM, HANDLE, 40, 0, 0), 0);
	/* One line, one VM SPI; a passed line binds no notification. */
	assert_int_equal(call(vmm, KEEL_SYS_VM_IRQ_PASS, VM, HANDLE, 41, 0, 0), -KEEL_EBUSY);
	assert_int_equal(call(vmm, KEEL_SYS_VM_IRQ_PASS, VM, 13, 40, 0, 0), -KEEL_EBUSY);
	assert_int_equal(call(vmm, KEEL_SYS_IRQ_BIND, HANDLE, 12, 0, 0, 0), -KEEL_EBUSY);
	/* Nor may a device model raise it: only the hardware does. */
	assert_int_equal(call(vmm, KEEL_SYS_VM_INJECT, VM, 40, 1, 0, 0), -KEEL_EPERM);
	assert_int_equal(call(vmm, KEEL_SYS_VM_INJECT, VM, 41, 1, 0, 0), 0);
	/* A line bound to a notification is not passed. */
	assert_int_equal(call(vmm, KEEL_SYS_IRQ_BIND, 13, 12, 0, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_VM_IRQ_PASS, VM, 13, 41, 0, 0), -KEEL_EBUSY);
}

static void reset_leaves_the_line_masked_unbound_and_free(void **state)
{
	(void)state;
	vm_with_vcpu_on_cpu1();
	assert_int_equal(call(vmm, KEEL_SYS_IRQ_CLAIM, IRQ_CTL, 75, HANDLE, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_VM_IRQ_PASS, VM, HANDLE, 40, 0, 0), 0);
	vgic_of(VM)->enabled = true;
	guest_gicd(0x104, 1u << 8);
	assert_true(irq_dispatch(75)); /* active at the GIC, never ended */
	unsigned deactivated = fake_arch.irq_deactivated[75];

	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_false(fake_arch.irq_unmasked[75]);
	assert_true(fake_arch.irq_deactivated[75] > deactivated);
	assert_null(((struct irq_handler *)obj(vmm, HANDLE))->vm);
	/* The same handler goes to the next VM. */
	vm_with_vcpu_on_cpu1();
	assert_int_equal(call(vmm, KEEL_SYS_VM_IRQ_PASS, VM, HANDLE, 40, 0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, dev_setup, teardown)
	        T(device_frame_refusals_change_nothing),
	        T(device_frame_maps_device_memory_until_its_untyped_is_reset),
	        T(device_frames_of_shared_pages_and_buses),
	        T(pass_follows_the_guests_enable_and_target),
	        T(pass_refusals),
	        T(reset_leaves_the_line_masked_unbound_and_free),
#undef T
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
