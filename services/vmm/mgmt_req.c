/* SPDX-License-Identifier: MIT */
/* The mailbox's request buffer (mgmt_req.h). Pure code. */
#include "mgmt_req.h"

#include <string.h>

void mgmt_req_begin(struct mgmt_req *r)
{
	r->fill = r->len = 0;
}

/* The count stops one word past the buffer: enough for SUBMIT to refuse
 * the request, and a guest writing forever cannot wrap it back to 0. */
void mgmt_req_append(struct mgmt_req *r, uint32_t word)
{
	if (r->fill <= sizeof(r->buf) - 4)
		memcpy(&r->buf[r->fill], &word, 4);
	if (r->fill <= sizeof(r->buf))
		r->fill += 4;
}

void mgmt_req_set_len(struct mgmt_req *r, uint32_t len)
{
	r->len = len;
}

int mgmt_req_complete(const struct mgmt_req *r, struct mgmt_out *out)
{
	if (r->fill > sizeof(r->buf)) {
		mgmt_printf(out, "error request of more than %zu bytes\n", sizeof(r->buf));
		return -1;
	}
	if (r->len > r->fill) {
		mgmt_printf(out, "error request of %u bytes, %u received (at most %zu)\n", r->len,
		            r->fill, sizeof(r->buf));
		return -1;
	}
	return 0;
}
