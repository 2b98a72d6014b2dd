/* SPDX-License-Identifier: MIT */
/* The virtual GICv2 distributor (kernel/core/vgic_dist.c), register by register. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <keel/vgic_dist.h>

static struct vgic_dist d;

static int setup(void **state)
{
	(void)state;
	vgic_dist_init(&d, 2);
	vgic_dist_write(&d, 0, 0x000, 4, 1); /* GICD_CTLR.Enable */
	return 0;
}

/* The list registers of one vCPU, as the arch layer keeps them. */
struct lrs {
	struct vgic_lr lr[4];
	unsigned n;
	bool left;
};

static void fill(unsigned vcpu, struct lrs *l, unsigned n)
{
	l->n = vgic_lr_fill(&d, vcpu, l->lr, n, &l->left);
}

/* The guest left them in `state` (VGIC_LR_*); all come back. */
static void fold_as(unsigned vcpu, struct lrs *l, unsigned state)
{
	for (unsigned i = 0; i < l->n; i++) {
		l->lr[i].state = (uint8_t)state;
		vgic_lr_fold(&d, vcpu, &l->lr[i]);
	}
	l->n = 0;
}

/* The guest took the one interrupt listed and ended it. */
static unsigned take_and_end(unsigned vcpu)
{
	struct lrs l;
	fill(vcpu, &l, 1);
	if (!l.n)
		return VGIC_NONE;
	unsigned intid = l.lr[0].intid;
	fold_as(vcpu, &l, 0);
	return intid;
}

static void typer_and_ctlr(void **state)
{
	(void)state;
	uint32_t typer = vgic_dist_read(&d, 0, 0x004, 4);
	assert_int_equal(typer & 0x1f, VGIC_IRQS / 32 - 1);
	assert_int_equal((typer >> 5) & 7, 1); /* two vCPUs */
	assert_int_equal(vgic_dist_read(&d, 1, 0x000, 4), 1);
	vgic_dist_write(&d, 0, 0x000, 4, 0);
	assert_int_equal(vgic_dist_read(&d, 0, 0x000, 4), 0);
}

/* The ID registers say what the IIDR says: a GIC-400, architecture v2;
 * the CPU count is the VM's. */
static void id_registers_describe_a_gic400(void **state)
{
	(void)state;
	assert_int_equal(vgic_dist_read(&d, 0, 0xfe8, 4), 0x2b); /* ICPIDR2 */
	assert_int_equal(vgic_dist_read(&d, 0, 0xfe0, 4), 0x90);
	assert_int_equal(vgic_dist_read(&d, 0, 0xffc, 4), 0xb1);
	assert_int_equal(vgic_dist_read(&d, 0, 0xfd0, 4), 0x04);
	assert_int_equal(vgic_dist_read(&d, 0, 0x004, 4) >> 5 & 7, 1); /* 2 vCPUs */
	vgic_dist_write(&d, 0, 0x820, 1, 0xff); /* SPI 32 to CPUs that do not exist */
	assert_int_equal(vgic_dist_read(&d, 0, 0x820, 1), 0x3);
}

static void enable_set_and_clear(void **state)
{
	(void)state;
	assert_int_equal(vgic_dist_read(&d, 0, 0x100, 4), 0x0000ffff); /* SGIs always on */
	vgic_dist_write(&d, 0, 0x104, 4, 0x5);                         /* SPIs 32 and 34 */
	assert_int_equal(vgic_dist_read(&d, 1, 0x104, 4), 0x5);        /* shared */
	vgic_dist_write(&d, 0, 0x184, 4, 0x1);
	assert_int_equal(vgic_dist_read(&d, 0, 0x104, 4), 0x4);
	vgic_dist_write(&d, 0, 0x180, 4, 0xffffffff); /* SGI enables cannot be cleared */
	assert_int_equal(vgic_dist_read(&d, 0, 0x100, 4), 0x0000ffff);
	vgic_dist_write(&d, 1, 0x100, 4, 1u << 27); /* PPI 27 is banked per vCPU */
	assert_int_equal(vgic_dist_read(&d, 1, 0x100, 4), 0x0800ffff);
	assert_int_equal(vgic_dist_read(&d, 0, 0x100, 4), 0x0000ffff);
}

static void pending_and_active(void **state)
{
	(void)state;
	vgic_dist_write(&d, 0, 0x204, 4, 0x3);
	assert_int_equal(vgic_dist_read(&d, 0, 0x204, 4), 0x3);
	vgic_dist_write(&d, 0, 0x284, 4, 0x1);
	assert_int_equal(vgic_dist_read(&d, 0, 0x204, 4), 0x2);
	vgic_dist_write(&d, 0, 0x304, 4, 0x8);
	assert_int_equal(vgic_dist_read(&d, 0, 0x304, 4), 0x8);
	vgic_dist_write(&d, 0, 0x384, 4, 0x8);
	assert_int_equal(vgic_dist_read(&d, 0, 0x304, 4), 0);
}

static void priorities_are_bytes_with_five_bits(void **state)
{
	(void)state;
	vgic_dist_write(&d, 0, 0x420, 4, 0x11223344); /* interrupts 32..35 */
	assert_int_equal(vgic_dist_read(&d, 0, 0x420, 4), 0x10203040);
	vgic_dist_write(&d, 0, 0x422, 1, 0xff);
	assert_int_equal(vgic_dist_read(&d, 0, 0x422, 1), 0xf8);
	assert_int_equal(vgic_dist_read(&d, 0, 0x420, 4), 0x10f83040);
	/* A byte access that crosses its word is refused. */
	vgic_dist_write(&d, 0, 0x423, 4, 0);
	assert_int_equal(vgic_dist_read(&d, 0, 0x423, 1), 0x10);
}

static void targets_of_spis_and_private_interrupts(void **state)
{
	(void)state;
	assert_int_equal(vgic_dist_read(&d, 1, 0x800, 4), 0x02020202); /* own mask, RO */
	vgic_dist_write(&d, 1, 0x800, 4, 0x01010101);
	assert_int_equal(vgic_dist_read(&d, 1, 0x800, 4), 0x02020202);
	vgic_dist_write(&d, 0, 0x820, 4, 0xff030201); /* 32->0, 33->1, 34->both, 35: masked */
	assert_int_equal(vgic_dist_read(&d, 0, 0x820, 4), 0x03030201);
}

static void config_edge_or_level(void **state)
{
	(void)state;
	assert_int_equal(vgic_dist_read(&d, 0, 0xc00, 4), 0xaaaaaaaa); /* SGIs edge */
	vgic_dist_write(&d, 0, 0xc08, 4, 0x2);                         /* 32 edge, 33.. level */
	assert_int_equal(vgic_dist_read(&d, 0, 0xc08, 4), 0x2);
	vgic_dist_write(&d, 0, 0xc00, 4, 0); /* SGI config is read-only */
	assert_int_equal(vgic_dist_read(&d, 0, 0xc00, 4), 0xaaaaaaaa);
}

static void sgis_go_to_their_targets(void **state)
{
	(void)state;
	struct lrs l;
	vgic_dist_write(&d, 0, 0xf00, 4, (0x2u << 16) | 5); /* SGI 5 to vCPU 1 */
	assert_int_equal(vgic_next_pending(&d, 1), 5);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	vgic_dist_write(&d, 1, 0xf00, 4, (1u << 24) | 3); /* all but self */
	assert_int_equal(vgic_next_pending(&d, 0), 3);
	vgic_dist_write(&d, 1, 0xf00, 4, (2u << 24) | 7); /* self only */
	assert_int_equal(vgic_dist_read(&d, 1, 0x200, 4) & 0xff, 0xa0);
	fill(1, &l, 1);
	assert_int_equal(l.lr[0].intid, 5);
	fold_as(1, &l, VGIC_LR_ACTIVE); /* the guest took it and has not ended it */
	assert_int_equal(vgic_dist_read(&d, 1, 0x300, 4) & 0xff, 0x20);
	assert_int_equal(vgic_next_pending(&d, 1), 7);
}

static void next_pending_follows_priority_and_targets(void **state)
{
	(void)state;
	vgic_dist_write(&d, 0, 0x104, 4, 0x7);        /* 32, 33, 34 enabled */
	vgic_dist_write(&d, 0, 0x420, 4, 0x00a080c0); /* 32:c0 33:80 34:a0 */
	vgic_dist_write(&d, 0, 0x820, 4, 0x00010101);
	vgic_set_line(&d, 0, 32, true);
	vgic_set_line(&d, 0, 34, true);
	assert_int_equal(vgic_next_pending(&d, 0), 34);
	vgic_set_line(&d, 0, 33, true);
	assert_int_equal(vgic_next_pending(&d, 0), 33);
	assert_int_equal(vgic_next_pending(&d, 1), VGIC_NONE); /* targets vCPU 0 only */
	vgic_dist_write(&d, 0, 0x184, 4, 0x2);                 /* disable 33 */
	assert_int_equal(vgic_next_pending(&d, 0), 34);
	vgic_dist_write(&d, 0, 0x000, 4, 0); /* distributor off: nothing */
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
}

static void edge_consumed_level_follows_its_line(void **state)
{
	(void)state;
	vgic_dist_write(&d, 0, 0x104, 4, 0x3);
	vgic_dist_write(&d, 0, 0xc08, 4, 0x2); /* 32 edge, 33 level */
	vgic_set_line(&d, 0, 32, true);
	assert_int_equal(take_and_end(0), 32);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE); /* edge: consumed */

	vgic_set_line(&d, 0, 33, true);
	assert_int_equal(take_and_end(0), 33);
	assert_int_equal(vgic_next_pending(&d, 0), 33); /* level: line still high */
	vgic_set_line(&d, 0, 33, false);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
}

/* An edge in a list register is not offered twice; a second edge while it
 * is there comes after the guest ends the first. */
static void list_register_second_edge_comes_next(void **state)
{
	(void)state;
	struct lrs l;
	vgic_dist_write(&d, 0, 0x104, 4, 0x1); /* SPI 32 enabled, edge */
	vgic_set_line(&d, 0, 32, true);
	fill(0, &l, 4);
	assert_int_equal(l.n, 1);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	vgic_set_line(&d, 0, 32, true); /* a second edge while in the list register */
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	assert_true(vgic_pending_behind(&d, 0));
	fold_as(0, &l, 0);
	assert_int_equal(take_and_end(0), 32); /* the second edge */
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
}

/* Each SGI source gets its own delivery, the list register naming it. */
static void list_register_sgi_sources_one_at_a_time(void **state)
{
	(void)state;
	struct lrs l;
	vgic_dist_write(&d, 0, 0xf00, 4, (1u << 16) | 3); /* vCPU 0 -> vCPU 0, SGI 3 */
	vgic_dist_write(&d, 1, 0xf00, 4, (1u << 16) | 3); /* vCPU 1 -> vCPU 0, SGI 3 */
	fill(0, &l, 4);
	assert_int_equal(l.n, 1); /* one SGI number, one list register */
	assert_int_equal(l.lr[0].source, 0);
	assert_true(l.left);
	fold_as(0, &l, 0);
	fill(0, &l, 4);
	assert_int_equal(l.lr[0].source, 1);
	fold_as(0, &l, 0);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	assert_int_equal(vgic_irq_targets(&d, 1, 3), 2);
}

/* Issue 14, hole 2: the virtual timer is a level line the hardware drives.
 * Its list register asks for the guest's end (EOI maintenance), after which
 * the kernel deactivates the physical PPI; a guest that clears it with
 * ICPENDR before taking it loses only that pending state - the physical
 * line, still high, raises it again (vcpu_irq_raise from vtimer_irq). */
static void vtimer_is_hardware_level_line(void **state)
{
	(void)state;
	struct lrs l;
	vgic_dist_write(&d, 0, 0x100, 4, 1u << 27);
	vgic_dist_write(&d, 0, 0xc04, 4, 0xaaaaaaaa); /* PPIs edge: refused */
	assert_int_equal(vgic_dist_read(&d, 0, 0xc04, 4), 0);
	vgic_set_line(&d, 0, 27, true);
	fill(0, &l, 4);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.lr[0].hw, 0);
	assert_true(l.lr[0].eoi_notify);
	assert_int_equal(l.lr[0].state, VGIC_LR_PENDING);
	fold_as(0, &l, VGIC_LR_PENDING); /* a GICD access: folded back, not taken */
	assert_true(vgic_irq_pending(&d, 0, 27));
	vgic_dist_write(&d, 0, 0x280, 4, 1u << 27); /* ICPENDR0 */
	assert_false(vgic_irq_pending(&d, 0, 27));
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	vgic_set_line(&d, 0, 27, true); /* the physical PPI fires again */
	assert_int_equal(take_and_end(0), 27);
}

/* A device's level line still high keeps its interrupt pending through
 * ICPENDR; ISPENDR latches it even with the line low. */
static void icpendr_does_not_lower_a_high_line(void **state)
{
	(void)state;
	vgic_dist_write(&d, 0, 0x104, 4, 0x2);
	vgic_dist_write(&d, 0, 0xc08, 4, 0x0); /* 33 level */
	vgic_set_line(&d, 0, 33, true);
	vgic_dist_write(&d, 0, 0x284, 4, 0x2);
	assert_int_equal(vgic_next_pending(&d, 0), 33);
	vgic_set_line(&d, 0, 33, false);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	vgic_dist_write(&d, 0, 0x204, 4, 0x2); /* latched */
	assert_int_equal(take_and_end(0), 33);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
}

/* A device's level line (a virtio queue's SPI): its guest's end must exit
 * (EOI maintenance) so that a line still high is listed again; a line that
 * drops before the guest took it withdraws the interrupt. */
static void level_line_ended_while_high_comes_back(void **state)
{
	(void)state;
	struct lrs l;
	vgic_dist_write(&d, 0, 0x104, 4, 0x1); /* SPI 32 */
	vgic_dist_write(&d, 0, 0xc08, 4, 0x0); /* ICFGR: level */
	vgic_set_line(&d, 0, 32, true);
	fill(0, &l, 4);
	assert_int_equal(l.n, 1);
	assert_true(l.lr[0].eoi_notify);
	fold_as(0, &l, 0); /* ended, line still high */
	assert_int_equal(vgic_next_pending(&d, 0), 32);
	fill(0, &l, 4);
	assert_int_equal(d.resync, 0);
	vgic_set_line(&d, 0, 32, false); /* dropped while listed pending */
	assert_int_equal(d.resync, 0x1);
	fold_as(0, &l, VGIC_LR_PENDING);
	assert_false(vgic_irq_pending(&d, 0, 32));
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	/* An edge (or a latched ISPENDR) needs no end notification. */
	vgic_dist_write(&d, 0, 0xc08, 4, 0x2); /* ICFGR: SPI 32 edge */
	vgic_set_line(&d, 0, 32, true);
	fill(0, &l, 4);
	assert_int_equal(l.n, 1);
	assert_false(l.lr[0].eoi_notify);
}

/* Issue 14, hole 3: ICPENDR, ICACTIVER and ICENABLER reach what a list
 * register holds, on the writer's own vCPU (folded first) and on another
 * (its list register's state is cancelled when it folds back). */
static void writes_reach_list_registers(void **state)
{
	(void)state;
	struct lrs l;
	vgic_dist_write(&d, 0, 0x104, 4, 0x7);        /* SPIs 32..34 */
	vgic_dist_write(&d, 0, 0x820, 4, 0x00020202); /* to vCPU 1 */
	vgic_dist_write(&d, 0, 0x204, 4, 0x7);        /* pending */
	fill(1, &l, 4);
	assert_int_equal(l.n, 3);
	assert_int_equal(d.resync, 0);
	vgic_dist_write(&d, 0, 0x284, 4, 0x1); /* vCPU 0: ICPENDR 32 */
	vgic_dist_write(&d, 0, 0x184, 4, 0x2); /* vCPU 0: ICENABLER 33 */
	assert_int_equal(d.resync, 0x2);
	assert_int_equal(vgic_dist_read(&d, 0, 0x204, 4), 0x6); /* 33, 34 still pending */
	l.lr[2].state = VGIC_LR_ACTIVE;                         /* vCPU 1 took 34 meanwhile */
	for (unsigned i = 0; i < 3; i++)
		vgic_lr_fold(&d, 1, &l.lr[i]);
	assert_false(vgic_irq_pending(&d, 1, 32)); /* cancelled */
	assert_true(vgic_irq_pending(&d, 1, 33));  /* pending, but disabled */
	assert_true(vgic_irq_active(&d, 1, 34));
	fill(1, &l, 4);
	assert_int_equal(l.n, 1); /* only the active one */
	assert_int_equal(l.lr[0].intid, 34);
	assert_int_equal(l.lr[0].state, VGIC_LR_ACTIVE);
	vgic_dist_write(&d, 0, 0x384, 4, 0x4); /* ICACTIVER 34 while listed */
	l.lr[0].state = VGIC_LR_ACTIVE;
	vgic_lr_fold(&d, 1, &l.lr[0]);
	assert_false(vgic_irq_active(&d, 1, 34));
}

/* An interrupt left active (IAR without EOI) is delivered again once the
 * guest clears its active state, as on a GIC. */
static void active_left_behind_is_cleared_by_icactiver(void **state)
{
	(void)state;
	struct lrs l;
	vgic_dist_write(&d, 0, 0xf00, 4, (2u << 24) | 9); /* SGI 9 to self */
	fill(0, &l, 4);
	fold_as(0, &l, VGIC_LR_ACTIVE);
	vgic_dist_write(&d, 0, 0xf00, 4, (2u << 24) | 9); /* again, while active */
	fill(0, &l, 4);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.lr[0].state, VGIC_LR_PENDING | VGIC_LR_ACTIVE); /* same source */
	fold_as(0, &l, VGIC_LR_ACTIVE | VGIC_LR_PENDING);
	vgic_dist_write(&d, 0, 0x380, 4, 1u << 9); /* ICACTIVER0 */
	assert_false(vgic_irq_active(&d, 0, 9));
	assert_int_equal(take_and_end(0), 9);
}

/* GICD_SPENDSGIR/CPENDSGIR: a byte per SGI, a bit per source; clearing
 * the source that a list register holds cancels it there. */
static void sgi_sources_set_and_cleared_by_byte(void **state)
{
	(void)state;
	struct lrs l;
	vgic_dist_write(&d, 0, 0xf25, 1, 0x3); /* SGI 5 from vCPUs 0 and 1 */
	assert_int_equal(vgic_dist_read(&d, 0, 0xf24, 4), 0x0300);
	assert_int_equal(vgic_dist_read(&d, 0, 0xf15, 1), 0x3);
	vgic_dist_write(&d, 0, 0xf25, 1, 0xfc); /* no such vCPUs: nothing */
	assert_int_equal(vgic_dist_read(&d, 0, 0xf25, 1), 0x3);
	fill(0, &l, 4);
	assert_int_equal(l.lr[0].source, 0);
	vgic_dist_write(&d, 0, 0xf15, 1, 0x3); /* CPENDSGIR: both sources */
	assert_int_equal(vgic_dist_read(&d, 0, 0xf24, 4), 0);
	fold_as(0, &l, VGIC_LR_PENDING);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	assert_false(vgic_irq_pending(&d, 0, 5));
}

/* A reset vCPU's timer is off: a latched timer event of its last run is
 * not pending for the next (it made a rebooted Linux count ticks far too
 * fast). Its SGIs stay pending. */
static void reset_drops_the_timer_event(void **state)
{
	(void)state;
	uint16_t hw[4];
	vgic_set_line(&d, 1, 27, true);
	vgic_dist_write(&d, 0, 0xf00, 4, (2u << 16) | 4); /* SGI 4 to vCPU 1 */
	assert_true(vgic_irq_pending(&d, 1, 27));
	vgic_vcpu_release(&d, 1, false, hw, 4);
	assert_true(vgic_irq_pending(&d, 1, 27)); /* a stop keeps it */
	vgic_vcpu_release(&d, 1, true, hw, 4);
	assert_false(vgic_irq_pending(&d, 1, 27));
	assert_true(vgic_irq_pending(&d, 1, 4));
}

/* A system reset: the SGI the last run sent (Linux's stop IPI on reboot),
 * enables, active states and priorities go; what drives an interrupt
 * (a physical line, a device model's line still high) stays. */
static void system_reset_keeps_only_the_wiring(void **state)
{
	(void)state;
	struct vgic_irq *spi = &d.spi[40 - VGIC_PRIVATE];
	spi->hw_intid = 72;
	vgic_dist_write(&d, 0, 0xf00, 4, (2u << 16) | 2); /* SGI 2 to vCPU 1 */
	vgic_dist_write(&d, 0, 0x104, 4, 1u << 8);        /* enable SPI 40 */
	vgic_dist_write(&d, 0, 0x304, 4, 1u << 9);        /* SPI 41 active */
	vgic_dist_write(&d, 0, 0x428, 1, 0x40);           /* SPI 40's priority */
	vgic_dist_write(&d, 0, 0xc08, 4, 0);              /* 32..47 level */
	vgic_set_line(&d, 0, 33, true);                   /* a UART line, high */
	assert_true(vgic_irq_pending(&d, 1, 2));

	vgic_dist_reset(&d);
	assert_false(vgic_irq_pending(&d, 1, 2));
	assert_false(vgic_irq_active(&d, 0, 41));
	assert_int_equal(vgic_dist_read(&d, 0, 0x000, 4), 0); /* distributor off */
	assert_int_equal(vgic_dist_read(&d, 0, 0x104, 4), 0);
	assert_int_equal(vgic_dist_read(&d, 0, 0x428, 1), 0);
	assert_int_equal(vgic_irq_hw(&d, 40), 72);
	assert_true(d.hw_changed);
	/* The line is the device's: once the guest configures it as level
	 * again, it is pending, and the list register fill sees it. */
	vgic_dist_write(&d, 0, 0xc08, 4, 0); /* 32..47 level */
	assert_true(vgic_irq_pending(&d, 0, 33));
	assert_int_equal(d.spi_busy[0], 1u << 1);
}

/* A device model's line that drops while the guest has its interrupt
 * edge-triggered is low when the guest makes it level again: the model
 * only reports changes and would never lower it a second time. */
static void a_line_dropped_while_edge_is_low_when_level_again(void **state)
{
	(void)state;
	vgic_dist_write(&d, 0, 0x104, 4, 1u << 1); /* enable SPI 33 */
	vgic_dist_write(&d, 0, 0xc08, 4, 0);       /* 32..47 level */
	vgic_set_line(&d, 0, 33, true);
	vgic_dist_write(&d, 0, 0xc08, 4, 2u << 2); /* 33 edge */
	vgic_set_line(&d, 0, 33, false);
	vgic_dist_write(&d, 0, 0x284, 4, 1u << 1); /* ICPENDR: the latch goes */
	vgic_dist_write(&d, 0, 0xc08, 4, 0);       /* level again */
	assert_false(vgic_irq_pending(&d, 0, 33));
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
}

/* The listed set is always the best one: active interrupts first, then
 * pending by priority; a higher one arriving evicts the lowest pending. */
static void fill_keeps_the_best_and_says_what_is_left(void **state)
{
	(void)state;
	struct lrs l;
	for (unsigned sgi = 0; sgi < 6; sgi++) {
		vgic_dist_write(&d, 0, 0x400 + sgi, 1, 0x80 - 8 * sgi); /* 5 is highest */
		vgic_dist_write(&d, 0, 0xf00, 4, (2u << 24) | sgi);
	}
	fill(0, &l, 4);
	assert_int_equal(l.n, 4);
	assert_true(l.left);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(l.lr[i].intid, 5 - i);
	fold_as(0, &l, VGIC_LR_PENDING);
	vgic_dist_write(&d, 0, 0x40f, 1, 0x10); /* SGI 15, the highest */
	vgic_dist_write(&d, 0, 0xf00, 4, (2u << 24) | 15);
	fill(0, &l, 4);
	assert_int_equal(l.lr[0].intid, 15);
	assert_int_equal(l.lr[3].intid, 3);
	l.lr[0].state = VGIC_LR_ACTIVE; /* taken, not ended */
	for (unsigned i = 0; i < 4; i++)
		vgic_lr_fold(&d, 0, &l.lr[i]);
	vgic_dist_write(&d, 0, 0x400, 1, 0x00); /* SGI 0 above everything */
	fill(0, &l, 4);
	assert_int_equal(l.lr[0].intid, 15); /* the active one keeps its place */
	assert_int_equal(l.lr[0].state, VGIC_LR_ACTIVE);
	assert_int_equal(l.lr[1].intid, 0);
}

/* Issue 14, hole 3: a vCPU that stops (PSCI CPU_OFF) gives back the SPIs it
 * held: a pending one to its other targets, an active one ended, and a
 * passed-through line to deactivate. */
static void stopped_vcpu_gives_spis_back(void **state)
{
	(void)state;
	struct lrs l;
	uint16_t hw[4];
	d.spi[1].hw_intid = 77; /* SPI 33 passed through */
	vgic_dist_write(&d, 0, 0x104, 4, 0x3);
	vgic_dist_write(&d, 0, 0x820, 4, 0x0302); /* 32 -> vCPU 1, 33 -> both */
	vgic_dist_write(&d, 0, 0x204, 4, 0x1);
	vgic_set_line(&d, 1, 33, true);
	fill(1, &l, 4);
	assert_int_equal(l.n, 2);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE); /* 33 is vCPU 1's now */
	l.lr[0].state = VGIC_LR_ACTIVE;                        /* 32 taken */
	vgic_lr_fold(&d, 1, &l.lr[0]);
	assert_int_equal(vgic_vcpu_release(&d, 1, false, hw, 4), 1);
	assert_int_equal(hw[0], 77);
	assert_false(vgic_irq_active(&d, 1, 32));
	assert_int_equal(vgic_next_pending(&d, 0), 33); /* for vCPU 0 now */
	vgic_lr_fold(&d, 1, &l.lr[1]);                  /* its stale list register: ignored */
	assert_int_equal(vgic_next_pending(&d, 0), 33);
}

/* SGIs become pending only through GICD_SGIR, never through ISPENDR0. */
static void sgi_pending_bits_are_not_writable(void **state)
{
	(void)state;
	vgic_dist_write(&d, 0, 0x200, 4, 0x0000ffff);
	assert_int_equal(vgic_dist_read(&d, 0, 0x200, 4) & 0xffff, 0);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
}

static void bad_accesses_read_zero_and_change_nothing(void **state)
{
	(void)state;
	assert_int_equal(vgic_dist_read(&d, 0, 0x102, 4), 0);  /* unaligned word */
	assert_int_equal(vgic_dist_read(&d, 0, 0x100, 1), 0);  /* byte on a word register */
	assert_int_equal(vgic_dist_read(&d, 0, 0x2000, 4), 0); /* outside the frame */
	assert_int_equal(vgic_dist_read(&d, 5, 0x100, 4), 0);  /* no such vCPU */
	vgic_dist_write(&d, 0, 0x104, 2, 0xffff);
	vgic_dist_write(&d, 7, 0x104, 4, 0xffff);
	vgic_dist_write(&d, 0, 0x1fc, 4, 0xffffffff); /* beyond the implemented interrupts */
	assert_int_equal(vgic_dist_read(&d, 0, 0x104, 4), 0);
	vgic_set_line(&d, 0, 5000, true);
	vgic_set_line(&d, 0, 3, true); /* SGIs are not lines */
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
}

/* Pending interrupts in every word of the distributor are found, lower
 * numbers first among equal priorities, wherever their word. */
static void next_pending_in_every_word(void **state)
{
	(void)state;
	vgic_dist_write(&d, 0, 0x100, 4, 1u << 27);    /* PPI 27 */
	vgic_dist_write(&d, 0, 0x10c, 4, 0x80000001u); /* SPIs 96 and 127 */
	vgic_dist_write(&d, 0, 0x41b, 1, 0x80);        /* PPI 27 below the SPIs (0) */
	vgic_dist_write(&d, 0, 0xc1c, 4, 0);           /* 112..127 level */
	vgic_set_line(&d, 0, 127, true);
	assert_int_equal(vgic_next_pending(&d, 0), 127);
	vgic_dist_write(&d, 0, 0x20c, 4, 0x1); /* ISPENDR3: 96 */
	assert_int_equal(vgic_next_pending(&d, 0), 96);
	vgic_set_line(&d, 0, 27, true);
	assert_int_equal(vgic_next_pending(&d, 0), 96);
	vgic_dist_write(&d, 0, 0x28c, 4, 0x1); /* ICPENDR3 */
	assert_int_equal(vgic_next_pending(&d, 0), 127);
	assert_int_equal(vgic_next_pending(&d, 1), VGIC_NONE); /* PPI 27 is vCPU 0's */
}

/* The distributor's answer as the GIC defines it: every interrupt looked at. */
static unsigned next_pending_by_scan(unsigned vcpu)
{
	unsigned best = VGIC_NONE, best_prio = 0x100;
	if (!d.enabled)
		return VGIC_NONE;
	for (unsigned i = 0; i < VGIC_IRQS; i++) {
		const struct vgic_irq *irq =
		        i < VGIC_PRIVATE ? &d.priv[vcpu][i] : &d.spi[i - VGIC_PRIVATE];
		bool pending = irq->pending || irq->sgi_sources ||
		               (irq->level_cfg && !irq->hw_intid && irq->line);
		if (!irq->enabled || irq->active || irq->in_lr || !pending)
			continue;
		if (i >= VGIC_PRIVATE && !(irq->targets & (1u << vcpu)))
			continue;
		if (irq->priority < best_prio) {
			best = i;
			best_prio = irq->priority;
		}
	}
	return best;
}

/* The busy bitmaps hold exactly the pending or active interrupts (a stale
 * bit would only cost time, a missing one an interrupt). */
static void assert_bitmaps_exact(void)
{
	for (unsigned i = 0; i < VGIC_IRQS; i++) {
		for (unsigned v = 0; v < 2; v++) {
			const struct vgic_irq *irq =
			        i < VGIC_PRIVATE ? &d.priv[v][i] : &d.spi[i - VGIC_PRIVATE];
			uint32_t word = i < VGIC_PRIVATE ? d.priv_busy[v]
			                                 : d.spi_busy[(i - VGIC_PRIVATE) / 32];
			bool busy = irq->pending || irq->sgi_sources || irq->active ||
			            (irq->level_cfg && !irq->hw_intid && irq->line);
			assert_int_equal((word >> (i % 32)) & 1, busy);
		}
	}
}

/* Random register writes, lines, SGIs and list register traffic: after
 * each, vgic_next_pending (which looks at pending interrupts alone) agrees
 * with the full scan. */
static void next_pending_agrees_with_a_full_scan(void **state)
{
	(void)state;
	unsigned seed = 12345;
	struct lrs lrs[2] = {0};
	for (unsigned step = 0; step < 20000; step++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = seed >> 8, vcpu = r & 1, intid = (r >> 1) % VGIC_IRQS;
		uint32_t bit = 1u << (intid % 32), word = 4 * (intid / 32);
		switch ((r >> 9) % 12) {
		case 0: vgic_dist_write(&d, vcpu, 0x100 + word, 4, bit); break;
		case 1: vgic_dist_write(&d, vcpu, 0x180 + word, 4, bit); break;
		case 2: vgic_dist_write(&d, vcpu, 0x200 + word, 4, bit); break;
		case 3: vgic_dist_write(&d, vcpu, 0x280 + word, 4, bit); break;
		case 4: vgic_set_line(&d, vcpu, intid, (r >> 13) & 1); break;
		case 5:
			vgic_dist_write(&d, vcpu, 0xf00, 4,
			                ((r >> 13) & 3) << 24 | 3u << 16 | (intid & 15));
			break;
		case 6:
			fold_as(vcpu, &lrs[vcpu], VGIC_LR_PENDING);
			fill(vcpu, &lrs[vcpu], 4);
			break;
		case 7:
		case 8:
		case 9: fold_as(vcpu, &lrs[vcpu], (r >> 13) & 3); break;
		case 10: vgic_dist_write(&d, vcpu, 0x400 + intid, 1, r >> 16); break;
		default: vgic_dist_write(&d, vcpu, 0x800 + intid, 1, r >> 16); break;
		}
		for (unsigned v = 0; v < 2; v++)
			assert_int_equal(vgic_next_pending(&d, v), next_pending_by_scan(v));
		assert_bitmaps_exact();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(typer_and_ctlr, setup),
	        cmocka_unit_test_setup(enable_set_and_clear, setup),
	        cmocka_unit_test_setup(pending_and_active, setup),
	        cmocka_unit_test_setup(priorities_are_bytes_with_five_bits, setup),
	        cmocka_unit_test_setup(targets_of_spis_and_private_interrupts, setup),
	        cmocka_unit_test_setup(config_edge_or_level, setup),
	        cmocka_unit_test_setup(sgis_go_to_their_targets, setup),
	        cmocka_unit_test_setup(next_pending_follows_priority_and_targets, setup),
	        cmocka_unit_test_setup(edge_consumed_level_follows_its_line, setup),
	        cmocka_unit_test_setup(list_register_second_edge_comes_next, setup),
	        cmocka_unit_test_setup(list_register_sgi_sources_one_at_a_time, setup),
	        cmocka_unit_test_setup(vtimer_is_hardware_level_line, setup),
	        cmocka_unit_test_setup(icpendr_does_not_lower_a_high_line, setup),
	        cmocka_unit_test_setup(writes_reach_list_registers, setup),
	        cmocka_unit_test_setup(active_left_behind_is_cleared_by_icactiver, setup),
	        cmocka_unit_test_setup(fill_keeps_the_best_and_says_what_is_left, setup),
	        cmocka_unit_test_setup(sgi_sources_set_and_cleared_by_byte, setup),
	        cmocka_unit_test_setup(reset_drops_the_timer_event, setup),
	        cmocka_unit_test_setup(id_registers_describe_a_gic400, setup),
	        cmocka_unit_test_setup(a_line_dropped_while_edge_is_low_when_level_again, setup),
	        cmocka_unit_test_setup(system_reset_keeps_only_the_wiring, setup),
	        cmocka_unit_test_setup(stopped_vcpu_gives_spis_back, setup),
	        cmocka_unit_test_setup(level_line_ended_while_high_comes_back, setup),
	        cmocka_unit_test_setup(sgi_pending_bits_are_not_writable, setup),
	        cmocka_unit_test_setup(bad_accesses_read_zero_and_change_nothing, setup),
	        cmocka_unit_test_setup(next_pending_in_every_word, setup),
	        cmocka_unit_test_setup(next_pending_agrees_with_a_full_scan, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
