/* SPDX-License-Identifier: MIT */
/* devemu's state record (devemu_state.h). Pure: no system calls. */
#include "devemu_state.h"

#include <keel/why.h>
#include <keel_abi.h>
#include <stdio.h>
#include <string.h>

/* What format 1 carries, under the same names in struct devemu (and
 * struct devemu_guest) and in the record: one list for both directions. */
#define DEVEMU_REC_FIELDS(X) X(exits) X(kicks) X(strays) X(controls)
#define GUEST_REC_FIELDS(X)  X(state) X(irq_level) X(inject_warned) X(in_synced) X(gen) X(vm) X(uart)

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
#define OUT(f) r.v1.f = d->f;
	DEVEMU_REC_FIELDS(OUT)
#undef OUT
	for (unsigned n = 0; n <= CONCHAN_GUESTS; n++) {
#define OUT(f) r.v1.g[n].f = d->g[n].f;
		GUEST_REC_FIELDS(OUT)
#undef OUT
	}
	r.imports = d->imports;
	memcpy(buf, &r, size);
	*len = size;
	return 0;
}

/* A bool of the record as a byte: reading it as a bool is undefined
 * unless it is 0 or 1. */
static bool bool_sound(const bool *b)
{
	uint8_t v;
	memcpy(&v, b, 1);
	return v <= 1;
}

/* A PL011 whose FIFO indices and counts could not index out of bounds. */
static bool uart_sound(const struct pl011 *u)
{
	return u->rx_head < PL011_FIFO_DEPTH && u->rx_count <= PL011_FIFO_DEPTH &&
	       u->tx_head < PL011_TX_BUF && u->tx_count <= PL011_TX_BUF &&
	       bool_sound(&u->tx_cleared);
}

int devemu_state_import(struct devemu *d, uint32_t format, uint32_t max_format, const void *payload,
                        size_t len, char *why, size_t why_size)
{
	struct devemu_rec_v2 r;
	memset(&r, 0, sizeof(r));
	if (format < 1 || format > max_format || !format_size(format))
		return keel_why(why, why_size, "devemu: state format %u, this build reads 1..%u",
		                format, max_format);
	if (len != format_size(format))
		return keel_why(why, why_size,
		                "devemu: format %u record of %zu bytes, expected %zu", format, len,
		                format_size(format));
	memcpy(&r, payload, len);
	if (r.v1.guests != CONCHAN_GUESTS + 1)
		return keel_why(why, why_size,
		                "devemu: record for %u guest slots, this build has %u", r.v1.guests,
		                (unsigned)CONCHAN_GUESTS + 1);
	for (unsigned n = 0; n <= CONCHAN_GUESTS; n++) {
		const struct devemu_guest_rec *g = &r.v1.g[n];
		if (g->state > DEVEMU_GUEST_GONE || !uart_sound(&g->uart) ||
		    g->vm >= KEEL_CSPACE_SLOTS)
			return keel_why(why, why_size, "devemu: guest %u's record is inconsistent",
			                n);
	}
#define IN(f) d->f = r.v1.f;
	DEVEMU_REC_FIELDS(IN)
#undef IN
	for (unsigned n = 0; n <= CONCHAN_GUESTS; n++) {
#define IN(f) d->g[n].f = r.v1.g[n].f;
		GUEST_REC_FIELDS(IN)
#undef IN
	}
	d->imports = format >= 2 ? r.imports : 0;
	return 0;
}
