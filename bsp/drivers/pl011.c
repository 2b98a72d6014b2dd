/* SPDX-License-Identifier: MIT */
/*
 * Arm PL011 UART, transmit only and polled: the kernel console. The loader
 * (QEMU, the RPi firmware) has already set the baud rate; reprogramming it
 * would need the board's UART clock, which the kernel does not otherwise need.
 */
#include <arch/mmio.h>
#include <bsp.h>

#define PL011_DR      0x00
#define PL011_FR      0x18
#define PL011_FR_TXFF (1u << 5)

void uart_putc(char c)
{
	while (mmio_read32(board.uart_base + PL011_FR) & PL011_FR_TXFF)
		;
	mmio_write32(board.uart_base + PL011_DR, (uint8_t)c);
}
