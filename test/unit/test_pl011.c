/* SPDX-License-Identifier: MIT */
/* devemu's PL011 model: reset values, the TX and RX paths, interrupts, IDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pl011.h"

#define LCR_H_FEN_8N1 (PL011_LCR_H_FEN | (3u << 5))

static uint32_t rd(struct pl011 *u, uint32_t off)
{
	return pl011_read(u, off, 4);
}

static void wr(struct pl011 *u, uint32_t off, uint32_t v)
{
	pl011_write(u, off, 4, v);
}

/* What Linux's pl011_startup leaves behind, with FIFOs at half. */
static void linux_setup(struct pl011 *u)
{
	pl011_reset(u);
	wr(u, PL011_IBRD, 13);
	wr(u, PL011_FBRD, 1);
	wr(u, PL011_LCR_H, LCR_H_FEN_8N1);
	wr(u, PL011_IFLS, 0x12);
	wr(u, PL011_CR, 0x301);
	wr(u, PL011_ICR, PL011_INT_ALL);
	wr(u, PL011_IMSC, PL011_INT_RX | PL011_INT_RT);
}

static void reset_values(void **state)
{
	(void)state;
	struct pl011 u;
	pl011_reset(&u);
	assert_int_equal(rd(&u, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
	assert_int_equal(rd(&u, PL011_CR), 0x300);
	assert_int_equal(rd(&u, PL011_IFLS), 0x12);
	assert_int_equal(rd(&u, PL011_LCR_H), 0);
	assert_int_equal(rd(&u, PL011_IMSC), 0);
	assert_int_equal(rd(&u, PL011_RSR), 0);
	assert_int_equal(rd(&u, PL011_DMACR), 0);
	assert_int_equal(rd(&u, PL011_RIS), PL011_INT_TX); /* empty TX FIFO */
	assert_int_equal(rd(&u, PL011_MIS), 0);
	assert_false(pl011_irq_level(&u));
	/* Unknown offsets read 0 and ignore writes; out of range too. */
	assert_int_equal(rd(&u, 0x08), 0);
	wr(&u, 0x08, 0xffffffff);
	assert_int_equal(rd(&u, 0x08), 0);
	assert_int_equal(rd(&u, 0x1000), 0);
}

static void registers_keep_their_bits(void **state)
{
	(void)state;
	struct pl011 u;
	pl011_reset(&u);
	wr(&u, PL011_IBRD, 0xffffffff);
	wr(&u, PL011_FBRD, 0xffffffff);
	wr(&u, PL011_LCR_H, 0xffffffff);
	wr(&u, PL011_IFLS, 0xffffffff);
	wr(&u, PL011_IMSC, 0xffffffff);
	wr(&u, PL011_DMACR, 0xffffffff);
	assert_int_equal(rd(&u, PL011_IBRD), 0xffff);
	assert_int_equal(rd(&u, PL011_FBRD), 0x3f);
	assert_int_equal(rd(&u, PL011_LCR_H), 0xff);
	assert_int_equal(rd(&u, PL011_IFLS), 0x3f);
	assert_int_equal(rd(&u, PL011_IMSC), PL011_INT_ALL);
	assert_int_equal(rd(&u, PL011_DMACR), 7);
	/* RIS and MIS are read-only. */
	wr(&u, PL011_RIS, 0);
	assert_int_equal(rd(&u, PL011_RIS) & PL011_INT_TX, PL011_INT_TX);
}

static void narrow_accesses(void **state)
{
	(void)state;
	struct pl011 u;
	pl011_reset(&u);
	/* earlycon style: byte writes to DR, byte and halfword reads of FR. */
	pl011_write(&u, PL011_DR, 1, 'k');
	pl011_write(&u, PL011_DR, 2, 0x4100 | 'e');
	uint8_t buf[4];
	assert_int_equal(pl011_tx_peek(&u, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "ke", 2);
	assert_int_equal(pl011_read(&u, PL011_FR, 1),
	                 PL011_FR_BUSY | PL011_FR_TXFF | PL011_FR_RXFE);
	assert_int_equal(pl011_read(&u, PL011_CR + 1, 1), 0x03);
	assert_int_equal(pl011_read(&u, PL011_CR, 2), 0x300);
	/* A byte write keeps the upper byte; an unaligned one is ignored. */
	pl011_write(&u, PL011_CR, 1, 0x01);
	assert_int_equal(rd(&u, PL011_CR), 0x301);
	pl011_write(&u, PL011_CR + 1, 1, 0x00);
	assert_int_equal(rd(&u, PL011_CR), 0x301);
	/* A width other than 1, 2 or 4 does nothing. */
	pl011_write(&u, PL011_IMSC, 8, 0x10);
	assert_int_equal(rd(&u, PL011_IMSC), 0);
	assert_int_equal(pl011_read(&u, PL011_FR, 3), 0);
}

static void transmit_path(void **state)
{
	(void)state;
	struct pl011 u;
	uint8_t buf[PL011_TX_BUF];
	linux_setup(&u);

	for (int i = 0; i < PL011_FIFO_DEPTH; i++) {
		assert_false(rd(&u, PL011_FR) & PL011_FR_TXFF);
		wr(&u, PL011_DR, 'a' + i);
	}
	uint32_t fr = rd(&u, PL011_FR);
	assert_true(fr & PL011_FR_TXFF);
	assert_true(fr & PL011_FR_BUSY);
	assert_false(fr & PL011_FR_TXFE);
	assert_false(rd(&u, PL011_RIS) & PL011_INT_TX); /* above the trigger level */

	/* The owner passes five on: still above half. */
	assert_int_equal(pl011_tx_peek(&u, buf, 5), 5);
	assert_memory_equal(buf, "abcde", 5);
	pl011_tx_consume(&u, 5);
	assert_false(rd(&u, PL011_RIS) & PL011_INT_TX);
	assert_false(rd(&u, PL011_FR) & PL011_FR_TXFF);
	/* Three more: 8 left, at the trigger level. */
	pl011_tx_consume(&u, 3);
	assert_true(rd(&u, PL011_RIS) & PL011_INT_TX);
	assert_int_equal(pl011_tx_peek(&u, buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "ijklmnop", 8);
	pl011_tx_consume(&u, 100);
	assert_int_equal(rd(&u, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
	assert_int_equal(pl011_tx_peek(&u, buf, sizeof(buf)), 0);
}

static void transmit_overrun_is_counted(void **state)
{
	(void)state;
	struct pl011 u;
	uint8_t buf[PL011_TX_BUF + 4];
	linux_setup(&u);
	/* A driver ignoring TXFF: the buffer takes PL011_TX_BUF, then drops. */
	for (int i = 0; i < PL011_TX_BUF + 3; i++)
		wr(&u, PL011_DR, (uint32_t)i);
	assert_int_equal(u.tx_overruns, 3);
	assert_int_equal(pl011_tx_peek(&u, buf, sizeof(buf)), PL011_TX_BUF);
	for (int i = 0; i < PL011_TX_BUF; i++)
		assert_int_equal(buf[i], i);
}

static void no_fifo_means_depth_one(void **state)
{
	(void)state;
	struct pl011 u;
	pl011_reset(&u); /* LCR_H.FEN = 0 */
	wr(&u, PL011_DR, 'x');
	assert_true(rd(&u, PL011_FR) & PL011_FR_TXFF);
	assert_false(rd(&u, PL011_RIS) & PL011_INT_TX);
	pl011_tx_consume(&u, 1);
	assert_true(rd(&u, PL011_RIS) & PL011_INT_TX);
	assert_true(pl011_rx_push(&u, 'y'));
	assert_int_equal(pl011_rx_room(&u), 0);
	assert_true(rd(&u, PL011_FR) & PL011_FR_RXFF);
	assert_true(rd(&u, PL011_RIS) & PL011_INT_RX);
	assert_int_equal(rd(&u, PL011_DR), 'y');
}

static void receive_fill_drain_overflow(void **state)
{
	(void)state;
	struct pl011 u;
	linux_setup(&u);
	assert_int_equal(pl011_rx_room(&u), PL011_FIFO_DEPTH);
	for (int i = 0; i < PL011_FIFO_DEPTH; i++)
		assert_true(pl011_rx_push(&u, (uint8_t)('A' + i)));
	assert_int_equal(pl011_rx_room(&u), 0);
	assert_true(rd(&u, PL011_FR) & PL011_FR_RXFF);
	/* One too many: lost, OE in RSR and RIS, the FIFO untouched. */
	assert_false(pl011_rx_push(&u, '!'));
	assert_int_equal(u.rx_overruns, 1);
	assert_int_equal(rd(&u, PL011_RSR), PL011_RSR_OE);
	assert_true(rd(&u, PL011_RIS) & PL011_INT_OE);
	for (int i = 0; i < PL011_FIFO_DEPTH; i++) {
		assert_false(rd(&u, PL011_FR) & PL011_FR_RXFE);
		assert_int_equal(rd(&u, PL011_DR), 'A' + i);
	}
	assert_true(rd(&u, PL011_FR) & PL011_FR_RXFE);
	assert_int_equal(rd(&u, PL011_DR), 0); /* empty */
	/* ECR clears the receive status and the overrun interrupt. */
	wr(&u, PL011_RSR, 0);
	assert_int_equal(rd(&u, PL011_RSR), 0);
	assert_false(rd(&u, PL011_RIS) & PL011_INT_OE);
	/* The FIFO wraps. */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 10; i++)
			assert_true(pl011_rx_push(&u, (uint8_t)(round * 10 + i)));
		for (int i = 0; i < 10; i++)
			assert_int_equal(rd(&u, PL011_DR), round * 10 + i);
	}
}

static void interrupt_follows_imsc_ris_icr(void **state)
{
	(void)state;
	struct pl011 u;
	linux_setup(&u); /* IMSC = RX | RT */
	assert_false(pl011_irq_level(&u));

	/* One byte: below the RX trigger, but the receive timeout says so. */
	pl011_rx_push(&u, 'z');
	assert_int_equal(rd(&u, PL011_RIS) & (PL011_INT_RX | PL011_INT_RT), PL011_INT_RT);
	assert_int_equal(rd(&u, PL011_MIS), PL011_INT_RT);
	assert_true(pl011_irq_level(&u));
	/* Reading it empties the FIFO and drops the line. */
	rd(&u, PL011_DR);
	assert_false(pl011_irq_level(&u));

	/* Half a FIFO (8): RX as well. */
	for (int i = 0; i < 8; i++)
		pl011_rx_push(&u, 'q');
	assert_int_equal(rd(&u, PL011_MIS), PL011_INT_RX | PL011_INT_RT);
	/* Masked: no line, RIS unchanged. */
	wr(&u, PL011_IMSC, 0);
	assert_false(pl011_irq_level(&u));
	assert_int_equal(rd(&u, PL011_RIS) & (PL011_INT_RX | PL011_INT_RT),
	                 PL011_INT_RX | PL011_INT_RT);
	while (!(rd(&u, PL011_FR) & PL011_FR_RXFE))
		rd(&u, PL011_DR);

	/* TX: Linux enables TXIM when its FIFO filled; the line rises when
	 * the FIFO drains to half, and a write above half lowers it. */
	for (int i = 0; i < PL011_FIFO_DEPTH; i++)
		wr(&u, PL011_DR, 'x');
	wr(&u, PL011_IMSC, PL011_INT_TX | PL011_INT_RX | PL011_INT_RT);
	assert_false(pl011_irq_level(&u));
	pl011_tx_consume(&u, 8);
	assert_true(pl011_irq_level(&u));
	assert_int_equal(rd(&u, PL011_MIS), PL011_INT_TX);
	wr(&u, PL011_DR, 'y');
	assert_false(pl011_irq_level(&u));
	/* ICR clears TX until the FIFO changes again. */
	pl011_tx_consume(&u, 9);
	assert_true(pl011_irq_level(&u));
	wr(&u, PL011_ICR, PL011_INT_TX);
	assert_false(pl011_irq_level(&u));
	assert_false(rd(&u, PL011_RIS) & PL011_INT_TX);
	wr(&u, PL011_DR, 'w');
	assert_true(rd(&u, PL011_RIS) & PL011_INT_TX);

	/* ICR clears a latched overrun; it cannot clear pending RX data. */
	wr(&u, PL011_IMSC, PL011_INT_OE | PL011_INT_RT);
	for (int i = 0; i < PL011_FIFO_DEPTH + 1; i++)
		pl011_rx_push(&u, 'o');
	assert_int_equal(rd(&u, PL011_MIS), PL011_INT_OE | PL011_INT_RT);
	wr(&u, PL011_ICR, PL011_INT_ALL);
	assert_int_equal(rd(&u, PL011_MIS), PL011_INT_RT);
}

static void trigger_levels_follow_ifls(void **state)
{
	(void)state;
	struct pl011 u;
	static const unsigned rx_levels[5] = {2, 4, 8, 12, 14};
	for (unsigned sel = 0; sel < 5; sel++) {
		linux_setup(&u);
		wr(&u, PL011_IFLS, sel << 3);
		for (unsigned i = 0; i < rx_levels[sel] - 1; i++)
			pl011_rx_push(&u, 'r');
		assert_false(rd(&u, PL011_RIS) & PL011_INT_RX);
		pl011_rx_push(&u, 'r');
		assert_true(rd(&u, PL011_RIS) & PL011_INT_RX);
	}
}

static void primecell_ids(void **state)
{
	(void)state;
	struct pl011 u;
	static const uint32_t want[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
	pl011_reset(&u);
	for (int i = 0; i < 8; i++)
		assert_int_equal(rd(&u, PL011_PERIPH + 4 * (uint32_t)i), want[i]);
	wr(&u, PL011_PERIPH, 0);
	assert_int_equal(rd(&u, PL011_PERIPH), 0x11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(reset_values),
	        cmocka_unit_test(registers_keep_their_bits),
	        cmocka_unit_test(narrow_accesses),
	        cmocka_unit_test(transmit_path),
	        cmocka_unit_test(transmit_overrun_is_counted),
	        cmocka_unit_test(no_fifo_means_depth_one),
	        cmocka_unit_test(receive_fill_drain_overflow),
	        cmocka_unit_test(interrupt_follows_imsc_ris_icr),
	        cmocka_unit_test(trigger_levels_follow_ifls),
	        cmocka_unit_test(primecell_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
