/* SPDX-License-Identifier: MIT */
/* libs/virtio's virtio-blk requests: parsing every type and layout, each
 * malformed shape, range checks, data copies and the configuration space. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "virtio/blk.h"

static uint8_t buf[8192];
static struct virtq_chain c;
static struct vblk_req r;

static int setup(void **state)
{
	(void)state;
	memset(buf, 0, sizeof(buf));
	memset(&c, 0, sizeof(c));
	memset(&r, 0xa5, sizeof(r));
	return 0;
}

/* Append a buffer at buf[off]; chains here are built as virtq_pop would. */
static uint8_t *seg(size_t off, uint32_t len, bool write)
{
	c.seg[c.nseg++] = (struct virtq_seg){.p = buf + off, .len = len, .write = write};
	if (write)
		c.in_len += len;
	else
		c.out_len += len;
	return buf + off;
}

static void header_at(size_t off, uint32_t type, uint64_t sector)
{
	le32_store(buf + off, type);
	le32_store(buf + off + 4, 0);
	le64_store(buf + off + 8, sector);
}

static void parse_in(void **state)
{
	(void)state;
	header_at(0, VBLK_T_IN, 77);
	seg(0, 16, false);
	seg(0x100, 1024, true);
	uint8_t *status = seg(0x600, 1, true);
	assert_int_equal(vblk_parse(&c, &r), 0);
	assert_int_equal(r.type, VBLK_T_IN);
	assert_int_equal(r.sector, 77);
	assert_int_equal(r.data_len, 1024);
	assert_int_equal(r.first_seg, 1);
	assert_int_equal(r.nseg, 1);
	assert_int_equal(r.first_off, 0);
	assert_ptr_equal(r.status, status);
	uint8_t sector[512];
	memset(sector, 0x5a, sizeof(sector));
	assert_int_equal(vblk_data_write(&c, 512, sector, sizeof(sector)), 512);
	assert_int_equal(buf[0x100 + 512], 0x5a);
	assert_int_equal(buf[0x100 + 511], 0);
	/* Never past the data into the status byte. */
	assert_int_equal(vblk_data_write(&c, 1000, sector, sizeof(sector)), 24);
	assert_int_equal(*status, 0);
	vblk_set_status(&r, VBLK_S_OK);
	assert_int_equal(*status, VBLK_S_OK);
	vblk_set_status(&r, VBLK_S_IOERR);
	assert_int_equal(*status, VBLK_S_IOERR);
}

static void parse_out(void **state)
{
	(void)state;
	header_at(0, VBLK_T_OUT, 3);
	seg(0, 16, false);
	memset(seg(0x100, 512, false), 1, 512);
	memset(seg(0x400, 512, false), 2, 512);
	seg(0x700, 1, true);
	assert_int_equal(vblk_parse(&c, &r), 0);
	assert_int_equal(r.type, VBLK_T_OUT);
	assert_int_equal(r.data_len, 1024);
	assert_int_equal(r.first_seg, 1);
	assert_int_equal(r.nseg, 2);
	uint8_t out[4];
	assert_int_equal(vblk_data_read(&c, 510, out, 4), 4);
	assert_memory_equal(out, "\1\1\2\2", 4);
	assert_int_equal(vblk_data_read(&c, 1022, out, 4), 2);
	assert_int_equal(vblk_data_read(&c, 1024, out, 4), 0);
	/* The writable side is only the status byte. */
	assert_int_equal(vblk_data_write(&c, 0, out, 1), 0);
	assert_int_equal(buf[0x700], 0);
}

/* The specification lets header, data and status share buffers. */
static void parse_shared_buffers(void **state)
{
	(void)state;
	header_at(0, VBLK_T_OUT, 9);
	seg(0, 16 + 512, false);
	seg(0x400, 1, true);
	assert_int_equal(vblk_parse(&c, &r), 0);
	assert_int_equal(r.data_len, 512);
	assert_int_equal(r.first_seg, 0);
	assert_int_equal(r.first_off, 16);
	assert_int_equal(r.nseg, 1);

	setup(NULL);
	header_at(0, VBLK_T_IN, 9);
	seg(0, 8, false); /* a header split in two */
	seg(8, 8, false);
	seg(0x100, 513, true);
	assert_int_equal(vblk_parse(&c, &r), 0);
	assert_int_equal(r.type, VBLK_T_IN);
	assert_int_equal(r.sector, 9);
	assert_int_equal(r.data_len, 512);
	assert_int_equal(r.first_seg, 2);
	assert_int_equal(r.nseg, 1);
	assert_ptr_equal(r.status, buf + 0x100 + 512);
	uint8_t ones[600];
	memset(ones, 0xff, sizeof(ones));
	assert_int_equal(vblk_data_write(&c, 0, ones, sizeof(ones)), 512);
	assert_int_equal(*r.status, 0);
}

static void parse_flush(void **state)
{
	(void)state;
	header_at(0, VBLK_T_FLUSH, 0);
	seg(0, 16, false);
	seg(0x100, 1, true);
	assert_int_equal(vblk_parse(&c, &r), 0);
	assert_int_equal(r.type, VBLK_T_FLUSH);
	assert_int_equal(r.data_len, 0);
	assert_int_equal(r.nseg, 0);
}

static void parse_get_id(void **state)
{
	(void)state;
	header_at(0, VBLK_T_GET_ID, 0);
	seg(0, 16, false);
	seg(0x100, VBLK_ID_BYTES, true);
	seg(0x200, 1, true);
	assert_int_equal(vblk_parse(&c, &r), 0);
	assert_int_equal(r.type, VBLK_T_GET_ID);
	assert_int_equal(r.data_len, VBLK_ID_BYTES);
	static const char id[VBLK_ID_BYTES] = "keel-disk-0";
	assert_int_equal(vblk_data_write(&c, 0, id, sizeof(id)), VBLK_ID_BYTES);
	assert_string_equal((const char *)buf + 0x100, "keel-disk-0");
}

/* Unknown types parse; the caller answers VBLK_S_UNSUPP. */
static void parse_unknown_type(void **state)
{
	(void)state;
	header_at(0, 11, 0);
	seg(0, 16, false);
	seg(0x100, 64, false);
	seg(0x200, 1, true);
	assert_int_equal(vblk_parse(&c, &r), 0);
	assert_int_equal(r.type, 11);
}

static void empty_chain_malformed(void **state)
{
	(void)state;
	assert_int_equal(vblk_parse(&c, &r), -1);
}

static void short_header_malformed(void **state)
{
	(void)state;
	header_at(0, VBLK_T_FLUSH, 0);
	seg(0, 15, false);
	seg(0x100, 1, true);
	assert_int_equal(vblk_parse(&c, &r), -1);
	/* A header in writable buffers is no header. */
	setup(NULL);
	seg(0, 16, true);
	seg(0x100, 1, true);
	assert_int_equal(vblk_parse(&c, &r), -1);
}

static void missing_status_malformed(void **state)
{
	(void)state;
	header_at(0, VBLK_T_FLUSH, 0);
	seg(0, 16, false);
	assert_int_equal(vblk_parse(&c, &r), -1);
	seg(0x100, 8, false);
	assert_int_equal(vblk_parse(&c, &r), -1);
	/* A zero-length last buffer holds no status byte. */
	setup(NULL);
	header_at(0, VBLK_T_FLUSH, 0);
	seg(0, 16, false);
	seg(0x100, 4, true);
	seg(0x200, 0, true);
	assert_int_equal(vblk_parse(&c, &r), -1);
}

static void in_with_readable_data_malformed(void **state)
{
	(void)state;
	header_at(0, VBLK_T_IN, 0);
	seg(0, 16, false);
	seg(0x100, 512, false);
	seg(0x400, 1, true);
	assert_int_equal(vblk_parse(&c, &r), -1);
}

static void out_with_writable_data_malformed(void **state)
{
	(void)state;
	header_at(0, VBLK_T_OUT, 0);
	seg(0, 16, false);
	seg(0x100, 512, true);
	seg(0x400, 1, true);
	assert_int_equal(vblk_parse(&c, &r), -1);
}

static void get_id_with_readable_data_malformed(void **state)
{
	(void)state;
	header_at(0, VBLK_T_GET_ID, 0);
	seg(0, 16 + VBLK_ID_BYTES, false);
	seg(0x100, 1, true);
	assert_int_equal(vblk_parse(&c, &r), -1);
}

static void range_checks(void **state)
{
	(void)state;
	struct vblk_req q = {.type = VBLK_T_IN, .sector = 0, .data_len = 1024};
	assert_true(vblk_in_range(&q, 2));
	assert_false(vblk_in_range(&q, 1));
	q.sector = 1;
	assert_false(vblk_in_range(&q, 2));
	assert_true(vblk_in_range(&q, 3));
	/* Empty at the very end is inside; past it is not. */
	q.data_len = 0;
	q.sector = 3;
	assert_true(vblk_in_range(&q, 3));
	q.sector = 4;
	assert_false(vblk_in_range(&q, 3));
	/* Whole sectors only. */
	q.sector = 0;
	q.data_len = 513;
	assert_false(vblk_in_range(&q, 100));
	/* sector + count must not wrap around. */
	q.data_len = 1024;
	q.sector = UINT64_MAX - 1;
	assert_false(vblk_in_range(&q, UINT64_MAX));
	q.sector = UINT64_MAX - 2;
	assert_true(vblk_in_range(&q, UINT64_MAX));
	q.sector = UINT64_MAX;
	assert_false(vblk_in_range(&q, 1000));
}

static void config_space(void **state)
{
	(void)state;
	struct vblk_cfg cfg = {
	        .capacity = 0x123456789aull, .seg_max = VBLK_SEG_MAX, .blk_size = 4096};
	assert_int_equal(vblk_cfg_read(&cfg, 0, 4), 0x3456789a);
	assert_int_equal(vblk_cfg_read(&cfg, 4, 4), 0x12);
	assert_int_equal(vblk_cfg_read(&cfg, 0, 1), 0x9a);
	assert_int_equal(vblk_cfg_read(&cfg, 8, 4), 0);
	assert_int_equal(vblk_cfg_read(&cfg, 12, 4), 62);
	assert_int_equal(vblk_cfg_read(&cfg, 20, 4), 4096);
	assert_int_equal(vblk_cfg_read(&cfg, 22, 2), 0);
	assert_int_equal(vblk_cfg_read(&cfg, 24, 4), 0);
	assert_int_equal(vblk_cfg_read(&cfg, 0x1000, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(parse_in, setup),
	        cmocka_unit_test_setup(parse_out, setup),
	        cmocka_unit_test_setup(parse_shared_buffers, setup),
	        cmocka_unit_test_setup(parse_flush, setup),
	        cmocka_unit_test_setup(parse_get_id, setup),
	        cmocka_unit_test_setup(parse_unknown_type, setup),
	        cmocka_unit_test_setup(empty_chain_malformed, setup),
	        cmocka_unit_test_setup(short_header_malformed, setup),
	        cmocka_unit_test_setup(missing_status_malformed, setup),
	        cmocka_unit_test_setup(in_with_readable_data_malformed, setup),
	        cmocka_unit_test_setup(out_with_writable_data_malformed, setup),
	        cmocka_unit_test_setup(get_id_with_readable_data_malformed, setup),
	        cmocka_unit_test_setup(range_checks, setup),
	        cmocka_unit_test_setup(config_space, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
