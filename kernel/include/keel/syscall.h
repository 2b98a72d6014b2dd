/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SYSCALL_H
#define KEEL_SYSCALL_H

#include <keel/thread.h>

/* A handler returns this when it blocked the caller: x0 is set on wake-up. */
#define SYS_BLOCKED (1l << 62)

/* svc #1 from `t` (the current thread): decode, check capabilities, act. */
void syscall_keel(struct thread *t);
/* svc #0: the Linux numbers a static musl program uses (linux.c). */
void syscall_linux(struct thread *t);

struct partition;
/* A call's target partition: slot 0 is the caller's own, any other a
 * partition capability with `rights`, alive (-KEEL_ESRCH otherwise). */
int syscall_target_partition(struct thread *t, uint64_t slot, unsigned rights,
                             struct partition **out);

/* Object ids for ps and caps, in creation order. */
uint32_t kobj_next_id(void);

#endif
