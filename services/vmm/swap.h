/* SPDX-License-Identifier: MIT */
/* Live update in vmm (swap.c): service images and swaps, for mgmt_cmd.c. */
#ifndef VMM_SWAP_H
#define VMM_SWAP_H

#include <keel/svcimage.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct service;

struct svc_image {
	struct keel_svcimg h;
	char build[2 * KEEL_SVCIMG_BUILD_ID + 1];
	void *copy; /* deployed: vmm's copy; boot images point into the bundle */
};

/* Checks an image from the MVM and keeps it (once per build id): the image,
 * or NULL with why. The name must be a running live service's. */
const struct svc_image *image_deploy(const void *buf, size_t len, char *why, size_t why_size);
/* The image a boot-time service was built from (NULL: a plain ELF). */
const struct svc_image *image_boot(const void *buf, size_t len);

/* Starts swapping s for img: 0, or -1 with why (nothing changed). */
int swap_begin(struct service *s, const struct svc_image *img, char *why, size_t why_size);
/* The same to the image s ran before its last swap. */
int swap_rollback(struct service *s, char *why, size_t why_size);

enum swap_state { SWAP_NONE, SWAP_RUNNING, SWAP_COMMITTED, SWAP_ROLLED_BACK };

struct swap_report {
	enum swap_state state;
	const char *phase; /* SWAP_RUNNING */
	char message[200]; /* SWAP_ROLLED_BACK: why */
	char from[16], to[16];
	unsigned long pause_us, total_us; /* SWAP_COMMITTED */
	unsigned long build_us;           /* vmm building the new instance, before the protocol */
	unsigned long destroy_us;         /* vmm destroying the old one (UNTYPED_RESET), after it */
	unsigned long swaps, rollbacks;
};
/* The latest swap of s (or the one under way). */
void swap_report(const struct service *s, struct swap_report *r);
/* The coordinator stopped (a fault): the swap under way is rolled back
 * by vmm. */
void swap_coordinator_stopped(void);
/* A swap past vmm's own deadline is rolled back by vmm. */
void swap_check_deadline(void);
/* Whether a swap is under way (vmm then refuses commands that call services). */
bool swap_busy(void);
/* Whether the swap under way is s's. */
bool swap_of(const struct service *s);
/* The generation of s's next instance (swap or restart). */
uint32_t service_next_gen(struct service *s);
/* Tells s to fault at its receive point (keelctl service fault, a test
 * aid): 0, or -1 with why. */
int service_fault_post(struct service *s, char *why, size_t why_size);

#endif
