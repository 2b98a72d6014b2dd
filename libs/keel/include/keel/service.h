/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SERVICE_H
#define KEEL_SERVICE_H

#include <keel/sys.h>
#include <stdbool.h>

/*
 * Handles one request: reads *msg, writes the reply into it and returns
 * whether to send that reply (false: the caller stays blocked, e.g. to be
 * answered later by another path).
 */
typedef bool (*keel_handler_fn)(void *state, unsigned long badge, struct keel_msg *msg);

/* Serves requests on endpoint slot ep; returns only when receiving fails. */
int keel_serve(unsigned long ep, keel_handler_fn fn, void *state);

/* "EINVAL" for KEEL_EINVAL or -KEEL_EINVAL, "OK" for 0. */
const char *keel_strerror(long err);

/* Services learn their capability slots and settings from vmm as argv
 * entries "key=value" (docs/abi.md); the value of `key`, or `fallback`. */
long keel_arg(int argc, char **argv, const char *key, long fallback);

#endif
