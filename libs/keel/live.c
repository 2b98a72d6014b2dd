/* SPDX-License-Identifier: MIT */
/* A service's side of the live-update protocol (keel/live.h). */
#include <keel/live.h>
#include <keel/service.h>

#include <stdio.h>
#include <string.h>

static uint64_t now(void)
{
	unsigned long c = 0;
	keel_time(&c, NULL);
	return c;
}

static void answer(struct lu_service *lu, uint32_t status, uint32_t seq)
{
	struct keel_lu_page *p = lu->page;
	p->status_gen = lu->gen;
	p->status_seq = seq;
	__atomic_store_n(&p->status, status, __ATOMIC_SEQ_CST);
	lu->last_seq = seq;
}

/* The command for this instance that it has not answered yet, or NONE. */
static uint32_t pending(struct lu_service *lu, uint32_t *seq)
{
	uint32_t gen, cmd = keel_lu_cmd_read(lu->page, &gen, seq);
	if (gen != (lu->gen & 0xffffff) || *seq == lu->last_seq)
		return LU_CMD_NONE;
	return cmd;
}

bool lu_init(struct lu_service *lu, int argc, char **argv, const char *name, uint32_t format,
             lu_export_fn export_state, lu_import_fn import_state, void *ctx)
{
	memset(lu, 0, sizeof(*lu));
	lu->page = (struct keel_lu_page *)keel_arg(argc, argv, "lu.page", 0);
	lu->park = (unsigned long)keel_arg(argc, argv, "lu.park", 0);
	lu->gen = (uint32_t)keel_arg(argc, argv, "lu.gen", 0);
	lu->successor = keel_arg(argc, argv, "lu.successor", 0) != 0;
	lu->ckpt = (struct keel_lu_ckpt *)keel_arg(argc, argv, "lu.ckpt", 0);
	lu->restart = (unsigned long)keel_arg(argc, argv, "lu.restart", 0);
	lu->delay_us = (unsigned long)keel_arg(argc, argv, "lu.delay", 0);
	lu->name = name;
	lu->format = format;
	lu->export_state = export_state;
	lu->import_state = import_state;
	lu->ctx = ctx;
	uint32_t gen;
	if (!lu->page || !lu->park)
		lu->page = NULL;
	else /* commands before this instance are not its */
		keel_lu_cmd_read(lu->page, &gen, &lu->last_seq);
	return lu->page != NULL;
}

static void park_until(struct lu_service *lu, uint32_t want, uint32_t *seq)
{
	unsigned long bits;
	while (pending(lu, seq) != want)
		keel_wait(lu->park, &bits);
}

void lu_successor_start(struct lu_service *lu)
{
	struct keel_lu_page *p = lu->page;
	uint32_t seq;
	char why[KEEL_LU_MESSAGE];
	if (!p || !lu->successor)
		return;
	answer(lu, LU_ST_READY, lu->last_seq);
	park_until(lu, LU_CMD_IMPORT, &seq);
	const void *payload;
	uint32_t format;
	size_t len;
	size_t record_len = p->record_len < sizeof(p->record) ? p->record_len : sizeof(p->record);
	if (keel_lu_record_open(p->record, record_len, lu->name, lu->format, &payload, &format,
	                        &len, why, sizeof(why)) == 0 &&
	    lu->import_state(lu->ctx, format, payload, len, why, sizeof(why)) == 0) {
		answer(lu, LU_ST_IMPORTED, seq);
		return;
	}
	snprintf(p->message, sizeof(p->message), "%s", why);
	answer(lu, LU_ST_REJECTED, seq);
	for (unsigned long bits;;) /* the coordinator has vmm destroy this instance */
		keel_wait(lu->park, &bits);
}

bool lu_restarted(struct lu_service *lu)
{
	char why[KEEL_LU_MESSAGE];
	if (!lu->restart)
		return false;
	if (lu->delay_us)
		keel_sleep(lu->delay_us);
	const struct keel_lu_ckpt_slot *s = lu->ckpt ? keel_lu_ckpt_newest(lu->ckpt) : NULL;
	if (!s) {
		printf("%s: restart %lu: no checkpoint, starting afresh\n", lu->name, lu->restart);
		return false;
	}
	if (s->format == 0 || s->format > lu->format) {
		printf("%s: restart %lu: checkpoint of state format %u, this build reads 1..%u: "
		       "starting afresh\n",
		       lu->name, lu->restart, s->format, lu->format);
		return false;
	}
	if (lu->import_state(lu->ctx, s->format, s->data, s->len, why, sizeof(why))) {
		printf("%s: restart %lu: checkpoint refused (%s): starting afresh\n", lu->name,
		       lu->restart, why);
		return false;
	}
	lu->ckpt_seq = s->seq;
	printf("%s: restart %lu: state of checkpoint %llu taken over\n", lu->name, lu->restart,
	       (unsigned long long)s->seq);
	return true;
}

void lu_checkpoint(struct lu_service *lu)
{
	size_t len = 0;
	if (!lu->ckpt)
		return;
	uint64_t seq = lu->ckpt_seq + 1;
	struct keel_lu_ckpt_slot *s = keel_lu_ckpt_begin(lu->ckpt, seq);
	if (lu->export_state(lu->ctx, lu->format, s->data, sizeof(s->data), &len))
		return; /* the slot stays empty: a restart takes the one before */
	keel_lu_ckpt_end(s, seq, lu->format, len);
	lu->ckpt_seq = seq;
}

void lu_serving(struct lu_service *lu)
{
	if (lu->page && lu->successor)
		lu->page->t_serving = now();
}

static void freeze(struct lu_service *lu, uint32_t seq)
{
	struct keel_lu_page *p = lu->page;
	uint32_t format = p->max_format < lu->format ? p->max_format : lu->format;
	uint8_t *payload = p->record + sizeof(struct keel_lu_record_hdr);
	size_t cap = sizeof(p->record) - sizeof(struct keel_lu_record_hdr), len = 0;
	p->t_frozen = now();
	if (format == 0 || lu->export_state(lu->ctx, format, payload, cap, &len)) {
		snprintf(p->message, sizeof(p->message),
		         "%s cannot write state format %u (it writes 1..%u)", lu->name,
		         p->max_format, lu->format);
		answer(lu, LU_ST_FAILED, seq);
		return;
	}
	p->record_len =
	        (uint32_t)keel_lu_record_seal(p->record, sizeof(p->record), lu->name, format, len);
	if (!p->record_len) {
		snprintf(p->message, sizeof(p->message), "%s: the state record does not fit",
		         lu->name);
		answer(lu, LU_ST_FAILED, seq);
		return;
	}
	answer(lu, LU_ST_FROZEN, seq);
	lu_park(lu);
}

void lu_park(struct lu_service *lu)
{
	uint32_t seq;
	/* Parked: destroyed on commit, or told to resume. */
	park_until(lu, LU_CMD_RESUME, &seq);
	answer(lu, LU_ST_RUNNING, seq);
}

void lu_handle(struct lu_service *lu)
{
	uint32_t seq;
	if (!lu->page)
		return;
	switch (pending(lu, &seq)) {
	case LU_CMD_HEALTH: answer(lu, LU_ST_HEALTHY, seq); break;
	case LU_CMD_FREEZE: freeze(lu, seq); break;
	case LU_CMD_FAULT:
		answer(lu, LU_ST_RUNNING, seq);
		printf("%s: faulting on purpose (keelctl service fault)\n", lu->name);
		__builtin_trap();
		break;
	default: break;
	}
}
