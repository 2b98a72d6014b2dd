/* SPDX-License-Identifier: MIT */
/*
 * keelctl: the management CLI of the management VM (docs/management.md).
 * A static Linux program: it runs under the MVM's Linux and reaches vmm
 * through the mailbox page, mapped from /dev/mem.
 */
#include <stdio.h>

#include "cli.h"
#include "devmem.h"

int main(int argc, char **argv)
{
	struct devmem d = {.fd = -1};
	const struct keelctl_env env = {
	        .out = stdout,
	        .err = stderr,
	        .open = devmem_open,
	        .close = devmem_close,
	        .ctx = &d,
	};
	int rc = keelctl_main(argc, argv, &env);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "keelctl: cannot write the output\n");
		return rc ? rc : KEELCTL_EXIT_IO;
	}
	return rc;
}
