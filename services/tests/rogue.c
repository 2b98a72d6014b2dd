/* SPDX-License-Identifier: MIT */
/*
 * A service that misbehaves on purpose: calls with slots it does not have,
 * objects of the wrong type, missing rights, bad pointers and unknown call
 * numbers, each of which must be refused with its named error and nothing
 * else; then it touches memory it does not own, which must stop it alone.
 */
#include <keel/service.h>
#include <stdio.h>

static int refused, cases;

static void expect(const char *what, long got, long want)
{
	cases++;
	if (got == -want) {
		refused++;
		printf("%s: %s as expected\n", what, keel_strerror(got));
	} else {
		printf("%s: FAIL: got %s, expected %s\n", what, keel_strerror(got),
		       keel_strerror(want));
	}
}

int main(int argc, char **argv)
{
	unsigned long ep = (unsigned long)keel_arg(argc, argv, "ep.rogue", 0);
	unsigned long ntfn = (unsigned long)keel_arg(argc, argv, "ntfn.rogue", 0);
	struct keel_msg m = {{0}};
	unsigned long r[8] = {0};

	expect("call on an empty slot", keel_call(40, &m), KEEL_ENOCAP);
	expect("call on slot 9999", keel_call(9999, &m), KEEL_ENOCAP);
	expect("call on a notification", keel_call(ntfn, &m), KEEL_ETYPE);
	expect("call without the write right", keel_call(ep, &m), KEEL_EPERM);
	expect("retype without untyped memory", keel_retype(ntfn, KEEL_OBJ_FRAME, 4096, 0, 40),
	       KEEL_ETYPE);
	expect("debug_puts from an unmapped pointer",
	       keel_debug_puts((const char *)0x5000000ul, 16), KEEL_EFAULT);
	expect("ps without sysinfo",
	       keel_info_threads(ep, (struct keel_thread_info *)0x5000000ul, 64, NULL), KEEL_ETYPE);
	expect("unknown call number", keel_svc(4242, r), KEEL_ENOSYS);
	expect("copy a capability into slot 0", keel_cap_copy(ep, 0, 0, KEEL_R_ALL), KEEL_ENOCAP);
	printf("%d of %d bad calls refused\n", refused, cases);

	printf("now writing to memory it does not own\n");
	*(volatile unsigned long *)0x50000000ul = 0xbad;
	printf("FAIL: the write went through\n");
	return 1;
}
