/* SPDX-License-Identifier: MIT */
/*
 * The management mailbox's request side (services/vmm/mgmt_req.c and
 * mgmt_parse.c): words arrive little-endian, what does not fit is counted
 * and refused at SUBMIT, and the count cannot wrap back into the buffer
 * however many words the guest writes (issue 14, hole 6).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mgmt_parse.h"
#include "mgmt_req.h"

static struct mgmt_req *req;
static struct mgmt_out *out;

static int setup(void **state)
{
	(void)state;
	req = calloc(1, sizeof(*req));
	out = calloc(1, sizeof(*out));
	return req && out ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(req);
	free(out);
	return 0;
}

static void send(const char *text, uint32_t len)
{
	mgmt_req_begin(req);
	for (uint32_t off = 0; off < len; off += 4) {
		uint32_t word = 0;
		for (uint32_t i = 0; i < 4 && off + i < len; i++)
			word |= (uint32_t)(uint8_t)text[off + i] << (8 * i);
		mgmt_req_append(req, word);
	}
	mgmt_req_set_len(req, len);
}

static void words_in_order(void **state)
{
	(void)state;
	send("info gvm\n", 9);
	assert_int_equal(mgmt_req_complete(req, out), 0);
	assert_memory_equal(req->buf, "info gvm\n", 9);
	assert_int_equal(req->len, 9);
}

static void length_past_data_refused(void **state)
{
	(void)state;
	send("list\n", 5);
	mgmt_req_set_len(req, 9);
	mgmt_out_reset(out);
	assert_int_equal(mgmt_req_complete(req, out), -1);
	assert_non_null(strstr(out->buf, "error request of 9 bytes, 8 received"));
}

/* One word more than the buffer holds: counted, not stored, and SUBMIT
 * refuses the request even though REQ_LEN alone would fit. */
static void overflow_refused(void **state)
{
	(void)state;
	mgmt_req_begin(req);
	for (uint32_t i = 0; i < MGMT_REQ_MAX / 4; i++)
		mgmt_req_append(req, 0x20202020);
	mgmt_req_append(req, 0xdeadbeef);
	mgmt_req_set_len(req, 8);
	mgmt_out_reset(out);
	assert_int_equal(mgmt_req_complete(req, out), -1);
}

/* A guest that keeps writing REQ_DATA (2^30 words) used to wrap the
 * 32-bit count to 0 and write past the buffer. The count is where 2^30
 * writes would take it; the next writes must neither land outside the
 * buffer (ASan) nor make a short request acceptable again. */
static void count_does_not_wrap(void **state)
{
	(void)state;
	mgmt_req_begin(req);
	req->fill = UINT32_MAX - 3;
	for (int i = 0; i < 4; i++)
		mgmt_req_append(req, 0x41414141);
	mgmt_req_set_len(req, 4);
	mgmt_out_reset(out);
	assert_int_equal(mgmt_req_complete(req, out), -1);
	mgmt_req_begin(req);
	send("list\n", 5);
	assert_int_equal(mgmt_req_complete(req, out), 0);
}

static void parse_line_and_payload(void **state)
{
	(void)state;
	struct mgmt_line l;
	char err[80];
	static const uint8_t create[] = "create\n\xd0\x0d\xfe\xed";
	assert_int_equal(mgmt_parse(&l, create, sizeof(create) - 1, err, sizeof(err)), 0);
	assert_string_equal(l.cmd, "create");
	assert_null(l.arg);
	assert_int_equal(l.payload_len, 4);
	assert_memory_equal(l.payload, "\xd0\x0d\xfe\xed", 4);
	static const uint8_t stop[] = "stop  gvm force";
	assert_int_equal(mgmt_parse(&l, stop, sizeof(stop) - 1, err, sizeof(err)), 0);
	assert_string_equal(l.arg, "gvm");
	assert_string_equal(l.arg2, "force");
	assert_int_equal(l.payload_len, 0);
	assert_int_equal(mgmt_parse(&l, (const uint8_t *)"  \n", 3, err, sizeof(err)), -1);
	assert_string_equal(err, "empty request");
	uint8_t longline[MGMT_LINE_MAX];
	memset(longline, 'a', sizeof(longline));
	assert_int_equal(mgmt_parse(&l, longline, sizeof(longline), err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(words_in_order, setup, teardown),
	        cmocka_unit_test_setup_teardown(length_past_data_refused, setup, teardown),
	        cmocka_unit_test_setup_teardown(overflow_refused, setup, teardown),
	        cmocka_unit_test_setup_teardown(count_does_not_wrap, setup, teardown),
	        cmocka_unit_test_setup_teardown(parse_line_and_payload, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
