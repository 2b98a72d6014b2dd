/* SPDX-License-Identifier: MIT */
/*
 * vmm, the root service: the only program the kernel starts. It reads the
 * system configuration from the boot bundle, builds the VMs it names (vCPUs
 * stopped), starts every service it names (which may hold a VM's
 * capability), starts the VMs, and then supervises them all: a service that
 * faults or exits is reported here and the rest keep running; VM exits
 * (PSCI, the UART of VMs without devemu) are answered here.
 */
#include "restart.h"
#include "swap.h"
#include "vmm.h"

#include <keel/service.h>
#include <keel_bundle.h>
#include <stdio.h>
#include <string.h>

static struct service services[SERVICE_MAX];
static unsigned service_count;

struct service *service_at(unsigned i)
{
	return i < service_count ? &services[i] : NULL;
}

struct service *service_named(const char *name)
{
	for (unsigned i = 0; i < service_count; i++)
		if (!strcmp(services[i].name, name))
			return &services[i];
	return NULL;
}

struct service *service_serving(const char *ep_name)
{
	for (unsigned i = 0; i < service_count; i++)
		for (unsigned k = 0; k < SERVICE_MAX_SERVED; k++)
			if (!strcmp(services[i].served[k], ep_name))
				return &services[i];
	return NULL;
}

static const void *bundle_file(const char *name, size_t *size)
{
	unsigned long phys, bundle_size;
	if (keel_frame_info(KEEL_ROOT_SLOT_BUNDLE, &phys, &bundle_size))
		return NULL;
	const uint8_t *bundle = (const uint8_t *)KEEL_ROOT_BUNDLE_VA;
	const struct keel_bundle_entry *e = keel_bundle_find(bundle, bundle_size, name);
	if (!e)
		return NULL;
	*size = e->size;
	return bundle + e->offset;
}

/* The ELF s's running instance was built from. */
static const void *service_elf(const struct service *s, size_t *size)
{
	if (s->cur.image) {
		*size = s->cur.image->h.elf_size;
		return s->cur.image->h.elf;
	}
	return bundle_file(s->cfg->image, size);
}

static struct service_config cfg[SERVICE_MAX];
static int cfg_count;

/* Read before the VMs are built: a real-time VM may not share their CPUs. */
static unsigned long service_cpus(const void *fdt)
{
	unsigned long mask = 1ul << 0; /* vmm's own */
	cfg_count = config_read_services(fdt, cfg, SERVICE_MAX);
	for (int i = 0; i < cfg_count; i++)
		mask |= 1ul << cfg[i].cpu;
	return mask;
}

/* A VM created at run time stays below this priority (vmlimits.h). */
static unsigned prio_floor(void)
{
	unsigned floor = VMM_PRIO;
	for (int i = 0; i < cfg_count; i++)
		if (cfg[i].prio < floor)
			floor = cfg[i].prio;
	return floor;
}

/* Plans first (they create the objects services share), then the live
 * update objects, then the instances, in config order. */
static int start_services(void)
{
	size_t size;
	int started = 0;
	for (int i = 0; i < cfg_count; i++) {
		long err = service_plan(&services[service_count], &cfg[i]);
		if (err)
			printf("cannot start %s: %s\n", cfg[i].name, keel_strerror(err));
		else
			service_count++;
	}
	swap_setup();
	for (unsigned i = 0; i < service_count; i++) {
		struct service *s = &services[i];
		const void *file = bundle_file(s->cfg->image, &size);
		if (!file) {
			printf("config error in %s: image '%s' is not in the bundle\n",
			       s->cfg->node, s->cfg->image);
			continue;
		}
		const struct svc_image *img = image_boot(file, size);
		const struct instance_start_args first = {ROLE_FIRST, 0, 0};
		long err = instance_start(s, img ? img->h.elf : file, img ? img->h.elf_size : size,
		                          0, service_badge(i, 0), &first, &s->cur);
		if (err) {
			printf("cannot start %s: %s\n", s->name, keel_strerror(err));
			continue;
		}
		s->cur.image = img;
		printf("started %s %s%s(priority %u, cpu %u)\n", s->name, img ? img->h.version : "",
		       img ? " " : "", s->prio, s->cpu);
		started++;
	}
	return started;
}

static void report_fault(unsigned long badge, const struct keel_msg *m)
{
	unsigned i = (unsigned)(badge & ~SERVICE_GEN_BADGE) - 1;
	struct service *s = badge >= 1 && i < service_count ? &services[i] : NULL;
	const char *name = s ? s->name : "?";
	if (swap_fault(badge, m))
		return;
	if (s && badge == service_badge(i, s->cur.gen)) {
		s->stopped = true;
		if (!strcmp(s->name, "liveupdate"))
			swap_coordinator_stopped();
	}
	if (m->w[0] == KEEL_FAULT_EXIT) {
		printf("service %s exited with status %ld\n", name, (long)m->w[1]);
		if (s && s->stopped)
			service_down(s);
		return;
	}
	if (s)
		s->faults++;
	if (m->w[0] == KEEL_FAULT_MEMORY)
		printf("service %s stopped: memory fault at 0x%lx (pc 0x%lx)\n", name, m->w[1],
		       m->w[2]);
	else
		printf("service %s stopped: fault, esr 0x%lx (pc 0x%lx)\n", name, m->w[1], m->w[2]);
	if (s && s->stopped && badge == service_badge(i, s->cur.gen)) {
		size_t size;
		const void *elf = service_elf(s, &size);
		if (elf)
			restart_after_fault(s, elf, size, i);
	}
}

int main(void)
{
	printf("root service up\n");
	long err = keel_retype(KEEL_ROOT_SLOT_UNTYPED, KEEL_OBJ_ENDPOINT, 0, 0, VMM_SLOT_FAULT_EP);
	if (err) {
		printf("cannot create the fault endpoint: %s\n", keel_strerror(err));
		return 1;
	}
	size_t size;
	const void *fdt = bundle_file("system.dtb", &size);
	if (!fdt) {
		printf("no system.dtb in the boot bundle\n");
	} else {
		unsigned long cpus = service_cpus(fdt);
		vms_create(fdt, bundle_file, cpus, prio_floor());
		printf("%d services started\n", start_services());
		vms_start();
	}
	for (;;) {
		struct keel_msg m;
		unsigned long badge;
		if (keel_recv(VMM_SLOT_FAULT_EP, &m, &badge))
			continue;
		unsigned long now = 0;
		vms_account(keel_cpu_time(&now));
		if (badge == KEEL_BADGE_SIGNAL)
			swap_signal();
		else if (badge == VMM_MGMT_BADGE)
			mgmt_access(&m);
		else if (!vms_handle(badge, &m, now))
			report_fault(badge, &m);
	}
}
