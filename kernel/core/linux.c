/* SPDX-License-Identifier: MIT */
/*
 * svc #0: the few Linux system calls a static musl program makes, so that
 * services are ordinary C programs (printf, malloc). Memory calls are served
 * from the heap region the partition's creator pre-mapped (PARTITION_HEAP):
 * brk grows up from its base, anonymous mmap comes down from its top, and
 * munmap gives nothing back. Output goes to the kernel log, one line per
 * log entry, prefixed with the partition's name. Everything else is ENOSYS.
 */
#include <keel/errno.h>
#include <keel/fault.h>
#include <keel/kernel.h>
#include <keel/log.h>
#include <keel/log_budget.h>
#include <keel/partition.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>

/* Linux arm64 call numbers and errno values. */
#define NR_ioctl           29
#define NR_write           64
#define NR_writev          66
#define NR_exit            93
#define NR_exit_group      94
#define NR_set_tid_address 96
#define NR_nanosleep       101
#define NR_clock_gettime   113
#define NR_sched_yield     124
#define NR_rt_sigprocmask  135
#define NR_getpid          172
#define NR_gettid          178
#define NR_brk             214
#define NR_munmap          215
#define NR_mmap            222
#define NR_mprotect        226
#define NR_madvise         233

#define LINUX_EFAULT 14
#define LINUX_ENOMEM 12
#define LINUX_EINVAL 22
#define LINUX_ENOTTY 25
#define LINUX_ENOSYS 38

#define MAP_FIXED       0x10
#define MAP_ANONYMOUS   0x20
#define IOV_MAX_KEEL    16
#define LINUX_WRITE_MAX 256 /* bytes one write or writev takes */
#define TIOCGWINSZ      0x5413

struct iovec64 {
	uint64_t base;
	uint64_t len;
};

static void flush_line(struct partition *p)
{
	p->line[p->line_len] = '\0';
	log_partition_line(p, p->line);
	p->line_len = 0;
}

static void output_byte(struct partition *p, char c)
{
	if (c == '\n') {
		flush_line(p);
		return;
	}
	p->line[p->line_len++] = c;
	if (p->line_len == PARTITION_LINE_MAX - 1)
		flush_line(p);
}

/* A short write for more: the caller (musl) writes the rest in a new call,
 * so one call holds the kernel lock for a bounded time. */
static long write_user(struct partition *p, uint64_t buf, uint64_t len)
{
	char chunk[64];
	uint64_t done = 0;

	if (len > LINUX_WRITE_MAX)
		len = LINUX_WRITE_MAX;
	while (done < len) {
		size_t n = len - done < sizeof(chunk) ? (size_t)(len - done) : sizeof(chunk);
		if (copy_from_user(p, chunk, buf + done, n))
			return done ? (long)done : -LINUX_EFAULT;
		for (size_t i = 0; i < n; i++)
			output_byte(p, chunk[i]);
		done += n;
	}
	return (long)done;
}

static long linux_writev(struct partition *p, uint64_t iov_ptr, uint64_t count)
{
	struct iovec64 iov[IOV_MAX_KEEL];
	long total = 0;

	if (count > IOV_MAX_KEEL)
		return -LINUX_EINVAL;
	if (copy_from_user(p, iov, iov_ptr, count * sizeof(iov[0])))
		return -LINUX_EFAULT;
	for (uint64_t i = 0; i < count && total < LINUX_WRITE_MAX; i++) {
		uint64_t room = LINUX_WRITE_MAX - (uint64_t)total;
		long n = write_user(p, iov[i].base, iov[i].len < room ? iov[i].len : room);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((uint64_t)n < iov[i].len)
			break;
	}
	return total;
}

/* stdout and stderr pass for a terminal, so musl keeps them line-buffered
 * and each printf line reaches the log when it ends. */
static long linux_ioctl(struct partition *p, uint64_t fd, uint64_t req, uint64_t arg)
{
	const uint16_t winsize[4] = {24, 80, 0, 0};

	if ((fd != 1 && fd != 2) || req != TIOCGWINSZ)
		return -LINUX_ENOTTY;
	return copy_to_user(p, arg, winsize, sizeof(winsize)) ? -LINUX_EFAULT : 0;
}

static long linux_brk(struct partition *p, uint64_t want)
{
	if (want >= p->heap_base && want <= p->mmap_top)
		p->brk = want;
	return (long)p->brk; /* Linux answers the current break on failure */
}

static long linux_mmap(struct partition *p, uint64_t addr, uint64_t len, uint64_t flags)
{
	len = (len + 4095) & ~4095ull;
	if (!(flags & MAP_ANONYMOUS) || !len)
		return -LINUX_EINVAL;
	if (flags & MAP_FIXED) {
		/* musl only asks for guard pages inside memory it already has. */
		bool inside = addr >= p->heap_base && addr + len <= p->heap_base + p->heap_size;
		return inside ? (long)addr : -LINUX_ENOMEM;
	}
	if (len > p->mmap_top - p->brk)
		return -LINUX_ENOMEM;
	p->mmap_top -= len;
	return (long)p->mmap_top;
}

static long linux_clock_gettime(struct partition *p, uint64_t ts_ptr)
{
	uint64_t now = arch_counter(), freq = arch_counter_freq();
	uint64_t ts[2] = {now / freq, (now % freq) * 1000000000ull / freq};
	return copy_to_user(p, ts_ptr, ts, sizeof(ts)) ? -LINUX_EFAULT : 0;
}

static long linux_nanosleep(struct thread *t, uint64_t ts_ptr)
{
	uint64_t ts[2];
	if (copy_from_user(t->partition, ts, ts_ptr, sizeof(ts)))
		return -LINUX_EFAULT;
	uint64_t freq = arch_counter_freq();
	uint64_t ticks = ts[0] * freq + ts[1] * (freq / 1000000) / 1000;
	thread_set_result(t, 0);
	sched_sleep(&sched_cpus[t->cpu], t, arch_counter() + ticks);
	return SYS_BLOCKED;
}

static long linux_dispatch(struct thread *t, const uint64_t *a, uint64_t nr)
{
	struct partition *p = t->partition;

	switch (nr) {
	case NR_write: return a[0] == 1 || a[0] == 2 ? write_user(p, a[1], a[2]) : -LINUX_EINVAL;
	case NR_writev: return a[0] == 1 || a[0] == 2 ? linux_writev(p, a[1], a[2]) : -LINUX_EINVAL;
	case NR_ioctl: return linux_ioctl(p, a[0], a[1], a[2]);
	case NR_set_tid_address:
	case NR_gettid: return t->id;
	case NR_getpid: return p->id;
	case NR_brk: return linux_brk(p, a[0]);
	case NR_mmap: return linux_mmap(p, a[0], a[1], a[3]);
	case NR_munmap:
	case NR_mprotect:
	case NR_madvise:
	case NR_rt_sigprocmask: return 0;
	case NR_clock_gettime: return linux_clock_gettime(p, a[1]);
	case NR_nanosleep: return linux_nanosleep(t, a[0]);
	case NR_sched_yield: sched_rotate(this_sched(), arch_counter()); return 0;
	case NR_exit:
	case NR_exit_group:
		if (p->line_len)
			flush_line(p);
		fault_raise(t, KEEL_FAULT_EXIT, a[0], 0, 0);
		return SYS_BLOCKED;
	default: return -LINUX_ENOSYS;
	}
}

void syscall_linux(struct thread *t)
{
	uint64_t a[6];
	for (unsigned i = 0; i < 6; i++)
		a[i] = regs_arg(&t->regs, i);
	long ret = linux_dispatch(t, a, regs_sysno(&t->regs));
	if (ret != SYS_BLOCKED)
		regs_set(&t->regs, 0, (uint64_t)ret);
}
