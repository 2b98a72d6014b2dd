/* SPDX-License-Identifier: MIT */
/* devemu's state record (devemu_state.h). Pure: no system calls. */
#include "devemu_state.h"

#include <keel_abi.h>
#include <stdio.h>
#include <string.h>

static size_t format_size(uint32_t format)
{
	return format == 1   ? sizeof(struct devemu_rec_v1)
	       : format == 2 ? sizeof(struct devemu_rec_v2)
	                     : 0;
}

int devemu_state_export(const struct devemu *d, uint32_t format, uint32_t max_format, void *buf,
                        size_t cap, size_t *len)
{
	size_t size = format_size(format);
	if (format < 1 || format > max_format || !size || size > cap)
		return -1;
	struct devemu_rec_v2 r;
	memset(&r, 0, sizeof(r));
	r.v1.guests = CONCHAN_GUESTS + 1;
	r.v1.exits = d->exits;
	r.v1.kicks = d->kicks;
	r.v1.strays = d->strays;
	r.v1.controls = d->controls;
	for (unsigned n = 0; n <= CONCHAN_GUESTS; n++) {
		const struct devemu_guest *g = &d->g[n];
		struct devemu_guest_rec *o = &r.v1.g[n];
		o->state = g->state;
		o->irq_level = g->irq_level;
		o->inject_warned = g->inject_warned;
		o->in_synced = g->in_synced;
		o->gen = g->gen;
		o->vm = g->vm;
		o->uart = g->uart;
	}
	r.imports = d->imports;
	memcpy(buf, &r, size);
	*len = size;
	return 0;
}

/* A PL011 whose FIFO indices and counts could not index out of bounds. */
static bool uart_sound(const struct pl011 *u)
{
	return u->rx_head < PL011_FIFO_DEPTH && u->rx_count <= PL011_FIFO_DEPTH &&
	       u->tx_head < PL011_TX_BUF && u->tx_count <= PL011_TX_BUF;
}

#define WHY(...)                                                                                   \
	do {                                                                                       \
		snprintf(why, why_size, __VA_ARGS__);                                              \
		return -1;                                                                         \
	} while (0)

int devemu_state_import(struct devemu *d, uint32_t format, uint32_t max_format, const void *payload,
                        size_t len, char *why, size_t why_size)
{
	struct devemu_rec_v2 r;
	memset(&r, 0, sizeof(r));
	if (format < 1 || format > max_format || !format_size(format))
		WHY("devemu: state format %u, this build reads 1..%u", format, max_format);
	if (len != format_size(format))
		WHY("devemu: format %u record of %zu bytes, expected %zu", format, len,
		    format_size(format));
	memcpy(&r, payload, len);
	if (r.v1.guests != CONCHAN_GUESTS + 1)
		WHY("devemu: record for %u guest slots, this build has %u", r.v1.guests,
		    (unsigned)CONCHAN_GUESTS + 1);
	for (unsigned n = 0; n <= CONCHAN_GUESTS; n++) {
		const struct devemu_guest_rec *g = &r.v1.g[n];
		if (g->state > DEVEMU_GUEST_GONE || !uart_sound(&g->uart) ||
		    g->vm >= KEEL_CSPACE_SLOTS)
			WHY("devemu: guest %u's record is inconsistent", n);
	}
	d->exits = r.v1.exits;
	d->kicks = r.v1.kicks;
	d->strays = r.v1.strays;
	d->controls = r.v1.controls;
	for (unsigned n = 0; n <= CONCHAN_GUESTS; n++) {
		const struct devemu_guest_rec *i = &r.v1.g[n];
		struct devemu_guest *g = &d->g[n];
		g->state = i->state;
		g->irq_level = i->irq_level;
		g->inject_warned = i->inject_warned;
		g->in_synced = i->in_synced;
		g->gen = i->gen;
		g->vm = i->vm;
		g->uart = i->uart;
	}
	d->imports = format >= 2 ? r.imports : 0;
	return 0;
}
