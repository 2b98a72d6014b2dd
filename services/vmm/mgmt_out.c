/* SPDX-License-Identifier: MIT */
/* The mailbox's response buffer (mgmt.h). Pure code. */
#include "mgmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mgmt_out_reset(struct mgmt_out *o)
{
	o->len = 0;
}

void mgmt_printf(struct mgmt_out *o, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) || o->len + (uint32_t)n > sizeof(o->buf))
		return;
	memcpy(o->buf + o->len, line, (size_t)n);
	o->len += (uint32_t)n;
}
