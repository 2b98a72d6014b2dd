/* SPDX-License-Identifier: MIT */
/*
 * The system-call fuzzer's world (fuzz_syscall.c): the real kernel core on
 * the host fake arch, two CPUs, a supervisor partition outside an arena of
 * untyped memory, and the partitions, threads and capabilities it builds
 * in the arena for every input. sysfuzz_world.c builds and tears it down
 * and makes kernel entries as the AArch64 entry code does;
 * sysfuzz_invariants.c checks the kernel's state after each entry.
 */
#ifndef SYSFUZZ_H
#define SYSFUZZ_H

#include <keel/partition.h>
#include <keel/thread.h>
#include <keel/untyped.h>
#include <stdbool.h>
#include <stdint.h>

#define SF_CPUS        2 /* online CPUs; the others stay empty */
#define SF_ARENA_SIZE  (4ull << 20)
#define SF_PAGE        4096ull
#define SF_SCRATCH_IPA 0x10000ull /* every partition's page of strings */
#define SF_HEAP_IPA    0x20000000ull

/* Devices of the host tree (DEVICE_FRAME may take these). */
#define SF_DEV_UART  0x9040000ull
#define SF_DEV_VIRTQ 0xa003000ull
#define SF_DEV_BUS   0x10001000ull

struct sysfuzz {
	struct untyped arena; /* the supervisor's; everything else lives in it */
	uint8_t *arena_mem;
	struct partition *sup_part; /* outside the arena, like the kernel's root */
	struct thread *sup;
	struct thread *idle[SF_CPUS];    /* priority 0: a CPU always has a thread */
	struct thread *running[SF_CPUS]; /* what each CPU returned to (on_cpu) */
	uint64_t syscalls;               /* system calls made, over all inputs */
};

extern struct sysfuzz sf;

/* Once per process: the arena, the supervisor, the host's device tree. */
void sysfuzz_init(void);
/* Per input: the world a fresh system has (sysfuzz_world.c documents it). */
void sysfuzz_build(void);
/* Per input: the supervisor resets the arena; checks nothing is left. */
void sysfuzz_teardown(void);

/* A kernel entry on `cpu`: the thread it ran saves its registers, `act`
 * runs with `t` = that CPU's current thread (may be NULL), then the CPU
 * picks its next thread. */
void sysfuzz_enter(unsigned cpu, void (*act)(struct thread *t, void *ctx), void *ctx);

/* AddressSanitizer view of untyped memory: only carved bytes are
 * accessible, so a pointer a reset left behind is reported when followed. */
void sysfuzz_unpoison_free(const struct untyped *u);
void sysfuzz_poison_free(const struct untyped *u);
void sysfuzz_poison_all(const struct untyped *u);

/* Every invariant of the kernel's state; aborts with a message on the
 * first one broken. */
void sysfuzz_check(void);

#endif
