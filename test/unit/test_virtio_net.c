/* SPDX-License-Identifier: MIT */
/* libs/virtio's virtio-net frames: forwarding between chains, the header
 * a received frame gets, drops, and the configuration space. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "virtio/net.h"

static uint8_t buf[16384];
static struct virtq_chain tx, rx;

static int setup(void **state)
{
	(void)state;
	memset(buf, 0, sizeof(buf));
	memset(&tx, 0, sizeof(tx));
	memset(&rx, 0, sizeof(rx));
	return 0;
}

static uint8_t *seg(struct virtq_chain *c, size_t off, uint32_t len, bool write)
{
	c->seg[c->nseg++] = (struct virtq_seg){.p = buf + off, .len = len, .write = write};
	if (write)
		c->in_len += len;
	else
		c->out_len += len;
	return buf + off;
}

/* A transmit chain of header and a `len`-byte frame whose byte i is i. */
static void tx_frame(size_t len)
{
	memset(seg(&tx, 0, VNET_HDR_LEN, false), 0xee, VNET_HDR_LEN);
	uint8_t *f = seg(&tx, 0x100, (uint32_t)len, false);
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)i;
}

static void forward_frame(void **state)
{
	(void)state;
	tx_frame(60);
	uint8_t *rxbuf = seg(&rx, 0x1000, VNET_HDR_LEN + VNET_MAX_FRAME, true);
	memset(rxbuf, 0xcc, VNET_HDR_LEN);
	assert_int_equal(vnet_forward(&tx, &rx), VNET_HDR_LEN + 60);
	/* A zeroed header but for num_buffers = 1. */
	static const uint8_t hdr[VNET_HDR_LEN] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	assert_memory_equal(rxbuf, hdr, VNET_HDR_LEN);
	for (unsigned i = 0; i < 60; i++)
		assert_int_equal(rxbuf[VNET_HDR_LEN + i], i);
}

/* Header and frame may be split anywhere on either side. */
static void forward_across_buffers(void **state)
{
	(void)state;
	seg(&tx, 0, 4, false);
	seg(&tx, 0x10, 8 + 10, false);
	uint8_t *rest = seg(&tx, 0x100, 50, false);
	memset(buf + 0x10 + 8, 0x11, 10);
	memset(rest, 0x22, 50);
	uint8_t *a = seg(&rx, 0x1000, 6, true);
	uint8_t *b = seg(&rx, 0x2000, 20, true);
	uint8_t *d = seg(&rx, 0x3000, 100, true);
	assert_int_equal(vnet_forward(&tx, &rx), VNET_HDR_LEN + 60);
	assert_int_equal(b[4], 1); /* num_buffers, byte 10 of the header */
	assert_int_equal(b[6], 0x11);
	assert_int_equal(b[15], 0x11);
	assert_int_equal(b[16], 0x22);
	assert_int_equal(d[0], 0x22);
	assert_int_equal(d[45], 0x22);
	assert_int_equal(d[46], 0);
	assert_int_equal(a[0], 0);
}

static void rx_buffer_too_small_drops(void **state)
{
	(void)state;
	tx_frame(100);
	uint8_t *rxbuf = seg(&rx, 0x1000, VNET_HDR_LEN + 99, true);
	assert_int_equal(vnet_forward(&tx, &rx), 0);
	assert_int_equal(rxbuf[10], 0); /* nothing written, not even the header */
	/* Readable buffers of the receive chain do not count. */
	seg(&rx, 0x2000, 1, false);
	assert_int_equal(vnet_forward(&tx, &rx), 0);
	/* No room for the header at all. */
	setup(NULL);
	tx_frame(100);
	seg(&rx, 0x1000, VNET_HDR_LEN - 1, true);
	assert_int_equal(vnet_forward(&tx, &rx), 0);
}

static void oversize_and_runt_frames_drop(void **state)
{
	(void)state;
	tx_frame(VNET_MAX_FRAME + 1);
	seg(&rx, 0x1000, 4096, true);
	assert_int_equal(vnet_forward(&tx, &rx), 0);
	uint8_t frame[4096];
	assert_int_equal(vnet_tx_frame(&tx, frame, sizeof(frame)), 0);
	assert_int_equal(vnet_rx_frame(&rx, frame, VNET_MAX_FRAME + 1), 0);
	/* The largest frame passes. */
	setup(NULL);
	tx_frame(VNET_MAX_FRAME);
	seg(&rx, 0x1000, 4096, true);
	assert_int_equal(vnet_forward(&tx, &rx), VNET_HDR_LEN + VNET_MAX_FRAME);
	/* Shorter than an Ethernet header, or no header at all. */
	setup(NULL);
	tx_frame(VNET_MIN_FRAME - 1);
	seg(&rx, 0x1000, 4096, true);
	assert_int_equal(vnet_forward(&tx, &rx), 0);
	setup(NULL);
	seg(&tx, 0, VNET_HDR_LEN - 1, false);
	assert_int_equal(vnet_tx_frame(&tx, frame, sizeof(frame)), 0);
}

static void tx_frame_into_flat_buffer(void **state)
{
	(void)state;
	tx_frame(64);
	/* Writable buffers in a transmit chain are not part of the frame. */
	seg(&tx, 0x2000, 32, true);
	uint8_t frame[VNET_MAX_FRAME];
	assert_int_equal(vnet_tx_frame(&tx, frame, sizeof(frame)), 64);
	assert_int_equal(frame[0], 0);
	assert_int_equal(frame[63], 63);
	/* A buffer too small for it drops it. */
	assert_int_equal(vnet_tx_frame(&tx, frame, 63), 0);
}

static void rx_frame_from_flat_buffer(void **state)
{
	(void)state;
	uint8_t frame[VNET_MIN_FRAME] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2,
	                                 0,    0,    0,    0,    1,    8,    6};
	uint8_t *rxbuf = seg(&rx, 0x1000, 2048, true);
	assert_int_equal(vnet_rx_frame(&rx, frame, sizeof(frame)), VNET_HDR_LEN + sizeof(frame));
	assert_int_equal(le16_load(rxbuf + 10), 1);
	assert_memory_equal(rxbuf + VNET_HDR_LEN, frame, sizeof(frame));
}

static void config_space(void **state)
{
	(void)state;
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	assert_int_equal(vnet_cfg_read(mac, 0, 4), 0x12005452);
	assert_int_equal(vnet_cfg_read(mac, 4, 2), 0x5634);
	assert_int_equal(vnet_cfg_read(mac, 5, 1), 0x56);
	assert_int_equal(vnet_cfg_read(mac, 6, 2), VNET_S_LINK_UP);
	assert_int_equal(vnet_cfg_read(mac, 4, 4), 0x00015634);
	assert_int_equal(vnet_cfg_read(mac, 8, 2), 0);
	assert_int_equal(vnet_cfg_read(mac, 6, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(forward_frame, setup),
	        cmocka_unit_test_setup(forward_across_buffers, setup),
	        cmocka_unit_test_setup(rx_buffer_too_small_drops, setup),
	        cmocka_unit_test_setup(oversize_and_runt_frames_drop, setup),
	        cmocka_unit_test_setup(tx_frame_into_flat_buffer, setup),
	        cmocka_unit_test_setup(rx_frame_from_flat_buffer, setup),
	        cmocka_unit_test_setup(config_space, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
