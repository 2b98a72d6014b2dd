/* SPDX-License-Identifier: MIT */
/*
 * The world every input of fuzz_syscall starts from, built the way vmm
 * builds a system: with system calls of the supervisor (sup, outside the
 * arena), from the arena it holds as untyped memory.
 *
 *   partition A  threads TA1 (CPU 0), TA2 (CPU 1); a 1 MiB untyped; IRQ
 *                control, system info, the UART frame; the endpoint E and
 *                notification N; capabilities to B, the VM, TB, TA2, the vCPU
 *   partition B  thread TB (CPU 1); a 256 KiB untyped; E and N minted with
 *                badges; its own thread
 *   VM           one vCPU (not started); faults and exits of all three go
 *                to E, with badges
 *
 * Each partition has a page of strings mapped at SF_SCRATCH_IPA and a heap
 * for its Linux calls. All service threads run at priority 3 beside the
 * supervisor (CPU 0); an idle thread of priority 0 on each CPU keeps
 * kernel_pick_next from waiting. Between inputs the supervisor resets the
 * arena, which must leave nothing behind, so no input sees another's state.
 */
#include "sysfuzz.h"

#include <fake_arch.h>
#include <keel/bootinfo.h>
#include <keel/cap.h>
#include <keel/devmem.h>
#include <keel/frame.h>
#include <keel/irq.h>
#include <keel/kernel.h>
#include <keel/sched.h>
#include <keel/smp.h>
#include <keel/syscall.h>
#include <libfdt.h>
#include <sanitizer/asan_interface.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sysfuzz sf;

static struct partition sup_part __attribute__((aligned(4096)));
static struct thread sup_thread, idle_threads[SF_CPUS];
static struct frame uart_frame = {.id = 99, .device = true, .phys = 0x9000000, .size = SF_PAGE};
static uint8_t host_tree[2048];

/* Supervisor slots. */
enum {
	SUP_ARENA = 1,
	SUP_IRQCTL,
	SUP_SYSINFO,
	SUP_UART,
	SUP_A,
	SUP_B,
	SUP_VM,
	SUP_TA1,
	SUP_TA2,
	SUP_TB,
	SUP_V0,
	SUP_EP,
	SUP_NTFN,
	SUP_FS, /* the supervisor's own page of strings */
	SUP_FA,
	SUP_FB,
	SUP_FV,
};

/* smp_cpu_online: the fake arch's two CPUs (SF_CPUS). */
_Static_assert(SF_CPUS == 2, "fake_arch.c puts two CPUs online");

static _Noreturn void world_fail(const char *what, long err)
{
	fprintf(stderr, "sysfuzz: building the world: %s failed: %ld\n", what, err);
	abort();
}

static long sup_call(uint64_t no, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                     uint64_t a5)
{
	const uint64_t a[] = {a0, a1, a2, a3, a4, a5};
	for (unsigned i = 0; i < 6; i++)
		sf.sup->regs.x[i] = a[i];
	sf.sup->regs.x[8] = no;
	syscall_keel(sf.sup);
	return (long)sf.sup->regs.x[0];
}

#define MUST(what, expr)                                                                           \
	do {                                                                                       \
		long e_ = (expr);                                                                  \
		if (e_)                                                                            \
			world_fail(what, e_);                                                      \
	} while (0)

/* --- AddressSanitizer view of untyped memory ------------------------------ */

void sysfuzz_unpoison_free(const struct untyped *u)
{
	ASAN_UNPOISON_MEMORY_REGION((void *)(uintptr_t)u->watermark,
	                            u->base + u->size - u->watermark);
}

void sysfuzz_poison_free(const struct untyped *u)
{
	ASAN_POISON_MEMORY_REGION((void *)(uintptr_t)u->watermark,
	                          u->base + u->size - u->watermark);
}

void sysfuzz_poison_all(const struct untyped *u)
{
	ASAN_POISON_MEMORY_REGION((void *)(uintptr_t)u->base, u->size);
}

/* --- once per process ------------------------------------------------------ */

static void add_dev(int parent, const char *name, uint64_t base, uint64_t size)
{
	int n = fdt_add_subnode(host_tree, parent, name);
	fdt64_t reg[2] = {cpu_to_fdt64(base), cpu_to_fdt64(size)};
	if (n < 0 || fdt_setprop(host_tree, n, "reg", reg, sizeof(reg)))
		world_fail("host tree", n);
}

/* DEVICE_FRAME's view of the machine: a UART, virtio-mmio slots, a device
 * on a bus with ranges; the arena is RAM, never a device. */
static void host_init(void)
{
	if (fdt_create_empty_tree(host_tree, sizeof(host_tree)) ||
	    fdt_setprop_u32(host_tree, 0, "#address-cells", 2) ||
	    fdt_setprop_u32(host_tree, 0, "#size-cells", 2))
		world_fail("host tree", -1);
	add_dev(0, "pl011@9040000", SF_DEV_UART, SF_PAGE);
	add_dev(0, "virtio_mmio@a003e00", SF_DEV_VIRTQ + 0xe00, 0x200);
	add_dev(0, "virtio_mmio@a003c00", SF_DEV_VIRTQ + 0xc00, 0x200);
	int bus = fdt_add_subnode(host_tree, 0, "bus");
	fdt32_t r[4] = {cpu_to_fdt32(0), 0, cpu_to_fdt32(0x10000000), cpu_to_fdt32(0x100000)};
	if (bus < 0 || fdt_setprop_u32(host_tree, bus, "#address-cells", 1) ||
	    fdt_setprop_u32(host_tree, bus, "#size-cells", 1) ||
	    fdt_setprop(host_tree, bus, "ranges", r, sizeof(r)))
		world_fail("host tree bus", bus);
	int dev = fdt_add_subnode(host_tree, bus, "dev@1000");
	fdt32_t reg[2] = {cpu_to_fdt32(0x1000), cpu_to_fdt32(0x1000)};
	if (dev < 0 || fdt_setprop(host_tree, dev, "reg", reg, sizeof(reg)))
		world_fail("host tree dev", dev);
	struct bootinfo bi = {.ram = {{(uintptr_t)sf.arena_mem, SF_ARENA_SIZE}}, .ram_count = 1};
	devmem_init(host_tree, &bi);
	devmem_forbid(0x09000000, SF_PAGE); /* the kernel's UART */
}

void sysfuzz_init(void)
{
	sf.arena_mem = aligned_alloc(2u << 20, SF_ARENA_SIZE);
	if (!sf.arena_mem)
		world_fail("arena", -1);
	untyped_init(&sf.arena, 1000, (uintptr_t)sf.arena_mem, SF_ARENA_SIZE);
	sysfuzz_poison_all(&sf.arena);
	sf.sup_part = &sup_part;
	sf.sup = &sup_thread;
	MUST("supervisor partition", partition_init(&sup_part, 1));
	partition_set_name(&sup_part, "sup");
	host_init();
}

/* --- per input ------------------------------------------------------------- */

static void join(struct thread *t, uint32_t id, unsigned cpu, unsigned prio)
{
	thread_init(t, id);
	t->partition = &sup_part;
	t->cpu = (uint16_t)cpu;
	t->prio = (uint8_t)prio;
	list_push_back(&sup_part.threads, &t->partition_node);
}

/* Interrupt lines stay claimed after a reset (docs/architecture.md): a
 * fresh system has none. */
static void fresh_kernel(void)
{
	fake_arch_reset();
	kernel_sched_init();
	for (unsigned i = IRQ_FIRST_SPI; i < IRQ_MAX; i++)
		*irq_handler_at(i) = (struct irq_handler){0};
	list_init(&sup_part.threads);
	sup_part.line_len = 0;
	/* What the last input mapped into the supervisor from outside the
	 * arena (the UART), and the table pages its mappings took. */
	sup_part.pool = (struct pt_pool){sup_part.table_pages, PARTITION_TABLE_PAGES, 0};
	MUST("supervisor stage 2", pt_init(&sup_part.s2, PT_FMT_S2, PARTITION_IPA_BITS,
	                                   (struct pt_allocator){pt_pool_alloc, &sup_part.pool}));
	join(sf.sup, 2, 0, 3);
	for (unsigned c = 0; c < SF_CPUS; c++) {
		sf.idle[c] = &idle_threads[c];
		join(sf.idle[c], 3 + c, c, 0);
	}
	MUST("arena cap",
	     cap_install(&sup_part.cspace, SUP_ARENA, KEEL_OBJ_UNTYPED, &sf.arena, KEEL_R_ALL, 0));
	MUST("irq cap", cap_install(&sup_part.cspace, SUP_IRQCTL, KEEL_OBJ_IRQ_CONTROL,
	                            &irq_control_object, KEEL_R_ALL, 0));
	MUST("sysinfo cap", cap_install(&sup_part.cspace, SUP_SYSINFO, KEEL_OBJ_SYSINFO,
	                                &sysinfo_object, KEEL_R_READ | KEEL_R_GRANT, 0));
	MUST("uart cap", cap_install(&sup_part.cspace, SUP_UART, KEEL_OBJ_FRAME, &uart_frame,
	                             KEEL_R_READ | KEEL_R_WRITE | KEEL_R_GRANT, 0));
}

/* The arena's free part is accessible while the world is built (see
 * make_objects). */
static long retype(unsigned type, uint64_t size, unsigned part, unsigned slot)
{
	return sup_call(KEEL_SYS_RETYPE, SUP_ARENA, type, size, part, slot, 0);
}

static const struct untyped *pool_of(unsigned part)
{
	const struct partition *p = sup_part.cspace.slots[part].obj;
	return p->cspace.slots[1].obj;
}

static void make_objects(void)
{
	static const struct {
		unsigned type, slot;
	} objs[] = {
	        {KEEL_OBJ_PARTITION, SUP_A},
	        {KEEL_OBJ_PARTITION, SUP_B},
	        {KEEL_OBJ_VM, SUP_VM},
	        {KEEL_OBJ_THREAD, SUP_TA1},
	        {KEEL_OBJ_THREAD, SUP_TA2},
	        {KEEL_OBJ_THREAD, SUP_TB},
	        {KEEL_OBJ_VCPU, SUP_V0},
	        {KEEL_OBJ_ENDPOINT, SUP_EP},
	        {KEEL_OBJ_NOTIFICATION, SUP_NTFN},
	};
	sysfuzz_unpoison_free(&sf.arena);
	for (unsigned i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		MUST("retype", retype(objs[i].type, 0, 0, objs[i].slot));
	for (unsigned s = SUP_FS; s <= SUP_FV; s++)
		MUST("frame", retype(KEEL_OBJ_FRAME, SF_PAGE, 0, s));
	MUST("pool A", retype(KEEL_OBJ_UNTYPED, 1u << 20, SUP_A, 1));
	MUST("pool B", retype(KEEL_OBJ_UNTYPED, 256u << 10, SUP_B, 1));
	sysfuzz_poison_free(&sf.arena);
	sysfuzz_poison_all(pool_of(SUP_A));
	sysfuzz_poison_all(pool_of(SUP_B));
}

/* What each partition holds: (supervisor slot, partition, its slot, rights, badge). */
static void hand_out(void)
{
	static const struct {
		unsigned src, dst, slot, rights;
		uint64_t badge;
	} caps[] = {
	        {SUP_IRQCTL, SUP_A, 2, KEEL_R_ALL, 0}, {SUP_SYSINFO, SUP_A, 3, KEEL_R_ALL, 0},
	        {SUP_UART, SUP_A, 4, KEEL_R_ALL, 0},   {SUP_EP, SUP_A, 5, KEEL_R_ALL, 0},
	        {SUP_NTFN, SUP_A, 6, KEEL_R_ALL, 0},   {SUP_B, SUP_A, 7, KEEL_R_ALL, 0},
	        {SUP_VM, SUP_A, 8, KEEL_R_ALL, 0},     {SUP_TB, SUP_A, 9, KEEL_R_ALL, 0},
	        {SUP_TA2, SUP_A, 10, KEEL_R_ALL, 0},   {SUP_V0, SUP_A, 11, KEEL_R_ALL, 0},
	        {SUP_FA, SUP_A, 12, KEEL_R_ALL, 0},    {SUP_TA1, SUP_A, 13, KEEL_R_ALL, 0},
	        {SUP_FV, SUP_A, 14, KEEL_R_ALL, 0},    {SUP_EP, SUP_B, 5, KEEL_R_ALL, 0x42},
	        {SUP_NTFN, SUP_B, 6, KEEL_R_ALL, 0x8}, {SUP_FB, SUP_B, 7, KEEL_R_ALL, 0},
	        {SUP_TB, SUP_B, 8, KEEL_R_ALL, 0},     {SUP_EP, SUP_B, 9, KEEL_R_WRITE, 0},
	};
	for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		bool mint = caps[i].badge != 0;
		MUST("cap", sup_call(mint ? KEEL_SYS_CAP_MINT : KEEL_SYS_CAP_COPY, caps[i].src,
		                     caps[i].dst, caps[i].slot, caps[i].rights, caps[i].badge, 0));
	}
}

static void map_scratch(unsigned frame, unsigned part, const char *name)
{
	MUST("map", sup_call(KEEL_SYS_FRAME_MAP, frame, part, SF_SCRATCH_IPA,
	                     KEEL_R_READ | KEEL_R_WRITE, 0, 0));
	const struct frame *f = sup_part.cspace.slots[frame].obj;
	char *page = (char *)(uintptr_t)f->phys;
	snprintf(page, SF_PAGE, "%s", name);
	memcpy(page + 64, "a service's message\n", 21);
}

static void configure(void)
{
	map_scratch(SUP_FS, 0, "sup");
	map_scratch(SUP_FA, SUP_A, "svc-a");
	map_scratch(SUP_FB, SUP_B, "svc-b");
	MUST("map vm", sup_call(KEEL_SYS_FRAME_MAP, SUP_FV, SUP_VM, 0x40000000, KEEL_R_ALL, 0, 0));
	static const struct {
		unsigned part;
		uint64_t badge;
	} parts[] = {{SUP_A, 0xa}, {SUP_B, 0xb}, {SUP_VM, 0xc}};
	for (unsigned i = 0; i < 3; i++) {
		MUST("config", sup_call(KEEL_SYS_PARTITION_CONFIG, parts[i].part, SF_SCRATCH_IPA,
		                        SUP_EP, parts[i].badge, 0, 0));
		MUST("heap", sup_call(KEEL_SYS_PARTITION_HEAP, parts[i].part, SF_HEAP_IPA, 1u << 20,
		                      0, 0, 0));
	}
	static const struct {
		unsigned thread, part, cpu;
	} threads[] = {
	        {SUP_TA1, SUP_A, 0}, {SUP_TA2, SUP_A, 1}, {SUP_TB, SUP_B, 1}, {SUP_V0, SUP_VM, 1}};
	for (unsigned i = 0; i < 4; i++) {
		MUST("thread", sup_call(KEEL_SYS_THREAD_CONFIG, threads[i].thread, threads[i].part,
		                        0x400000, 0x3f000000, i, 0));
		MUST("sched", sup_call(KEEL_SYS_THREAD_SCHED, threads[i].thread, 3, 0, 0,
		                       threads[i].cpu, 0));
		if (threads[i].thread != SUP_V0)
			MUST("start",
			     sup_call(KEEL_SYS_THREAD_START, threads[i].thread, 0, 0, 0, 0, 0));
	}
}

static void start_cpu(struct thread *t, void *ctx)
{
	(void)t;
	(void)ctx;
}

void sysfuzz_build(void)
{
	fresh_kernel();
	make_objects();
	hand_out();
	configure();
	thread_wake(sf.sup);
	for (unsigned c = 0; c < SF_CPUS; c++)
		thread_wake(&idle_threads[c]);
	for (unsigned c = 0; c < SF_CPUS; c++)
		sysfuzz_enter(c, start_cpu, NULL);
}

/* --- kernel entries ---------------------------------------------------------- */

void sysfuzz_enter(unsigned cpu, void (*act)(struct thread *t, void *ctx), void *ctx)
{
	fake_arch.cpu_id = cpu;
	if (sf.running[cpu])
		sf.running[cpu]->on_cpu = false; /* its registers are saved */
	sched_charge(this_sched(), arch_counter());
	act(this_sched()->current, ctx);
	struct thread *next = kernel_pick_next();
	next->on_cpu = true;
	sf.running[cpu] = next;
}

/* --- teardown ---------------------------------------------------------------- */

static _Noreturn void leak(const char *what)
{
	fprintf(stderr, "sysfuzz: the arena's reset left %s behind\n", what);
	abort();
}

void sysfuzz_teardown(void)
{
	/* Both CPUs enter the kernel: no thread is on a CPU any more. */
	for (unsigned c = 0; c < SF_CPUS; c++) {
		if (sf.running[c])
			sf.running[c]->on_cpu = false;
		sf.running[c] = NULL;
	}
	int err = untyped_reset(&sf.arena, sf.sup);
	if (err)
		world_fail("arena reset", err);
	sysfuzz_poison_all(&sf.arena);
	if (partition_first() != &sup_part || sup_part.next)
		leak("a partition");
	for (unsigned s = 1; s < KEEL_CSPACE_SLOTS; s++) {
		struct cap *c = &sup_part.cspace.slots[s];
		if (untyped_contains(&sf.arena, c->obj))
			leak("a capability");
		cap_delete(c);
	}
	for (struct list *l = sup_part.threads.next; l != &sup_part.threads; l = l->next)
		if (untyped_contains(&sf.arena, container_of(l, struct thread, partition_node)))
			leak("a thread");
	sysfuzz_check();
}
