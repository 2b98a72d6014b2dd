/* SPDX-License-Identifier: MIT */
/* Decoding a guest data abort's syndrome (kernel/arch/aarch64/include/arch/esr.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <arch/esr.h>

/* EC 0x24 (data abort from a lower level), IL, and the ISS fields given. */
static uint64_t dabt(unsigned sas, bool sse, unsigned srt, bool sf, bool wnr)
{
	return (0x24ull << 26) | (1ull << 25) | ESR_ISV | ((uint64_t)sas << 22) |
	       ((uint64_t)sse << 21) | ((uint64_t)srt << 16) | ((uint64_t)sf << 15) |
	       ((uint64_t)wnr << 6) | 0x07; /* DFSC: translation fault, level 3 */
}

static void store_word_from_w3(void **state)
{
	(void)state;
	struct dabt_access a;
	assert_true(esr_dabt_decode(dabt(2, false, 3, false, true), &a));
	assert_int_equal(a.reg, 3);
	assert_int_equal(a.width, 4);
	assert_true(a.write);
	assert_false(a.sign_extend);
}

static void load_byte_halfword_double(void **state)
{
	(void)state;
	struct dabt_access a;
	assert_true(esr_dabt_decode(dabt(0, false, 0, false, false), &a));
	assert_int_equal(a.width, 1);
	assert_false(a.write);
	assert_true(esr_dabt_decode(dabt(1, false, 30, false, false), &a));
	assert_int_equal(a.width, 2);
	assert_int_equal(a.reg, 30);
	assert_true(esr_dabt_decode(dabt(3, false, 7, true, false), &a));
	assert_int_equal(a.width, 8);
	assert_true(a.reg64);
}

static void zero_register_is_31(void **state)
{
	(void)state;
	struct dabt_access a;
	assert_true(esr_dabt_decode(dabt(2, false, 31, false, true), &a));
	assert_int_equal(a.reg, ESR_REG_XZR);
}

static void no_syndrome_is_refused(void **state)
{
	(void)state;
	struct dabt_access a = {.reg = 99};
	uint64_t esr = dabt(2, false, 3, false, true) & ~ESR_ISV;
	assert_false(esr_dabt_decode(esr, &a));
	assert_int_equal(a.reg, 99); /* untouched */
}

static void load_values_are_truncated_or_sign_extended(void **state)
{
	(void)state;
	struct dabt_access a;
	esr_dabt_decode(dabt(0, false, 1, false, false), &a); /* ldrb w1 */
	assert_int_equal(dabt_load_value(&a, 0x1234ff), 0xff);
	esr_dabt_decode(dabt(0, true, 1, false, false), &a); /* ldrsb w1 */
	assert_int_equal(dabt_load_value(&a, 0x80), 0xffffff80u);
	esr_dabt_decode(dabt(1, true, 1, true, false), &a); /* ldrsh x1 */
	assert_int_equal(dabt_load_value(&a, 0x8001), 0xffffffffffff8001ull);
	esr_dabt_decode(dabt(2, true, 1, true, false), &a); /* ldrsw x1, positive */
	assert_int_equal(dabt_load_value(&a, 0x7fffffff), 0x7fffffff);
	esr_dabt_decode(dabt(3, false, 1, true, false), &a); /* ldr x1 */
	assert_int_equal(dabt_load_value(&a, 0x8877665544332211ull), 0x8877665544332211ull);
}

static void stores_never_sign_extend(void **state)
{
	(void)state;
	struct dabt_access a;
	assert_true(esr_dabt_decode(dabt(0, true, 1, false, true), &a));
	assert_false(a.sign_extend);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(store_word_from_w3),
	        cmocka_unit_test(load_byte_halfword_double),
	        cmocka_unit_test(zero_register_is_31),
	        cmocka_unit_test(no_syndrome_is_refused),
	        cmocka_unit_test(load_values_are_truncated_or_sign_extended),
	        cmocka_unit_test(stores_never_sign_extend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
