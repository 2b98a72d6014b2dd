/* SPDX-License-Identifier: MIT */
/*
 * /dev/mem access to the mailbox page. Debian's kernel has STRICT_DEVMEM
 * and IO_STRICT_DEVMEM, which let root map MMIO that no driver claims;
 * with O_SYNC (and anyway for a page that is not RAM) the mapping is
 * device memory, so every access reaches the bus, here the hypervisor.
 *
 * The accesses are single 32-bit LDR/STR without writeback, written in
 * assembly: the trap only carries a usable syndrome (ISV) for those, and a
 * compiler is free to turn a volatile access into something else (a
 * post-indexed load, a load pair). Without a syndrome Keel answers with
 * an external abort, which Linux reports as SIGBUS.
 *
 * keelctl processes take turns through an flock() on their /dev/mem
 * descriptor, held until exit.
 */
#define _POSIX_C_SOURCE 200809L

#include "devmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the mailbox is little-endian");

static uint32_t devmem_read32(void *ctx, uint32_t off)
{
	const struct devmem *d = ctx;
	volatile uint32_t *reg = (volatile uint32_t *)(d->regs + off);
#ifdef __aarch64__
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(reg) : "memory");
	return v;
#else
	return *reg;
#endif
}

static void devmem_write32(void *ctx, uint32_t off, uint32_t value)
{
	const struct devmem *d = ctx;
	volatile uint32_t *reg = (volatile uint32_t *)(d->regs + off);
#ifdef __aarch64__
	__asm__ volatile("str %w0, [%1]" : : "r"(value), "r"(reg) : "memory");
#else
	*reg = value;
#endif
}

/* The mailbox's physical address: KEELCTL_MAILBOX, else the device tree's. */
static int find_mailbox(unsigned long *addr, char *err, size_t err_size)
{
	const char *env = getenv("KEELCTL_MAILBOX");
	if (env && *env) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(env, &end, 0);
		if (errno || *end || v % MBOX_SIZE) {
			snprintf(err, err_size,
			         "KEELCTL_MAILBOX='%.40s' is not a 4 KiB aligned physical address "
			         "(like 0x0a000000)",
			         env);
			return KEELCTL_EXIT_USAGE;
		}
		*addr = (unsigned long)v;
		return KEELCTL_EXIT_OK;
	}
	if (access(MBOX_DT_NODE, F_OK)) {
		snprintf(err, err_size,
		         "this VM has no Keel management mailbox (only the management VM has one): "
		         "no %s",
		         MBOX_DT_NODE);
		return KEELCTL_EXIT_IO;
	}
	/* Same node name, another device: say so rather than poke at it. */
	FILE *f = fopen(MBOX_DT_NODE "/compatible", "r");
	if (f) {
		char compat[64];
		size_t n = fread(compat, 1, sizeof(compat) - 1, f);
		compat[n] = '\0';
		fclose(f);
		if (strcmp(compat, MBOX_DT_COMPAT) != 0) {
			snprintf(err, err_size, "%s is not compatible with \"%s\"", MBOX_DT_NODE,
			         MBOX_DT_COMPAT);
			return KEELCTL_EXIT_IO;
		}
	}
	*addr = MBOX_BASE;
	return KEELCTL_EXIT_OK;
}

int devmem_open(void *ctx, struct mbox_io *io, char *err, size_t err_size)
{
	struct devmem *d = ctx;
	unsigned long addr;
	int rc = find_mailbox(&addr, err, err_size);
	if (rc)
		return rc;

	d->fd = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
	if (d->fd < 0) {
		int e = errno;
		snprintf(err, err_size, "cannot open /dev/mem: %s%s", strerror(e),
		         e == EACCES || e == EPERM ? " (keelctl must run as root)"
		         : e == ENOENT             ? " (a kernel without CONFIG_DEVMEM?)"
		                                   : "");
		return KEELCTL_EXIT_IO;
	}
	/* One request at a time: the mailbox has one request buffer for the
	 * whole VM, and two keelctl processes must not interleave their words.
	 * Every keelctl takes this lock; it goes with the descriptor. */
	if (flock(d->fd, LOCK_EX)) {
		snprintf(err, err_size, "cannot lock /dev/mem for the mailbox: %s",
		         strerror(errno));
		close(d->fd);
		d->fd = -1;
		return KEELCTL_EXIT_IO;
	}
	/* The page may be smaller than the system's: map the page around it. */
	long page = sysconf(_SC_PAGESIZE);
	unsigned long mask = page > 0 ? (unsigned long)page - 1 : MBOX_SIZE - 1;
	unsigned long base = addr & ~mask;
	d->map_len = (addr - base + MBOX_SIZE + mask) & ~mask;
	void *map = mmap(NULL, d->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, (off_t)base);
	if (map == MAP_FAILED) {
		snprintf(err, err_size,
		         "cannot map the mailbox at 0x%08lx from /dev/mem: %s (has a driver "
		         "claimed that address? see /proc/iomem)",
		         addr, strerror(errno));
		close(d->fd);
		d->fd = -1;
		return KEELCTL_EXIT_IO;
	}
	d->map = map;
	d->regs = d->map + (addr - base);
	io->read32 = devmem_read32;
	io->write32 = devmem_write32;
	io->ctx = d;
	return KEELCTL_EXIT_OK;
}

void devmem_close(void *ctx)
{
	struct devmem *d = ctx;
	if (d->map)
		munmap((void *)d->map, d->map_len);
	if (d->fd >= 0)
		close(d->fd);
	d->map = NULL;
	d->fd = -1;
}
