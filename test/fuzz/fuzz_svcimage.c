/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: a service image as `keelctl service deploy` hands it
 * to vmm (libs/keel/svcimage.c), then its ELF through the loader's checks
 * (services/vmm/elf_load.c). For each segment the loader would map, the
 * harness does what loader.c does: a frame of exactly the span's size
 * (a heap block, so AddressSanitizer sees any byte outside it) with the
 * segment's file bytes copied to the span's offset.
 *
 * Random bytes never match the two CRC-32s, so the first input byte can
 * ask the harness to correct them (and the header size and ABI version)
 * before parsing, or to take the rest as a bare ELF, as a bundle entry
 * without a header is.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/svcimage.h>

#include "elf_load.h"

#define F_FIX_HEADER 0x01
#define F_BARE_ELF   0x02
#define FRAME_MAX    (1ul << 20) /* larger frames are not copied, only checked */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_header(uint8_t *img, size_t size)
{
	if (size < KEEL_SVCIMG_HDR_SIZE)
		return;
	memcpy(img, KEEL_SVCIMG_MAGIC, 8);
	put32(img + 8, KEEL_SVCIMG_HDR_SIZE);
	put32(img + 12, KEEL_SVC_ABI_VERSION);
	put32(img + 20, (uint32_t)(size - KEEL_SVCIMG_HDR_SIZE));
	put32(img + 24, keel_crc32(0, img + KEEL_SVCIMG_HDR_SIZE, size - KEEL_SVCIMG_HDR_SIZE));
	put32(img + 84, keel_crc32(0, img, KEEL_SVCIMG_HDR_SIZE - 4));
}

static void load(const uint8_t *elf, size_t size)
{
	const Elf64_Ehdr *eh;
	if (elf_check(elf, size, &eh))
		return;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = elf_phdr(eh, i);
		struct elf_span span;
		if (!elf_loads(ph) || elf_segment(ph, size, &span) || span.size > FRAME_MAX)
			continue;
		uint8_t *frame = malloc(span.size);
		if (!frame)
			return;
		memcpy(frame + span.offset, elf + ph->p_offset, ph->p_filesz);
		free(frame);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keel_svcimg img;
	char why[160];
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	size--;
	/* An exact copy, aligned as vmm's malloc'd request payload is. */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size);
	if (flags & F_BARE_ELF) {
		load(buf, size);
	} else {
		if (flags & F_FIX_HEADER)
			fix_header(buf, size);
		if (keel_svcimg_parse(buf, size, &img, why, sizeof(why)) == 0)
			load(img.elf, img.elf_size);
	}
	free(buf);
	return 0;
}
