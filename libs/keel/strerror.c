/* SPDX-License-Identifier: MIT */
#include <keel/service.h>

static const char *const names[KEEL_ERRNO_MAX + 1] = {
        [KEEL_OK] = "OK",         [KEEL_EINVAL] = "EINVAL",       [KEEL_ENOMEM] = "ENOMEM",
        [KEEL_EEXIST] = "EEXIST", [KEEL_ENOENT] = "ENOENT",       [KEEL_ERANGE] = "ERANGE",
        [KEEL_ENODEV] = "ENODEV", [KEEL_ETIMEDOUT] = "ETIMEDOUT", [KEEL_EFAULT] = "EFAULT",
        [KEEL_ENOCAP] = "ENOCAP", [KEEL_ETYPE] = "ETYPE",         [KEEL_EPERM] = "EPERM",
        [KEEL_ENOSYS] = "ENOSYS", [KEEL_EBUSY] = "EBUSY",         [KEEL_ESRCH] = "ESRCH",
};

const char *keel_strerror(long err)
{
	unsigned long e = err < 0 ? 0ul - (unsigned long)err : (unsigned long)err;

	if (e > KEEL_ERRNO_MAX || !names[e])
		return "unknown error";
	return names[e];
}
