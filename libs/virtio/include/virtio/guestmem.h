/* SPDX-License-Identifier: MIT */
/*
 * The window of guest RAM a device model may touch: guest-physical
 * [gpa, gpa + size) mapped at host. Every pointer a virtio device follows
 * comes out of guest_ptr(), which refuses anything not wholly inside the
 * window, so a driver's addresses can never make the device read or write
 * memory of its own.
 *
 * The guest is little-endian; the le* helpers load and store through
 * memcpy because guest structures need not be aligned for the host.
 */
#ifndef VIRTIO_GUESTMEM_H
#define VIRTIO_GUESTMEM_H

#include <stdint.h>
#include <string.h>

struct guest_mem {
	uint8_t *host;
	uint64_t gpa;
	uint64_t size;
};

/* The host pointer for [gpa, gpa + len) if it lies entirely inside the
 * window, else NULL. No sum is formed that could wrap. */
void *guest_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define VIRTIO_LE16(x) __builtin_bswap16(x)
#define VIRTIO_LE32(x) __builtin_bswap32(x)
#define VIRTIO_LE64(x) __builtin_bswap64(x)
#else
#define VIRTIO_LE16(x) (x)
#define VIRTIO_LE32(x) (x)
#define VIRTIO_LE64(x) (x)
#endif

static inline uint16_t le16_load(const void *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return VIRTIO_LE16(v);
}

static inline uint32_t le32_load(const void *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return VIRTIO_LE32(v);
}

static inline uint64_t le64_load(const void *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return VIRTIO_LE64(v);
}

static inline void le16_store(void *p, uint16_t v)
{
	uint16_t le = VIRTIO_LE16(v);
	memcpy(p, &le, sizeof(le));
}

static inline void le32_store(void *p, uint32_t v)
{
	uint32_t le = VIRTIO_LE32(v);
	memcpy(p, &le, sizeof(le));
}

static inline void le64_store(void *p, uint64_t v)
{
	uint64_t le = VIRTIO_LE64(v);
	memcpy(p, &le, sizeof(le));
}

#endif
