/* SPDX-License-Identifier: MIT */
/*
 * One exchange over the mailbox: BEGIN, the request one little-endian word
 * at a time (the last one padded with zeros), its exact length, SUBMIT,
 * then STATUS and the response. Each access is one 32-bit register access,
 * never a block copy: the page is device memory and every access traps.
 */
#include "mailbox.h"

#include <stdio.h>

int mbox_check(const struct mbox_io *io, char *err, size_t err_size)
{
	uint32_t id = io->read32(io->ctx, MBOX_ID);
	if (id != MBOX_ID_VALUE) {
		snprintf(err, err_size,
		         "the mailbox's ID register reads 0x%08x, not 0x%08x (\"KEEL\"): "
		         "not a Keel management mailbox",
		         id, MBOX_ID_VALUE);
		return -1;
	}
	uint32_t version = io->read32(io->ctx, MBOX_VERSION);
	if (version != MBOX_VERSION_VALUE) {
		snprintf(err, err_size,
		         "the mailbox speaks version %u, this keelctl speaks version %u: "
		         "use the keelctl that comes with this Keel",
		         version, MBOX_VERSION_VALUE);
		return -1;
	}
	return 0;
}

int mbox_call(const struct mbox_io *io, const void *req, size_t len, struct mbox_reply *rep,
              char *err, size_t err_size)
{
	const unsigned char *p = req;
	if (len > MBOX_REQ_MAX) {
		snprintf(err, err_size, "the request is %zu bytes, the mailbox takes at most %u",
		         len, MBOX_REQ_MAX);
		return -1;
	}
	io->write32(io->ctx, MBOX_CTRL, MBOX_CTRL_BEGIN);
	for (size_t off = 0; off < len; off += 4) {
		uint32_t word = 0;
		for (size_t i = 0; i < 4 && off + i < len; i++)
			word |= (uint32_t)p[off + i] << (8 * i);
		io->write32(io->ctx, MBOX_REQ_DATA, word);
	}
	io->write32(io->ctx, MBOX_REQ_LEN, (uint32_t)len);
	io->write32(io->ctx, MBOX_CTRL, MBOX_CTRL_SUBMIT);

	rep->status = io->read32(io->ctx, MBOX_STATUS);
	uint32_t rsp_len = io->read32(io->ctx, MBOX_RSP_LEN);
	if (rsp_len > MBOX_RSP_MAX) {
		snprintf(err, err_size,
		         "vmm's response is %u bytes, more than the %u of protocol v1", rsp_len,
		         MBOX_RSP_MAX);
		return -1;
	}
	for (uint32_t off = 0; off < rsp_len; off += 4) {
		uint32_t word = io->read32(io->ctx, MBOX_RSP_DATA);
		for (uint32_t i = 0; i < 4 && off + i < rsp_len; i++)
			rep->text[off + i] = (char)(word >> (8 * i));
	}
	rep->len = rsp_len;
	rep->text[rsp_len] = '\0';
	return 0;
}
