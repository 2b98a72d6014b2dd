/* SPDX-License-Identifier: MIT */
/*
 * The console's side of guests coming and going (services/console/guests.c)
 * against the real devemu (services/devemu/devemu.c) answering vmm's control
 * messages: the list follows the guests present, a guest going away with
 * the focus leaves it to the shell, focus requests and focus=NAME, and a
 * re-created guest showing nothing of the old one. The UART is a buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "console.h"
#include "devemu.h"

#include <keel/devctl.h>

static struct devemu *d;
static struct console *con;
static char screen[16384];
static size_t screen_len;

/* --- console.c's UART, as a buffer --- */

void console_putc_raw(char c)
{
	if (screen_len < sizeof(screen) - 1)
		screen[screen_len++] = c;
	screen[screen_len] = '\0';
}

void console_putc(char c)
{
	console_putc_raw(c); /* no \r: easier to compare */
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console_putc(s[i]);
}

void console_puts(const char *s)
{
	console_write(s, strlen(s));
}

void console_show_prompt(struct console *c)
{
	if (!c->focus && !c->prompt_shown) {
		console_puts("keel> ");
		c->prompt_shown = true;
	}
}

/* What was printed since the last call. */
static const char *printed(void)
{
	static char out[sizeof(screen)];
	memcpy(out, screen, screen_len + 1);
	screen_len = 0;
	screen[0] = '\0';
	return out;
}

static int setup(void **state)
{
	(void)state;
	d = calloc(1, sizeof(*d));
	con = calloc(1, sizeof(*con));
	if (!d || !con || !(d->chan = calloc(1, sizeof(*d->chan))))
		return -1;
	con->chan = d->chan;
	screen_len = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(d->chan);
	free(d);
	free(con);
	return 0;
}

static long control(unsigned long op, unsigned long n, const char *name)
{
	unsigned long w[KEEL_MSG_WORDS] = {op, n, 30 + n, 0, 0, 0};
	if (name)
		keel_devctl_name_pack(name, &w[3]);
	devemu_handle(d, KEEL_DEVCTL_BADGE, w);
	return (long)w[0];
}

static void guest_puts(unsigned n, const char *s)
{
	for (; *s; s++) {
		unsigned long w[KEEL_MSG_WORDS] = {KEEL_EXIT_MMIO, 0x9000000, 4, (uint8_t)*s, 1, 0};
		devemu_handle(d, n, w);
		assert_int_equal(w[1], 0);
	}
}

static void drain(void)
{
	assert_false(console_drain_guests(con));
}

static void the_list_follows_the_guests_present(void **state)
{
	(void)state;
	console_print_keys(con);
	assert_string_equal(printed(),
	                    "\n[console: Ctrl-T 0 hypervisor shell, Ctrl-T Ctrl-T a Ctrl-T]\n");
	assert_int_equal(control(DEVCTL_ATTACH, 2, "gvm2"), 0);
	assert_int_equal(control(DEVCTL_ATTACH, 5, "rtvm"), 0);
	assert_null(console_guest_name(con, 2)); /* not before the console has looked */
	drain();
	assert_string_equal(printed(), ""); /* appearing is silent */
	assert_string_equal(console_guest_name(con, 2), "gvm2");
	console_print_keys(con);
	assert_string_equal(printed(), "\n[console: Ctrl-T 0 hypervisor shell, Ctrl-T 2 gvm2, "
	                               "Ctrl-T 5 rtvm, Ctrl-T Ctrl-T a Ctrl-T]\n");
	assert_int_equal(control(DEVCTL_DETACH, 2, NULL), 0);
	drain();
	assert_string_equal(printed(), ""); /* it did not have the focus */
	assert_null(console_guest_name(con, 2));
	assert_false(console_focus(con, 2));
	console_print_keys(con);
	assert_string_equal(printed(), "\n[console: Ctrl-T 0 hypervisor shell, Ctrl-T 5 rtvm, "
	                               "Ctrl-T Ctrl-T a Ctrl-T]\n");
}

static void a_focused_guest_going_away_leaves_the_uart_to_the_shell(void **state)
{
	(void)state;
	assert_int_equal(control(DEVCTL_ATTACH, 2, "gvm2"), 0);
	drain();
	assert_true(console_focus(con, 2));
	assert_string_equal(printed(), "\n[console: gvm2 (Ctrl-T 0 for the hypervisor shell)]\n");
	guest_puts(2, "reboot: Power down\n");
	assert_int_equal(control(DEVCTL_DETACH, 2, NULL), 0);
	drain();
	/* Its last words first, then the news, then the prompt. */
	assert_string_equal(printed(), "reboot: Power down\n"
	                               "\n[console: gvm2 went away; hypervisor shell]\nkeel> ");
	assert_int_equal(con->focus, 0);
	drain();
	assert_string_equal(printed(), "");
}

static void a_focused_guest_replaced_between_two_looks(void **state)
{
	(void)state;
	assert_int_equal(control(DEVCTL_ATTACH, 3, "old"), 0);
	drain();
	console_focus(con, 3);
	printed();
	guest_puts(3, "old words");
	assert_int_equal(control(DEVCTL_DETACH, 3, NULL), 0);
	assert_int_equal(control(DEVCTL_ATTACH, 3, "new"), 0);
	guest_puts(3, "new words");
	drain();
	/* The old guest's unread output is dropped, not shown as the new one's. */
	assert_string_equal(printed(), "\n[console: old went away; hypervisor shell]\nkeel> ");
	assert_string_equal(console_guest_name(con, 3), "new");
	assert_true(console_focus(con, 3)); /* from the shell's prompt, which is erased */
	assert_string_equal(printed(),
	                    "\r\033[K\n[console: new (Ctrl-T 0 for the hypervisor shell)]\n"
	                    "new words");
}

static void a_new_guest_does_not_inherit_the_old_ones_history(void **state)
{
	(void)state;
	assert_int_equal(control(DEVCTL_ATTACH, 4, "gvm4"), 0);
	drain();
	guest_puts(4, "kept while unfocused");
	drain();
	assert_int_equal(control(DEVCTL_DETACH, 4, NULL), 0);
	drain();
	assert_int_equal(control(DEVCTL_ATTACH, 4, "gvm4"), 0);
	drain();
	guest_puts(4, "$ ");
	drain();
	assert_true(console_focus(con, 4));
	assert_string_equal(printed(), "\n[console: gvm4 (Ctrl-T 0 for the hypervisor shell)]\n$ ");
}

static void focus_requests_act_as_ctrl_t(void **state)
{
	(void)state;
	con->prompt_shown = true; /* at the shell's prompt */
	assert_int_equal(control(DEVCTL_ATTACH, 1, "gvm"), 0);
	assert_int_equal(control(DEVCTL_ATTACH, 6, "mvm"), 0);
	drain();
	guest_puts(6, "mvm# ");
	/* Posted right after its guest's attach, in one pass of the console. */
	assert_int_equal(control(DEVCTL_ATTACH, 7, "late"), 0);
	assert_int_equal(control(DEVCTL_FOCUS, 7, NULL), 0);
	drain();
	assert_int_equal(con->focus, 7);
	assert_string_equal(printed(),
	                    "\r\033[K\n[console: late (Ctrl-T 0 for the hypervisor shell)]\n");
	drain(); /* seen once */
	assert_string_equal(printed(), "");

	assert_int_equal(control(DEVCTL_FOCUS, 6, NULL), 0);
	drain();
	assert_string_equal(printed(),
	                    "\n[console: mvm (Ctrl-T 0 for the hypervisor shell)]\nmvm# ");
	assert_int_equal(control(DEVCTL_FOCUS, 0, NULL), 0);
	drain();
	assert_int_equal(con->focus, 0);
	assert_string_equal(printed(), "\n[console: hypervisor shell (Ctrl-T 1 for gvm)]\nkeel> ");

	/* For a guest that went before the console acted: nothing happens. */
	assert_int_equal(control(DEVCTL_FOCUS, 1, NULL), 0);
	assert_int_equal(control(DEVCTL_DETACH, 1, NULL), 0);
	drain();
	assert_int_equal(con->focus, 0);
	assert_string_equal(printed(), "");
}

static void focus_name_takes_a_guest_that_comes_later(void **state)
{
	(void)state;
	strcpy(con->boot_focus, "gvm2");
	assert_int_equal(control(DEVCTL_ATTACH, 1, "other"), 0);
	drain();
	assert_int_equal(con->focus, 0);
	assert_int_equal(control(DEVCTL_ATTACH, 2, "gvm2"), 0);
	guest_puts(2, "Booting Linux");
	drain();
	assert_int_equal(con->focus, 2);
	assert_string_equal(printed(), "\n[console: gvm2 (Ctrl-T 0 for the hypervisor shell)]\n"
	                               "Booting Linux");
	assert_string_equal(con->boot_focus, "");
	/* Once only: after going away, its successor does not take the UART. */
	assert_int_equal(control(DEVCTL_DETACH, 2, NULL), 0);
	assert_int_equal(control(DEVCTL_ATTACH, 2, "gvm2"), 0);
	drain();
	assert_int_equal(con->focus, 0);
}

static void a_focus_request_cancels_focus_name(void **state)
{
	(void)state;
	strcpy(con->boot_focus, "gvm2");
	assert_int_equal(control(DEVCTL_ATTACH, 1, "gvm1"), 0);
	assert_int_equal(control(DEVCTL_FOCUS, 1, NULL), 0);
	drain();
	assert_int_equal(con->focus, 1);
	assert_int_equal(control(DEVCTL_ATTACH, 2, "gvm2"), 0);
	drain();
	assert_int_equal(con->focus, 1);
}

static void keys_go_to_the_guest_and_wake_devemu(void **state)
{
	(void)state;
	assert_int_equal(control(DEVCTL_ATTACH, 1, "gvm"), 0);
	console_guest_input(con, 1, 'x'); /* not listed yet: nowhere to go */
	assert_false(con->kick);
	drain();
	console_guest_input(con, 1, 'y');
	assert_true(con->kick);
	struct conguest *g = &d->chan->guest[0];
	assert_int_equal(conring_used(&g->in), 1);
	con->kick = false;
	unsigned long w[KEEL_MSG_WORDS] = {1};
	devemu_handle(d, KEEL_BADGE_SIGNAL, w);
	assert_int_equal(d->g[1].uart.rx_count, 1);
	assert_int_equal(d->g[1].uart.rx[0], 'y');
	/* Dropped input is counted per guest, and a new guest starts at 0. */
	for (int i = 0; i < CONCHAN_IN_SIZE + 3; i++)
		console_guest_input(con, 1, 'z');
	assert_int_equal(g->in_dropped, 3);
	assert_int_equal(control(DEVCTL_DETACH, 1, NULL), 0);
	assert_int_equal(control(DEVCTL_ATTACH, 1, "gvm"), 0);
	drain();
	assert_int_equal(g->in_dropped, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(the_list_follows_the_guests_present),
	        T(a_focused_guest_going_away_leaves_the_uart_to_the_shell),
	        T(a_focused_guest_replaced_between_two_looks),
	        T(a_new_guest_does_not_inherit_the_old_ones_history),
	        T(focus_requests_act_as_ctrl_t),
	        T(focus_name_takes_a_guest_that_comes_later),
	        T(a_focus_request_cancels_focus_name),
	        T(keys_go_to_the_guest_and_wake_devemu),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
