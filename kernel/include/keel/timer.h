/* SPDX-License-Identifier: MIT */
#ifndef KEEL_TIMER_H
#define KEEL_TIMER_H

/* Called by the arch layer, in interrupt context, when this CPU's deadline passes. */
void timer_expired(void);

#endif
