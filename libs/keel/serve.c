/* SPDX-License-Identifier: MIT */
#include <keel/service.h>

int keel_serve(unsigned long ep, keel_handler_fn fn, void *state)
{
	struct keel_msg msg;
	unsigned long badge;
	long err = keel_recv(ep, &msg, &badge);

	while (!err) {
		if (!fn(state, badge, &msg)) {
			err = keel_recv(ep, &msg, &badge);
			continue;
		}
		/*
		 * A failed reply_recv does not say which half failed; a caller that
		 * went away must not stop the service, so retry the receive alone
		 * and give up only if that fails too.
		 */
		err = keel_reply_recv(ep, &msg, &badge);
		if (err)
			err = keel_recv(ep, &msg, &badge);
	}
	return (int)err;
}
