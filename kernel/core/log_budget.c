/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/log.h>
#include <keel/log_budget.h>
#include <keel/partition.h>
#include <keel/timer.h>

bool log_budget_take(struct log_budget *b, uint64_t now, uint64_t interval)
{
	uint64_t due = b->due > now ? b->due : now;

	if (due - now > (uint64_t)(LOG_BUDGET_BURST - 1) * interval) {
		b->dropped++;
		return false;
	}
	b->due = due + interval;
	return true;
}

void log_partition_line(struct partition *p, const char *line)
{
	uint64_t interval = us_to_ticks(LOG_BUDGET_LINE_US);

	if (!log_budget_take(&p->log_budget, arch_counter(), interval))
		return;
	if (p->log_budget.dropped) {
		log_warn(p->name,
		         "%u line(s) dropped: over its log budget (%u, then one per %u us)",
		         (unsigned)p->log_budget.dropped, LOG_BUDGET_BURST, LOG_BUDGET_LINE_US);
		p->log_budget.dropped = 0;
	}
	log_info(p->name, "%s", line);
}
