/* SPDX-License-Identifier: MIT */
/*
 * Building a service partition from its ELF, entirely with capabilities:
 * retype a partition, frames and a thread out of vmm's untyped memory, fill
 * each frame through a temporary mapping in vmm's own space, map it into
 * the child, give the child the capabilities of its config and start it.
 *
 * Capability specs ("caps" in the config), installed from slot 8 on, each
 * announced to the service as an argv entry "key=slot":
 *   ep:NAME:RIGHTS[:KEY]  endpoint shared by every service naming NAME
 *                     ("ep.NAME", or "ep.KEY" when given)
 *   ntfn:NAME:RIGHTS  notification, likewise ("ntfn.NAME")
 *   uart              the console UART frame, also mapped at SERVICE_MMIO_VA
 *   irq:N[:NTFN]      interrupt N bound to a new notification, or to the
 *                     named one NTFN (also "ntfn:NTFN:..."), ("irq", "irq_ntfn")
 *   sysinfo           read access to kernel state (ps, caps, log)
 *   shm:NAME:KIB      a frame shared by every service naming NAME, mapped
 *                     read-write at the next free SERVICE_SHM_VA slot
 *                     ("shm.NAME" = its address, "shm.NAME.size")
 *   vm:NAME[:RIGHTS[:KEY]]  the VM NAME of /vms ("vm.NAME" or "vm.KEY"),
 *                     rights w (inject interrupts) unless given
 * RIGHTS is a string of r (receive/wait), w (send/signal, inject) and
 * c (control: route MMIO of a VM).
 */
#include "vmm.h"

#include <elf.h>
#include <keel/service.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE         4096ul
#define ELF_VA_LIMIT 0x10000000ul
#define MAX_NAMED    16

struct named_obj {
	char name[24];
	unsigned type;
	unsigned long slot;
	unsigned long size; /* frames */
};

static struct named_obj named[MAX_NAMED];
static uint64_t slot_used; /* bit N: vmm's slot N is handed out */

unsigned long slot_alloc(void)
{
	for (unsigned long s = VMM_SLOT_FIRST_DYN; s < KEEL_CSPACE_SLOTS; s++) {
		if (!(slot_used & (1ull << s))) {
			slot_used |= 1ull << s;
			return s;
		}
	}
	return 0;
}

void slot_free(unsigned long slot)
{
	if (slot >= VMM_SLOT_FIRST_DYN && slot < KEEL_CSPACE_SLOTS)
		slot_used &= ~(1ull << slot);
}

static unsigned long page_down(unsigned long v)
{
	return v & ~(PAGE - 1);
}

static unsigned long page_up(unsigned long v)
{
	return page_down(v + PAGE - 1);
}

long frame_fill(unsigned long frame, unsigned long size, frame_fill_fn fill, void *ctx)
{
	if (size > VMM_SCRATCH_SIZE)
		return -KEEL_ERANGE;
	long err = keel_frame_map(frame, 0, VMM_SCRATCH_VA, KEEL_R_READ | KEEL_R_WRITE);
	if (err)
		return err;
	err = fill((void *)VMM_SCRATCH_VA, ctx);
	long unmap = keel_frame_unmap(frame, 0, VMM_SCRATCH_VA);
	return err ? err : unmap;
}

/* A new zeroed frame of `size`, filled by `fill` through vmm's scratch
 * mapping, then mapped into the child at `va`. The frame capability is
 * dropped afterwards: the child's mapping is all that is needed. */
long child_frame(unsigned long part, unsigned long va, unsigned long size, unsigned long rights,
                 frame_fill_fn fill, void *ctx)
{
	long err = keel_retype(KEEL_ROOT_SLOT_UNTYPED, KEEL_OBJ_FRAME, size, 0, VMM_SLOT_TEMP);
	if (err)
		return err;
	if (fill)
		err = frame_fill(VMM_SLOT_TEMP, size, fill, ctx);
	if (!err)
		err = keel_frame_map(VMM_SLOT_TEMP, part, va, rights);
	keel_cap_delete(VMM_SLOT_TEMP);
	return err;
}

struct segment_fill {
	const uint8_t *img;
	const Elf64_Phdr *ph;
};

static long fill_segment(void *mem, void *ctx)
{
	const struct segment_fill *s = ctx;
	memcpy((uint8_t *)mem + (s->ph->p_vaddr - page_down(s->ph->p_vaddr)),
	       s->img + s->ph->p_offset, s->ph->p_filesz);
	return 0;
}

long elf_check(const void *image, size_t size, const Elf64_Ehdr **out)
{
	const Elf64_Ehdr *eh = image;
	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_EXEC ||
	    eh->e_machine != EM_AARCH64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > size || eh->e_phnum > (size - eh->e_phoff) / sizeof(Elf64_Phdr))
		return -KEEL_EINVAL;
	*out = eh;
	return 0;
}

static long load_elf(unsigned long part, const void *image, size_t size, unsigned long *entry,
                     unsigned long *phdr_va, unsigned *phnum)
{
	const Elf64_Ehdr *eh;
	long err = elf_check(image, size, &eh);
	if (err)
		return err;
	*phdr_va = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph =
		        (const Elf64_Phdr *)((const uint8_t *)image + eh->e_phoff) + i;
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_filesz > ph->p_memsz || ph->p_offset > size ||
		    ph->p_filesz > size - ph->p_offset || ph->p_vaddr < PAGE ||
		    ph->p_vaddr + ph->p_memsz > ELF_VA_LIMIT)
			return -KEEL_EINVAL;
		if (ph->p_offset == 0)
			*phdr_va = ph->p_vaddr + eh->e_phoff;
		unsigned long rights = KEEL_R_READ | ((ph->p_flags & PF_W) ? KEEL_R_WRITE : 0) |
		                       ((ph->p_flags & PF_X) ? KEEL_R_EXEC : 0);
		struct segment_fill sf = {image, ph};
		unsigned long start = page_down(ph->p_vaddr);
		err = child_frame(part, start, page_up(ph->p_vaddr + ph->p_memsz) - start, rights,
		                  fill_segment, &sf);
		if (err)
			return err;
	}
	*entry = eh->e_entry;
	*phnum = *phdr_va ? eh->e_phnum : 0;
	return 0;
}

struct stack_fill {
	int argc;
	char *const *argv;
	unsigned long phdr_va, phnum, entry;
	unsigned long *sp;
};

/* argc, argv, envp and the aux vector musl's _start expects, strings above. */
static long fill_stack(void *mem, void *ctx)
{
	const struct stack_fill *s = ctx;
	uint8_t *top = (uint8_t *)mem + KEEL_SERVICE_STACK_SIZE;
	unsigned long top_va = KEEL_SERVICE_STACK_TOP, strings = top_va;
	unsigned long argv_va[CHILD_MAX_ARGS + 1];

	for (int i = 0; i < s->argc; i++) {
		size_t n = strlen(s->argv[i]) + 1;
		strings -= n;
		memcpy(top - (top_va - strings), s->argv[i], n);
		argv_va[i] = strings;
	}
	strings = (strings - 16) & ~15ul; /* AT_RANDOM: musl seeds its stack guard here */
	unsigned long seed[2] = {0, 0};
	keel_time(&seed[0], &seed[1]);
	seed[0] *= 0x9e3779b97f4a7c15ul;
	seed[1] = seed[0] ^ (seed[0] >> 29) ^ (unsigned long)s->entry;
	memcpy(top - (top_va - strings), seed, sizeof(seed));
	unsigned long words[CHILD_MAX_ARGS + 24], n = 0;
	words[n++] = (unsigned long)s->argc;
	for (int i = 0; i < s->argc; i++)
		words[n++] = argv_va[i];
	words[n++] = 0; /* argv end */
	words[n++] = 0; /* no environment */
	unsigned long aux[] = {AT_PAGESZ,  PAGE,     AT_RANDOM, strings,  AT_PHDR,
	                       s->phdr_va, AT_PHNUM, s->phnum,  AT_PHENT, sizeof(Elf64_Phdr),
	                       AT_ENTRY,   s->entry, AT_NULL,   0};
	memcpy(&words[n], aux, sizeof(aux));
	n += sizeof(aux) / sizeof(aux[0]);
	unsigned long sp = (strings - n * sizeof(unsigned long) - 16) & ~15ul;
	memcpy(top - (top_va - sp), words, n * sizeof(unsigned long));
	*s->sp = sp;
	return 0;
}

static struct named_obj *named_object(const char *name, unsigned type, unsigned long size)
{
	for (unsigned i = 0; i < MAX_NAMED; i++)
		if (named[i].type == type && !strcmp(named[i].name, name))
			return &named[i];
	for (unsigned i = 0; i < MAX_NAMED; i++) {
		if (named[i].type)
			continue;
		unsigned long slot = slot_alloc();
		if (!slot || keel_retype(KEEL_ROOT_SLOT_UNTYPED, type, size, 0, slot))
			return NULL;
		named[i].size = size;
		snprintf(named[i].name, sizeof(named[i].name), "%s", name);
		named[i].type = type;
		named[i].slot = slot;
		return &named[i];
	}
	return NULL;
}

static unsigned long parse_rights(const char *s)
{
	unsigned long r = 0;
	for (; s && *s; s++)
		r |= *s == 'r'   ? KEEL_R_READ
		     : *s == 'w' ? KEEL_R_WRITE
		     : *s == 'c' ? KEEL_R_CONTROL
		                 : 0;
	return r;
}

unsigned long named_endpoint_slot(const char *name)
{
	for (unsigned i = 0; i < MAX_NAMED; i++)
		if (named[i].type == KEEL_OBJ_ENDPOINT && !strcmp(named[i].name, name))
			return named[i].slot;
	return 0;
}

struct child {
	struct service *svc;
	unsigned long part;
	unsigned long shm_used;
	unsigned long next_slot;
	int argc;
	char *argv[CHILD_MAX_ARGS];
	char argbuf[CHILD_MAX_ARGS][64];
};

static void add_arg(struct child *c, const char *key, unsigned long value)
{
	if (c->argc == CHILD_MAX_ARGS)
		return;
	snprintf(c->argbuf[c->argc], sizeof(c->argbuf[0]), "%s=%lu", key, value);
	c->argv[c->argc] = c->argbuf[c->argc];
	c->argc++;
}

static long give(struct child *c, unsigned long src, unsigned long rights, const char *key)
{
	long err = keel_cap_copy(src, c->part, c->next_slot, rights);
	if (!err)
		add_arg(c, key, c->next_slot++);
	return err;
}

/* Interrupt intid bound to a new notification, or to the named one
 * `ntfn` ("irq:N:NAME") that other services can signal too. */
static long give_irq(struct child *c, unsigned long intid, const char *ntfn)
{
	unsigned long h = slot_alloc(), n = 0;
	long err = keel_irq_claim(KEEL_ROOT_SLOT_IRQ_CTL, intid, h);
	if (!err && ntfn[0]) {
		struct named_obj *o = named_object(ntfn, KEEL_OBJ_NOTIFICATION, 0);
		n = o ? o->slot : 0;
		err = o ? 0 : -KEEL_ENOMEM;
	} else if (!err) {
		n = slot_alloc();
		err = keel_retype(KEEL_ROOT_SLOT_UNTYPED, KEEL_OBJ_NOTIFICATION, 0, 0, n);
	}
	if (!err)
		err = keel_irq_bind(h, n);
	if (!err)
		err = give(c, h, KEEL_R_WRITE, "irq");
	if (!err)
		err = give(c, n, KEEL_R_READ | KEEL_R_WRITE, "irq_ntfn");
	return err;
}

/* Shared memory: the same frame mapped into every service that names it. */
static long give_shm(struct child *c, const char *name, unsigned long size)
{
	char key[40];
	if (!size || size % PAGE)
		return -KEEL_EINVAL;
	struct named_obj *o = named_object(name, KEEL_OBJ_FRAME, size);
	if (!o)
		return -KEEL_ENOMEM;
	if (o->size != size)
		return -KEEL_EINVAL;
	unsigned long va = SERVICE_SHM_VA + c->shm_used;
	long err = keel_frame_map(o->slot, c->part, va, KEEL_R_READ | KEEL_R_WRITE);
	if (err)
		return err;
	c->shm_used += (size + 0xfffff) & ~0xffffful; /* 1 MiB apart */
	snprintf(key, sizeof(key), "shm.%s", name);
	add_arg(c, key, va);
	snprintf(key, sizeof(key), "shm.%s.size", name);
	add_arg(c, key, size);
	return 0;
}

/* A VM of /vms, built before the services (vm.c), e.g. for devemu to
 * inject its interrupts. Rights default to w (inject). */
static long give_vm(struct child *c, const struct service_config *cfg, const char *name,
                    const char *rights, const char *alias)
{
	char key[40];
	unsigned long slot = vm_cap_slot(name);
	if (!slot) {
		printf("config error in %s: capability 'vm:%s': no such VM was built\n", cfg->node,
		       name);
		return -KEEL_ENOENT;
	}
	snprintf(key, sizeof(key), "vm.%s", alias[0] ? alias : name);
	return give(c, slot, rights[0] ? parse_rights(rights) : KEEL_R_WRITE, key);
}

/* Remembered so that vmm can find the service behind a VM's UART route. */
static void note_served(struct service *s, const char *ep)
{
	for (unsigned i = 0; i < SERVICE_MAX_SERVED; i++) {
		if (!s->served[i][0]) {
			snprintf(s->served[i], sizeof(s->served[i]), "%s", ep);
			return;
		}
	}
}

long service_give(struct service *s, unsigned long src, unsigned long rights,
                  unsigned long *child_slot)
{
	if (s->next_child_slot >= KEEL_CSPACE_SLOTS)
		return -KEEL_ENOMEM;
	long err = keel_cap_copy(src, s->partition_slot, s->next_child_slot, rights);
	if (!err)
		*child_slot = s->next_child_slot++;
	return err;
}

static long give_cap(struct child *c, const struct service_config *cfg, const char *spec)
{
	char kind[8] = "", name[24] = "", rights[8] = "", alias[24] = "";

	sscanf(spec, "%7[^:]:%23[^:]:%7[^:]:%23s", kind, name, rights, alias);
	if (!strcmp(spec, "uart")) {
		long err = keel_frame_map(KEEL_ROOT_SLOT_UART, c->part, SERVICE_MMIO_VA,
		                          KEEL_R_READ | KEEL_R_WRITE);
		return err ? err : give(c, KEEL_ROOT_SLOT_UART, KEEL_R_READ | KEEL_R_WRITE, "uart");
	}
	if (!strcmp(spec, "sysinfo"))
		return give(c, KEEL_ROOT_SLOT_SYSINFO, KEEL_R_READ, "sysinfo");
	if (!strcmp(kind, "irq"))
		return give_irq(c, strtoul(name, NULL, 0), rights);
	if (!strcmp(kind, "ep") || !strcmp(kind, "ntfn")) {
		unsigned type = kind[0] == 'e' ? KEEL_OBJ_ENDPOINT : KEEL_OBJ_NOTIFICATION;
		struct named_obj *o = named_object(name, type, 0);
		if (!o)
			return -KEEL_ENOMEM;
		char key[40];
		snprintf(key, sizeof(key), "%s.%s", kind, alias[0] ? alias : name);
		if (type == KEEL_OBJ_ENDPOINT && strchr(rights, 'r'))
			note_served(c->svc, name);
		return give(c, o->slot, parse_rights(rights), key);
	}
	if (!strcmp(kind, "shm"))
		return give_shm(c, name, strtoul(rights, NULL, 0) * 1024);
	if (!strcmp(kind, "vm"))
		return give_vm(c, cfg, name, rights, alias);
	printf("config error in %s: unknown capability '%s'\n", cfg->node, spec);
	return -KEEL_EINVAL;
}

static long give_caps(struct child *c, const struct service_config *cfg)
{
	for (int off = 0; off < cfg->caps_len; off += (int)strlen(cfg->caps + off) + 1) {
		long err = give_cap(c, cfg, cfg->caps + off);
		if (err)
			return err;
	}
	for (int off = 0; off < cfg->args_len && c->argc < CHILD_MAX_ARGS;
	     off += (int)strlen(cfg->args + off) + 1)
		c->argv[c->argc++] = (char *)(cfg->args + off);
	return 0;
}

static long start_thread(const struct service_config *cfg, struct child *c, unsigned long entry,
                         unsigned long sp, unsigned long *thread_slot)
{
	unsigned long t = slot_alloc();
	long err = t ? keel_retype(KEEL_ROOT_SLOT_UNTYPED, KEEL_OBJ_THREAD, 0, 0, t) : -KEEL_ENOMEM;
	if (!err)
		err = keel_thread_config(t, c->part, entry, sp, 0);
	if (!err)
		err = keel_thread_sched(t, cfg->prio, cfg->budget_us, cfg->period_us, cfg->cpu);
	if (!err)
		err = keel_thread_start(t);
	*thread_slot = t;
	return err;
}

long service_start(const struct service_config *cfg, const void *image, size_t size,
                   unsigned long badge, struct service *out)
{
	static struct child c;
	unsigned long entry, phdr_va, sp = 0;
	unsigned phnum;

	memset(&c, 0, sizeof(c));
	memset(out, 0, sizeof(*out));
	c.svc = out;
	c.part = slot_alloc();
	c.next_slot = CHILD_FIRST_SLOT;
	c.argv[c.argc++] = (char *)cfg->name;
	long err = c.part ? keel_retype(KEEL_ROOT_SLOT_UNTYPED, KEEL_OBJ_PARTITION, 0, 0, c.part)
	                  : -KEEL_ENOMEM;
	if (!err)
		err = keel_partition_config(c.part, cfg->name, VMM_SLOT_FAULT_EP, badge);
	if (!err)
		err = load_elf(c.part, image, size, &entry, &phdr_va, &phnum);
	if (!err)
		err = child_frame(c.part, KEEL_SERVICE_HEAP_BASE, cfg->heap_kib * 1024,
		                  KEEL_R_READ | KEEL_R_WRITE, NULL, NULL);
	if (!err)
		err = keel_partition_heap(c.part, KEEL_SERVICE_HEAP_BASE, cfg->heap_kib * 1024);
	if (!err)
		err = give_caps(&c, cfg);
	if (!err) {
		struct stack_fill sf = {c.argc, c.argv, phdr_va, phnum, entry, &sp};
		err = child_frame(c.part, KEEL_SERVICE_STACK_TOP - KEEL_SERVICE_STACK_SIZE,
		                  KEEL_SERVICE_STACK_SIZE, KEEL_R_READ | KEEL_R_WRITE, fill_stack,
		                  &sf);
	}
	if (!err)
		err = start_thread(cfg, &c, entry, sp, &out->thread_slot);
	snprintf(out->name, sizeof(out->name), "%s", cfg->name);
	out->partition_slot = c.part;
	out->next_child_slot = c.next_slot;
	out->cpu = cfg->cpu;
	out->prio = cfg->prio;
	return err;
}
