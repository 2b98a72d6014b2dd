/* SPDX-License-Identifier: MIT */
/*
 * IPC ping-pong and benchmark. role=server answers calls on ep.bench;
 * role=client makes `iterations` calls, checks every reply, and prints the
 * average round trip and the cost of a null system call in counter ticks
 * (instructions, when QEMU runs with -icount shift=0 and a 1 GHz counter).
 */
#include <keel/service.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SHM_CHECK 0x53484dul

struct shm {
	volatile uint32_t *mem;
	unsigned long words;
};

static uint32_t checksum(const volatile uint32_t *mem, unsigned long words)
{
	uint32_t sum = 0;
	for (unsigned long i = 0; i < words; i++)
		sum = sum * 31 + mem[i];
	return sum;
}

/* Echo w[0] + 1; on a shared-memory check, answer the checksum of the shared
 * frame as this partition sees it, and write the inverse back into it. */
static bool serve_one(void *state, unsigned long badge, struct keel_msg *msg)
{
	const struct shm *shm = state;
	(void)badge;
	if (msg->w[1] == SHM_CHECK && shm->mem) {
		msg->w[2] = checksum(shm->mem, shm->words);
		shm->mem[0] = ~(uint32_t)msg->w[2];
	}
	msg->w[0]++;
	return true;
}

static int check_shared_memory(unsigned long ep, const struct shm *shm, const char *label)
{
	struct keel_msg m = {{0}};
	for (unsigned long i = 0; i < shm->words; i++)
		shm->mem[i] = (uint32_t)(i * 2654435761u);
	uint32_t sum = checksum(shm->mem, shm->words);
	m.w[1] = SHM_CHECK;
	if (keel_call(ep, &m) || m.w[2] != sum || shm->mem[0] != ~sum) {
		printf("ipcbench %s: FAIL: shared memory differs between the partitions\n", label);
		return 1;
	}
	printf("ipcbench %s: shared memory OK (%lu bytes seen by both partitions)\n", label,
	       shm->words * 4);
	return 0;
}

static unsigned long now(void)
{
	unsigned long t = 0, f;
	keel_time(&t, &f);
	return t;
}

static void report(const char *label, const char *what, unsigned long ticks, unsigned long n)
{
	unsigned long hundredths = ticks * 100 / n;
	printf("ipcbench %s: %s: %lu.%02lu ticks avg over %lu\n", label, what, hundredths / 100,
	       hundredths % 100, n);
}

static int client(unsigned long ep, unsigned long n, const char *label)
{
	struct keel_msg m;
	unsigned long errors = 0;

	for (unsigned long i = 0; i < 16; i++) { /* warm up caches and TLBs */
		memset(&m, 0, sizeof(m));
		keel_call(ep, &m);
	}
	unsigned long t0 = now();
	for (unsigned long i = 0; i < n; i++) {
		m.w[0] = i;
		long err = keel_call(ep, &m);
		if (err || m.w[0] != i + 1)
			errors++;
	}
	unsigned long t1 = now();
	for (unsigned long i = 0; i < n; i++)
		keel_null();
	unsigned long t2 = now();
	if (errors) {
		printf("ipcbench %s: FAIL: %lu of %lu replies wrong\n", label, errors, n);
		return 1;
	}
	printf("ipcbench %s: %lu round trips OK\n", label, n);
	report(label, "call+reply round trip", t1 - t0, n);
	report(label, "null syscall", t2 - t1, n);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long ep = (unsigned long)keel_arg(argc, argv, "ep.bench", 0);
	unsigned long n = (unsigned long)keel_arg(argc, argv, "iterations", 1000);
	const char *label = argc > 0 ? argv[0] : "?";
	struct shm shm = {(volatile uint32_t *)keel_arg(argc, argv, "shm.bench", 0),
	                  (unsigned long)keel_arg(argc, argv, "shm.bench.size", 0) / 4};

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "role=server"))
			return keel_serve(ep, serve_one, &shm);
	if (shm.mem && check_shared_memory(ep, &shm, label))
		return 1;
	return client(ep, n ? n : 1, label);
}
