/* SPDX-License-Identifier: MIT */
#include <keel/endpoint.h>
#include <keel/fault.h>
#include <keel/log.h>
#include <keel/partition.h>

static const char *const kind_names[] = {"?", "memory fault", "fault", "exit"};

void fault_raise(struct thread *t, unsigned kind, uint64_t a, uint64_t b, uint64_t c)
{
	struct partition *p = t->partition;
	const char *what = kind < 4 ? kind_names[kind] : "?";

	if (kind == KEEL_FAULT_EXIT)
		log_info("fault", "%s thread %u: exit(%lld)", p->name, t->id, (long long)a);
	else
		log_warn("fault", "%s thread %u: %s, address 0x%llx pc 0x%llx esr 0x%llx; stopped",
		         p->name, t->id, what, (unsigned long long)a, (unsigned long long)b,
		         (unsigned long long)c);

	unsigned final = kind == KEEL_FAULT_EXIT ? KEEL_TS_EXITED : KEEL_TS_FAULTED;
	/* A server that dies owes its callers an answer: they get -KEEL_ESRCH. */
	thread_release_partners(t);
	if (!p->fault_ep) {
		thread_stop(t);
		thread_end(t, final);
		return;
	}
	uint64_t msg[KEEL_MSG_WORDS] = {kind, a, b, c, t->id, p->id};
	ep_send_fault(p->fault_ep, t, msg, p->fault_badge, final);
}
