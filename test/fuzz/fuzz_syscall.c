/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the real kernel core (kernel/core on the host fake
 * arch) driven through every system call, with the kernel's invariants
 * checked after each kernel entry (sysfuzz_invariants.c).
 *
 * Each input starts from the same world (sysfuzz_world.c: a supervisor,
 * two partitions, a VM, threads on two CPUs, endpoints, notifications,
 * untyped memory) and is read as a sequence of kernel entries of OP_BYTES
 * each: which CPU enters and why (a system call of the thread it runs, a
 * Linux call, the timer, a device interrupt, a fault or a vCPU exit), the
 * call's number and one byte per argument. An argument byte is decoded by
 * what the call expects there: a capability slot is mostly one of the
 * caller's capabilities of the wanted type (sometimes any slot, empty or
 * not), a destination slot mostly an empty one, sizes, addresses, rights,
 * priorities and times come from tables of values that matter, so that
 * most calls get past the decoder into the objects.
 *
 * Untyped memory above its watermark is poisoned for AddressSanitizer, so
 * whatever the kernel still reaches after a reset is reported at once.
 * At the end the supervisor resets the whole arena, which must leave
 * nothing behind; the next input starts from a fresh world.
 */
#include "sysfuzz.h"

#include <fake_arch.h>
#include <keel/cap.h>
#include <keel/endpoint.h>
#include <keel/fastpath.h>
#include <keel/fault.h>
#include <keel/irq.h>
#include <keel/kernel.h>
#include <keel/sched.h>
#include <keel/syscall.h>
#include <keel/timer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OP_BYTES 8
#define MAX_OPS  256

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What an argument byte stands for. */
enum arg {
	A_NONE,
	A_ANY, /* a capability of any type */
	A_UT,
	A_EP,
	A_NTFN,
	A_FRAME,
	A_THREAD,
	A_PARTCAP, /* a partition or VM capability */
	A_VM,
	A_IRQH,
	A_IRQCTL,
	A_SYSINFO,
	A_PART, /* a target partition: 0 (the caller's) or a capability */
	A_DEST, /* a slot of the target partition, mostly empty */
	A_TYPE,
	A_SIZE,
	A_IPA,
	A_RIGHTS,
	A_NUM,
	A_BADGE,
	A_PRIO,
	A_US,
	A_CPU,
	A_PTR, /* into the caller's page of strings, mostly */
	A_LEN,
	A_INTID,
	A_VINTID,
	A_PHYS,
	A_PID,
};

#define MSG A_NUM, A_NUM, A_NUM, A_NUM, A_NUM
static const uint8_t specs[KEEL_SYS_COUNT][6] = {
        [KEEL_SYS_DEBUG_PUTS] = {A_PTR, A_LEN},
        [KEEL_SYS_CALL] = {A_EP, MSG},
        [KEEL_SYS_SEND] = {A_EP, MSG},
        [KEEL_SYS_RECV] = {A_EP},
        [KEEL_SYS_REPLY] = {A_NONE, MSG},
        [KEEL_SYS_REPLY_RECV] = {A_EP, MSG},
        [KEEL_SYS_SIGNAL] = {A_NTFN},
        [KEEL_SYS_WAIT] = {A_NTFN},
        [KEEL_SYS_POLL] = {A_NTFN},
        [KEEL_SYS_CAP_COPY] = {A_ANY, A_PART, A_DEST, A_RIGHTS},
        [KEEL_SYS_CAP_MINT] = {A_ANY, A_PART, A_DEST, A_RIGHTS, A_BADGE},
        [KEEL_SYS_CAP_DELETE] = {A_ANY},
        [KEEL_SYS_CAP_REVOKE] = {A_ANY},
        [KEEL_SYS_CAP_INFO] = {A_ANY},
        [KEEL_SYS_RETYPE] = {A_UT, A_TYPE, A_SIZE, A_PART, A_DEST},
        [KEEL_SYS_FRAME_MAP] = {A_FRAME, A_PART, A_IPA, A_RIGHTS},
        [KEEL_SYS_FRAME_UNMAP] = {A_FRAME, A_PART, A_IPA},
        [KEEL_SYS_FRAME_INFO] = {A_FRAME},
        [KEEL_SYS_THREAD_CONFIG] = {A_THREAD, A_PART, A_IPA, A_IPA, A_NUM},
        [KEEL_SYS_THREAD_SCHED] = {A_THREAD, A_PRIO, A_US, A_US, A_CPU},
        [KEEL_SYS_THREAD_START] = {A_THREAD},
        [KEEL_SYS_THREAD_STOP] = {A_THREAD},
        [KEEL_SYS_PARTITION_CONFIG] = {A_PARTCAP, A_PTR, A_EP, A_BADGE},
        [KEEL_SYS_PARTITION_DESTROY] = {A_PARTCAP},
        [KEEL_SYS_PARTITION_HEAP] = {A_PARTCAP, A_IPA, A_SIZE},
        [KEEL_SYS_IRQ_CLAIM] = {A_IRQCTL, A_INTID, A_DEST},
        [KEEL_SYS_IRQ_BIND] = {A_IRQH, A_NTFN},
        [KEEL_SYS_IRQ_ACK] = {A_IRQH},
        [KEEL_SYS_INFO_THREADS] = {A_SYSINFO, A_PTR, A_LEN},
        [KEEL_SYS_INFO_CAPS] = {A_SYSINFO, A_PID, A_PTR, A_LEN},
        [KEEL_SYS_LOG_READ] = {A_SYSINFO, A_PTR, A_LEN, A_NUM},
        [KEEL_SYS_CONSOLE_CLAIM] = {A_FRAME, A_NTFN},
        [KEEL_SYS_SLEEP] = {A_US},
        [KEEL_SYS_THREAD_EXIT] = {A_NUM},
        [KEEL_SYS_VM_INJECT] = {A_VM, A_VINTID, A_NUM, A_NUM},
        [KEEL_SYS_VM_MMIO_ROUTE] = {A_VM, A_IPA, A_SIZE, A_EP, A_BADGE},
        [KEEL_SYS_INFO_SYSTEM] = {A_SYSINFO},
        [KEEL_SYS_EP_BIND] = {A_EP, A_NTFN},
        [KEEL_SYS_UNTYPED_RESET] = {A_UT},
        [KEEL_SYS_UNTYPED_INFO] = {A_UT},
        [KEEL_SYS_DEVICE_FRAME] = {A_UT, A_IRQCTL, A_PHYS, A_SIZE, A_PART, A_DEST},
        [KEEL_SYS_VM_IRQ_PASS] = {A_VM, A_IRQH, A_VINTID},
        [KEEL_SYS_EP_CLOSE] = {A_EP, A_NUM},
        [KEEL_SYS_VM_IRQ_RESET] = {A_VM},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const uint64_t sizes[] = {SF_PAGE,
                                 2 * SF_PAGE,
                                 4 * SF_PAGE,
                                 16 * SF_PAGE,
                                 64 << 10,
                                 256 << 10,
                                 1 << 20,
                                 2 << 20,
                                 0,
                                 100,
                                 SF_PAGE + 1,
                                 1ull << 32,
                                 (1ull << 32) + SF_PAGE};
static const uint64_t ipas[] = {SF_SCRATCH_IPA, 0,          0x1000,       0x200000,
                                0x30000000,     0x40000000, 0x7ffffff000, 1ull << 39,
                                0x10800,        0x8000000,  0x9000000,    SF_HEAP_IPA};
static const uint64_t badges[] = {0, 1, 2, 0x80, KEEL_BADGE_SIGNAL, 1ull << 63};
static const uint64_t times_us[] = {0,    1,     10,      100,      1000,    2000,
                                    5000, 10000, 1000000, 10000000, 10000001};
static const uint64_t lens[] = {0, 1, 16, 64, 256, 257, 4096, 8192, 100000};
static const uint64_t phys[] = {SF_DEV_UART, SF_DEV_VIRTQ, 0x9000000, SF_DEV_BUS, 0x9050000, 0};
static const uint64_t edges[] = {
        0, 1, UINT64_MAX, KEEL_CSPACE_SLOTS, 1ull << 32, 1ull << 39, 0x8000000000000000ull, 0xfff};

static struct thread *caller;
static bool trace;               /* SYSFUZZ_TRACE in the environment: each entry on stderr */
static struct partition *target; /* the partition the last A_PART named */

/* A slot of `p` holding a capability for which `want` holds, chosen by b. */
static uint64_t pick_slot(const struct partition *p, uint8_t b, bool (*want)(unsigned type))
{
	unsigned slots[KEEL_CSPACE_SLOTS], n = 0;
	if ((b & 7) == 7)
		return b >> 2 & 63; /* any slot, taken or not */
	for (unsigned s = 1; s < KEEL_CSPACE_SLOTS; s++)
		if (want(p->cspace.slots[s].type))
			slots[n++] = s;
	return n ? slots[(b >> 3) % n] : b >> 2 & 63;
}

static unsigned wanted; /* the type pick_slot's predicates compare with */
static bool of_wanted(unsigned type)
{
	return type == wanted || (wanted == KEEL_OBJ_PARTITION && type == KEEL_OBJ_VM) ||
	       (wanted == KEEL_OBJ_THREAD && type == KEEL_OBJ_VCPU) ||
	       (wanted == KEEL_OBJ_NONE && type != KEEL_OBJ_NONE);
}

static bool is_empty(unsigned type)
{
	return type == KEEL_OBJ_NONE;
}

static uint64_t slot_of(uint8_t b, unsigned type)
{
	wanted = type;
	return pick_slot(caller->partition, b, of_wanted);
}

static uint64_t target_of(uint8_t b)
{
	target = caller->partition;
	if ((b & 3) == 0)
		return 0;
	uint64_t slot = slot_of(b, KEEL_OBJ_PARTITION);
	const struct cap *c = &caller->partition->cspace.slots[slot];
	if (c->type == KEEL_OBJ_PARTITION || c->type == KEEL_OBJ_VM)
		target = c->obj;
	return slot;
}

static uint64_t partition_id(uint8_t b)
{
	unsigned n = 0;
	for (struct partition *p = partition_first(); p; p = p->next)
		n++;
	struct partition *p = partition_first();
	for (unsigned i = 0; i < b % (n + 1) && p; i++)
		p = p->next;
	return p ? p->id : b;
}

static uint64_t typed_arg(enum arg kind, uint8_t b)
{
	static const unsigned slot_types[] = {
	        [A_ANY] = KEEL_OBJ_NONE,          [A_UT] = KEEL_OBJ_UNTYPED,
	        [A_EP] = KEEL_OBJ_ENDPOINT,       [A_NTFN] = KEEL_OBJ_NOTIFICATION,
	        [A_FRAME] = KEEL_OBJ_FRAME,       [A_THREAD] = KEEL_OBJ_THREAD,
	        [A_PARTCAP] = KEEL_OBJ_PARTITION, [A_VM] = KEEL_OBJ_VM,
	        [A_IRQH] = KEEL_OBJ_IRQ_HANDLER,  [A_IRQCTL] = KEEL_OBJ_IRQ_CONTROL,
	        [A_SYSINFO] = KEEL_OBJ_SYSINFO,
	};
	if (kind >= A_ANY && kind <= A_SYSINFO)
		return slot_of(b, slot_types[kind]);
	return 0;
}

static uint64_t value_arg(enum arg kind, uint8_t b)
{
	switch (kind) {
	case A_PART: return target_of(b);
	case A_DEST: return pick_slot(target, b, is_empty);
	case A_TYPE: return b % (KEEL_OBJ_TYPES + 1);
	case A_SIZE: return sizes[b % N(sizes)];
	case A_IPA: return ipas[b % N(ipas)] + (b >> 6) * SF_PAGE;
	case A_RIGHTS: return b & 0x3f;
	case A_NUM: return b;
	case A_BADGE: return b < 0xc0 ? badges[b % N(badges)] : b;
	case A_PRIO: return b % 70;
	case A_US: return times_us[b % N(times_us)];
	case A_CPU: return b % (SF_CPUS + 1);
	case A_PTR: return b < 0xf0 ? SF_SCRATCH_IPA + (uint64_t)b * 17 : SF_SCRATCH_IPA - b;
	case A_LEN: return lens[b % N(lens)];
	case A_INTID: return b < 0xf0 ? IRQ_FIRST_SPI + b % 8 : (uint64_t)b * 5;
	case A_VINTID: return b % 96;
	case A_PHYS: return phys[b % N(phys)] + (b >> 5) * SF_PAGE;
	case A_PID: return partition_id(b);
	default: return typed_arg(kind, b);
	}
}

static uint64_t decode(enum arg kind, uint8_t b)
{
	if (kind == A_NONE)
		return b;
	if (b >= 0xf8 && kind != A_PART && kind != A_DEST)
		return edges[b & 7];
	return value_arg(kind, b);
}

/* --- kernel entries -------------------------------------------------------------- */

struct op {
	uint8_t kind, no, arg[6];
};

static const struct untyped *untyped_at(uint64_t slot)
{
	if (slot >= KEEL_CSPACE_SLOTS)
		return NULL;
	const struct cap *c = &caller->partition->cspace.slots[slot];
	return c->type == KEEL_OBJ_UNTYPED ? c->obj : NULL;
}

static void trace_call(const struct thread *t, uint64_t no)
{
	fprintf(stderr, "  thread %u calls %llu (%#llx %#llx %#llx %#llx %#llx %#llx)", t->id,
	        (unsigned long long)no, (unsigned long long)t->regs.x[0],
	        (unsigned long long)t->regs.x[1], (unsigned long long)t->regs.x[2],
	        (unsigned long long)t->regs.x[3], (unsigned long long)t->regs.x[4],
	        (unsigned long long)t->regs.x[5]);
}

/* The poisoning follows what a call carves from or resets in untyped:
 * what it may carve is accessible during the call; afterwards the free
 * part again is not, nor a new child untyped's range, nor a reset range. */
struct carving {
	const struct untyped *u;
	uint64_t mark, dest;
	bool child;
};

static struct carving carving_begin(const struct thread *t, uint64_t no)
{
	bool carves = no == KEEL_SYS_RETYPE || no == KEEL_SYS_DEVICE_FRAME ||
	              no == KEEL_SYS_UNTYPED_RESET;
	struct carving c = {.u = carves ? untyped_at(t->regs.x[0]) : NULL,
	                    .dest = t->regs.x[4],
	                    .child = no == KEEL_SYS_RETYPE && t->regs.x[1] == KEEL_OBJ_UNTYPED};
	if (c.u) {
		c.mark = c.u->watermark;
		sysfuzz_unpoison_free(c.u);
	}
	return c;
}

static void carving_end(const struct carving *c, const struct thread *t)
{
	if (!c->u)
		return;
	if (c->u->watermark < c->mark) {
		sysfuzz_poison_all(c->u);
		return;
	}
	sysfuzz_poison_free(c->u);
	if (c->child && t->regs.x[0] == 0)
		sysfuzz_poison_all(target->cspace.slots[c->dest].obj);
}

static void keel_call(struct thread *t, const struct op *op)
{
	uint64_t no = op->no < 0xf0 ? op->no % KEEL_SYS_COUNT : op->no;
	caller = t;
	target = t->partition;
	for (unsigned i = 0; i < 6; i++)
		t->regs.x[i] = decode(no < KEEL_SYS_COUNT ? specs[no][i] : A_NONE, op->arg[i]);
	t->regs.x[8] = no;
	if (trace)
		trace_call(t, no);
	struct carving c = carving_begin(t, no);
	/* As the entry code does: CALL and REPLY_RECV try the fast path first. */
	bool ipc = no == KEEL_SYS_CALL || no == KEEL_SYS_REPLY_RECV;
	if (!ipc || !fastpath_try(t))
		syscall_keel(t);
	sf.syscalls++;
	if (trace)
		fprintf(stderr, " -> %lld\n", (long long)t->regs.x[0]);
	carving_end(&c, t);
}

static void linux_call(struct thread *t, const struct op *op)
{
	static const uint64_t nrs[] = {64, 66, 214, 222, 215, 226, 233, 113, 101,
	                               93, 94, 172, 178, 29,  96,  124, 135, 999};
	static const uint64_t fds[] = {1, 2, 0, SF_SCRATCH_IPA, SF_HEAP_IPA, SF_HEAP_IPA + SF_PAGE};
	t->regs.x[8] = nrs[op->no % N(nrs)];
	t->regs.x[0] = fds[op->arg[0] % N(fds)];
	t->regs.x[1] = decode(A_PTR, op->arg[1]);
	t->regs.x[2] = decode(A_LEN, op->arg[2]);
	for (unsigned i = 3; i < 6; i++)
		t->regs.x[i] = decode(A_NUM, op->arg[i]);
	syscall_linux(t);
	sf.syscalls++;
}

/* Time passes while threads run, before the entry that sees it. */
static void pass_time(const struct op *op)
{
	fake_arch.counter += times_us[op->arg[0] % N(times_us)] + op->arg[1];
}

static void tick(void)
{
	if (fake_arch.timer_armed && fake_arch.counter >= fake_arch.timer_deadline)
		timer_expired();
}

/* A vCPU's exit as vcpu.c makes it: an MMIO access in a routed range goes
 * to its device model, anything else to the VM's fault endpoint. */
static void guest_exit(struct thread *t, const struct op *op)
{
	struct partition *vm = t->partition;
	uint64_t ipa = decode(A_IPA, op->arg[1]);
	uint64_t msg[KEEL_MSG_WORDS] = {KEEL_EXIT_MMIO, ipa, 4, op->arg[2], 0, t->id};
	if (op->arg[0] & 1) {
		t->in_wfi = true; /* WFI with nothing pending: sleeps till its timer */
		sched_sleep(this_sched(), t, arch_counter() + op->arg[2] * 100u);
		return;
	}
	for (unsigned i = 0; i < VM_MMIO_ROUTES; i++) {
		const struct mmio_route *r = &vm->routes[i];
		if (r->ep && ipa - r->base < r->size) {
			t->exit_kind = KEEL_EXIT_MMIO;
			ep_send(r->ep, t, msg, r->badge, true);
			return;
		}
	}
	if (!vm->fault_ep) {
		fault_raise(t, KEEL_FAULT_OTHER, KEEL_EXIT_HVC, t->regs.pc, 0);
		return;
	}
	msg[0] = KEEL_EXIT_HVC;
	t->exit_kind = KEEL_EXIT_HVC;
	ep_send(vm->fault_ep, t, msg, vm->fault_badge, true);
}

static void fault(struct thread *t, const struct op *op)
{
	if (t->is_vcpu)
		guest_exit(t, op);
	else
		fault_raise(t, op->arg[0] & 1 ? KEEL_FAULT_MEMORY : KEEL_FAULT_OTHER,
		            decode(A_IPA, op->arg[1]), t->regs.pc, op->arg[2]);
}

/* Only a thread running on the CPU calls; the idle threads just run, and
 * a vCPU runs its guest. */
static bool may_call(const struct thread *t)
{
	return t && t->state == KEEL_TS_RUNNING && !t->is_vcpu && t != sf.idle[t->cpu];
}

static void act(struct thread *t, void *ctx)
{
	const struct op *op = ctx;
	unsigned why = op->kind >> 1 & 7;
	if (why <= 3 && may_call(t)) {
		keel_call(t, op);
	} else if (why == 4 && may_call(t)) {
		linux_call(t, op);
	} else if (why == 6) {
		irq_dispatch((uint32_t)decode(A_INTID, op->arg[0]));
	} else if (why == 7 && t && t->state == KEEL_TS_RUNNING && t != sf.idle[t->cpu] &&
	           t != sf.sup) {
		fault(t, op);
	} else {
		tick();
	}
}

static void print_calls(void)
{
	fprintf(stderr, "sysfuzz: %llu system calls\n", (unsigned long long)sf.syscalls);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sysfuzz_init();
	trace = getenv("SYSFUZZ_TRACE") != NULL;
	atexit(print_calls);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sysfuzz_build();
	sysfuzz_check();
	for (size_t i = 0; i + OP_BYTES <= size && i < MAX_OPS * OP_BYTES; i += OP_BYTES) {
		struct op op;
		memcpy(&op, data + i, sizeof(op));
		if ((op.kind >> 1 & 7) == 5)
			pass_time(&op);
		sysfuzz_enter(op.kind & 1, act, &op);
		if (trace)
			fprintf(stderr,
			        "entry %zu: cpu%u why %u at %llu; cpus run threads %u, %u\n",
			        i / OP_BYTES, op.kind & 1, op.kind >> 1 & 7,
			        (unsigned long long)fake_arch.counter, sf.running[0]->id,
			        sf.running[1]->id);
		sysfuzz_check();
	}
	sysfuzz_teardown();
	return 0;
}
