/* SPDX-License-Identifier: MIT */
/*
 * Read-only views of kernel state for the console's shell (ps, caps, log),
 * behind a system-info capability, and the console hand-over.
 */
#include <keel/arch.h>
#include <keel/cap.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/kernel.h>
#include <keel/log.h>
#include <keel/notification.h>
#include <keel/partition.h>
#include <keel/smp.h>
#include <keel/syscall.h>
#include <keel/sysinfo.h>
#include <keel/thread.h>
#include <keel/uaccess.h>
#include <keel/untyped.h>
#include <string.h>

long sys_info_threads(struct thread *t, const uint64_t *a);
long sys_info_caps(struct thread *t, const uint64_t *a);
long sys_log_read(struct thread *t, const uint64_t *a);
long sys_console_claim(struct thread *t, const uint64_t *a);
long sys_info_system(struct thread *t, const uint64_t *a);

static int check_sysinfo(struct thread *t, uint64_t slot)
{
	struct cap *c;
	return cap_lookup(&t->partition->cspace, slot, KEEL_OBJ_SYSINFO, KEEL_R_READ, &c);
}

static uint64_t ticks_to_us(uint64_t ticks)
{
	uint64_t khz = arch_counter_freq() / 1000;
	return khz ? ticks * 1000 / khz : 0;
}

static void describe(const struct thread *th, struct keel_thread_info *info)
{
	const struct partition *p = th->partition;
	memset(info, 0, sizeof(*info));
	info->partition_id = p->id;
	info->thread_id = th->id;
	memcpy(info->partition_name, p->name, sizeof(info->partition_name));
	info->state = th->state;
	info->cpu = th->cpu;
	info->prio = th->prio;
	info->budget_us = ticks_to_us(th->budget);
	info->period_us = ticks_to_us(th->period);
	info->used_us = ticks_to_us(th->used);
	info->throttled = th->throttle_count;
}

long sys_info_threads(struct thread *t, const uint64_t *a)
{
	int err = check_sysinfo(t, a[0]);
	if (err)
		return err;
	uint64_t max = a[2] / sizeof(struct keel_thread_info), n = 0;
	for (struct partition *p = partition_first(); p; p = p->next) {
		for (struct list *l = p->threads.next; l != &p->threads; l = l->next) {
			struct thread *th = container_of(l, struct thread, partition_node);
			struct keel_thread_info info;
			if (n >= max)
				break;
			describe(th, &info);
			err = copy_to_user(t->partition, a[1] + n * sizeof(info), &info,
			                   sizeof(info));
			if (err)
				return err;
			n++;
		}
	}
	regs_set(&t->regs, 1, n);
	return 0;
}

static uint32_t object_id(const struct cap *c)
{
	/* Other object types start with their id. */
	if (c->type == KEEL_OBJ_PARTITION || c->type == KEEL_OBJ_VM)
		return ((const struct partition *)c->obj)->id;
	if (c->type == KEEL_OBJ_THREAD || c->type == KEEL_OBJ_VCPU)
		return ((const struct thread *)c->obj)->id;
	if (c->type == KEEL_OBJ_IRQ_HANDLER || c->type == KEEL_OBJ_IRQ_CONTROL ||
	    c->type == KEEL_OBJ_SYSINFO)
		return 0;
	return *(const uint32_t *)c->obj;
}

long sys_info_caps(struct thread *t, const uint64_t *a)
{
	int err = check_sysinfo(t, a[0]);
	if (err)
		return err;
	struct partition *p = partition_by_id((uint32_t)a[1]);
	if (!p || !p->alive)
		return -KEEL_ENOENT;
	uint64_t max = a[3] / sizeof(struct keel_cap_info), n = 0;
	for (unsigned s = 1; s < KEEL_CSPACE_SLOTS && n < max; s++) {
		const struct cap *c = &p->cspace.slots[s];
		if (c->type == KEEL_OBJ_NONE)
			continue;
		struct keel_cap_info info = {.slot = s,
		                             .type = c->type,
		                             .rights = c->rights,
		                             .object_id = object_id(c),
		                             .badge = c->badge};
		err = copy_to_user(t->partition, a[2] + n * sizeof(info), &info, sizeof(info));
		if (err)
			return err;
		n++;
	}
	regs_set(&t->regs, 1, n);
	return 0;
}

long sys_log_read(struct thread *t, const uint64_t *a)
{
	char buf[512];
	int err = check_sysinfo(t, a[0]);
	if (err)
		return err;
	uint64_t next;
	size_t want = a[2] < sizeof(buf) ? a[2] : sizeof(buf);
	size_t n = log_read_from(a[3], buf, want, &next);
	err = copy_to_user(t->partition, a[1], buf, n);
	if (err)
		return err;
	regs_set(&t->regs, 1, n);
	regs_set(&t->regs, 2, next);
	return 0;
}

static struct notification *console_listener;

static void notify_console(void)
{
	if (console_listener)
		ntfn_signal(console_listener, KEEL_LOG_BADGE);
}

long sys_console_claim(struct thread *t, const uint64_t *a)
{
	struct cap *c;
	int err = cap_lookup(&t->partition->cspace, a[0], KEEL_OBJ_FRAME, KEEL_R_WRITE, &c);
	if (err)
		return err;
	if (!((struct frame *)c->obj)->device)
		return -KEEL_ETYPE;
	struct cap *nc;
	err = cap_lookup(&t->partition->cspace, a[1], KEEL_OBJ_NOTIFICATION, KEEL_R_WRITE, &nc);
	if (err)
		return err;
	log_info("console", "%s owns the console from now on", t->partition->name);
	console_listener = nc->obj;
	log_console_detach(notify_console);
	/* Where the console's output takes over from the kernel's own. */
	regs_set(&t->regs, 1, log_position());
	return 0;
}

void console_forget_inside(const struct untyped *u)
{
	if (!untyped_contains(u, console_listener)) {
		if (console_listener)
			ntfn_forget_inside(console_listener, u);
		return;
	}
	/* Whoever owned the console can no longer hear of new lines. */
	console_listener = NULL;
	log_console_attach();
	log_info("console", "the console's notification is gone: the kernel prints its log again");
}

long sys_info_system(struct thread *t, const uint64_t *a)
{
	int err = check_sysinfo(t, a[0]);
	if (err)
		return err;
	regs_set(&t->regs, 1, smp_online_count());
	regs_set(&t->regs, 2, arch_vgic_available() ? KEEL_SYSTEM_VGIC : 0);
	return 0;
}
