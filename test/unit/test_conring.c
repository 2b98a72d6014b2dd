/* SPDX-License-Identifier: MIT */
/* The console channel's rings (services/devemu/conring.h): order, wrap,
 * full and empty, the producer's wake-up rule, and two threads at once. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conring.h"

#define SIZE 64

struct ring {
	struct conring r;
	uint8_t data[SIZE];
};

static void empty_ring_reads_nothing(void **state)
{
	(void)state;
	struct ring q = {0};
	uint8_t buf[8];
	assert_int_equal(conring_read(&q.r, q.data, SIZE, buf, sizeof(buf)), 0);
	assert_int_equal(conring_used(&q.r), 0);
}

static void bytes_come_out_in_order_across_the_wrap(void **state)
{
	(void)state;
	struct ring q = {0};
	uint8_t in[40], out[40];
	uint8_t next_in = 0, next_out = 0;
	for (int round = 0; round < 20; round++) { /* 20 * 40 bytes through 64 */
		for (size_t i = 0; i < sizeof(in); i++)
			in[i] = next_in++;
		assert_int_equal(conring_write(&q.r, q.data, SIZE, in, sizeof(in), NULL),
		                 sizeof(in));
		assert_int_equal(conring_used(&q.r), sizeof(in));
		assert_int_equal(conring_read(&q.r, q.data, SIZE, out, sizeof(out)), sizeof(out));
		for (size_t i = 0; i < sizeof(out); i++)
			assert_int_equal(out[i], next_out++);
	}
}

static void full_ring_takes_what_fits(void **state)
{
	(void)state;
	struct ring q = {0};
	uint8_t in[100], out[100];
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	assert_int_equal(conring_write(&q.r, q.data, SIZE, in, sizeof(in), NULL), SIZE);
	assert_int_equal(conring_write(&q.r, q.data, SIZE, in, 1, NULL), 0);
	assert_int_equal(conring_read(&q.r, q.data, SIZE, out, 10), 10);
	assert_int_equal(conring_write(&q.r, q.data, SIZE, in + SIZE, sizeof(in) - SIZE, NULL), 10);
	assert_int_equal(conring_read(&q.r, q.data, SIZE, out + 10, sizeof(out) - 10), SIZE);
	assert_memory_equal(out, in, SIZE + 10);
}

static void indices_wrap_at_2_32(void **state)
{
	(void)state;
	struct ring q = {0};
	uint8_t out[4];
	q.r.head = q.r.tail = 0xfffffffe;
	assert_int_equal(conring_write(&q.r, q.data, SIZE, (const uint8_t *)"abcd", 4, NULL), 4);
	assert_int_equal(q.r.head, 2);
	assert_int_equal(conring_used(&q.r), 4);
	assert_int_equal(conring_read(&q.r, q.data, SIZE, out, 4), 4);
	assert_memory_equal(out, "abcd", 4);
}

static void producer_wakes_only_a_caught_up_consumer(void **state)
{
	(void)state;
	struct ring q = {0};
	uint8_t b = 'x', out[8];
	bool was_empty;
	conring_write(&q.r, q.data, SIZE, &b, 1, &was_empty);
	assert_true(was_empty);
	conring_write(&q.r, q.data, SIZE, &b, 1, &was_empty);
	assert_false(was_empty); /* the consumer has not caught up yet */
	conring_read(&q.r, q.data, SIZE, out, sizeof(out));
	conring_write(&q.r, q.data, SIZE, &b, 1, &was_empty);
	assert_true(was_empty);
	/* Nothing written: nobody to wake. */
	for (int i = 0; i < SIZE; i++)
		conring_write(&q.r, q.data, SIZE, &b, 1, NULL);
	conring_write(&q.r, q.data, SIZE, &b, 1, &was_empty);
	assert_false(was_empty);
}

static void channel_fits_its_shared_frame(void **state)
{
	(void)state;
	/* vmconfigs/devemu.dtsi gives "shm:conguest:32". */
	assert_true(sizeof(struct conchan) <= 32 * 1024);
	assert_int_equal(CONCHAN_OUT_SIZE & (CONCHAN_OUT_SIZE - 1), 0);
	assert_int_equal(CONCHAN_IN_SIZE & (CONCHAN_IN_SIZE - 1), 0);
	assert_true(offsetof(struct conring, tail) >= 64);
}

/* Two threads, a producer and a consumer, one million bytes of a known
 * sequence: every byte arrives once and in order. */
#define STREAM 1000000u

static struct ring shared;

static void *producer(void *arg)
{
	(void)arg;
	uint32_t sent = 0;
	uint8_t buf[23];
	while (sent < STREAM) {
		uint32_t n = STREAM - sent < sizeof(buf) ? STREAM - sent : sizeof(buf);
		for (uint32_t i = 0; i < n; i++)
			buf[i] = (uint8_t)((sent + i) * 7);
		uint32_t done = conring_write(&shared.r, shared.data, SIZE, buf, n, NULL);
		sent += done;
	}
	return NULL;
}

static void threads_pass_a_stream(void **state)
{
	(void)state;
	pthread_t t;
	uint8_t buf[17];
	uint32_t got = 0;
	memset(&shared, 0, sizeof(shared));
	assert_int_equal(pthread_create(&t, NULL, producer, NULL), 0);
	while (got < STREAM) {
		uint32_t n = conring_read(&shared.r, shared.data, SIZE, buf, sizeof(buf));
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(buf[i], (uint8_t)((got + i) * 7));
		got += n;
	}
	pthread_join(t, NULL);
	assert_int_equal(conring_used(&shared.r), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(empty_ring_reads_nothing),
	        cmocka_unit_test(bytes_come_out_in_order_across_the_wrap),
	        cmocka_unit_test(full_ring_takes_what_fits),
	        cmocka_unit_test(indices_wrap_at_2_32),
	        cmocka_unit_test(producer_wakes_only_a_caught_up_consumer),
	        cmocka_unit_test(channel_fits_its_shared_frame),
	        cmocka_unit_test(threads_pass_a_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
