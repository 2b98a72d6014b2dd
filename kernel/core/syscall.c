/* SPDX-License-Identifier: MIT */
/*
 * The Keel system calls. Each handler first looks its capabilities up (type
 * and rights), then calls the object's function; objects never see raw
 * registers. A refused call changes nothing and returns a named error.
 */
#include <keel/arch.h>
#include <keel/cap.h>
#include <keel/endpoint.h>
#include <keel/errno.h>
#include <keel/fault.h>
#include <keel/frame.h>
#include <keel/irq.h>
#include <keel/kernel.h>
#include <keel/log.h>
#include <keel/log_budget.h>
#include <keel/notification.h>
#include <keel/partition.h>
#include <keel/smp.h>
#include <keel/syscall.h>
#include <keel/timer.h>
#include <keel/uaccess.h>
#include <keel/untyped.h>
#include <keel/vcpu_irq.h>
#include <string.h>

#define MAX_PERIOD_US  10000000ul
#define DEBUG_PUTS_MAX 256

typedef long (*sys_fn)(struct thread *t, const uint64_t *a);

static uint32_t next_id = 1;

uint32_t kobj_next_id(void)
{
	return next_id++;
}

static struct cspace *cspace_of(struct thread *t)
{
	return &t->partition->cspace;
}

/* A capability of `type` with `rights` in the caller's slot, as an object. */
#define LOOKUP(t, slot, type, rights, var)                                                         \
	do {                                                                                       \
		struct cap *c_;                                                                    \
		int e_ = cap_lookup(cspace_of(t), (slot), (type), (rights), &c_);                  \
		if (e_)                                                                            \
			return e_;                                                                 \
		(var) = c_->obj;                                                                   \
	} while (0)

/* Slot 0 names the caller's own partition. */
int syscall_target_partition(struct thread *t, uint64_t slot, unsigned rights,
                             struct partition **out)
{
	if (slot == 0) {
		*out = t->partition;
		return 0;
	}
	struct cap *c;
	int err = cap_lookup(cspace_of(t), slot, KEEL_OBJ_PARTITION, rights, &c);
	if (err)
		return err;
	*out = c->obj;
	return (*out)->alive ? 0 : -KEEL_ESRCH;
}

static long sys_null(struct thread *t, const uint64_t *a)
{
	(void)t;
	(void)a;
	return 0;
}

static long sys_debug_puts(struct thread *t, const uint64_t *a)
{
	char buf[DEBUG_PUTS_MAX + 1];
	size_t len = a[1] > DEBUG_PUTS_MAX ? DEBUG_PUTS_MAX : a[1];
	int err = copy_from_user(t->partition, buf, a[0], len);
	if (err)
		return err;
	buf[len] = '\0';
	log_partition_line(t->partition, buf);
	return 0;
}

static long sys_yield(struct thread *t, const uint64_t *a)
{
	(void)t;
	(void)a;
	sched_rotate(this_sched(), arch_counter());
	return 0;
}

static long msg_call(struct thread *t, const uint64_t *a, bool call)
{
	struct endpoint *ep;
	struct cap *c;
	int err = cap_lookup(cspace_of(t), a[0], KEEL_OBJ_ENDPOINT, KEEL_R_WRITE, &c);
	if (err)
		return err;
	ep = c->obj;
	ep_send(ep, t, &a[1], c->badge, call);
	return SYS_BLOCKED;
}

static long sys_call(struct thread *t, const uint64_t *a)
{
	return msg_call(t, a, true);
}

static long sys_send(struct thread *t, const uint64_t *a)
{
	return msg_call(t, a, false);
}

static long sys_recv(struct thread *t, const uint64_t *a)
{
	struct endpoint *ep;
	LOOKUP(t, a[0], KEEL_OBJ_ENDPOINT, KEEL_R_READ, ep);
	ep_recv(ep, t);
	return SYS_BLOCKED;
}

static long sys_reply(struct thread *t, const uint64_t *a)
{
	return ep_reply(t, &a[1]);
}

static long sys_reply_recv(struct thread *t, const uint64_t *a)
{
	struct endpoint *ep;
	LOOKUP(t, a[0], KEEL_OBJ_ENDPOINT, KEEL_R_READ, ep);
	ep_reply(t, &a[1]); /* a caller that went away is not the server's problem */
	ep_recv(ep, t);
	return SYS_BLOCKED;
}

static long sys_signal(struct thread *t, const uint64_t *a)
{
	struct cap *c;
	int err = cap_lookup(cspace_of(t), a[0], KEEL_OBJ_NOTIFICATION, KEEL_R_WRITE, &c);
	if (err)
		return err;
	ntfn_signal(c->obj, c->badge ? c->badge : 1);
	return 0;
}

static long sys_wait(struct thread *t, const uint64_t *a)
{
	struct notification *n;
	LOOKUP(t, a[0], KEEL_OBJ_NOTIFICATION, KEEL_R_READ, n);
	ntfn_wait(n, t);
	return SYS_BLOCKED;
}

static long sys_ep_bind(struct thread *t, const uint64_t *a)
{
	struct endpoint *ep;
	struct notification *n;
	LOOKUP(t, a[0], KEEL_OBJ_ENDPOINT, KEEL_R_READ, ep);
	LOOKUP(t, a[1], KEEL_OBJ_NOTIFICATION, KEEL_R_READ, n);
	return ep_bind(ep, n);
}

static long sys_ep_close(struct thread *t, const uint64_t *a)
{
	struct endpoint *ep;
	LOOKUP(t, a[0], KEEL_OBJ_ENDPOINT, KEEL_R_CONTROL, ep);
	if (a[1] > 1)
		return -KEEL_EINVAL;
	ep_close(ep, a[1] == 1);
	return 0;
}

static long sys_poll(struct thread *t, const uint64_t *a)
{
	struct notification *n;
	LOOKUP(t, a[0], KEEL_OBJ_NOTIFICATION, KEEL_R_READ, n);
	regs_set(&t->regs, 1, ntfn_poll(n));
	return 0;
}

static long cap_copy_common(struct thread *t, const uint64_t *a, bool mint)
{
	struct cap *src;
	struct partition *dst;
	int err = cap_lookup(cspace_of(t), a[0], KEEL_OBJ_NONE, 0, &src);
	if (!err)
		err = syscall_target_partition(t, a[1], KEEL_R_WRITE, &dst);
	if (err)
		return err;
	return cap_derive(src, &dst->cspace, a[2], (unsigned)a[3], mint, mint ? a[4] : 0);
}

static long sys_cap_copy(struct thread *t, const uint64_t *a)
{
	return cap_copy_common(t, a, false);
}

static long sys_cap_mint(struct thread *t, const uint64_t *a)
{
	/* That badge means "a signal, not a message" to a receiver (EP_BIND). */
	if (a[4] == KEEL_BADGE_SIGNAL)
		return -KEEL_EINVAL;
	return cap_copy_common(t, a, true);
}

static long sys_cap_delete(struct thread *t, const uint64_t *a)
{
	struct cap *c;
	int err = cap_lookup(cspace_of(t), a[0], KEEL_OBJ_NONE, 0, &c);
	if (err)
		return err;
	cap_delete(c);
	return 0;
}

static long sys_cap_revoke(struct thread *t, const uint64_t *a)
{
	struct cap *c;
	int err = cap_lookup(cspace_of(t), a[0], KEEL_OBJ_NONE, 0, &c);
	if (err)
		return err;
	regs_set(&t->regs, 1, cap_revoke(c));
	return 0;
}

static long sys_cap_info(struct thread *t, const uint64_t *a)
{
	struct cap *c;
	int err = cap_lookup(cspace_of(t), a[0], KEEL_OBJ_NONE, 0, &c);
	if (err)
		return err;
	regs_set(&t->regs, 1, c->type);
	regs_set(&t->regs, 2, c->rights);
	regs_set(&t->regs, 3, c->badge);
	return 0;
}

/* The header of a frame or child untyped, and apart from it the `size`
 * bytes it describes (so a reset of the child leaves the header alone),
 * 2 MiB aligned when that large so that stage 2 can map them with blocks.
 * Returns the header, 0 if either does not fit (then nothing is taken). */
static uint64_t carve_described(struct untyped *u, uint64_t hdr_size, uint64_t size, bool zero,
                                uint64_t *mem)
{
	uint64_t mark = u->watermark;
	uint64_t align = size >= (2ull << 20) ? (2ull << 20) : PT_PAGE_SIZE;
	uint64_t hdr = untyped_alloc(u, hdr_size, 64);

	*mem = 0;
	if (hdr)
		*mem = zero ? untyped_alloc(u, size, align) : untyped_carve(u, size, align);
	if (!*mem) {
		u->watermark = mark;
		return 0;
	}
	return hdr;
}

/* Make one object of `type` out of untyped memory; NULL if it does not fit. */
static void *retype_object(struct untyped *u, unsigned type, uint64_t size)
{
	uint64_t at;
	uint32_t id = kobj_next_id();

	switch (type) {
	case KEEL_OBJ_ENDPOINT:
		at = untyped_alloc(u, sizeof(struct endpoint), 64);
		if (at)
			endpoint_init((struct endpoint *)(uintptr_t)at, id);
		return (void *)(uintptr_t)at;
	case KEEL_OBJ_NOTIFICATION:
		at = untyped_alloc(u, sizeof(struct notification), 64);
		if (at)
			notification_init((struct notification *)(uintptr_t)at, id);
		return (void *)(uintptr_t)at;
	case KEEL_OBJ_THREAD:
		at = untyped_alloc(u, sizeof(struct thread), 64);
		if (at)
			thread_init((struct thread *)(uintptr_t)at, id);
		return (void *)(uintptr_t)at;
	case KEEL_OBJ_VCPU:
		at = untyped_alloc(u, sizeof(struct thread), 64);
		if (at) {
			thread_init((struct thread *)(uintptr_t)at, id);
			((struct thread *)(uintptr_t)at)->is_vcpu = true;
		}
		return (void *)(uintptr_t)at;
	case KEEL_OBJ_PARTITION:
	case KEEL_OBJ_VM: {
		uint64_t mark = u->watermark;
		at = untyped_alloc(u, sizeof(struct partition), PT_PAGE_SIZE);
		if (at && partition_init((struct partition *)(uintptr_t)at, id)) {
			u->watermark = mark; /* no VMID left: give the memory back */
			at = 0;
		}
		if (at && type == KEEL_OBJ_VM) {
			struct partition *vm = (struct partition *)(uintptr_t)at;
			vm->is_vm = true;
			vgic_dist_init(&vm->vgic, VGIC_MAX_VCPUS);
			if (arch_vm_init(vm)) {
				u->watermark = mark;
				at = 0;
			}
		}
		return (void *)(uintptr_t)at;
	}
	case KEEL_OBJ_FRAME: {
		uint64_t mem, hdr = carve_described(u, sizeof(struct frame), size, true, &mem);
		if (hdr)
			frame_init((struct frame *)(uintptr_t)hdr, id, mem, size, false);
		return (void *)(uintptr_t)hdr;
	}
	case KEEL_OBJ_UNTYPED: {
		/* Not zeroed now: the child zeroes what it hands out. */
		uint64_t mem, hdr = carve_described(u, sizeof(struct untyped), size, false, &mem);
		if (hdr)
			untyped_init((struct untyped *)(uintptr_t)hdr, id, mem, size);
		return (void *)(uintptr_t)hdr;
	}
	default: return NULL;
	}
}

static long sys_retype(struct thread *t, const uint64_t *a)
{
	struct cap *uc;
	struct partition *dst;
	unsigned type = (unsigned)a[1];
	int err = cap_lookup(cspace_of(t), a[0], KEEL_OBJ_UNTYPED, KEEL_R_CONTROL, &uc);
	if (!err)
		err = syscall_target_partition(t, a[3], KEEL_R_WRITE, &dst);
	if (err)
		return err;
	bool sized = type == KEEL_OBJ_FRAME || type == KEEL_OBJ_UNTYPED;
	if (sized && (!a[2] || a[2] & (PT_PAGE_SIZE - 1)))
		return -KEEL_EINVAL;
	if (type == KEEL_OBJ_FRAME && a[2] > (1ull << 32))
		return -KEEL_EINVAL;
	if (a[4] == 0 || a[4] >= KEEL_CSPACE_SLOTS)
		return -KEEL_ENOCAP;
	if (dst->cspace.slots[a[4]].type != KEEL_OBJ_NONE)
		return -KEEL_EEXIST;
	if (type != KEEL_OBJ_ENDPOINT && type != KEEL_OBJ_NOTIFICATION && type != KEEL_OBJ_THREAD &&
	    type != KEEL_OBJ_PARTITION && type != KEEL_OBJ_FRAME && type != KEEL_OBJ_VM &&
	    type != KEEL_OBJ_VCPU && type != KEEL_OBJ_UNTYPED)
		return -KEEL_EINVAL;
	void *obj = retype_object(uc->obj, type, a[2]);
	if (!obj)
		return -KEEL_ENOMEM;
	cap_install(&dst->cspace, a[4], type, obj, KEEL_R_ALL, 0);
	dst->cspace.slots[a[4]].parent = uc;
	return 0;
}

static long sys_untyped_reset(struct thread *t, const uint64_t *a)
{
	struct untyped *u;
	LOOKUP(t, a[0], KEEL_OBJ_UNTYPED, KEEL_R_CONTROL, u);
	return untyped_reset(u, t);
}

static long sys_untyped_info(struct thread *t, const uint64_t *a)
{
	struct untyped *u;
	LOOKUP(t, a[0], KEEL_OBJ_UNTYPED, KEEL_R_READ, u);
	regs_set(&t->regs, 1, u->base);
	regs_set(&t->regs, 2, u->size);
	regs_set(&t->regs, 3, untyped_free_bytes(u));
	return 0;
}

static long sys_frame_map(struct thread *t, const uint64_t *a)
{
	struct cap *fc;
	struct partition *p;
	int err = cap_lookup(cspace_of(t), a[0], KEEL_OBJ_FRAME, KEEL_R_READ, &fc);
	if (!err)
		err = syscall_target_partition(t, a[1], KEEL_R_WRITE, &p);
	if (err)
		return err;
	/* Mapping cannot add rights the frame capability does not carry. */
	if ((a[3] & ~(uint64_t)fc->rights) & (KEEL_R_READ | KEEL_R_WRITE | KEEL_R_EXEC))
		return -KEEL_EPERM;
	return frame_map(fc->obj, p, a[2], (unsigned)a[3]);
}

static long sys_frame_unmap(struct thread *t, const uint64_t *a)
{
	struct frame *f;
	struct partition *p;
	LOOKUP(t, a[0], KEEL_OBJ_FRAME, KEEL_R_READ, f);
	int err = syscall_target_partition(t, a[1], KEEL_R_WRITE, &p);
	if (err)
		return err;
	return frame_unmap(f, p, a[2]);
}

static long sys_frame_info(struct thread *t, const uint64_t *a)
{
	struct frame *f;
	LOOKUP(t, a[0], KEEL_OBJ_FRAME, KEEL_R_READ, f);
	regs_set(&t->regs, 1, f->phys);
	regs_set(&t->regs, 2, f->size);
	return 0;
}

static long sys_thread_config(struct thread *t, const uint64_t *a)
{
	struct thread *th;
	struct partition *p;
	LOOKUP(t, a[0], KEEL_OBJ_THREAD, KEEL_R_CONTROL, th);
	int err = syscall_target_partition(t, a[1], KEEL_R_WRITE, &p);
	if (err)
		return err;
	/* Stopped, but maybe still on another CPU that has yet to save its
	 * registers (over the new ones): the caller tries again. */
	if (th->state != KEEL_TS_INACTIVE || th->on_cpu)
		return -KEEL_EBUSY;
	/* vCPUs run only in VMs, service threads only in partitions. */
	if (th->is_vcpu != p->is_vm)
		return -KEEL_ETYPE;
	/* A vCPU keeps its index when configured again (PSCI CPU_ON after CPU_OFF). */
	if (th->is_vcpu && th->partition != p) {
		if (p->vcpu_count == VGIC_MAX_VCPUS)
			return -KEEL_ERANGE;
		th->vcpu_index = (uint8_t)p->vcpu_count++;
	}
	if (th->is_vcpu && th->partition)
		arch_vcpu_reset(th); /* before it leaves the VM its interrupts belong to */
	if (th->partition)
		list_remove(&th->partition_node);
	th->partition = p;
	list_push_back(&p->threads, &th->partition_node);
	if (th->is_vcpu) {
		vcpu_regs_init(&th->regs, &th->el1, a[2], a[3], a[4], th->vcpu_index);
		th->in_wfi = false;
	} else
		regs_init_user(&th->regs, a[2], a[3], a[4]);
	return 0;
}

static long sys_thread_sched(struct thread *t, const uint64_t *a)
{
	struct thread *th;
	LOOKUP(t, a[0], KEEL_OBJ_THREAD, KEEL_R_CONTROL, th);
	uint64_t prio = a[1], budget = a[2], period = a[3], cpu = a[4];
	if (prio >= SCHED_PRIOS || cpu >= KEEL_MAX_CPUS || !smp_cpu_online((unsigned)cpu))
		return -KEEL_ERANGE;
	if (budget > period || period > MAX_PERIOD_US || (period && !budget))
		return -KEEL_EINVAL;
	if (th->state != KEEL_TS_INACTIVE)
		return -KEEL_EBUSY;
	/* Its FP registers may still live in its old CPU (lazy switching); and
	 * stopped, it may still be on that CPU, which has yet to save its
	 * registers: started elsewhere, two CPUs would run it. Staying is
	 * safe: that CPU saves them before it can pick it again. */
	if (cpu != th->cpu && (th->used || th->on_cpu))
		return -KEEL_EBUSY;
	th->prio = (uint8_t)prio;
	th->cpu = (uint16_t)cpu;
	th->budget = us_to_ticks(budget);
	th->period = us_to_ticks(period);
	th->remaining = (int64_t)th->budget;
	th->period_start = arch_counter();
	return 0;
}

static long sys_thread_start(struct thread *t, const uint64_t *a)
{
	struct thread *th;
	LOOKUP(t, a[0], KEEL_OBJ_THREAD, KEEL_R_CONTROL, th);
	if (!th->partition || !th->partition->alive)
		return -KEEL_EINVAL;
	if (th->state != KEEL_TS_INACTIVE)
		return -KEEL_EBUSY;
	thread_wake(th);
	return 0;
}

static long sys_thread_stop(struct thread *t, const uint64_t *a)
{
	struct thread *th;
	LOOKUP(t, a[0], KEEL_OBJ_THREAD, KEEL_R_CONTROL, th);
	thread_stop(th);
	/* PSCI CPU_OFF, a pause: the SPIs it holds must not wait for it. */
	if (th->is_vcpu && th->partition)
		vcpu_irq_release(th, false);
	return 0;
}

static long sys_thread_exit(struct thread *t, const uint64_t *a)
{
	fault_raise(t, KEEL_FAULT_EXIT, a[0], 0, 0);
	return SYS_BLOCKED;
}

static long sys_partition_config(struct thread *t, const uint64_t *a)
{
	struct partition *p;
	char name[PARTITION_NAME_MAX];
	LOOKUP(t, a[0], KEEL_OBJ_PARTITION, KEEL_R_CONTROL, p);
	int err = copy_string_from_user(t->partition, name, a[1], sizeof(name));
	if (err)
		return err;
	struct endpoint *ep = NULL;
	if (a[2])
		LOOKUP(t, a[2], KEEL_OBJ_ENDPOINT, KEEL_R_WRITE, ep);
	partition_set_name(p, name);
	p->fault_ep = ep;
	p->fault_badge = a[3];
	return 0;
}

static long sys_partition_destroy(struct thread *t, const uint64_t *a)
{
	struct partition *p;
	LOOKUP(t, a[0], KEEL_OBJ_PARTITION, KEEL_R_CONTROL, p);
	if (p == t->partition)
		return -KEEL_EINVAL;
	partition_destroy(p);
	return 0;
}

static long sys_partition_heap(struct thread *t, const uint64_t *a)
{
	struct partition *p;
	LOOKUP(t, a[0], KEEL_OBJ_PARTITION, KEEL_R_CONTROL, p);
	if ((a[1] | a[2]) & (PT_PAGE_SIZE - 1))
		return -KEEL_EINVAL;
	p->heap_base = p->brk = a[1];
	p->heap_size = a[2];
	p->mmap_top = a[1] + a[2];
	return 0;
}

static long sys_irq_claim(struct thread *t, const uint64_t *a)
{
	struct irq_handler *ctl;
	LOOKUP(t, a[0], KEEL_OBJ_IRQ_CONTROL, KEEL_R_CONTROL, ctl);
	(void)ctl;
	if (a[2] == 0 || a[2] >= KEEL_CSPACE_SLOTS)
		return -KEEL_ENOCAP;
	if (cspace_of(t)->slots[a[2]].type != KEEL_OBJ_NONE)
		return -KEEL_EEXIST;
	struct irq_handler *h = irq_claim((uint32_t)a[1]);
	if (!h)
		return a[1] < IRQ_FIRST_SPI || a[1] >= IRQ_MAX ? -KEEL_ERANGE : -KEEL_EBUSY;
	return cap_install(cspace_of(t), a[2], KEEL_OBJ_IRQ_HANDLER, h, KEEL_R_ALL, 0);
}

static long sys_irq_bind(struct thread *t, const uint64_t *a)
{
	struct irq_handler *h;
	struct cap *nc;
	LOOKUP(t, a[0], KEEL_OBJ_IRQ_HANDLER, KEEL_R_CONTROL, h);
	int err = cap_lookup(cspace_of(t), a[1], KEEL_OBJ_NOTIFICATION, KEEL_R_WRITE, &nc);
	if (err)
		return err;
	return irq_bind(h, nc->obj, nc->badge);
}

static long sys_irq_ack(struct thread *t, const uint64_t *a)
{
	struct irq_handler *h;
	LOOKUP(t, a[0], KEEL_OBJ_IRQ_HANDLER, KEEL_R_WRITE, h);
	irq_ack(h);
	return 0;
}

static long sys_time(struct thread *t, const uint64_t *a)
{
	(void)a;
	regs_set(&t->regs, 1, arch_counter());
	regs_set(&t->regs, 2, arch_counter_freq());
	regs_set(&t->regs, 3, t->used); /* charged at this entry (kernel_entry) */
	return 0;
}

static long sys_sleep(struct thread *t, const uint64_t *a)
{
	uint64_t us = a[0]; /* a[] aliases x0, which the result overwrites */
	if (us > MAX_PERIOD_US)
		return -KEEL_ERANGE;
	thread_set_result(t, 0);
	sched_sleep(&sched_cpus[t->cpu], t, arch_counter() + us_to_ticks(us));
	return SYS_BLOCKED;
}

long sys_info_threads(struct thread *t, const uint64_t *a);
long sys_info_caps(struct thread *t, const uint64_t *a);
long sys_log_read(struct thread *t, const uint64_t *a);
long sys_console_claim(struct thread *t, const uint64_t *a);
long sys_vm_inject(struct thread *t, const uint64_t *a);
long sys_vm_mmio_route(struct thread *t, const uint64_t *a);
long sys_vm_irq_reset(struct thread *t, const uint64_t *a);
long sys_info_system(struct thread *t, const uint64_t *a);
long sys_device_frame(struct thread *t, const uint64_t *a);
long sys_vm_irq_pass(struct thread *t, const uint64_t *a);

static const sys_fn sys_table[KEEL_SYS_COUNT] = {
        [KEEL_SYS_NULL] = sys_null,
        [KEEL_SYS_DEBUG_PUTS] = sys_debug_puts,
        [KEEL_SYS_YIELD] = sys_yield,
        [KEEL_SYS_CALL] = sys_call,
        [KEEL_SYS_SEND] = sys_send,
        [KEEL_SYS_RECV] = sys_recv,
        [KEEL_SYS_REPLY] = sys_reply,
        [KEEL_SYS_REPLY_RECV] = sys_reply_recv,
        [KEEL_SYS_SIGNAL] = sys_signal,
        [KEEL_SYS_WAIT] = sys_wait,
        [KEEL_SYS_POLL] = sys_poll,
        [KEEL_SYS_CAP_COPY] = sys_cap_copy,
        [KEEL_SYS_CAP_MINT] = sys_cap_mint,
        [KEEL_SYS_CAP_DELETE] = sys_cap_delete,
        [KEEL_SYS_CAP_REVOKE] = sys_cap_revoke,
        [KEEL_SYS_CAP_INFO] = sys_cap_info,
        [KEEL_SYS_RETYPE] = sys_retype,
        [KEEL_SYS_FRAME_MAP] = sys_frame_map,
        [KEEL_SYS_FRAME_UNMAP] = sys_frame_unmap,
        [KEEL_SYS_FRAME_INFO] = sys_frame_info,
        [KEEL_SYS_THREAD_CONFIG] = sys_thread_config,
        [KEEL_SYS_THREAD_SCHED] = sys_thread_sched,
        [KEEL_SYS_THREAD_START] = sys_thread_start,
        [KEEL_SYS_THREAD_STOP] = sys_thread_stop,
        [KEEL_SYS_PARTITION_CONFIG] = sys_partition_config,
        [KEEL_SYS_PARTITION_DESTROY] = sys_partition_destroy,
        [KEEL_SYS_PARTITION_HEAP] = sys_partition_heap,
        [KEEL_SYS_IRQ_CLAIM] = sys_irq_claim,
        [KEEL_SYS_IRQ_BIND] = sys_irq_bind,
        [KEEL_SYS_IRQ_ACK] = sys_irq_ack,
        [KEEL_SYS_INFO_THREADS] = sys_info_threads,
        [KEEL_SYS_INFO_CAPS] = sys_info_caps,
        [KEEL_SYS_LOG_READ] = sys_log_read,
        [KEEL_SYS_CONSOLE_CLAIM] = sys_console_claim,
        [KEEL_SYS_TIME] = sys_time,
        [KEEL_SYS_SLEEP] = sys_sleep,
        [KEEL_SYS_THREAD_EXIT] = sys_thread_exit,
        [KEEL_SYS_VM_INJECT] = sys_vm_inject,
        [KEEL_SYS_VM_MMIO_ROUTE] = sys_vm_mmio_route,
        [KEEL_SYS_VM_IRQ_RESET] = sys_vm_irq_reset,
        [KEEL_SYS_INFO_SYSTEM] = sys_info_system,
        [KEEL_SYS_EP_BIND] = sys_ep_bind,
        [KEEL_SYS_UNTYPED_RESET] = sys_untyped_reset,
        [KEEL_SYS_UNTYPED_INFO] = sys_untyped_info,
        [KEEL_SYS_DEVICE_FRAME] = sys_device_frame,
        [KEEL_SYS_VM_IRQ_PASS] = sys_vm_irq_pass,
        [KEEL_SYS_EP_CLOSE] = sys_ep_close,
};

void syscall_keel(struct thread *t)
{
	uint64_t no = regs_sysno(&t->regs);
	/* Handlers read their arguments straight from the saved x0..x7 (no
	 * copy on the fast path) and write results only after their last read. */
	const uint64_t *a = regs_args(&t->regs);

	long ret = no < KEEL_SYS_COUNT && sys_table[no] ? sys_table[no](t, a) : -KEEL_ENOSYS;
	if (ret != SYS_BLOCKED)
		regs_set(&t->regs, 0, (uint64_t)ret);
}
