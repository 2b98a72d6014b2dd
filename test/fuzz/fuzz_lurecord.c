/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: a live-update state record as a successor takes it
 * (libs/keel/lurecord.c), then its payload through the state import of
 * devemu (services/devemu/devemu_state.c) or the console
 * (services/console/console_state.c). A record the import accepts is then
 * used as the service would use it: devemu answers its guests' PL011
 * accesses and a console kick; the console indexes its line, focus,
 * names and history. The predecessor is the hostile party here: whatever
 * it wrote, the successor must neither step outside its state nor load a
 * value its types cannot hold (UBSan).
 *
 * The first input byte chooses the service and whether the harness seals
 * the rest as a record itself (correct magic, length and CRC, so the
 * fuzzer reaches the imports) or opens it as it is.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/lifecycle.h>

#include "console_state.h"
#include "devemu_state.h"

#define F_CONSOLE 0x01
#define F_SEAL    0x02

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the reads add up to, so that the compiler keeps them. */
static volatile size_t sink;

static void devemu_use(struct devemu *d)
{
	static const uint32_t regs[] = {PL011_DR, PL011_FR, PL011_RIS, PL011_MIS, PL011_RSR};
	unsigned long w[KEEL_MSG_WORDS];
	for (unsigned n = 1; n <= CONCHAN_GUESTS; n++) {
		for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
			memset(w, 0, sizeof(w));
			w[0] = KEEL_EXIT_MMIO;
			w[1] = regs[i];
			w[2] = 4;
			devemu_handle(d, n, w);
		}
		memset(w, 0, sizeof(w));
		w[0] = KEEL_EXIT_MMIO;
		w[1] = PL011_DR;
		w[2] = 4;
		w[3] = 'x';
		w[4] = 1;
		devemu_handle(d, n, w);
		(void)pl011_irq_level(&d->g[n].uart);
	}
	devemu_handle(d, KEEL_BADGE_SIGNAL, w);
}

static void devemu_import(uint32_t format, const void *payload, size_t len)
{
	struct devemu *d = calloc(1, sizeof(*d));
	char why[160];
	if (!d || !(d->chan = calloc(1, sizeof(*d->chan)))) {
		free(d);
		return;
	}
	if (devemu_state_import(d, format, KEEL_STATE_VERSION, payload, len, why, sizeof(why)) == 0)
		devemu_use(d);
	free(d->chan);
	free(d);
}

/* What the console reads of its state after a swap. */
static void console_use(const struct console *c)
{
	size_t sum = 0;
	sum += (unsigned char)c->line[c->line_len];
	sum += strlen(c->name[c->focus]) + strlen(c->boot_focus);
	for (unsigned n = 0; n <= CONCHAN_GUESTS; n++) {
		sum += strlen(c->name[n]);
		sum += (unsigned char)c->history[n].buf[c->history[n].count % CONSOLE_HISTORY];
	}
	sum += c->prompt_shown + c->escape + c->kick;
	sink = sum;
}

static void console_import(uint32_t format, const void *payload, size_t len)
{
	struct console *c = calloc(1, sizeof(*c));
	char why[160];
	if (!c)
		return;
	/* What the successor set up before it imports: the same as its
	 * predecessor's, as every instance is built from one plan. */
	c->uart_va = 0x30000000;
	c->chan = (struct conchan *)0x31000000;
	if (console_state_import(c, format, payload, len, why, sizeof(why)) == 0)
		console_use(c);
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *service;
	uint32_t max_format;
	const void *payload;
	uint32_t format;
	size_t len;
	char why[160];
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	service = flags & F_CONSOLE ? "console" : "devemu";
	max_format = flags & F_CONSOLE ? 1 : KEEL_STATE_VERSION;
	size_t cap = sizeof(struct keel_lu_record_hdr) + size;
	uint8_t *rec = malloc(cap);
	if (!rec)
		return 0;
	if (flags & F_SEAL) {
		memcpy(rec + sizeof(struct keel_lu_record_hdr), data + 1, size - 1);
		size = keel_lu_record_seal(rec, cap, service, 1 + (flags >> 4) % 3, size - 1);
	} else {
		memcpy(rec, data + 1, --size);
	}
	if (keel_lu_record_open(rec, size, service, max_format, &payload, &format, &len, why,
	                        sizeof(why)) == 0) {
		if (flags & F_CONSOLE)
			console_import(format, payload, len);
		else
			devemu_import(format, payload, len);
	}
	free(rec);
	return 0;
}
