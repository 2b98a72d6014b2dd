/* SPDX-License-Identifier: MIT */
/*
 * Keel error codes. Kernel functions return 0 or a negative KEEL_E* value;
 * the same numbers are the syscall ABI (docs/abi.md).
 */
#ifndef KEEL_ERRNO_H
#define KEEL_ERRNO_H

#define KEEL_OK        0
#define KEEL_EINVAL    1 /* malformed argument */
#define KEEL_ENOMEM    2 /* out of the memory handed over for this */
#define KEEL_EEXIST    3 /* already there (mapping, object) */
#define KEEL_ENOENT    4 /* no such thing (node, slot, CPU) */
#define KEEL_ERANGE    5 /* outside the allowed range */
#define KEEL_ENODEV    6 /* hardware absent or not answering */
#define KEEL_ETIMEDOUT 7 /* waited long enough */
#define KEEL_EFAULT    8 /* bad address */

const char *keel_strerror(int err);

#endif
