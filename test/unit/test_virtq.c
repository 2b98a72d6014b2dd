/* SPDX-License-Identifier: MIT */
/* libs/virtio's split virtqueue: chains, the used ring, notification
 * suppression, and every malformed ring the device must refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "virtio/virtq.h"

#define BASE      0x40000000ull
#define RAM_SIZE  0x10000u
#define NUM       8
#define DESC_GPA  (BASE + 0x0000)
#define AVAIL_GPA (BASE + 0x1000)
#define USED_GPA  (BASE + 0x2000)
#define TABLE_GPA (BASE + 0x3000) /* indirect tables */
#define BUF_GPA   (BASE + 0x8000)

#define NEXT  VIRTQ_DESC_F_NEXT
#define WRITE VIRTQ_DESC_F_WRITE
#define INDIR VIRTQ_DESC_F_INDIRECT

static _Alignas(16) uint8_t ram[RAM_SIZE];
static struct guest_mem mem;
static struct virtq q;
static struct virtq_chain c;
static uint16_t avail_idx; /* the driver's copy */

static uint8_t *at(uint64_t gpa)
{
	return ram + (gpa - BASE);
}

/* A ready queue of `num` descriptors with empty rings; the driver's and the
 * device's indices both start at `start`. */
static void queue_at(uint16_t num, uint16_t start)
{
	memset(ram, 0, sizeof(ram));
	mem = (struct guest_mem){.host = ram, .gpa = BASE, .size = RAM_SIZE};
	virtq_reset(&q);
	q.num = num;
	q.desc = DESC_GPA;
	q.avail = AVAIL_GPA;
	q.used = USED_GPA;
	q.last_avail = q.used_idx = avail_idx = start;
	le16_store(at(AVAIL_GPA + 2), start);
	le16_store(at(USED_GPA + 2), start);
	q.ready = true;
}

static int setup(void **state)
{
	(void)state;
	queue_at(NUM, 0);
	return 0;
}

static void desc_at(uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
                    uint16_t next)
{
	uint8_t *d = at(table) + 16ull * i;
	le64_store(d, addr);
	le32_store(d + 8, len);
	le16_store(d + 12, flags);
	le16_store(d + 14, next);
}

static void desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	desc_at(DESC_GPA, i, addr, len, flags, next);
}

/* The driver makes chain `head` available. */
static void offer(uint16_t head)
{
	le16_store(at(AVAIL_GPA + 4 + 2ull * (avail_idx % q.num)), head);
	avail_idx++;
	le16_store(at(AVAIL_GPA + 2), avail_idx);
}

static uint16_t used_idx(void)
{
	return le16_load(at(USED_GPA + 2));
}

static uint16_t avail_event(void)
{
	return le16_load(at(USED_GPA + 4 + 8ull * q.num));
}

static void set_used_event(uint16_t v)
{
	le16_store(at(AVAIL_GPA + 4 + 2ull * q.num), v);
}

/* A malformed chain is refused and not taken. */
static void assert_refused(void)
{
	uint16_t before = q.last_avail;
	assert_int_equal(virtq_pop(&q, &mem, &c), -1);
	assert_int_equal(q.last_avail, before);
}

static void guest_ptr_stays_inside(void **state)
{
	(void)state;
	assert_ptr_equal(guest_ptr(&mem, BASE, RAM_SIZE), ram);
	assert_ptr_equal(guest_ptr(&mem, BASE + RAM_SIZE - 1, 1), ram + RAM_SIZE - 1);
	assert_ptr_equal(guest_ptr(&mem, BASE + RAM_SIZE, 0), ram + RAM_SIZE);
	assert_null(guest_ptr(&mem, BASE + RAM_SIZE, 1));
	assert_null(guest_ptr(&mem, BASE + RAM_SIZE - 1, 2));
	assert_null(guest_ptr(&mem, BASE - 1, 2));
	assert_null(guest_ptr(&mem, BASE + 16, UINT64_MAX));
	assert_null(guest_ptr(&mem, UINT64_MAX, 2));
	/* A window ending at the top of the address space. */
	struct guest_mem top = {.host = ram, .gpa = UINT64_MAX - RAM_SIZE + 1, .size = RAM_SIZE};
	assert_ptr_equal(guest_ptr(&top, UINT64_MAX, 1), ram + RAM_SIZE - 1);
	assert_null(guest_ptr(&top, UINT64_MAX, 2));
	assert_null(guest_ptr(&top, 0, 0));
	struct guest_mem none = {0};
	assert_null(guest_ptr(&none, 0, 0));
}

static void empty_or_not_ready_gives_nothing(void **state)
{
	(void)state;
	assert_int_equal(virtq_pop(&q, &mem, &c), 0);
	desc(0, BUF_GPA, 8, 0, 0);
	offer(0);
	q.ready = false;
	assert_int_equal(virtq_pop(&q, &mem, &c), 0);
	q.ready = true;
	assert_int_equal(virtq_pop(&q, &mem, &c), 1);
	assert_int_equal(virtq_pop(&q, &mem, &c), 0);
}

static void single_segment_chain(void **state)
{
	(void)state;
	memcpy(at(BUF_GPA), "hello", 5);
	desc(3, BUF_GPA, 5, 0, 0);
	offer(3);
	assert_int_equal(virtq_pop(&q, &mem, &c), 1);
	assert_int_equal(c.head, 3);
	assert_int_equal(c.nseg, 1);
	assert_int_equal(c.out_len, 5);
	assert_int_equal(c.in_len, 0);
	assert_ptr_equal(c.seg[0].p, at(BUF_GPA));
	assert_false(c.seg[0].write);
	assert_int_equal(q.last_avail, 1);

	assert_int_equal(virtq_push(&q, &mem, 3, 0), 0);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(le32_load(at(USED_GPA + 4)), 3);
	assert_int_equal(le32_load(at(USED_GPA + 8)), 0);
}

/* Two readable and two writable buffers; reads and writes cross them. */
static void multi_segment_chain(void **state)
{
	(void)state;
	memcpy(at(BUF_GPA), "abc", 3);
	memcpy(at(BUF_GPA + 0x100), "defg", 4);
	desc(0, BUF_GPA, 3, NEXT, 5);
	desc(5, BUF_GPA + 0x100, 4, NEXT, 2);
	desc(2, BUF_GPA + 0x200, 2, WRITE | NEXT, 7);
	desc(7, BUF_GPA + 0x300, 6, WRITE, 0);
	offer(0);
	assert_int_equal(virtq_pop(&q, &mem, &c), 1);
	assert_int_equal(c.nseg, 4);
	assert_int_equal(c.out_len, 7);
	assert_int_equal(c.in_len, 8);
	assert_true(c.seg[2].write && c.seg[3].write);

	char buf[16] = {0};
	assert_int_equal(virtq_chain_read(&c, 0, buf, sizeof(buf)), 7);
	assert_memory_equal(buf, "abcdefg", 7);
	assert_int_equal(virtq_chain_read(&c, 2, buf, 3), 3);
	assert_memory_equal(buf, "cde", 3);
	assert_int_equal(virtq_chain_read(&c, 7, buf, 3), 0);

	assert_int_equal(virtq_chain_write(&c, 1, "WXYZ", 4), 4);
	assert_memory_equal(at(BUF_GPA + 0x201), "W", 1);
	assert_memory_equal(at(BUF_GPA + 0x300), "XYZ", 3);
	/* Bounded by the writable bytes: 8 in all. */
	assert_int_equal(virtq_chain_write(&c, 5, "0123456789", 10), 3);
	assert_memory_equal(at(BUF_GPA + 0x303), "012", 3);
	assert_int_equal(at(BUF_GPA + 0x306)[0], 0);
}

static void indirect_chain(void **state)
{
	(void)state;
	q.indirect = true;
	desc_at(TABLE_GPA, 0, BUF_GPA, 16, NEXT, 2);
	desc_at(TABLE_GPA, 2, BUF_GPA + 0x100, 1, WRITE, 0);
	desc(4, TABLE_GPA, 3 * 16, INDIR | WRITE /* ignored */, 0);
	offer(4);
	assert_int_equal(virtq_pop(&q, &mem, &c), 1);
	assert_int_equal(c.head, 4);
	assert_int_equal(c.nseg, 2);
	assert_int_equal(c.out_len, 16);
	assert_int_equal(c.in_len, 1);
}

/* The longest chain is VIRTQ_MAX_SEGS buffers, through indirection too. */
static void longest_chain_accepted(void **state)
{
	(void)state;
	queue_at(128, 0);
	for (uint16_t i = 0; i < VIRTQ_MAX_SEGS; i++)
		desc(i, BUF_GPA + i, 1, i + 1 < VIRTQ_MAX_SEGS ? NEXT : 0, (uint16_t)(i + 1));
	offer(0);
	assert_int_equal(virtq_pop(&q, &mem, &c), 1);
	assert_int_equal(c.nseg, VIRTQ_MAX_SEGS);
	assert_int_equal(c.out_len, VIRTQ_MAX_SEGS);
}

/* Indices run freely through 65535 to 0; ring slots follow modulo num. */
static void indices_wrap_around(void **state)
{
	(void)state;
	queue_at(NUM, 65530);
	for (uint16_t i = 0; i < NUM; i++)
		desc(i, BUF_GPA + 16ull * i, 16, 0, 0);
	for (int round = 0; round < 3; round++) {
		for (uint16_t i = 0; i < 4; i++)
			offer(i);
		for (uint16_t i = 0; i < 4; i++) {
			assert_int_equal(virtq_pop(&q, &mem, &c), 1);
			assert_int_equal(c.head, i);
			assert_int_equal(virtq_push(&q, &mem, c.head, 16 + i), 0);
		}
		assert_int_equal(virtq_pop(&q, &mem, &c), 0);
	}
	assert_int_equal(q.last_avail, (uint16_t)(65530 + 12));
	assert_int_equal(used_idx(), (uint16_t)(65530 + 12));
	/* Push 6 (index 65535) went to slot 7, the last (index 5) to slot 5. */
	assert_int_equal(le32_load(at(USED_GPA + 4 + 8ull * 7)), 1);
	assert_int_equal(le32_load(at(USED_GPA + 4 + 8ull * 7 + 4)), 17);
	assert_int_equal(le32_load(at(USED_GPA + 4 + 8ull * 5)), 3);
	assert_int_equal(le32_load(at(USED_GPA + 4 + 8ull * 5 + 4)), 19);
}

static void descriptor_loop_refused(void **state)
{
	(void)state;
	desc(0, BUF_GPA, 4, NEXT, 1);
	desc(1, BUF_GPA, 4, NEXT, 0);
	offer(0);
	assert_refused();
}

static void self_loop_refused(void **state)
{
	(void)state;
	desc(2, BUF_GPA, 4, NEXT, 2);
	offer(2);
	assert_refused();
}

static void chain_longer_than_max_segs_refused(void **state)
{
	(void)state;
	queue_at(128, 0);
	for (uint16_t i = 0; i <= VIRTQ_MAX_SEGS; i++)
		desc(i, BUF_GPA + i, 1, i < VIRTQ_MAX_SEGS ? NEXT : 0, (uint16_t)(i + 1));
	offer(0);
	assert_refused();
}

static void next_index_out_of_range_refused(void **state)
{
	(void)state;
	desc(0, BUF_GPA, 4, NEXT, NUM);
	desc(NUM, BUF_GPA, 4, 0, 0); /* just past the table: a good one */
	offer(0);
	assert_refused();
}

static void head_index_out_of_range_refused(void **state)
{
	(void)state;
	desc(NUM, BUF_GPA, 4, 0, 0);
	offer(NUM);
	assert_refused();
}

static void address_outside_memory_refused(void **state)
{
	(void)state;
	desc(0, BASE + RAM_SIZE, 4, 0, 0);
	offer(0);
	assert_refused();
	queue_at(NUM, 0);
	desc(0, BASE - 4, 4, 0, 0);
	offer(0);
	assert_refused();
}

static void address_plus_len_overflow_refused(void **state)
{
	(void)state;
	desc(0, UINT64_MAX - 3, 8, 0, 0);
	offer(0);
	assert_refused();
}

static void len_past_end_of_ram_refused(void **state)
{
	(void)state;
	desc(0, BUF_GPA, RAM_SIZE, WRITE, 0);
	offer(0);
	assert_refused();
}

/* Byte counts are 32-bit (the used length is): a chain cannot exceed them.
 * The window claims 8 GiB here; nothing past ram is ever dereferenced. */
static void totals_past_32_bits_refused(void **state)
{
	(void)state;
	mem.size = 1ull << 33;
	desc(0, BUF_GPA, UINT32_MAX, WRITE | NEXT, 1);
	desc(1, BUF_GPA, 1, WRITE, 0);
	offer(0);
	assert_refused();
	desc(1, BUF_GPA, 0, WRITE, 0);
	assert_int_equal(virtq_pop(&q, &mem, &c), 1);
	assert_int_equal(c.in_len, UINT32_MAX);
}

static void readable_after_writable_refused(void **state)
{
	(void)state;
	desc(0, BUF_GPA, 4, NEXT, 1);
	desc(1, BUF_GPA + 4, 4, WRITE | NEXT, 2);
	desc(2, BUF_GPA + 8, 4, 0, 0);
	offer(0);
	assert_refused();
}

static void indirect_of_bad_size_refused(void **state)
{
	(void)state;
	q.indirect = true;
	desc_at(TABLE_GPA, 0, BUF_GPA, 4, 0, 0);
	desc(0, TABLE_GPA, 24, INDIR, 0);
	offer(0);
	assert_refused();
	desc(0, TABLE_GPA, 0, INDIR, 0);
	assert_refused();
}

static void indirect_outside_memory_refused(void **state)
{
	(void)state;
	q.indirect = true;
	desc(0, BASE + RAM_SIZE - 16, 32, INDIR, 0);
	offer(0);
	assert_refused();
}

static void nested_indirect_refused(void **state)
{
	(void)state;
	q.indirect = true;
	desc_at(TABLE_GPA, 0, TABLE_GPA + 0x100, 16, INDIR, 0);
	desc_at(TABLE_GPA + 0x100, 0, BUF_GPA, 4, 0, 0);
	desc(0, TABLE_GPA, 16, INDIR, 0);
	offer(0);
	assert_refused();
}

static void indirect_with_next_refused(void **state)
{
	(void)state;
	q.indirect = true;
	desc_at(TABLE_GPA, 0, BUF_GPA, 4, 0, 0);
	desc(0, TABLE_GPA, 16, INDIR | NEXT, 1);
	desc(1, BUF_GPA + 4, 4, WRITE, 0);
	offer(0);
	assert_refused();
}

static void indirect_without_feature_refused(void **state)
{
	(void)state;
	desc_at(TABLE_GPA, 0, BUF_GPA, 4, 0, 0);
	desc(0, TABLE_GPA, 16, INDIR, 0);
	offer(0);
	assert_refused();
}

static void loop_inside_indirect_refused(void **state)
{
	(void)state;
	q.indirect = true;
	desc_at(TABLE_GPA, 0, BUF_GPA, 4, NEXT, 1);
	desc_at(TABLE_GPA, 1, BUF_GPA, 4, NEXT, 0);
	desc(0, TABLE_GPA, 32, INDIR, 0);
	offer(0);
	assert_refused();
	/* And a next past the table's end, though good memory follows it. */
	desc_at(TABLE_GPA, 1, BUF_GPA, 4, NEXT, 2);
	desc_at(TABLE_GPA, 2, BUF_GPA, 4, 0, 0);
	assert_refused();
}

static void avail_idx_jump_refused(void **state)
{
	(void)state;
	desc(0, BUF_GPA, 4, 0, 0);
	le16_store(at(AVAIL_GPA + 2), NUM + 1);
	assert_refused();
	/* num ahead is a full ring, which is fine. */
	le16_store(at(AVAIL_GPA + 2), NUM);
	assert_int_equal(virtq_pop(&q, &mem, &c), 1);
}

static void rings_outside_memory_refused(void **state)
{
	(void)state;
	desc(0, BUF_GPA, 4, 0, 0);
	offer(0);
	q.desc = BASE + RAM_SIZE - 16ull * NUM + 16;
	assert_refused();
	q.desc = DESC_GPA;
	q.avail = BASE + RAM_SIZE - 4;
	assert_refused();
	q.avail = AVAIL_GPA;
	/* nothing is taken that could not be handed back */
	uint64_t used = q.used;
	q.used = BASE + RAM_SIZE - 8;
	assert_refused();
	q.used = used;
	assert_int_equal(virtq_pop(&q, &mem, &c), 1);
	q.used = BASE + RAM_SIZE - 8;
	assert_int_equal(virtq_push(&q, &mem, 0, 0), -1);
	q.used = UINT64_MAX - 3;
	assert_int_equal(virtq_push(&q, &mem, 0, 0), -1);
}

static void misaligned_rings_refused(void **state)
{
	(void)state;
	desc(0, BUF_GPA, 4, 0, 0);
	offer(0);
	q.desc = DESC_GPA + 8;
	assert_refused();
	q.desc = DESC_GPA;
	q.avail = AVAIL_GPA + 1;
	assert_refused();
	q.avail = AVAIL_GPA;
	assert_int_equal(virtq_pop(&q, &mem, &c), 1);
	q.used = USED_GPA + 2;
	assert_int_equal(virtq_push(&q, &mem, 0, 0), -1);
}

static void bad_queue_size_or_head_refused(void **state)
{
	(void)state;
	q.num = 6;
	assert_refused();
	assert_int_equal(virtq_push(&q, &mem, 0, 0), -1);
	q.num = NUM;
	assert_int_equal(virtq_push(&q, &mem, NUM, 0), -1);
	assert_int_equal(used_idx(), 0);
}

static void no_interrupt_flag(void **state)
{
	(void)state;
	/* Nothing used yet: nothing to signal. */
	q.signalled_valid = true;
	assert_false(virtq_need_irq(&q, &mem));
	desc(0, BUF_GPA, 4, 0, 0);
	offer(0);
	assert_int_equal(virtq_pop(&q, &mem, &c), 1);
	assert_int_equal(virtq_push(&q, &mem, 0, 0), 0);
	le16_store(at(AVAIL_GPA), VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_false(virtq_need_irq(&q, &mem));
	offer(0);
	assert_int_equal(virtq_pop(&q, &mem, &c), 1);
	assert_int_equal(virtq_push(&q, &mem, 0, 0), 0);
	le16_store(at(AVAIL_GPA), 0);
	assert_true(virtq_need_irq(&q, &mem));
	assert_false(virtq_need_irq(&q, &mem));
}

static void use_one(void)
{
	offer(0);
	assert_int_equal(virtq_pop(&q, &mem, &c), 1);
	assert_int_equal(virtq_push(&q, &mem, 0, 0), 0);
}

/* used_event: the driver wants an interrupt once used.idx passes it. */
static void event_idx_suppresses_interrupts(void **state)
{
	(void)state;
	q.event_idx = true;
	desc(0, BUF_GPA, 4, 0, 0);
	/* The flag means nothing with EVENT_IDX. */
	le16_store(at(AVAIL_GPA), VIRTQ_AVAIL_F_NO_INTERRUPT);
	set_used_event(5);
	use_one();
	assert_true(virtq_need_irq(&q, &mem)); /* first time after ready */
	use_one();                             /* used.idx 2 */
	assert_false(virtq_need_irq(&q, &mem));
	use_one();
	use_one();
	use_one(); /* used.idx 5: not past 5 yet */
	assert_false(virtq_need_irq(&q, &mem));
	use_one(); /* 6 */
	assert_true(virtq_need_irq(&q, &mem));
	/* Passed within a batch: 6 -> 9 over used_event 7. */
	set_used_event(7);
	use_one();
	use_one();
	use_one();
	assert_true(virtq_need_irq(&q, &mem));
	assert_false(virtq_need_irq(&q, &mem));
}

/* avail_event: the device asks to be notified of the next buffer. */
static void event_idx_publishes_avail_event(void **state)
{
	(void)state;
	queue_at(NUM, 65534);
	q.event_idx = true;
	desc(0, BUF_GPA, 4, 0, 0);
	virtq_enable_notify(&q, &mem);
	assert_int_equal(avail_event(), 65534);
	use_one();
	use_one();
	virtq_enable_notify(&q, &mem);
	assert_int_equal(avail_event(), 0);
	/* Without the feature the field is left alone. */
	q.event_idx = false;
	use_one();
	virtq_enable_notify(&q, &mem);
	assert_int_equal(avail_event(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(guest_ptr_stays_inside, setup),
	        cmocka_unit_test_setup(empty_or_not_ready_gives_nothing, setup),
	        cmocka_unit_test_setup(single_segment_chain, setup),
	        cmocka_unit_test_setup(multi_segment_chain, setup),
	        cmocka_unit_test_setup(indirect_chain, setup),
	        cmocka_unit_test_setup(longest_chain_accepted, setup),
	        cmocka_unit_test_setup(indices_wrap_around, setup),
	        cmocka_unit_test_setup(descriptor_loop_refused, setup),
	        cmocka_unit_test_setup(self_loop_refused, setup),
	        cmocka_unit_test_setup(chain_longer_than_max_segs_refused, setup),
	        cmocka_unit_test_setup(next_index_out_of_range_refused, setup),
	        cmocka_unit_test_setup(head_index_out_of_range_refused, setup),
	        cmocka_unit_test_setup(address_outside_memory_refused, setup),
	        cmocka_unit_test_setup(address_plus_len_overflow_refused, setup),
	        cmocka_unit_test_setup(len_past_end_of_ram_refused, setup),
	        cmocka_unit_test_setup(totals_past_32_bits_refused, setup),
	        cmocka_unit_test_setup(readable_after_writable_refused, setup),
	        cmocka_unit_test_setup(indirect_of_bad_size_refused, setup),
	        cmocka_unit_test_setup(indirect_outside_memory_refused, setup),
	        cmocka_unit_test_setup(nested_indirect_refused, setup),
	        cmocka_unit_test_setup(indirect_with_next_refused, setup),
	        cmocka_unit_test_setup(indirect_without_feature_refused, setup),
	        cmocka_unit_test_setup(loop_inside_indirect_refused, setup),
	        cmocka_unit_test_setup(avail_idx_jump_refused, setup),
	        cmocka_unit_test_setup(rings_outside_memory_refused, setup),
	        cmocka_unit_test_setup(misaligned_rings_refused, setup),
	        cmocka_unit_test_setup(bad_queue_size_or_head_refused, setup),
	        cmocka_unit_test_setup(no_interrupt_flag, setup),
	        cmocka_unit_test_setup(event_idx_suppresses_interrupts, setup),
	        cmocka_unit_test_setup(event_idx_publishes_avail_event, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
