/* SPDX-License-Identifier: MIT */
/* The kernel's formatter against the host C library's, conversion by conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <keel/fmt.h>

#define SAME(...)                                                                                  \
	do {                                                                                       \
		char want[128], got[128];                                                          \
		int wn = snprintf(want, sizeof(want), __VA_ARGS__);                                \
		int gn = fmt_snprintf(got, sizeof(got), __VA_ARGS__);                              \
		assert_string_equal(got, want);                                                    \
		assert_int_equal(gn, wn);                                                          \
	} while (0)

/* No format attribute: the edge cases below are wrong on purpose. */
static int unchecked_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void conversions_match_libc(void **state)
{
	(void)state;
	SAME("plain text");
	SAME("%d %d %d", 0, -1, 2147483647);
	SAME("%d", (int)-2147483647 - 1);
	SAME("%i|%5d|%-5d|%05d", 42, 42, 42, 42);
	SAME("%05d", -42);
	SAME("%u %x %X", 4000000000u, 0xdeadbeefu, 0xdeadbeefu);
	SAME("%lx %llx", 0x123456789abcdefUL, 0xfedcba9876543210ULL);
	SAME("%lld %llu", (long long)-9223372036854775807LL - 1, 18446744073709551615ULL);
	SAME("%zu %zx", (size_t)12345, (size_t)0xabc);
	SAME("%016llx", 0xdead0000ULL);
	SAME("%s|%8s|%-8s|", "abc", "abc", "abc");
	SAME("%c%c%c", 'k', 'e', 'l');
	SAME("100%%");
	SAME("%-2u|x%-2u", 3u, 30u);
}

static void pointers_are_zero_padded_hex(void **state)
{
	(void)state;
	char buf[32];
	fmt_snprintf(buf, sizeof(buf), "%p", (void *)(uintptr_t)0x40200000);
	assert_string_equal(buf, "0x0000000040200000");
}

static void null_string_is_printed_safely(void **state)
{
	(void)state;
	char buf[32];
	unchecked_fmt(buf, sizeof(buf), "[%s]", (const char *)NULL);
	assert_string_equal(buf, "[(null)]");
}

static void truncates_and_terminates(void **state)
{
	(void)state;
	char buf[8];
	memset(buf, 'X', sizeof(buf));
	int n = fmt_snprintf(buf, sizeof(buf), "%s-%d", "abcdef", 12345);
	assert_int_equal(n, 12);
	assert_string_equal(buf, "abcdef-");
	assert_int_equal(fmt_snprintf(buf, 0, "%d", 7), 1);
	assert_int_equal(buf[0], 'a'); /* size 0: nothing written */
}

static void trailing_percent_is_dropped(void **state)
{
	(void)state;
	char buf[16];
	const char *fmt = "ab%";
	assert_int_equal(unchecked_fmt(buf, sizeof(buf), fmt), 2);
	assert_string_equal(buf, "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(conversions_match_libc),
	        cmocka_unit_test(pointers_are_zero_padded_hex),
	        cmocka_unit_test(null_string_is_printed_safely),
	        cmocka_unit_test(truncates_and_terminates),
	        cmocka_unit_test(trailing_percent_is_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
