/* SPDX-License-Identifier: MIT */
/*
 * The smallest PL011 a guest can print through, for VMs whose UART is not
 * routed to devemu (no `uart-endpoint`): transmit only, always idle.
 * Writes to DR are collected into lines printed with the VM's name; FR
 * reads as "TX FIFO empty, RX FIFO empty"; every other register reads as 0
 * and ignores writes, which is enough for Linux's earlycon and amba-pl011
 * console (the guest tree gives the PeriphID, so it is not read).
 */
#include "guest_fdt.h"
#include "vm.h"

#include <stdio.h>

#define UART_DR      0x00
#define UART_FR      0x18
#define UART_FR_IDLE 0x90 /* TXFE | RXFE */

static void put_char(struct vm *v, char c)
{
	if (c == '\r')
		return;
	if (c == '\n' || v->line_len == sizeof(v->line) - 1) {
		v->line[v->line_len] = '\0';
		printf("%s: %s\n", v->d.name, v->line);
		v->line_len = 0;
		if (c == '\n')
			return;
	}
	v->line[v->line_len++] = c;
}

void vuart_access(struct vm *v, struct keel_msg *m)
{
	unsigned long off = m->w[1] - GUEST_UART_BASE, write = m->w[4];
	m->w[0] = 0;
	if (write && off == UART_DR)
		put_char(v, (char)m->w[3]);
	else if (!write && off == UART_FR)
		m->w[0] = UART_FR_IDLE;
}
