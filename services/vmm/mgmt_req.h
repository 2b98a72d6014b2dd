/* SPDX-License-Identifier: MIT */
/*
 * The mailbox's request buffer (docs/management.md): what BEGIN, REQ_DATA,
 * REQ_LEN and SUBMIT do to it, apart from running the request. Pure, so
 * the host unit tests and the fuzzer drive it as the guest would.
 */
#ifndef VMM_MGMT_REQ_H
#define VMM_MGMT_REQ_H

#include "mgmt.h"

#include <stdint.h>

struct mgmt_req {
	uint8_t buf[MGMT_REQ_MAX];
	uint32_t fill; /* bytes written through REQ_DATA */
	uint32_t len;  /* declared length (REQ_LEN) */
};

void mgmt_req_begin(struct mgmt_req *r);
/* REQ_DATA: one little-endian word; what does not fit is counted, not kept. */
void mgmt_req_append(struct mgmt_req *r, uint32_t word);
void mgmt_req_set_len(struct mgmt_req *r, uint32_t len);
/* SUBMIT: 0 when the request can run (its bytes are buf[0..len)), or -1
 * with the reason for the guest (STATUS 2) in `out`. */
int mgmt_req_complete(const struct mgmt_req *r, struct mgmt_out *out);

#endif
