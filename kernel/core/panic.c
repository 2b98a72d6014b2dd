/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/fmt.h>
#include <keel/log.h>
#include <keel/panic.h>
#include <stdarg.h>

_Noreturn void panic(const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;

	arch_irq_save();
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("\n*** KEEL PANIC on cpu%u: %s\n", arch_cpu_id(), msg);
	arch_halt();
}
