/* SPDX-License-Identifier: MIT */
/* The management mailbox (mgmt.c) and its commands (mgmt_cmd.c). */
#ifndef VMM_MGMT_H
#define VMM_MGMT_H

#include <stdbool.h>
#include <stdint.h>

#define MGMT_REQ_MAX (256 * 1024)
#define MGMT_RSP_MAX 16384

enum mgmt_status {
	MGMT_STATUS_OK = 0,
	MGMT_STATUS_ERROR = 1,     /* the response's first line says why */
	MGMT_STATUS_MALFORMED = 2, /* the request itself was unusable */
};

struct mgmt_out {
	char buf[MGMT_RSP_MAX];
	uint32_t len;
};

void mgmt_out_reset(struct mgmt_out *o);
/* Appends; what does not fit is cut at a line boundary, never mid-record. */
void mgmt_printf(struct mgmt_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs one request: the command line, then for `create` the payload. */
enum mgmt_status mgmt_run(const uint8_t *req, uint32_t len, struct mgmt_out *o);

struct vm;
/* Gives the management VM its mailbox (the route to vmm). */
void mgmt_attach(struct vm *v);

#endif
