/* SPDX-License-Identifier: MIT */
/*
 * VM descriptions: the children of /vms in the system tree, read and fully
 * validated before vmm allocates anything for them. Pure (libfdt and libc
 * only), so the host unit tests compile it as it is.
 */
#ifndef VMDESC_H
#define VMDESC_H

#include <stdbool.h>
#include <stddef.h>

#define VMDESC_MAX_VCPUS 8 /* the kernel's VGIC_MAX_VCPUS */
#define VMDESC_PATH_MAX  40
#define VMDESC_ERR_MAX   160

enum vm_kind {
	VM_KIND_ELF,   /* `image`: a bare-metal ELF, loaded by its program headers */
	VM_KIND_LINUX, /* `kernel`: an arm64 Linux Image, with a generated device tree */
};

enum vm_type {
	VM_TYPE_GVM,  /* a general guest: shares CPUs by priority and budget */
	VM_TYPE_MVM,  /* the management VM: the only one with vmm's mailbox */
	VM_TYPE_RTVM, /* real time: owns its CPUs, nothing else is placed there */
};

#define VMDESC_NAME_MAX 15

/* Strings point into the system tree, which stays in the boot bundle. */
#define VMDESC_MAX_UART_BADGE 8 /* devemu's CONCHAN_GUESTS */
#define VMDESC_MAX_PASS       8 /* devices passed through, per VM */

/* A physical device of the `passthrough` node (passthrough.c), mapped at
 * the same address in the guest, its interrupt forwarded as the same SPI. */
struct vm_pass {
	const char *name;
	unsigned long base, size; /* host physical = guest IPA, whole pages */
	int spi;                  /* SPI number (INTID - 32); -1: none */
	const char *compatible;   /* string list, copied into the guest's tree */
	int compatible_len;
	bool present; /* made it into the VM (the host has it): in the tree */
};
#define VMDESC_MAX_DISK_MIB (1ul << 20) /* a slice ends below 1 TiB */

struct vm_desc {
	char path[VMDESC_PATH_MAX]; /* "/vms/<name>", for messages */
	const char *name;
	enum vm_kind kind;
	enum vm_type type;
	const char *image;    /* bundle file: ELF (VM_KIND_ELF) or Image (VM_KIND_LINUX) */
	const char *initrd;   /* bundle file, or NULL */
	const char *bootargs; /* "" when absent */
	unsigned long ram_size;
	unsigned vcpus;
	unsigned cpus[VMDESC_MAX_VCPUS]; /* physical CPU of each vCPU */
	unsigned prio;
	unsigned long budget_us, period_us;
	const char *uart_endpoint; /* NULL: the guest's PL011 exits go to vmm */
	unsigned long uart_badge;
	bool stop_on_bad_access;                /* else a synchronous external abort is injected */
	const char *virtio_endpoint;            /* the service of its virtio devices, or NULL */
	unsigned virtio;                        /* 1 << KEEL_VIRTIO_*: its devices */
	unsigned long disk_first_mib, disk_mib; /* virtio-blk: its slice of the disk */
	struct vm_pass pass[VMDESC_MAX_PASS];   /* passthrough.c */
	unsigned npass;
};

/*
 * Reads the VM at `node` (a child of /vms). `ncpus` is the number of CPUs
 * online. Returns 0, or -1 with `err` holding the whole message, which
 * names the node and the property ("config error in /vms/gvm: ...").
 */
int vmdesc_read(const void *fdt, int node, unsigned ncpus, struct vm_desc *d, char *err,
                size_t err_size);

const char *vmdesc_type_name(enum vm_type t);

/* passthrough.c: the `passthrough` child of the VM at `node`, into
 * d->pass (each marked present); 0 or -1 with the message in `err`
 * ("config error in /vms/NAME/passthrough/DEV: ..."). */
int passthrough_read(const void *fdt, int node, struct vm_desc *d, char *err, size_t err_size);
/* Sequential-write nodes for the present devices of `pass`, inside the
 * guest tree's root, `clock` the phandle of its 24 MHz clock; 0 or a
 * negative libfdt error. */
int passthrough_fdt(void *fdt, const struct vm_pass *pass, unsigned n, unsigned clock);

#endif
