/* SPDX-License-Identifier: MIT */
/*
 * The live-update protocol (docs/live-update.md): how the coordinator
 * (services/liveupdate) swaps a running service for a new build while its
 * clients keep their capabilities and their queued messages.
 *
 * Every service that can be swapped (`live-update = "NTFN";` in its
 * config, NTFN being the notification it sleeps on) has a lifecycle page,
 * shared by vmm's plan between the service's instances and the
 * coordinator, and two park notifications: instance generation g parks on
 * park[g % 2], so the old and the new instance never wake each other. The
 * coordinator writes a command into the page and signals the instance:
 * the running one through its own notification with the bit KEEL_LU_BADGE
 * (it looks at the page whenever a wake-up carries that bit, which is
 * always at its receive point: nothing half done), a parked or starting
 * one through its park notification. The instance answers in the page.
 * The coordinator polls the page against its deadlines, so a service that
 * hangs costs a timeout, never a stuck coordinator.
 *
 *   new instance N starts (argv lu.successor=1)  -> READY
 *   coordinator: FREEZE -> old instance O        -> O writes its state
 *                                                   record, FROZEN, parks
 *   coordinator: IMPORT -> N                     -> N reads and converts
 *                                                   it: IMPORTED or REJECTED
 *   coordinator: HEALTH -> N (serving by now)    -> HEALTHY
 *   commit: vmm destroys O. Failure at any step: vmm destroys N, then
 *   RESUME -> O, which goes on exactly where it stopped  -> RUNNING
 *
 * vmm and the coordinator share a control page (struct keel_lu_ctl): vmm
 * posts a request and signals the coordinator's notification with
 * KEEL_LU_REQUEST; the coordinator posts results and signals the
 * notification bound to vmm's endpoint. Neither ever waits for the other
 * in an IPC call, so neither can deadlock the other.
 *
 * Pure header: vmm, the services and the host unit tests include it.
 */
#ifndef KEEL_LIFECYCLE_H
#define KEEL_LIFECYCLE_H

#include <stddef.h>
#include <stdint.h>

#define KEEL_LU_BADGE   (1ul << 30) /* a command waits in the lifecycle page */
#define KEEL_LU_REQUEST (1ul << 29) /* the coordinator: vmm posted in the control page */

#define KEEL_LU_PAGE_SIZE  0x10000u /* 64 KiB */
#define KEEL_LU_CTL_SIZE   4096u
#define KEEL_LU_MESSAGE    96
#define KEEL_LU_RECORD_MAX (KEEL_LU_PAGE_SIZE - 256)

enum keel_lu_cmd {
	LU_CMD_NONE = 0,
	LU_CMD_FREEZE = 1, /* old: stop at the receive point, write the state record */
	LU_CMD_IMPORT = 2, /* new: read the record, then serve */
	LU_CMD_HEALTH = 3, /* new: answer from the serving loop */
	LU_CMD_RESUME = 4, /* old: the swap failed, go on as before */
	LU_CMD_FAULT = 5,  /* vmm: fault on purpose (keelctl service fault, a test aid) */
};

enum keel_lu_status {
	LU_ST_NONE = 0,
	LU_ST_READY = 1,    /* new: started, waiting for IMPORT */
	LU_ST_FROZEN = 2,   /* old: record written, parked */
	LU_ST_IMPORTED = 3, /* new: record taken, serving */
	LU_ST_REJECTED = 4, /* new: record refused (message says why) */
	LU_ST_HEALTHY = 5,  /* new: answered HEALTH */
	LU_ST_RUNNING = 6,  /* old: resumed */
	LU_ST_FAILED = 7,   /* old: cannot write a record the new one reads */
};

/* One service's lifecycle page. Each field has one writer: the
 * coordinator (cmd*) or the instance the command is for (status*). */
struct keel_lu_page {
	/* The command, its instance and its sequence number in one word
	 * (keel_lu_cmd_post, keel_lu_cmd_read), so that no reader sees one
	 * command's number with another's meaning. Coordinator (vmm once the
	 * coordinator is out of the swap). */
	uint64_t cmd_word;
	uint32_t max_format; /* FREEZE: newest format the new one reads */
	uint32_t pad;
	uint32_t status, status_gen, status_seq;
	uint32_t record_len; /* bytes of record[] in use (header included) */
	uint64_t t_frozen;   /* counter: the old instance stopped serving */
	uint64_t t_serving;  /* counter: the new one is about to serve */
	char message[KEEL_LU_MESSAGE];
	uint8_t reserved[256 - 48 - KEEL_LU_MESSAGE];
	uint8_t record[KEEL_LU_RECORD_MAX];
};
_Static_assert(sizeof(struct keel_lu_page) == KEEL_LU_PAGE_SIZE, "lifecycle page layout");

/* cmd_word: sequence number (bits 63..32), generation (31..8), command (7..0). */
static inline void keel_lu_cmd_post(struct keel_lu_page *p, uint32_t cmd, uint32_t gen)
{
	uint64_t old = __atomic_load_n(&p->cmd_word, __ATOMIC_RELAXED);
	uint64_t seq = (old >> 32) + 1;
	__atomic_store_n(&p->cmd_word, seq << 32 | (uint64_t)(gen & 0xffffff) << 8 | (cmd & 0xff),
	                 __ATOMIC_SEQ_CST);
}

static inline uint32_t keel_lu_cmd_read(const struct keel_lu_page *p, uint32_t *gen, uint32_t *seq)
{
	uint64_t w = __atomic_load_n(&p->cmd_word, __ATOMIC_SEQ_CST);
	*seq = (uint32_t)(w >> 32);
	*gen = (uint32_t)(w >> 8) & 0xffffff;
	return (uint32_t)w & 0xff;
}

/* --- checkpoints ---------------------------------------------------------- */

/* A service restarted after a crash (docs/live-update.md, "Restart after
 * a crash") starts from its last checkpoint: the state record it writes
 * at its receive point after every request that changed its state, into a
 * frame of its plan that outlives its instances. Two slots, written in
 * turn: a slot's seq is cleared before it is overwritten and set after,
 * so a crash in the middle of a write leaves the other slot, one request
 * older, as the newest whole one. */
#define KEEL_LU_CKPT_SIZE     0x30000u /* 192 KiB: two slots */
#define KEEL_LU_CKPT_SLOT     (KEEL_LU_CKPT_SIZE / 2)
#define KEEL_LU_CKPT_DATA_MAX (KEEL_LU_CKPT_SLOT - 16)

struct keel_lu_ckpt_slot {
	uint64_t seq; /* 0: empty or being written */
	uint32_t format, len;
	uint8_t data[KEEL_LU_CKPT_DATA_MAX];
};
struct keel_lu_ckpt {
	struct keel_lu_ckpt_slot slot[2];
};
_Static_assert(sizeof(struct keel_lu_ckpt) == KEEL_LU_CKPT_SIZE, "checkpoint layout");
/* The frame of a service's lifecycle page and its checkpoints. */
#define KEEL_LU_FRAME_SIZE (KEEL_LU_PAGE_SIZE + KEEL_LU_CKPT_SIZE)

/* Writing checkpoint number seq (1, 2, ...): begin empties its slot and
 * returns it, the caller writes data, end publishes it. Pure. */
struct keel_lu_ckpt_slot *keel_lu_ckpt_begin(struct keel_lu_ckpt *c, uint64_t seq);
void keel_lu_ckpt_end(struct keel_lu_ckpt_slot *s, uint64_t seq, uint32_t format, size_t len);
/* The slot holding the newest whole checkpoint, or NULL. Pure. */
const struct keel_lu_ckpt_slot *keel_lu_ckpt_newest(const struct keel_lu_ckpt *c);

/* --- vmm <-> coordinator ------------------------------------------------ */

enum keel_lu_result {
	LU_RES_NONE = 0,
	LU_RES_COMMIT = 1,      /* destroy the old instance: the new one serves */
	LU_RES_KILL_NEW = 2,    /* destroy the new instance, then tell me (kill_seq) */
	LU_RES_ROLLED_BACK = 3, /* done: the old instance serves as before */
};

enum keel_lu_phase {
	LU_PH_START = 0, /* waiting for the new instance to be READY */
	LU_PH_FREEZE = 1,
	LU_PH_IMPORT = 2,
	LU_PH_HEALTH = 3,
	LU_PH_COMMIT = 4,
	LU_PH_ROLLBACK = 5,
};

/* What vmm tells the coordinator about one swap; slots are the coordinator's. */
struct keel_lu_target {
	char name[16];
	uint64_t page_va;   /* the target's lifecycle page */
	uint64_t main_ntfn; /* its own notification, minted with KEEL_LU_BADGE */
	uint64_t park[2];   /* its park notifications */
	uint32_t old_gen, new_gen;
	uint32_t new_format; /* the new image's state-format version */
	uint32_t is_self;    /* the target is the coordinator */
};

struct keel_lu_ctl {
	/* vmm */
	uint32_t req_seq;
	struct keel_lu_target t;
	uint32_t new_fault; /* the new instance faulted; fault_msg says how */
	uint32_t kill_seq;  /* bumped when vmm destroyed the new instance */
	char fault_msg[KEEL_LU_MESSAGE];
	/* coordinator */
	uint32_t phase; /* enum keel_lu_phase: where the swap is */
	uint32_t result, result_seq;
	uint32_t result_req; /* the request the result is for */
	char message[192];
	uint64_t t_start, t_ready, t_frozen, t_imported, t_serving, t_healthy, t_end;
	uint32_t swaps, rollbacks; /* since boot, carried across its own swaps */
	uint32_t record_format;    /* the format the state went over in */
};
_Static_assert(sizeof(struct keel_lu_ctl) <= KEEL_LU_CTL_SIZE, "control page layout");

/* --- the state record ----------------------------------------------------- */

#define KEEL_LU_RECORD_MAGIC 0x52554c4bu /* "KLUR" */

struct keel_lu_record_hdr {
	uint32_t magic, format, len, crc; /* len: payload bytes; crc: CRC-32 of them */
	char service[16];
};

/* Seals the payload already written at buf + sizeof(hdr): header, CRC.
 * Returns the record's total length, or 0 if it does not fit in cap. */
size_t keel_lu_record_seal(void *buf, size_t cap, const char *service, uint32_t format,
                           size_t payload_len);

/* Checks a record of `len` bytes for `service` whose format is at most
 * max_format; 0 with *payload, *format and *payload_len, or -1 with why. */
int keel_lu_record_open(const void *buf, size_t len, const char *service, uint32_t max_format,
                        const void **payload, uint32_t *format, size_t *payload_len, char *why,
                        size_t why_size);

#endif
