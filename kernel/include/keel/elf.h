/* SPDX-License-Identifier: MIT */
/* The ELF64 structures the root service loader reads. */
#ifndef KEEL_ELF_H
#define KEEL_ELF_H

#include <stdint.h>

#define ELF_MAGIC   0x464c457fu
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define ET_EXEC     2
#define EM_AARCH64  183
#define PT_LOAD     1
#define PF_X        1
#define PF_W        2
#define PF_R        4

struct elf64_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

#endif
