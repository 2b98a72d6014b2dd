/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CONFIG_H
#define KEEL_CONFIG_H

/* Set by CMake (KEEL_MAX_CPUS); the default covers every supported board. */
#ifndef KEEL_MAX_CPUS
#define KEEL_MAX_CPUS 8
#endif

#ifndef KEEL_VERSION
#define KEEL_VERSION "0.0.0"
#endif

#endif
