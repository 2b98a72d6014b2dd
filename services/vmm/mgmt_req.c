/* SPDX-License-Identifier: MIT */
/* The mailbox's request buffer (mgmt_req.h). Pure code. */
#include "mgmt_req.h"

#include <string.h>

void mgmt_req_begin(struct mgmt_req *r)
{
	r->fill = r->len = 0;
}

void mgmt_req_append(struct mgmt_req *r, uint32_t word)
{
	if (r->fill + 4 <= sizeof(r->buf))
		memcpy(&r->buf[r->fill], &word, 4);
	r->fill += 4; /* past the end: SUBMIT reports it */
}

void mgmt_req_set_len(struct mgmt_req *r, uint32_t len)
{
	r->len = len;
}

int mgmt_req_complete(const struct mgmt_req *r, struct mgmt_out *out)
{
	if (r->len > r->fill || r->len > sizeof(r->buf)) {
		mgmt_printf(out, "error request of %u bytes, %u received (at most %zu)\n", r->len,
		            r->fill, sizeof(r->buf));
		return -1;
	}
	return 0;
}
