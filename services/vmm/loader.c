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
 *   dma:NAME:KIB      the same, and "shm.NAME.phys" = its physical address
 *   mmio:PHYS:SIZE[:KEY]  a physical device's MMIO, mapped in the MMIO
 *                     window after the UART ("mmio.KEY" = address of PHYS,
 *                     "mmio.KEY.slot"; KEY defaults to PHYS in hex), svc_mmio.c
 *   vm:NAME[:RIGHTS[:KEY]]  the VM NAME of /vms ("vm.NAME" or "vm.KEY"),
 *                     rights w (inject interrupts) unless given
 * RIGHTS is a string of r (receive/wait), w (send/signal, inject) and
 * c (control: route MMIO of a VM). A service with a budget is also told
 * it: "budget-us", "period-us".
 *
 * The specs make a service's plan (struct plan) once; every instance, the
 * first and each successor of a live swap, is built from the plan, out of
 * a memory block of its own that its destruction resets.
 */
#include "elf_load.h"
#include "memory.h"
#include "vmm.h"

#include <elf.h>
#include <keel/service.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE      4096ul
#define MAX_NAMED 24

struct named_obj {
	char name[24];
	unsigned type;
	unsigned long slot;
	unsigned long size; /* frames */
};

static struct named_obj named[MAX_NAMED];
static uint64_t slot_used; /* bit N: vmm's slot N is handed out */
/* Where child_frame carves from: an instance's block while it is built. */
static unsigned long build_untyped = KEEL_ROOT_SLOT_UNTYPED;

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
	long err = keel_retype(build_untyped, KEEL_OBJ_FRAME, size, 0, VMM_SLOT_TEMP);
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
	unsigned long offset; /* of p_vaddr in the frame */
};

static long fill_segment(void *mem, void *ctx)
{
	const struct segment_fill *s = ctx;
	memcpy((uint8_t *)mem + s->offset, s->img + s->ph->p_offset, s->ph->p_filesz);
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
		const Elf64_Phdr *ph = elf_phdr(eh, i);
		struct elf_span span;
		if (!elf_loads(ph))
			continue;
		if (elf_segment(ph, size, &span))
			return -KEEL_EINVAL;
		if (ph->p_offset == 0)
			*phdr_va = ph->p_vaddr + eh->e_phoff;
		unsigned long rights = KEEL_R_READ | ((ph->p_flags & PF_W) ? KEEL_R_WRITE : 0) |
		                       ((ph->p_flags & PF_X) ? KEEL_R_EXEC : 0);
		struct segment_fill sf = {image, ph, span.offset};
		err = child_frame(part, span.start, span.size, rights, fill_segment, &sf);
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

unsigned long named_object_slot(const char *name, unsigned type, unsigned long size)
{
	struct named_obj *o = named_object(name, type, size);
	return o ? o->slot : 0;
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

void plan_add_arg(struct plan *p, const char *key, unsigned long value)
{
	if (p->argc == CHILD_MAX_ARGS)
		return;
	snprintf(p->argv[p->argc++], sizeof(p->argv[0]), "%s=%lu", key, value);
}

long plan_add_cap(struct plan *p, unsigned long src, unsigned long rights, unsigned long badge,
                  bool park, unsigned long *child_slot)
{
	if (p->ncaps == PLAN_CAPS || (!p->nfree && p->next_slot >= KEEL_CSPACE_SLOTS))
		return -KEEL_ENOMEM;
	unsigned long slot = p->nfree ? p->free_slot[--p->nfree] : p->next_slot++;
	struct plan_cap *c = &p->caps[p->ncaps++];
	*c = (struct plan_cap){slot, src, rights, badge, park};
	if (child_slot)
		*child_slot = c->child_slot;
	return 0;
}

long plan_add_map(struct plan *p, unsigned long frame, unsigned long va, unsigned long rights)
{
	if (p->nmaps == PLAN_MAPS)
		return -KEEL_ENOMEM;
	p->maps[p->nmaps++] = (struct plan_map){frame, va, rights};
	return 0;
}

unsigned long plan_map_shm(struct plan *p, unsigned long frame, unsigned long size)
{
	unsigned long va = SERVICE_SHM_VA + p->shm_used;
	if (plan_add_map(p, frame, va, KEEL_R_READ | KEEL_R_WRITE))
		return 0;
	p->shm_used += (size + 0xfffff) & ~0xffffful; /* 1 MiB apart */
	return va;
}

static long give(struct plan *p, unsigned long src, unsigned long rights, const char *key)
{
	unsigned long slot;
	long err = plan_add_cap(p, src, rights, 0, false, &slot);
	if (!err)
		plan_add_arg(p, key, slot);
	return err;
}

/* Interrupt intid bound to a new notification, or to the named one
 * `ntfn` ("irq:N:NAME") that other services can signal too. */
static long give_irq(struct plan *p, unsigned long intid, const char *ntfn)
{
	unsigned long h = slot_alloc(), n = 0;
	long err = keel_irq_claim(KEEL_ROOT_SLOT_IRQ_CTL, intid, h);
	if (!err && ntfn[0]) {
		n = named_object_slot(ntfn, KEEL_OBJ_NOTIFICATION, 0);
		err = n ? 0 : -KEEL_ENOMEM;
	} else if (!err) {
		n = slot_alloc();
		err = keel_retype(KEEL_ROOT_SLOT_UNTYPED, KEEL_OBJ_NOTIFICATION, 0, 0, n);
	}
	if (!err)
		err = keel_irq_bind(h, n);
	if (!err)
		err = give(p, h, KEEL_R_WRITE, "irq");
	if (!err)
		err = give(p, n, KEEL_R_READ | KEEL_R_WRITE, "irq_ntfn");
	return err;
}

/* Shared memory: the same frame mapped into every service that names it;
 * "dma:" also tells the service its physical address, for a driver that
 * hands it to a device. */
static long give_shm(struct plan *p, const char *name, unsigned long size, bool dma)
{
	char key[40];
	if (!size || size % PAGE)
		return -KEEL_EINVAL;
	struct named_obj *o = named_object(name, KEEL_OBJ_FRAME, size);
	if (!o)
		return -KEEL_ENOMEM;
	if (o->size != size)
		return -KEEL_EINVAL;
	unsigned long va = plan_map_shm(p, o->slot, size);
	if (!va)
		return -KEEL_ENOMEM;
	snprintf(key, sizeof(key), "shm.%s", name);
	plan_add_arg(p, key, va);
	snprintf(key, sizeof(key), "shm.%s.size", name);
	plan_add_arg(p, key, size);
	unsigned long phys, frame_size;
	if (dma && !keel_frame_info(o->slot, &phys, &frame_size)) {
		snprintf(key, sizeof(key), "shm.%s.phys", name);
		plan_add_arg(p, key, phys);
	}
	return 0;
}

/* A VM of /vms, built before the services (vm.c), e.g. for devemu to
 * inject its interrupts. Rights default to w (inject). */
static long give_vm(struct plan *p, const struct service_config *cfg, const char *name,
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
	return give(p, slot, rights[0] ? parse_rights(rights) : KEEL_R_WRITE, key);
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
	long err = plan_add_cap(&s->plan, src, rights, 0, false, child_slot);
	if (err)
		return err;
	err = keel_cap_copy(src, s->cur.partition_slot, *child_slot, rights);
	if (err)
		service_take_back(s, *child_slot);
	return err;
}

/* The copy itself goes with the object's memory (UNTYPED_RESET), before
 * the slot is handed out again. */
void service_take_back(struct service *s, unsigned long child_slot)
{
	struct plan *p = &s->plan;
	for (unsigned i = 0; i < p->ncaps; i++) {
		if (p->caps[i].child_slot == child_slot) {
			p->caps[i] = p->caps[--p->ncaps];
			if (p->nfree < sizeof(p->free_slot) / sizeof(p->free_slot[0]))
				p->free_slot[p->nfree++] = child_slot;
			return;
		}
	}
}

static long give_cap(struct service *s, const struct service_config *cfg, const char *spec)
{
	char kind[8] = "", name[24] = "", rights[8] = "", alias[24] = "";
	struct plan *p = &s->plan;

	sscanf(spec, "%7[^:]:%23[^:]:%7[^:]:%23s", kind, name, rights, alias);
	if (!strcmp(spec, "uart")) {
		long err = plan_add_map(p, KEEL_ROOT_SLOT_UART, SERVICE_MMIO_VA,
		                        KEEL_R_READ | KEEL_R_WRITE);
		return err ? err : give(p, KEEL_ROOT_SLOT_UART, KEEL_R_READ | KEEL_R_WRITE, "uart");
	}
	if (!strcmp(spec, "sysinfo"))
		return give(p, KEEL_ROOT_SLOT_SYSINFO, KEEL_R_READ, "sysinfo");
	if (!strcmp(kind, "irq"))
		return give_irq(p, strtoul(name, NULL, 0), rights);
	if (!strcmp(kind, "ep") || !strcmp(kind, "ntfn")) {
		unsigned type = kind[0] == 'e' ? KEEL_OBJ_ENDPOINT : KEEL_OBJ_NOTIFICATION;
		struct named_obj *o = named_object(name, type, 0);
		if (!o)
			return -KEEL_ENOMEM;
		char key[40];
		snprintf(key, sizeof(key), "%s.%s", kind, alias[0] ? alias : name);
		if (type == KEEL_OBJ_ENDPOINT && strchr(rights, 'r'))
			note_served(s, name);
		return give(p, o->slot, parse_rights(rights), key);
	}
	if (!strcmp(kind, "shm") || !strcmp(kind, "dma"))
		return give_shm(p, name, strtoul(rights, NULL, 0) * 1024, kind[0] == 'd');
	if (!strcmp(kind, "vm"))
		return give_vm(p, cfg, name, rights, alias);
	if (!strcmp(kind, "mmio"))
		return give_mmio(p, cfg, name, rights, alias);
	printf("config error in %s: unknown capability '%s'\n", cfg->node, spec);
	return -KEEL_EINVAL;
}

long service_plan(struct service *s, const struct service_config *cfg)
{
	struct plan *p = &s->plan;
	memset(p, 0, sizeof(*p));
	p->next_slot = CHILD_FIRST_SLOT;
	snprintf(p->argv[p->argc++], sizeof(p->argv[0]), "%s", cfg->name);
	snprintf(s->name, sizeof(s->name), "%s", cfg->name);
	s->cfg = cfg;
	s->cpu = cfg->cpu;
	s->prio = cfg->prio;
	for (int off = 0; off < cfg->caps_len; off += (int)strlen(cfg->caps + off) + 1) {
		long err = give_cap(s, cfg, cfg->caps + off);
		if (err)
			return err;
	}
	/* Its own budget, for a service that shares its time among clients
	 * (keel/fairshare.h). */
	if (cfg->budget_us) {
		plan_add_arg(p, "budget-us", cfg->budget_us);
		plan_add_arg(p, "period-us", cfg->period_us);
	}
	for (int off = 0; off < cfg->args_len && p->argc < CHILD_MAX_ARGS;
	     off += (int)strlen(cfg->args + off) + 1)
		snprintf(p->argv[p->argc++], sizeof(p->argv[0]), "%s", cfg->args + off);
	return 0;
}

/* ---- instances ----------------------------------------------------------- */

/* The plan's capabilities and mappings, into a new partition. */
static long replay(const struct service *s, unsigned long part, uint32_t gen)
{
	const struct plan *p = &s->plan;
	for (unsigned i = 0; i < p->ncaps; i++) {
		const struct plan_cap *c = &p->caps[i];
		unsigned long src = c->park ? s->park[gen % 2] : c->src;
		long err = c->badge ? keel_cap_mint(src, part, c->child_slot, c->rights, c->badge)
		                    : keel_cap_copy(src, part, c->child_slot, c->rights);
		if (err)
			return err;
	}
	for (unsigned i = 0; i < p->nmaps; i++) {
		long err = keel_frame_map(p->maps[i].frame, part, p->maps[i].va, p->maps[i].rights);
		if (err)
			return err;
	}
	return 0;
}

/* Bytes of untyped an instance needs: segments, heap, stack, and the
 * partition object (its table pages inside) with the thread; 0 when a
 * segment is unacceptable. */
static unsigned long instance_size(const Elf64_Ehdr *eh, size_t image_size, unsigned long heap)
{
	unsigned long size = heap + KEEL_SERVICE_STACK_SIZE + (512ul << 10);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = elf_phdr(eh, i);
		struct elf_span span;
		if (!elf_loads(ph))
			continue;
		if (elf_segment(ph, image_size, &span))
			return 0;
		size += span.size + PAGE;
	}
	return (size + 0xffff) & ~0xfffful;
}

struct instance_args {
	char *argv[CHILD_MAX_ARGS];
	char extra[7][40];
	int argc;
};

static long instance_argv(const struct service *s, uint32_t gen,
                          const struct instance_start_args *how, struct instance_args *a)
{
	const struct plan *p = &s->plan;
	int n = 0;
	a->argc = 0;
	for (int i = 0; i < p->argc && a->argc < CHILD_MAX_ARGS; i++)
		a->argv[a->argc++] = (char *)p->argv[i];
	if (!s->live)
		return 0;
	snprintf(a->extra[n++], sizeof(a->extra[0]), "lu.page=%lu", s->page_va);
	snprintf(a->extra[n++], sizeof(a->extra[0]), "lu.gen=%u", gen);
	for (unsigned i = 0; i < p->ncaps; i++)
		if (p->caps[i].park)
			snprintf(a->extra[n++], sizeof(a->extra[0]), "lu.park=%lu",
			         p->caps[i].child_slot);
	if (s->ckpt_va)
		snprintf(a->extra[n++], sizeof(a->extra[0]), "lu.ckpt=%lu", s->ckpt_va);
	if (how->role == ROLE_SUCCESSOR)
		snprintf(a->extra[n++], sizeof(a->extra[0]), "lu.successor=1");
	if (how->role == ROLE_RESTART) {
		snprintf(a->extra[n++], sizeof(a->extra[0]), "lu.restart=%u", how->restart);
		snprintf(a->extra[n++], sizeof(a->extra[0]), "lu.delay=%lu", how->delay_us);
	}
	/* Without them a successor would start as a first instance. */
	if (a->argc + n > CHILD_MAX_ARGS)
		return -KEEL_ENOMEM;
	for (int i = 0; i < n; i++)
		a->argv[a->argc++] = a->extra[i];
	return 0;
}

static long build(const struct service *s, const void *image, size_t size, uint32_t gen,
                  unsigned long badge, const struct instance_start_args *how, struct instance *in)
{
	const struct service_config *cfg = s->cfg;
	unsigned long entry, phdr_va, sp = 0, heap = cfg->heap_kib * 1024;
	unsigned phnum;
	struct instance_args a = {0};
	const char *name = s->name;

	in->partition_slot = slot_alloc();
	in->thread_slot = slot_alloc();
	if (!in->partition_slot || !in->thread_slot)
		return -KEEL_ENOMEM;
	long err = keel_retype(build_untyped, KEEL_OBJ_PARTITION, 0, 0, in->partition_slot);
	if (!err)
		err = keel_partition_config(in->partition_slot, name, VMM_SLOT_FAULT_EP, badge);
	if (!err)
		err = load_elf(in->partition_slot, image, size, &entry, &phdr_va, &phnum);
	if (!err)
		err = child_frame(in->partition_slot, KEEL_SERVICE_HEAP_BASE, heap,
		                  KEEL_R_READ | KEEL_R_WRITE, NULL, NULL);
	if (!err)
		err = keel_partition_heap(in->partition_slot, KEEL_SERVICE_HEAP_BASE, heap);
	if (!err)
		err = replay(s, in->partition_slot, gen);
	if (!err)
		err = instance_argv(s, gen, how, &a);
	if (!err) {
		struct stack_fill sf = {a.argc, a.argv, phdr_va, phnum, entry, &sp};
		err = child_frame(
		        in->partition_slot, KEEL_SERVICE_STACK_TOP - KEEL_SERVICE_STACK_SIZE,
		        KEEL_SERVICE_STACK_SIZE, KEEL_R_READ | KEEL_R_WRITE, fill_stack, &sf);
	}
	if (!err)
		err = keel_retype(build_untyped, KEEL_OBJ_THREAD, 0, 0, in->thread_slot);
	if (!err)
		err = keel_thread_config(in->thread_slot, in->partition_slot, entry, sp, 0);
	if (!err)
		err = keel_thread_sched(in->thread_slot, cfg->prio, cfg->budget_us, cfg->period_us,
		                        cfg->cpu);
	if (!err)
		err = keel_thread_start(in->thread_slot);
	return err;
}

long instance_start(struct service *s, const void *elf, size_t size, uint32_t gen,
                    unsigned long badge, const struct instance_start_args *how,
                    struct instance *out)
{
	const Elf64_Ehdr *eh;
	struct instance in = {0};
	long err = elf_check(elf, size, &eh);
	unsigned long need = err ? 0 : instance_size(eh, size, s->cfg->heap_kib * 1024);
	if (!need)
		return -KEEL_EINVAL;
	err = mem_get(need, &in.block);
	if (err)
		return err;
	in.gen = gen;
	build_untyped = in.block->slot;
	err = build(s, elf, size, gen, badge, how, &in);
	build_untyped = KEEL_ROOT_SLOT_UNTYPED;
	if (err) {
		instance_destroy(&in);
		return err;
	}
	*out = in;
	return 0;
}

long instance_destroy(struct instance *in)
{
	long err = in->block ? mem_put(in->block) : 0;
	if (err)
		return err;
	/* The reset deleted the capabilities in these slots. */
	slot_free(in->partition_slot);
	slot_free(in->thread_slot);
	memset(in, 0, sizeof(*in));
	return 0;
}
