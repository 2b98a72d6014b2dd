/* SPDX-License-Identifier: MIT */
/*
 * 16550-compatible UART with 32-bit register stride (Tegra UARTA), transmit
 * only and polled. U-Boot leaves it configured at 115200 8N1.
 */
#include <arch/mmio.h>
#include <bsp.h>

#define NS16550_REG_SHIFT 2
#define NS16550_THR       (0 << NS16550_REG_SHIFT)
#define NS16550_LSR       (5 << NS16550_REG_SHIFT)
#define NS16550_LSR_THRE  (1u << 5)

void uart_putc(char c)
{
	while (!(mmio_read32(board.uart_base + NS16550_LSR) & NS16550_LSR_THRE))
		;
	mmio_write32(board.uart_base + NS16550_THR, (uint8_t)c);
}
