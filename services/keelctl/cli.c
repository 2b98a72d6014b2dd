/* SPDX-License-Identifier: MIT */
/*
 * keelctl [--json] COMMAND [ARGS]: checks the arguments (names, the config
 * blob) before it touches the mailbox, sends one request per command (two
 * more for `console`, to find the management VM's own key), and prints
 * the records it knows as a table, a list or JSON. Records and keys it
 * does not know are left out of tables and lists and passed through in
 * JSON objects of known record types.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include "cli.h"

#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "proto.h"

#ifndef KEELCTL_VERSION
#define KEELCTL_VERSION "unknown"
#endif

/* "create\n" comes before the blob. */
#define CREATE_PAYLOAD_MAX (MBOX_REQ_MAX - sizeof("create\n") + 1)
#define FDT_MAGIC_VALUE    0xd00dfeedu
#define FDT_HEADER_SIZE    40u

struct ctl {
	const struct keelctl_env *env;
	int json;
	int opened;
	struct mbox_io io;
	struct mbox_reply *reply;
	char err[MBOX_ERR_MAX + 80];
};

static const char usage_text[] =
        "usage: keelctl [--json] COMMAND [ARGS]\n"
        "\n"
        "Manages Keel's VMs from the management VM, through its mailbox.\n"
        "\n"
        "commands:\n"
        "  list               the VMs and the memory left for new ones\n"
        "  info VM            one VM: its vCPUs, memory and console key\n"
        "  create CONFIG.dtb  a new VM from a device tree blob whose /vms has one child\n"
        "  start VM           boots a created or stopped VM\n"
        "  pause VM           stops its vCPUs where they are\n"
        "  resume VM          lets a paused VM run again\n"
        "  stop [--force] VM  asks the guest to power off, forced after a timeout;\n"
        "                     --force: at once\n"
        "  destroy VM         frees a stopped VM's memory and CPUs\n"
        "  console VM         the keys that switch the console to VM and back\n"
        "  services           Keel's services: version, state, faults, restarts, CPU,\n"
        "                     priority, CPU time\n"
        "  service deploy IMAGE        hands a service image (.ksvc) to vmm, which checks it\n"
        "  service swap NAME IMAGE     replaces running service NAME by IMAGE, live\n"
        "  service rollback NAME       swaps NAME back to the version it ran before\n"
        "  service fault NAME          makes NAME fault (a test aid: vmm restarts it\n"
        "                              from its last checkpoint, as after a crash)\n"
        "  help               this text\n"
        "\n"
        "options:\n"
        "  --json             one JSON document on stdout instead of text\n"
        "  --help, --version\n"
        "\n"
        "VM names are 1 to 15 characters of A-Z a-z 0-9 _ -.\n"
        "Exit status: 0 done, 1 vmm refused (its message is printed), 2 usage error,\n"
        "3 mailbox unavailable or I/O error.\n"
        "KEELCTL_MAILBOX=0xADDR: use the mailbox at that physical address.\n";

__attribute__((format(printf, 2, 3))) static int usage_error(struct ctl *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("keelctl: ", c->env->err);
	vfprintf(c->env->err, fmt, ap);
	va_end(ap);
	fputs("\n\n", c->env->err);
	fputs(usage_text, c->env->err);
	return KEELCTL_EXIT_USAGE;
}

/* An argument that is well-formed but wrong: no usage text, just why. */
static int arg_error(struct ctl *c, const char *msg)
{
	fprintf(c->env->err, "keelctl: %s\n", msg);
	return KEELCTL_EXIT_USAGE;
}

static int check_name(struct ctl *c, const char *name)
{
	if (proto_name_valid(name))
		return KEELCTL_EXIT_OK;
	snprintf(c->err, sizeof(c->err),
	         "invalid VM name '%.40s%s': names are 1 to %d characters of A-Z a-z 0-9 _ -", name,
	         strlen(name) > 40 ? "..." : "", PROTO_NAME_MAX);
	return arg_error(c, c->err);
}

/* --- the mailbox -------------------------------------------------------- */

static int open_mailbox(struct ctl *c)
{
	if (c->opened)
		return KEELCTL_EXIT_OK;
	c->err[0] = '\0';
	int rc = c->env->open(c->env->ctx, &c->io, c->err, sizeof(c->err));
	if (rc != KEELCTL_EXIT_OK) {
		fprintf(c->env->err, "keelctl: %s\n", c->err[0] ? c->err : "no mailbox");
		return rc;
	}
	c->opened = 1;
	if (mbox_check(&c->io, c->err, sizeof(c->err))) {
		fprintf(c->env->err, "keelctl: %s\n", c->err);
		return KEELCTL_EXIT_IO;
	}
	return KEELCTL_EXIT_OK;
}

/*
 * One request and its parsed response. KEELCTL_EXIT_OK with `r` to free,
 * KEELCTL_EXIT_VMM when vmm answered "error MESSAGE", KEELCTL_EXIT_IO when
 * the exchange failed or the response breaks the protocol. Errors are
 * printed unless `quiet`.
 */
static int exchange(struct ctl *c, const char *const *words, const void *payload,
                    size_t payload_len, struct proto_response *r, int quiet)
{
	FILE *err = quiet ? NULL : c->env->err;
	int rc = open_mailbox(c);
	if (rc)
		return rc;
	char *req = malloc(MBOX_REQ_MAX);
	if (!req) {
		if (err)
			fprintf(err, "keelctl: out of memory\n");
		return KEELCTL_EXIT_IO;
	}
	size_t len = proto_request(req, MBOX_REQ_MAX, words, payload, payload_len);
	if (len == 0) {
		free(req);
		if (err)
			fprintf(err, "keelctl: the request is larger than the mailbox's %u bytes\n",
			        MBOX_REQ_MAX);
		return KEELCTL_EXIT_USAGE;
	}
	rc = mbox_call(&c->io, req, len, c->reply, c->err, sizeof(c->err));
	free(req);
	if (rc) {
		if (err)
			fprintf(err, "keelctl: %s\n", c->err);
		return KEELCTL_EXIT_IO;
	}

	uint32_t status = c->reply->status;
	if (status == MBOX_STATUS_MALFORMED) {
		/* The response may say why, as an "error" line. */
		const char *why = "malformed or too large";
		if (!proto_parse(r, c->reply->text, c->reply->len, c->err, sizeof(c->err)) &&
		    !r->ok && r->message[0])
			why = r->message;
		if (err)
			fprintf(err, "keelctl: vmm could not read the '%s' request: %s\n", words[0],
			        why);
		proto_free(r);
		return KEELCTL_EXIT_IO;
	}
	if (status != MBOX_STATUS_OK && status != MBOX_STATUS_ERROR) {
		if (err)
			fprintf(err, "keelctl: the mailbox's STATUS is %u, not 0, 1 or 2\n",
			        status);
		return KEELCTL_EXIT_IO;
	}
	if (proto_parse(r, c->reply->text, c->reply->len, c->err, sizeof(c->err))) {
		if (err)
			fprintf(err, "keelctl: malformed response from vmm: %s\n", c->err);
		return KEELCTL_EXIT_IO;
	}
	/* STATUS and line 1 say the same thing twice; a disagreement is a vmm bug. */
	if (r->ok != (status == MBOX_STATUS_OK)) {
		if (err)
			fprintf(err,
			        "keelctl: malformed response from vmm: STATUS is %u but line 1 is "
			        "'%s%s'\n",
			        status, r->ok ? "ok" : "error ", r->ok ? "" : r->message);
		proto_free(r);
		return KEELCTL_EXIT_IO;
	}
	if (!r->ok) {
		if (err)
			fprintf(err, "keelctl: %s\n",
			        r->message[0] ? r->message
			                      : "vmm refused the request (no message)");
		proto_free(r);
		return KEELCTL_EXIT_VMM;
	}
	return KEELCTL_EXIT_OK;
}

/* --- output helpers ------------------------------------------------------ */

static const char *get(const struct proto_record *rec, const char *key)
{
	const char *v = rec ? proto_get(rec, key) : NULL;
	return v ? v : "-";
}

/* A record that names `vm` (in its `vm` or `name` key), or the first of its type. */
static const struct proto_record *find_for(const struct proto_response *r, const char *type,
                                           const char *key, const char *vm)
{
	const struct proto_record *first = proto_next(r, type, NULL);
	for (const struct proto_record *rec = first; rec; rec = proto_next(r, type, rec)) {
		const char *v = proto_get(rec, key);
		if (v && !strcmp(v, vm))
			return rec;
	}
	return first;
}

static size_t count(const struct proto_response *r, const char *type)
{
	size_t n = 0;
	for (const struct proto_record *rec = proto_next(r, type, NULL); rec;
	     rec = proto_next(r, type, rec))
		n++;
	return n;
}

/* A JSON array of every record of `type`. */
static void json_records(FILE *out, const struct proto_response *r, const char *type)
{
	fputc('[', out);
	for (const struct proto_record *rec = proto_next(r, type, NULL); rec;
	     rec = proto_next(r, type, rec)) {
		if (rec != proto_next(r, type, NULL))
			fputc(',', out);
		json_record(out, rec);
	}
	fputc(']', out);
}

static void json_record_or_null(FILE *out, const struct proto_record *rec)
{
	if (rec)
		json_record(out, rec);
	else
		fputs("null", out);
}

/*
 * A table of every record of `type`: `keys[i]` fills column i; a key
 * "cpu-time-us" is shown in seconds. Returns KEELCTL_EXIT_IO when out of
 * memory.
 */
static int print_table(struct ctl *c, const struct proto_response *r, const char *type,
                       const struct column *cols, const char *const *keys, size_t ncols)
{
	size_t nrows = count(r, type);
	char(*cells)[CELL_MAX] = calloc(nrows * ncols + 1, CELL_MAX);
	if (!cells) {
		fprintf(c->env->err, "keelctl: out of memory\n");
		return KEELCTL_EXIT_IO;
	}
	size_t row = 0;
	for (const struct proto_record *rec = proto_next(r, type, NULL); rec;
	     rec = proto_next(r, type, rec), row++) {
		for (size_t col = 0; col < ncols; col++) {
			char *cell = cells[row * ncols + col];
			if (!strcmp(keys[col], "cpu-time-us"))
				fmt_seconds(cell, CELL_MAX, proto_get(rec, keys[col]));
			else
				snprintf(cell, CELL_MAX, "%s", get(rec, keys[col]));
		}
	}
	table_print(c->env->out, cols, ncols, (const char(*)[CELL_MAX])cells, nrows);
	free(cells);
	return KEELCTL_EXIT_OK;
}

/* --- commands ------------------------------------------------------------- */

static int cmd_list(struct ctl *c)
{
	static const char *const words[] = {"list", NULL};
	static const struct column cols[] = {
	        {"ID", 1},    {"NAME", 0},     {"TYPE", 0},        {"STATE", 0},
	        {"VCPUS", 1}, {"MEM(MiB)", 1}, {"CPU-TIME(s)", 1}, {"CPUS", 0},
	};
	static const char *const keys[] = {"id",    "name",       "type",        "state",
	                                   "vcpus", "memory-mib", "cpu-time-us", "cpus"};
	struct proto_response r;
	int rc = exchange(c, words, NULL, 0, &r, 0);
	if (rc)
		return rc;
	const struct proto_record *free_rec = proto_next(&r, "free", NULL);
	const char *free_mib = free_rec ? proto_get(free_rec, "memory-mib") : NULL;
	FILE *out = c->env->out;
	if (c->json) {
		fputs("{\"vms\":", out);
		json_records(out, &r, "vm");
		fputs(",\"free_memory_mib\":", out);
		if (free_mib)
			json_value(out, "memory-mib", free_mib);
		else
			fputs("null", out);
		fputs("}\n", out);
	} else {
		rc = print_table(c, &r, "vm", cols, keys, sizeof(keys) / sizeof(keys[0]));
		if (!rc)
			fprintf(out, "free: %s MiB\n", free_mib ? free_mib : "-");
	}
	proto_free(&r);
	return rc;
}

static int cmd_services(struct ctl *c)
{
	static const char *const words[] = {"services", NULL};
	static const struct column cols[] = {
	        {"NAME", 0},     {"VERSION", 0}, {"STATE", 0},    {"FAULTS", 1},
	        {"RESTARTS", 1}, {"CPU", 1},     {"PRIORITY", 1}, {"CPU-TIME(s)", 1},
	};
	static const char *const keys[] = {"name",     "version", "state",    "faults",
	                                   "restarts", "cpu",     "priority", "cpu-time-us"};
	struct proto_response r;
	int rc = exchange(c, words, NULL, 0, &r, 0);
	if (rc)
		return rc;
	if (c->json) {
		fputs("{\"services\":", c->env->out);
		json_records(c->env->out, &r, "service");
		fputs("}\n", c->env->out);
	} else {
		rc = print_table(c, &r, "service", cols, keys, sizeof(keys) / sizeof(keys[0]));
	}
	proto_free(&r);
	return rc;
}

struct line {
	char label[24];
	char value[2 * CELL_MAX];
};

static int cmd_info(struct ctl *c, const char *name)
{
	const char *const words[] = {"info", name, NULL};
	struct proto_response r;
	int rc = exchange(c, words, NULL, 0, &r, 0);
	if (rc)
		return rc;
	FILE *out = c->env->out;
	const struct proto_record *vm = find_for(&r, "vm", "name", name);
	const struct proto_record *con = find_for(&r, "console", "vm", name);
	if (c->json) {
		fputs("{\"vm\":", out);
		json_record_or_null(out, vm);
		fputs(",\"vcpus\":", out);
		json_records(out, &r, "vcpu");
		fputs(",\"memory\":", out);
		json_records(out, &r, "memory");
		fputs(",\"console\":", out);
		json_record_or_null(out, con);
		fputs("}\n", out);
		proto_free(&r);
		return KEELCTL_EXIT_OK;
	}

	size_t n = 0, max = 9 + count(&r, "memory") + count(&r, "vcpu");
	struct line *lines = calloc(max, sizeof(*lines));
	if (!lines) {
		proto_free(&r);
		fprintf(c->env->err, "keelctl: out of memory\n");
		return KEELCTL_EXIT_IO;
	}
	static const char *const plain[] = {"name", "id", "type", "state", "vcpus"};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++, n++) {
		snprintf(lines[n].label, sizeof(lines[n].label), "%s", plain[i]);
		snprintf(lines[n].value, sizeof(lines[n].value), "%s", get(vm, plain[i]));
	}
	char secs[CELL_MAX];
	snprintf(lines[n].label, sizeof(lines[n].label), "memory");
	snprintf(lines[n++].value, sizeof(lines[0].value), "%s MiB", get(vm, "memory-mib"));
	snprintf(lines[n].label, sizeof(lines[n].label), "cpus");
	snprintf(lines[n++].value, sizeof(lines[0].value), "%s", get(vm, "cpus"));
	fmt_seconds(secs, sizeof(secs), vm ? proto_get(vm, "cpu-time-us") : NULL);
	snprintf(lines[n].label, sizeof(lines[n].label), "cpu time");
	snprintf(lines[n++].value, sizeof(lines[0].value), "%s s", secs);
	snprintf(lines[n].label, sizeof(lines[n].label), "console");
	if (con)
		snprintf(lines[n++].value, sizeof(lines[0].value), "Ctrl-T %s", get(con, "key"));
	else
		snprintf(lines[n++].value, sizeof(lines[0].value), "none");
	for (const struct proto_record *m = proto_next(&r, "memory", NULL); m;
	     m = proto_next(&r, "memory", m), n++) {
		snprintf(lines[n].label, sizeof(lines[n].label), "physical memory");
		snprintf(lines[n].value, sizeof(lines[n].value), "%s, %s MiB", get(m, "base"),
		         get(m, "size-mib"));
	}
	for (const struct proto_record *v = proto_next(&r, "vcpu", NULL); v;
	     v = proto_next(&r, "vcpu", v), n++) {
		fmt_seconds(secs, sizeof(secs), proto_get(v, "cpu-time-us"));
		snprintf(lines[n].label, sizeof(lines[n].label), "vcpu %.8s", get(v, "index"));
		snprintf(lines[n].value, sizeof(lines[n].value), "cpu %.8s, %.16s, %s s",
		         get(v, "cpu"), get(v, "state"), secs);
	}
	int width = 0;
	for (size_t i = 0; i < n; i++) {
		int w = (int)strlen(lines[i].label);
		width = w > width ? w : width;
	}
	for (size_t i = 0; i < n; i++)
		label_print(out, width, lines[i].label, lines[i].value);
	free(lines);
	proto_free(&r);
	return KEELCTL_EXIT_OK;
}

/* Reads and checks a VM config blob: KEELCTL_EXIT_OK with `*blob` (to free). */
static int read_config(struct ctl *c, const char *path, void **blob, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(c->err, sizeof(c->err), "cannot open %.160s: %s", path, strerror(errno));
		return arg_error(c, c->err);
	}
	unsigned char *buf = malloc(MBOX_REQ_MAX + 1);
	if (!buf) {
		fclose(f);
		return arg_error(c, "out of memory");
	}
	size_t n = fread(buf, 1, MBOX_REQ_MAX + 1, f);
	int read_error = ferror(f);
	fclose(f);
	int rc = KEELCTL_EXIT_OK, fdt_err;
	uint32_t magic = 0, total = 0;
	if (n >= 8) {
		magic = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 |
		        buf[3];
		total = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 | (uint32_t)buf[6] << 8 |
		        buf[7];
	}
	if (read_error) {
		snprintf(c->err, sizeof(c->err), "%.160s: read error", path);
		rc = KEELCTL_EXIT_IO;
	} else if (n < FDT_HEADER_SIZE || magic != FDT_MAGIC_VALUE) {
		snprintf(c->err, sizeof(c->err),
		         "%.160s: not a device tree blob (%s); compile the .dts with "
		         "dtc -I dts -O dtb",
		         path,
		         n < FDT_HEADER_SIZE ? "shorter than a header" : "no magic 0xd00dfeed");
		rc = KEELCTL_EXIT_USAGE;
	} else if (total > CREATE_PAYLOAD_MAX) {
		snprintf(c->err, sizeof(c->err),
		         "%.160s: the device tree is %u bytes, create takes at most %zu", path,
		         total, (size_t)CREATE_PAYLOAD_MAX);
		rc = KEELCTL_EXIT_USAGE;
	} else if (total > n || total < FDT_HEADER_SIZE) {
		snprintf(c->err, sizeof(c->err),
		         "%.160s: not a device tree blob (its header says %u bytes, the file has "
		         "%zu)",
		         path, total, n);
		rc = KEELCTL_EXIT_USAGE;
	} else if ((fdt_err = fdt_check_header(buf)) != 0) {
		snprintf(c->err, sizeof(c->err), "%.160s: not a device tree blob (%s)", path,
		         fdt_strerror(fdt_err));
		rc = KEELCTL_EXIT_USAGE;
	} else {
		int vms = fdt_path_offset(buf, "/vms");
		int children = 0;
		if (vms >= 0) {
			int node;
			fdt_for_each_subnode (node, buf, vms) {
				children++;
			}
		}
		if (vms < 0 || children != 1) {
			snprintf(c->err, sizeof(c->err),
			         "%.160s: %s; create takes a tree whose /vms node has exactly "
			         "one child, the VM",
			         path,
			         vms < 0    ? "no /vms node"
			         : children ? "/vms has several VMs"
			                    : "/vms is empty");
			rc = KEELCTL_EXIT_USAGE;
		}
	}
	if (rc) {
		free(buf);
		fprintf(c->env->err, "keelctl: %s\n", c->err);
		return rc;
	}
	*blob = buf;
	*size = total;
	return KEELCTL_EXIT_OK;
}

static int cmd_create(struct ctl *c, const void *blob, size_t size)
{
	static const char *const words[] = {"create", NULL};
	struct proto_response r;
	int rc = exchange(c, words, blob, size, &r, 0);
	if (rc)
		return rc;
	const struct proto_record *cr = proto_next(&r, "created", NULL);
	if (c->json) {
		fputs("{\"created\":", c->env->out);
		json_record_or_null(c->env->out, cr);
		fputs("}\n", c->env->out);
	} else {
		fprintf(c->env->out, "created VM %s (id %s)\n", get(cr, "name"), get(cr, "id"));
	}
	proto_free(&r);
	return KEELCTL_EXIT_OK;
}

static int cmd_action(struct ctl *c, const char *verb, const char *name, int force)
{
	static const char *const done[][2] = {
	        {"start", "started"}, {"pause", "paused"},      {"resume", "resumed"},
	        {"stop", "stopped"},  {"destroy", "destroyed"},
	};
	const char *const words[] = {verb, name, force ? "force" : NULL, NULL};
	struct proto_response r;
	int rc = exchange(c, words, NULL, 0, &r, 0);
	if (rc)
		return rc;
	/* vmm may send the VM's record as it is now (start, pause, resume,
	 * stop) and, for a stop, how it went ("stopped vm=X how=forced"). */
	const struct proto_record *vm = find_for(&r, "vm", "name", name);
	const struct proto_record *stopped = find_for(&r, "stopped", "vm", name);
	const char *state = vm ? proto_get(vm, "state") : NULL;
	const char *how = stopped ? proto_get(stopped, "how") : NULL;
	FILE *out = c->env->out;
	if (c->json) {
		fputs("{\"ok\":true", out);
		if (vm) {
			fputs(",\"vm\":", out);
			json_record(out, vm);
		}
		fputs("}\n", out);
	} else if (!strcmp(verb, "stop") && !force && state && strcmp(state, "stopped") != 0) {
		/* A graceful stop that the guest has not finished yet. */
		fprintf(out, "stopping VM %s (now %s)\n", name, state);
	} else {
		const char *past = verb;
		for (size_t i = 0; i < sizeof(done) / sizeof(done[0]); i++) {
			if (!strcmp(done[i][0], verb))
				past = done[i][1];
		}
		fprintf(out, "%s VM %s", past, name);
		if (how)
			fprintf(out, " (%s)", how);
		fputc('\n', out);
	}
	proto_free(&r);
	return KEELCTL_EXIT_OK;
}

/*
 * How to come back to the management VM: its name and console key. vmm
 * sends the MVM's console record with the VM's (a console record of
 * another VM); failing that, `list` names the MVM and `info` gives its
 * key (never `console`, which may switch the focus). Fills what it
 * learns; never fails the command.
 */
static void find_mvm(struct ctl *c, const struct proto_response *con_rsp, const char *vm_name,
                     char *name, size_t name_size, char *key, size_t key_size)
{
	name[0] = key[0] = '\0';
	for (const struct proto_record *rec = proto_next(con_rsp, "console", NULL); rec;
	     rec = proto_next(con_rsp, "console", rec)) {
		const char *vm = proto_get(rec, "vm");
		if (vm && proto_name_valid(vm) && strcmp(vm, vm_name) != 0 &&
		    proto_get(rec, "key")) {
			snprintf(name, name_size, "%s", vm);
			snprintf(key, key_size, "%s", proto_get(rec, "key"));
			return;
		}
	}

	static const char *const list[] = {"list", NULL};
	struct proto_response r;
	if (exchange(c, list, NULL, 0, &r, 1))
		return;
	const struct proto_record *vm = find_for(&r, "vm", "type", "mvm");
	if (vm && !strcmp(get(vm, "type"), "mvm") && proto_name_valid(get(vm, "name")))
		snprintf(name, name_size, "%s", get(vm, "name"));
	proto_free(&r);
	if (!name[0] || !strcmp(name, vm_name))
		return;
	const char *const info[] = {"info", name, NULL};
	if (exchange(c, info, NULL, 0, &r, 1))
		return;
	const struct proto_record *con = find_for(&r, "console", "vm", name);
	if (con && !strcmp(get(con, "vm"), name) && proto_get(con, "key"))
		snprintf(key, key_size, "%s", proto_get(con, "key"));
	proto_free(&r);
}

static int cmd_console(struct ctl *c, const char *name)
{
	const char *const words[] = {"console", name, NULL};
	struct proto_response r;
	int rc = exchange(c, words, NULL, 0, &r, 0);
	if (rc)
		return rc;
	char mvm[PROTO_NAME_MAX + 1], mvm_key[CELL_MAX];
	find_mvm(c, &r, name, mvm, sizeof(mvm), mvm_key, sizeof(mvm_key));
	FILE *out = c->env->out;
	const struct proto_record *con = find_for(&r, "console", "vm", name);
	if (con && strcmp(get(con, "vm"), name) != 0)
		con = NULL; /* only the MVM's */
	const char *key = con ? proto_get(con, "key") : NULL;
	if (c->json) {
		fputs("{\"console\":", out);
		json_record_or_null(out, con);
		fputs(",\"mvm_console\":", out);
		if (mvm[0] && mvm_key[0]) {
			fputs("{\"vm\":", out);
			json_string(out, mvm);
			fputs(",\"key\":", out);
			json_value(out, "key", mvm_key);
			fputc('}', out);
		} else {
			fputs("null", out);
		}
		fputs("}\n", out);
	} else if (!key) {
		fprintf(out, "VM %s has no console\n", name);
	} else if (!strcmp(mvm, name)) {
		fprintf(out, "VM %s is this VM, the management VM: its console is Ctrl-T %s\n",
		        name, key);
	} else {
		fprintf(out, "console of VM %s: Ctrl-T %s\n", name, key);
		if (mvm_key[0])
			fprintf(out, "back to this VM (%s): Ctrl-T %s\n", mvm, mvm_key);
		else
			fprintf(out, "back to this VM: Ctrl-T and its key (Ctrl-T ? lists them)\n");
	}
	proto_free(&r);
	return KEELCTL_EXIT_OK;
}

/* --- services: images and live swaps ------------------------------------- */

#define SWAP_WAIT_MS 60000 /* a swap's own deadlines are far shorter */

static int read_image(struct ctl *c, const char *path, void **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(c->err, sizeof(c->err), "cannot open %.160s: %s", path, strerror(errno));
		return arg_error(c, c->err);
	}
	size_t cap = MBOX_REQ_MAX - 64;
	unsigned char *buf = malloc(cap + 1);
	size_t n = buf ? fread(buf, 1, cap + 1, f) : 0;
	int read_error = ferror(f);
	fclose(f);
	if (!buf || read_error || n > cap) {
		snprintf(c->err, sizeof(c->err), "%.160s: %s", path,
		         !buf         ? "out of memory"
		         : read_error ? "read error"
		                      : "larger than the mailbox");
		free(buf);
		return arg_error(c, c->err);
	}
	*data = buf;
	*size = n;
	return KEELCTL_EXIT_OK;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Polls the result of the swap of `name` until it is done. */
static int await_swap(struct ctl *c, const char *name)
{
	const char *const words[] = {"service", "result", name, NULL};
	for (long waited = 0;; waited += 10) {
		struct proto_response r;
		int rc = exchange(c, words, NULL, 0, &r, 0);
		if (rc)
			return rc; /* rolled back: vmm's message says why */
		const struct proto_record *sw = proto_next(&r, "swap", NULL);
		const char *state = get(sw, "state");
		if (strcmp(state, "running") != 0) {
			if (c->json) {
				fputs("{\"swap\":", c->env->out);
				json_record_or_null(c->env->out, sw);
				fputs("}\n", c->env->out);
			} else {
				fprintf(c->env->out,
				        "swapped %s %s -> %s: guest pause %s us, swap %s us\n",
				        name, get(sw, "from"), get(sw, "to"), get(sw, "pause-us"),
				        get(sw, "total-us"));
			}
			proto_free(&r);
			return KEELCTL_EXIT_OK;
		}
		proto_free(&r);
		if (waited >= SWAP_WAIT_MS) {
			fprintf(c->env->err,
			        "keelctl: the swap of %s is still running after %d s\n", name,
			        SWAP_WAIT_MS / 1000);
			return KEELCTL_EXIT_IO;
		}
		sleep_ms(10);
	}
}

static int service_fault(struct ctl *c, const char *name)
{
	const char *const words[] = {"service", "fault", name, NULL};
	struct proto_response r;
	int rc = exchange(c, words, NULL, 0, &r, 0);
	if (rc)
		return rc;
	proto_free(&r);
	if (c->json)
		fprintf(c->env->out, "{\"fault\":\"%s\"}\n", name);
	else
		fprintf(c->env->out, "%s told to fault ('keelctl services' shows its restarts)\n",
		        name);
	return KEELCTL_EXIT_OK;
}

static int cmd_service(struct ctl *c, char *const *args, int nargs)
{
	const char *sub = nargs ? args[0] : "";
	int want = !strcmp(sub, "deploy")     ? 2
	           : !strcmp(sub, "swap")     ? 3
	           : !strcmp(sub, "rollback") ? 2
	           : !strcmp(sub, "fault")    ? 2
	                                      : 0;
	if (!want)
		return usage_error(c, "'service' takes deploy, swap, rollback or fault");
	if (nargs != want)
		return usage_error(c, "'service %s' takes %s", sub,
		                   want == 3                ? "a service name and an image"
		                   : !strcmp(sub, "deploy") ? "an image"
		                                            : "a service name");
	const char *name = !strcmp(sub, "deploy") ? NULL : args[1];
	if (name && check_name(c, name))
		return KEELCTL_EXIT_USAGE;
	void *image = NULL;
	size_t size = 0;
	if (!strcmp(sub, "fault"))
		return service_fault(c, name);
	if (strcmp(sub, "rollback") != 0) {
		int rc = read_image(c, args[want - 1], &image, &size);
		if (rc)
			return rc;
	}
	const char *const words[] = {"service", sub, name, NULL};
	struct proto_response r;
	int rc = exchange(c, words, image, size, &r, 0);
	free(image);
	if (rc)
		return rc;
	const struct proto_record *img = proto_next(&r, "image", NULL);
	if (!name && c->json) {
		fputs("{\"image\":", c->env->out);
		json_record_or_null(c->env->out, img);
		fputs("}\n", c->env->out);
	} else if (!name) {
		fprintf(c->env->out, "deployed %s %s (state format %s, build %.12s)\n",
		        get(img, "name"), get(img, "version"), get(img, "state-format"),
		        get(img, "build"));
	}
	proto_free(&r);
	return name ? await_swap(c, name) : KEELCTL_EXIT_OK;
}

/* --- the command line ------------------------------------------------------ */

static int run(struct ctl *c, int argc, char *const *argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json")) {
			c->json = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_text, c->env->out);
			return KEELCTL_EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			fprintf(c->env->out, "keelctl %s (management mailbox v%u)\n",
			        KEELCTL_VERSION, MBOX_VERSION_VALUE);
			return KEELCTL_EXIT_OK;
		} else {
			return usage_error(c, "unknown option '%s'", argv[i]);
		}
	}
	if (i == argc)
		return usage_error(c, "no command given");
	const char *cmd = argv[i++];
	char *const *args = argv + i;
	int nargs = argc - i;

	if (!strcmp(cmd, "help")) {
		if (nargs)
			return usage_error(c, "'help' takes no arguments");
		fputs(usage_text, c->env->out);
		return KEELCTL_EXIT_OK;
	}
	if (!strcmp(cmd, "list") || !strcmp(cmd, "services")) {
		if (nargs)
			return usage_error(c, "'%s' takes no arguments", cmd);
		return strcmp(cmd, "list") ? cmd_services(c) : cmd_list(c);
	}
	if (!strcmp(cmd, "create")) {
		if (nargs != 1)
			return usage_error(c, "'create' takes one argument, the config .dtb");
		void *blob;
		size_t size;
		int rc = read_config(c, args[0], &blob, &size);
		if (rc)
			return rc;
		rc = cmd_create(c, blob, size);
		free(blob);
		return rc;
	}
	if (!strcmp(cmd, "service"))
		return cmd_service(c, args, nargs);
	static const char *const vm_commands[] = {"info", "start",   "pause",  "resume",
	                                          "stop", "destroy", "console"};
	for (size_t k = 0; k < sizeof(vm_commands) / sizeof(vm_commands[0]); k++) {
		if (strcmp(cmd, vm_commands[k]) != 0)
			continue;
		int force = 0;
		if (!strcmp(cmd, "stop") && nargs > 0 && !strcmp(args[0], "--force")) {
			force = 1;
			args++;
			nargs--;
		}
		if (nargs != 1)
			return usage_error(
			        c, nargs ? "'%s' takes one VM name" : "'%s' needs a VM name", cmd);
		int rc = check_name(c, args[0]);
		if (rc)
			return rc;
		if (!strcmp(cmd, "info"))
			return cmd_info(c, args[0]);
		if (!strcmp(cmd, "console"))
			return cmd_console(c, args[0]);
		return cmd_action(c, cmd, args[0], force);
	}
	return usage_error(c, "unknown command '%s'", cmd);
}

int keelctl_main(int argc, char *const *argv, const struct keelctl_env *env)
{
	struct ctl c = {.env = env};
	c.reply = malloc(sizeof(*c.reply));
	if (!c.reply) {
		fprintf(env->err, "keelctl: out of memory\n");
		return KEELCTL_EXIT_IO;
	}
	int rc = run(&c, argc, argv);
	if (c.opened && env->close)
		env->close(env->ctx);
	free(c.reply);
	return rc;
}
