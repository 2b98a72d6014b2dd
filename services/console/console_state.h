/* SPDX-License-Identifier: MIT */
/*
 * The console's state record for a live swap (keel/lifecycle.h): format 1
 * is struct console itself, which holds no pointer into the instance (the
 * UART and the channel are at the same addresses in every instance, which
 * vmm builds from one plan) and no capability that differs between them.
 * A record is taken only if every index in it is in range. Pure code,
 * tested on the host (unit.console_state).
 */
#ifndef CONSOLE_STATE_H
#define CONSOLE_STATE_H

#include "console.h"

#include <stddef.h>
#include <stdint.h>

int console_state_export(const struct console *c, uint32_t format, void *buf, size_t cap,
                         size_t *len);
int console_state_import(struct console *c, uint32_t format, const void *payload, size_t len,
                         char *why, size_t why_size);

#endif
