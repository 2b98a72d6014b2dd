/* SPDX-License-Identifier: MIT */
/*
 * virtio: the guests' virtio-mmio devices (virtio-blk on a slice of the
 * physical disk, virtio-net on the switch between guests), vdev.h. vmm
 * routes each guest's device page to this service's endpoint with the
 * guest's badge and announces its devices with DEVCTL_VIRTIO
 * (keel/devctl.h); every register access arrives as a KEEL_EXIT_MMIO
 * message, the reply completes it. The physical disk (QEMU's virtio-blk
 * device, vdisk.c) interrupts through a notification bound to the
 * endpoint, so completions arrive in the same receive loop and the
 * service never blocks anywhere else.
 *
 * Arguments (vmconfigs/virtio.dtsi): ep.mmio; mmio.disk (the disk's
 * registers) with irq and irq_ntfn (its interrupt); shm.virtio-dma with
 * .size and .phys (the disk's rings). Without a disk, virtio-blk requests
 * fail with IOERR and everything else works.
 *
 * This file makes the system calls; vdev.c, vblk.c and vnet_switch.c are
 * pure and tested on the host.
 */
#include "vdev.h"
#include "vdisk.h"

#include <keel/service.h>
#include <stdio.h>
#include <string.h>

/* Guest n's RAM appears at RAM_VA(n) here: 4 GiB apart, above what the
 * loader uses (a VM has at most 4 GiB). */
#define RAM_VA(n) (0x100000000ul * (1ul + (n)))

static struct vdev vd;
static struct vdisk disk;
static unsigned long disk_irq;

static unsigned disk_room(void *ctx)
{
	return vdisk_free_descs(ctx);
}

static int disk_submit(void *ctx, const struct vdisk_req *r)
{
	return vdisk_submit(ctx, r);
}

static void disk_done(void *ctx, uint64_t cookie, uint8_t status)
{
	vdev_disk_done(ctx, cookie, status);
}

static long inject(unsigned long vm, unsigned long intid, bool level)
{
	return keel_vm_inject(vm, intid, level, 0);
}

static void disk_start(int argc, char **argv)
{
	char why[96] = "no 'mmio.disk' or 'shm.virtio-dma'";
	void *regs = (void *)keel_arg(argc, argv, "mmio.disk", 0);
	void *dma = (void *)keel_arg(argc, argv, "shm.virtio-dma", 0);
	unsigned long size = (unsigned long)keel_arg(argc, argv, "shm.virtio-dma.size", 0);
	unsigned long phys = (unsigned long)keel_arg(argc, argv, "shm.virtio-dma.phys", 0);
	if (!regs || !dma || !phys || vdisk_init(&disk, regs, dma, phys, size, why, sizeof(why))) {
		printf("no disk (%s): virtio-blk requests fail\n", why);
		return;
	}
	vd.disk = (struct vdev_disk){
	        .sectors = vdisk_capacity(&disk),
	        .flush = vdisk_has_flush(&disk),
	        .max_segs = vdisk_max_segs(&disk),
	        .room = disk_room,
	        .submit = disk_submit,
	        .ctx = &disk,
	};
	disk_irq = (unsigned long)keel_arg(argc, argv, "irq", 0);
	printf("disk of %lu MiB%s\n", (unsigned long)(vd.disk.sectors >> 11),
	       vd.disk.flush ? ", write cache flushed on request" : "");
}

/* DEVCTL_VIRTIO: map the guest's RAM, then its devices exist. */
static long attach(const unsigned long w[KEEL_MSG_WORDS])
{
	unsigned long n = w[1], ram = w[2], vm = w[3] >> 32, mib = w[3] & 0xffffffffu;
	unsigned long phys, size;
	if (n < 1 || n > VDEV_GUESTS || !ram || !vm || !mib)
		return -KEEL_EINVAL;
	if (vd.g[n].on)
		return -KEEL_EEXIST;
	long err = keel_frame_info(ram, &phys, &size);
	if (!err && size < mib << 20)
		err = -KEEL_EINVAL;
	if (!err)
		err = keel_frame_map(ram, 0, RAM_VA(n), KEEL_R_READ | KEEL_R_WRITE);
	if (err)
		return err;
	err = vdev_attach(&vd, (unsigned)n, (unsigned)w[4], vm, (void *)RAM_VA(n), phys, mib << 20,
	                  w[5] & 0xffffffffu, w[5] >> 32);
	if (err)
		keel_frame_unmap(ram, 0, RAM_VA(n));
	else
		vd.g[n].ram = ram;
	return err;
}

static long detach(unsigned long n)
{
	unsigned long ram = n >= 1 && n <= VDEV_GUESTS ? vd.g[n].ram : 0;
	long err = vdev_detach(&vd, (unsigned)n);
	if (!err && ram)
		keel_frame_unmap(ram, 0, RAM_VA(n));
	return err;
}

static void control(unsigned long w[KEEL_MSG_WORDS])
{
	long err = w[0] == DEVCTL_VIRTIO         ? attach(w)
	           : w[0] == DEVCTL_DETACH       ? detach(w[1])
	           : w[0] == DEVCTL_VIRTIO_RESET ? vdev_reset(&vd, (unsigned)w[1])
	                                         : -KEEL_EINVAL;
	memset(w, 0, KEEL_MSG_WORDS * sizeof(w[0]));
	w[0] = (unsigned long)err;
}

/* A guest's register access. In the virtio page of a guest this service
 * has no devices for (it refused them, or they went), every slot reads as
 * empty (magic 0), which a driver passes over; elsewhere the access aborts. */
static void access(unsigned long badge, unsigned long w[KEEL_MSG_WORDS])
{
	bool mmio = w[0] == KEEL_EXIT_MMIO && badge >= 1 && badge <= VDEV_GUESTS;
	bool ours = mmio && vdev_claims(&vd, (unsigned)badge, w[1]);
	bool ok = ours || (mmio && w[1] - KEEL_VIRTIO_BASE < KEEL_VIRTIO_PAGE);
	uint64_t value =
	        ours ? vdev_access(&vd, (unsigned)badge, w[1], (unsigned)w[2], w[4], w[3]) : 0;
	memset(w, 0, KEEL_MSG_WORDS * sizeof(w[0]));
	w[0] = value;
	w[1] = ok ? 0 : KEEL_EXIT_REPLY_ABORT;
}

/* The disk's interrupt: completions, then what waited for room. */
static void disk_interrupt(void)
{
	vdisk_reap(&disk, disk_done, &vd);
	if (disk_irq)
		keel_irq_ack(disk_irq);
	vdev_disk_resume(&vd);
}

/* A driver that broke the rules of its rings: its device waits for a
 * reset; the guest, the other devices and the disk go on. */
static void report_broken(void)
{
	static const char *const names[KEEL_VIRTIO_DEVS] = {"virtio-blk", "virtio-net"};
	unsigned n = 0, dev = 0;
	while (vdev_newly_broken(&vd, &n, &dev))
		printf("guest %u: %s: malformed ring or descriptor chain: device needs reset\n", n,
		       names[dev]);
}

int main(int argc, char **argv)
{
	unsigned long ep = (unsigned long)keel_arg(argc, argv, "ep.mmio", 0);
	if (!ep) {
		printf("needs ep.mmio\n");
		return 1;
	}
	disk_start(argc, argv);
	unsigned long ntfn = (unsigned long)keel_arg(argc, argv, "irq_ntfn", 0);
	long bound = ntfn && vd.disk.sectors ? keel_ep_bind(ep, ntfn) : 0;
	if (bound)
		printf("cannot bind the disk's interrupt (%s)\n", keel_strerror(bound));

	struct keel_msg m;
	unsigned long badge;
	bool reply = false;
	for (;;) {
		long err = reply ? keel_reply_recv(ep, &m, &badge) : keel_recv(ep, &m, &badge);
		if (err && reply) /* the caller went away: just receive */
			err = keel_recv(ep, &m, &badge);
		if (err) {
			printf("receive failed: %s\n", keel_strerror(err));
			return 1;
		}
		reply = badge != KEEL_BADGE_SIGNAL;
		if (!reply)
			disk_interrupt();
		else if (badge == KEEL_DEVCTL_BADGE)
			control(m.w);
		else
			access(badge, m.w);
		vdev_sync_irqs(&vd, inject);
		report_broken();
	}
}
