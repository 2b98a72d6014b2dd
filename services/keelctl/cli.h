/* SPDX-License-Identifier: MIT */
/*
 * keelctl's commands: arguments, requests, output. The mailbox transport
 * and the streams come from outside (main.c on Linux, the unit test on the
 * host), so everything here runs in the test as it runs in the MVM.
 */
#ifndef KEELCTL_CLI_H
#define KEELCTL_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "mailbox.h"

/* Exit codes (docs/management.md). */
#define KEELCTL_EXIT_OK    0 /* done */
#define KEELCTL_EXIT_VMM   1 /* vmm refused the request: its message is printed */
#define KEELCTL_EXIT_USAGE 2 /* bad command line, VM name or config file */
#define KEELCTL_EXIT_IO    3 /* no mailbox, /dev/mem or mmap failed, bad ID, broken response */

struct keelctl_env {
	FILE *out, *err;
	/* Makes `io` usable: KEELCTL_EXIT_OK, or another exit code with the
	 * reason in `err`. Called at most once, after the arguments are
	 * checked, so usage errors never touch the mailbox. */
	int (*open)(void *ctx, struct mbox_io *io, char *err, size_t err_size);
	void (*close)(void *ctx);
	void *ctx;
};

/* Runs one command line (argv[0] is the program); returns the exit code. */
int keelctl_main(int argc, char *const *argv, const struct keelctl_env *env);

#endif
