/* SPDX-License-Identifier: MIT */
/*
 * The management mailbox (docs/management.md): a page of 32-bit registers
 * at GUEST_MGMT_BASE in the management VM only. Every access traps and
 * arrives here as an MMIO exit with badge VMM_MGMT_BADGE; that route, made
 * for the VM whose description says type = "mvm", is the MVM's capability
 * to manage the system: no other VM has a route to it. A request is a
 * command line (plus a payload for `create`), run synchronously when the
 * guest writes SUBMIT (mgmt_cmd.c); the response is read back a word at a
 * time. The guest sees an ordinary device; keelctl drives it via /dev/mem.
 */
#include "mgmt.h"
#include "guest_fdt.h"
#include "mgmt_req.h"
#include "vm.h"
#include "vmm.h"

#include <keel/service.h>
#include <stdio.h>
#include <string.h>

enum {
	MB_ID = 0x00,
	MB_VERSION = 0x04,
	MB_CTRL = 0x08,
	MB_STATUS = 0x0c,
	MB_REQ_DATA = 0x10,
	MB_REQ_LEN = 0x14,
	MB_RSP_LEN = 0x18,
	MB_RSP_DATA = 0x1c,
};

#define MB_MAGIC       0x4b45454cu /* "KEEL" */
#define MB_VERSION_1   1
#define MB_CTRL_BEGIN  1
#define MB_CTRL_SUBMIT 2

static struct {
	struct mgmt_req req;
	struct mgmt_out out;
	uint32_t rsp_pos;
	uint32_t status;
} mb;

void mgmt_attach(struct vm *v)
{
	long err = keel_vm_mmio_route(v->slot, GUEST_MGMT_BASE, GUEST_MGMT_SIZE, VMM_SLOT_FAULT_EP,
	                              VMM_MGMT_BADGE);
	if (err)
		printf("VM %s: no management mailbox: %s\n", v->d.name, keel_strerror(err));
}

static void submit(void)
{
	mb.rsp_pos = 0;
	mgmt_out_reset(&mb.out);
	if (mgmt_req_complete(&mb.req, &mb.out)) {
		mb.status = MGMT_STATUS_MALFORMED;
		return;
	}
	mb.status = mgmt_run(mb.req.buf, mb.req.len, &mb.out);
}

static void write_reg(unsigned long off, uint32_t value)
{
	if (off == MB_CTRL && value == MB_CTRL_BEGIN) {
		mgmt_req_begin(&mb.req);
	} else if (off == MB_CTRL && value == MB_CTRL_SUBMIT) {
		submit();
	} else if (off == MB_REQ_DATA) {
		mgmt_req_append(&mb.req, value);
	} else if (off == MB_REQ_LEN) {
		mgmt_req_set_len(&mb.req, value);
	}
}

static uint32_t read_reg(unsigned long off)
{
	uint32_t v = 0;
	switch (off) {
	case MB_ID: return MB_MAGIC;
	case MB_VERSION: return MB_VERSION_1;
	case MB_STATUS: return mb.status;
	case MB_RSP_LEN: return mb.out.len;
	case MB_RSP_DATA:
		if (mb.rsp_pos < mb.out.len)
			memcpy(&v, &mb.out.buf[mb.rsp_pos],
			       mb.out.len - mb.rsp_pos < 4 ? mb.out.len - mb.rsp_pos : 4);
		mb.rsp_pos += mb.rsp_pos < mb.out.len ? 4 : 0;
		return v;
	default: return 0;
	}
}

void mgmt_access(struct keel_msg *m)
{
	unsigned long off = m->w[1] - GUEST_MGMT_BASE, width = m->w[2];
	/* 32-bit registers only: anything else is the guest's mistake. */
	if (m->w[0] != KEEL_EXIT_MMIO || width != 4 || (off & 3)) {
		m->w[0] = 0;
		m->w[1] = KEEL_EXIT_REPLY_ABORT;
	} else if (m->w[4]) {
		write_reg(off, (uint32_t)m->w[3]);
		m->w[0] = 0;
		m->w[1] = 0;
	} else {
		m->w[0] = read_reg(off);
		m->w[1] = 0;
	}
	keel_reply(m);
}
