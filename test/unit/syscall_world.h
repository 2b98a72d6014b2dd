/* SPDX-License-Identifier: MIT */
/*
 * The world test_untyped.c and test_device.c run the real system-call
 * decoder in: a supervisor that made vmm's partition, an arena of
 * untyped memory poisoned for AddressSanitizer until the kernel carves
 * it, and helpers that make the calls as a service would. Included once
 * per test program after the kernel headers (its definitions are static).
 */
#ifndef TEST_SYSCALL_WORLD_H
#define TEST_SYSCALL_WORLD_H

#define MIB        (1ull << 20)
#define PAGE       4096ull
#define ARENA_SIZE (64 * MIB)
#define POOL_SIZE  (48 * MIB)
#define VM_SIZE    (8 * MIB)

/* The supervisor's slots. */
#define SUP_ARENA  1
#define SUP_VMM    2
#define SUP_THREAD 3

/* vmm's slots; the tests use 8 and up. */
#define POOL    1
#define IRQ_CTL 2
#define VM_UT   3
#define SCRATCH 4 /* a page mapped at SCRATCH_IPA: strings for the kernel to read */
#define UART    5

#define SCRATCH_IPA 0x10000ull
#define RW          (KEEL_R_READ | KEEL_R_WRITE)

static struct partition sup_part __attribute__((aligned(4096)));
static struct thread sup;
static struct untyped arena;
static void *arena_mem;
static struct frame uart_frame = {.id = 99, .device = true, .phys = 0x9000000, .size = PAGE};

static struct partition *vmm_p;
static struct thread *vmm;
static char *scratch;

/* --- system calls -------------------------------------------------------- */

static long call(struct thread *t, uint64_t no, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                 uint64_t a4)
{
	const uint64_t args[] = {a0, a1, a2, a3, a4};
	for (unsigned i = 0; i < 5; i++)
		t->regs.x[i] = args[i];
	t->regs.x[8] = no;
	syscall_keel(t);
	return (long)t->regs.x[0];
}

static void poison(const struct untyped *u, bool on)
{
	if (on)
		ASAN_POISON_MEMORY_REGION((void *)(uintptr_t)u->base, u->size);
	else
		ASAN_UNPOISON_MEMORY_REGION((void *)(uintptr_t)u->base, u->size);
}

static struct untyped *untyped_in(const struct thread *t, unsigned slot)
{
	const struct cap *c = &t->partition->cspace.slots[slot];
	return c->type == KEEL_OBJ_UNTYPED ? c->obj : NULL;
}

static long retype(struct thread *t, unsigned ut, unsigned type, uint64_t size, unsigned part,
                   unsigned slot)
{
	const struct untyped *u = untyped_in(t, ut);
	if (u)
		poison(u, false); /* the kernel zeroes what it carves */
	return call(t, KEEL_SYS_RETYPE, ut, type, size, part, slot);
}

static long reset(struct thread *t, unsigned ut)
{
	const struct untyped *u = untyped_in(t, ut);
	long err = call(t, KEEL_SYS_UNTYPED_RESET, ut, 0, 0, 0, 0);
	if (!err)
		poison(u, true);
	return err;
}

static long info(struct thread *t, unsigned ut, uint64_t *base, uint64_t *size, uint64_t *avail)
{
	long err = call(t, KEEL_SYS_UNTYPED_INFO, ut, 0, 0, 0, 0);
	*base = t->regs.x[1];
	*size = t->regs.x[2];
	*avail = t->regs.x[3];
	return err;
}

static uint64_t free_bytes(struct thread *t, unsigned ut)
{
	uint64_t base, size, avail;
	assert_int_equal(info(t, ut, &base, &size, &avail), 0);
	return avail;
}

static void *obj(const struct thread *t, unsigned slot)
{
	return t->partition->cspace.slots[slot].obj;
}

static bool slot_empty(const struct partition *p, unsigned slot)
{
	return p->cspace.slots[slot].type == KEEL_OBJ_NONE;
}

/* An object of `type` from untyped `ut` into vmm's `slot`. */
static void *make(unsigned ut, unsigned type, unsigned slot)
{
	assert_int_equal(retype(vmm, ut, type, type == KEEL_OBJ_FRAME ? PAGE : 0, 0, slot), 0);
	return obj(vmm, slot);
}

static uint64_t frame_phys(unsigned slot)
{
	assert_int_equal(call(vmm, KEEL_SYS_FRAME_INFO, slot, 0, 0, 0, 0), 0);
	return vmm->regs.x[1];
}

static bool mapped(const struct partition *p, uint64_t ipa)
{
	return pt_lookup(&p->s2, ipa, NULL, NULL, NULL);
}

/* --- fixture ------------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	arena_mem = aligned_alloc(2 * MIB, ARENA_SIZE);
	assert_non_null(arena_mem);
	untyped_init(&arena, 1000, (uintptr_t)arena_mem, ARENA_SIZE);
	assert_int_equal(partition_init(&sup_part, 1), 0);
	thread_init(&sup, 2);
	sup.partition = &sup_part;
	list_push_back(&sup_part.threads, &sup.partition_node);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(arena_mem);
	return 0;
}

static void map_scratch(void)
{
	(void)make(POOL, KEEL_OBJ_FRAME, SCRATCH);
	assert_int_equal(call(vmm, KEEL_SYS_FRAME_MAP, SCRATCH, 0, SCRATCH_IPA, RW, 0), 0);
	scratch = (char *)(uintptr_t)frame_phys(SCRATCH);
	strcpy(scratch, "guest");
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	kernel_sched_init();
	assert_int_equal(
	        cap_install(&sup_part.cspace, SUP_ARENA, KEEL_OBJ_UNTYPED, &arena, KEEL_R_ALL, 0),
	        0);
	assert_int_equal(retype(&sup, SUP_ARENA, KEEL_OBJ_PARTITION, 0, 0, SUP_VMM), 0);
	assert_int_equal(retype(&sup, SUP_ARENA, KEEL_OBJ_THREAD, 0, 0, SUP_THREAD), 0);
	assert_int_equal(call(&sup, KEEL_SYS_THREAD_CONFIG, SUP_THREAD, SUP_VMM, 0x1000, 0x2000, 0),
	                 0);
	assert_int_equal(retype(&sup, SUP_ARENA, KEEL_OBJ_UNTYPED, POOL_SIZE, SUP_VMM, POOL), 0);
	vmm_p = obj(&sup, SUP_VMM);
	vmm = obj(&sup, SUP_THREAD);
	assert_int_equal(cap_install(&vmm_p->cspace, IRQ_CTL, KEEL_OBJ_IRQ_CONTROL,
	                             &irq_control_object, KEEL_R_ALL, 0),
	                 0);
	assert_int_equal(cap_install(&vmm_p->cspace, UART, KEEL_OBJ_FRAME, &uart_frame, RW, 0), 0);
	assert_int_equal(retype(vmm, POOL, KEEL_OBJ_UNTYPED, VM_SIZE, 0, VM_UT), 0);
	map_scratch();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(reset(&sup, SUP_ARENA), 0);
	assert_int_equal(arena.watermark, arena.base);
	for (unsigned s = 2; s < KEEL_CSPACE_SLOTS; s++)
		assert_true(slot_empty(&sup_part, s));
	assert_ptr_equal(partition_first(), &sup_part);
	assert_null(sup_part.next);
	cap_delete(&sup_part.cspace.slots[SUP_ARENA]);
	/* What the next test's setup does not carve again keeps stale
	 * objects: make them garbage, so that a pointer to one crashes. */
	poison(&arena, false);
	memset(arena_mem, 0xa5, ARENA_SIZE);
	return 0;
}

#endif
