/* SPDX-License-Identifier: MIT */
/*
 * The Keel management mailbox, v1 (docs/management.md): a 4 KiB MMIO page
 * that only the management VM has. Every register access traps to the
 * hypervisor and vmm answers it synchronously, so the protocol has no
 * busy bit: when the SUBMIT write completes, the response is there.
 *
 * The transport (struct mbox_io) is only "read or write one 32-bit
 * register"; devmem.c implements it over /dev/mem, the unit test over a
 * fake device. Everything here is pure C.
 */
#ifndef KEELCTL_MAILBOX_H
#define KEELCTL_MAILBOX_H

#include <stddef.h>
#include <stdint.h>

#define MBOX_BASE      0x0a000000ul /* guest physical, fixed for v1 */
#define MBOX_SIZE      0x1000ul
#define MBOX_DT_NODE   "/proc/device-tree/keel-mgmt@a000000"
#define MBOX_DT_COMPAT "keel,mgmt-mailbox-v1"

/* Registers: 32-bit, little-endian. */
#define MBOX_ID       0x00 /* R: MBOX_ID_VALUE */
#define MBOX_VERSION  0x04 /* R: MBOX_VERSION_VALUE */
#define MBOX_CTRL     0x08 /* W: MBOX_CTRL_* */
#define MBOX_STATUS   0x0c /* R: MBOX_STATUS_* of the last SUBMIT */
#define MBOX_REQ_DATA 0x10 /* W: appends 4 bytes to the request */
#define MBOX_REQ_LEN  0x14 /* W: the request's exact length, after the data */
#define MBOX_RSP_LEN  0x18 /* R: the response's length */
#define MBOX_RSP_DATA 0x1c /* R: the next 4 bytes of the response, 0 past its end */

#define MBOX_ID_VALUE      0x4b45454cu /* "KEEL" */
#define MBOX_VERSION_VALUE 1u

#define MBOX_CTRL_BEGIN  1u /* empties the request buffer */
#define MBOX_CTRL_SUBMIT 2u /* vmm runs the request; the response is ready after the write */

#define MBOX_STATUS_OK        0u /* response line 1 is "ok" */
#define MBOX_STATUS_ERROR     1u /* response line 1 is "error MESSAGE" */
#define MBOX_STATUS_MALFORMED 2u /* request malformed or too large: no response */

#define MBOX_REQ_MAX 0x40000u /* 256 KiB */
#define MBOX_RSP_MAX 16384u

#define MBOX_ERR_MAX 200

struct mbox_io {
	uint32_t (*read32)(void *ctx, uint32_t off);
	void (*write32)(void *ctx, uint32_t off, uint32_t value);
	void *ctx;
};

/* What one SUBMIT gave back. `text` is the response, NUL-terminated. */
struct mbox_reply {
	uint32_t status;
	size_t len;
	char text[MBOX_RSP_MAX + 1];
};

/* Checks ID and VERSION. 0, or -1 with the reason in `err`. */
int mbox_check(const struct mbox_io *io, char *err, size_t err_size);

/*
 * Sends `len` bytes of `req` (at most MBOX_REQ_MAX) and reads the response
 * into `rep`. 0 when the exchange itself worked, whatever the status; -1
 * with the reason in `err` when the response cannot be read (too long, or
 * not text).
 */
int mbox_call(const struct mbox_io *io, const void *req, size_t len, struct mbox_reply *rep,
              char *err, size_t err_size);

#endif
