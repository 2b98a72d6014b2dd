/* SPDX-License-Identifier: MIT */
/*
 * Restart after a crash (docs/live-update.md, "Restart after a crash").
 *
 * A service with live-update checkpoints its state record after every
 * request that changed it (keel/live.h). When its instance faults, vmm
 * destroys it and builds a new one from the same plan and image, told to
 * start from the newest checkpoint. The exits its clients had queued on
 * its endpoint stay there for the new instance; the one it was handling
 * when it died was given back to its vCPU by the kernel, which makes the
 * access again (a store may then reach the device twice; nothing is lost).
 *
 * The system description says how often: restart-limit restarts within
 * restart-window-s, the first after restart-backoff-ms and each further
 * one in the window after twice the wait before. The new instance waits
 * out its back-off itself, so vmm goes on answering exits meanwhile.
 *
 * A service that is not restarted (past its limit, without live-update, or
 * that exited) stays down, with a message that says so, and vmm closes the
 * endpoints it served (EP_CLOSE): the exits queued there and every later
 * one fail at once, an MMIO access as where nothing is (an external abort
 * for the guest), instead of waiting for ever.
 */
#include "restart.h"
#include "swap.h"
#include "vmm.h"

#include <keel/service.h>
#include <stdio.h>

static unsigned long now_ticks(unsigned long *freq)
{
	unsigned long c = 0;
	keel_time(&c, freq);
	return c;
}

/* Counts this restart in s's window: false if it is over the limit. */
static bool within_limit(struct service *s, unsigned long *delay_us)
{
	const struct service_config *c = s->cfg;
	unsigned long freq = 1, t = now_ticks(&freq);
	if (!s->window_restarts || t - s->window_start > c->restart_window_s * freq) {
		s->window_start = t;
		s->window_restarts = 0;
	}
	if (s->window_restarts >= c->restart_limit)
		return false;
	unsigned shift = s->window_restarts < 7 ? s->window_restarts : 7;
	*delay_us = (c->restart_backoff_ms * 1000ul) << shift;
	if (*delay_us > 1000000ul)
		*delay_us = 1000000ul;
	s->window_restarts++;
	return true;
}

void service_down(struct service *s)
{
	s->given_up = true;
	for (unsigned k = 0; k < SERVICE_MAX_SERVED && s->served[k][0]; k++) {
		long err = keel_ep_close(named_object_slot(s->served[k], KEEL_OBJ_ENDPOINT, 0), 1);
		if (err)
			printf("service %s: cannot close endpoint %s: %s\n", s->name, s->served[k],
			       keel_strerror(err));
		else
			printf("service %s is down: exits to endpoint %s fail from now on\n",
			       s->name, s->served[k]);
	}
}

void restart_after_fault(struct service *s, const void *elf, size_t size, unsigned index)
{
	unsigned long delay_us = 0;
	if (swap_of(s))
		return; /* the swap's rollback decides */
	if (!s->cfg->restart_limit) {
		service_down(s);
		return;
	}
	if (!within_limit(s, &delay_us)) {
		printf("service %s crashed %u times within %lu s: not restarted again "
		       "(restart-limit %lu)\n",
		       s->name, s->window_restarts + 1, s->cfg->restart_window_s,
		       s->cfg->restart_limit);
		service_down(s);
		return;
	}
	const struct svc_image *img = s->cur.image;
	long err = instance_destroy(&s->cur);
	if (err) {
		printf("service %s: the crashed instance cannot be destroyed (%s): not restarted\n",
		       s->name, keel_strerror(err));
		service_down(s);
		return;
	}
	uint32_t gen = service_next_gen(s);
	const struct instance_start_args how = {ROLE_RESTART, s->restarts + 1, delay_us};
	err = instance_start(s, elf, size, gen, service_badge(index, gen), &how, &s->cur);
	if (err) {
		printf("service %s: cannot build a new instance (%s): not restarted\n", s->name,
		       keel_strerror(err));
		service_down(s);
		return;
	}
	s->cur.image = img;
	s->stopped = false;
	s->restarts++;
	printf("service %s restarted (generation %u, restart %u, %u of %lu in %lu s, back-off "
	       "%lu us)\n",
	       s->name, gen, s->restarts, s->window_restarts, s->cfg->restart_limit,
	       s->cfg->restart_window_s, delay_us);
}
