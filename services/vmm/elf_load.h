/* SPDX-License-Identifier: MIT */
/*
 * What the service loader (loader.c) accepts of an ELF before it builds
 * anything from it: the header, and each PT_LOAD segment as the pages it
 * fills. Pure, so the host unit tests and the fuzzer run it as it is.
 */
#ifndef VMM_ELF_LOAD_H
#define VMM_ELF_LOAD_H

#include <elf.h>
#include <stddef.h>

#define ELF_PAGE     4096ul
#define ELF_VA_LIMIT 0x10000000ul /* a service's segments lie below 256 MiB */

/* The pages a segment occupies, and where its file bytes go in them. */
struct elf_span {
	unsigned long start, size; /* page-aligned */
	unsigned long offset;      /* of p_vaddr from start */
};

/* A static AArch64 executable whose program headers lie inside it, at an
 * offset aligned for Elf64_Phdr; `image` itself must be 8-byte aligned.
 * 0 and *out, or -KEEL_EINVAL. */
long elf_check(const void *image, size_t size, const Elf64_Ehdr **out);

/* Whether the loader maps segment ph: a PT_LOAD of at least one byte
 * (an empty one, which the ELF format allows, has no page to map). */
static inline int elf_loads(const Elf64_Phdr *ph)
{
	return ph->p_type == PT_LOAD && ph->p_memsz > 0;
}

/* A PT_LOAD segment of an image of `size` bytes: 0 and its span, or
 * -KEEL_EINVAL when it is empty, its file bytes are not in the image or
 * its pages are not in [ELF_PAGE, ELF_VA_LIMIT). */
long elf_segment(const Elf64_Phdr *ph, size_t size, struct elf_span *out);

/* Program header i of an image elf_check() accepted. */
const Elf64_Phdr *elf_phdr(const Elf64_Ehdr *eh, unsigned i);

#endif
