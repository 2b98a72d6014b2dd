/* SPDX-License-Identifier: MIT */
/* The smallest service: exercises musl's stdio and heap, then one Keel call. */
#include <keel/service.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	printf("hello from %s\n", "hello");

	char *p = malloc(64);
	if (!p)
		printf("hello: malloc failed\n");
	free(p);

	long err = keel_null();
	if (err)
		printf("hello: keel_null: %s\n", keel_strerror(err));
	fflush(stdout);
	keel_thread_exit();
}
