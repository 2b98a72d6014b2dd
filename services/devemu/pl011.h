/* SPDX-License-Identifier: MIT */
/*
 * An ARM PrimeCell UART (PL011 r1p5) as a guest sees it: the register file
 * and the two FIFOs, with no I/O of its own. The owner feeds received bytes
 * in (pl011_rx_push), takes transmitted bytes out (pl011_tx_peek and
 * pl011_tx_consume) and forwards pl011_irq_level() to the guest's GIC.
 *
 * Everything is in struct pl011, a plain value with no pointers, so a
 * successor service can take it over byte for byte. Bytes leave the TX
 * FIFO only when the owner has passed them on, so nothing a guest wrote is
 * lost or sent twice, and a slow consumer shows as a full FIFO (FR.TXFF,
 * no TX interrupt) exactly as a slow wire would.
 *
 * Deliberate simplifications, all invisible to Linux's amba-pl011 driver:
 * - Transmission does not depend on CR.UARTEN/TXE (earlycon writes before
 *   anyone enables the UART), and reception does not depend on RXE.
 * - The receive timeout (RTIS) is immediate: it is asserted while the RX
 *   FIFO holds anything. RXIS and RTIS follow the FIFO level and so cannot
 *   be cleared by ICR while data is pending; TXIS and the error bits can.
 * - No modem lines (FR.CTS/DSR/DCD read 0), no IrDA, no DMA requests
 *   (DMACR is stored only), no break or framing errors.
 */
#ifndef DEVEMU_PL011_H
#define DEVEMU_PL011_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets. */
#define PL011_DR     0x000
#define PL011_RSR    0x004 /* read: receive status; write: ECR, clears it */
#define PL011_FR     0x018
#define PL011_ILPR   0x020
#define PL011_IBRD   0x024
#define PL011_FBRD   0x028
#define PL011_LCR_H  0x02c
#define PL011_CR     0x030
#define PL011_IFLS   0x034
#define PL011_IMSC   0x038
#define PL011_RIS    0x03c
#define PL011_MIS    0x040
#define PL011_ICR    0x044
#define PL011_DMACR  0x048
#define PL011_PERIPH 0xfe0 /* PeriphID0..3, then CellID0..3 at 0xff0 */
#define PL011_SIZE   0x1000

#define PL011_FR_BUSY (1u << 3)
#define PL011_FR_RXFE (1u << 4)
#define PL011_FR_TXFF (1u << 5)
#define PL011_FR_RXFF (1u << 6)
#define PL011_FR_TXFE (1u << 7)

#define PL011_LCR_H_FEN (1u << 4)

/* Interrupt bits of IMSC, RIS, MIS and ICR. */
#define PL011_INT_RX  (1u << 4)
#define PL011_INT_TX  (1u << 5)
#define PL011_INT_RT  (1u << 6)
#define PL011_INT_FE  (1u << 7)
#define PL011_INT_PE  (1u << 8)
#define PL011_INT_BE  (1u << 9)
#define PL011_INT_OE  (1u << 10)
#define PL011_INT_ALL 0x7ffu

#define PL011_RSR_OE (1u << 3)

/* The FIFO depth the guest is told of: PeriphID2 says revision 1, for which
 * Linux assumes 16. The TX buffer holds more, so that a driver writing
 * half a FIFO per TX interrupt without looking at TXFF (as Linux does)
 * never loses a byte even with an unusual trigger level. */
#define PL011_FIFO_DEPTH 16
#define PL011_TX_BUF     32

struct pl011 {
	uint8_t rx[PL011_FIFO_DEPTH];
	uint8_t tx[PL011_TX_BUF];
	uint8_t rx_head, rx_count; /* oldest byte, bytes held */
	uint8_t tx_head, tx_count;
	bool tx_cleared; /* ICR cleared TXRIS; the next FIFO change re-arms it */
	uint16_t errors; /* latched RIS error bits (OE, BE, PE, FE) */
	uint16_t rsr;    /* receive status (OE) until cleared through ECR */
	uint16_t ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, dmacr;
	uint32_t rx_overruns; /* bytes pushed into a full RX FIFO */
	uint32_t tx_overruns; /* bytes the guest wrote into a full TX buffer */
};

/* The reset state of the TRM: CR = 0x300 (TXE, RXE), IFLS = 0x12, empty FIFOs. */
void pl011_reset(struct pl011 *u);

/* A guest access of `width` bytes (1, 2 or 4) at offset `off` from the
 * base. Unknown offsets read as 0 and ignore writes; so do writes that are
 * not aligned to their register. */
uint32_t pl011_read(struct pl011 *u, uint32_t off, unsigned width);
void pl011_write(struct pl011 *u, uint32_t off, unsigned width, uint32_t value);

/* Receiving: free FIFO places, and one byte in. A byte that does not fit
 * is lost and sets OE, as on the real UART; returns whether it fitted. */
unsigned pl011_rx_room(const struct pl011 *u);
bool pl011_rx_push(struct pl011 *u, uint8_t c);

/* Transmitting: copy up to `max` of the oldest bytes written by the guest
 * into buf (returns how many), then drop the `n` that were passed on. */
unsigned pl011_tx_peek(const struct pl011 *u, uint8_t *buf, unsigned max);
void pl011_tx_consume(struct pl011 *u, unsigned n);

/* Raw and masked interrupt status, and the level of the UART's line. */
uint32_t pl011_ris(const struct pl011 *u);
uint32_t pl011_mis(const struct pl011 *u);
bool pl011_irq_level(const struct pl011 *u);

#endif
