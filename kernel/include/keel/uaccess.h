/* SPDX-License-Identifier: MIT */
/*
 * Copies between the kernel and a partition's memory, through the
 * partition's own stage-2 table: an address the partition cannot read (or,
 * for copy_to_user, write) is -KEEL_EFAULT, never a kernel fault.
 */
#ifndef KEEL_UACCESS_H
#define KEEL_UACCESS_H

#include <stddef.h>
#include <stdint.h>

struct partition;

int copy_from_user(struct partition *p, void *dst, uint64_t ipa, size_t len);
int copy_to_user(struct partition *p, uint64_t ipa, const void *src, size_t len);
/* Copy a NUL-terminated string of at most max-1 bytes. */
int copy_string_from_user(struct partition *p, char *dst, uint64_t ipa, size_t max);

#endif
