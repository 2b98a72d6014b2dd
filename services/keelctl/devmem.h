/* SPDX-License-Identifier: MIT */
/*
 * The mailbox through /dev/mem: the one Linux-specific part of keelctl.
 */
#ifndef KEELCTL_DEVMEM_H
#define KEELCTL_DEVMEM_H

#include <stddef.h>

#include "mailbox.h"

struct devmem {
	int fd;
	volatile unsigned char *map; /* the mapping, page aligned */
	size_t map_len;
	volatile unsigned char *regs; /* the mailbox inside it */
};

/*
 * keelctl_env.open: finds the mailbox (KEELCTL_MAILBOX, else the device
 * tree node at MBOX_BASE), maps it from /dev/mem and fills `io`.
 * KEELCTL_EXIT_OK, or an exit code with the reason in `err`.
 */
int devmem_open(void *devmem, struct mbox_io *io, char *err, size_t err_size);
void devmem_close(void *devmem);

#endif
