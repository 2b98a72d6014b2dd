/* SPDX-License-Identifier: MIT */
/* The payload of `keelctl create` (create_blob.h). Pure code. */
#include "create_blob.h"

#include <libfdt.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct walk {
	const uint8_t *s;  /* the structure block */
	uint32_t size;     /* its size */
	uint32_t strings;  /* size of the strings block */
	const char *names; /* the strings block */
};

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t align4(uint32_t v)
{
	return (v + 3) & ~3u;
}

/* The offset after the tag at `off`, or 0 when it does not fit. Each tag
 * moves at least 4 bytes forward, so the walk ends. */
static uint32_t next_tag(const struct walk *w, uint32_t off, int *depth)
{
	uint32_t tag = be32_at(w->s + off), rest = w->size - off - 4;
	const uint8_t *body = w->s + off + 4;
	if (tag == FDT_BEGIN_NODE) {
		const uint8_t *nul = memchr(body, '\0', rest);
		(*depth)++;
		return nul && align4((uint32_t)(nul - body) + 1) <= rest
		               ? off + 4 + align4((uint32_t)(nul - body) + 1)
		               : 0;
	}
	if (tag == FDT_END_NODE)
		return (*depth)-- > 0 ? off + 4 : 0;
	if (tag == FDT_NOP)
		return off + 4;
	if (tag != FDT_PROP || rest < 8)
		return 0;
	uint32_t len = be32_at(body), name = be32_at(body + 4);
	if (len > rest - 8 || align4(len) > rest - 8 || name >= w->strings ||
	    !memchr(w->names + name, '\0', w->strings - name))
		return 0;
	return off + 12 + align4(len);
}

/* Every tag of the structure block in bounds, properties named inside the
 * strings block, nodes balanced, and FDT_END last. */
static bool structure_sound(const void *blob)
{
	const uint8_t *b = blob;
	struct walk w = {b + fdt_off_dt_struct(blob), fdt_size_dt_struct(blob),
	                 fdt_size_dt_strings(blob), (const char *)b + fdt_off_dt_strings(blob)};
	int depth = 0;
	if (fdt_version(blob) < 17 || w.size % 4)
		return false;
	for (uint32_t off = 0; off + 4 <= w.size;) {
		if (be32_at(w.s + off) == FDT_END)
			return depth == 0 && off > 0;
		off = next_tag(&w, off, &depth);
		if (!off)
			return false;
	}
	return false;
}

int create_blob_vm(const void *blob, size_t len, const char **why)
{
	if (len < sizeof(struct fdt_header) || fdt_check_header(blob) ||
	    fdt_totalsize(blob) > len) {
		*why = "the configuration is not a complete device tree blob";
		return -1;
	}
	/* Every tag, offset and length before anything walks the tree: libfdt's
	 * walks (fdt_check_full's too) trust them. */
	if (!structure_sound(blob) || fdt_check_full(blob, len)) {
		*why = "the configuration is not a well-formed device tree";
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
