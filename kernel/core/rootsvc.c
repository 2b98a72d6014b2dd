/* SPDX-License-Identifier: MIT */
/*
 * Start of the root service. The kernel loads exactly one program, "vmm"
 * from the boot bundle, into a partition built from the largest free RAM
 * range, and gives it the initial capabilities of keel_abi.h
 * (KEEL_ROOT_SLOT_*). Everything else, vmm starts itself.
 */
#include <arch/pgtable.h>
#include <bsp.h>
#include <keel/elf.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/irq.h>
#include <keel/kernel.h>
#include <keel/log.h>
#include <keel/partition.h>
#include <keel/syscall.h>
#include <keel/untyped.h>
#include <keel_bundle.h>
#include <string.h>

#define ROOT_HEAP_SIZE (8ull << 20)
#define ROOT_PRIO      20
#define ELF_MAX_PHDRS  16
#define ELF_VA_LIMIT   KEEL_ROOT_BUNDLE_VA
#define AT_NULL        0
#define AT_PHDR        3
#define AT_PHENT       4
#define AT_PHNUM       5
#define AT_PAGESZ      6
#define AT_ENTRY       9
#define AT_RANDOM      25

extern const uint8_t keel_bundle_start[], keel_bundle_end[];
extern char _start[], _end[];

static struct untyped root_untyped;
static struct frame bundle_frame, uart_frame;

struct range {
	uint64_t lo, hi;
};

/* Cut [hole.lo, hole.hi) out of the pieces in place; returns the new count. */
static unsigned cut_hole(struct range *pieces, unsigned n, unsigned max, struct range hole)
{
	for (unsigned i = 0; i < n; i++) {
		struct range r = pieces[i];
		if (hole.hi <= r.lo || hole.lo >= r.hi)
			continue;
		pieces[i] = (struct range){r.lo, hole.lo > r.lo ? hole.lo : r.lo};
		if (hole.hi < r.hi && n < max)
			pieces[n++] = (struct range){hole.hi, r.hi};
	}
	return n;
}

/* The largest piece of RAM that holds neither the kernel nor the device tree. */
static void pick_free_ram(const struct bootinfo *bi, uint64_t dtb, uint64_t dtb_size,
                          uint64_t *base, uint64_t *size)
{
	struct range pieces[3 * BOOTINFO_MAX_RAM];
	unsigned n = 0;
	const unsigned max = sizeof(pieces) / sizeof(pieces[0]);

	for (unsigned r = 0; r < bi->ram_count && n < max; r++)
		pieces[n++] = (struct range){pt_page_up(bi->ram[r].base),
		                             pt_page_down(bi->ram[r].base + bi->ram[r].size)};
	n = cut_hole(pieces, n, max,
	             (struct range){(uintptr_t)_start, pt_page_up((uintptr_t)_end)});
	if (dtb_size)
		n = cut_hole(pieces, n, max,
		             (struct range){pt_page_down(dtb), pt_page_up(dtb + dtb_size)});
	*base = *size = 0;
	for (unsigned i = 0; i < n; i++) {
		if (pieces[i].hi > pieces[i].lo && pieces[i].hi - pieces[i].lo > *size) {
			*base = pieces[i].lo;
			*size = pieces[i].hi - pieces[i].lo;
		}
	}
}

static int check_elf(const uint8_t *img, uint64_t size, const struct elf64_ehdr **out)
{
	const struct elf64_ehdr *eh = (const struct elf64_ehdr *)img;
	uint32_t magic;

	if (size < sizeof(*eh))
		return -KEEL_EINVAL;
	memcpy(&magic, eh->e_ident, 4);
	if (magic != ELF_MAGIC || eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_type != ET_EXEC || eh->e_machine != EM_AARCH64 ||
	    eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum > ELF_MAX_PHDRS ||
	    eh->e_phoff > size || eh->e_phnum * sizeof(struct elf64_phdr) > size - eh->e_phoff)
		return -KEEL_EINVAL;
	*out = eh;
	return 0;
}

static int load_segment(struct partition *p, const uint8_t *img, uint64_t size,
                        const struct elf64_phdr *ph)
{
	if (ph->p_filesz > ph->p_memsz || ph->p_offset > size ||
	    ph->p_filesz > size - ph->p_offset || ph->p_vaddr < PT_PAGE_SIZE ||
	    ph->p_memsz > ELF_VA_LIMIT || ph->p_vaddr > ELF_VA_LIMIT - ph->p_memsz)
		return -KEEL_EINVAL;
	uint64_t start = pt_page_down(ph->p_vaddr), end = pt_page_up(ph->p_vaddr + ph->p_memsz);
	uint64_t mem = untyped_alloc(&root_untyped, end - start, PT_PAGE_SIZE);
	if (!mem)
		return -KEEL_ENOMEM;
	memcpy((void *)(uintptr_t)(mem + ph->p_vaddr - start), img + ph->p_offset, ph->p_filesz);
	unsigned attrs = PT_READ | ((ph->p_flags & PF_W) ? PT_WRITE : 0) |
	                 ((ph->p_flags & PF_X) ? PT_EXEC : 0);
	return pt_map(&p->s2, start, mem, end - start, attrs, PT_MAP_STRICT);
}

static int load_elf(struct partition *p, const uint8_t *img, uint64_t size, uint64_t *entry,
                    uint64_t *phdr_va)
{
	const struct elf64_ehdr *eh;
	int err = check_elf(img, size, &eh);
	if (err)
		return err;
	*phdr_va = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph = (const struct elf64_phdr *)(img + eh->e_phoff) + i;
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_offset == 0)
			*phdr_va = ph->p_vaddr + eh->e_phoff;
		err = load_segment(p, img, size, ph);
		if (err)
			return err;
	}
	*entry = eh->e_entry;
	return 0;
}

/* musl's _start reads argc, argv, envp and the aux vector from the stack. */
static uint64_t build_stack(uint64_t mem, const struct elf64_ehdr *eh, uint64_t phdr_va)
{
	uint64_t top_va = KEEL_SERVICE_STACK_TOP;
	uint8_t *top = (uint8_t *)(uintptr_t)(mem + KEEL_SERVICE_STACK_SIZE);
	const char name[] = "vmm";
	uint64_t name_va = top_va - 16, random_va = top_va - 32;
	memcpy(top - 16, name, sizeof(name));
	uint64_t seed = arch_counter() * 0x9e3779b97f4a7c15ull;
	memcpy(top - 32, &seed, sizeof(seed));
	memcpy(top - 24, &seed, sizeof(seed));

	const uint64_t words[] = {1,         name_va,
	                          0,         0,
	                          AT_PAGESZ, PT_PAGE_SIZE,
	                          AT_RANDOM, random_va,
	                          AT_PHDR,   phdr_va,
	                          AT_PHNUM,  phdr_va ? eh->e_phnum : 0,
	                          AT_PHENT,  sizeof(struct elf64_phdr),
	                          AT_ENTRY,  eh->e_entry,
	                          AT_NULL,   0};
	uint64_t sp = (top_va - 64 - sizeof(words)) & ~15ull;
	memcpy(top - (top_va - sp), words, sizeof(words));
	return sp;
}

static int map_new_memory(struct partition *p, uint64_t va, uint64_t size, uint64_t *mem)
{
	*mem = untyped_alloc(&root_untyped, size, PT_PAGE_SIZE);
	if (!*mem)
		return -KEEL_ENOMEM;
	return pt_map(&p->s2, va, *mem, size, PT_READ | PT_WRITE, PT_MAP_STRICT);
}

static void give_initial_caps(struct partition *p, struct thread *t)
{
	struct cspace *cs = &p->cspace;
	cap_install(cs, KEEL_ROOT_SLOT_SELF, KEEL_OBJ_PARTITION, p, KEEL_R_ALL, 0);
	cap_install(cs, KEEL_ROOT_SLOT_THREAD, KEEL_OBJ_THREAD, t, KEEL_R_ALL, 0);
	cap_install(cs, KEEL_ROOT_SLOT_UNTYPED, KEEL_OBJ_UNTYPED, &root_untyped, KEEL_R_ALL, 0);
	cap_install(cs, KEEL_ROOT_SLOT_BUNDLE, KEEL_OBJ_FRAME, &bundle_frame,
	            KEEL_R_READ | KEEL_R_GRANT, 0);
	cap_install(cs, KEEL_ROOT_SLOT_IRQ_CTL, KEEL_OBJ_IRQ_CONTROL, &irq_control_object,
	            KEEL_R_ALL, 0);
	cap_install(cs, KEEL_ROOT_SLOT_UART, KEEL_OBJ_FRAME, &uart_frame,
	            KEEL_R_READ | KEEL_R_WRITE | KEEL_R_GRANT, 0);
	cap_install(cs, KEEL_ROOT_SLOT_SYSINFO, KEEL_OBJ_SYSINFO, &sysinfo_object,
	            KEEL_R_READ | KEEL_R_GRANT, 0);
}

static int build_root(const uint8_t *img, uint64_t size)
{
	struct partition *p = (struct partition *)(uintptr_t)untyped_alloc(
	        &root_untyped, sizeof(*p), PT_PAGE_SIZE);
	struct thread *t = (struct thread *)(uintptr_t)untyped_alloc(&root_untyped, sizeof(*t), 64);
	if (!p || !t)
		return -KEEL_ENOMEM;
	int err = partition_init(p, kobj_next_id());
	if (err)
		return err;
	partition_set_name(p, "vmm");
	thread_init(t, kobj_next_id());

	uint64_t entry, phdr_va, stack, heap;
	err = load_elf(p, img, size, &entry, &phdr_va);
	if (!err)
		err = map_new_memory(p, KEEL_SERVICE_STACK_TOP - KEEL_SERVICE_STACK_SIZE,
		                     KEEL_SERVICE_STACK_SIZE, &stack);
	if (!err)
		err = map_new_memory(p, KEEL_SERVICE_HEAP_BASE, ROOT_HEAP_SIZE, &heap);
	if (!err)
		err = frame_map(&bundle_frame, p, KEEL_ROOT_BUNDLE_VA, KEEL_R_READ);
	if (err)
		return err;
	p->heap_base = p->brk = KEEL_SERVICE_HEAP_BASE;
	p->heap_size = ROOT_HEAP_SIZE;
	p->mmap_top = KEEL_SERVICE_HEAP_BASE + ROOT_HEAP_SIZE;

	t->partition = p;
	list_push_back(&p->threads, &t->partition_node);
	t->prio = ROOT_PRIO;
	const struct elf64_ehdr *eh = (const struct elf64_ehdr *)img;
	regs_init_user(&t->regs, entry, build_stack(stack, eh, phdr_va), 0);
	give_initial_caps(p, t);
	thread_wake(t);
	return 0;
}

int root_service_start(uint64_t dtb, uint64_t dtb_size, const struct bootinfo *bi)
{
	/* Linker symbols: compare them as addresses, not as C objects. */
	uint64_t bundle_size = (uintptr_t)keel_bundle_end - (uintptr_t)keel_bundle_start;
	const struct keel_bundle_entry *vmm =
	        keel_bundle_find(keel_bundle_start, bundle_size, "vmm");
	if (!vmm) {
		log_err("root", "no vmm in the boot bundle");
		return -KEEL_ENOENT;
	}
	uint64_t base, size;
	pick_free_ram(bi, dtb, dtb_size, &base, &size);
	untyped_init(&root_untyped, kobj_next_id(), base, size);
	frame_init(&bundle_frame, kobj_next_id(), pt_page_down((uintptr_t)keel_bundle_start),
	           pt_page_up((uintptr_t)keel_bundle_end) -
	                   pt_page_down((uintptr_t)keel_bundle_start),
	           false);
	frame_init(&uart_frame, kobj_next_id(), pt_page_down(board.uart_base), PT_PAGE_SIZE, true);

	int err = build_root(keel_bundle_start + vmm->offset, vmm->size);
	if (err) {
		log_err("root", "cannot start vmm: %s", keel_strerror(err));
		return err;
	}
	log_info("root", "vmm started: %llu MiB of RAM at 0x%llx handed over (%llu MiB left)",
	         (unsigned long long)(size >> 20), (unsigned long long)base,
	         (unsigned long long)(untyped_free_bytes(&root_untyped) >> 20));
	return 0;
}
