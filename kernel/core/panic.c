/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/config.h>
#include <keel/cpu_stop.h>
#include <keel/errno.h>
#include <keel/fmt.h>
#include <keel/kernel.h>
#include <keel/log.h>
#include <keel/panic.h>
#include <keel/partition.h>
#include <keel/smp.h>
#include <keel/thread.h>
#include <keel/timer.h>
#include <stdarg.h>
#include <string.h>

/* Far longer than any bounded kernel path (a CPU parks within microseconds
 * on a board), and long enough for a QEMU vCPU thread the host did not run
 * for a while; a CPU that needs more is named in the report, which goes on
 * without it. */
#define STOP_TIMEOUT_US 1000000
/* Lets the UART send its FIFO before a reset cuts it off. */
#define DRAIN_US        20000

static enum panic_action panic_action = PANIC_RESET;
static unsigned report_depth; /* only the reporting CPU touches it */
static uint32_t not_stopped;

void panic_set_action(enum panic_action action)
{
	panic_action = action;
}

int panic_action_parse(const char *name, enum panic_action *action)
{
	if (!strcmp(name, "reset"))
		*action = PANIC_RESET;
	else if (!strcmp(name, "halt"))
		*action = PANIC_HALT;
	else
		return -KEEL_EINVAL;
	return 0;
}

_Static_assert(KEEL_MAX_CPUS <= 32, "CPU masks are 32 bits");

static uint32_t other_online_cpus(void)
{
	uint32_t mask = 0;
	for (unsigned cpu = 0; cpu < KEEL_MAX_CPUS; cpu++)
		if (cpu != arch_cpu_id() && smp_cpu_online(cpu))
			mask |= 1u << cpu;
	return mask;
}

static void wait_us(uint64_t us)
{
	uint64_t end = arch_counter() + us_to_ticks(us);
	while (arch_counter() < end)
		arch_cpu_relax();
}

static _Noreturn void take_action(bool quiet)
{
	if (panic_action == PANIC_RESET) {
		if (!quiet) {
			panic_printf("*** resetting (keel.panic=reset) ***\n");
			wait_us(DRAIN_US);
		}
		int err = arch_system_reset();
		if (!quiet)
			panic_printf("*** reset failed (%s): system halted ***\n",
			             keel_strerror(err));
	} else if (!quiet) {
		panic_printf("*** system halted (keel.panic=halt) ***\n");
	}
	arch_halt();
}

void panic_begin(void)
{
	arch_irq_save();
	if (!cpu_stop_claim()) {
		if (cpu_stop_owner() != arch_cpu_id())
			cpu_stop_park();
		/* A fault while reporting: no second report; a fault in the reset too: halt. */
		if (report_depth++ > 1)
			arch_halt();
		take_action(true);
	}
	report_depth = 1;
	not_stopped = cpu_stop_others(other_online_cpus(), STOP_TIMEOUT_US);
}

void panic_printf(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	arch_console_write(buf, len);
}

static void print_thread(unsigned cpu)
{
	const struct thread *t = sched_cpus[cpu].current;

	if (!t || !t->partition)
		panic_printf("thread: none (boot, idle or between threads) on cpu%u\n", cpu);
	else
		panic_printf("thread: %u of partition %s%s on cpu%u\n", (unsigned)t->id,
		             t->partition->name, t->is_vcpu ? " (vCPU)" : "", cpu);
}

_Noreturn void panic_end(void)
{
	unsigned others = (unsigned)__builtin_popcount(other_online_cpus());

	print_thread(arch_cpu_id());
	if (!not_stopped)
		panic_printf("cpus: %u other(s) stopped\n", others);
	else
		panic_printf("cpus: %u other(s) stopped, mask 0x%x did not stop in %u ms\n",
		             others - (unsigned)__builtin_popcount(not_stopped),
		             (unsigned)not_stopped, STOP_TIMEOUT_US / 1000);
	take_action(false);
}

_Noreturn void panic(const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	panic_printf("\n*** KEEL PANIC on cpu%u: %s ***\n", arch_cpu_id(), msg);
	panic_end();
}
