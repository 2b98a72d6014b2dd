/* SPDX-License-Identifier: MIT */
/* The mailbox's request parser (mgmt_parse.h). Pure code. */
#include "mgmt_parse.h"

#include <stdio.h>
#include <string.h>

/* The next space-separated word of *at, NUL-terminated in place; NULL at the end. */
static const char *next_word(char **at)
{
	char *w = *at;
	while (*w == ' ')
		w++;
	if (!*w)
		return NULL;
	char *end = w;
	while (*end && *end != ' ')
		end++;
	*at = *end ? end + 1 : end;
	*end = '\0';
	return w;
}

int mgmt_parse(struct mgmt_line *l, const uint8_t *req, uint32_t len, char *err, size_t err_size)
{
	const uint8_t *nl = memchr(req, '\n', len);
	size_t n = nl ? (size_t)(nl - req) : len;
	memset(l, 0, sizeof(*l));
	if (n >= sizeof(l->line)) {
		snprintf(err, err_size, "command line longer than %zu bytes", sizeof(l->line) - 1);
		return -1;
	}
	memcpy(l->line, req, n);
	l->line[n] = '\0';
	l->payload = nl ? nl + 1 : req + len;
	l->payload_len = len - (uint32_t)(l->payload - req);
	char *at = l->line;
	l->cmd = next_word(&at);
	l->arg = next_word(&at);
	l->arg2 = next_word(&at);
	if (!l->cmd)
		snprintf(err, err_size, "empty request");
	return l->cmd ? 0 : -1;
}
