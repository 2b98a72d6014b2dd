/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ARCH_USER_H
#define KEEL_ARCH_USER_H

/* Per CPU, before its first service thread: stage-2 and HCR_EL2 settings. */
void arch_user_init_cpu(void);

#endif
