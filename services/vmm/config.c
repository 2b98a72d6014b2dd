/* SPDX-License-Identifier: MIT */
/*
 * The system configuration (vmconfigs/<board>.dts, compiled into the boot
 * bundle as system.dtb). Each child of /services is one service:
 *
 *   console {
 *       image = "console";          service ELF in the bundle (default: node name)
 *       priority = <30>;            0..63, higher runs first
 *       cpu = <0>;
 *       budget-us = <2000>;         optional: CPU time per period
 *       period-us = <10000>;
 *       heap-kib = <1024>;          malloc/mmap arena (default 1024)
 *       caps = "uart", "irq:33";    capabilities, see loader.c
 *       args = "role=server";       extra argv entries
 *       restart-limit = <3>;        restarts after a crash within
 *       restart-window-s = <60>;    the window (0: never; default 3 in 60 s,
 *                                   for services with live-update only)
 *       restart-backoff-ms = <10>;  the first restart's wait, doubled for
 *                                   each further one in the window
 *   };
 */
#include "vmm.h"

#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#define MAX_PRIO       63
#define MAX_HEAP_KIB   65536ul
/* A wait past this is no back-off but an outage. */
#define MAX_BACKOFF_MS 1000ul

static int bad(const char *node, const char *prop, const char *why)
{
	printf("config error in %s: property '%s' %s\n", node, prop, why);
	return -1;
}

static int read_u32(const void *fdt, int node, const char *path, const char *prop, unsigned long *v,
                    int required)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);
	if (!p)
		return required ? bad(path, prop, "is missing") : 0;
	if (len != 4)
		return bad(path, prop, "must be one 32-bit cell");
	*v = fdt32_to_cpu(*p);
	return 0;
}

static int read_string_list(const void *fdt, int node, const char *path, const char *prop,
                            const char **out, int *out_len)
{
	int len;
	const char *p = fdt_getprop(fdt, node, prop, &len);
	*out = NULL;
	*out_len = 0;
	if (!p)
		return 0;
	if (len == 0 || p[len - 1] != '\0')
		return bad(path, prop, "must be a list of strings");
	*out = p;
	*out_len = len;
	return 0;
}

static int read_service(const void *fdt, int node, struct service_config *c)
{
	static char paths[SERVICE_MAX][48];
	static int next_path;
	char *path = paths[next_path++ % SERVICE_MAX];
	unsigned long prio = 0, cpu = 0;

	snprintf(path, sizeof(paths[0]), "/services/%s", fdt_get_name(fdt, node, NULL));
	memset(c, 0, sizeof(*c));
	c->node = path;
	c->name = fdt_get_name(fdt, node, NULL);
	c->image = fdt_getprop(fdt, node, "image", NULL);
	if (!c->image)
		c->image = c->name;
	c->heap_kib = 1024;
	c->live_ntfn = fdt_getprop(fdt, node, "live-update", NULL);
	c->restart_limit = 3;
	c->restart_window_s = 60;
	c->restart_backoff_ms = 10;
	if (read_u32(fdt, node, path, "restart-limit", &c->restart_limit, 0) ||
	    read_u32(fdt, node, path, "restart-window-s", &c->restart_window_s, 0) ||
	    read_u32(fdt, node, path, "restart-backoff-ms", &c->restart_backoff_ms, 0) ||
	    read_u32(fdt, node, path, "priority", &prio, 1) ||
	    read_u32(fdt, node, path, "cpu", &cpu, 0) ||
	    read_u32(fdt, node, path, "budget-us", &c->budget_us, 0) ||
	    read_u32(fdt, node, path, "period-us", &c->period_us, 0) ||
	    read_u32(fdt, node, path, "heap-kib", &c->heap_kib, 0) ||
	    read_string_list(fdt, node, path, "caps", &c->caps, &c->caps_len) ||
	    read_string_list(fdt, node, path, "args", &c->args, &c->args_len))
		return -1;
	if (prio > MAX_PRIO)
		return bad(path, "priority", "must be 0..63");
	if ((c->budget_us != 0) != (c->period_us != 0) || c->budget_us > c->period_us)
		return bad(path, "budget-us", "needs period-us, and must not exceed it");
	if (c->heap_kib == 0 || c->heap_kib > MAX_HEAP_KIB || c->heap_kib % 4)
		return bad(path, "heap-kib", "must be a multiple of 4 from 4 to 65536");
	if (c->restart_limit && !c->live_ntfn)
		c->restart_limit = 0; /* nothing to restart from (docs/live-update.md) */
	if (c->restart_window_s == 0 || c->restart_window_s > 3600)
		return bad(path, "restart-window-s", "must be 1..3600");
	if (c->restart_backoff_ms > MAX_BACKOFF_MS)
		return bad(path, "restart-backoff-ms", "must be 0..1000");
	c->prio = (unsigned)prio;
	c->cpu = (unsigned)cpu;
	return 0;
}

int config_read_services(const void *fdt, struct service_config *out, int max)
{
	if (fdt_check_header(fdt)) {
		printf("config error: system.dtb is not a valid device tree\n");
		return -1;
	}
	int services = fdt_path_offset(fdt, "/services");
	if (services < 0) {
		printf("config error: no /services node\n");
		return -1;
	}
	int n = 0, node;
	fdt_for_each_subnode (node, fdt, services) {
		if (n == max) {
			printf("config: more than %d services, the rest are ignored\n", max);
			break;
		}
		if (read_service(fdt, node, &out[n]) == 0)
			n++;
	}
	return n;
}
