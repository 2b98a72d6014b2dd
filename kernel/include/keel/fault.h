/* SPDX-License-Identifier: MIT */
#ifndef KEEL_FAULT_H
#define KEEL_FAULT_H

#include <keel/thread.h>
#include <stdint.h>

/* A thread faulted (kind KEEL_FAULT_*) or exited: it stops, the log says
 * why, and its partition's supervisor gets a message on the fault endpoint.
 * Nothing else is touched. */
void fault_raise(struct thread *t, unsigned kind, uint64_t a, uint64_t b, uint64_t c);

#endif
