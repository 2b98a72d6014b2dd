/* SPDX-License-Identifier: MIT */
/* virtio-net frames (see virtio/net.h). Pure: no system calls. */
#include "virtio/net.h"

#include <stdbool.h>
#include <string.h>

#include "virtio/guestmem.h"
#include "virtio/mmio.h"

#define HDR_NUM_BUFFERS 10 /* offset of num_buffers in the header */
#define CFG_MAC         0
#define CFG_STATUS      6
#define CFG_SIZE        8

static bool frame_len_ok(size_t len)
{
	return len >= VNET_MIN_FRAME && len <= VNET_MAX_FRAME;
}

size_t vnet_tx_frame(const struct virtq_chain *tx, uint8_t *frame, size_t cap)
{
	if (tx->out_len < VNET_HDR_LEN)
		return 0;
	size_t len = tx->out_len - VNET_HDR_LEN;
	if (!frame_len_ok(len) || len > cap)
		return 0;
	return virtq_chain_read(tx, VNET_HDR_LEN, frame, len);
}

size_t vnet_rx_frame(const struct virtq_chain *rx, const uint8_t *frame, size_t len)
{
	if (!frame_len_ok(len) || rx->in_len < VNET_HDR_LEN || len > rx->in_len - VNET_HDR_LEN)
		return 0;
	uint8_t hdr[VNET_HDR_LEN] = {0};
	le16_store(hdr + HDR_NUM_BUFFERS, 1);
	virtq_chain_write(rx, 0, hdr, sizeof(hdr));
	return VNET_HDR_LEN + virtq_chain_write(rx, VNET_HDR_LEN, frame, len);
}

size_t vnet_forward(const struct virtq_chain *tx, const struct virtq_chain *rx)
{
	/* Through a copy: the two chains may share guest memory. */
	uint8_t frame[VNET_MAX_FRAME];
	size_t len = vnet_tx_frame(tx, frame, sizeof(frame));
	return len ? vnet_rx_frame(rx, frame, len) : 0;
}

uint32_t vnet_cfg_read(const uint8_t mac[6], unsigned off, unsigned width)
{
	uint8_t img[CFG_SIZE];
	memcpy(img + CFG_MAC, mac, 6);
	le16_store(img + CFG_STATUS, VNET_S_LINK_UP);
	return vmmio_cfg_bytes(img, sizeof(img), off, width);
}
