/* SPDX-License-Identifier: MIT */
/*
 * A service's time shared among its clients, the VMs whose exits it
 * serves (devemu, vmm), so that a VM flooding it slows only itself
 * (issue 14, hole 8).
 *
 * The service may spend `total` ticks on its clients in every `period`.
 * A client is active if it asked for something in the last
 * FAIRSHARE_WINDOW periods (this one included); each active client's part
 * is total / (active clients). The window keeps the part of a client that
 * asks now and then (a console line every few periods, an exit that had
 * to wait) reserved between its requests. A client that has used its part
 * is deferred: the service answers "retry at T" (KEEL_EXIT_REPLY_RETRY for
 * a vCPU's exit, which then sleeps) and goes on serving the others, T
 * being the start of the first period in which the client's use is back
 * under its part. Use beyond the part (its last
 * requests overran it) is debt carried into the next periods, each of
 * which pays back one part. A client alone has the whole total. Over time
 * no client gets more than its part, and the service spends no more than
 * total on the requests it serves, plus the short answers of the deferred
 * ones, each client's last overrun and the bursts below.
 *
 * A client that asked for less than its part in the periods before may
 * use up to FAIRSHARE_BURST parts in one period: a console line is a burst
 * of exits, and a client that prints one now and then should not wait
 * for the next period in the middle of it. A flooder, always at its part,
 * saves nothing.
 *
 * One request is charged at most a part, and, if the service sets
 * request_max, at most FAIRSHARE_OUTLIER times what the client's requests
 * typically cost (fairshare_request_max). An exit costs microseconds; a
 * request that seems to cost far more was mostly not the service's work
 * but time it lost (under emulation, its CPU not run by the host for
 * milliseconds). Charged in full, that would put a light client in debt
 * for one unlucky request. The price: a request that really takes longer
 * (vmm's reset of a VM, which reloads its RAM) costs its client less than
 * it took.
 *
 * Pure: the caller passes the time (counter ticks) and measures what each
 * request cost; no system calls (test/unit/test_fairshare.c).
 */
#ifndef KEEL_FAIRSHARE_H
#define KEEL_FAIRSHARE_H

#include <stdbool.h>
#include <stdint.h>

#define FAIRSHARE_CLIENTS 16
#define FAIRSHARE_WINDOW  8
#define FAIRSHARE_BURST   4
#define FAIRSHARE_OUTLIER 8

struct fairshare_client {
	/* Ticks charged, less one part per period gone by; below 0 (down to
	 * FAIRSHARE_BURST - 1 parts) what it saved. */
	int64_t used;
	uint64_t seen;     /* number of the period of its last request, plus 1; 0: none */
	uint64_t typical8; /* 8 times a running mean of what its requests were charged */
};

struct fairshare {
	uint64_t period, total; /* ticks */
	uint64_t start, number; /* the current period's start and number */
	uint64_t part;          /* an active client's part of the current period */
	bool started;
	uint64_t request_max; /* what one request is charged at most, if below a part */
	uint64_t deferred;    /* requests answered "retry later", for reports */
	struct fairshare_client c[FAIRSHARE_CLIENTS];
};

/* `total` ticks of service in every `period` ticks (both at least 1;
 * total at most period). */
void fairshare_init(struct fairshare *f, uint64_t period, uint64_t total);

/* One request is charged at most FAIRSHARE_OUTLIER times what the
 * client's requests typically cost (a running mean), and never less than
 * `ticks` (0: no such bound; a part bounds every request). Under
 * emulation a light client's request now and then seems to take a whole
 * part (its CPU not run by the host); charged in full, that would put it
 * in debt for a period, and a console line of a hundred exits could wait
 * a hundred periods. A flooder whose every request is slow (the service
 * spinning for the kernel's lock its flood keeps busy) has that as its
 * typical cost, and pays it. */
void fairshare_request_max(struct fairshare *f, uint64_t ticks);

/* A request of client i (below FAIRSHARE_CLIENTS) arrives at `now`: 0 to
 * serve it now, or the time, after now, at which it may ask again. */
uint64_t fairshare_admit(struct fairshare *f, unsigned i, uint64_t now);

/* The service spent `ticks` on a request of client i, served or deferred:
 * charged, at most one part. */
void fairshare_charge(struct fairshare *f, unsigned i, uint64_t ticks);

/* Client i is gone (its VM destroyed; a new one may get its number): no
 * debt, not active. */
void fairshare_forget(struct fairshare *f, unsigned i);

/* Microseconds from `now` to `until` at `freq` ticks a second, rounded up
 * (at least 1): what a KEEL_EXIT_REPLY_RETRY asks for. */
uint64_t fairshare_retry_us(uint64_t until, uint64_t now, uint64_t freq);

#endif
