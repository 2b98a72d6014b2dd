/* SPDX-License-Identifier: MIT */
/*
 * Keel calls from EL0: one inline wrapper per KEEL_SYS_* in keel_abi.h.
 *
 * Every wrapper returns 0 or a negative KEEL_E* error. Results the kernel
 * returns in x1..x7 go through out-pointers, which may be NULL, and are
 * written only on success.
 */
#ifndef KEEL_SYS_H
#define KEEL_SYS_H

#include <keel_abi.h>
#include <stddef.h>

struct keel_msg {
	unsigned long w[KEEL_MSG_WORDS];
};

/*
 * clang-tidy's analyzer cannot see the kernel behind `svc`: neither its
 * writes through the buffers a call passes in registers, nor that it
 * always sets the outputs of a call that succeeds. To the analyzer (only:
 * this function is never defined) the call writes *p, as it does.
 */
#ifdef __clang_analyzer__
void keel_analyzer_kernel_writes(void *p);
#define KEEL_KERNEL_WRITES(p) keel_analyzer_kernel_writes(p)
#else
#define KEEL_KERNEL_WRITES(p) ((void)0)
#endif

/*
 * r[0..7] go in as x0..x7 and come back as the kernel left them. The kernel
 * may write x0..x8 and preserves every other register, so those nine are
 * the only ones the asm names.
 */
static inline long keel_svc(unsigned long nr, unsigned long r[8])
{
	register unsigned long x0 __asm__("x0") = r[0];
	register unsigned long x1 __asm__("x1") = r[1];
	register unsigned long x2 __asm__("x2") = r[2];
	register unsigned long x3 __asm__("x3") = r[3];
	register unsigned long x4 __asm__("x4") = r[4];
	register unsigned long x5 __asm__("x5") = r[5];
	register unsigned long x6 __asm__("x6") = r[6];
	register unsigned long x7 __asm__("x7") = r[7];
	register unsigned long x8 __asm__("x8") = nr;

	__asm__ volatile("svc #1"
	                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6),
	                   "+r"(x7), "+r"(x8)
	                 :
	                 : "memory");
	r[0] = x0;
	r[1] = x1;
	r[2] = x2;
	r[3] = x3;
	r[4] = x4;
	r[5] = x5;
	r[6] = x6;
	r[7] = x7;
	return (long)x0;
}

static inline void keel_out(unsigned long *p, unsigned long v)
{
	if (p)
		*p = v;
}

/*
 * The IPC calls move the message straight between *in, *out and x1..x6;
 * going through keel_svc's array would make the compiler copy it on the
 * stack. On success *out gets x1..x6 and *badge x7; in and out may alias.
 */
static inline long keel_svc_msg(unsigned long nr, unsigned long a0, const struct keel_msg *in,
                                struct keel_msg *out, unsigned long *badge)
{
	register unsigned long x0 __asm__("x0") = a0;
	register unsigned long x1 __asm__("x1") = in ? in->w[0] : 0;
	register unsigned long x2 __asm__("x2") = in ? in->w[1] : 0;
	register unsigned long x3 __asm__("x3") = in ? in->w[2] : 0;
	register unsigned long x4 __asm__("x4") = in ? in->w[3] : 0;
	register unsigned long x5 __asm__("x5") = in ? in->w[4] : 0;
	register unsigned long x6 __asm__("x6") = in ? in->w[5] : 0;
	register unsigned long x7 __asm__("x7") = 0;
	register unsigned long x8 __asm__("x8") = nr;

	__asm__ volatile("svc #1"
	                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6),
	                   "+r"(x7), "+r"(x8)
	                 :
	                 : "memory");
	KEEL_KERNEL_WRITES(out);
	KEEL_KERNEL_WRITES(badge);
	if (x0)
		return (long)x0;
	if (out) {
		out->w[0] = x1;
		out->w[1] = x2;
		out->w[2] = x3;
		out->w[3] = x4;
		out->w[4] = x5;
		out->w[5] = x6;
	}
	keel_out(badge, x7);
	return 0;
}

static inline long keel_null(void)
{
	unsigned long r[8] = {0};
	return keel_svc(KEEL_SYS_NULL, r);
}

static inline long keel_debug_puts(const char *s, unsigned long len)
{
	unsigned long r[8] = {(unsigned long)s, len};
	return keel_svc(KEEL_SYS_DEBUG_PUTS, r);
}

static inline long keel_yield(void)
{
	unsigned long r[8] = {0};
	return keel_svc(KEEL_SYS_YIELD, r);
}

/* IPC. The reply (call) or the received message replaces *msg. */

static inline long keel_call(unsigned long ep, struct keel_msg *msg)
{
	return keel_svc_msg(KEEL_SYS_CALL, ep, msg, msg, NULL);
}

static inline long keel_send(unsigned long ep, const struct keel_msg *msg)
{
	return keel_svc_msg(KEEL_SYS_SEND, ep, msg, NULL, NULL);
}

static inline long keel_recv(unsigned long ep, struct keel_msg *msg, unsigned long *badge)
{
	return keel_svc_msg(KEEL_SYS_RECV, ep, NULL, msg, badge);
}

static inline long keel_reply(const struct keel_msg *msg)
{
	return keel_svc_msg(KEEL_SYS_REPLY, 0, msg, NULL, NULL);
}

static inline long keel_reply_recv(unsigned long ep, struct keel_msg *msg, unsigned long *badge)
{
	return keel_svc_msg(KEEL_SYS_REPLY_RECV, ep, msg, msg, badge);
}

static inline long keel_signal(unsigned long ntfn)
{
	unsigned long r[8] = {ntfn};
	return keel_svc(KEEL_SYS_SIGNAL, r);
}

static inline long keel_wait(unsigned long ntfn, unsigned long *bits)
{
	unsigned long r[8] = {ntfn};
	long err = keel_svc(KEEL_SYS_WAIT, r);
	if (!err)
		keel_out(bits, r[1]);
	return err;
}

static inline long keel_poll(unsigned long ntfn, unsigned long *bits)
{
	unsigned long r[8] = {ntfn};
	long err = keel_svc(KEEL_SYS_POLL, r);
	if (!err)
		keel_out(bits, r[1]);
	return err;
}

/* Capabilities. A destination partition slot of 0 means the caller. */

static inline long keel_cap_copy(unsigned long src, unsigned long dest_part, unsigned long dest,
                                 unsigned long rights)
{
	unsigned long r[8] = {src, dest_part, dest, rights};
	return keel_svc(KEEL_SYS_CAP_COPY, r);
}

static inline long keel_cap_mint(unsigned long src, unsigned long dest_part, unsigned long dest,
                                 unsigned long rights, unsigned long badge)
{
	unsigned long r[8] = {src, dest_part, dest, rights, badge};
	return keel_svc(KEEL_SYS_CAP_MINT, r);
}

static inline long keel_cap_delete(unsigned long slot)
{
	unsigned long r[8] = {slot};
	return keel_svc(KEEL_SYS_CAP_DELETE, r);
}

static inline long keel_cap_revoke(unsigned long slot)
{
	unsigned long r[8] = {slot};
	return keel_svc(KEEL_SYS_CAP_REVOKE, r);
}

static inline long keel_cap_info(unsigned long slot, unsigned long *type, unsigned long *rights,
                                 unsigned long *badge)
{
	unsigned long r[8] = {slot};
	long err = keel_svc(KEEL_SYS_CAP_INFO, r);
	if (!err) {
		keel_out(type, r[1]);
		keel_out(rights, r[2]);
		keel_out(badge, r[3]);
	}
	return err;
}

static inline long keel_retype(unsigned long untyped, unsigned long type, unsigned long size,
                               unsigned long dest_part, unsigned long dest)
{
	unsigned long r[8] = {untyped, type, size, dest_part, dest};
	return keel_svc(KEEL_SYS_RETYPE, r);
}

/* Destroys everything carved from the untyped (docs/abi.md); -KEEL_EBUSY
 * means a thread there was still on a CPU: call again. */
static inline long keel_untyped_reset(unsigned long untyped)
{
	unsigned long r[8] = {untyped};
	return keel_svc(KEEL_SYS_UNTYPED_RESET, r);
}

static inline long keel_untyped_info(unsigned long untyped, unsigned long *base,
                                     unsigned long *size, unsigned long *free_bytes)
{
	unsigned long r[8] = {untyped};
	long err = keel_svc(KEEL_SYS_UNTYPED_INFO, r);
	if (!err) {
		keel_out(base, r[1]);
		keel_out(size, r[2]);
		keel_out(free_bytes, r[3]);
	}
	return err;
}

static inline long keel_device_frame(unsigned long untyped, unsigned long irq_ctl,
                                     unsigned long phys, unsigned long size,
                                     unsigned long dst_partition, unsigned long dst_slot)
{
	unsigned long r[8] = {untyped, irq_ctl, phys, size, dst_partition, dst_slot};
	return keel_svc(KEEL_SYS_DEVICE_FRAME, r);
}

static inline long keel_vm_irq_pass(unsigned long vm, unsigned long handler, unsigned long vintid)
{
	unsigned long r[8] = {vm, handler, vintid};
	return keel_svc(KEEL_SYS_VM_IRQ_PASS, r);
}

/* Memory. */

static inline long keel_frame_map(unsigned long frame, unsigned long part, unsigned long ipa,
                                  unsigned long rights)
{
	unsigned long r[8] = {frame, part, ipa, rights};
	return keel_svc(KEEL_SYS_FRAME_MAP, r);
}

static inline long keel_frame_unmap(unsigned long frame, unsigned long part, unsigned long ipa)
{
	unsigned long r[8] = {frame, part, ipa};
	return keel_svc(KEEL_SYS_FRAME_UNMAP, r);
}

static inline long keel_frame_info(unsigned long frame, unsigned long *phys, unsigned long *size)
{
	unsigned long r[8] = {frame};
	long err = keel_svc(KEEL_SYS_FRAME_INFO, r);
	if (!err) {
		keel_out(phys, r[1]);
		keel_out(size, r[2]);
	}
	return err;
}

/* Threads and partitions. */

static inline long keel_vm_inject(unsigned long vm, unsigned long intid, unsigned long level,
                                  unsigned long vcpu)
{
	unsigned long r[8] = {vm, intid, level, vcpu};
	return keel_svc(KEEL_SYS_VM_INJECT, r);
}

static inline long keel_vm_irq_reset(unsigned long vm)
{
	unsigned long r[8] = {vm};
	return keel_svc(KEEL_SYS_VM_IRQ_RESET, r);
}

static inline long keel_vm_mmio_route(unsigned long vm, unsigned long ipa, unsigned long size,
                                      unsigned long ep, unsigned long badge)
{
	unsigned long r[8] = {vm, ipa, size, ep, badge};
	return keel_svc(KEEL_SYS_VM_MMIO_ROUTE, r);
}

static inline long keel_thread_config(unsigned long thread, unsigned long part, unsigned long entry,
                                      unsigned long sp, unsigned long arg)
{
	unsigned long r[8] = {thread, part, entry, sp, arg};
	return keel_svc(KEEL_SYS_THREAD_CONFIG, r);
}

static inline long keel_thread_sched(unsigned long thread, unsigned long prio,
                                     unsigned long budget_us, unsigned long period_us,
                                     unsigned long cpu)
{
	unsigned long r[8] = {thread, prio, budget_us, period_us, cpu};
	return keel_svc(KEEL_SYS_THREAD_SCHED, r);
}

static inline long keel_thread_start(unsigned long thread)
{
	unsigned long r[8] = {thread};
	return keel_svc(KEEL_SYS_THREAD_START, r);
}

static inline long keel_thread_stop(unsigned long thread)
{
	unsigned long r[8] = {thread};
	return keel_svc(KEEL_SYS_THREAD_STOP, r);
}

/* Retries if the kernel ever refuses, so that callers may rely on not returning. */
static inline _Noreturn void keel_thread_exit(void)
{
	for (;;) {
		unsigned long r[8] = {0};
		keel_svc(KEEL_SYS_THREAD_EXIT, r);
	}
}

static inline long keel_partition_config(unsigned long part, const char *name,
                                         unsigned long fault_ep, unsigned long badge)
{
	unsigned long r[8] = {part, (unsigned long)name, fault_ep, badge};
	return keel_svc(KEEL_SYS_PARTITION_CONFIG, r);
}

static inline long keel_partition_destroy(unsigned long part)
{
	unsigned long r[8] = {part};
	return keel_svc(KEEL_SYS_PARTITION_DESTROY, r);
}

static inline long keel_partition_heap(unsigned long part, unsigned long base, unsigned long size)
{
	unsigned long r[8] = {part, base, size};
	return keel_svc(KEEL_SYS_PARTITION_HEAP, r);
}

/* Interrupts. */

static inline long keel_irq_claim(unsigned long irq_ctl, unsigned long intid, unsigned long dest)
{
	unsigned long r[8] = {irq_ctl, intid, dest};
	return keel_svc(KEEL_SYS_IRQ_CLAIM, r);
}

static inline long keel_irq_bind(unsigned long handler, unsigned long ntfn)
{
	unsigned long r[8] = {handler, ntfn};
	return keel_svc(KEEL_SYS_IRQ_BIND, r);
}

static inline long keel_irq_ack(unsigned long handler)
{
	unsigned long r[8] = {handler};
	return keel_svc(KEEL_SYS_IRQ_ACK, r);
}

/* System information. */

static inline long keel_ep_bind(unsigned long ep, unsigned long ntfn)
{
	unsigned long r[8] = {ep, ntfn};
	return keel_svc(KEEL_SYS_EP_BIND, r);
}

/* No server will answer on ep (closed = 1), or one will again (0). */
static inline long keel_ep_close(unsigned long ep, unsigned long closed)
{
	unsigned long r[8] = {ep, closed};
	return keel_svc(KEEL_SYS_EP_CLOSE, r);
}

static inline long keel_info_system(unsigned long sysinfo, unsigned long *cpus,
                                    unsigned long *flags)
{
	unsigned long r[8] = {sysinfo};
	long err = keel_svc(KEEL_SYS_INFO_SYSTEM, r);
	if (!err) {
		keel_out(cpus, r[1]);
		keel_out(flags, r[2]);
	}
	return err;
}

static inline long keel_info_threads(unsigned long sysinfo, struct keel_thread_info *buf,
                                     unsigned long len, unsigned long *count)
{
	unsigned long r[8] = {sysinfo, (unsigned long)buf, len};
	long err = keel_svc(KEEL_SYS_INFO_THREADS, r);
	KEEL_KERNEL_WRITES(buf);
	if (!err)
		keel_out(count, r[1]);
	return err;
}

static inline long keel_info_caps(unsigned long sysinfo, unsigned long partition_id,
                                  struct keel_cap_info *buf, unsigned long len,
                                  unsigned long *count)
{
	unsigned long r[8] = {sysinfo, partition_id, (unsigned long)buf, len};
	long err = keel_svc(KEEL_SYS_INFO_CAPS, r);
	KEEL_KERNEL_WRITES(buf);
	if (!err)
		keel_out(count, r[1]);
	return err;
}

static inline long keel_log_read(unsigned long sysinfo, char *buf, unsigned long len,
                                 unsigned long from_seq, unsigned long *out_len,
                                 unsigned long *next_seq)
{
	unsigned long r[8] = {sysinfo, (unsigned long)buf, len, from_seq};
	long err = keel_svc(KEEL_SYS_LOG_READ, r);
	KEEL_KERNEL_WRITES(buf);
	if (!err) {
		keel_out(out_len, r[1]);
		keel_out(next_seq, r[2]);
	}
	return err;
}

/* The kernel stops printing its log on the UART and signals `ntfn` (badge
 * KEEL_LOG_BADGE) whenever a line is logged. */
static inline long keel_console_claim(unsigned long uart_frame, unsigned long ntfn,
                                      unsigned long *log_seq)
{
	unsigned long r[8] = {uart_frame, ntfn};
	long err = keel_svc(KEEL_SYS_CONSOLE_CLAIM, r);
	if (!err && log_seq)
		*log_seq = r[1];
	return err;
}

/* Time. */

static inline long keel_time(unsigned long *counter, unsigned long *freq)
{
	unsigned long r[8] = {0};
	long err = keel_svc(KEEL_SYS_TIME, r);
	if (!err) {
		keel_out(counter, r[1]);
		keel_out(freq, r[2]);
	}
	return err;
}

/* The CPU time the calling thread has run, in counter ticks (unlike the
 * counter, without the time others had its CPU); *counter, unless NULL,
 * is the counter at the same moment. */
static inline unsigned long keel_cpu_time(unsigned long *counter)
{
	unsigned long r[8] = {0};
	if (keel_svc(KEEL_SYS_TIME, r))
		return 0;
	keel_out(counter, r[1]);
	return r[3];
}

static inline long keel_sleep(unsigned long us)
{
	unsigned long r[8] = {us};
	return keel_svc(KEEL_SYS_SLEEP, r);
}

#endif
