/* SPDX-License-Identifier: MIT */
#include <keel/service.h>
#include <stdlib.h>
#include <string.h>

long keel_arg(int argc, char **argv, const char *key, long fallback)
{
	size_t n = strlen(key);
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
			return (long)strtoul(argv[i] + n + 1, NULL, 0);
	}
	return fallback;
}
