/* SPDX-License-Identifier: MIT */
/*
 * Virtual interrupts on their way to vCPUs (kernel/core/vcpu_irq.c) over
 * the real distributor, threads and scheduler on fake CPUs: which vCPU is
 * woken from its WFI sleep, and which CPU is interrupted (arch_ipi_send)
 * because its vCPU is in its guest there, where only an exit brings the
 * list registers up to date.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <fake_arch.h>
#include <keel/kernel.h>
#include <keel/partition.h>
#include <keel/sched.h>
#include <keel/thread.h>
#include <keel/vcpu_irq.h>
#include <keel/vgic_dist.h>

#define NOW       1000
#define GICD_SGIR 0xf00

static struct partition *vm;
static struct thread vcpu[2];

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_arch.counter = NOW;
	kernel_sched_init();
	vm = calloc(1, sizeof(*vm));
	assert_non_null(vm);
	vm->is_vm = true;
	list_init(&vm->threads);
	vgic_dist_init(&vm->vgic, 2);
	vgic_dist_write(&vm->vgic, 0, 0x000, 4, 1); /* GICD_CTLR.Enable */
	for (unsigned i = 0; i < 2; i++) {
		struct thread *t = &vcpu[i];
		thread_init(t, 10 + i);
		t->is_vcpu = true;
		t->vcpu_index = (uint8_t)i;
		t->partition = vm;
		t->cpu = (uint16_t)i;
		t->prio = 10;
		list_push_back(&vm->threads, &t->partition_node);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(vm);
	return 0;
}

/* vCPU n is started and runs in its guest on CPU n. */
static void running(unsigned n)
{
	thread_wake(&vcpu[n]);
	assert_ptr_equal(sched_pick(&sched_cpus[n], NOW), &vcpu[n]);
}

/* vCPU `from`, in the kernel on its CPU for the trapped write, sends SGI
 * `sgi` to vCPU `to`. */
static void send_sgi(unsigned from, unsigned to, unsigned sgi)
{
	fake_arch.cpu_id = from;
	vgic_dist_write(&vm->vgic, from, GICD_SGIR, 4, (1u << (16 + to)) | sgi);
	vcpu_irq_dist_changed(vm);
}

static void an_sgi_interrupts_the_cpu_of_a_vcpu_in_its_guest(void **state)
{
	(void)state;
	running(0);
	running(1);
	fake_ipi_clear();
	/* The sender itself is in the kernel: no IPI for a self-SGI. */
	send_sgi(0, 0, 2);
	assert_int_equal(fake_arch.ipi_count, 0);
	assert_true(vcpu[0].vgic.dirty);
	send_sgi(0, 1, 1);
	assert_int_equal(fake_arch.ipi_count, 1);
	assert_int_equal(fake_arch.ipi_cpu[0], 1);
	assert_true(vcpu[1].vgic.dirty);
}

/* The same SGI again while a list register holds the first: the guest may
 * have ended it there already and be waiting in its own WFI (alone on its
 * CPU), so its CPU must exit to retire the register and deliver it. */
static void an_sgi_sent_again_while_in_a_list_register_interrupts_the_cpu(void **state)
{
	(void)state;
	running(0);
	running(1);
	send_sgi(0, 1, 1);
	assert_int_equal(vgic_next_pending(&vm->vgic, 1), 1);
	struct vgic_lr lr;
	bool left;
	/* vCPU 1's entry filled a list register */
	assert_int_equal(vgic_lr_fill(&vm->vgic, 1, &lr, 1, &left), 1);
	assert_false(vgic_pending_behind(&vm->vgic, 1));
	fake_ipi_clear();
	send_sgi(0, 1, 1);
	assert_int_equal(vgic_next_pending(&vm->vgic, 1), VGIC_NONE);
	assert_true(vgic_pending_behind(&vm->vgic, 1));
	assert_int_equal(fake_arch.ipi_count, 1);
	assert_int_equal(fake_arch.ipi_cpu[0], 1);

	/* Once it is retired, the distributor offers it again. */
	lr.state = 0;
	vgic_lr_fold(&vm->vgic, 1, &lr);
	assert_false(vgic_pending_behind(&vm->vgic, 1));
	assert_int_equal(vgic_next_pending(&vm->vgic, 1), 1);
}

/* An SGI sent again while the last one is active on a vCPU that was
 * switched out (its list registers folded back into the distributor) still
 * interrupts it: it must list it as pending and active. Before, nothing
 * offered it and no kick came, and an idle Linux waited for its next tick. */
static void an_sgi_behind_a_folded_active_one_kicks(void **state)
{
	(void)state;
	running(0);
	running(1);
	send_sgi(0, 1, 1);
	struct vgic_lr lr;
	bool left;
	assert_int_equal(vgic_lr_fill(&vm->vgic, 1, &lr, 1, &left), 1);
	lr.state = VGIC_LR_ACTIVE; /* taken, then the vCPU was switched out */
	vgic_lr_fold(&vm->vgic, 1, &lr);
	vcpu[1].vgic.dirty = false;
	fake_ipi_clear();
	send_sgi(0, 1, 1);
	assert_int_equal(vgic_next_pending(&vm->vgic, 1), VGIC_NONE); /* behind the active one */
	assert_true(vgic_pending_behind(&vm->vgic, 1));
	assert_true(vcpu[1].vgic.dirty);
	assert_int_equal(fake_arch.ipi_count, 1);
}

/* A write that leaves a vCPU nothing new does not disturb it. */
static void a_write_with_nothing_pending_interrupts_no_cpu(void **state)
{
	(void)state;
	running(0);
	running(1);
	fake_ipi_clear();
	fake_arch.cpu_id = 0;
	vgic_dist_write(&vm->vgic, 0, 0x420, 4, 0x80808080); /* priorities */
	vcpu_irq_dist_changed(vm);
	assert_int_equal(fake_arch.ipi_count, 0);
}

/* A vCPU sleeping in its trapped WFI is woken on its CPU, which hears of it. */
static void an_interrupt_wakes_a_vcpu_sleeping_in_wfi(void **state)
{
	(void)state;
	running(1);
	vcpu[1].in_wfi = true;
	sched_sleep(&sched_cpus[1], &vcpu[1], SCHED_NO_EVENT);
	assert_null(sched_cpus[1].current);
	fake_arch.cpu_id = 0;
	fake_ipi_clear();
	vcpu_irq_raise(vm, 1, 27);
	assert_int_equal(vcpu[1].state, KEEL_TS_READY);
	assert_false(vcpu[1].in_wfi);
	assert_int_equal(fake_arch.ipi_count, 1);
	assert_int_equal(fake_arch.ipi_cpu[0], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(an_sgi_interrupts_the_cpu_of_a_vcpu_in_its_guest,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                an_sgi_sent_again_while_in_a_list_register_interrupts_the_cpu, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(an_sgi_behind_a_folded_active_one_kicks, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(a_write_with_nothing_pending_interrupts_no_cpu,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(an_interrupt_wakes_a_vcpu_sleeping_in_wfi, setup,
	                                        teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
