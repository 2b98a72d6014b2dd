/* SPDX-License-Identifier: MIT */
/*
 * keelctl (services/keelctl) on the host: the real command line, request,
 * mailbox and output code, talking to a fake mailbox device that keeps
 * the v1 register protocol (docs/management.md) and checks that keelctl
 * keeps it too: BEGIN, the data words, REQ_LEN after them, SUBMIT.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include "cli.h"
#include "mailbox.h"
#include "output.h"
#include "proto.h"

/* --- the fake mailbox device ------------------------------------------------ */

#define MAX_REPLIES 8

struct reply {
	uint32_t status;
	const char *text;
	size_t len;       /* 0: strlen(text) */
	uint32_t rsp_len; /* 0: len; else what RSP_LEN claims */
};

static struct fake {
	uint32_t id, version;
	int open_rc;
	const char *open_msg;
	int opens, closes;

	/* the device */
	uint8_t req[MBOX_REQ_MAX + 16];
	size_t words;
	uint32_t req_len;
	int len_written;
	uint32_t status, rsp_len, rsp_pos;
	const char *rsp;
	size_t rsp_avail;

	/* what it saw */
	int submits;
	uint8_t last[MBOX_REQ_MAX];
	size_t last_len;
	char lines[MAX_REPLIES][64]; /* the command line of each request */
	int protocol_errors;

	struct reply replies[MAX_REPLIES];
	int nreplies;
} F;

static void protocol_error(const char *why)
{
	fprintf(stderr, "fake mailbox: keelctl broke the protocol: %s\n", why);
	F.protocol_errors++;
}

static void submit(void)
{
	if (!F.len_written)
		protocol_error("SUBMIT without REQ_LEN");
	F.rsp_pos = 0;
	/* REQ_LEN must say how much of the last word counts. */
	if (F.req_len > MBOX_REQ_MAX || F.req_len > F.words * 4 || F.req_len + 4 <= F.words * 4) {
		protocol_error("REQ_LEN does not match the words written");
		F.status = MBOX_STATUS_MALFORMED;
		F.rsp_len = 0;
		return;
	}
	for (size_t i = F.req_len; i < F.words * 4; i++) {
		if (F.req[i])
			protocol_error("padding of the last word is not zero");
	}
	int n = F.submits++;
	memcpy(F.last, F.req, F.req_len);
	F.last_len = F.req_len;
	if (n < MAX_REPLIES) {
		size_t l = 0;
		while (l < F.req_len && l < sizeof(F.lines[n]) - 1 && F.req[l] != '\n') {
			F.lines[n][l] = (char)F.req[l];
			l++;
		}
		F.lines[n][l] = '\0';
	}
	if (n >= F.nreplies) {
		F.status = MBOX_STATUS_ERROR;
		F.rsp = "error the fake has no reply for this request\n";
		F.rsp_avail = F.rsp_len = (uint32_t)strlen(F.rsp);
		return;
	}
	const struct reply *r = &F.replies[n];
	F.status = r->status;
	F.rsp = r->text;
	F.rsp_avail = r->len ? r->len : strlen(r->text);
	F.rsp_len = r->rsp_len ? r->rsp_len : (uint32_t)F.rsp_avail;
}

static uint32_t fake_read32(void *ctx, uint32_t off)
{
	(void)ctx;
	switch (off) {
	case MBOX_ID: return F.id;
	case MBOX_VERSION: return F.version;
	case MBOX_STATUS: return F.status;
	case MBOX_RSP_LEN: return F.rsp_len;
	case MBOX_RSP_DATA: {
		uint32_t w = 0;
		for (uint32_t i = 0; i < 4; i++, F.rsp_pos++) {
			if (F.rsp_pos < F.rsp_len && F.rsp_pos < F.rsp_avail)
				w |= (uint32_t)(uint8_t)F.rsp[F.rsp_pos] << (8 * i);
		}
		return w;
	}
	default: protocol_error("read of a write-only or unknown register"); return 0;
	}
}

static void fake_write32(void *ctx, uint32_t off, uint32_t v)
{
	(void)ctx;
	switch (off) {
	case MBOX_CTRL:
		if (v == MBOX_CTRL_BEGIN) {
			F.words = 0;
			F.len_written = 0;
		} else if (v == MBOX_CTRL_SUBMIT) {
			submit();
		} else {
			protocol_error("unknown CTRL value");
		}
		break;
	case MBOX_REQ_DATA:
		if (F.len_written)
			protocol_error("REQ_DATA after REQ_LEN");
		if (F.words * 4 + 4 > sizeof(F.req)) {
			protocol_error("request overflows the buffer");
			break;
		}
		for (int i = 0; i < 4; i++)
			F.req[F.words * 4 + i] = (uint8_t)(v >> (8 * i));
		F.words++;
		break;
	case MBOX_REQ_LEN:
		F.req_len = v;
		F.len_written = 1;
		break;
	default: protocol_error("write of a read-only or unknown register");
	}
}

static int fake_open(void *ctx, struct mbox_io *io, char *err, size_t err_size)
{
	(void)ctx;
	F.opens++;
	if (F.open_rc) {
		snprintf(err, err_size, "%s", F.open_msg);
		return F.open_rc;
	}
	io->read32 = fake_read32;
	io->write32 = fake_write32;
	io->ctx = &F;
	return KEELCTL_EXIT_OK;
}

static void fake_close(void *ctx)
{
	(void)ctx;
	F.closes++;
}

static void reply(uint32_t status, const char *text)
{
	assert_true(F.nreplies < MAX_REPLIES);
	F.replies[F.nreplies++] = (struct reply){status, text, 0, 0};
}

/* --- running keelctl ------------------------------------------------------- */

static char *out_buf, *err_buf;
static size_t out_size, err_size;

/* Checks what the fake saw since the last reset, then makes a new device. */
static void next(void)
{
	assert_int_equal(F.protocol_errors, 0);
	assert_int_equal(F.closes, F.open_rc ? 0 : F.opens); /* every open closed */
	memset(&F, 0, sizeof(F));
	F.id = MBOX_ID_VALUE;
	F.version = MBOX_VERSION_VALUE;
}

static int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	next();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	next();
	free(out_buf);
	free(err_buf);
	out_buf = err_buf = NULL;
	return 0;
}

/* Runs "keelctl ARGS..." (up to a NULL); stdout and stderr land in out_buf, err_buf. */
#define keelctl(...) run_keelctl((const char *const[]){__VA_ARGS__})

static int run_keelctl(const char *const *args)
{
	char *argv[16] = {"keelctl"};
	int argc = 1;
	for (; args[argc - 1]; argc++) {
		assert_true(argc < 15);
		argv[argc] = (char *)args[argc - 1];
	}
	free(out_buf);
	free(err_buf);
	FILE *out = open_memstream(&out_buf, &out_size);
	FILE *err = open_memstream(&err_buf, &err_size);
	assert_non_null(out);
	assert_non_null(err);
	const struct keelctl_env env = {out, err, fake_open, fake_close, NULL};
	int rc = keelctl_main(argc, argv, &env);
	fclose(out);
	fclose(err);
	return rc;
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("'%s' not in '%s'", needle, haystack);
}

static void assert_request(const char *expect)
{
	if (F.last_len != strlen(expect) || memcmp(F.last, expect, F.last_len) != 0)
		fail_msg("request '%.*s', expected '%s'", (int)F.last_len, F.last, expect);
}

/* --- requests ------------------------------------------------------------------ */

static void packs_words(void **state)
{
	(void)state;
	/* 10, 16 and 7 bytes: two with a padded last word, one exact. */
	reply(MBOX_STATUS_OK, "ok\n");
	assert_int_equal(keelctl("start", "gvm", NULL), KEELCTL_EXIT_OK);
	assert_request("start gvm\n");
	assert_int_equal(F.words, 3);
	assert_int_equal(F.req_len, 10);
	assert_string_equal(out_buf, "started VM gvm\n");
	assert_string_equal(err_buf, "");

	next();
	reply(MBOX_STATUS_OK, "ok\n");
	assert_int_equal(keelctl("stop", "--force", "gvm2", NULL), KEELCTL_EXIT_OK);
	assert_request("stop gvm2 force\n");
	assert_int_equal(F.words, 4);
	assert_string_equal(out_buf, "stopped VM gvm2\n");

	next();
	reply(MBOX_STATUS_OK, "ok\nvm name=a state=stopping\n");
	assert_int_equal(keelctl("stop", "a", NULL), KEELCTL_EXIT_OK);
	assert_request("stop a\n");
	assert_int_equal(F.words, 2);
	assert_string_equal(out_buf, "stopping VM a (now stopping)\n");
}

static void request_builder(void **state)
{
	(void)state;
	char buf[16];
	const char *const words[] = {"pause", "gvm", NULL};
	assert_int_equal(proto_request(buf, sizeof(buf), words, "xy", 2), 12);
	assert_memory_equal(buf, "pause gvm\nxy", 12);
	assert_int_equal(proto_request(buf, 11, words, "xy", 2), 0);
	assert_int_equal(proto_request(buf, 10, words, NULL, 0), 10);
	assert_int_equal(proto_request(buf, 9, words, NULL, 0), 0);
	assert_int_equal(proto_request(buf, 5, words, NULL, 0), 0);
}

/* A VM config blob with /vms/NAME for each name, plus `pad` bytes of property. */
static size_t make_config(void *buf, size_t size, const char *const *names, size_t pad)
{
	assert_int_equal(fdt_create(buf, (int)size), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(fdt_begin_node(buf, "vms"), 0);
	for (size_t i = 0; names[i]; i++) {
		assert_int_equal(fdt_begin_node(buf, names[i]), 0);
		assert_int_equal(fdt_property_u32(buf, "vcpus", 1), 0);
		assert_int_equal(fdt_property_string(buf, "kernel", "linux"), 0);
		if (pad) {
			void *p;
			assert_int_equal(fdt_property_placeholder(buf, "blob", (int)pad, &p), 0);
			for (size_t j = 0; j < pad; j++)
				((uint8_t *)p)[j] = (uint8_t)(j * 7 + 3);
		}
		assert_int_equal(fdt_end_node(buf), 0);
	}
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	return fdt_totalsize(buf);
}

static char tmp_path[64];

static void write_file(const void *data, size_t len)
{
	snprintf(tmp_path, sizeof(tmp_path), "/tmp/test_keelctl_XXXXXX");
	int fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void create_sends_blob(void **state)
{
	(void)state;
	static uint8_t blob[MBOX_REQ_MAX + 4096];
	static uint8_t expect[MBOX_REQ_MAX];
	const char *const one[] = {"gvm2", NULL};
	size_t size = make_config(blob, sizeof(blob), one, 50001);
	assert_true(size % 4 != 0); /* "create\n" + blob ends inside a word */
	/* Bytes past the header's totalsize are not sent. */
	memset(blob + size, 0xee, 100);
	write_file(blob, size + 100);

	reply(MBOX_STATUS_OK, "ok\ncreated id=4 name=gvm2\n");
	reply(MBOX_STATUS_OK, "ok\ncreated name=gvm2 id=4\n");
	assert_int_equal(keelctl("create", tmp_path, NULL), KEELCTL_EXIT_OK);
	snprintf((char *)expect, sizeof(expect), "create\n"); /* the blob overwrites its NUL */
	memcpy(expect + 7, blob, size);
	assert_int_equal(F.last_len, size + 7);
	assert_memory_equal(F.last, expect, size + 7);
	assert_string_equal(out_buf, "created VM gvm2 (id 4)\n");

	assert_int_equal(keelctl("--json", "create", tmp_path, NULL), KEELCTL_EXIT_OK);
	assert_string_equal(out_buf, "{\"created\":{\"name\":\"gvm2\",\"id\":4}}\n");
	unlink(tmp_path);
}

/* service deploy sends the image as it is; swap and rollback poll the
 * swap's result until it is done and print it, or vmm's reason when it
 * was rolled back. */
static void service_commands(void **state)
{
	(void)state;
	static const uint8_t image[] = "KEELSVC1 not checked by keelctl\0\x01\x02";
	write_file(image, sizeof(image));

	reply(MBOX_STATUS_OK, "ok\nimage name=devemu version=1.1.0 state-format=2 "
	                      "build=0123456789abcdef0123\n");
	assert_int_equal(keelctl("service", "deploy", tmp_path, NULL), KEELCTL_EXIT_OK);
	assert_int_equal(F.last_len, sizeof("service deploy\n") - 1 + sizeof(image));
	assert_memory_equal(F.last, "service deploy\n", 15);
	assert_memory_equal(F.last + 15, image, sizeof(image));
	assert_string_equal(out_buf,
	                    "deployed devemu 1.1.0 (state format 2, build 0123456789ab)\n");

	reply(MBOX_STATUS_OK, "ok\nimage name=devemu version=1.1.0 state-format=2 build=01\n");
	reply(MBOX_STATUS_OK, "ok\nswap name=devemu state=running phase=freeze from=1.0.0 "
	                      "to=1.1.0\n");
	reply(MBOX_STATUS_OK, "ok\nswap name=devemu state=committed from=1.0.0 to=1.1.0 "
	                      "pause-us=42 total-us=900 swaps=1 rollbacks=0\n");
	assert_int_equal(keelctl("service", "swap", "devemu", tmp_path, NULL), KEELCTL_EXIT_OK);
	assert_string_equal(F.lines[1], "service swap devemu");
	assert_string_equal(F.lines[2], "service result devemu");
	assert_string_equal(F.lines[3], "service result devemu");
	assert_int_equal(F.submits, 4);
	assert_string_equal(out_buf,
	                    "swapped devemu 1.0.0 -> 1.1.0: guest pause 42 us, swap 900 us\n");

	reply(MBOX_STATUS_OK, "ok\n");
	reply(MBOX_STATUS_ERROR, "error swap of devemu to 1.0.0 rolled back: new version "
	                         "failed its health check\n");
	assert_int_equal(keelctl("service", "rollback", "devemu", NULL), KEELCTL_EXIT_VMM);
	assert_string_equal(F.lines[4], "service rollback devemu");
	assert_string_equal(F.lines[5], "service result devemu");
	assert_contains(err_buf, "rolled back: new version failed its health check");

	reply(MBOX_STATUS_ERROR, "error no service 'nosuch'\n");
	assert_int_equal(keelctl("service", "swap", "nosuch", tmp_path, NULL), KEELCTL_EXIT_VMM);
	assert_int_equal(F.submits, 7); /* refused: nothing to wait for */
	assert_contains(err_buf, "no service 'nosuch'");

	assert_int_equal(keelctl("service", "swap", "devemu", NULL), KEELCTL_EXIT_USAGE);
	assert_int_equal(keelctl("service", "frobnicate", NULL), KEELCTL_EXIT_USAGE);
	assert_int_equal(keelctl("service", "swap", "devemu", "/nonexistent", NULL),
	                 KEELCTL_EXIT_USAGE);
	assert_int_equal(F.submits, 7);
	unlink(tmp_path);
}

static void service_fault(void **state)
{
	(void)state;
	reply(MBOX_STATUS_OK, "ok\n");
	assert_int_equal(keelctl("service", "fault", "devemu", NULL), KEELCTL_EXIT_OK);
	assert_string_equal(F.lines[0], "service fault devemu");
	assert_contains(out_buf, "devemu told to fault");
	reply(MBOX_STATUS_ERROR, "error a swap of devemu is under way\n");
	assert_int_equal(keelctl("service", "fault", "devemu", NULL), KEELCTL_EXIT_VMM);
	assert_contains(err_buf, "a swap of devemu is under way");
	assert_int_equal(keelctl("service", "fault", NULL), KEELCTL_EXIT_USAGE);
	assert_int_equal(keelctl("service", "fault", "devemu", "x", NULL), KEELCTL_EXIT_USAGE);
	assert_int_equal(F.submits, 2);
}

static void create_refuses_bad_blobs(void **state)
{
	(void)state;
	static uint8_t blob[2 * MBOX_REQ_MAX];
	const char *const two[] = {"a", "b", NULL};
	const char *const none[] = {NULL};
	const char *const one[] = {"a", NULL};

	snprintf((char *)blob, sizeof(blob), "hello, not a tree\n");
	write_file(blob, 18);
	assert_int_equal(keelctl("create", tmp_path, NULL), KEELCTL_EXIT_USAGE);
	assert_contains(err_buf, "not a device tree blob");
	unlink(tmp_path);
	memset(blob, 0, 64);
	write_file(blob, 64);
	assert_int_equal(keelctl("create", tmp_path, NULL), KEELCTL_EXIT_USAGE);
	assert_contains(err_buf, "not a device tree blob (no magic 0xd00dfeed)");
	unlink(tmp_path);

	size_t len = make_config(blob, sizeof(blob), two, 0);
	write_file(blob, len);
	assert_int_equal(keelctl("create", tmp_path, NULL), KEELCTL_EXIT_USAGE);
	assert_contains(err_buf, "/vms has several VMs");
	unlink(tmp_path);

	len = make_config(blob, sizeof(blob), none, 0);
	write_file(blob, len);
	assert_int_equal(keelctl("create", tmp_path, NULL), KEELCTL_EXIT_USAGE);
	assert_contains(err_buf, "/vms is empty");
	unlink(tmp_path);

	assert_int_equal(fdt_create_empty_tree(blob, 256), 0);
	write_file(blob, fdt_totalsize(blob));
	assert_int_equal(keelctl("create", tmp_path, NULL), KEELCTL_EXIT_USAGE);
	assert_contains(err_buf, "no /vms node; create takes a tree whose /vms node has exactly");
	unlink(tmp_path);

	/* Truncated: the header says more than the file has. */
	len = make_config(blob, sizeof(blob), one, 0);
	write_file(blob, len - 1);
	assert_int_equal(keelctl("create", tmp_path, NULL), KEELCTL_EXIT_USAGE);
	assert_contains(err_buf, "the file has");
	unlink(tmp_path);

	/* Larger than one request: 65536 - "create\n". */
	len = make_config(blob, sizeof(blob), one, MBOX_REQ_MAX);
	write_file(blob, len);
	assert_int_equal(keelctl("create", tmp_path, NULL), KEELCTL_EXIT_USAGE);
	assert_contains(err_buf, "create takes at most 262137");
	unlink(tmp_path);

	assert_int_equal(keelctl("create", "/nonexistent/vm.dtb", NULL), KEELCTL_EXIT_USAGE);
	assert_contains(err_buf, "cannot open /nonexistent/vm.dtb");
	assert_int_equal(F.opens, 0); /* none of these reached the mailbox */
	assert_int_equal(F.submits, 0);
}

/* --- responses ------------------------------------------------------------------ */

static const char list_reply[] =
        "ok\n"
        "vm id=1 name=mvm type=mvm state=running vcpus=1 memory-mib=256 cpu-time-us=123456789 "
        "cpus=0\n"
        "gpu model=x\n" /* a record type from the future */
        "vm cpus=1,2 cpu-time-us=999 name=gvm-2 id=12 vcpus=2 memory-mib=1024 state=stopped "
        "colour=blue type=gvm\n"
        "free memory-mib=300\n";

static void list_table(void **state)
{
	(void)state;
	reply(MBOX_STATUS_OK, list_reply);
	assert_int_equal(keelctl("list", NULL), KEELCTL_EXIT_OK);
	assert_request("list\n");
	assert_string_equal(out_buf,
	                    "ID  NAME   TYPE  STATE    VCPUS  MEM(MiB)  CPU-TIME(s)  CPUS\n"
	                    " 1  mvm    mvm   running      1       256      123.456  0\n"
	                    "12  gvm-2  gvm   stopped      2      1024        0.000  1,2\n"
	                    "free: 300 MiB\n");
	assert_string_equal(err_buf, "");
}

static void list_json(void **state)
{
	(void)state;
	reply(MBOX_STATUS_OK, list_reply);
	assert_int_equal(keelctl("--json", "list", NULL), KEELCTL_EXIT_OK);
	assert_string_equal(
	        out_buf,
	        "{\"vms\":[{\"id\":1,\"name\":\"mvm\",\"type\":\"mvm\",\"state\":\"running\","
	        "\"vcpus\":1,\"memory_mib\":256,\"cpu_time_us\":123456789,\"cpus\":[0]},"
	        "{\"cpus\":[1,2],\"cpu_time_us\":999,\"name\":\"gvm-2\",\"id\":12,"
	        "\"vcpus\":2,\"memory_mib\":1024,\"state\":\"stopped\",\"colour\":\"blue\","
	        "\"type\":\"gvm\"}],\"free_memory_mib\":300}\n");

	/* No VMs, no free record; a VM named with digits stays a string. */
	next();
	reply(MBOX_STATUS_OK, "ok\nvm name=007 id=0 cpus=\n");
	assert_int_equal(keelctl("--json", "list", NULL), KEELCTL_EXIT_OK);
	assert_string_equal(out_buf, "{\"vms\":[{\"name\":\"007\",\"id\":0,\"cpus\":[]}],"
	                             "\"free_memory_mib\":null}\n");
}

static const char info_reply[] = "ok\n"
                                 "vm id=3 name=gvm type=gvm state=paused vcpus=2 memory-mib=256 "
                                 "cpu-time-us=1500000 cpus=1,2\n"
                                 "vcpu vm=gvm index=0 cpu=1 state=running cpu-time-us=1000000\n"
                                 "vcpu index=1 vm=gvm cpu=2 state=stopped cpu-time-us=500000 x=y\n"
                                 "memory vm=gvm base=0x48000000 size-mib=256\n"
                                 "console vm=gvm key=2\n";

static void info_list(void **state)
{
	(void)state;
	reply(MBOX_STATUS_OK, info_reply);
	assert_int_equal(keelctl("info", "gvm", NULL), KEELCTL_EXIT_OK);
	assert_request("info gvm\n");
	assert_string_equal(out_buf, "name:            gvm\n"
	                             "id:              3\n"
	                             "type:            gvm\n"
	                             "state:           paused\n"
	                             "vcpus:           2\n"
	                             "memory:          256 MiB\n"
	                             "cpus:            1,2\n"
	                             "cpu time:        1.500 s\n"
	                             "console:         Ctrl-T 2\n"
	                             "physical memory: 0x48000000, 256 MiB\n"
	                             "vcpu 0:          cpu 1, running, 1.000 s\n"
	                             "vcpu 1:          cpu 2, stopped, 0.500 s\n");

	next();
	reply(MBOX_STATUS_OK, info_reply);
	assert_int_equal(keelctl("--json", "info", "gvm", NULL), KEELCTL_EXIT_OK);
	assert_string_equal(
	        out_buf, "{\"vm\":{\"id\":3,\"name\":\"gvm\",\"type\":\"gvm\",\"state\":\"paused\","
	                 "\"vcpus\":2,\"memory_mib\":256,\"cpu_time_us\":1500000,\"cpus\":[1,2]},"
	                 "\"vcpus\":[{\"vm\":\"gvm\",\"index\":0,\"cpu\":1,\"state\":\"running\","
	                 "\"cpu_time_us\":1000000},{\"index\":1,\"vm\":\"gvm\",\"cpu\":2,\"state\":"
	                 "\"stopped\",\"cpu_time_us\":500000,\"x\":\"y\"}],"
	                 "\"memory\":[{\"vm\":\"gvm\",\"base\":\"0x48000000\",\"size_mib\":256}],"
	                 "\"console\":{\"vm\":\"gvm\",\"key\":2}}\n");

	/* A sparse answer: what is missing shows as "-", nothing fails. */
	next();
	reply(MBOX_STATUS_OK, "ok\nvm name=x\n");
	assert_int_equal(keelctl("info", "x", NULL), KEELCTL_EXIT_OK);
	assert_contains(out_buf, "state:    -\n");
	assert_contains(out_buf, "cpu time: - s\n");
	assert_contains(out_buf, "console:  none\n");
}

static void services_table(void **state)
{
	(void)state;
	reply(MBOX_STATUS_OK,
	      "ok\n"
	      "service name=devemu version=0.1.0 state=running faults=0 restarts=0 cpu=0 "
	      "priority=40 cpu-time-us=500\n"
	      "service priority=5 name=console cpu=3 faults=12 restarts=3 state=down "
	      "version=1\"2\\3 cpu-time-us=98765432100\n");
	assert_int_equal(keelctl("services", NULL), KEELCTL_EXIT_OK);
	assert_request("services\n");
	assert_string_equal(
	        out_buf,
	        "NAME     VERSION  STATE    FAULTS  RESTARTS  CPU  PRIORITY  CPU-TIME(s)\n"
	        "devemu   0.1.0    running       0         0    0        40        0.000\n"
	        "console  1\"2\\3    down         12         3    3         5    98765.432\n");

	/* JSON escapes what vmm sends: a quote and a backslash in a version. */
	F.submits = 0;
	assert_int_equal(keelctl("--json", "services", NULL), KEELCTL_EXIT_OK);
	assert_contains(out_buf, "\"version\":\"1\\\"2\\\\3\"");
	assert_contains(out_buf, "{\"services\":[{\"name\":\"devemu\",\"version\":\"0.1.0\"");
	assert_contains(out_buf, "\"cpu_time_us\":98765432100}]}\n");
}

static void json_escaping(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t size;
	FILE *f = open_memstream(&buf, &size);
	json_string(f, "a\"b\\c\nd\te\x01\x1f\x7f caf\xc3\xa9 /");
	fputc(' ', f);
	json_key(f, "cpu-time-us");
	json_value(f, "name", "123");
	fputc(' ', f);
	json_value(f, "id", "0123"); /* not a JSON number */
	fputc(' ', f);
	json_value(f, "id", "18446744073709551615");
	fputc(' ', f);
	json_value(f, "cpus", "1,,2");
	fputc(' ', f);
	json_value(f, "cpus", "1,");
	fputc(' ', f);
	json_value(f, "base", "0x48000000");
	fclose(f);
	assert_string_equal(buf, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f\\u007f caf\xc3\xa9 /\" "
	                         "\"cpu_time_us\":\"123\" \"0123\" 18446744073709551615 \"1,,2\" "
	                         "\"1,\" \"0x48000000\"");
	free(buf);
}

static void parser(void **state)
{
	(void)state;
	struct proto_response r;
	char err[160];
	const char text[] = "ok\n\nvm  a=1   b=2 \nfuture\nvm b=3\n";
	assert_int_equal(proto_parse(&r, text, sizeof(text) - 1, err, sizeof(err)), 0);
	assert_true(r.ok);
	assert_int_equal(r.nrecords, 3);
	const struct proto_record *vm = proto_next(&r, "vm", NULL);
	assert_non_null(vm);
	assert_string_equal(proto_get(vm, "a"), "1");
	assert_string_equal(proto_get(vm, "b"), "2");
	assert_null(proto_get(vm, "c"));
	vm = proto_next(&r, "vm", vm);
	assert_string_equal(proto_get(vm, "b"), "3");
	assert_null(proto_next(&r, "vm", vm));
	assert_int_equal(proto_next(&r, "future", NULL)->nfields, 0);
	proto_free(&r);

	const char bad[] = "error the VM 'x' does not exist: f\xc3\xbcr sure";
	assert_int_equal(proto_parse(&r, bad, sizeof(bad) - 1, err, sizeof(err)), 0);
	assert_false(r.ok);
	assert_string_equal(r.message, "the VM 'x' does not exist: f\xc3\xbcr sure");
	proto_free(&r);
	assert_int_equal(proto_parse(&r, "error", 5, err, sizeof(err)), 0);
	assert_string_equal(r.message, "");
	proto_free(&r);

	static const struct {
		const char *text;
		size_t len;
		const char *why;
	} cases[] = {
	        {"", 0, "empty response"},
	        {"okay\n", 5, "neither 'ok' nor 'error'"},
	        {"ok\nvm id=1 name\n", 16, "line 2: field is not key=value: 'name'"},
	        {"ok\nvm =1\n", 9, "not key=value"},
	        {"ok\nvm a=b=c\n", 12, "value contains '='"},
	        {"ok\nvm id=1 id=2\n", 16, "key given twice: 'id'"},
	        {"ok\nid=1\n", 8, "not a type"},
	        {"ok\n  \n", 6, "blank record"},
	        {"ok\nvm a=\x01\n", 10, "line 2: byte 0x01"},
	        {"ok\nvm a=b\0c\n", 12, "byte 0x00"},
	        {"ok\nvm a=\xc3\xa9\n", 11, "byte 0xc3"},
	        {"ok\tfine\n", 8, "line 1: byte 0x09"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		if (proto_parse(&r, cases[i].text, cases[i].len, err, sizeof(err)) != -1)
			fail_msg("case %zu parsed", i);
		if (!strstr(err, cases[i].why))
			fail_msg("case %zu: '%s' not in '%s'", i, cases[i].why, err);
		assert_null(r.records);
	}
}

static void vmm_error(void **state)
{
	(void)state;
	reply(MBOX_STATUS_ERROR, "error no VM named 'nope'\n");
	assert_int_equal(keelctl("destroy", "nope", NULL), KEELCTL_EXIT_VMM);
	assert_request("destroy nope\n");
	assert_string_equal(err_buf, "keelctl: no VM named 'nope'\n");
	assert_string_equal(out_buf, "");

	next();
	reply(MBOX_STATUS_ERROR, "error");
	assert_int_equal(keelctl("--json", "pause", "gvm", NULL), KEELCTL_EXIT_VMM);
	assert_string_equal(err_buf, "keelctl: vmm refused the request (no message)\n");
	assert_string_equal(out_buf, "");
}

static void malformed(void **state)
{
	(void)state;
	static const struct {
		struct reply r;
		const char *why;
	} cases[] = {
	        {{MBOX_STATUS_OK, "hello\n", 0, 0}, "malformed response from vmm: line 1"},
	        {{MBOX_STATUS_OK, "ok\nvm id=1 name\n", 0, 0}, "line 2: field is not key=value"},
	        {{MBOX_STATUS_OK, "error oops\n", 0, 0}, "STATUS is 0 but line 1 is 'error oops'"},
	        {{MBOX_STATUS_ERROR, "ok\n", 0, 0}, "STATUS is 1 but line 1 is 'ok'"},
	        {{MBOX_STATUS_MALFORMED, "", 0, 0}, "could not read the 'list' request: malformed"},
	        {{MBOX_STATUS_MALFORMED, "error request of 9 bytes, 4 received\n", 0, 0},
	         "could not read the 'list' request: request of 9 bytes, 4 received\n"},
	        {{7, "ok\n", 0, 0}, "STATUS is 7"},
	        {{MBOX_STATUS_OK, "ok\n", 0, MBOX_RSP_MAX + 1}, "16385 bytes, more than the 16384"},
	        {{MBOX_STATUS_OK, "ok\nvm a\0=b\n", 11, 0}, "byte 0x00"},
	        {{MBOX_STATUS_OK, "", 0, 0}, "empty response"},
	        /* RSP_LEN longer than the text: the device gives zeros past it. */
	        {{MBOX_STATUS_OK, "ok\n", 0, 8}, "byte 0x00"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		next();
		F.replies[F.nreplies++] = cases[i].r;
		int rc = keelctl("list", NULL);
		if (rc != KEELCTL_EXIT_IO || !strstr(err_buf, cases[i].why))
			fail_msg("case %zu: exit %d, '%s' not in '%s'", i, rc, cases[i].why,
			         err_buf);
		assert_string_equal(out_buf, "");
	}
	/* A response that fills RSP_MAX exactly is fine. */
	static char big[MBOX_RSP_MAX + 1];
	memset(big, 'x', MBOX_RSP_MAX);
	snprintf(big, sizeof(big), "ok\nvm name=");
	big[11] = 'x';
	big[MBOX_RSP_MAX - 1] = '\n';
	next();
	reply(MBOX_STATUS_OK, big);
	assert_int_equal(keelctl("--json", "list", NULL), KEELCTL_EXIT_OK);
	assert_int_equal(strlen(out_buf), MBOX_RSP_MAX - 12 +
	                                          strlen("{\"vms\":[{\"name\":\"\"}],"
	                                                 "\"free_memory_mib\":null}\n"));
}

static void name_validation(void **state)
{
	(void)state;
	assert_true(proto_name_valid("gvm"));
	assert_true(proto_name_valid("a"));
	assert_true(proto_name_valid("A_b-9"));
	assert_true(proto_name_valid("abcdefghijklmno")); /* 15 */
	assert_false(proto_name_valid("abcdefghijklmnop"));
	assert_false(proto_name_valid(""));
	assert_false(proto_name_valid("a.b"));
	assert_false(proto_name_valid("a b"));
	assert_false(proto_name_valid("a/b"));
	assert_false(proto_name_valid("caf\xc3\xa9"));

	static const char *const bad[] = {"", "bad.name", "abcdefghijklmnop", "x=y", "a\nb"};
	static const char *const cmds[] = {"info", "start",   "pause",  "resume",
	                                   "stop", "destroy", "console"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
			assert_int_equal(keelctl(cmds[k], bad[i], NULL), KEELCTL_EXIT_USAGE);
			assert_contains(err_buf, "invalid VM name");
		}
	}
	assert_int_equal(keelctl("stop", "--force", "a.b", NULL), KEELCTL_EXIT_USAGE);
	assert_int_equal(F.opens, 0);

	reply(MBOX_STATUS_OK, "ok\n");
	assert_int_equal(keelctl("resume", "abcdefghijklmno", NULL), KEELCTL_EXIT_OK);
	assert_request("resume abcdefghijklmno\n");
}

static void usage_errors(void **state)
{
	(void)state;
	static const char *const cases[][4] = {
	        {NULL},
	        {"frobnicate", NULL},
	        {"--verbose", "list", NULL},
	        {"--json", NULL},
	        {"info", NULL},
	        {"info", "a", "b", NULL},
	        {"stop", NULL},
	        {"stop", "--force", NULL},
	        {"stop", "a", "--force", NULL},
	        {"list", "all", NULL},
	        {"services", "x", NULL},
	        {"create", NULL},
	        {"create", "a.dtb", "b.dtb", NULL},
	        {"help", "me", NULL},
	        {"list", "--json", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = keelctl(cases[i][0], cases[i][1], cases[i][2], cases[i][3], NULL);
		if (rc != KEELCTL_EXIT_USAGE)
			fail_msg("case %zu: exit %d", i, rc);
		assert_contains(err_buf, "keelctl: ");
		assert_contains(err_buf, "usage: keelctl [--json] COMMAND [ARGS]");
		assert_string_equal(out_buf, "");
	}
	assert_int_equal(F.opens, 0);

	assert_int_equal(keelctl("--help", NULL), KEELCTL_EXIT_OK);
	assert_contains(out_buf, "usage: keelctl");
	assert_int_equal(keelctl("help", NULL), KEELCTL_EXIT_OK);
	assert_contains(out_buf, "stop [--force] VM");
	assert_int_equal(keelctl("--version", NULL), KEELCTL_EXIT_OK);
	assert_contains(out_buf, "keelctl ");
	assert_contains(out_buf, "mailbox v1");
	assert_string_equal(err_buf, "");
	assert_int_equal(F.opens, 0);
}

static void mailbox_unavailable(void **state)
{
	(void)state;
	F.open_rc = KEELCTL_EXIT_IO;
	F.open_msg = "this VM has no Keel management mailbox (only the management VM has one)";
	assert_int_equal(keelctl("list", NULL), KEELCTL_EXIT_IO);
	assert_string_equal(err_buf, "keelctl: this VM has no Keel management mailbox (only the "
	                             "management VM has one)\n");

	next();
	F.id = 0xffffffff; /* nothing answers: an external abort would be more likely */
	reply(MBOX_STATUS_OK, "ok\n");
	assert_int_equal(keelctl("list", NULL), KEELCTL_EXIT_IO);
	assert_contains(err_buf, "reads 0xffffffff, not 0x4b45454c (\"KEEL\")");
	assert_int_equal(F.submits, 0);

	next();
	F.version = 2;
	reply(MBOX_STATUS_OK, "ok\n");
	assert_int_equal(keelctl("start", "gvm", NULL), KEELCTL_EXIT_IO);
	assert_contains(err_buf, "the mailbox speaks version 2, this keelctl speaks version 1");
	assert_int_equal(F.submits, 0);
}

static void console_keys(void **state)
{
	(void)state;
	/* vmm sends the MVM's console record with the VM's: one request. */
	reply(MBOX_STATUS_OK, "ok\nconsole vm=gvm key=2\nconsole key=1 vm=mvm\n");
	assert_int_equal(keelctl("console", "gvm", NULL), KEELCTL_EXIT_OK);
	assert_int_equal(F.submits, 1);
	assert_string_equal(F.lines[0], "console gvm");
	assert_string_equal(out_buf, "console of VM gvm: Ctrl-T 2\n"
	                             "back to this VM (mvm): Ctrl-T 1\n");

	next();
	reply(MBOX_STATUS_OK, "ok\nconsole key=1 vm=mvm\nconsole vm=gvm key=2\n");
	assert_int_equal(keelctl("--json", "console", "gvm", NULL), KEELCTL_EXIT_OK);
	assert_string_equal(out_buf, "{\"console\":{\"vm\":\"gvm\",\"key\":2},"
	                             "\"mvm_console\":{\"vm\":\"mvm\",\"key\":1}}\n");

	/* Without it: `list` names the MVM, `info` (not `console`) gives its key. */
	next();
	reply(MBOX_STATUS_OK, "ok\nconsole vm=gvm key=2\n");
	reply(MBOX_STATUS_OK, list_reply);
	reply(MBOX_STATUS_OK, "ok\nvm name=mvm\nconsole key=1 vm=mvm\n");
	assert_int_equal(keelctl("console", "gvm", NULL), KEELCTL_EXIT_OK);
	assert_string_equal(F.lines[1], "list");
	assert_string_equal(F.lines[2], "info mvm");
	assert_string_equal(out_buf, "console of VM gvm: Ctrl-T 2\n"
	                             "back to this VM (mvm): Ctrl-T 1\n");

	/* The lookup of the MVM's key fails: the command does not. */
	next();
	reply(MBOX_STATUS_OK, "ok\nconsole vm=gvm key=2\n");
	reply(MBOX_STATUS_ERROR, "error busy\n");
	assert_int_equal(keelctl("console", "gvm", NULL), KEELCTL_EXIT_OK);
	assert_string_equal(out_buf, "console of VM gvm: Ctrl-T 2\n"
	                             "back to this VM: Ctrl-T and its key (Ctrl-T ? lists them)\n");
	assert_string_equal(err_buf, "");

	/* The MVM itself (vmm may send its record twice). */
	next();
	reply(MBOX_STATUS_OK, "ok\nconsole vm=mvm key=1\nconsole vm=mvm key=1\n");
	reply(MBOX_STATUS_OK, list_reply);
	assert_int_equal(keelctl("console", "mvm", NULL), KEELCTL_EXIT_OK);
	assert_int_equal(F.submits, 2);
	assert_string_equal(out_buf,
	                    "VM mvm is this VM, the management VM: its console is Ctrl-T 1\n");

	next();
	reply(MBOX_STATUS_OK, "ok\nconsole key=1 vm=mvm\n");
	assert_int_equal(keelctl("console", "rt", NULL), KEELCTL_EXIT_OK);
	assert_string_equal(out_buf, "VM rt has no console\n");
	reply(MBOX_STATUS_OK, "ok\nconsole key=1 vm=mvm\n");
	assert_int_equal(keelctl("--json", "console", "rt", NULL), KEELCTL_EXIT_OK);
	assert_string_equal(out_buf,
	                    "{\"console\":null,\"mvm_console\":{\"vm\":\"mvm\",\"key\":1}}\n");
}

static void actions(void **state)
{
	(void)state;
	static const char *const verbs[][2] = {
	        {"start", "started"}, {"pause", "paused"},      {"resume", "resumed"},
	        {"stop", "stopped"},  {"destroy", "destroyed"},
	};
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		next();
		reply(MBOX_STATUS_OK, "ok\nfuture thing=1\n");
		reply(MBOX_STATUS_OK, "ok\n");
		assert_int_equal(keelctl(verbs[i][0], "gvm", NULL), KEELCTL_EXIT_OK);
		char expect[64];
		snprintf(expect, sizeof(expect), "%s VM gvm\n", verbs[i][1]);
		assert_string_equal(out_buf, expect);
		assert_int_equal(keelctl("--json", verbs[i][0], "gvm", NULL), KEELCTL_EXIT_OK);
		assert_string_equal(out_buf, "{\"ok\":true}\n");
		snprintf(expect, sizeof(expect), "%s gvm\n", verbs[i][0]);
		assert_request(expect);
	}

	/* What vmm says about the VM afterwards. */
	next();
	reply(MBOX_STATUS_OK, "ok\nvm id=2 name=gvm state=running\n");
	reply(MBOX_STATUS_OK, "ok\nvm id=2 name=gvm state=stopped\nstopped vm=gvm how=forced\n");
	reply(MBOX_STATUS_OK, "ok\nvm state=paused name=gvm id=2\n");
	assert_int_equal(keelctl("stop", "gvm", NULL), KEELCTL_EXIT_OK);
	assert_string_equal(out_buf, "stopping VM gvm (now running)\n");
	assert_int_equal(keelctl("stop", "gvm", NULL), KEELCTL_EXIT_OK);
	assert_string_equal(out_buf, "stopped VM gvm (forced)\n");
	assert_int_equal(keelctl("--json", "pause", "gvm", NULL), KEELCTL_EXIT_OK);
	assert_string_equal(
	        out_buf, "{\"ok\":true,\"vm\":{\"state\":\"paused\",\"name\":\"gvm\",\"id\":2}}\n");
}

static void formatting(void **state)
{
	(void)state;
	char buf[CELL_MAX];
	fmt_seconds(buf, sizeof(buf), "1234567");
	assert_string_equal(buf, "1.234");
	fmt_seconds(buf, sizeof(buf), "0");
	assert_string_equal(buf, "0.000");
	fmt_seconds(buf, sizeof(buf), "18446744073709551615");
	assert_string_equal(buf, "18446744073709.551");
	fmt_seconds(buf, sizeof(buf), "18446744073709551616");
	assert_string_equal(buf, "-");
	fmt_seconds(buf, sizeof(buf), "12s");
	assert_string_equal(buf, "-");
	fmt_seconds(buf, sizeof(buf), "");
	assert_string_equal(buf, "-");
	fmt_seconds(buf, sizeof(buf), NULL);
	assert_string_equal(buf, "-");

	char *out = NULL;
	size_t size;
	FILE *f = open_memstream(&out, &size);
	static const struct column cols[] = {{"A", 0}, {"NUM", 1}, {"LAST", 0}};
	static const char cells[][CELL_MAX] = {"xyz", "5", "p", "", "12345", "quite long"};
	table_print(f, cols, 3, cells, 2);
	table_print(f, cols, 3, cells, 0);
	label_print(f, 4, "ab", "v");
	label_print(f, 4, "abcd", "w");
	label_print(f, 1, "long", "x"); /* never glued to its label */
	fclose(f);
	assert_string_equal(out, "A      NUM  LAST\n"
	                         "xyz      5  p\n"
	                         "     12345  quite long\n"
	                         "A  NUM  LAST\n"
	                         "ab:   v\n"
	                         "abcd: w\n"
	                         "long: x\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(packs_words, setup, teardown),
	        cmocka_unit_test_setup_teardown(request_builder, setup, teardown),
	        cmocka_unit_test_setup_teardown(create_sends_blob, setup, teardown),
	        cmocka_unit_test_setup_teardown(create_refuses_bad_blobs, setup, teardown),
	        cmocka_unit_test_setup_teardown(service_commands, setup, teardown),
	        cmocka_unit_test_setup_teardown(service_fault, setup, teardown),
	        cmocka_unit_test_setup_teardown(list_table, setup, teardown),
	        cmocka_unit_test_setup_teardown(list_json, setup, teardown),
	        cmocka_unit_test_setup_teardown(info_list, setup, teardown),
	        cmocka_unit_test_setup_teardown(services_table, setup, teardown),
	        cmocka_unit_test_setup_teardown(json_escaping, setup, teardown),
	        cmocka_unit_test_setup_teardown(parser, setup, teardown),
	        cmocka_unit_test_setup_teardown(vmm_error, setup, teardown),
	        cmocka_unit_test_setup_teardown(malformed, setup, teardown),
	        cmocka_unit_test_setup_teardown(name_validation, setup, teardown),
	        cmocka_unit_test_setup_teardown(usage_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(mailbox_unavailable, setup, teardown),
	        cmocka_unit_test_setup_teardown(console_keys, setup, teardown),
	        cmocka_unit_test_setup_teardown(actions, setup, teardown),
	        cmocka_unit_test_setup_teardown(formatting, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
