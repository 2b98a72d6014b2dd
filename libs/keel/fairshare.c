/* SPDX-License-Identifier: MIT */
/* A service's time shared among its clients (keel/fairshare.h). */
#include <keel/fairshare.h>

#include <string.h>

void fairshare_init(struct fairshare *f, uint64_t period, uint64_t total)
{
	memset(f, 0, sizeof(*f));
	/* Small enough that FAIRSHARE_BURST parts fit the signed use. */
	if (period > INT64_MAX / FAIRSHARE_BURST)
		period = INT64_MAX / FAIRSHARE_BURST;
	f->period = period ? period : 1;
	f->total = total < 1 ? 1 : total > f->period ? f->period : total;
	f->part = f->total;
}

void fairshare_request_max(struct fairshare *f, uint64_t ticks)
{
	f->request_max = ticks;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* used - paid, no lower than the saving allowed. */
static int64_t pay_back(int64_t used, uint64_t paid, uint64_t part)
{
	int64_t floor = -(int64_t)((FAIRSHARE_BURST - 1) * part);
	if (paid >= (uint64_t)INT64_MAX || used <= floor + (int64_t)paid)
		return floor;
	return used - (int64_t)paid;
}

/* Periods gone by since the current one started: each pays back a part. */
static void roll(struct fairshare *f, uint64_t now)
{
	if (!f->started) {
		f->started = true;
		f->start = now;
		return;
	}
	if (now < f->start || now - f->start < f->period)
		return;
	uint64_t k = (now - f->start) / f->period;
	f->start += k * f->period;
	f->number += k;
	uint64_t paid = sat_mul(k, f->part);
	for (unsigned i = 0; i < FAIRSHARE_CLIENTS; i++)
		f->c[i].used = pay_back(f->c[i].used, paid, f->part);
}

/* Asked for something in the last FAIRSHARE_WINDOW periods. */
static bool active(const struct fairshare *f, const struct fairshare_client *c)
{
	return c->seen && f->number + 1 - c->seen < FAIRSHARE_WINDOW;
}

uint64_t fairshare_admit(struct fairshare *f, unsigned i, uint64_t now)
{
	if (i >= FAIRSHARE_CLIENTS)
		return 0;
	roll(f, now);
	struct fairshare_client *c = &f->c[i];
	c->seen = f->number + 1;

	unsigned n = 0;
	for (unsigned k = 0; k < FAIRSHARE_CLIENTS; k++)
		n += active(f, &f->c[k]);
	uint64_t part = f->total / n;
	f->part = part ? part : 1;
	if (c->used < (int64_t)f->part)
		return 0;
	/* After k more periods its use is used - k * part: under the part
	 * from k = (used - part) / part + 1 on. */
	uint64_t k = ((uint64_t)c->used - f->part) / f->part + 1;
	f->deferred++;
	uint64_t until = f->start + sat_mul(k, f->period);
	return until < f->start ? UINT64_MAX : until;
}

void fairshare_charge(struct fairshare *f, unsigned i, uint64_t ticks)
{
	if (i >= FAIRSHARE_CLIENTS)
		return;
	int64_t *used = &f->c[i].used;
	struct fairshare_client *c = &f->c[i];
	uint64_t max = f->part;
	if (f->request_max) {
		uint64_t usual = sat_mul(c->typical8 / 8, FAIRSHARE_OUTLIER);
		uint64_t bound = usual > f->request_max ? usual : f->request_max;
		max = bound < max ? bound : max;
	}
	if (ticks > max)
		ticks = max;
	/* A mean over about the last eight requests. */
	c->typical8 = c->typical8 - c->typical8 / 8 + ticks;
	*used = *used > INT64_MAX - (int64_t)ticks ? INT64_MAX : *used + (int64_t)ticks;
}

void fairshare_forget(struct fairshare *f, unsigned i)
{
	if (i < FAIRSHARE_CLIENTS)
		f->c[i] = (struct fairshare_client){0};
}

uint64_t fairshare_retry_us(uint64_t until, uint64_t now, uint64_t freq)
{
	if (until <= now || !freq)
		return 1;
	uint64_t ticks = until - now;
	if (ticks / freq > UINT64_MAX / 2000000)
		return UINT64_MAX;
	/* ticks * 1e6 / freq, rounded up, without overflowing for long waits. */
	uint64_t us = ticks / freq * 1000000 + ((ticks % freq) * 1000000 + freq - 1) / freq;
	return us ? us : 1;
}
