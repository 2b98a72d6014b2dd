/* SPDX-License-Identifier: MIT */
/* Kernel log: line format, level threshold, ring buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <fake_arch.h>
#include <keel/log.h>

static int reset(void **state)
{
	(void)state;
	fake_console_clear();
	log_set_level(LOG_INFO);
	fake_arch.counter_freq = 1000000;
	fake_arch.counter = 0;
	return 0;
}

static void line_has_time_level_and_prefix(void **state)
{
	(void)state;
	fake_arch.counter = 3500123; /* 3.500123 s at 1 MHz */
	log_info("smp", "cpu%u online", 2u);
	assert_string_equal(fake_arch.console, "[    3.500123] I smp: cpu2 online\n");
	fake_console_clear();
	log_err("mmu", "x");
	assert_string_equal(fake_arch.console, "[    3.500123] E mmu: x\n");
}

static void threshold_filters_console_not_ring(void **state)
{
	(void)state;
	log_debug("test", "hidden-debug-line");
	assert_string_equal(fake_arch.console, "");
	char ring[LOG_RING_SIZE];
	log_read_ring(ring, sizeof(ring));
	assert_non_null(strstr(ring, "D test: hidden-debug-line\n"));

	log_set_level(LOG_DEBUG);
	log_debug("test", "shown");
	assert_non_null(strstr(fake_arch.console, "D test: shown"));
	log_set_level(LOG_ERROR);
	fake_console_clear();
	log_warn("test", "quiet");
	assert_string_equal(fake_arch.console, "");
	assert_int_equal(log_get_level(), LOG_ERROR);
}

static void long_lines_are_cut_but_keep_newline(void **state)
{
	(void)state;
	char big[400];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("test", "%s", big);
	size_t len = strlen(fake_arch.console);
	assert_int_equal(len, LOG_LINE_MAX - 1);
	assert_int_equal(fake_arch.console[len - 1], '\n');
}

static void ring_keeps_the_newest_bytes(void **state)
{
	(void)state;
	for (int i = 0; i < 500; i++)
		log_info("ring", "message %03d", i);
	char ring[LOG_RING_SIZE + 1];
	size_t n = log_read_ring(ring, sizeof(ring));
	assert_int_equal(n, LOG_RING_SIZE);
	assert_non_null(strstr(ring, "message 499\n"));
	assert_null(strstr(ring, "message 000\n"));

	char small[32];
	n = log_read_ring(small, sizeof(small));
	assert_int_equal(n, 31);
	assert_string_equal(small + 31 - 12, "message 499\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(line_has_time_level_and_prefix, reset),
	        cmocka_unit_test_setup(threshold_filters_console_not_ring, reset),
	        cmocka_unit_test_setup(long_lines_are_cut_but_keep_newline, reset),
	        cmocka_unit_test_setup(ring_keeps_the_newest_bytes, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
