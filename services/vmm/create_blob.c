/* SPDX-License-Identifier: MIT */
/* The payload of `keelctl create` (create_blob.h). Pure code. */
#include "create_blob.h"

#include <libfdt.h>

int create_blob_vm(const void *blob, size_t len, const char **why)
{
	if (len < sizeof(struct fdt_header) || fdt_check_header(blob) ||
	    fdt_totalsize(blob) > len) {
		*why = "the configuration is not a complete device tree blob";
		return -1;
	}
	int vms = fdt_path_offset(blob, "/vms");
	int node = vms < 0 ? -1 : fdt_first_subnode(blob, vms);
	if (node < 0 || fdt_next_subnode(blob, node) >= 0) {
		*why = "the configuration must have exactly one VM under /vms";
		return -1;
	}
	return node;
}
