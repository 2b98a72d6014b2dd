/* SPDX-License-Identifier: MIT */
/*
 * Threads. A thread is in exactly one state (enum keel_thread_state) and on
 * at most one scheduler queue (sched_node) and one wait queue (ipc_node).
 */
#ifndef KEEL_THREAD_H
#define KEEL_THREAD_H

#include <arch/esr.h>
#include <arch/regs.h>
#include <arch/vcpu.h>
#include <keel/list.h>
#include <keel_abi.h>
#include <stdbool.h>
#include <stdint.h>

struct partition;

struct thread {
	struct arch_regs regs; /* first: the entry code saves here */
	uint32_t id;
	uint8_t state;
	uint8_t prio;
	uint16_t cpu;
	struct partition *partition;
	struct list partition_node;

	/* A vCPU runs guest code at EL1 of its VM (partition->is_vm). An exit
	 * the kernel hands to a service is a call: exit_kind says how the reply
	 * completes it (keel_abi.h KEEL_EXIT_*). */
	bool is_vcpu;
	uint8_t exit_kind;
	struct dabt_access exit_access; /* the MMIO access an exit stands for */
	uint8_t vcpu_index;             /* its number in its VM (vGIC banking) */
	bool in_wfi;                    /* sleeping in WFI: a virtual interrupt wakes it */
	bool on_cpu;                    /* a CPU runs it or has not yet saved its registers */
	bool placed;                    /* counted in sched_cpus[cpu].placed (thread.c) */
	bool abort_pending;             /* inject an external abort at abort_far on entry */
	uint64_t abort_far;
	struct vcpu_sysregs el1;
	struct vgic_cpu vgic;

	/* IPC */
	struct list ipc_node;
	void *blocked_on;
	uint64_t ipc_msg[KEEL_MSG_WORDS];
	uint64_t ipc_badge;
	bool ipc_is_call;
	bool ipc_is_fault;         /* a fault or exit message: the sender stays stopped */
	uint8_t ipc_fault_state;   /* ... in this state */
	struct thread *reply_to;   /* caller waiting for this thread's reply */
	struct thread *reply_from; /* server this thread waits on for a reply */

	/* Scheduling, in counter ticks; budget 0 means unbounded. `remaining`
	 * goes negative when a thread overran its budget (the timer fired late);
	 * the debt is paid from the next periods, so the share stays bounded. */
	struct list sched_node;
	uint64_t budget, period, period_start, run_start, wake_at;
	int64_t remaining;
	uint64_t used, throttle_count;
};

/*
 * Placement: a thread is placed on its CPU from its start until it stops,
 * faults or exits, whatever it waits for in between (a blocked thread may
 * be woken there at any time); its CPU changes only while it is not placed
 * (THREAD_SCHED wants it INACTIVE). A vCPU alone on its CPU
 * (thread_alone_on_cpu, kernel.h) may idle that CPU in its own WFI
 * (arch/aarch64/vcpu.c), so a second thread placed there interrupts the CPU.
 */
void thread_init(struct thread *t, uint32_t id);
/* Make t runnable on its CPU (waking that CPU if it is another one); a
 * thread that was not placed (INACTIVE: started) is placed. */
void thread_wake(struct thread *t);
/* t stops running: it is taken off the CPU's queues and gets `state`;
 * INACTIVE, FAULTED and EXITED end its placement. */
void thread_block(struct thread *t, unsigned state);
/* t, already off the CPU's queues, is done: its fault or exit message was
 * taken, or could not be sent. It stays in `state` (FAULTED, EXITED) until
 * stopped, no longer placed. */
void thread_end(struct thread *t, unsigned state);
/* A caller waiting for t's reply gets -KEEL_ESRCH; a server owing t a
 * reply forgets it. */
void thread_release_partners(struct thread *t);
/* The call `caller` waits on will get no reply: a thread gets -KEEL_ESRCH,
 * a vCPU's exit is abandoned (arch_vcpu_exit_abandon). */
void thread_give_up_call(struct thread *caller);
/* A vCPU waiting for its exit's reply was told to retry: it sleeps until
 * `until` on its own CPU (kicked if that is sooner than its next event). */
void thread_defer(struct thread *t, uint64_t until);
/* Detach t from everything (queues, IPC partners) and make it INACTIVE. */
void thread_stop(struct thread *t);
/* Deliver a result to a thread that is not running: x0 = err. */
void thread_set_result(struct thread *t, long err);
/* Stop t (thread_stop); true if no CPU runs it any more, otherwise its
 * CPU is made to enter the kernel and save its registers soon. */
bool thread_stop_off_cpu(struct thread *t);
struct untyped;
/* Untyped reset, for a thread outside u's range: a wait on an object
 * there fails (ep_wait_fail); the object it waits on outside forgets its
 * binding to one there. */
void thread_forget_inside(struct thread *t, const struct untyped *u);

#endif
