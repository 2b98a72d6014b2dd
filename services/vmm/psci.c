/* SPDX-License-Identifier: MIT */
/*
 * PSCI 1.0 and SMCCC 1.1 over HVC, for the vCPUs of a VM (the guest tree
 * says method = "hvc"). Function ids are SMCCC's: 0x84000000 + n for the
 * SMC32 calls, 0xc4000000 + n for the SMC64 variants of the calls that take
 * addresses or MPIDRs. A vCPU's MPIDR is its index in Aff0.
 */
#include "guest_fdt.h"
#include "vm.h"

#include <keel/service.h>
#include <stdio.h>

#define FN_PSCI32        0x84000000u
#define FN_PSCI64        0xc4000000u
#define FN_SMCCC_VERSION 0x80000000u
#define SMCCC_1_1        0x10001ul
#define PSCI_1_0         0x10000ul

enum psci_fn {
	PSCI_VERSION = 0,
	PSCI_CPU_SUSPEND = 1,
	PSCI_CPU_OFF = 2,
	PSCI_CPU_ON = 3,
	PSCI_AFFINITY_INFO = 4,
	PSCI_MIGRATE = 5,
	PSCI_MIGRATE_INFO_TYPE = 6,
	PSCI_MIGRATE_INFO_UP_CPU = 7,
	PSCI_SYSTEM_OFF = 8,
	PSCI_SYSTEM_RESET = 9,
	PSCI_FEATURES = 10,
};

#define PSCI_SUCCESS           0l
#define PSCI_NOT_SUPPORTED     (-1l)
#define PSCI_INVALID_PARAMS    (-2l)
#define PSCI_ALREADY_ON        (-4l)
#define PSCI_INTERNAL_FAILURE  (-6l)
#define PSCI_INVALID_ADDRESS   (-9l)
#define TRUSTED_OS_NOT_PRESENT 2 /* MIGRATE_INFO_TYPE: no migration needed */
#define AFF_ON                 0
#define AFF_OFF                1
#define MPIDR_AFF_MASK         0xff00ffffffull
#define MPIDR_AFF0             0xffull

/* Decoded call: PSCI function number, or -1 for anything else. */
static int psci_number(unsigned long x0, bool *is64)
{
	unsigned fn = (unsigned)x0;
	*is64 = (fn & 0xff000000u) == FN_PSCI64;
	if (x0 >> 32 || ((fn & 0xff000000u) != FN_PSCI32 && !*is64) || (fn & 0x00ffff00u))
		return -1;
	return (int)(fn & 0xff);
}

/* Whether function `n` exists in the width the caller used. */
static bool psci_implemented(int n, bool is64)
{
	switch (n) {
	case PSCI_CPU_ON:
	case PSCI_AFFINITY_INFO: return true;
	case PSCI_VERSION:
	case PSCI_CPU_OFF:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES: return !is64;
	default: return false;
	}
}

static long features(unsigned long fn)
{
	bool is64;
	if ((unsigned)fn == FN_SMCCC_VERSION)
		return PSCI_SUCCESS;
	int n = psci_number(fn, &is64);
	return n >= 0 && psci_implemented(n, is64) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
}

static struct vcpu *target(struct vm *v, unsigned long mpidr, unsigned *index)
{
	if ((mpidr & ~MPIDR_AFF_MASK) || (mpidr & MPIDR_AFF_MASK & ~MPIDR_AFF0) ||
	    mpidr >= v->d.vcpus)
		return NULL;
	*index = (unsigned)mpidr;
	return &v->vcpu[mpidr];
}

static long cpu_on(struct vm *v, unsigned long mpidr, unsigned long entry, unsigned long ctx)
{
	unsigned index;
	struct vcpu *c = target(v, mpidr, &index);
	if (!c)
		return PSCI_INVALID_PARAMS;
	if (c->on)
		return PSCI_ALREADY_ON;
	if (entry < GUEST_RAM_BASE || entry - GUEST_RAM_BASE >= v->d.ram_size)
		return PSCI_INVALID_ADDRESS;
	long err = vm_vcpu_start(v, index, entry, ctx);
	if (err) {
		printf("VM %s: CPU_ON of vCPU %u failed: %s\n", v->d.name, index,
		       keel_strerror(err));
		return PSCI_INTERNAL_FAILURE;
	}
	return PSCI_SUCCESS;
}

static long affinity_info(struct vm *v, unsigned long mpidr, unsigned long level)
{
	unsigned index;
	const struct vcpu *c = target(v, mpidr, &index);
	if (!c || level != 0)
		return PSCI_INVALID_PARAMS;
	return c->on ? AFF_ON : AFF_OFF;
}

/* The calls after which the calling vCPU does not run on: no reply. */
static bool power_off(struct vm *v, struct vcpu *self, int n)
{
	if (n == PSCI_CPU_OFF) {
		if (!self) {
			printf("VM %s: CPU_OFF from an unknown vCPU, stopping the VM\n", v->d.name);
			vm_stop_all(v);
			return true;
		}
		/* Stopped, not left waiting: the next exit vmm receives would
		 * otherwise release this one with -KEEL_ESRCH. */
		keel_thread_stop(self->slot);
		self->on = false;
		return true;
	}
	if (n == PSCI_SYSTEM_OFF) {
		vm_stop_all(v);
		printf("VM %s: system off (PSCI)\n", v->d.name);
		return true;
	}
	if (n == PSCI_SYSTEM_RESET) {
		printf("VM %s: system reset (PSCI)\n", v->d.name);
		long err = vm_reset(v);
		if (err)
			printf("VM %s: reset failed (%s), left stopped\n", v->d.name,
			       keel_strerror(err));
		return true;
	}
	return false;
}

bool psci_call(struct vm *v, struct vcpu *self, struct keel_msg *m)
{
	unsigned long x0 = m->w[1], x1 = m->w[2], x2 = m->w[3], x3 = m->w[4];
	bool is64;
	int n = psci_number(x0, &is64);
	long ret = PSCI_NOT_SUPPORTED;

	if ((unsigned)x0 == FN_SMCCC_VERSION && !(x0 >> 32))
		ret = (long)SMCCC_1_1;
	if (n < 0 || !psci_implemented(n, is64)) {
		m->w[0] = (unsigned long)ret;
		return true;
	}
	if (!is64) { /* SMC32: arguments are 32 bits */
		x1 = (unsigned)x1;
		x2 = (unsigned)x2;
		x3 = (unsigned)x3;
	}
	if (power_off(v, self, n))
		return false;
	switch (n) {
	case PSCI_VERSION: ret = (long)PSCI_1_0; break;
	case PSCI_CPU_ON: ret = cpu_on(v, x1, x2, x3); break;
	case PSCI_AFFINITY_INFO: ret = affinity_info(v, x1, x2); break;
	case PSCI_MIGRATE_INFO_TYPE: ret = TRUSTED_OS_NOT_PRESENT; break;
	case PSCI_FEATURES: ret = features(x1); break;
	default: break;
	}
	m->w[0] = (unsigned long)ret;
	return true;
}
