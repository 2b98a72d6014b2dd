/* SPDX-License-Identifier: MIT */
#include <keel/errno.h>

static const char *const error_names[] = {
        [KEEL_OK] = "ok",
        [KEEL_EINVAL] = "invalid argument",
        [KEEL_ENOMEM] = "out of memory",
        [KEEL_EEXIST] = "already exists",
        [KEEL_ENOENT] = "not found",
        [KEEL_ERANGE] = "out of range",
        [KEEL_ENODEV] = "no such device",
        [KEEL_ETIMEDOUT] = "timed out",
        [KEEL_EFAULT] = "bad address",
        [KEEL_ENOCAP] = "no capability in slot",
        [KEEL_ETYPE] = "wrong object type",
        [KEEL_EPERM] = "missing right",
        [KEEL_ENOSYS] = "unknown call",
        [KEEL_EBUSY] = "busy",
        [KEEL_ESRCH] = "partner gone",
};

const char *keel_strerror(int err)
{
	unsigned idx = (unsigned)(err < 0 ? -err : err);
	if (idx >= sizeof(error_names) / sizeof(error_names[0]) || !error_names[idx])
		return "unknown error";
	return error_names[idx];
}
