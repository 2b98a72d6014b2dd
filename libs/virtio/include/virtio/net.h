/* SPDX-License-Identifier: MIT */
/*
 * virtio-net (device ID 1, virtio 1.2 section 5.1) frames as a device
 * moves them: every buffer starts with the 12-byte struct
 * virtio_net_hdr_v1 {u8 flags, u8 gso_type, le16 hdr_len, le16 gso_size,
 * le16 csum_start, le16 csum_offset, le16 num_buffers} and the Ethernet
 * frame follows. No offloads and no MRG_RXBUF are offered, so a received
 * frame gets a zeroed header with num_buffers = 1 and must fit one buffer.
 *
 * Frames that cannot be delivered (too short, too long, a receive buffer
 * too small) are dropped, as a wire would lose them; they never make the
 * device fail.
 */
#ifndef VIRTIO_NET_H
#define VIRTIO_NET_H

#include <stddef.h>
#include <stdint.h>

#include "virtio/virtq.h"

#define VIRTIO_ID_NET 1

/* Feature bits. */
#define VNET_F_MAC    5
#define VNET_F_STATUS 16

#define VNET_S_LINK_UP 1

#define VNET_HDR_LEN   12
#define VNET_MIN_FRAME 14   /* an Ethernet header */
#define VNET_MAX_FRAME 1518 /* 1500 bytes of payload, Ethernet and VLAN headers */

/* Queues: receive (device -> driver) is 0, transmit is 1. */
#define VNET_RXQ 0
#define VNET_TXQ 1

/* Copy the frame of a transmit chain into a receive chain: the bytes
 * written to rx (header and frame, the used length to push), or 0 if the
 * frame is dropped. */
size_t vnet_forward(const struct virtq_chain *tx, const struct virtq_chain *rx);

/* The frame of a transmit chain, without its header, into frame[cap]:
 * its length, or 0 if dropped (shorter than VNET_MIN_FRAME, longer than
 * VNET_MAX_FRAME or cap). */
size_t vnet_tx_frame(const struct virtq_chain *tx, uint8_t *frame, size_t cap);

/* A frame into a receive chain, behind a fresh header: the bytes written
 * (VNET_HDR_LEN + len), or 0 if dropped. */
size_t vnet_rx_frame(const struct virtq_chain *rx, const uint8_t *frame, size_t len);

/* The configuration space: mac (6 bytes at 0), status (le16 at 6, link
 * always up). For vmmio_ops.cfg_read. */
uint32_t vnet_cfg_read(const uint8_t mac[6], unsigned off, unsigned width);

#endif
