/* SPDX-License-Identifier: MIT */
/*
 * devemu's state record (services/devemu/devemu_state.c): what one
 * version writes the next reads back field for field, format 1 converts
 * into format 2 and back (an upgrade and its rollback), and a record that
 * is the wrong size, of an unknown format or inconsistent (indices that
 * would index out of bounds, a slot outside the cspace) is refused and
 * changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "devemu_state.h"

#include <keel/devctl.h>

static struct devemu *a, *b;
static uint8_t rec[sizeof(struct devemu_rec_v2) + 16];
static char why[120];

/* A devemu with two guests mid-conversation: bytes in both FIFOs, an
 * interrupt raised, counters running. */
static struct devemu *busy_devemu(void)
{
	struct devemu *d = calloc(1, sizeof(*d));
	d->chan = calloc(1, sizeof(*d->chan));
	devemu_guest_add(d, 1, "mvm", 40);
	devemu_guest_add(d, 2, "gvm", 41);
	for (const char *s = "hello"; *s; s++)
		pl011_write(&d->g[1].uart, PL011_DR, 1, (uint8_t)*s);
	pl011_write(&d->g[2].uart, PL011_IMSC, 4, PL011_INT_RX);
	pl011_rx_push(&d->g[2].uart, 'k');
	d->g[2].irq_level = true;
	d->g[3].state = DEVEMU_GUEST_GONE;
	d->exits = 1234;
	d->kicks = 56;
	d->strays = 7;
	d->controls = 8;
	d->imports = 3;
	return d;
}

static int setup(void **state)
{
	(void)state;
	a = busy_devemu();
	b = calloc(1, sizeof(*b));
	b->chan = a->chan; /* the successor maps the same channel */
	b->ep = 9;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(a->chan);
	free(a);
	free(b);
	return 0;
}

static void guests_equal(const struct devemu *x, const struct devemu *y)
{
	for (unsigned n = 0; n <= CONCHAN_GUESTS; n++) {
		assert_int_equal(x->g[n].state, y->g[n].state);
		assert_int_equal(x->g[n].irq_level, y->g[n].irq_level);
		assert_int_equal(x->g[n].gen, y->g[n].gen);
		assert_int_equal(x->g[n].vm, y->g[n].vm);
		assert_memory_equal(&x->g[n].uart, &y->g[n].uart, sizeof(struct pl011));
	}
	assert_int_equal(x->exits, y->exits);
	assert_int_equal(x->strays, y->strays);
}

static void same_format_round_trip(void **state)
{
	(void)state;
	size_t len;
	assert_int_equal(devemu_state_export(a, 2, 2, rec, sizeof(rec), &len), 0);
	assert_int_equal(len, sizeof(struct devemu_rec_v2));
	assert_int_equal(devemu_state_import(b, 2, 2, rec, len, why, sizeof(why)), 0);
	guests_equal(a, b);
	assert_int_equal(b->imports, 3);
	/* What is not state stays the successor's own. */
	assert_int_equal(b->ep, 9);
	/* The guest goes on where it was: the bytes it wrote are still there. */
	uint8_t out[8];
	assert_int_equal(pl011_tx_peek(&b->g[1].uart, out, sizeof(out)), 5);
	assert_memory_equal(out, "hello", 5);
}

static void format_1_converts_to_2_and_back(void **state)
{
	(void)state;
	size_t len;
	/* devemu 1.0 writes format 1; 1.1 reads it (no import count yet). */
	assert_int_equal(devemu_state_export(a, 1, 1, rec, sizeof(rec), &len), 0);
	assert_int_equal(len, sizeof(struct devemu_rec_v1));
	assert_int_equal(devemu_state_import(b, 1, 2, rec, len, why, sizeof(why)), 0);
	guests_equal(a, b);
	assert_int_equal(b->imports, 0);
	/* Rolling back: 1.1 writes format 1 for 1.0, which reads it. */
	memset(rec, 0, sizeof(rec));
	assert_int_equal(devemu_state_export(b, 1, 2, rec, sizeof(rec), &len), 0);
	assert_int_equal(len, sizeof(struct devemu_rec_v1));
	struct devemu c = {0};
	assert_int_equal(devemu_state_import(&c, 1, 1, rec, len, why, sizeof(why)), 0);
	guests_equal(a, &c);
	/* 1.0 cannot write or read format 2. */
	assert_int_equal(devemu_state_export(a, 2, 1, rec, sizeof(rec), &len), -1);
	assert_int_equal(devemu_state_import(&c, 2, 1, rec, len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "state format 2, this build reads 1..1"));
}

static void refuse(size_t len, uint32_t format, const char *message)
{
	struct devemu before = *b;
	assert_int_equal(devemu_state_import(b, format, 2, rec, len, why, sizeof(why)), -1);
	if (!strstr(why, message))
		fail_msg("'%s' not in '%s'", message, why);
	assert_memory_equal(&before, b, sizeof(before));
}

static void inconsistent_records_change_nothing(void **state)
{
	(void)state;
	size_t len;
	struct devemu_rec_v2 *r = (struct devemu_rec_v2 *)rec;
	devemu_state_export(a, 2, 2, rec, sizeof(rec), &len);
	refuse(len - 1, 2, "format 2 record of");
	refuse(len, 3, "state format 3");
	refuse(sizeof(struct devemu_rec_v1), 2, "format 2 record of");
	r->v1.guests = 4;
	refuse(len, 2, "record for 4 guest slots");
	devemu_state_export(a, 2, 2, rec, sizeof(rec), &len);
	r->v1.g[1].uart.tx_count = PL011_TX_BUF + 1;
	refuse(len, 2, "guest 1's record is inconsistent");
	devemu_state_export(a, 2, 2, rec, sizeof(rec), &len);
	r->v1.g[2].uart.rx_head = PL011_FIFO_DEPTH;
	refuse(len, 2, "guest 2's record is inconsistent");
	devemu_state_export(a, 2, 2, rec, sizeof(rec), &len);
	r->v1.g[5].state = 9;
	refuse(len, 2, "guest 5's record is inconsistent");
	devemu_state_export(a, 2, 2, rec, sizeof(rec), &len);
	r->v1.g[1].vm = 64;
	refuse(len, 2, "guest 1's record is inconsistent");
}

/* A PL011's flag holding neither 0 nor 1 is no bool: the successor's
 * first look at it would be undefined (found by fuzz.lurecord). */
static void bool_fields_must_be_bools(void **state)
{
	(void)state;
	size_t len;
	const uint8_t five = 5;
	devemu_state_export(a, 2, 2, rec, sizeof(rec), &len);
	memcpy(rec + offsetof(struct devemu_rec_v2, v1.g[1].uart.tx_cleared), &five, 1);
	refuse(len, 2, "guest 1's record is inconsistent");
}

static void export_refuses_small_buffers(void **state)
{
	(void)state;
	size_t len = 0;
	assert_int_equal(devemu_state_export(a, 2, 2, rec, sizeof(struct devemu_rec_v2) - 1, &len),
	                 -1);
	assert_int_equal(devemu_state_export(a, 0, 2, rec, sizeof(rec), &len), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(same_format_round_trip, setup, teardown),
	        cmocka_unit_test_setup_teardown(format_1_converts_to_2_and_back, setup, teardown),
	        cmocka_unit_test_setup_teardown(inconsistent_records_change_nothing, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(bool_fields_must_be_bools, setup, teardown),
	        cmocka_unit_test_setup_teardown(export_refuses_small_buffers, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
