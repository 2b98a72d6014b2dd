/* SPDX-License-Identifier: MIT */
/* The freestanding kernel's <limits.h> (LP64), for libfdt's headers. */
#ifndef KEEL_LIMITS_H
#define KEEL_LIMITS_H

#define CHAR_BIT  8
#define INT_MAX   0x7fffffff
#define INT_MIN   (-INT_MAX - 1)
#define UINT_MAX  0xffffffffu
#define LONG_MAX  0x7fffffffffffffffl
#define LONG_MIN  (-LONG_MAX - 1)
#define ULONG_MAX 0xfffffffffffffffful

#endif
