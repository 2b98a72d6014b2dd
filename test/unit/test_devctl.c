/* SPDX-License-Identifier: MIT */
/*
 * The device-model control protocol (keel/devctl.h) as devemu answers it
 * (services/devemu/devemu.c), and the console's side of guests coming and
 * going and of focus requests (services/devemu/conring.h): attach, detach,
 * stray exits, focus, errors, and a re-attached guest finding a clean UART
 * and nothing of its predecessor in the rings.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "devemu.h"

#include <keel/devctl.h>

#define VM_SLOT 40 /* where vmm "copied" the VM capability */

static struct devemu *d;

/* The console's view of one slot, as console.c keeps it. */
struct view {
	uint32_t gen;
	char name[CONCHAN_NAME];
};

static int setup(void **state)
{
	(void)state;
	d = calloc(1, sizeof(*d));
	d->chan = calloc(1, sizeof(*d->chan));
	return d && d->chan ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(d->chan);
	free(d);
	return 0;
}

static struct conguest *slot(unsigned n)
{
	return &d->chan->guest[n - 1];
}

/* vmm's CALL: returns the reply's w0, checks the rest of the reply. */
static long control(unsigned long op, unsigned long n, unsigned long vm, const char *name,
                    bool *wake)
{
	unsigned long w[KEEL_MSG_WORDS] = {op, n, vm, 0, 0, 0};
	if (name)
		keel_devctl_name_pack(name, &w[3]);
	struct devemu_after after = devemu_handle(d, KEEL_DEVCTL_BADGE, w);
	assert_true(after.reply);
	assert_int_equal(after.irq, 0);
	for (int i = 1; i < KEEL_MSG_WORDS; i++)
		assert_int_equal(w[i], 0);
	if (wake)
		*wake = after.wake_console;
	return (long)w[0];
}

static long attach(unsigned n, const char *name)
{
	return control(DEVCTL_ATTACH, n, VM_SLOT + n, name, NULL);
}

static long detach(unsigned n)
{
	return control(DEVCTL_DETACH, n, 0, NULL, NULL);
}

/* A guest's access to its UART; returns the reply (w[0] value, w[1] abort). */
static struct devemu_after mmio(unsigned long badge, uint32_t off, bool write, uint32_t v,
                                unsigned long w[KEEL_MSG_WORDS])
{
	unsigned long m[KEEL_MSG_WORDS] = {KEEL_EXIT_MMIO, 0x9000000 + off, 4, v, write, 0};
	struct devemu_after after = devemu_handle(d, badge, m);
	memcpy(w, m, sizeof(m));
	return after;
}

static uint32_t guest_read(unsigned n, uint32_t off)
{
	unsigned long w[KEEL_MSG_WORDS];
	mmio(n, off, false, 0, w);
	assert_int_equal(w[1], 0);
	return (uint32_t)w[0];
}

static void guest_write(unsigned n, uint32_t off, uint32_t v)
{
	unsigned long w[KEEL_MSG_WORDS];
	mmio(n, off, true, v, w);
	assert_int_equal(w[1], 0);
}

static void guest_puts(unsigned n, const char *s)
{
	while (*s)
		guest_write(n, PL011_DR, (uint8_t)*s++);
}

/* What the guest reads from its RX FIFO, into buf (NUL terminated). */
static void guest_gets(unsigned n, char *buf, size_t size)
{
	size_t i = 0;
	while (i + 1 < size && !(guest_read(n, PL011_FR) & PL011_FR_RXFE))
		buf[i++] = (char)guest_read(n, PL011_DR);
	buf[i] = '\0';
}

/* The console's signal: devemu moves input and output for every guest. */
static struct devemu_after kick(void)
{
	unsigned long w[KEEL_MSG_WORDS] = {1};
	struct devemu_after after = devemu_handle(d, KEEL_BADGE_SIGNAL, w);
	assert_false(after.reply);
	return after;
}

/* The console reading guest n's output as it knows it, into buf. */
static size_t console_read(unsigned n, const struct view *v, char *buf, size_t size)
{
	uint32_t got = conguest_read_out(slot(n), v->gen, (uint8_t *)buf, (uint32_t)size - 1);
	buf[got] = '\0';
	return got;
}

static void console_type(unsigned n, const char *s)
{
	struct conguest *g = slot(n);
	assert_int_equal(conring_write(&g->in, g->in_data, CONCHAN_IN_SIZE, (const uint8_t *)s,
	                               (uint32_t)strlen(s), NULL),
	                 strlen(s));
}

/* --- the name in w3..w4 ----------------------------------------------------- */

static void names_pack_little_endian(void **state)
{
	(void)state;
	unsigned long w[2];
	char name[KEEL_DEVCTL_NAME];
	keel_devctl_name_pack("gvm2", w);
	assert_int_equal(w[0], 0x326d7667ul); /* 'g' in the low byte */
	assert_int_equal(w[1], 0);
	assert_true(keel_devctl_name_unpack(w, name));
	assert_string_equal(name, "gvm2");

	keel_devctl_name_pack("abcdefghijklmno", w); /* 15: the most there is */
	assert_int_equal(w[1] >> 56, 0);
	assert_true(keel_devctl_name_unpack(w, name));
	assert_string_equal(name, "abcdefghijklmno");
	keel_devctl_name_pack("abcdefghijklmnopq", w); /* cut to 15 */
	assert_true(keel_devctl_name_unpack(w, name));
	assert_string_equal(name, "abcdefghijklmno");

	/* vmm's own packing: bytes copied into the words (little-endian). */
	unsigned long m[2] = {0, 0};
	memcpy(m, "rtvm", 4);
	assert_true(keel_devctl_name_unpack(m, name));
	assert_string_equal(name, "rtvm");

	w[0] = w[1] = 0x4141414141414141ul; /* no NUL */
	assert_false(keel_devctl_name_unpack(w, name));
	assert_int_equal(name[KEEL_DEVCTL_NAME - 1], '\0');
}

/* --- attach, detach, focus --------------------------------------------------- */

static void attach_resets_the_uart_and_announces_the_guest(void **state)
{
	(void)state;
	bool wake = false;
	/* A previous life of guest 3's model: interrupts on, bytes in both FIFOs. */
	d->g[3].state = DEVEMU_GUEST_GONE;
	pl011_write(&d->g[3].uart, PL011_IMSC, 4, PL011_INT_ALL);
	pl011_write(&d->g[3].uart, PL011_LCR_H, 4, PL011_LCR_H_FEN);
	pl011_rx_push(&d->g[3].uart, 'x');
	pl011_write(&d->g[3].uart, PL011_DR, 4, 'y');
	d->g[3].irq_level = true;

	assert_int_equal(control(DEVCTL_ATTACH, 3, 77, "gvm3", &wake), 0);
	assert_true(wake);
	const struct devemu_guest *g = &d->g[3];
	assert_int_equal(g->state, DEVEMU_GUEST_LIVE);
	assert_int_equal(g->vm, 77);
	assert_false(g->irq_level);
	assert_false(pl011_irq_level(&g->uart));
	assert_int_equal(guest_read(3, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
	assert_int_equal(guest_read(3, PL011_IMSC), 0);
	assert_int_equal(guest_read(3, PL011_CR), 0x300);
	assert_int_equal(guest_read(3, PL011_LCR_H), 0);

	assert_true(conguest_present(slot(3)));
	assert_string_equal(slot(3)->name, "gvm3");
	assert_false(conguest_present(slot(2)));
	struct view v = {0};
	assert_int_equal(conguest_sync(slot(3), &v.gen, v.name), CONGUEST_CAME);
	assert_string_equal(v.name, "gvm3");
	assert_int_equal(conguest_sync(slot(3), &v.gen, v.name), 0); /* once */
	assert_int_equal(slot(3)->gen_ack, v.gen);
}

static void attach_of_an_attached_guest_is_refused(void **state)
{
	(void)state;
	assert_int_equal(attach(1, "a"), 0);
	guest_write(1, PL011_IMSC, PL011_INT_RX);
	assert_int_equal(attach(1, "b"), -KEEL_EBUSY);
	assert_string_equal(slot(1)->name, "a");
	assert_int_equal(guest_read(1, PL011_IMSC), PL011_INT_RX); /* untouched */
	assert_int_equal(d->g[1].vm, VM_SLOT + 1);
}

static void detach_forgets_the_guest(void **state)
{
	(void)state;
	bool wake = false;
	struct view v = {0};
	assert_int_equal(attach(2, "gvm2"), 0);
	conguest_sync(slot(2), &v.gen, v.name);
	assert_int_equal(control(DEVCTL_DETACH, 2, 0, NULL, &wake), 0);
	assert_true(wake);
	assert_int_equal(d->g[2].state, DEVEMU_GUEST_GONE);
	assert_int_equal(d->g[2].vm, 0);
	assert_false(conguest_present(slot(2)));
	assert_int_equal(conguest_sync(slot(2), &v.gen, v.name), CONGUEST_LEFT);
	assert_int_equal(conguest_sync(slot(2), &v.gen, v.name), 0);
	assert_int_equal(v.gen & 1, 0);

	/* Again, or for a guest devemu never had: fine, nothing to tell. */
	assert_int_equal(control(DEVCTL_DETACH, 2, 0, NULL, &wake), 0);
	assert_false(wake);
	assert_int_equal(control(DEVCTL_DETACH, 7, 0, NULL, &wake), 0);
	assert_false(wake);
	assert_int_equal(d->g[7].state, DEVEMU_GUEST_GONE);
}

static void exits_after_detach_are_strays(void **state)
{
	(void)state;
	unsigned long w[KEEL_MSG_WORDS];
	assert_int_equal(attach(4, "gvm4"), 0);
	guest_puts(4, "hi");
	unsigned long exits = d->exits, strays = d->strays;
	assert_int_equal(detach(4), 0);

	struct devemu_after after = mmio(4, PL011_DR, true, 'z', w);
	assert_true(after.reply);
	assert_false(after.wake_console);
	assert_int_equal(after.irq, 0);
	assert_int_equal(w[1], KEEL_EXIT_REPLY_ABORT);
	after = mmio(4, PL011_FR, false, 0, w);
	assert_true(after.reply);
	assert_int_equal(w[0], 0);
	assert_int_equal(w[1], KEEL_EXIT_REPLY_ABORT);
	assert_int_equal(d->strays, strays + 2);
	assert_int_equal(d->exits, exits);
	assert_int_equal(d->g[4].state, DEVEMU_GUEST_GONE); /* not taken on again */
	assert_int_equal(conring_used(&slot(4)->out), 2);   /* only "hi" */

	/* The console's kick leaves it alone too. */
	after = kick();
	assert_int_equal(after.irq & (1u << 4), 0);
}

static void a_boot_guest_without_arguments_is_taken_on_at_its_first_exit(void **state)
{
	(void)state;
	devemu_guest_add(d, 1, "gvm", 9); /* argv: vm.1=9 guest1=gvm */
	devemu_guest_add(d, 2, NULL, 10); /* argv: vm.2=10 */
	assert_string_equal(slot(1)->name, "gvm");
	assert_string_equal(slot(2)->name, "guest2");
	assert_int_equal(d->g[1].vm, 9);

	unsigned long w[KEEL_MSG_WORDS];
	struct devemu_after after = mmio(5, PL011_FR, false, 0, w);
	assert_int_equal(w[1], 0);
	assert_true(after.wake_console);
	assert_int_equal(after.irq, 1u << 5);
	assert_int_equal(d->g[5].state, DEVEMU_GUEST_LIVE);
	assert_int_equal(d->g[5].vm, 0);
	assert_string_equal(slot(5)->name, "guest5");

	/* Badges that are no guest's, and exits that are no MMIO. */
	unsigned long strays = d->strays;
	mmio(0, PL011_FR, false, 0, w);
	assert_int_equal(w[1], KEEL_EXIT_REPLY_ABORT);
	mmio(CONCHAN_GUESTS + 1, PL011_FR, false, 0, w);
	assert_int_equal(w[1], KEEL_EXIT_REPLY_ABORT);
	unsigned long hvc[KEEL_MSG_WORDS] = {KEEL_EXIT_HVC};
	assert_true(devemu_handle(d, 1, hvc).reply);
	assert_int_equal(hvc[1], KEEL_EXIT_REPLY_ABORT);
	assert_int_equal(d->strays, strays + 3);
}

static void focus_is_posted_and_seen_once(void **state)
{
	(void)state;
	unsigned n = 99;
	bool wake = false;
	assert_int_equal(attach(2, "gvm2"), 0);
	assert_int_equal(attach(6, "gvm6"), 0);
	assert_false(conchan_focus_take(d->chan, &n));

	assert_int_equal(control(DEVCTL_FOCUS, 2, 0, NULL, &wake), 0);
	assert_true(wake);
	assert_true(conchan_focus_take(d->chan, &n));
	assert_int_equal(n, 2);
	assert_false(conchan_focus_take(d->chan, &n));

	/* Two before the console looks: the last one wins, once. */
	assert_int_equal(control(DEVCTL_FOCUS, 6, 0, NULL, NULL), 0);
	assert_int_equal(control(DEVCTL_FOCUS, 0, 0, NULL, NULL), 0); /* the shell */
	assert_true(conchan_focus_take(d->chan, &n));
	assert_int_equal(n, 0);
	assert_false(conchan_focus_take(d->chan, &n));

	/* No such guest: nothing posted. */
	assert_int_equal(control(DEVCTL_FOCUS, 3, 0, NULL, &wake), -KEEL_ENOENT);
	assert_false(wake);
	assert_int_equal(detach(6), 0);
	assert_int_equal(control(DEVCTL_FOCUS, 6, 0, NULL, NULL), -KEEL_ENOENT);
	assert_false(conchan_focus_take(d->chan, &n));
}

static void bad_guest_numbers_are_refused(void **state)
{
	(void)state;
	bool wake = false;
	unsigned long bad[] = {0, CONCHAN_GUESTS + 1, KEEL_DEVCTL_BADGE, ~0ul};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bad[i])
			assert_int_equal(control(DEVCTL_FOCUS, bad[i], 0, NULL, &wake),
			                 -KEEL_EINVAL);
		assert_int_equal(control(DEVCTL_ATTACH, bad[i], VM_SLOT, "x", &wake), -KEEL_EINVAL);
		assert_int_equal(control(DEVCTL_DETACH, bad[i], 0, NULL, &wake), -KEEL_EINVAL);
		assert_false(wake);
	}
	/* ATTACH without a VM slot, or with a name without its NUL. */
	assert_int_equal(control(DEVCTL_ATTACH, 1, 0, "x", NULL), -KEEL_EINVAL);
	unsigned long w[KEEL_MSG_WORDS] = {DEVCTL_ATTACH, 1, VM_SLOT, ~0ul, ~0ul, 0};
	devemu_handle(d, KEEL_DEVCTL_BADGE, w);
	assert_int_equal((long)w[0], -KEEL_EINVAL);
	for (unsigned n = 1; n <= CONCHAN_GUESTS; n++) {
		assert_int_equal(d->g[n].state, DEVEMU_GUEST_NONE);
		assert_false(conguest_present(slot(n)));
	}
	unsigned req = 0;
	assert_false(conchan_focus_take(d->chan, &req));
}

static void unknown_operations_are_refused(void **state)
{
	(void)state;
	bool wake = false;
	unsigned long ops[] = {0, 4, 99, KEEL_EXIT_MMIO + 100, ~0ul};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		assert_int_equal(control(ops[i], 1, VM_SLOT, "x", &wake), -KEEL_EINVAL);
		assert_false(wake);
	}
	/* An MMIO exit under vmm's badge is a control message, not an access. */
	assert_int_equal(control(KEEL_EXIT_MMIO, 1, 0, NULL, NULL), -KEEL_EINVAL);
	assert_int_equal(d->g[1].state, DEVEMU_GUEST_NONE);
	assert_int_equal(d->exits, 0);
}

/* --- a re-attached guest: clean UART, nothing of the old guest ------------------ */

static void reattach_gives_a_clean_uart_and_empty_rings(void **state)
{
	(void)state;
	struct view v = {0};
	char buf[64];

	/* The old guest: output the console has not read, input it has not. */
	assert_int_equal(attach(1, "gvm"), 0);
	conguest_sync(slot(1), &v.gen, v.name);
	guest_write(1, PL011_LCR_H, PL011_LCR_H_FEN);
	guest_write(1, PL011_IMSC, PL011_INT_RX | PL011_INT_RT);
	guest_puts(1, "old output");
	console_type(1, "old input that does not all fit in the FIFO");
	kick();
	assert_true(pl011_irq_level(&d->g[1].uart));
	assert_int_equal(pl011_rx_room(&d->g[1].uart), 0);
	assert_true(conring_used(&slot(1)->in) > 0);

	/* Destroyed and created again, before the console looked. */
	assert_int_equal(detach(1), 0);
	assert_int_equal(attach(1, "gvm"), 0);
	assert_int_equal(guest_read(1, PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
	assert_int_equal(guest_read(1, PL011_IMSC), 0);
	assert_false(pl011_irq_level(&d->g[1].uart));
	assert_false(d->g[1].irq_level);
	guest_puts(1, "new");

	/* The console, still at the old gen: nothing of the new guest's. */
	assert_int_equal(console_read(1, &v, buf, sizeof(buf)), 0);
	/* Then it sees the change: the old guest left, a new one came. */
	assert_int_equal(conguest_sync(slot(1), &v.gen, v.name), CONGUEST_LEFT | CONGUEST_CAME);
	assert_int_equal(console_read(1, &v, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "new");
	assert_int_equal(conring_used(&slot(1)->out), 0);

	/* Input: none of the old, and the new guest's own. */
	guest_write(1, PL011_LCR_H, PL011_LCR_H_FEN);
	kick();
	guest_gets(1, buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_int_equal(conring_used(&slot(1)->in), 0);
	console_type(1, "ls\r");
	kick();
	guest_gets(1, buf, sizeof(buf));
	assert_string_equal(buf, "ls\r");
}

static void a_detached_guests_last_output_is_still_read(void **state)
{
	(void)state;
	struct view v = {0};
	char buf[64];
	assert_int_equal(attach(2, "gvm2"), 0);
	conguest_sync(slot(2), &v.gen, v.name);
	guest_puts(2, "Power down.\n");
	assert_int_equal(detach(2), 0);
	/* The console reads it with the gen it knows, then sees it leave. */
	assert_int_equal(console_read(2, &v, buf, sizeof(buf)), 12);
	assert_string_equal(buf, "Power down.\n");
	assert_int_equal(conguest_sync(slot(2), &v.gen, v.name), CONGUEST_LEFT);

	/* A new guest 2 later: the console shows it from its first byte. */
	assert_int_equal(attach(2, "other"), 0);
	guest_puts(2, "hello");
	assert_int_equal(conguest_sync(slot(2), &v.gen, v.name), CONGUEST_CAME);
	assert_string_equal(v.name, "other");
	assert_int_equal(console_read(2, &v, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
}

static void keys_in_flight_while_a_guest_is_replaced_are_dropped(void **state)
{
	(void)state;
	struct view v = {0};
	char buf[64];
	assert_int_equal(attach(3, "gvm3"), 0);
	conguest_sync(slot(3), &v.gen, v.name);
	guest_write(3, PL011_LCR_H, PL011_LCR_H_FEN);
	assert_int_equal(detach(3), 0);
	assert_int_equal(attach(3, "gvm3"), 0);
	/* The console still shows the old guest 3: the user's keys go to its ring. */
	console_type(3, "rm -rf /\r");
	guest_write(3, PL011_LCR_H, PL011_LCR_H_FEN);
	kick();
	guest_gets(3, buf, sizeof(buf)); /* nothing before the console has seen it */
	assert_string_equal(buf, "");
	conguest_sync(slot(3), &v.gen, v.name);
	kick();
	guest_gets(3, buf, sizeof(buf));
	assert_string_equal(buf, "");
	console_type(3, "y");
	kick();
	guest_gets(3, buf, sizeof(buf));
	assert_string_equal(buf, "y");
}

static void a_full_ring_of_old_output_does_not_hold_up_the_new_guest(void **state)
{
	(void)state;
	struct view v = {0};
	char buf[64];
	static char old[CONCHAN_OUT_SIZE + 1];
	assert_int_equal(attach(1, "gvm"), 0);
	conguest_sync(slot(1), &v.gen, v.name);
	memset(old, 'o', CONCHAN_OUT_SIZE);
	guest_puts(1, old);
	assert_int_equal(conring_used(&slot(1)->out), CONCHAN_OUT_SIZE);
	assert_int_equal(detach(1), 0);
	assert_int_equal(attach(1, "gvm"), 0);
	guest_puts(1, "new"); /* waits in the TX FIFO: the ring is full */
	assert_int_equal(d->g[1].uart.tx_count, 3);
	assert_int_not_equal(conring_load(&slot(1)->kick_req), conring_load(&slot(1)->kick_ack));
	/* The console skips the old output, and (console.c) kicks devemu. */
	conguest_sync(slot(1), &v.gen, v.name);
	assert_int_equal(conring_used(&slot(1)->out), 0);
	kick();
	assert_int_equal(d->g[1].uart.tx_count, 0);
	assert_int_equal(console_read(1, &v, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "new");
}

static void the_console_sees_the_new_guest_on_in_dropped_and_name(void **state)
{
	(void)state;
	struct view v = {0};
	assert_int_equal(attach(8, "first"), 0);
	conguest_sync(slot(8), &v.gen, v.name);
	slot(8)->in_dropped = 5;
	assert_int_equal(detach(8), 0);
	assert_int_equal(attach(8, "second"), 0);
	assert_int_equal(conguest_sync(slot(8), &v.gen, v.name), CONGUEST_LEFT | CONGUEST_CAME);
	assert_string_equal(v.name, "second");
	assert_int_equal(slot(8)->in_dropped, 0);
}

/* --- the name's sequence lock, with two threads ----------------------------------- */

#define FLIPS 20000

static void *flipper(void *arg)
{
	struct conguest *g = arg;
	static const char *const names[] = {"aaaaaaaaaaaaaaa", "bbbbbbb", "cccccccccccc"};
	for (int i = 0; i < FLIPS; i++) {
		conguest_attach(g, names[i % 3]);
		conguest_detach(g);
	}
	conguest_attach(g, "done");
	return NULL;
}

static void the_console_never_sees_a_torn_name(void **state)
{
	(void)state;
	struct conguest *g = slot(1);
	struct view v = {0};
	pthread_t t;
	unsigned came = 0;
	assert_int_equal(pthread_create(&t, NULL, flipper, g), 0);
	for (;;) {
		unsigned events = conguest_sync(g, &v.gen, v.name);
		if (!(events & CONGUEST_CAME))
			continue;
		came++;
		if (!strcmp(v.name, "done"))
			break;
		size_t len = strlen(v.name);
		assert_true(len == 15 || len == 7 || len == 12);
		for (size_t i = 1; i < len; i++)
			assert_int_equal(v.name[i], v.name[0]);
		assert_int_equal(len, v.name[0] == 'a' ? 15 : v.name[0] == 'b' ? 7 : 12);
	}
	pthread_join(t, NULL);
	assert_true(came >= 1);
	assert_int_equal(conguest_sync(g, &v.gen, v.name), 0);
}

static void channel_still_fits_its_shared_frame(void **state)
{
	(void)state;
	assert_true(sizeof(struct conchan) <= 32ul * 1024);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(names_pack_little_endian),
	        T(attach_resets_the_uart_and_announces_the_guest),
	        T(attach_of_an_attached_guest_is_refused),
	        T(detach_forgets_the_guest),
	        T(exits_after_detach_are_strays),
	        T(a_boot_guest_without_arguments_is_taken_on_at_its_first_exit),
	        T(focus_is_posted_and_seen_once),
	        T(bad_guest_numbers_are_refused),
	        T(unknown_operations_are_refused),
	        T(reattach_gives_a_clean_uart_and_empty_rings),
	        T(a_detached_guests_last_output_is_still_read),
	        T(keys_in_flight_while_a_guest_is_replaced_are_dropped),
	        T(a_full_ring_of_old_output_does_not_hold_up_the_new_guest),
	        T(the_console_sees_the_new_guest_on_in_dropped_and_name),
	        T(the_console_never_sees_a_torn_name),
	        T(channel_still_fits_its_shared_frame),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
