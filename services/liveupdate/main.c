/* SPDX-License-Identifier: MIT */
/*
 * liveupdate, the coordinator of live service swaps (keel/lifecycle.h,
 * docs/live-update.md). vmm builds the new instance of a service from the
 * same plan as the running one and posts a request in the control page;
 * the coordinator then runs the protocol, every step against a deadline:
 *
 *   wait for the new instance to be READY       (it crashed: rollback)
 *   FREEZE the old one at its receive point     (it writes its record)
 *   IMPORT into the new one                     (it may convert or reject)
 *   HEALTH: the new one answers from its loop
 *   COMMIT: vmm destroys the old instance
 *
 * A failure after the freeze has vmm destroy the new instance and then
 * RESUMEs the old one, which goes on with its state untouched. The
 * coordinator never calls vmm or a service: it writes pages, signals
 * notifications and polls, so a service that hangs costs a timeout.
 *
 * The coordinator swaps itself the same way: it plays the old instance's
 * part inline (its state is one number: the last request it took) and,
 * once the new one is healthy, parks for vmm to destroy it.
 *
 * Arguments: ntfn.lu (its notification), lu.ctl, lu.vmm (from vmm),
 * freeze-ms, start-ms, import-ms, health-ms (deadlines).
 */
#include <keel/live.h>
#include <keel/service.h>
#include <keel/why.h>
#include <stdio.h>
#include <string.h>

#ifndef KEEL_SERVICE_VERSION
#define KEEL_SERVICE_VERSION "0.0.0"
#endif
#define POLL_US 20

struct coord {
	struct keel_lu_ctl *ctl;
	unsigned long vmm, ntfn;
	uint32_t req_seen;
	unsigned long start_ms, freeze_ms, import_ms, health_ms;
	struct lu_service self;
};

static struct coord co;

static uint64_t now(void)
{
	unsigned long c = 0;
	keel_time(&c, NULL);
	return c;
}

static uint64_t deadline_ms(unsigned long ms)
{
	unsigned long freq = 1;
	keel_time(NULL, &freq);
	return now() + ms * (freq / 1000);
}

static uint32_t command_seq(const struct keel_lu_page *p)
{
	uint32_t gen, seq;
	keel_lu_cmd_read(p, &gen, &seq);
	return seq;
}

static void post(struct coord *c, uint32_t result)
{
	c->ctl->result = result;
	c->ctl->result_req = c->req_seen; /* vmm takes results for its request only */
	__atomic_store_n(&c->ctl->result_seq, c->ctl->result_seq + 1, __ATOMIC_SEQ_CST);
	keel_signal(c->vmm);
}

/* Polls until instance gen answers the last command (or, for READY,
 * announces itself) with `want` or `fail`; false on a timeout or a fault
 * of the new instance, with why. */
static bool await(struct coord *c, struct keel_lu_page *p, uint32_t gen, uint32_t want,
                  uint32_t fail, unsigned long ms, bool is_new, char *why, size_t why_size)
{
	uint64_t end = deadline_ms(ms);
	for (;;) {
		uint32_t st = __atomic_load_n(&p->status, __ATOMIC_SEQ_CST);
		bool answer = p->status_gen == gen &&
		              (want == LU_ST_READY || p->status_seq == command_seq(p));
		if (answer && st == want)
			return true;
		if (answer && fail && st == fail) {
			snprintf(why, why_size, "%s", p->message);
			return false;
		}
		if (is_new && __atomic_load_n(&c->ctl->new_fault, __ATOMIC_SEQ_CST)) {
			snprintf(why, why_size, "%s", c->ctl->fault_msg);
			return false;
		}
		if (now() > end) {
			snprintf(why, why_size, "no answer within %lu ms", ms);
			return false;
		}
		keel_sleep(POLL_US);
	}
}

static void fail(struct coord *c, const struct keel_lu_target *t, bool old_frozen, const char *step,
                 const char *why)
{
	struct keel_lu_ctl *ctl = c->ctl;
	struct keel_lu_page *p = (struct keel_lu_page *)t->page_va;
	const char *resumed = "";
	ctl->phase = LU_PH_ROLLBACK;
	uint32_t kills = ctl->kill_seq;
	post(c, LU_RES_KILL_NEW);
	uint64_t end = deadline_ms(2000);
	while (__atomic_load_n(&ctl->kill_seq, __ATOMIC_SEQ_CST) == kills && now() < end)
		keel_sleep(POLL_US);
	if (old_frozen && !t->is_self) {
		char why2[KEEL_LU_MESSAGE];
		keel_lu_cmd_post(p, LU_CMD_RESUME, t->old_gen);
		keel_signal(t->park[t->old_gen % 2]);
		if (!await(c, p, t->old_gen, LU_ST_RUNNING, 0, c->freeze_ms, false, why2,
		           sizeof(why2)))
			resumed = "; the old one did not resume";
	}
	snprintf(ctl->message, sizeof(ctl->message), "new version %.40s: %.96s%.30s", step, why,
	         resumed);
	ctl->rollbacks++;
	ctl->t_end = now();
	post(c, LU_RES_ROLLED_BACK);
}

static int export_state(void *ctx, uint32_t format, void *buf, size_t cap, size_t *len);

/* The old instance's part when the coordinator swaps itself: the record
 * lu_handle's freeze would write, without parking. */
static bool freeze_self(struct coord *c, struct keel_lu_page *p, uint32_t max_format)
{
	size_t len, hdr = sizeof(struct keel_lu_record_hdr);
	p->t_frozen = now();
	if (max_format < 1 || export_state(c, 1, p->record + hdr, sizeof(p->record) - hdr, &len))
		return false;
	p->record_len =
	        (uint32_t)keel_lu_record_seal(p->record, sizeof(p->record), "liveupdate", 1, len);
	return p->record_len != 0;
}

static void swap(struct coord *c)
{
	struct keel_lu_ctl *ctl = c->ctl;
	struct keel_lu_target t = ctl->t;
	struct keel_lu_page *p = (struct keel_lu_page *)t.page_va;
	char why[KEEL_LU_MESSAGE];

	ctl->t_start = now();
	ctl->phase = LU_PH_START;
	if (!await(c, p, t.new_gen, LU_ST_READY, 0, c->start_ms, true, why, sizeof(why)))
		return fail(c, &t, false, "crashed or hung during start", why);
	ctl->t_ready = now();

	ctl->phase = LU_PH_FREEZE;
	if (t.is_self) {
		if (!freeze_self(c, p, t.new_format))
			return fail(c, &t, false, "cannot take the state", "no common format");
	} else {
		p->max_format = t.new_format;
		keel_lu_cmd_post(p, LU_CMD_FREEZE, t.old_gen);
		keel_signal(t.main_ntfn);
		if (!await(c, p, t.old_gen, LU_ST_FROZEN, LU_ST_FAILED, c->freeze_ms, false, why,
		           sizeof(why))) {
			/* FAILED: it goes on, it never froze. A timeout: it may
			 * freeze late, and RESUME is harmless if it does not. */
			bool failed = p->status == LU_ST_FAILED && p->status_gen == t.old_gen;
			return fail(c, &t, !failed, "not started: the old one did not freeze", why);
		}
	}
	ctl->t_frozen = p->t_frozen;

	ctl->phase = LU_PH_IMPORT;
	keel_lu_cmd_post(p, LU_CMD_IMPORT, t.new_gen);
	keel_signal(t.park[t.new_gen % 2]);
	if (!await(c, p, t.new_gen, LU_ST_IMPORTED, LU_ST_REJECTED, c->import_ms, true, why,
	           sizeof(why)))
		return fail(c, &t, true, "failed to import the state", why);
	ctl->t_imported = now();
	struct keel_lu_record_hdr rh;
	memcpy(&rh, p->record, sizeof(rh));
	ctl->record_format = rh.format;

	ctl->phase = LU_PH_HEALTH;
	keel_lu_cmd_post(p, LU_CMD_HEALTH, t.new_gen);
	keel_signal(t.main_ntfn);
	if (!await(c, p, t.new_gen, LU_ST_HEALTHY, 0, c->health_ms, true, why, sizeof(why)))
		return fail(c, &t, true, "failed its health check", why);
	ctl->t_healthy = now();

	ctl->phase = LU_PH_COMMIT;
	ctl->t_serving = p->t_serving; /* stamped before its first receive: it has answered since */
	ctl->swaps++;
	ctl->message[0] = '\0';
	ctl->t_end = now();
	post(c, LU_RES_COMMIT);
	if (t.is_self) /* the new coordinator serves: vmm destroys this one, or resumes it */
		lu_park(&c->self);
}

static int export_state(void *ctx, uint32_t format, void *buf, size_t cap, size_t *len)
{
	const struct coord *c = ctx;
	if (format != 1 || cap < sizeof(c->req_seen))
		return -1;
	memcpy(buf, &c->req_seen, sizeof(c->req_seen));
	*len = sizeof(c->req_seen);
	return 0;
}

static int import_state(void *ctx, uint32_t format, const void *payload, size_t len, char *why,
                        size_t why_size)
{
	struct coord *c = ctx;
	if (format != 1 || len != sizeof(c->req_seen))
		return keel_why(why, why_size, "liveupdate: format %u record of %zu bytes", format,
		                len);
	memcpy(&c->req_seen, payload, sizeof(c->req_seen));
	return 0;
}

int main(int argc, char **argv)
{
	co.ctl = (struct keel_lu_ctl *)keel_arg(argc, argv, "lu.ctl", 0);
	co.vmm = (unsigned long)keel_arg(argc, argv, "lu.vmm", 0);
	co.ntfn = (unsigned long)keel_arg(argc, argv, "ntfn.lu", 0);
	co.start_ms = (unsigned long)keel_arg(argc, argv, "start-ms", 2000);
	co.freeze_ms = (unsigned long)keel_arg(argc, argv, "freeze-ms", 1000);
	co.import_ms = (unsigned long)keel_arg(argc, argv, "import-ms", 1000);
	co.health_ms = (unsigned long)keel_arg(argc, argv, "health-ms", 1000);
	if (!co.ctl || !co.vmm || !co.ntfn) {
		printf("liveupdate: needs lu.ctl, lu.vmm and ntfn.lu\n");
		return 1;
	}
	lu_init(&co.self, argc, argv, "liveupdate", 1, export_state, import_state, &co);
	if (co.self.successor)
		lu_successor_start(&co.self);
	else
		co.req_seen = co.ctl->req_seq;
	printf("liveupdate " KEEL_SERVICE_VERSION ": coordinator up (generation %u)\n",
	       co.self.gen);
	for (;;) {
		unsigned long bits = 0;
		keel_wait(co.ntfn, &bits);
		if (bits & KEEL_LU_BADGE)
			lu_handle(&co.self);
		uint32_t req = __atomic_load_n(&co.ctl->req_seq, __ATOMIC_SEQ_CST);
		if (req != co.req_seen) {
			co.req_seen = req;
			swap(&co);
		}
	}
}
