/* SPDX-License-Identifier: MIT */
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include <libfdt.h>
#include <string.h>

static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;
	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_ld(&p[i]);
	return v;
}

static bool node_enabled(const void *fdt, int node)
{
	const char *status = fdt_getprop(fdt, node, "status", NULL);
	return !status || !strcmp(status, "okay") || !strcmp(status, "ok");
}

static int add_ram(struct bootinfo *bi, uint64_t base, uint64_t size)
{
	if (!size)
		return 0;
	if (base + size < base)
		return -KEEL_ERANGE;
	if (bi->ram_count == BOOTINFO_MAX_RAM)
		return -KEEL_ENOMEM;
	bi->ram[bi->ram_count++] = (struct mem_range){base, size};
	return 0;
}

static int parse_memory_node(const void *fdt, int node, int ac, int sc, struct bootinfo *bi)
{
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	int entry = (ac + sc) * (int)sizeof(fdt32_t);

	if (!reg || len <= 0 || len % entry)
		return -KEEL_EINVAL;
	for (int off = 0; off < len; off += entry) {
		const fdt32_t *cell = reg + off / (int)sizeof(fdt32_t);
		int err = add_ram(bi, read_cells(cell, ac), read_cells(cell + ac, sc));
		if (err)
			return err;
	}
	return 0;
}

static int parse_memory(const void *fdt, struct bootinfo *bi)
{
	int ac = fdt_address_cells(fdt, 0);
	int sc = fdt_size_cells(fdt, 0);

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return -KEEL_EINVAL;
	for (int node = fdt_first_subnode(fdt, 0); node >= 0; node = fdt_next_subnode(fdt, node)) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		if (!type || strcmp(type, "memory") != 0 || !node_enabled(fdt, node))
			continue;
		int err = parse_memory_node(fdt, node, ac, sc, bi);
		if (err)
			return err;
	}
	return bi->ram_count ? 0 : -KEEL_ENOENT;
}

static int parse_cpus(const void *fdt, struct bootinfo *bi)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return -KEEL_ENOENT;
	int ac = fdt_address_cells(fdt, cpus);
	if (ac < 1 || ac > 2)
		return -KEEL_EINVAL;

	int node;
	fdt_for_each_subnode (node, fdt, cpus) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		if (!type || strcmp(type, "cpu") != 0 || !node_enabled(fdt, node))
			continue;
		int len;
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || len != ac * (int)sizeof(fdt32_t))
			return -KEEL_EINVAL;
		if (bi->cpu_count == BOOTINFO_MAX_CPUS) {
			bi->cpus_ignored++;
			continue;
		}
		bi->cpu_mpidr[bi->cpu_count++] = read_cells(reg, ac);
	}
	return bi->cpu_count ? 0 : -KEEL_ENOENT;
}

static void parse_psci(const void *fdt, struct bootinfo *bi)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-0.2");
	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci");
	const char *method = node >= 0 ? fdt_getprop(fdt, node, "method", NULL) : NULL;
	bi->psci = node >= 0;
	bi->psci_hvc = method && !strcmp(method, "hvc");
}

static void parse_chosen(const void *fdt, struct bootinfo *bi)
{
	int node = fdt_path_offset(fdt, "/chosen");
	const char *args = node >= 0 ? fdt_getprop(fdt, node, "bootargs", NULL) : NULL;
	bi->bootargs = args ? args : "";
}

int bootinfo_from_fdt(const void *fdt, struct bootinfo *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->bootargs = "";
	if (!fdt || fdt_check_header(fdt))
		return -KEEL_EINVAL;

	int err = parse_memory(fdt, bi);
	if (err)
		return err;
	err = parse_cpus(fdt, bi);
	if (err)
		return err;
	parse_psci(fdt, bi);
	parse_chosen(fdt, bi);
	return 0;
}

uint64_t bootinfo_ram_total(const struct bootinfo *bi)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < bi->ram_count; i++)
		total += bi->ram[i].size;
	return total;
}

bool bootargs_get(const char *args, const char *key, char *buf, unsigned size)
{
	size_t klen = strlen(key);

	for (const char *p = args; p && *p;) {
		while (*p == ' ')
			p++;
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			size_t vlen = len - klen - 1;
			if (size == 0 || vlen >= size)
				return false;
			memcpy(buf, p + klen + 1, vlen);
			buf[vlen] = '\0';
			return true;
		}
		p += len;
	}
	return false;
}
