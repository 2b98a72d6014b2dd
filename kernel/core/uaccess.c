/* SPDX-License-Identifier: MIT */
#include <arch/pgtable.h>
#include <keel/errno.h>
#include <keel/partition.h>
#include <keel/uaccess.h>
#include <string.h>

/* Kernel address of ipa's byte, if the partition may access it with `need`. */
static uint8_t *translate(struct partition *p, uint64_t ipa, unsigned need)
{
	uint64_t pa;
	unsigned attrs;

	if (!pt_lookup(&p->s2, ipa, &pa, &attrs, NULL))
		return NULL;
	if ((attrs & need) != need || (attrs & PT_DEVICE))
		return NULL;
	return (uint8_t *)(uintptr_t)pa;
}

static int copy_user(struct partition *p, uint8_t *kbuf, uint64_t ipa, size_t len, bool to_user)
{
	while (len) {
		size_t chunk = PT_PAGE_SIZE - (ipa & (PT_PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		uint8_t *u = translate(p, ipa, to_user ? PT_READ | PT_WRITE : PT_READ);
		if (!u)
			return -KEEL_EFAULT;
		if (to_user)
			memcpy(u, kbuf, chunk);
		else
			memcpy(kbuf, u, chunk);
		kbuf += chunk;
		ipa += chunk;
		len -= chunk;
	}
	return 0;
}

int copy_from_user(struct partition *p, void *dst, uint64_t ipa, size_t len)
{
	return copy_user(p, dst, ipa, len, false);
}

int copy_to_user(struct partition *p, uint64_t ipa, const void *src, size_t len)
{
	return copy_user(p, (uint8_t *)(uintptr_t)src, ipa, len, true);
}

int copy_string_from_user(struct partition *p, char *dst, uint64_t ipa, size_t max)
{
	for (size_t i = 0; i < max; i++) {
		uint8_t *u = translate(p, ipa + i, PT_READ);
		if (!u)
			return -KEEL_EFAULT;
		dst[i] = (char)*u;
		if (!dst[i])
			return 0;
	}
	dst[max - 1] = '\0';
	return 0;
}
