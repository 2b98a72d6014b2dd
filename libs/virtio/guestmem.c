/* SPDX-License-Identifier: MIT */
/* The guest memory window (see virtio/guestmem.h). */
#include "virtio/guestmem.h"

#include <stddef.h>

void *guest_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (!m->host || gpa < m->gpa)
		return NULL;
	uint64_t off = gpa - m->gpa;
	if (off > m->size || len > m->size - off)
		return NULL;
	return m->host + off;
}
