/* SPDX-License-Identifier: MIT */
/*
 * Requests and responses of the management protocol. The response parser
 * is strict about the grammar (so that a broken vmm is reported, not
 * half-printed) and lenient about content: any record type, any key, in
 * any order.
 */
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

int proto_name_valid(const char *name)
{
	size_t n = 0;
	for (; name[n]; n++) {
		if (n == PROTO_NAME_MAX || !name_char(name[n]))
			return 0;
	}
	return n > 0;
}

size_t proto_request(char *buf, size_t cap, const char *const *words, const void *payload,
                     size_t payload_len)
{
	size_t len = 0;
	for (size_t i = 0; words[i]; i++) {
		size_t n = strlen(words[i]);
		size_t sep = i > 0;
		if (n + sep > cap - len)
			return 0;
		if (sep)
			buf[len++] = ' ';
		memcpy(buf + len, words[i], n);
		len += n;
	}
	if (payload_len + 1 > cap - len)
		return 0;
	buf[len++] = '\n';
	if (payload_len)
		memcpy(buf + len, payload, payload_len);
	return len + payload_len;
}

static int fail(char *err, size_t err_size, unsigned line, const char *why, const char *what)
{
	if (what)
		snprintf(err, err_size, "line %u: %s '%.40s'", line, why, what);
	else
		snprintf(err, err_size, "line %u: %s", line, why);
	return -1;
}

/* The next space-separated token of *cursor, NUL-terminated, or NULL. */
static char *next_token(char **cursor)
{
	char *p = *cursor;
	while (*p == ' ')
		p++;
	if (!*p)
		return NULL;
	char *tok = p;
	while (*p && *p != ' ')
		p++;
	if (*p)
		*p++ = '\0';
	*cursor = p;
	return tok;
}

/* Splits one record line (NUL-terminated, printable ASCII) into its fields. */
static int parse_record(struct proto_record *rec, struct proto_field *fields, char *line,
                        unsigned lineno, char *err, size_t err_size)
{
	size_t n = 0;
	char *cursor = line;
	const char *type = next_token(&cursor);
	if (!type)
		return fail(err, err_size, lineno, "blank record", NULL);
	if (strchr(type, '='))
		return fail(err, err_size, lineno, "record starts with a field, not a type:", type);
	for (char *tok = next_token(&cursor); tok; tok = next_token(&cursor)) {
		char *eq = strchr(tok, '=');
		if (!eq || eq == tok)
			return fail(err, err_size, lineno, "field is not key=value:", tok);
		if (strchr(eq + 1, '='))
			return fail(err, err_size, lineno, "value contains '=':", tok);
		*eq = '\0';
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(fields[i].key, tok))
				return fail(err, err_size, lineno, "key given twice:", tok);
		}
		fields[n].key = tok;
		fields[n].value = eq + 1;
		n++;
	}
	rec->type = type;
	rec->nfields = n;
	rec->fields = fields;
	return 0;
}

static int check_text(const char *text, size_t len, char *err, size_t err_size)
{
	unsigned line = 1;
	int first = 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n') {
			line++;
			first = 0;
			continue;
		}
		/* The message of line 1 is free text (UTF-8 allowed); records are
		 * ASCII, which is what keeps the JSON output valid. */
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && !first)) {
			snprintf(err, err_size, "line %u: byte 0x%02x is not printable text", line,
			         c);
			return -1;
		}
	}
	return 0;
}

int proto_parse(struct proto_response *r, const char *response, size_t len, char *err,
                size_t err_size)
{
	memset(r, 0, sizeof(*r));
	if (len == 0) {
		snprintf(err, err_size, "empty response");
		return -1;
	}
	if (check_text(response, len, err, err_size))
		return -1;

	size_t lines = 1, equals = 0;
	for (size_t i = 0; i < len; i++) {
		lines += response[i] == '\n';
		equals += response[i] == '=';
	}
	char *text = malloc(len + 1);
	r->text = text;
	r->records = calloc(lines, sizeof(*r->records));
	r->field_store = calloc(equals + 1, sizeof(*r->field_store));
	if (!text || !r->records || !r->field_store) {
		proto_free(r);
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	memcpy(text, response, len);
	text[len] = '\0';

	char *line = text;
	char *nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	if (!strcmp(line, "ok")) {
		r->ok = 1;
	} else if (!strcmp(line, "error")) {
		r->message = "";
	} else if (!strncmp(line, "error ", 6)) {
		r->message = line + 6;
	} else {
		fail(err, err_size, 1, "response starts with neither 'ok' nor 'error':", line);
		proto_free(r);
		return -1;
	}

	size_t used = 0;
	unsigned lineno = 1;
	while (nl) {
		line = nl + 1;
		lineno++;
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!*line)
			continue; /* the final "\n", or a blank line */
		struct proto_record *rec = &r->records[r->nrecords];
		if (parse_record(rec, r->field_store + used, line, lineno, err, err_size)) {
			proto_free(r);
			return -1;
		}
		used += rec->nfields;
		r->nrecords++;
	}
	return 0;
}

void proto_free(struct proto_response *r)
{
	free(r->records);
	free(r->field_store);
	free(r->text);
	r->records = NULL;
	r->field_store = NULL;
	r->text = NULL;
	r->nrecords = 0;
}

const char *proto_get(const struct proto_record *rec, const char *key)
{
	for (size_t i = 0; i < rec->nfields; i++) {
		if (!strcmp(rec->fields[i].key, key))
			return rec->fields[i].value;
	}
	return NULL;
}

const struct proto_record *proto_next(const struct proto_response *r, const char *type,
                                      const struct proto_record *prev)
{
	size_t i = prev ? (size_t)(prev - r->records) + 1 : 0;
	for (; i < r->nrecords; i++) {
		if (!strcmp(r->records[i].type, type))
			return &r->records[i];
	}
	return NULL;
}
