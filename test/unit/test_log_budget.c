/* SPDX-License-Identifier: MIT */
/* A partition's log budget: a burst of lines, then one per interval; the
 * lines over it are dropped, and counted in the next line that fits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <fake_arch.h>
#include <keel/log.h>
#include <keel/log_budget.h>
#include <keel/partition.h>

static struct partition part;

static int reset(void **state)
{
	(void)state;
	fake_arch_reset(); /* 1 MHz counter at 0 */
	fake_console_clear();
	log_set_level(LOG_INFO);
	memset(&part, 0, sizeof(part));
	strcpy(part.name, "flood");
	return 0;
}

static unsigned count(const char *needle)
{
	unsigned n = 0;
	for (const char *s = fake_arch.console; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

static void flood(unsigned lines)
{
	for (unsigned i = 0; i < lines; i++)
		log_partition_line(&part, "x");
}

static void burst_then_dropped(void **state)
{
	(void)state;
	flood(LOG_BUDGET_BURST + 100);
	assert_int_equal(count("I flood: x\n"), LOG_BUDGET_BURST);
	assert_int_equal(part.log_budget.dropped, 100);
}

static void refills_one_line_per_interval_and_reports_drops(void **state)
{
	(void)state;
	flood(LOG_BUDGET_BURST + 7);
	fake_console_clear();
	fake_arch.counter += LOG_BUDGET_LINE_US - 1; /* not quite one line's worth */
	flood(1);
	assert_int_equal(count("I flood: x\n"), 0);
	fake_arch.counter += 1;
	flood(2);
	assert_int_equal(count("I flood: x\n"), 1);
	assert_non_null(strstr(fake_arch.console, "W flood: 8 line(s) dropped"));
	assert_int_equal(part.log_budget.dropped, 1);
}

static void quiet_partition_gets_its_burst_back(void **state)
{
	(void)state;
	flood(LOG_BUDGET_BURST);
	fake_arch.counter += (uint64_t)LOG_BUDGET_BURST * LOG_BUDGET_LINE_US;
	fake_console_clear();
	flood(LOG_BUDGET_BURST);
	assert_int_equal(count("I flood: x\n"), LOG_BUDGET_BURST);
	assert_int_equal(part.log_budget.dropped, 0);
}

static void sustained_rate_is_bounded(void **state)
{
	(void)state;
	struct log_budget b = {0};
	unsigned taken = 0;

	/* 10 s of a line every 10 us: the burst, then one line a millisecond. */
	for (uint64_t now = 0; now < 10000000; now += 10)
		taken += log_budget_take(&b, now, LOG_BUDGET_LINE_US);
	assert_in_range(taken, LOG_BUDGET_BURST + 9999, LOG_BUDGET_BURST + 10001);
	assert_int_equal(b.dropped, 1000000 - taken);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(burst_then_dropped, reset),
	        cmocka_unit_test_setup(refills_one_line_per_interval_and_reports_drops, reset),
	        cmocka_unit_test_setup(quiet_partition_gets_its_burst_back, reset),
	        cmocka_unit_test_setup(sustained_rate_is_bounded, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
