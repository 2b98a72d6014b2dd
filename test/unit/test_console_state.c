/* SPDX-License-Identifier: MIT */
/*
 * The console's state record (services/console/console_state.c): the
 * successor gets every field (the line being typed, focus, guests, their
 * kept output), and a record of the wrong size or format, or one whose
 * indices or addresses are not this console's, is refused and changes
 * nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "console_state.h"

static struct console *a, *b;
static uint8_t rec[sizeof(struct console) + 16];
static char why[120];

static int setup(void **state)
{
	(void)state;
	a = calloc(1, sizeof(*a));
	b = calloc(1, sizeof(*b));
	a->uart_va = b->uart_va = 0x30000000;
	a->chan = b->chan = (struct conchan *)0x31000000;
	memcpy(a->line, "keelctl li", 10);
	a->line_len = 10;
	a->focus = 2;
	a->log_seq = 98765;
	a->gen[2] = 3;
	strcpy(a->name[2], "gvm");
	a->history[2].count = 5;
	memcpy(a->history[2].buf, "hello", 5);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(a);
	free(b);
	return 0;
}

static void round_trip(void **state)
{
	(void)state;
	size_t len;
	assert_int_equal(console_state_export(a, 1, rec, sizeof(rec), &len), 0);
	assert_int_equal(len, sizeof(struct console));
	assert_int_equal(console_state_import(b, 1, rec, len, why, sizeof(why)), 0);
	assert_memory_equal(a, b, sizeof(*a));
	assert_int_equal(console_state_export(a, 2, rec, sizeof(rec), &len), -1);
	assert_int_equal(console_state_export(a, 1, rec, sizeof(*a) - 1, &len), -1);
}

static void refuse(size_t len, uint32_t format, const char *message)
{
	struct console before = *b;
	assert_int_equal(console_state_import(b, format, rec, len, why, sizeof(why)), -1);
	if (!strstr(why, message))
		fail_msg("'%s' not in '%s'", message, why);
	assert_memory_equal(&before, b, sizeof(before));
}

static void bad_records_change_nothing(void **state)
{
	(void)state;
	size_t len;
	struct console *r = (struct console *)rec;
	console_state_export(a, 1, rec, sizeof(rec), &len);
	refuse(len - 1, 1, "format 1 record of");
	refuse(len, 2, "format 2 record");
	r->line_len = CONSOLE_LINE_MAX;
	refuse(len, 1, "inconsistent");
	console_state_export(a, 1, rec, sizeof(rec), &len);
	r->focus = CONCHAN_GUESTS + 1;
	refuse(len, 1, "inconsistent");
	console_state_export(a, 1, rec, sizeof(rec), &len);
	r->chan = (struct conchan *)0x32000000;
	refuse(len, 1, "inconsistent");
	console_state_export(a, 1, rec, sizeof(rec), &len);
	memset(r->name[4], 'x', CONCHAN_NAME);
	refuse(len, 1, "inconsistent");
}

/* Its flags must hold 0 or 1: anything else is no bool, and the
 * console's first test of it would be undefined (found by fuzz.lurecord). */
static void bool_fields_must_be_bools(void **state)
{
	(void)state;
	static const size_t flags[] = {offsetof(struct console, prompt_shown),
	                               offsetof(struct console, escape),
	                               offsetof(struct console, kick)};
	const uint8_t two = 2;
	size_t len;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		console_state_export(a, 1, rec, sizeof(rec), &len);
		memcpy(rec + flags[i], &two, 1);
		refuse(len, 1, "inconsistent");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
	        cmocka_unit_test_setup_teardown(bad_records_change_nothing, setup, teardown),
	        cmocka_unit_test_setup_teardown(bool_fields_must_be_bools, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
