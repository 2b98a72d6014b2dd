/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/partition.h>
#include <keel/thread.h>
#include <string.h>

#define VMID_COUNT 256

static uint8_t vmid_used[VMID_COUNT / 8];
static struct partition *partitions;

static int vmid_alloc(void)
{
	/* VMID 0 stays unused: the EL2 kernel's own, and no partition's. */
	for (unsigned v = 1; v < VMID_COUNT; v++) {
		if (!(vmid_used[v / 8] & (1u << (v % 8)))) {
			vmid_used[v / 8] |= (uint8_t)(1u << (v % 8));
			return (int)v;
		}
	}
	return -KEEL_ENOMEM;
}

static void vmid_free(unsigned v)
{
	vmid_used[v / 8] &= (uint8_t) ~(1u << (v % 8));
}

int partition_init(struct partition *p, uint32_t id)
{
	int vmid = vmid_alloc();
	if (vmid < 0)
		return vmid;
	p->pool = (struct pt_pool){p->table_pages, PARTITION_TABLE_PAGES, 0};
	struct pt_allocator alloc = {pt_pool_alloc, &p->pool};
	int err = pt_init(&p->s2, PT_FMT_S2, PARTITION_IPA_BITS, alloc);
	if (err) {
		vmid_free((unsigned)vmid);
		return err;
	}
	cspace_init(&p->cspace);
	p->id = id;
	p->vmid = (uint16_t)vmid;
	p->alive = true;
	list_init(&p->threads);
	p->next = partitions;
	partitions = p;
	return 0;
}

void partition_set_name(struct partition *p, const char *name)
{
	size_t n = strnlen(name, PARTITION_NAME_MAX - 1);
	memcpy(p->name, name, n);
	p->name[n] = '\0';
}

void partition_destroy(struct partition *p)
{
	struct list *pos, *tmp;

	if (!p->alive)
		return;
	list_for_each_safe(pos, tmp, &p->threads)
	{
		struct thread *t = container_of(pos, struct thread, partition_node);
		thread_stop(t);
		t->state = KEEL_TS_EXITED;
	}
	for (unsigned i = 1; i < KEEL_CSPACE_SLOTS; i++)
		cap_delete(&p->cspace.slots[i]);
	cspace_unregister(&p->cspace);
	/* The root table's entries go; table pages stay with the object's memory. */
	memset(p->s2.root, 0, PT_PAGE_SIZE);
	arch_space_flush(p->vmid);
	vmid_free(p->vmid);
	p->alive = false;
}

struct partition *partition_first(void)
{
	return partitions;
}

struct partition *partition_by_id(uint32_t id)
{
	for (struct partition *p = partitions; p; p = p->next)
		if (p->id == id)
			return p;
	return NULL;
}
