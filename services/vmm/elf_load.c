/* SPDX-License-Identifier: MIT */
/* The loader's checks of an ELF (elf_load.h). Pure code. */
#include "elf_load.h"

#include <keel_abi.h>
#include <stdint.h>
#include <string.h>

static unsigned long page_down(unsigned long v)
{
	return v & ~(ELF_PAGE - 1);
}

static unsigned long page_up(unsigned long v)
{
	return page_down(v + ELF_PAGE - 1);
}

long elf_check(const void *image, size_t size, const Elf64_Ehdr **out)
{
	const Elf64_Ehdr *eh = image;
	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_EXEC ||
	    eh->e_machine != EM_AARCH64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > size || eh->e_phoff % _Alignof(Elf64_Phdr) ||
	    eh->e_phnum > (size - eh->e_phoff) / sizeof(Elf64_Phdr))
		return -KEEL_EINVAL;
	*out = eh;
	return 0;
}

const Elf64_Phdr *elf_phdr(const Elf64_Ehdr *eh, unsigned i)
{
	return (const Elf64_Phdr *)((const uint8_t *)eh + eh->e_phoff) + i;
}

/* Every bound is compared by subtraction from a value known to be
 * larger: a sum of two fields can wrap and pass. */
long elf_segment(const Elf64_Phdr *ph, size_t size, struct elf_span *out)
{
	if (ph->p_memsz == 0 || ph->p_filesz > ph->p_memsz || ph->p_offset > size ||
	    ph->p_filesz > size - ph->p_offset || ph->p_vaddr < ELF_PAGE ||
	    ph->p_vaddr >= ELF_VA_LIMIT || ph->p_memsz > ELF_VA_LIMIT - ph->p_vaddr)
		return -KEEL_EINVAL;
	out->start = page_down(ph->p_vaddr);
	out->size = page_up(ph->p_vaddr + ph->p_memsz) - out->start;
	out->offset = ph->p_vaddr - out->start;
	return 0;
}
