/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PANIC_H
#define KEEL_PANIC_H

_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An invariant that must hold; a broken one stops the CPU with its location. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			panic("CHECK(%s) failed at %s:%d", #cond, __FILE__, __LINE__);             \
	} while (0)

#endif
