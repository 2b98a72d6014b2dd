/* SPDX-License-Identifier: MIT */
/*
 * The device-model control protocol: how vmm tells the service that answers
 * a VM's emulated UART (devemu, for `uart-endpoint = "devemu-mmio"`) that a
 * guest came or went, and which guest's console should have the physical
 * UART. VMs of the system description are known to devemu from its argv
 * (`vm:NAME:w:N`, `guestN=NAME`); VMs created at run time (`keelctl
 * create`) are announced with these messages.
 *
 * Transport: vmm holds a copy of the service's endpoint minted with badge
 * KEEL_DEVCTL_BADGE and CALLs it; the service replies with w0 = 0 or a
 * negative KEEL_E* error (keel_abi.h) and w1..w5 = 0. The badge cannot be
 * mistaken for a guest's (the guests' MMIO exits arrive with their
 * uart-badge, 1..KEEL_DEVCTL_GUESTS) nor for a bound notification's signal
 * (KEEL_BADGE_SIGNAL). The service answers at once and never calls vmm, so
 * a control call cannot deadlock and never waits for the console.
 *
 * Messages (w0 = operation, w1 = N, the VM's uart-badge):
 *
 *   DEVCTL_ATTACH  w2 = slot in the service's own cspace holding a copy of
 *                  the VM capability (right: write, for VM_INJECT);
 *                  w3, w4 = the VM's name, at most 15 bytes and a NUL,
 *                  packed little-endian (keel_devctl_name_pack).
 *                  A fresh UART for guest N: register file and FIFOs
 *                  reset, interrupt line low, nothing left over in the
 *                  console channel from an earlier guest N. Its console
 *                  appears under Ctrl-T N.
 *                  -KEEL_EINVAL: N not 1..8, w2 = 0, or no NUL in w3..w4.
 *                  -KEEL_EBUSY: guest N is attached (DETACH it first).
 *                  Send it before the VM's first vCPU runs: until then an
 *                  exit with badge N is a stray (after a DETACH) or
 *                  makes devemu take N as a nameless boot-time guest.
 *   DEVCTL_DETACH  Guest N is gone: its console leaves the list (the
 *                  hypervisor shell gets the UART if N had it), and later
 *                  exits with badge N are answered KEEL_EXIT_REPLY_ABORT.
 *                  The service forgets the VM slot but does not delete the
 *                  capability: vmm deletes or revokes it. Detaching an N
 *                  that is not attached succeeds (vmm need not know).
 *                  -KEEL_EINVAL: N not 1..8.
 *   DEVCTL_FOCUS   Give the physical UART to guest N's console, as if the
 *                  user had typed Ctrl-T N (N = 0: the hypervisor shell).
 *                  The reply says the request was posted, not that the
 *                  console has acted on it; of requests posted faster than
 *                  the console acts, the last one wins.
 *                  -KEEL_EINVAL: N above 8. -KEEL_ENOENT: no guest N.
 *
 *   DEVCTL_VIRTIO  To the service of `virtio-endpoint` (not the UART's):
 *                  guest N gets virtio-mmio devices, served under badge N
 *                  at the guest addresses below. w2 = slot in the
 *                  service's cspace of a copy of the VM's RAM frame
 *                  (read/write: the service maps it to reach the rings
 *                  and buffers, never anything else), w3 = RAM size in
 *                  MiB (at guest-physical KEEL_VIRTIO_RAM_BASE) in bits
 *                  0..31 and the service's slot of a copy of the VM
 *                  capability (write, for VM_INJECT) in bits 32..63,
 *                  w4 = the devices, 1 << KEEL_VIRTIO_*, w5 = the disk
 *                  slice of virtio-blk: first MiB in bits 0..31, MiB count
 *                  in bits 32..63.
 *                  -KEEL_EINVAL: N not 1..8, a slot 0, no device or one
 *                  this service lacks; -KEEL_EEXIST: N has devices;
 *                  other errors: the frame could not be mapped.
 *                  DETACH N takes the devices away; it is -KEEL_EBUSY
 *                  while the physical disk still has requests of guest N
 *                  in flight (they write into its RAM): call again.
 *   DEVCTL_VIRTIO_RESET  Guest N's virtio devices back to their reset
 *                  state (as a driver's Status = 0), once its disk
 *                  requests in flight have finished: before its RAM is
 *                  loaded again for a reboot, nothing of the old run may
 *                  land there. -KEEL_EBUSY until then (the devices serve
 *                  nothing meanwhile): call again. -KEEL_ENOENT: N has no
 *                  devices.
 *
 * Any other w0: -KEEL_EINVAL.
 *
 * Pure header: included by vmm, devemu and the host unit tests.
 */
#ifndef KEEL_DEVCTL_H
#define KEEL_DEVCTL_H

#include <stdbool.h>

#define KEEL_DEVCTL_BADGE  0x100ul
#define KEEL_DEVCTL_GUESTS 8  /* N = uart-badge, 1..8 */
#define KEEL_DEVCTL_NAME   16 /* name bytes in w3..w4, with the NUL */

enum keel_devctl_op {
	DEVCTL_ATTACH = 1,
	DEVCTL_DETACH = 2,
	DEVCTL_FOCUS = 3,
	DEVCTL_VIRTIO = 4,
	DEVCTL_VIRTIO_RESET = 5,
};

/* virtio-mmio devices of a guest: one 0x200 slot each in the page at
 * KEEL_VIRTIO_BASE (QEMU virt's transport slots 8.., so the guest sees a
 * familiar layout; slot 0's page is the management mailbox), SPI
 * KEEL_VIRTIO_SPI + index, level-triggered while InterruptStatus != 0. */
enum keel_virtio_dev {
	KEEL_VIRTIO_BLK = 0,
	KEEL_VIRTIO_NET = 1,
	KEEL_VIRTIO_DEVS = 2,
};
#define KEEL_VIRTIO_BASE     0x0a001000ul
#define KEEL_VIRTIO_STRIDE   0x200ul
#define KEEL_VIRTIO_PAGE     0x1000ul
#define KEEL_VIRTIO_SPI      24u /* INTID 56 + index */
#define KEEL_VIRTIO_RAM_BASE 0x40000000ul
#define KEEL_VIRTIO_MASK     ((1u << KEEL_VIRTIO_DEVS) - 1)

/* w[0..1] = the first KEEL_DEVCTL_NAME - 1 bytes of name, byte i in bits
 * 8 * (i % 8) of w[i / 8], zero filled (so always NUL terminated). */
static inline void keel_devctl_name_pack(const char *name, unsigned long w[2])
{
	w[0] = w[1] = 0;
	for (unsigned i = 0; i < KEEL_DEVCTL_NAME - 1 && name[i]; i++)
		w[i / 8] |= (unsigned long)(unsigned char)name[i] << (8 * (i % 8));
}

/* The name in w[0..1] into name[KEEL_DEVCTL_NAME]; false if it has no NUL. */
static inline bool keel_devctl_name_unpack(const unsigned long w[2], char *name)
{
	for (unsigned i = 0; i < KEEL_DEVCTL_NAME; i++) {
		name[i] = (char)(w[i / 8] >> (8 * (i % 8)));
		if (!name[i])
			return true;
	}
	name[KEEL_DEVCTL_NAME - 1] = '\0';
	return false;
}

#endif
