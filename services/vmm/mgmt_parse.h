/* SPDX-License-Identifier: MIT */
/*
 * The request parser of the management mailbox: a command line of words
 * separated by spaces, ending in "\n", then the payload (docs/management.md).
 * Pure, so the host unit tests and the fuzzer run it as it is.
 */
#ifndef VMM_MGMT_PARSE_H
#define VMM_MGMT_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define MGMT_LINE_MAX 128

struct mgmt_line {
	char line[MGMT_LINE_MAX];
	const char *cmd, *arg;  /* "stop NAME force" is a forced stop like any other */
	const char *arg2;       /* "service swap NAME" */
	const uint8_t *payload; /* into the request */
	uint32_t payload_len;
};

/* 0, or -1 with the reason in `err`: an empty or too long command line. */
int mgmt_parse(struct mgmt_line *l, const uint8_t *req, uint32_t len, char *err, size_t err_size);

#endif
