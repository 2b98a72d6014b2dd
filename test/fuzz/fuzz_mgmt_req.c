/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the management mailbox as the management VM drives it
 * (services/vmm/mgmt_req.c, mgmt_parse.c). The input is a sequence of
 * register writes, each one opcode byte and, for REQ_DATA and REQ_LEN, a
 * 32-bit value; every SUBMIT that the buffer accepts is parsed as vmm
 * would. The request buffer is a global with AddressSanitizer's red
 * zones around it, so any write outside it is reported.
 *
 * Opcode REPEAT writes the last value 2^k times more (k from the next
 * byte, at most 17: twice the buffer), so inputs reach the end of the
 * buffer; twice per input at most, to keep the runs fast. The wrap of the
 * count after 2^30 writes is unit.mgmt_req's.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mgmt_parse.h"
#include "mgmt_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { OP_BEGIN, OP_DATA, OP_LEN, OP_SUBMIT, OP_REPEAT, OP_COUNT };

static struct mgmt_out out;

static uint32_t take32(const uint8_t **p, const uint8_t *end)
{
	uint32_t v = 0;
	for (int i = 0; i < 4 && *p < end; i++)
		v |= (uint32_t) * (*p)++ << (8 * i);
	return v;
}

static void submit(const struct mgmt_req *r)
{
	struct mgmt_line l;
	char err[200];
	mgmt_out_reset(&out);
	if (mgmt_req_complete(r, &out))
		return;
	if (mgmt_parse(&l, r->buf, r->len, err, sizeof(err)) == 0) {
		/* What the commands read: the words and the payload. */
		mgmt_printf(&out, "ok %s %s %s %u\n", l.cmd, l.arg ? l.arg : "-",
		            l.arg2 ? l.arg2 : "-", l.payload_len);
		if (l.payload_len)
			out.buf[0] ^= l.payload[l.payload_len - 1];
	}
}

static void repeat(struct mgmt_req *r, unsigned k, uint32_t word)
{
	for (uint32_t i = 0; i < 1u << (k % 18); i++)
		mgmt_req_append(r, word);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mgmt_req req;
	struct mgmt_req *r = &req;
	const uint8_t *p = data, *end = data + size;
	uint32_t last = 0;
	unsigned repeats = 0;
	mgmt_req_begin(r);
	while (p < end) {
		switch (*p++ % OP_COUNT) {
		case OP_BEGIN: mgmt_req_begin(r); break;
		case OP_DATA:
			last = take32(&p, end);
			mgmt_req_append(r, last);
			break;
		case OP_LEN: mgmt_req_set_len(r, take32(&p, end)); break;
		case OP_SUBMIT: submit(r); break;
		case OP_REPEAT:
			if (repeats++ < 2)
				repeat(r, p < end ? *p : 0, last);
			p += p < end;
			break;
		}
	}
	submit(r);
	return 0;
}
