/* SPDX-License-Identifier: MIT */
/* The freestanding kernel's <stdlib.h>: only what libfdt's headers need. */
#ifndef KEEL_STDLIB_H
#define KEEL_STDLIB_H

#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);

#endif
