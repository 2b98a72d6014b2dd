/* SPDX-License-Identifier: MIT */
/* The PL011 register model (see pl011.h). Pure: no system calls. */
#include "pl011.h"

#include <string.h>

static const uint8_t ids[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

void pl011_reset(struct pl011 *u)
{
	memset(u, 0, sizeof(*u));
	u->cr = 0x300;
	u->ifls = 0x12;
}

static bool fifo_on(const struct pl011 *u)
{
	return u->lcr_h & PL011_LCR_H_FEN;
}

static unsigned depth(const struct pl011 *u)
{
	return fifo_on(u) ? PL011_FIFO_DEPTH : 1;
}

/* IFLS selects 1/8, 1/4, 1/2, 3/4 or 7/8 of the FIFO for each direction. */
static unsigned trigger(unsigned sel)
{
	static const uint8_t eighths[8] = {1, 2, 4, 6, 7, 4, 4, 4};
	return PL011_FIFO_DEPTH * eighths[sel & 7] / 8;
}

uint32_t pl011_ris(const struct pl011 *u)
{
	uint32_t ris = u->errors;
	/* TX: at or below the trigger level (empty without FIFOs). */
	unsigned tx_level = fifo_on(u) ? trigger(u->ifls) : 0;
	if (u->tx_count <= tx_level && !u->tx_cleared)
		ris |= PL011_INT_TX;
	/* RX: at or above the trigger level (one byte without FIFOs). */
	unsigned rx_level = fifo_on(u) ? trigger(u->ifls >> 3) : 1;
	if (u->rx_count >= rx_level)
		ris |= PL011_INT_RX;
	if (u->rx_count)
		ris |= PL011_INT_RT;
	return ris;
}

uint32_t pl011_mis(const struct pl011 *u)
{
	return pl011_ris(u) & u->imsc;
}

bool pl011_irq_level(const struct pl011 *u)
{
	return pl011_mis(u) != 0;
}

unsigned pl011_rx_room(const struct pl011 *u)
{
	return u->rx_count < depth(u) ? depth(u) - u->rx_count : 0;
}

bool pl011_rx_push(struct pl011 *u, uint8_t c)
{
	if (!pl011_rx_room(u)) {
		u->rsr |= PL011_RSR_OE;
		u->errors |= PL011_INT_OE;
		u->rx_overruns++;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % PL011_FIFO_DEPTH] = c;
	u->rx_count++;
	return true;
}

unsigned pl011_tx_peek(const struct pl011 *u, uint8_t *buf, unsigned max)
{
	unsigned n = u->tx_count < max ? u->tx_count : max;
	for (unsigned i = 0; i < n; i++)
		buf[i] = u->tx[(u->tx_head + i) % PL011_TX_BUF];
	return n;
}

void pl011_tx_consume(struct pl011 *u, unsigned n)
{
	if (n > u->tx_count)
		n = u->tx_count;
	if (!n)
		return;
	u->tx_head = (uint8_t)((u->tx_head + n) % PL011_TX_BUF);
	u->tx_count = (uint8_t)(u->tx_count - n);
	u->tx_cleared = false;
}

static uint32_t dr_read(struct pl011 *u)
{
	if (!u->rx_count)
		return 0;
	uint32_t c = u->rx[u->rx_head];
	u->rx_head = (uint8_t)((u->rx_head + 1) % PL011_FIFO_DEPTH);
	u->rx_count--;
	return c;
}

static void dr_write(struct pl011 *u, uint32_t v)
{
	u->tx_cleared = false;
	if (u->tx_count == PL011_TX_BUF) {
		u->tx_overruns++;
		return;
	}
	u->tx[(u->tx_head + u->tx_count) % PL011_TX_BUF] = (uint8_t)v;
	u->tx_count++;
}

static uint32_t fr(const struct pl011 *u)
{
	uint32_t v = 0;
	if (!u->tx_count)
		v |= PL011_FR_TXFE;
	else
		v |= PL011_FR_BUSY;
	if (u->tx_count >= depth(u))
		v |= PL011_FR_TXFF;
	if (!u->rx_count)
		v |= PL011_FR_RXFE;
	if (u->rx_count >= depth(u))
		v |= PL011_FR_RXFF;
	return v;
}

/* The register at an aligned offset; `pop` lets a DR read take a byte. */
static uint32_t reg_read(struct pl011 *u, uint32_t off, bool pop)
{
	switch (off) {
	case PL011_DR: return pop ? dr_read(u) : 0;
	case PL011_RSR: return u->rsr;
	case PL011_FR: return fr(u);
	case PL011_ILPR: return u->ilpr;
	case PL011_IBRD: return u->ibrd;
	case PL011_FBRD: return u->fbrd;
	case PL011_LCR_H: return u->lcr_h;
	case PL011_CR: return u->cr;
	case PL011_IFLS: return u->ifls;
	case PL011_IMSC: return u->imsc;
	case PL011_RIS: return pl011_ris(u);
	case PL011_MIS: return pl011_mis(u);
	case PL011_DMACR: return u->dmacr;
	default:
		if (off >= PL011_PERIPH && off < PL011_SIZE)
			return ids[(off - PL011_PERIPH) / 4];
		return 0;
	}
}

uint32_t pl011_read(struct pl011 *u, uint32_t off, unsigned width)
{
	if (off >= PL011_SIZE || (width != 1 && width != 2 && width != 4))
		return 0;
	unsigned shift = (off & 3) * 8;
	uint32_t v = reg_read(u, off & ~3u, true) >> shift;
	return width == 4 ? v : v & ((1u << (width * 8)) - 1);
}

void pl011_write(struct pl011 *u, uint32_t off, unsigned width, uint32_t v)
{
	if (off >= PL011_SIZE || (off & 3) || (width != 1 && width != 2 && width != 4))
		return;
	if (width < 4) {
		/* A narrow write keeps the register's upper bits (DR, ECR and
		 * ICR have no state to keep: their value is the action). */
		uint32_t mask = (1u << (width * 8)) - 1;
		bool action = off == PL011_DR || off == PL011_RSR || off == PL011_ICR;
		v = (v & mask) | (action ? 0 : reg_read(u, off, false) & ~mask);
	}
	switch (off) {
	case PL011_DR: dr_write(u, v); break;
	case PL011_RSR: /* ECR: any write clears the receive status */
		u->rsr = 0;
		u->errors &= (uint16_t)~PL011_INT_OE;
		break;
	case PL011_ILPR: u->ilpr = v & 0xff; break;
	case PL011_IBRD: u->ibrd = v & 0xffff; break;
	case PL011_FBRD: u->fbrd = v & 0x3f; break;
	case PL011_LCR_H: u->lcr_h = v & 0xff; break;
	case PL011_CR: u->cr = v & 0xffff; break;
	case PL011_IFLS: u->ifls = v & 0x3f; break;
	case PL011_IMSC: u->imsc = v & PL011_INT_ALL; break;
	case PL011_ICR:
		if (v & PL011_INT_TX)
			u->tx_cleared = true;
		u->errors &= (uint16_t)~v;
		break;
	case PL011_DMACR: u->dmacr = v & 7; break;
	default: break;
	}
}
