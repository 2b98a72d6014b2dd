/* SPDX-License-Identifier: MIT */
/*
 * A service image: what `keelctl service deploy` hands to vmm and what the
 * boot bundle carries for every service that can be swapped live. It is
 * the service's static ELF behind a fixed header that says what the ELF
 * is, so that vmm can refuse a wrong or damaged image before it builds
 * anything from it (docs/live-update.md).
 *
 *   offset size
 *   0      8    magic "KEELSVC1"
 *   8      4    header size (KEEL_SVCIMG_HDR_SIZE)
 *   12     4    ABI version: the Keel service ABI it was built for
 *   16     4    state-format version: the newest state record it writes
 *   20     4    ELF size in bytes (the ELF follows the header)
 *   24     4    CRC-32 of the ELF
 *   28     4    flags (KEEL_SVCIMG_LIVE: it speaks the live-update protocol)
 *   32     16   service name, NUL-terminated
 *   48     16   version string, NUL-terminated ("1.1.0")
 *   64     20   build id (the linker's GNU build-id, zero-padded)
 *   84     4    CRC-32 of bytes 0..83
 *
 * All fields little-endian. The header is written by cmake/mksvcimage.py.
 * Pure code: vmm, keelctl and the host unit tests use it.
 */
#ifndef KEEL_SVCIMAGE_H
#define KEEL_SVCIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEEL_SVCIMG_MAGIC    "KEELSVC1"
#define KEEL_SVCIMG_HDR_SIZE 88u
#define KEEL_SVC_ABI_VERSION 1u
#define KEEL_SVCIMG_NAME     16
#define KEEL_SVCIMG_VERSION  16
#define KEEL_SVCIMG_BUILD_ID 20

#define KEEL_SVCIMG_LIVE 1u /* flag: answers the live-update protocol */

struct keel_svcimg {
	uint32_t abi_version, state_version, flags;
	char name[KEEL_SVCIMG_NAME];
	char version[KEEL_SVCIMG_VERSION];
	uint8_t build_id[KEEL_SVCIMG_BUILD_ID];
	const void *elf;
	size_t elf_size;
};

/* CRC-32 (IEEE 802.3, as zlib's crc32) of n bytes, continuing from crc. */
uint32_t keel_crc32(uint32_t crc, const void *data, size_t n);

/* Reads and checks an image of `len` bytes: magic, header size and
 * checksum, ABI version, lengths, ELF checksum, names. On success fills
 * *out (elf points into buf) and returns 0; otherwise returns -1 with a
 * one-line reason in err ("truncated image: 1000 bytes, the header
 * announces 66944"). */
int keel_svcimg_parse(const void *buf, size_t len, struct keel_svcimg *out, char *err,
                      size_t err_size);

/* Whether buf starts like a service image (a bundle entry may also be a
 * plain ELF). */
bool keel_svcimg_is_image(const void *buf, size_t len);

/* The build id as hex: 2 * KEEL_SVCIMG_BUILD_ID + 1 bytes. */
void keel_svcimg_build_hex(const struct keel_svcimg *img, char *hex);

#endif
