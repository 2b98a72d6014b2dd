/* SPDX-License-Identifier: MIT */
/*
 * virtio-net ports on one Ethernet switch in the virtio service: the
 * guests' own network. Each port has a fixed address (vdev_attach); a
 * frame a guest sends from it is copied into the receive buffers of the
 * port its destination names, or of every other port for broadcast and
 * multicast; frames to no port, or from another address, are dropped. A
 * port with no receive buffer keeps a few frames back and delivers them
 * when the guest posts buffers (its rx notify); past that, frames are
 * dropped and counted, as on a busy wire. A guest's malformed ring breaks
 * only its own port.
 */
#include "vdev.h"

#include <string.h>
#include <virtio/net.h>

static uint32_t net_cfg_read(void *ctx, unsigned off, unsigned width)
{
	const struct vdev_ref *r = ctx;
	return vnet_cfg_read(r->v->g[r->n].mac, off, width);
}

static void net_reset(void *ctx)
{
	const struct vdev_ref *r = ctx;
	r->v->backlog[r->n].count = 0;
}

const struct vmmio_ops vnet_ops = {
        .device_id = VIRTIO_ID_NET,
        .features = 1ull << VNET_F_MAC | 1ull << VNET_F_STATUS | 1ull << VIRTIO_F_EVENT_IDX,
        .nqueues = 2,
        .queue_max = VIRTQ_MAX_SIZE,
        .cfg_read = net_cfg_read,
        .notify = vnet_notify,
        .reset = net_reset,
};

static struct vmmio *port(struct vdev *v, unsigned p)
{
	struct vdev_guest *g = &v->g[p];
	bool up = g->on && !g->stopping && (g->devices & (1u << KEEL_VIRTIO_NET));
	return up && vmmio_live(&g->t[KEEL_VIRTIO_NET]) ? &g->t[KEEL_VIRTIO_NET] : NULL;
}

/* Into one receive buffer of port p: 1 delivered, 0 no buffer, -1 broken. */
static int receive(struct vdev *v, unsigned p, const uint8_t *frame, size_t len)
{
	static struct virtq_chain c;
	struct vmmio *t = port(v, p);
	if (!t)
		return -1;
	/* Not vmmio_pop: an empty receive ring asks for notifications only
	 * when frames wait for it (flush_backlog). */
	int got = virtq_pop(&t->q[VNET_RXQ], &t->mem, &c);
	if (got < 0)
		vmmio_fail(t);
	if (got <= 0)
		return got;
	size_t put = vnet_rx_frame(&c, frame, len);
	v->net_drops += !put; /* a buffer too small for the frame */
	v->irq |= 1u << p;
	if (vmmio_push(t, VNET_RXQ, c.head, (uint32_t)put))
		return -1;
	vmmio_signal(t, VNET_RXQ);
	return 1;
}

/* Deliver what waits for port p, in order, while it has buffers. */
static void flush_backlog(struct vdev *v, unsigned p)
{
	while (v->backlog[p].count) {
		unsigned i = v->backlog[p].head;
		int got = receive(v, p, v->backlog[p].data[i], v->backlog[p].len[i]);
		if (got == 0) {
			virtq_enable_notify(&v->g[p].t[KEEL_VIRTIO_NET].q[VNET_RXQ],
			                    &v->g[p].t[KEEL_VIRTIO_NET].mem);
			if (receive(v, p, v->backlog[p].data[i], v->backlog[p].len[i]) == 0)
				return;
		}
		v->backlog[p].head = (i + 1) % VNET_BACKLOG;
		v->backlog[p].count--;
	}
}

static void deliver(struct vdev *v, unsigned p, const uint8_t *frame, size_t len)
{
	if (!port(v, p))
		return;
	if (!v->backlog[p].count && receive(v, p, frame, len) != 0)
		return;
	if (v->backlog[p].count == VNET_BACKLOG) {
		v->net_drops++;
		return;
	}
	unsigned i = (v->backlog[p].head + v->backlog[p].count++) % VNET_BACKLOG;
	memcpy(v->backlog[p].data[i], frame, len);
	v->backlog[p].len[i] = (uint16_t)len;
	flush_backlog(v, p); /* a buffer may have come since: arms the notify */
}

/* The port whose address `mac` is (52:54:00:4b:00:NN is port NN's), or 0.
 * Addresses are given, not learnt: a guest cannot draw another's traffic
 * to itself by sending with its address, nor flood the others by filling
 * a table. */
static unsigned port_of(const struct vdev *v, const uint8_t *mac)
{
	unsigned p = mac[5];
	return p >= 1 && p <= VDEV_GUESTS && v->g[p].on && !memcmp(v->g[p].mac, mac, 6) ? p : 0;
}

static void switch_frame(struct vdev *v, unsigned from, const uint8_t *frame, size_t len)
{
	if (memcmp(frame + 6, v->g[from].mac, 6) != 0) {
		v->net_spoofed++; /* not its own source address: dropped */
		return;
	}
	v->net_frames++;
	if (!(frame[0] & 1)) {
		unsigned to = port_of(v, frame);
		if (to && to != from)
			deliver(v, to, frame, len);
		return;
	}
	for (unsigned p = 1; p <= VDEV_GUESTS; p++) /* broadcast, multicast */
		if (p != from)
			deliver(v, p, frame, len);
}

static void transmit(struct vdev *v, unsigned n)
{
	static struct virtq_chain c;
	static uint8_t frame[VNET_MAX_FRAME];
	struct vmmio *t = &v->g[n].t[KEEL_VIRTIO_NET];
	while (vmmio_pop(t, VNET_TXQ, &c)) {
		size_t len = vnet_tx_frame(&c, frame, sizeof(frame));
		if (vmmio_push(t, VNET_TXQ, c.head, 0))
			break;
		if (len >= VNET_MIN_FRAME)
			switch_frame(v, n, frame, len);
		else
			v->net_drops++;
	}
	vmmio_signal(t, VNET_TXQ);
	v->irq |= 1u << n;
}

void vnet_notify(void *ctx, struct vmmio *t, unsigned queue)
{
	struct vdev_ref *r = ctx;
	(void)t;
	if (queue == VNET_TXQ)
		transmit(r->v, r->n);
	else if (queue == VNET_RXQ)
		flush_backlog(r->v, r->n);
}
