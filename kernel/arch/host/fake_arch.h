/* SPDX-License-Identifier: MIT */
#ifndef KEEL_FAKE_ARCH_H
#define KEEL_FAKE_ARCH_H

#include <stddef.h>
#include <stdint.h>

struct fake_arch {
	unsigned cpu_id;
	uint64_t counter;
	uint64_t counter_freq;
	unsigned long irq_masked;
	char console[16384];
	size_t console_len;
};

extern struct fake_arch fake_arch;
void fake_console_clear(void);

#endif
