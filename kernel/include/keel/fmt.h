/* SPDX-License-Identifier: MIT */
/*
 * The kernel's formatter: a small, bounded vsnprintf. Conversions: d i u x X
 * p s c %, flags '-' '0', a width, and the length modifiers l ll z.
 * Floating point is absent on purpose: the kernel never touches FP registers.
 */
#ifndef KEEL_FMT_H
#define KEEL_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Like C's vsnprintf: returns the length the full output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#endif
