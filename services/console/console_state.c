/* SPDX-License-Identifier: MIT */
/* The console's state record (console_state.h). Pure: no system calls. */
#include "console_state.h"

#include <keel/why.h>
#include <string.h>

int console_state_export(const struct console *c, uint32_t format, void *buf, size_t cap,
                         size_t *len)
{
	if (format != 1 || cap < sizeof(*c))
		return -1;
	memcpy(buf, c, sizeof(*c));
	*len = sizeof(*c);
	return 0;
}

/* A bool of the record as a byte: reading it as a bool is undefined
 * unless it is 0 or 1. */
static bool bool_sound(const bool *b)
{
	uint8_t v;
	memcpy(&v, b, 1);
	return v <= 1;
}

int console_state_import(struct console *c, uint32_t format, const void *payload, size_t len,
                         char *why, size_t why_size)
{
	struct console in;
	if (format != 1 || len != sizeof(in))
		return keel_why(why, why_size,
		                "console: format %u record of %zu bytes, expected 1 of %zu", format,
		                len, sizeof(in));
	memcpy(&in, payload, sizeof(in));
	bool sound = in.line_len < CONSOLE_LINE_MAX && in.focus <= CONCHAN_GUESTS &&
	             in.uart_va == c->uart_va && in.chan == c->chan &&
	             bool_sound(&in.prompt_shown) && bool_sound(&in.escape) && bool_sound(&in.kick);
	for (unsigned n = 0; n <= CONCHAN_GUESTS && sound; n++)
		sound = memchr(in.name[n], '\0', CONCHAN_NAME) != NULL &&
		        memchr(in.boot_focus, '\0', CONCHAN_NAME) != NULL;
	if (!sound)
		return keel_why(why, why_size, "console: the record is inconsistent");
	*c = in;
	return 0;
}
