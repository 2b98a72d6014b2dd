/* SPDX-License-Identifier: MIT */
/*
 * The text protocol over the mailbox (docs/management.md): a request is one
 * command line ending in "\n", followed by a binary payload for `create`;
 * a response is "ok" or "error MESSAGE", then one record per line: a type
 * word and space-separated key=value fields. Unknown record types and keys
 * are kept, never an error, so that an older keelctl works with a newer
 * vmm; the commands look up what they know by name, in any order. Pure C.
 */
#ifndef KEELCTL_PROTO_H
#define KEELCTL_PROTO_H

#include <stddef.h>

#define PROTO_NAME_MAX 15 /* VM names: 1..15 of [A-Za-z0-9_-] */

struct proto_field {
	const char *key, *value;
};

struct proto_record {
	const char *type;
	size_t nfields;
	const struct proto_field *fields;
};

struct proto_response {
	int ok;              /* line 1 is "ok" */
	const char *message; /* line 1 is "error MESSAGE": MESSAGE (maybe "") */
	size_t nrecords;
	struct proto_record *records;
	struct proto_field *field_store;
	char *text; /* the response's copy that everything points into */
};

/* 1 when `name` is a valid VM name, else 0. */
int proto_name_valid(const char *name);

/*
 * Builds the request: `words` (NULL-terminated) joined by spaces, "\n",
 * then `payload_len` bytes of `payload`. Returns the length, or 0 when it
 * does not fit in `cap` bytes.
 */
size_t proto_request(char *buf, size_t cap, const char *const *words, const void *payload,
                     size_t payload_len);

/*
 * Parses `len` bytes of `text` into `r`, which keeps a copy of its own:
 * free it with proto_free(). 0, or -1 with the reason in `err` when the
 * response is malformed: empty, not text, no "ok"/"error" line, a field
 * without '=' or with a key twice, a byte outside printable ASCII in a
 * record; `r` is then empty (proto_free() on it does nothing).
 */
int proto_parse(struct proto_response *r, const char *text, size_t len, char *err, size_t err_size);
void proto_free(struct proto_response *r);

/* The value of `key` in `rec`, or NULL. */
const char *proto_get(const struct proto_record *rec, const char *key);

/* The first record of `type` after `prev` (NULL: from the start), or NULL. */
const struct proto_record *proto_next(const struct proto_response *r, const char *type,
                                      const struct proto_record *prev);

#endif
