/* SPDX-License-Identifier: MIT */
/*
 * A service's time shared among its clients (libs/keel/fairshare.c): a
 * client's part, deferral to the period where its use is paid back, debt,
 * one request's charge bounded by a part, the active window, and a simulated service with a
 * flooding client of several vCPUs beside a light one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <keel/fairshare.h>

#define PERIOD 1000
#define TOTAL  300
#define T0     5000

static struct fairshare fs;

static int setup(void **state)
{
	(void)state;
	fairshare_init(&fs, PERIOD, TOTAL);
	return 0;
}

/* Client i asks at `now` and, if served, costs `cost`: whether it was served. */
static bool serve(unsigned i, uint64_t now, uint64_t cost)
{
	uint64_t until = fairshare_admit(&fs, i, now);
	fairshare_charge(&fs, i, until ? 0 : cost);
	return !until;
}

static void a_lone_client_has_the_whole_total(void **state)
{
	(void)state;
	for (unsigned k = 0; k < TOTAL / 10; k++)
		assert_true(serve(1, T0 + k, 10));
	/* Used up: back at the next period, which starts at its first request. */
	assert_int_equal(fairshare_admit(&fs, 1, T0 + 100), T0 + PERIOD);
	assert_int_equal(fs.deferred, 1);
	assert_true(serve(1, T0 + PERIOD, 10));
}

static void two_clients_have_half_each(void **state)
{
	(void)state;
	assert_true(serve(1, T0, 1));
	assert_true(serve(2, T0, 1));
	/* The flooder uses its half; the other, under its part, is served. */
	for (uint64_t used = 1; used < TOTAL / 2; used += 10)
		assert_true(serve(1, T0 + 1, 10));
	assert_int_equal(fairshare_admit(&fs, 1, T0 + 2), T0 + PERIOD);
	for (unsigned k = 0; k < 15; k++)
		assert_true(serve(2, T0 + 3 + k, 10));
	assert_int_equal(fairshare_admit(&fs, 2, T0 + 20), T0 + PERIOD);
	/* A new period pays back a part each. */
	assert_true(serve(1, T0 + PERIOD, 10));
	assert_true(serve(2, T0 + PERIOD + 1, 10));
}

/* A client silent for FAIRSHARE_WINDOW periods no longer takes a part. */
static void the_active_window(void **state)
{
	(void)state;
	const uint64_t last = T0 + (FAIRSHARE_WINDOW - 1) * PERIOD;
	assert_true(serve(2, T0, 1));
	/* 2 asked in the window's first period: still active. */
	assert_true(serve(1, last, 1));
	assert_int_equal(fs.part, TOTAL / 2);
	/* A period on, 2 is gone: 1 has the total again. */
	assert_true(serve(1, last + PERIOD, 1));
	assert_int_equal(fs.part, TOTAL);
	/* And 2 is back as soon as it asks. */
	assert_true(serve(2, last + PERIOD + 1, 1));
	assert_int_equal(fs.part, TOTAL / 2);
}

/* Requests admitted together (the vCPUs of one VM), each costing a whole
 * part: their overrun is paid back over the next periods. */
static void debt_is_carried(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 5; v++)
		assert_int_equal(fairshare_admit(&fs, 1, T0), 0);
	for (unsigned v = 0; v < 5; v++)
		fairshare_charge(&fs, 1, TOTAL);
	assert_int_equal(fairshare_admit(&fs, 1, T0 + 1), T0 + 5 * PERIOD);
	assert_int_equal(fairshare_admit(&fs, 1, T0 + 4 * PERIOD + 999), T0 + 5 * PERIOD);
	assert_true(serve(1, T0 + 5 * PERIOD, 10));
	/* Other clients are not held back by it. */
	assert_true(serve(2, T0 + 5 * PERIOD + 1, 10));
}

/* A client that saved in quiet periods may burst up to FAIRSHARE_BURST
 * parts in one; a flooder, always at its part, saves nothing. */
static void a_quiet_client_may_burst(void **state)
{
	(void)state;
	const uint64_t half = TOTAL / 2;
	assert_true(serve(1, T0, 1)); /* both active from here: parts of TOTAL / 2 */
	assert_true(serve(2, T0, half));
	assert_false(serve(2, T0 + 1, 1));
	/* Quiet for two periods, 1 saved two parts; 2 flooded all along. */
	for (unsigned p = 1; p <= 2; p++) {
		assert_true(serve(2, T0 + p * PERIOD, half));
		assert_false(serve(2, T0 + p * PERIOD + 1, 1));
	}
	uint64_t now = T0 + 3 * PERIOD;
	assert_true(serve(2, now, half));
	unsigned n = 0;
	while (serve(1, now + 1, 10))
		n++;
	/* Its own part, what it saved over two periods and the first's rest. */
	assert_true(n * 10 >= 3 * half && n * 10 <= 4 * half);
	assert_false(serve(2, now + 2, 1));
	/* Saving stops at FAIRSHARE_BURST - 1 parts. */
	fairshare_forget(&fs, 1);
	fs.c[1].used = 0;
	assert_true(serve(1, now + 100 * PERIOD, 1));
	assert_int_equal(fs.c[1].used, -(FAIRSHARE_BURST - 1) * (int64_t)half + 1);
}

/* One request that seems to take longer than a part costs one part. */
static void a_request_costs_at_most_one_part(void **state)
{
	(void)state;
	assert_true(serve(1, T0, 100 * TOTAL));
	assert_int_equal(fs.c[1].used, TOTAL);
	assert_int_equal(fairshare_admit(&fs, 1, T0 + 1), T0 + PERIOD);
	assert_true(serve(2, T0 + 2, 10)); /* now two: parts of TOTAL / 2 */
	assert_true(serve(2, T0 + 3, 10 * TOTAL));
	assert_int_equal(fs.c[2].used, 10 + TOTAL / 2);
	assert_int_equal(fairshare_admit(&fs, 2, T0 + 4), T0 + PERIOD);
}

/* With request_max set, one request is charged at most
 * FAIRSHARE_OUTLIER times what the client's requests typically cost, and
 * never less than request_max: a light client's unlucky request does not
 * put it in debt for a period; a client whose requests are all slow pays
 * what they take. */
static void an_outlier_costs_a_few_typical_requests(void **state)
{
	(void)state;
	fairshare_request_max(&fs, 2);
	for (unsigned k = 0; k < 40; k++)
		assert_true(serve(1, T0 + k, 1));
	int64_t before = fs.c[1].used;
	assert_int_equal(fs.c[1].typical8 / 8, 1);
	assert_true(serve(1, T0 + 40, 100 * TOTAL)); /* bounded by FAIRSHARE_OUTLIER */
	assert_int_equal(fs.c[1].used, before + FAIRSHARE_OUTLIER);
	/* Client 2's requests all take 16: after some it pays them in full,
	 * and one that seems to take 1000 is charged FAIRSHARE_OUTLIER
	 * typical ones (less than a part here). */
	fairshare_request_max(&fs, 4);
	for (unsigned k = 0; k < 80; k++)
		fairshare_charge(&fs, 2, 16);
	assert_in_range(fs.c[2].typical8 / 8, 14, 16);
	before = fs.c[2].used;
	fairshare_charge(&fs, 2, 16);
	assert_int_equal(fs.c[2].used, before + 16);
	uint64_t bound = FAIRSHARE_OUTLIER * (fs.c[2].typical8 / 8);
	assert_true(bound < fs.part);
	before = fs.c[2].used;
	fairshare_charge(&fs, 2, 1000);
	assert_int_equal(fs.c[2].used, before + (int64_t)bound);
}

/* Periods skipped while nobody asked pay back one part each, at most all. */
static void idle_periods_pay_back(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 3; v++)
		assert_int_equal(fairshare_admit(&fs, 1, T0), 0);
	for (unsigned v = 0; v < 3; v++)
		fairshare_charge(&fs, 1, TOTAL);
	assert_true(serve(1, T0 + 10 * PERIOD + 7, 10));
	assert_int_equal(fs.start, T0 + 10 * PERIOD);
	/* Paid back down to what it may save: FAIRSHARE_BURST - 1 parts. */
	assert_int_equal(fs.c[1].used, -(FAIRSHARE_BURST - 1) * TOTAL + 10);
	/* Far in the future, without overflow. */
	assert_true(serve(1, UINT64_MAX - 5, 10));
	assert_true(fs.start <= UINT64_MAX - 5 && UINT64_MAX - 5 - fs.start < PERIOD);
}

static void a_forgotten_client_leaves_no_debt(void **state)
{
	(void)state;
	assert_true(serve(3, T0, TOTAL));
	assert_true(fairshare_admit(&fs, 3, T0 + 1) > T0);
	fairshare_forget(&fs, 3);
	assert_true(serve(3, T0 + 2, 10));
	assert_true(serve(2, T0 + 3, 10));
}

static void out_of_range_and_limits(void **state)
{
	(void)state;
	assert_int_equal(fairshare_admit(&fs, FAIRSHARE_CLIENTS, T0), 0);
	fairshare_charge(&fs, FAIRSHARE_CLIENTS, 1000);
	fairshare_forget(&fs, FAIRSHARE_CLIENTS);
	fairshare_charge(&fs, 1, UINT64_MAX);
	assert_int_equal(fs.c[1].used, TOTAL);
	fs.c[1].used = INT64_MAX - 5; /* as if a great many requests had overrun */
	fairshare_charge(&fs, 1, TOTAL);
	assert_int_equal(fs.c[1].used, INT64_MAX);
	assert_int_equal(fairshare_admit(&fs, 1, T0), UINT64_MAX);
	/* Paid back from the top without overflowing. */
	assert_true(fairshare_admit(&fs, 1, T0 + 3 * PERIOD) > T0 + 3 * PERIOD);
	assert_int_equal(fs.c[1].used, INT64_MAX - 3 * TOTAL);
	/* total is at least 1 and at most the period; so is every part. */
	fairshare_init(&fs, 100, 500);
	assert_int_equal(fs.total, 100);
	fairshare_init(&fs, 0, 0);
	assert_int_equal(fs.period, 1);
	assert_int_equal(fs.total, 1);
	fairshare_init(&fs, UINT64_MAX, UINT64_MAX);
	assert_int_equal(fs.period, INT64_MAX / FAIRSHARE_BURST);
	fairshare_init(&fs, 1000, 3);
	for (unsigned i = 0; i < 8; i++)
		fairshare_admit(&fs, i, T0);
	assert_int_equal(fs.part, 1);
}

static void retry_microseconds(void **state)
{
	(void)state;
	const uint64_t mhz62 = 62500000;
	assert_int_equal(fairshare_retry_us(T0 + 62500, T0, mhz62), 1000);
	assert_int_equal(fairshare_retry_us(T0 + 62501, T0, mhz62), 1001); /* rounded up */
	assert_int_equal(fairshare_retry_us(T0 + 1, T0, mhz62), 1);
	assert_int_equal(fairshare_retry_us(T0, T0, mhz62), 1);
	assert_int_equal(fairshare_retry_us(T0 - 1, T0, mhz62), 1);
	assert_int_equal(fairshare_retry_us(UINT64_MAX, 0, 1), UINT64_MAX);
	assert_int_equal(fairshare_retry_us(UINT64_MAX, 0, mhz62), 295147905179352826ull);
}

/*
 * A service that serves one request at a time, in arrival order (its
 * endpoint's queue), with a flooding client of `vcpus` vCPUs that ask
 * again as soon as they are answered (or when their retry time comes) and
 * a light client that asks `think` ticks after each answer. Each served
 * request costs COST, a deferral DEFER. Per period: what the service spent
 * on served requests stays within total plus one request's overrun per
 * client; the light client, under its part, is never deferred and never
 * waits for more than the flooder's queued requests; the flooder still
 * gets its part.
 */
#define COST  7
#define DEFER 1
#define VMAX  8

struct asker {
	unsigned client;
	uint64_t ready; /* when it asks (next) */
};

static void simulate(unsigned vcpus, uint64_t think, uint64_t total)
{
	fairshare_init(&fs, PERIOD, total);
	struct asker a[VMAX + 1];
	for (unsigned v = 0; v < vcpus; v++)
		a[v] = (struct asker){1, T0};
	a[vcpus] = (struct asker){2, T0 + 3};
	unsigned n = vcpus + 1;
	uint64_t now = T0, period_start = T0, spent = 0, max_spent = 0, max_wait = 0;
	uint64_t light_served = 0, flood_served = 0, light_deferred = 0;
	while (now < T0 + 200 * PERIOD) {
		/* The queue's head: the earliest asker that is ready. */
		int next = -1;
		for (unsigned k = 0; k < n; k++)
			if (a[k].ready <= now && (next < 0 || a[k].ready < a[next].ready))
				next = (int)k;
		if (next < 0) {
			now++;
			continue;
		}
		struct asker *q = &a[next];
		if (now >= period_start + PERIOD) {
			max_spent = spent > max_spent ? spent : max_spent;
			spent = 0;
			period_start += (now - period_start) / PERIOD * PERIOD;
		}
		uint64_t until = fairshare_admit(&fs, q->client, now);
		uint64_t cost = until ? DEFER : COST;
		fairshare_charge(&fs, q->client, cost);
		spent += until ? 0 : cost;
		if (q->client == 2) {
			max_wait = now - q->ready > max_wait ? now - q->ready : max_wait;
			light_deferred += !!until;
			light_served += !until;
		} else {
			flood_served += !until;
		}
		now += cost;
		q->ready = until ? until : now + (q->client == 2 ? think : 0);
	}
	print_message("vcpus %u: spent at most %llu of %llu a period, light client waited at most "
	              "%llu, served %llu, flooder %llu\n",
	              vcpus, (unsigned long long)max_spent, (unsigned long long)total,
	              (unsigned long long)max_wait, (unsigned long long)light_served,
	              (unsigned long long)flood_served);
	assert_true(max_spent <= total + 2 * COST);
	assert_int_equal(light_deferred, 0);
	assert_true(max_wait <= (uint64_t)vcpus * COST);
	/* The flooder still gets its part: it slows only itself. */
	assert_true(flood_served >= 190 * (total / 2 / COST));
	assert_true(light_served > 0);
}

static void a_flood_leaves_the_light_client_alone(void **state)
{
	(void)state;
	simulate(1, 40, TOTAL);
	simulate(3, 40, TOTAL);
	simulate(8, 60, TOTAL);
	simulate(2, 100, PERIOD); /* an unbudgeted service's whole period */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(a_lone_client_has_the_whole_total, setup),
	        cmocka_unit_test_setup(two_clients_have_half_each, setup),
	        cmocka_unit_test_setup(the_active_window, setup),
	        cmocka_unit_test_setup(debt_is_carried, setup),
	        cmocka_unit_test_setup(a_request_costs_at_most_one_part, setup),
	        cmocka_unit_test_setup(an_outlier_costs_a_few_typical_requests, setup),
	        cmocka_unit_test_setup(a_quiet_client_may_burst, setup),
	        cmocka_unit_test_setup(idle_periods_pay_back, setup),
	        cmocka_unit_test_setup(a_forgotten_client_leaves_no_debt, setup),
	        cmocka_unit_test_setup(out_of_range_and_limits, setup),
	        cmocka_unit_test_setup(retry_microseconds, setup),
	        cmocka_unit_test_setup(a_flood_leaves_the_light_client_alone, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
