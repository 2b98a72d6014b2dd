/* SPDX-License-Identifier: MIT */
/*
 * The boot bundle: the service ELFs and the system configuration that the
 * boot image carries after the kernel (cmake/mkbundle.py writes it). The
 * kernel starts "vmm" from it; vmm finds everything else in it.
 */
#ifndef KEEL_BUNDLE_H
#define KEEL_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#define KEEL_BUNDLE_MAGIC    "KEELBNDL"
#define KEEL_BUNDLE_NAME_MAX 24

struct keel_bundle_entry {
	char name[KEEL_BUNDLE_NAME_MAX]; /* NUL-terminated */
	uint64_t offset;                 /* from the start of the bundle */
	uint64_t size;
};

struct keel_bundle_header {
	char magic[8];
	uint32_t version; /* 1 */
	uint32_t count;
	struct keel_bundle_entry entries[];
};

/* Find `name` in the bundle of `bundle_size` bytes; checks every bound. */
static inline const struct keel_bundle_entry *keel_bundle_find(const void *bundle,
                                                               size_t bundle_size, const char *name)
{
	const struct keel_bundle_header *h = (const struct keel_bundle_header *)bundle;
	if (bundle_size < sizeof(*h) || __builtin_memcmp(h->magic, KEEL_BUNDLE_MAGIC, 8) != 0 ||
	    h->version != 1 || h->count > (bundle_size - sizeof(*h)) / sizeof(h->entries[0]))
		return NULL;
	for (uint32_t i = 0; i < h->count; i++) {
		const struct keel_bundle_entry *e = &h->entries[i];
		if (e->offset > bundle_size || e->size > bundle_size - e->offset)
			continue;
		if (__builtin_strncmp(e->name, name, KEEL_BUNDLE_NAME_MAX) == 0)
			return e;
	}
	return NULL;
}

#endif
