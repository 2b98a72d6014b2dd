/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: keelctl's side of the management mailbox
 * (services/keelctl/mailbox.c, proto.c), with vmm's answers the input.
 * The first byte chooses how the response arrives: as text straight into
 * the response parser, or through the register exchange, where a fake
 * device answers STATUS, RSP_LEN and the RSP_DATA words from the input
 * (a vmm gone wrong may announce any length). Every record the parser
 * gives is then looked up as the commands do.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailbox.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the reads add up to, so that the compiler keeps them. */
static volatile size_t sink;

struct device {
	const uint8_t *p, *end;
};

static uint32_t next_word(struct device *d)
{
	uint32_t v = 0;
	for (int i = 0; i < 4 && d->p < d->end; i++)
		v |= (uint32_t)*d->p++ << (8 * i);
	return v;
}

static uint32_t dev_read(void *ctx, uint32_t off)
{
	struct device *d = ctx;
	if (off == MBOX_RSP_LEN)
		return next_word(d) % (2 * MBOX_RSP_MAX);
	return next_word(d);
}

static void dev_write(void *ctx, uint32_t off, uint32_t value)
{
	(void)ctx;
	(void)off;
	(void)value;
}

static void use(const struct proto_response *r)
{
	static const char *const types[] = {"vm",    "vcpu", "memory",  "console", "service",
	                                    "image", "swap", "created", "free",    "stopped"};
	size_t sum = 0;
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (const struct proto_record *rec = proto_next(r, types[t], NULL); rec;
		     rec = proto_next(r, types[t], rec)) {
			const char *v = proto_get(rec, "name");
			sum += v ? strlen(v) : 0;
			for (size_t i = 0; i < rec->nfields; i++)
				sum += strlen(rec->fields[i].key) + strlen(rec->fields[i].value);
		}
	if (r->message)
		sum += strlen(r->message);
	sink = sum;
}

static void parse(const char *text, size_t len)
{
	struct proto_response r;
	char err[120];
	if (proto_parse(&r, text, len, err, sizeof(err)) == 0) {
		use(&r);
		proto_free(&r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mbox_reply rep;
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		parse((const char *)data + 1, size - 1);
		return 0;
	}
	struct device d = {data + 1, data + size};
	const struct mbox_io io = {dev_read, dev_write, &d};
	char err[160];
	if (mbox_call(&io, "list\n", 5, &rep, err, sizeof(err)) == 0)
		parse(rep.text, rep.len);
	return 0;
}
