/* SPDX-License-Identifier: MIT */
/*
 * How much a partition may write to the kernel log. Every line it logs
 * (printf through write/writev, DEBUG_PUTS) is formatted, copied into the
 * ring and, before the console service owns the UART, written to it, all
 * with the kernel lock held; so a partition gets a burst of
 * LOG_BUDGET_BURST lines, then one line every LOG_BUDGET_LINE_US (a bucket
 * kept as the time its next line is due, so a zeroed one is full). Lines
 * over the budget are dropped and counted; the next line that fits says
 * how many went.
 */
#ifndef KEEL_LOG_BUDGET_H
#define KEEL_LOG_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#define LOG_BUDGET_BURST   256
#define LOG_BUDGET_LINE_US 1000

struct log_budget {
	uint64_t due;     /* counter time the bucket is full again, minus one line */
	uint32_t dropped; /* lines refused since the last one logged */
};

/* Whether a line may be logged at counter `now`, lines `interval` ticks
 * apart at most on average; a refused line is counted in b->dropped. */
bool log_budget_take(struct log_budget *b, uint64_t now, uint64_t interval);

struct partition;
/* Log one line of partition p's output under its name, within its budget. */
void log_partition_line(struct partition *p, const char *line);

#endif
