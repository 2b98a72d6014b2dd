/* SPDX-License-Identifier: MIT */
/*
 * The Keel system-call ABI, shared by the kernel and the service library.
 * docs/abi.md is the prose version of this file.
 *
 * Keel calls are `svc #1`: x8 = call number, arguments in x0..x7; on return
 * x0 = 0 or a negative KEEL_E* error, results in x1..x7. `svc #0` is the
 * Linux call convention, answered by a small compatibility table so that a
 * static musl program runs unchanged (docs/abi.md lists the calls).
 *
 * IPC messages are six words in x1..x6 ("message registers"); a receiver
 * also gets the badge of the sender's capability in x7.
 */
#ifndef KEEL_ABI_H
#define KEEL_ABI_H

#define KEEL_SVC_LINUX 0
#define KEEL_SVC_KEEL  1

#define KEEL_MSG_WORDS 6

/* Badges the kernel signals with: a bound interrupt, new log lines. */
#define KEEL_IRQ_BADGE 1ul
#define KEEL_LOG_BADGE 2ul

/* Error codes (returned negated). */
#define KEEL_OK        0
#define KEEL_EINVAL    1  /* malformed argument */
#define KEEL_ENOMEM    2  /* out of the memory handed over for this */
#define KEEL_EEXIST    3  /* already there (mapping, object, slot in use) */
#define KEEL_ENOENT    4  /* no such thing (node, CPU) */
#define KEEL_ERANGE    5  /* outside the allowed range */
#define KEEL_ENODEV    6  /* hardware absent or not answering */
#define KEEL_ETIMEDOUT 7  /* waited long enough */
#define KEEL_EFAULT    8  /* bad user pointer */
#define KEEL_ENOCAP    9  /* slot out of range or empty */
#define KEEL_ETYPE     10 /* capability is of the wrong object type */
#define KEEL_EPERM     11 /* capability lacks a right the call needs */
#define KEEL_ENOSYS    12 /* unknown call number */
#define KEEL_EBUSY     13 /* object in a state that forbids the call */
#define KEEL_ESRCH     14 /* the partner of the operation is gone */
#define KEEL_ERRNO_MAX 14

/* Object types a capability can name. */
enum keel_obj_type {
	KEEL_OBJ_NONE = 0,
	KEEL_OBJ_UNTYPED = 1,
	KEEL_OBJ_PARTITION = 2,
	KEEL_OBJ_THREAD = 3,
	KEEL_OBJ_ENDPOINT = 4,
	KEEL_OBJ_NOTIFICATION = 5,
	KEEL_OBJ_FRAME = 6,
	KEEL_OBJ_IRQ_HANDLER = 7,
	KEEL_OBJ_IRQ_CONTROL = 8,
	KEEL_OBJ_SYSINFO = 9,
	/* Reserved for the guest issue. */
	KEEL_OBJ_VM = 10,
	KEEL_OBJ_VCPU = 11,
	KEEL_OBJ_TYPES
};

/* Rights. A derived capability never has more rights than its parent. */
#define KEEL_R_READ    (1u << 0) /* receive on endpoint, wait, map readable, inspect */
#define KEEL_R_WRITE   (1u << 1) /* send on endpoint, signal, map writable, modify */
#define KEEL_R_GRANT   (1u << 2) /* copy/mint this cap into another partition */
#define KEEL_R_EXEC    (1u << 3) /* map executable */
#define KEEL_R_CONTROL (1u << 4) /* configure, start, stop, destroy, retype */
#define KEEL_R_ALL     0x1fu

/* Capability space: slots per partition; slot 0 is always empty. */
#define KEEL_CSPACE_SLOTS 64

/* Slots the kernel fills in the root service (vmm) before it starts. */
#define KEEL_ROOT_SLOT_SELF       1 /* its own partition */
#define KEEL_ROOT_SLOT_THREAD     2 /* its own (first) thread */
#define KEEL_ROOT_SLOT_UNTYPED    3 /* the largest free RAM range */
#define KEEL_ROOT_SLOT_BUNDLE     4 /* the boot bundle, read-only frame */
#define KEEL_ROOT_SLOT_IRQ_CTL    5 /* create IRQ handler caps */
#define KEEL_ROOT_SLOT_UART       6 /* the console UART's MMIO, device frame */
#define KEEL_ROOT_SLOT_SYSINFO    7 /* read kernel state: ps, caps, log */
#define KEEL_ROOT_SLOT_FIRST_FREE 8

/* Where the root service finds things in its address space. */
#define KEEL_ROOT_BUNDLE_VA     0x10000000ul
#define KEEL_SERVICE_STACK_TOP  0x3f000000ul
#define KEEL_SERVICE_STACK_SIZE 0x10000ul
#define KEEL_SERVICE_HEAP_BASE  0x20000000ul

/* Call numbers (x8 with svc #1). */
enum keel_sys {
	KEEL_SYS_NULL = 0,       /* does nothing; for measuring entry cost */
	KEEL_SYS_DEBUG_PUTS = 1, /* x0 = ptr, x1 = len: into the kernel log */
	KEEL_SYS_YIELD = 2,
	KEEL_SYS_CALL = 3,       /* x0 = ep slot, x1..x6 msg -> x1..x6 reply */
	KEEL_SYS_SEND = 4,       /* x0 = ep slot, x1..x6 msg */
	KEEL_SYS_RECV = 5,       /* x0 = ep slot -> x1..x6 msg, x7 badge */
	KEEL_SYS_REPLY = 6,      /* x1..x6 msg to the last caller */
	KEEL_SYS_REPLY_RECV = 7, /* reply, then receive on x0 */
	KEEL_SYS_SIGNAL = 8,     /* x0 = notification slot */
	KEEL_SYS_WAIT = 9,       /* x0 = notification slot -> x1 bits */
	KEEL_SYS_POLL = 10,      /* x0 = notification slot -> x1 bits, no blocking */
	KEEL_SYS_CAP_COPY =
	        11, /* x0 src, x1 dest partition slot (0: self), x2 dest slot, x3 rights */
	KEEL_SYS_CAP_MINT = 12,   /* as copy, x4 = badge */
	KEEL_SYS_CAP_DELETE = 13, /* x0 slot */
	KEEL_SYS_CAP_REVOKE = 14, /* x0 slot: delete everything derived from it -> x1 count */
	KEEL_SYS_CAP_INFO = 15,   /* x0 slot -> x1 type, x2 rights, x3 badge */
	/* x0 untyped, x1 type, x2 size (frames, untyped), x3 dest partition slot, x4 dest slot */
	KEEL_SYS_RETYPE = 16,
	KEEL_SYS_FRAME_MAP = 17,        /* x0 frame, x1 partition slot, x2 ipa, x3 rights */
	KEEL_SYS_FRAME_UNMAP = 18,      /* x0 frame, x1 partition slot, x2 ipa */
	KEEL_SYS_FRAME_INFO = 19,       /* x0 frame -> x1 phys, x2 size */
	KEEL_SYS_THREAD_CONFIG = 20,    /* x0 thread, x1 partition slot, x2 entry, x3 sp, x4 arg */
	KEEL_SYS_THREAD_SCHED = 21,     /* x0 thread, x1 prio, x2 budget us, x3 period us, x4 cpu */
	KEEL_SYS_THREAD_START = 22,     /* x0 thread */
	KEEL_SYS_THREAD_STOP = 23,      /* x0 thread */
	KEEL_SYS_PARTITION_CONFIG = 24, /* x0 partition, x1 name ptr, x2 fault ep slot, x3 badge */
	KEEL_SYS_PARTITION_DESTROY = 25, /* x0 partition: stop threads, unmap, empty cspace */
	KEEL_SYS_PARTITION_HEAP =
	        26, /* x0 partition, x1 base, x2 size: the brk/mmap window, mapped by the caller */
	KEEL_SYS_IRQ_CLAIM = 27,    /* x0 irq ctl, x1 intid, x2 dest slot */
	KEEL_SYS_IRQ_BIND = 28,     /* x0 irq handler, x1 notification slot */
	KEEL_SYS_IRQ_ACK = 29,      /* x0 irq handler */
	KEEL_SYS_INFO_THREADS = 30, /* x0 sysinfo, x1 buf, x2 len -> x1 count */
	KEEL_SYS_INFO_CAPS = 31,    /* x0 sysinfo, x1 partition id, x2 buf, x3 len -> x1 count */
	KEEL_SYS_LOG_READ = 32, /* x0 sysinfo, x1 buf, x2 len, x3 from seq -> x1 len, x2 next seq */
	KEEL_SYS_CONSOLE_CLAIM = 33, /* x0 uart frame, x1 notification: log to the ring only, signal
	                                x1; -> x1 log position */
	KEEL_SYS_TIME = 34,          /* -> x1 counter, x2 frequency, x3 caller's CPU time */
	KEEL_SYS_SLEEP = 35,         /* x0 microseconds */
	KEEL_SYS_THREAD_EXIT = 36,   /* x0 = exit status, reported to the supervisor */
	/* x0 = VM (write), x1 = INTID (a PPI or SPI; SGIs are the guest's own),
	 * x2 = 1 raise / 0 lower, x3 = vCPU index for PPIs (ignored for SPIs,
	 * which follow the guest's targets) */
	KEEL_SYS_VM_INJECT = 37,
	/* x0 = VM (control), x1 = IPA, x2 = size, x3 = endpoint (write), x4 = badge:
	 * MMIO exits in [IPA, IPA + size) go to that endpoint, not the exit endpoint */
	KEEL_SYS_VM_MMIO_ROUTE = 38,
	KEEL_SYS_INFO_SYSTEM = 39, /* x0 = sysinfo -> x1 CPUs online, x2 KEEL_SYSTEM_* flags */
	/* x0 = endpoint (read), x1 = notification (read): a receive on the
	 * endpoint also returns the notification's signals, with badge
	 * KEEL_BADGE_SIGNAL and the bits in w0 */
	KEEL_SYS_EP_BIND = 40,
	/* x0 = untyped (control): destroy every object carved from it, directly
	 * or through child untypeds, and every reference to one; the next
	 * RETYPE starts at its base again. -KEEL_EBUSY: a thread there is
	 * still on a CPU (now stopped): call again */
	KEEL_SYS_UNTYPED_RESET = 41,
	KEEL_SYS_UNTYPED_INFO = 42, /* x0 = untyped (read) -> x1 base, x2 size, x3 free bytes */
	/* x0 = untyped (control, the header comes from it), x1 = IRQ control,
	 * x2 = physical address, x3 = size (pages), x4 = dest partition slot
	 * (0: self), x5 = dest slot: a device frame of MMIO the host device tree
	 * describes (-KEEL_ENODEV otherwise), never RAM, the kernel's image or
	 * its GIC and UART (-KEEL_EPERM); one frame per range (-KEEL_EBUSY) */
	KEEL_SYS_DEVICE_FRAME = 43,
	/* x0 = VM (control), x1 = IRQ handler (control), x2 = virtual INTID (an
	 * SPI): the physical interrupt goes to the guest as that SPI, in the
	 * kernel, and the guest's EOI ends it at the GIC (list register HW bit) */
	KEEL_SYS_VM_IRQ_PASS = 44,
	/* x0 = endpoint (control), x1 = 1 close / 0 open: on a closed endpoint
	 * no server will answer: every sender waiting fails, and so does every
	 * later one (-KEEL_ESRCH; a vCPU's MMIO exit as an access where nothing
	 * is, an external abort; an HVC NOT_SUPPORTED) */
	KEEL_SYS_EP_CLOSE = 45,
	/* x0 = VM (control): its virtual GIC as at power-on, distributor and
	 * every vCPU's interface (a system reset: nothing pending, active or
	 * enabled is left from the last run; passed-through lines stay bound).
	 * -KEEL_EBUSY while one of its vCPUs is not stopped or still on a CPU */
	KEEL_SYS_VM_IRQ_RESET = 46,
	KEEL_SYS_COUNT
};

/* The fault message a supervisor receives on a partition's fault endpoint
 * (badge = the badge given in PARTITION_CONFIG). */
enum keel_fault_kind {
	KEEL_FAULT_MEMORY = 1, /* w1 = address, w2 = pc, w3 = esr */
	KEEL_FAULT_OTHER = 2,  /* w1 = esr, w2 = pc */
	KEEL_FAULT_EXIT = 3,   /* w1 = exit code */
	/* vCPU exits: the vCPU waits for the reply, which completes them. */
	KEEL_EXIT_MMIO = 4, /* w1 = IPA, w2 = width in bytes, w3 = value written,
	                     * w4 = 1 for a write; reply w0 = value read */
	KEEL_EXIT_HVC = 5,  /* w1..w4 = x0..x3 (PSCI and the like, HVC or SMC); reply w0 -> x0 */
};

/* Reply w1 to a KEEL_EXIT_MMIO: nothing is there, the guest gets a
 * synchronous external abort at the address instead of a value. */
#define KEEL_EXIT_REPLY_ABORT  1
/* Reply w1 to a KEEL_EXIT_MMIO or KEEL_EXIT_HVC: not now. The vCPU sleeps
 * w2 microseconds (at most KEEL_EXIT_RETRY_MAX_US; more is taken as that),
 * then makes the same access or call again, a new exit. A service that
 * shares itself among VMs defers one over its share this way (keel/
 * fairshare.h). Any other w1 completes the exit (an HVC's: always 0). */
#define KEEL_EXIT_REPLY_RETRY  2
#define KEEL_EXIT_RETRY_MAX_US 1000000ul

/* The badge of a receive that returned a signal of the endpoint's bound
 * notification (EP_BIND), not a message. */
#define KEEL_BADGE_SIGNAL (~0ul)

/* KEEL_SYS_INFO_SYSTEM flags. */
#define KEEL_SYSTEM_VGIC 1u /* guests get interrupts (a GICv2 virtual CPU interface) */

/* Thread states as reported by KEEL_SYS_INFO_THREADS. */
enum keel_thread_state {
	KEEL_TS_INACTIVE,
	KEEL_TS_READY,
	KEEL_TS_RUNNING,
	KEEL_TS_BLOCKED_SEND,
	KEEL_TS_BLOCKED_RECV,
	KEEL_TS_BLOCKED_REPLY,
	KEEL_TS_BLOCKED_WAIT,
	KEEL_TS_SLEEPING,
	KEEL_TS_THROTTLED,
	KEEL_TS_FAULTED,
	KEEL_TS_EXITED,
};

struct keel_thread_info {
	unsigned int partition_id;
	unsigned int thread_id;
	char partition_name[16];
	unsigned int state;
	unsigned int cpu;
	unsigned int prio;
	unsigned int pad;
	unsigned long budget_us;
	unsigned long period_us;
	unsigned long used_us;   /* total CPU time */
	unsigned long throttled; /* times the budget ran out */
};

struct keel_cap_info {
	unsigned int slot;
	unsigned int type;
	unsigned int rights;
	unsigned int object_id;
	unsigned long badge;
};

#endif
