/* SPDX-License-Identifier: MIT */
/* System information and the console hand-over (sysinfo.c). */
#ifndef KEEL_SYSINFO_H
#define KEEL_SYSINFO_H

struct untyped;

/* Untyped reset: a console notification in u's range is forgotten and the
 * kernel prints its log on the UART again, as before CONSOLE_CLAIM. */
void console_forget_inside(const struct untyped *u);

#endif
