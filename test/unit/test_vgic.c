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
	vgic_dist_write(&d, 0, 0xf00, 4, (0x2u << 16) | 5); /* SGI 5 to vCPU 1 */
	assert_int_equal(vgic_next_pending(&d, 1), 5);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	vgic_dist_write(&d, 1, 0xf00, 4, (1u << 24) | 3); /* all but self */
	assert_int_equal(vgic_next_pending(&d, 0), 3);
	vgic_dist_write(&d, 1, 0xf00, 4, (2u << 24) | 7); /* self only */
	assert_int_equal(vgic_dist_read(&d, 1, 0x200, 4) & 0xff, 0xa0);
	vgic_acknowledge(&d, 1, 5);
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

static void acknowledge_and_deactivate(void **state)
{
	(void)state;
	vgic_dist_write(&d, 0, 0x104, 4, 0x3);
	vgic_dist_write(&d, 0, 0xc08, 4, 0x2); /* 32 edge, 33 level */
	vgic_set_line(&d, 0, 32, true);
	vgic_acknowledge(&d, 0, 32);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE); /* active, not pending */
	vgic_deactivate(&d, 0, 32);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE); /* edge: consumed */

	vgic_set_line(&d, 0, 33, true);
	vgic_acknowledge(&d, 0, 33);
	vgic_deactivate(&d, 0, 33);
	assert_int_equal(vgic_next_pending(&d, 0), 33); /* level: line still high */
	vgic_set_line(&d, 0, 33, false);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
}

/* An edge interrupt in a list register is no longer offered; the guest's
 * end of it (the list register going invalid) makes room for the next. */
static void list_register_take_and_done_edge(void **state)
{
	(void)state;
	vgic_dist_write(&d, 0, 0x104, 4, 0x1); /* SPI 32 enabled, edge */
	vgic_set_line(&d, 0, 32, true);
	assert_int_equal(vgic_next_pending(&d, 0), 32);
	assert_int_equal(vgic_lr_take(&d, 0, 32), 0);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	vgic_set_line(&d, 0, 32, true); /* a second edge while in the list register */
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	vgic_lr_done(&d, 0, 32);
	assert_int_equal(vgic_next_pending(&d, 0), 32); /* the second edge comes next */
	vgic_lr_take(&d, 0, 32);
	vgic_lr_done(&d, 0, 32);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
}

/* A level interrupt whose line is still high when the guest ends it comes back. */
static void list_register_level_returns_while_asserted(void **state)
{
	(void)state;
	vgic_dist_write(&d, 0, 0x104, 4, 0x2); /* SPI 33 */
	vgic_dist_write(&d, 0, 0xc08, 4, 0x0); /* level */
	vgic_set_line(&d, 0, 33, true);
	vgic_lr_take(&d, 0, 33);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	vgic_lr_done(&d, 0, 33);
	assert_int_equal(vgic_next_pending(&d, 0), 33);
	vgic_lr_take(&d, 0, 33);
	vgic_set_line(&d, 0, 33, false);
	vgic_lr_done(&d, 0, 33);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
}

/* Each SGI source gets its own delivery, the list register naming it. */
static void list_register_sgi_sources_one_at_a_time(void **state)
{
	(void)state;
	vgic_dist_write(&d, 0, 0xf00, 4, (1u << 16) | 3); /* vCPU 0 -> vCPU 0, SGI 3 */
	vgic_dist_write(&d, 1, 0xf00, 4, (1u << 16) | 3); /* vCPU 1 -> vCPU 0, SGI 3 */
	assert_int_equal(vgic_next_pending(&d, 0), 3);
	assert_int_equal(vgic_lr_take(&d, 0, 3), 0);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	vgic_lr_done(&d, 0, 3);
	assert_int_equal(vgic_next_pending(&d, 0), 3);
	assert_int_equal(vgic_lr_take(&d, 0, 3), 1);
	vgic_lr_done(&d, 0, 3);
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	assert_int_equal(vgic_irq_targets(&d, 1, 3), 2);
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
	vgic_lr_take(&d, 0, 127);
	assert_int_equal(vgic_next_pending(&d, 0), 27);
	vgic_lr_take(&d, 0, 27); /* the timer: raised once per event */
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	/* In a list register: 127's line is still high, 27 was taken. */
	assert_true(vgic_irq_pending(&d, 0, 127));
	assert_false(vgic_irq_pending(&d, 0, 27));
	vgic_set_line(&d, 0, 27, true); /* the timer again, before the guest ended it */
	assert_true(vgic_irq_pending(&d, 0, 27));
	assert_false(vgic_irq_pending(&d, 1, 27));
	assert_int_equal(vgic_next_pending(&d, 0), VGIC_NONE);
	vgic_lr_done(&d, 0, 127); /* level, its line still high */
	assert_int_equal(vgic_next_pending(&d, 0), 127);
	vgic_lr_done(&d, 0, 27);
	vgic_dist_write(&d, 0, 0x18c, 4, 0x80000000u); /* 127 disabled */
	assert_int_equal(vgic_next_pending(&d, 0), 27);
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
		bool pending = irq->pending || irq->sgi_sources;
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

/* The pending bitmaps hold exactly the pending interrupts (a stale bit
 * would only cost time, a missing one an interrupt). */
static void assert_bitmaps_exact(void)
{
	for (unsigned i = 0; i < VGIC_IRQS; i++) {
		for (unsigned v = 0; v < 2; v++) {
			const struct vgic_irq *irq =
			        i < VGIC_PRIVATE ? &d.priv[v][i] : &d.spi[i - VGIC_PRIVATE];
			uint32_t word = i < VGIC_PRIVATE ? d.priv_pending[v]
			                                 : d.spi_pending[(i - VGIC_PRIVATE) / 32];
			assert_int_equal((word >> (i % 32)) & 1, irq->pending || irq->sgi_sources);
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
		case 6: vgic_acknowledge(&d, vcpu, intid); break;
		case 7: vgic_deactivate(&d, vcpu, intid); break;
		case 8: vgic_lr_take(&d, vcpu, intid); break;
		case 9: vgic_lr_done(&d, vcpu, intid); break;
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
	        cmocka_unit_test_setup(acknowledge_and_deactivate, setup),
	        cmocka_unit_test_setup(list_register_take_and_done_edge, setup),
	        cmocka_unit_test_setup(list_register_level_returns_while_asserted, setup),
	        cmocka_unit_test_setup(list_register_sgi_sources_one_at_a_time, setup),
	        cmocka_unit_test_setup(sgi_pending_bits_are_not_writable, setup),
	        cmocka_unit_test_setup(bad_accesses_read_zero_and_change_nothing, setup),
	        cmocka_unit_test_setup(next_pending_in_every_word, setup),
	        cmocka_unit_test_setup(next_pending_agrees_with_a_full_scan, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
