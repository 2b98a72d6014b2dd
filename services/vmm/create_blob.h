/* SPDX-License-Identifier: MIT */
/*
 * The payload of `keelctl create` (docs/management.md): a device tree blob
 * from the management VM whose /vms has exactly one child, the VM. The
 * blob is hostile until checked: libfdt walks a tree by the lengths it
 * holds, so a property length that points backwards loops it forever.
 * Pure (libfdt), so the host unit tests and the fuzzer run it as it is.
 */
#ifndef VMM_CREATE_BLOB_H
#define VMM_CREATE_BLOB_H

#include <stddef.h>

/* `blob` (8-byte aligned, `len` bytes): the offset of the VM's node, or -1
 * with the reason in *why. */
int create_blob_vm(const void *blob, size_t len, const char **why);

#endif
