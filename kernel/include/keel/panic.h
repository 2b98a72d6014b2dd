/* SPDX-License-Identifier: MIT */
/*
 * Panics and crash reports. The first CPU to panic stops every other CPU
 * (keel/cpu_stop.h), prints its report once, straight to the console with
 * no lock, and then resets the system or halts it as the command line says
 * (keel.panic=reset|halt, reset by default). A CPU that panics while
 * another one reports just parks; a fault inside the report does not start
 * a second one.
 */
#ifndef KEEL_PANIC_H
#define KEEL_PANIC_H

enum panic_action {
	PANIC_RESET, /* PSCI SYSTEM_RESET; halts where there is no PSCI */
	PANIC_HALT,  /* every CPU parked, the report left on the console */
};

void panic_set_action(enum panic_action action);
/* "reset" or "halt": 0, else -KEEL_EINVAL and *action untouched. */
int panic_action_parse(const char *name, enum panic_action *action);

/* Start a report: interrupts masked, every other CPU stopped. Returns only
 * on the first CPU to panic, the first time. */
void panic_begin(void);
/* One piece of the report, on the console without the log lock. */
void panic_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End a report: which thread this CPU ran, which CPUs stopped, then reset or halt. */
_Noreturn void panic_end(void);

_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An invariant that must hold; a broken one stops the CPU with its location. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			panic("CHECK(%s) failed at %s:%d", #cond, __FILE__, __LINE__);             \
	} while (0)

#endif
