/* SPDX-License-Identifier: MIT */
/*
 * The kernel is built with -fstack-protector-strong, and so is Debian's
 * libfdt.a: a smashed canary ends in a panic instead of a return through a
 * corrupted frame. head.S mixes the counter into the guard before any C runs.
 */
#include <keel/panic.h>
#include <stdint.h>

uintptr_t __stack_chk_guard = 0x4b65656c2d677561ull;

_Noreturn void __stack_chk_fail(void);
_Noreturn void __stack_chk_fail(void)
{
	panic("stack smashing detected");
}
