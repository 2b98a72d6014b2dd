/* SPDX-License-Identifier: MIT */
/* A refusal with its reason: `return keel_why(why, size, "...", ...);`. */
#ifndef KEEL_WHY_H
#define KEEL_WHY_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Writes the reason into why[size]; returns -1, the refusal. */
__attribute__((format(printf, 3, 4))) static inline int keel_why(char *why, size_t size,
                                                                 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -1;
}

#endif
