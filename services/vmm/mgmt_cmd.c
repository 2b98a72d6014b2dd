/* SPDX-License-Identifier: MIT */
/*
 * The commands of the management mailbox (docs/management.md). A response
 * is "ok" or "error MESSAGE" on its first line, then records: a type word
 * and space-separated key=value fields, e.g.
 *   vm id=2 name=gvm type=gvm state=running vcpus=2 memory-mib=256 ...
 * Requests come only from the management VM, so it may not pause, stop or
 * destroy itself: that would leave nobody to resume it.
 */
#include "create_blob.h"
#include "mgmt.h"
#include "mgmt_parse.h"
#include "swap.h"
#include "vm.h"
#include "vmm.h"

#include <keel/service.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef KEEL_SERVICE_VERSION
#define KEEL_SERVICE_VERSION "0.0.0"
#endif

#define MAX_THREADS 64

struct request {
	struct mgmt_line l;
	struct mgmt_out *out;
	char err[VMDESC_ERR_MAX + 200];
};

static int fail(struct request *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- what the kernel says about threads -------------------------------- */

static struct keel_thread_info threads[MAX_THREADS];
static unsigned long thread_count;

static void threads_read(void)
{
	if (keel_info_threads(KEEL_ROOT_SLOT_SYSINFO, threads, sizeof(threads), &thread_count))
		thread_count = 0;
	if (thread_count > MAX_THREADS)
		thread_count = MAX_THREADS;
}

static const struct keel_thread_info *thread_info(unsigned long id)
{
	for (unsigned long i = 0; i < thread_count; i++)
		if (threads[i].thread_id == id)
			return &threads[i];
	return NULL;
}

static unsigned long vcpu_time_us(const struct vcpu *c)
{
	const struct keel_thread_info *t = thread_info(c->id);
	return t ? t->used_us : 0;
}

/* ---- records ------------------------------------------------------------ */

static void vm_record(struct mgmt_out *o, const struct vm *v)
{
	char cpus[64] = "";
	unsigned long time_us = 0;
	size_t n = 0;
	for (unsigned i = 0; i < v->d.vcpus; i++) {
		time_us += vcpu_time_us(&v->vcpu[i]);
		n += (size_t)snprintf(cpus + n, sizeof(cpus) - n, "%s%u", i ? "," : "",
		                      v->d.cpus[i]);
	}
	mgmt_printf(o,
	            "vm id=%u name=%s type=%s state=%s vcpus=%u memory-mib=%lu cpu-time-us=%lu "
	            "cpus=%s\n",
	            v->id, v->d.name, vmdesc_type_name(v->d.type), vm_state_name(v->state),
	            v->d.vcpus, v->d.ram_size >> 20, time_us, cpus);
}

static const char *vcpu_state(const struct vm *v, const struct vcpu *c)
{
	if (c->paused)
		return "paused";
	return c->on && v->state == VM_RUNNING ? "running" : "off";
}

static void vm_details(struct mgmt_out *o, const struct vm *v)
{
	for (unsigned i = 0; i < v->d.vcpus; i++)
		mgmt_printf(o, "vcpu vm=%s index=%u cpu=%u state=%s cpu-time-us=%lu\n", v->d.name,
		            i, v->d.cpus[i], vcpu_state(v, &v->vcpu[i]), vcpu_time_us(&v->vcpu[i]));
	if (v->mem)
		mgmt_printf(o, "memory vm=%s base=0x%lx size-mib=%lu\n", v->d.name, v->mem->base,
		            v->d.ram_size >> 20);
	if (v->d.uart_endpoint)
		mgmt_printf(o, "console vm=%s key=%lu\n", v->d.name, v->d.uart_badge);
}

/* ---- commands ----------------------------------------------------------- */

static int cmd_list(struct request *r)
{
	for (unsigned i = 0; i < VM_MAX; i++)
		if (vm_at(i))
			vm_record(r->out, vm_at(i));
	mgmt_printf(r->out, "free memory-mib=%lu\n", mem_free_bytes() >> 20);
	return 0;
}

static struct vm *named_vm(struct request *r)
{
	struct vm *v = r->l.arg ? vm_by_name(r->l.arg) : NULL;
	if (!r->l.arg)
		fail(r, "%s needs a VM name", r->l.cmd);
	else if (!v)
		fail(r, "no VM named %s", r->l.arg);
	return v;
}

static int cmd_info(struct request *r)
{
	const struct vm *v = named_vm(r);
	if (!v)
		return -1;
	vm_record(r->out, v);
	vm_details(r->out, v);
	return 0;
}

/* The payload is a device tree whose /vms has one child: the VM. It follows
 * the command line at any offset, and libfdt wants it 8-byte aligned: the
 * VM keeps its own copy anyway. */
static int cmd_create(struct request *r)
{
	const char *why;
	void *blob = malloc(r->l.payload_len ? r->l.payload_len : 1);
	if (!blob)
		return fail(r, "out of memory for the configuration");
	memcpy(blob, r->l.payload, r->l.payload_len);
	int node = create_blob_vm(blob, r->l.payload_len, &why);
	if (node < 0) {
		free(blob);
		return fail(r, "%s", why);
	}
	struct vm *v;
	if (vm_create(blob, node, blob, &v, r->err, sizeof(r->err)))
		return -1;
	vm_connect(v);
	printf("created VM %s (%s, %u vCPU%s, %lu MiB) at 0x%lx\n", v->d.name,
	       vmdesc_type_name(v->d.type), v->d.vcpus, v->d.vcpus > 1 ? "s" : "",
	       v->d.ram_size >> 20, v->mem->base);
	mgmt_printf(r->out, "created name=%s id=%u\n", v->d.name, v->id);
	return 0;
}

static int not_self(struct request *r, const struct vm *v)
{
	if (v->d.type == VM_TYPE_MVM)
		return fail(r, "%s is the management VM: it cannot %s itself", v->d.name, r->l.cmd);
	return 0;
}

static int power(struct request *r, long (*op)(struct vm *))
{
	struct vm *v = named_vm(r);
	if (!v || not_self(r, v))
		return -1;
	long err = op(v);
	if (err == -KEEL_EINVAL || err == -KEEL_EEXIST)
		return fail(r, "cannot %s %s: it is %s", r->l.cmd, v->d.name,
		            vm_state_name(v->state));
	if (err)
		return fail(r, "cannot %s %s: %s", r->l.cmd, v->d.name, keel_strerror(err));
	printf("VM %s: %s (keelctl)\n", v->d.name, vm_state_name(v->state));
	vm_record(r->out, v);
	return 0;
}

static int cmd_start(struct request *r)
{
	return power(r, vm_start);
}

static int cmd_pause(struct request *r)
{
	return power(r, vm_pause);
}

static int cmd_resume(struct request *r)
{
	return power(r, vm_resume);
}

static int cmd_stop(struct request *r)
{
	struct vm *v = named_vm(r);
	if (!v || not_self(r, v))
		return -1;
	if (v->state != VM_RUNNING && v->state != VM_PAUSED)
		return fail(r, "%s is %s already", v->d.name, vm_state_name(v->state));
	vm_stop_all(v);
	printf("VM %s: stopped (keelctl, forced)\n", v->d.name);
	vm_record(r->out, v);
	mgmt_printf(r->out, "stopped vm=%s how=forced\n", v->d.name);
	return 0;
}

static int cmd_destroy(struct request *r)
{
	struct vm *v = named_vm(r);
	if (!v || not_self(r, v))
		return -1;
	char name[VMDESC_NAME_MAX + 1];
	snprintf(name, sizeof(name), "%s", v->d.name);
	unsigned long base = v->mem ? v->mem->base : 0;
	if (vm_destroy(v))
		return fail(r, "VM %s is stopped, but its devices still use its memory: try again",
		            name);
	printf("destroyed VM %s: its memory at 0x%lx is free\n", name, base);
	mgmt_printf(r->out, "destroyed name=%s\n", name);
	return 0;
}

static int cmd_console(struct request *r)
{
	const struct vm *v = named_vm(r);
	if (!v)
		return -1;
	long err = vm_console_focus(v);
	if (err)
		return fail(r, "%s has no console to switch to (%s)", v->d.name,
		            keel_strerror(err));
	mgmt_printf(r->out, "console vm=%s key=%lu\n", v->d.name, v->d.uart_badge);
	for (unsigned i = 0; i < VM_MAX; i++) {
		const struct vm *m = vm_at(i);
		if (m && m->d.type == VM_TYPE_MVM && m->d.uart_endpoint)
			mgmt_printf(r->out, "console vm=%s key=%lu\n", m->d.name, m->d.uart_badge);
	}
	return 0;
}

static const char *service_state(const struct keel_thread_info *t)
{
	if (!t)
		return "unknown";
	if (t->state == KEEL_TS_FAULTED || t->state == KEEL_TS_EXITED ||
	    t->state == KEEL_TS_INACTIVE)
		return "stopped";
	return "running";
}

static const struct keel_thread_info *service_thread(const struct service *s)
{
	/* The running instance's thread: during a swap both instances carry
	 * the name, and the new one's thread is the later one. */
	const struct keel_thread_info *t = NULL;
	for (unsigned long k = 0; k < thread_count; k++)
		if (!strcmp(threads[k].partition_name, s->name) &&
		    threads[k].state != KEEL_TS_EXITED)
			if (!t || !s->next.block)
				t = t ? t : &threads[k];
	return t;
}

static int cmd_services(struct request *r)
{
	for (unsigned i = 0; service_at(i); i++) {
		const struct service *s = service_at(i);
		const struct keel_thread_info *t = service_thread(s);
		const struct svc_image *img = s->cur.image;
		mgmt_printf(r->out,
		            "service name=%s version=%s state=%s faults=%d restarts=%u cpu=%u "
		            "priority=%u cpu-time-us=%lu live=%s generation=%u build=%.12s%s%s\n",
		            s->name, img ? img->h.version : KEEL_SERVICE_VERSION,
		            s->given_up ? "down" : service_state(t), s->faults, s->restarts, s->cpu,
		            s->prio, t ? t->used_us : 0, s->live ? "yes" : "no", s->cur.gen,
		            img ? img->build : "-", s->prev ? " previous=" : "",
		            s->prev ? s->prev->h.version : "");
	}
	return 0;
}

/* ---- service images and live swaps (swap.c) ----------------------------- */

static struct service *live_service(struct request *r, const char *name)
{
	struct service *s = name ? service_named(name) : NULL;
	if (!name)
		fail(r, "which service?");
	else if (!s)
		fail(r, "no service '%s'", name);
	return s;
}

static int deployed(struct request *r, const struct svc_image *img)
{
	mgmt_printf(r->out, "image name=%s version=%s state-format=%u build=%s\n", img->h.name,
	            img->h.version, img->h.state_version, img->build);
	return 0;
}

static int svc_deploy(struct request *r)
{
	const struct svc_image *img =
	        image_deploy(r->l.payload, r->l.payload_len, r->err, sizeof(r->err));
	return img ? deployed(r, img) : -1;
}

static int svc_swap(struct request *r)
{
	struct service *s = live_service(r, r->l.arg2);
	if (!s)
		return -1;
	const struct svc_image *img =
	        image_deploy(r->l.payload, r->l.payload_len, r->err, sizeof(r->err));
	if (!img || swap_begin(s, img, r->err, sizeof(r->err)))
		return -1;
	return deployed(r, img);
}

static int svc_rollback(struct request *r)
{
	struct service *s = live_service(r, r->l.arg2);
	return s && !swap_rollback(s, r->err, sizeof(r->err)) ? 0 : -1;
}

/* The latest swap of a service: under way, done, or rolled back (then the
 * reply is an error that says why). */
static int svc_result(struct request *r)
{
	static const char *const states[] = {"none", "running", "committed", "rolled-back"};
	struct swap_report rep;
	struct service *s = live_service(r, r->l.arg2);
	if (!s)
		return -1;
	swap_report(s, &rep);
	if (rep.state == SWAP_ROLLED_BACK)
		return fail(r, "swap of %s to %s rolled back: %s", s->name, rep.to, rep.message);
	mgmt_printf(r->out, "swap name=%s state=%s", s->name, states[rep.state]);
	if (rep.state == SWAP_RUNNING)
		mgmt_printf(r->out, " phase=%s", rep.phase);
	if (rep.state != SWAP_NONE)
		mgmt_printf(r->out, " from=%s to=%s", rep.from, rep.to);
	if (rep.state == SWAP_COMMITTED)
		mgmt_printf(r->out,
		            " pause-us=%lu total-us=%lu build-us=%lu swaps=%lu rollbacks=%lu",
		            rep.pause_us, rep.total_us, rep.build_us, rep.swaps, rep.rollbacks);
	mgmt_printf(r->out, "\n");
	return 0;
}

/* A test aid: the service faults at its receive point, as a crash would
 * stop it, so that its restart can be tried (docs/live-update.md). */
static int svc_fault(struct request *r)
{
	struct service *s = live_service(r, r->l.arg2);
	return s && !service_fault_post(s, r->err, sizeof(r->err)) ? 0 : -1;
}

static int cmd_service(struct request *r)
{
	if (!r->l.arg)
		return fail(r, "service what? (deploy, swap, rollback, result, fault)");
	if (!strcmp(r->l.arg, "fault"))
		return svc_fault(r);
	if (!strcmp(r->l.arg, "deploy"))
		return svc_deploy(r);
	if (!strcmp(r->l.arg, "swap"))
		return svc_swap(r);
	if (!strcmp(r->l.arg, "rollback"))
		return svc_rollback(r);
	if (!strcmp(r->l.arg, "result"))
		return svc_result(r);
	return fail(r, "unknown service command '%s'", r->l.arg);
}

/* Commands that call a service (devemu's control protocol) wait while a
 * swap has it frozen; refuse them rather than hold the MVM meanwhile. */
static int busy(struct request *r)
{
	return fail(r, "busy: a live swap is under way, try again when it is done");
}

static const struct {
	const char *name;
	int (*run)(struct request *r);
} commands[] = {
        {"list", cmd_list},         {"info", cmd_info},       {"create", cmd_create},
        {"start", cmd_start},       {"pause", cmd_pause},     {"resume", cmd_resume},
        {"stop", cmd_stop},         {"destroy", cmd_destroy}, {"console", cmd_console},
        {"services", cmd_services}, {"service", cmd_service},
};

static bool calls_services(const char *cmd)
{
	static const char *const calls[] = {"create", "start", "stop", "destroy", "console"};
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(cmd, calls[i]))
			return true;
	return false;
}

enum mgmt_status mgmt_run(const uint8_t *req, uint32_t len, struct mgmt_out *o)
{
	static struct request r;
	memset(&r, 0, sizeof(r));
	r.out = o;
	mgmt_out_reset(o);
	if (mgmt_parse(&r.l, req, len, r.err, sizeof(r.err))) {
		mgmt_printf(o, "error %s\n", r.err);
		return MGMT_STATUS_MALFORMED;
	}
	threads_read();
	swap_check_deadline();
	mgmt_printf(o, "ok\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, r.l.cmd) != 0)
			continue;
		if ((swap_busy() && calls_services(r.l.cmd) ? busy(&r) : commands[i].run(&r)) == 0)
			return MGMT_STATUS_OK;
		mgmt_out_reset(o);
		mgmt_printf(o, "error %s\n", r.err);
		return MGMT_STATUS_ERROR;
	}
	mgmt_out_reset(o);
	mgmt_printf(o, "error unknown command '%s'\n", r.l.cmd);
	return MGMT_STATUS_ERROR;
}
