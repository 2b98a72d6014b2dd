/* SPDX-License-Identifier: MIT */
/*
 * State records of the live-update protocol (libs/keel/lurecord.c): what
 * one instance seals the next one opens, and a record that is short, not a
 * record, another service's, of a format the reader does not know, or
 * changed in transit is refused with a reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <keel/lifecycle.h>

#define HDR sizeof(struct keel_lu_record_hdr)

static uint8_t buf[256];
static char why[120];
static const void *payload;
static uint32_t format;
static size_t len;

static size_t seal_hello(uint32_t fmt)
{
	memset(buf, 0, sizeof(buf));
	memcpy(buf + HDR, "hello state", 11);
	return keel_lu_record_seal(buf, sizeof(buf), "devemu", fmt, 11);
}

static int open_as(size_t total, const char *service, uint32_t max_format)
{
	return keel_lu_record_open(buf, total, service, max_format, &payload, &format, &len, why,
	                           sizeof(why));
}

static void refused(int rc, const char *message)
{
	assert_int_equal(rc, -1);
	if (!strstr(why, message))
		fail_msg("'%s' not in '%s'", message, why);
}

static void sealed_record_opens(void **state)
{
	(void)state;
	size_t total = seal_hello(2);
	assert_int_equal(total, HDR + 11);
	assert_int_equal(open_as(total, "devemu", 2), 0);
	assert_int_equal(format, 2);
	assert_int_equal(len, 11);
	assert_ptr_equal(payload, buf + HDR);
	assert_memory_equal(payload, "hello state", 11);
	/* A reader of newer formats takes older ones. */
	assert_int_equal(open_as(total, "devemu", 5), 0);
}

static void seal_refuses_what_does_not_fit(void **state)
{
	(void)state;
	assert_int_equal(keel_lu_record_seal(buf, HDR - 1, "devemu", 1, 0), 0);
	assert_int_equal(keel_lu_record_seal(buf, HDR + 10, "devemu", 1, 11), 0);
	assert_int_equal(keel_lu_record_seal(buf, HDR + 11, "devemu", 1, 11), HDR + 11);
}

static void bad_records_are_refused(void **state)
{
	(void)state;
	size_t total = seal_hello(2);
	refused(open_as(HDR - 1, "devemu", 2), "shorter than its header");
	refused(open_as(total - 1, "devemu", 2), "truncated: 10 payload bytes, 11 announced");
	refused(open_as(total, "console", 2), "of service 'devemu', not 'console'");
	refused(open_as(total, "devemu", 1), "state format 2, this version reads 1..1");
	buf[HDR + 3] ^= 0x20;
	refused(open_as(total, "devemu", 2), "checksum mismatch");
	seal_hello(2);
	buf[0] ^= 1;
	refused(open_as(total, "devemu", 2), "no state record");
	total = seal_hello(0);
	refused(open_as(total, "devemu", 2), "state format 0");
}

static struct keel_lu_ckpt ckpt;

static void write_ckpt(uint64_t seq, const char *text)
{
	struct keel_lu_ckpt_slot *s = keel_lu_ckpt_begin(&ckpt, seq);
	memcpy(s->data, text, strlen(text));
	keel_lu_ckpt_end(s, seq, 1, strlen(text));
}

static void newest_checkpoint_wins(void **state)
{
	(void)state;
	memset(&ckpt, 0, sizeof(ckpt));
	assert_null(keel_lu_ckpt_newest(&ckpt));
	write_ckpt(1, "one");
	assert_memory_equal(keel_lu_ckpt_newest(&ckpt)->data, "one", 3);
	write_ckpt(2, "two");
	write_ckpt(3, "three");
	const struct keel_lu_ckpt_slot *s = keel_lu_ckpt_newest(&ckpt);
	assert_int_equal(s->seq, 3);
	assert_int_equal(s->len, 5);
	assert_memory_equal(s->data, "three", 5);
}

/* A crash between begin and end: the slot being written is not taken,
 * the one before it is. */
static void torn_checkpoint_falls_back(void **state)
{
	(void)state;
	memset(&ckpt, 0, sizeof(ckpt));
	write_ckpt(1, "one");
	write_ckpt(2, "two");
	struct keel_lu_ckpt_slot *s = keel_lu_ckpt_begin(&ckpt, 3);
	memcpy(s->data, "thr", 3); /* crashed here */
	const struct keel_lu_ckpt_slot *n = keel_lu_ckpt_newest(&ckpt);
	assert_int_equal(n->seq, 2);
	assert_memory_equal(n->data, "two", 3);
}

/* A slot whose seq has the wrong parity or whose length overruns it (a
 * service that scribbled over the frame) is not a checkpoint. */
static void scribbled_checkpoint_is_refused(void **state)
{
	(void)state;
	memset(&ckpt, 0, sizeof(ckpt));
	write_ckpt(1, "one");
	ckpt.slot[0].seq = 7;
	ckpt.slot[0].len = 3;
	assert_int_equal(keel_lu_ckpt_newest(&ckpt)->seq, 1);
	ckpt.slot[1].len = KEEL_LU_CKPT_DATA_MAX + 1;
	assert_null(keel_lu_ckpt_newest(&ckpt));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(sealed_record_opens),
	        cmocka_unit_test(seal_refuses_what_does_not_fit),
	        cmocka_unit_test(bad_records_are_refused),
	        cmocka_unit_test(newest_checkpoint_wins),
	        cmocka_unit_test(torn_checkpoint_falls_back),
	        cmocka_unit_test(scribbled_checkpoint_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
