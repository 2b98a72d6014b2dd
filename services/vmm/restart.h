/* SPDX-License-Identifier: MIT */
/* Restart after a crash (restart.c), for main.c's fault reports. */
#ifndef VMM_RESTART_H
#define VMM_RESTART_H

#include <stddef.h>

struct service;

/* s's running instance (index i among the services) faulted: restart it
 * from `elf`, its image, as its restart policy says, or leave it down. */
void restart_after_fault(struct service *s, const void *elf, size_t size, unsigned index);

/* s will not run again (it exited, or is not restarted): the endpoints it
 * served are closed, so that its clients' exits fail instead of waiting. */
void service_down(struct service *s);

#endif
