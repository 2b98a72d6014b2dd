/* SPDX-License-Identifier: MIT */
/*
 * Live update, vmm's part (docs/live-update.md, keel/lifecycle.h). vmm
 * keeps the service images, builds the new instance of a service from the
 * same plan as the running one (same capabilities in the same slots, same
 * mappings and argv) and destroys whichever instance loses. The protocol
 * itself, freeze, state transfer, health check and the decision, is the
 * coordinator's (services/liveupdate), which vmm never waits for: it posts
 * a request in the control page and goes back to its loop; results arrive
 * as signals on its endpoint.
 */
#include "swap.h"
#include "memory.h"
#include "vmm.h"

#include <keel/lifecycle.h>
#include <keel/service.h>
#include <keel/why.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VMM_LU_CTL_VA   0x38000000ul
#define VMM_LU_PAGES_VA 0x38100000ul /* each live service's lifecycle frame, in turn */
#define IMAGES_MAX      8
/* vmm's own deadline for a swap, far past the coordinator's: past it, vmm
 * takes the coordinator for hung and rolls back itself. */
#define SWAP_DEADLINE_S 30

static struct svc_image boot_images[SERVICE_MAX], deployed[IMAGES_MAX];
static unsigned boot_count, deployed_next;

static struct keel_lu_ctl *ctl;
static unsigned long park[2], request_ntfn;
static struct keel_lu_page *pages[SERVICE_MAX]; /* vmm's view, by service index */
static struct {
	struct service *s;
	uint32_t result_seen;
	uint32_t req;          /* the request posted for it */
	unsigned long started; /* counter */
} active;
static struct swap_report reports[SERVICE_MAX];

static unsigned long to_us(uint64_t ticks)
{
	unsigned long freq = 1;
	keel_time(NULL, &freq);
	return (unsigned long)(ticks * 1000000ull / (freq ? freq : 1));
}

/* ---- images --------------------------------------------------------------- */

static void image_fill(struct svc_image *i, const struct keel_svcimg *h)
{
	i->h = *h;
	keel_svcimg_build_hex(h, i->build);
}

const struct svc_image *image_boot(const void *buf, size_t len)
{
	struct keel_svcimg h;
	char why[120];
	if (!keel_svcimg_is_image(buf, len) || boot_count == SERVICE_MAX)
		return NULL;
	if (keel_svcimg_parse(buf, len, &h, why, sizeof(why))) {
		printf("boot image: %s\n", why);
		return NULL;
	}
	image_fill(&boot_images[boot_count], &h);
	return &boot_images[boot_count++];
}

static bool image_in_use(const struct svc_image *img)
{
	for (unsigned i = 0; service_at(i); i++) {
		const struct service *s = service_at(i);
		if (s->cur.image == img || s->next.image == img || s->prev == img)
			return true;
	}
	return false;
}

/* elf_check reads the ELF through aligned structures; a deployed image
 * follows the command line at any offset, so it is checked as a copy. */
static bool elf_acceptable(const void *elf, size_t size)
{
	const Elf64_Ehdr *eh;
	void *copy = malloc(size ? size : 1);
	if (copy)
		memcpy(copy, elf, size);
	bool ok = copy && !elf_check(copy, size, &eh);
	free(copy);
	return ok;
}

const struct svc_image *image_deploy(const void *buf, size_t len, char *why, size_t why_size)
{
	struct keel_svcimg h;
	if (keel_svcimg_parse(buf, len, &h, why, why_size))
		return NULL;
	const struct service *s = service_named(h.name);
	if (!s || !s->cur.partition_slot) {
		snprintf(why, why_size, "no service '%s' runs here", h.name);
		return NULL;
	}
	if (!s->live || !(h.flags & KEEL_SVCIMG_LIVE)) {
		snprintf(why, why_size, "%s cannot be swapped live (no live-update in %s)", h.name,
		         s->live ? "the image" : "its config");
		return NULL;
	}
	if (!elf_acceptable(h.elf, h.elf_size)) {
		snprintf(why, why_size, "the image's ELF is not a static AArch64 executable");
		return NULL;
	}
	struct svc_image probe;
	image_fill(&probe, &h);
	for (unsigned i = 0; i < IMAGES_MAX; i++)
		if (deployed[i].copy && !strcmp(deployed[i].build, probe.build) &&
		    !strcmp(deployed[i].h.name, h.name) &&
		    !strcmp(deployed[i].h.version, h.version))
			return &deployed[i];
	for (unsigned tries = 0; tries < IMAGES_MAX; tries++) {
		struct svc_image *slot = &deployed[deployed_next];
		deployed_next = (deployed_next + 1) % IMAGES_MAX;
		if (slot->copy && image_in_use(slot))
			continue;
		void *copy = malloc(h.elf_size);
		if (!copy) {
			snprintf(why, why_size, "no memory left in vmm for the image");
			return NULL;
		}
		memcpy(copy, h.elf, h.elf_size);
		free(slot->copy);
		probe.h.elf = copy;
		*slot = probe;
		slot->copy = copy;
		return slot;
	}
	snprintf(why, why_size, "all %d image slots hold images in use", IMAGES_MAX);
	return NULL;
}

/* ---- set-up ---------------------------------------------------------------- */

static unsigned index_of(const struct service *s);

uint32_t service_next_gen(struct service *s)
{
	/* Never used before, of the other parity than the running one's (its
	 * park notification and fault badge): answers a failed attempt left
	 * in the page are never taken for this one's. */
	uint32_t gen = s->last_gen + 1 + ((s->last_gen + 1) % 2 == s->cur.gen % 2);
	s->last_gen = gen;
	return gen;
}

bool swap_of(const struct service *s)
{
	return active.s == s;
}

int service_fault_post(struct service *s, char *why, size_t why_size)
{
	struct keel_lu_page *p = pages[index_of(s)];
	if (!p)
		return keel_why(why, why_size, "%s cannot be told to fault (no live-update)",
		                s->name);
	if (active.s)
		return keel_why(why, why_size, "a swap of %s is under way", active.s->name);
	if (s->stopped)
		return keel_why(why, why_size, "%s is not running", s->name);
	/* Its own notification, badged as the coordinator's commands are;
	 * minted for the moment (vmm's slots are few). */
	unsigned long slot = slot_alloc();
	long err =
	        slot ? keel_cap_mint(named_object_slot(s->cfg->live_ntfn, KEEL_OBJ_NOTIFICATION, 0),
	                             0, slot, KEEL_R_WRITE, KEEL_LU_BADGE)
	             : -KEEL_ENOMEM;
	if (!err) {
		keel_lu_cmd_post(p, LU_CMD_FAULT, s->cur.gen);
		keel_signal(slot);
		keel_cap_delete(slot);
	}
	slot_free(slot);
	return err ? keel_why(why, why_size, "cannot signal %s: %s", s->name, keel_strerror(err))
	           : 0;
}

static long make(unsigned type, unsigned long size, unsigned long *slot)
{
	*slot = slot_alloc();
	return *slot ? keel_retype(KEEL_ROOT_SLOT_UNTYPED, type, size, 0, *slot) : -KEEL_ENOMEM;
}

static unsigned index_of(const struct service *s)
{
	unsigned i = 0;
	while (service_at(i) && service_at(i) != s)
		i++;
	return i;
}

static long setup_service(struct service *s)
{
	char name[24];
	snprintf(name, sizeof(name), "lu.%s", s->name);
	s->lu_page = named_object_slot(name, KEEL_OBJ_FRAME, KEEL_LU_FRAME_SIZE);
	if (!named_object_slot(s->cfg->live_ntfn, KEEL_OBJ_NOTIFICATION, 0) || !s->lu_page)
		return -KEEL_ENOMEM;
	s->page_va = plan_map_shm(&s->plan, s->lu_page, KEEL_LU_FRAME_SIZE);
	if (!s->page_va)
		return -KEEL_ENOMEM;
	/* Its checkpoints follow the page in the same frame: vmm's cspace
	 * has 64 slots, and a frame of their own would take one more per
	 * service. */
	s->ckpt_va = s->page_va + KEEL_LU_PAGE_SIZE;
	unsigned i = index_of(s);
	unsigned long va = VMM_LU_PAGES_VA + i * (unsigned long)KEEL_LU_FRAME_SIZE;
	long err = keel_frame_map(s->lu_page, 0, va, KEEL_R_READ | KEEL_R_WRITE);
	if (err)
		return err;
	pages[i] = (struct keel_lu_page *)va;
	s->park[0] = park[0];
	s->park[1] = park[1];
	s->live = true;
	return plan_add_cap(&s->plan, park[0], KEEL_R_READ, 0, true, NULL);
}

/* The coordinator's share: the control page, vmm's notification, the park
 * notifications, and each live service's page and own notification. */
static long setup_coordinator(struct service *c, unsigned long vmm_ntfn, unsigned long ctl_frame)
{
	struct plan *p = &c->plan;
	unsigned long slot, va = plan_map_shm(p, ctl_frame, KEEL_LU_CTL_SIZE);
	long err = va ? 0 : -KEEL_ENOMEM;
	plan_add_arg(p, "lu.ctl", va);
	if (!err && !(err = plan_add_cap(p, vmm_ntfn, KEEL_R_WRITE, 0, false, &slot)))
		plan_add_arg(p, "lu.vmm", slot);
	for (unsigned k = 0; k < 2 && !err; k++)
		err = plan_add_cap(p, park[k], KEEL_R_WRITE, 0, false, &c->coord_park[k]);
	for (unsigned i = 0; service_at(i) && !err; i++) {
		struct service *s = service_at(i);
		if (!s->live)
			continue;
		err = plan_add_cap(p,
		                   named_object_slot(s->cfg->live_ntfn, KEEL_OBJ_NOTIFICATION, 0),
		                   KEEL_R_WRITE, KEEL_LU_BADGE, false, &s->coord_main);
		if (!err)
			s->coord_page_va = plan_map_shm(p, s->lu_page, KEEL_LU_FRAME_SIZE);
		if (!err && !s->coord_page_va)
			err = -KEEL_ENOMEM;
	}
	if (!err) {
		request_ntfn = slot_alloc();
		err = request_ntfn ? keel_cap_mint(named_object_slot(c->cfg->live_ntfn,
		                                                     KEEL_OBJ_NOTIFICATION, 0),
		                                   0, request_ntfn, KEEL_R_WRITE, KEEL_LU_REQUEST)
		                   : -KEEL_ENOMEM;
	}
	return err;
}

long swap_setup(void)
{
	struct service *c = service_named("liveupdate");
	unsigned long ctl_frame, vmm_ntfn;
	if (!c || !c->cfg->live_ntfn)
		return 0; /* no coordinator: nothing is swapped */
	long err = make(KEEL_OBJ_NOTIFICATION, 0, &park[0]);
	if (!err)
		err = make(KEEL_OBJ_NOTIFICATION, 0, &park[1]);
	if (!err)
		err = make(KEEL_OBJ_FRAME, KEEL_LU_CTL_SIZE, &ctl_frame);
	if (!err)
		err = keel_frame_map(ctl_frame, 0, VMM_LU_CTL_VA, KEEL_R_READ | KEEL_R_WRITE);
	if (!err)
		err = make(KEEL_OBJ_NOTIFICATION, 0, &vmm_ntfn);
	if (!err)
		err = keel_ep_bind(VMM_SLOT_FAULT_EP, vmm_ntfn);
	for (unsigned i = 0; service_at(i) && !err; i++)
		if (service_at(i)->cfg->live_ntfn)
			err = setup_service(service_at(i));
	if (!err)
		err = setup_coordinator(c, vmm_ntfn, ctl_frame);
	if (err) {
		printf("live update unavailable: %s\n", keel_strerror(err));
		return err;
	}
	ctl = (struct keel_lu_ctl *)VMM_LU_CTL_VA;
	return 0;
}

/* ---- swaps ----------------------------------------------------------------- */

bool swap_busy(void)
{
	return active.s != NULL;
}

static uint32_t post(void)
{
	uint32_t req = ctl->req_seq + 1;
	__atomic_store_n(&ctl->req_seq, req, __ATOMIC_SEQ_CST); /* one writer */
	keel_signal(request_ntfn);
	return req;
}

int swap_begin(struct service *s, const struct svc_image *img, char *why, size_t why_size)
{
	struct service *c = service_named("liveupdate");
	if (!ctl || !c || !c->cur.partition_slot || c->stopped)
		return keel_why(why, why_size, "no live-update coordinator runs");
	if (!s->live)
		return keel_why(why, why_size, "%s cannot be swapped live", s->name);
	if (active.s)
		return keel_why(why, why_size, "a swap of %s is under way", active.s->name);
	if (s->next.block)
		return keel_why(why, why_size,
		                "an earlier new instance of %s could not be destroyed", s->name);
	if (strcmp(img->h.name, s->name) != 0)
		return keel_why(why, why_size, "the image is %s's, not %s's", img->h.name, s->name);
	uint32_t gen = service_next_gen(s);
	unsigned long t0 = 0, t1 = 0;
	keel_time(&t0, NULL);
	const struct instance_start_args successor = {ROLE_SUCCESSOR, 0, 0};
	long err = instance_start(s, img->h.elf, img->h.elf_size, gen,
	                          service_badge(index_of(s), gen), &successor, &s->next);
	keel_time(&t1, NULL);
	if (err)
		return keel_why(why, why_size, "cannot build the new instance of %s: %s", s->name,
		                keel_strerror(err));
	s->next.image = img;
	struct keel_lu_target *t = &ctl->t;
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", s->name);
	t->page_va = s->coord_page_va;
	t->main_ntfn = s->coord_main;
	t->park[0] = c->coord_park[0];
	t->park[1] = c->coord_park[1];
	t->old_gen = s->cur.gen;
	t->new_gen = gen;
	t->new_format = img->h.state_version;
	t->is_self = s == c;
	ctl->new_fault = 0;
	ctl->fault_msg[0] = '\0';
	struct swap_report *r = &reports[index_of(s)];
	memset(r, 0, sizeof(*r));
	r->state = SWAP_RUNNING;
	snprintf(r->from, sizeof(r->from), "%s", s->cur.image ? s->cur.image->h.version : "?");
	snprintf(r->to, sizeof(r->to), "%s", img->h.version);
	r->build_us = to_us(t1 - t0);
	active.s = s;
	active.result_seen = ctl->result_seq;
	keel_time(&active.started, NULL);
	printf("swapping %s %s -> %s\n", s->name, r->from, r->to);
	active.req = post();
	return 0;
}

int swap_rollback(struct service *s, char *why, size_t why_size)
{
	if (!s->prev)
		return keel_why(why, why_size, "%s has no earlier version to go back to", s->name);
	return swap_begin(s, s->prev, why, why_size);
}

static void swap_abort(const char *why);

static void finish(struct service *s, enum swap_state state)
{
	struct swap_report *r = &reports[index_of(s)];
	r->state = state;
	r->swaps = ctl->swaps;
	r->rollbacks = ctl->rollbacks;
	if (state == SWAP_COMMITTED) {
		/* The coordinator's successor serves before its predecessor
		 * freezes (it swaps itself): nobody waited. */
		r->pause_us =
		        ctl->t_serving > ctl->t_frozen ? to_us(ctl->t_serving - ctl->t_frozen) : 0;
		r->total_us = to_us(ctl->t_end - ctl->t_start);
		printf("swapped %s %s -> %s: guest pause %lu us, swap %lu us (built in %lu us, old "
		       "one "
		       "destroyed in %lu us; state format %u; ready +%lu, frozen +%lu, imported "
		       "+%lu, "
		       "healthy +%lu us)\n",
		       s->name, r->from, r->to, r->pause_us, r->total_us, r->build_us,
		       r->destroy_us, ctl->record_format, to_us(ctl->t_ready - ctl->t_start),
		       to_us(ctl->t_frozen - ctl->t_start), to_us(ctl->t_imported - ctl->t_start),
		       to_us(ctl->t_healthy - ctl->t_start));
	} else {
		snprintf(r->message, sizeof(r->message), "%s", ctl->message);
		printf("swap of %s to %s rolled back: %s\n", s->name, r->to, r->message);
	}
	active.s = NULL;
}

void swap_signal(void)
{
	struct service *s = active.s;
	if (!s || !ctl)
		return;
	uint32_t seq = __atomic_load_n(&ctl->result_seq, __ATOMIC_SEQ_CST);
	if (seq == active.result_seen)
		return;
	active.result_seen = seq;
	if (ctl->result_req != active.req)
		return; /* a late answer to a swap vmm already ended */
	if (ctl->result == LU_RES_COMMIT && __atomic_load_n(&ctl->new_fault, __ATOMIC_SEQ_CST)) {
		/* Healthy, then dead before vmm saw the commit: the old one is
		 * still parked with its state. */
		char why[KEEL_LU_MESSAGE + 64];
		snprintf(why, sizeof(why), "new version crashed right after its health check: %s",
		         ctl->fault_msg);
		swap_abort(why);
		return;
	}
	switch (ctl->result) {
	case LU_RES_COMMIT: {
		const struct svc_image *old = s->cur.image;
		unsigned long t0 = 0, t1 = 0;
		keel_time(&t0, NULL);
		long err = instance_destroy(&s->cur);
		keel_time(&t1, NULL);
		reports[index_of(s)].destroy_us = to_us(t1 - t0);
		if (err)
			printf("swap of %s: old instance not destroyed: %s\n", s->name,
			       keel_strerror(err));
		s->cur = s->next;
		memset(&s->next, 0, sizeof(s->next));
		s->prev = old;
		s->stopped = false;
		finish(s, SWAP_COMMITTED);
		break;
	}
	case LU_RES_KILL_NEW:
		instance_destroy(&s->next);
		__atomic_store_n(&ctl->kill_seq, ctl->kill_seq + 1, __ATOMIC_SEQ_CST);
		keel_signal(request_ntfn);
		break;
	case LU_RES_ROLLED_BACK:
		if (s->next.block) /* the coordinator gave up before asking */
			instance_destroy(&s->next);
		finish(s, SWAP_ROLLED_BACK);
		break;
	default: break;
	}
}

/* The coordinator is gone or hung: vmm ends the swap itself, as the
 * coordinator would have, from the page it shares: the new instance is
 * destroyed and the old one told to resume (if it was frozen, it goes on;
 * if not, it ignores the command). */
static void swap_abort(const char *why)
{
	struct service *s = active.s;
	struct keel_lu_page *p = pages[index_of(s)];
	instance_destroy(&s->next);
	if (p) {
		keel_lu_cmd_post(p, LU_CMD_RESUME, s->cur.gen);
		keel_signal(s->park[s->cur.gen % 2]);
	}
	snprintf(ctl->message, sizeof(ctl->message), "%s", why);
	finish(s, SWAP_ROLLED_BACK);
}

void swap_coordinator_stopped(void)
{
	if (active.s)
		swap_abort("the coordinator stopped during the swap");
}

void swap_check_deadline(void)
{
	unsigned long now = 0, freq = 1;
	keel_time(&now, &freq);
	if (!active.s || now - active.started <= SWAP_DEADLINE_S * freq)
		return;
	/* Hung: it gets no more requests (its late answers are ignored). */
	struct service *c = service_named("liveupdate");
	if (c)
		c->stopped = true;
	swap_abort("the coordinator did not finish within 30 s");
}

bool swap_fault(unsigned long badge, const struct keel_msg *m)
{
	struct service *s = active.s;
	if (!s || !s->next.block || badge != service_badge(index_of(s), s->next.gen))
		return false;
	if (m->w[0] == KEEL_FAULT_EXIT)
		snprintf(ctl->fault_msg, sizeof(ctl->fault_msg), "exited with status %ld",
		         (long)m->w[1]);
	else if (m->w[0] == KEEL_FAULT_MEMORY)
		snprintf(ctl->fault_msg, sizeof(ctl->fault_msg), "memory fault at 0x%lx (pc 0x%lx)",
		         m->w[1], m->w[2]);
	else
		snprintf(ctl->fault_msg, sizeof(ctl->fault_msg), "fault, esr 0x%lx (pc 0x%lx)",
		         m->w[1], m->w[2]);
	__atomic_store_n(&ctl->new_fault, 1, __ATOMIC_SEQ_CST);
	printf("new %s %s: %s\n", s->name, s->next.image->h.version, ctl->fault_msg);
	return true;
}

void swap_report(const struct service *s, struct swap_report *r)
{
	*r = reports[index_of(s)];
	if (r->state == SWAP_RUNNING && ctl) {
		static const char *const phases[] = {"start",  "freeze", "import",
		                                     "health", "commit", "rollback"};
		uint32_t ph = ctl->phase;
		r->phase = ph < sizeof(phases) / sizeof(phases[0]) ? phases[ph] : "?";
	}
}
