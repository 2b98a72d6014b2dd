/* SPDX-License-Identifier: MIT */
/*
 * Keel error codes. Kernel functions return 0 or a negative KEEL_E* value;
 * the numbers are the syscall ABI (uapi/keel_abi.h, docs/abi.md).
 */
#ifndef KEEL_ERRNO_H
#define KEEL_ERRNO_H

#include <keel_abi.h>

const char *keel_strerror(int err);

#endif
