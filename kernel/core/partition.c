/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/endpoint.h>
#include <keel/errno.h>
#include <keel/partition.h>
#include <keel/thread.h>
#include <keel/thread_state.h>
#include <keel/untyped.h>
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
		thread_end(t, KEEL_TS_EXITED);
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

static struct thread *thread_of(struct list *node)
{
	return container_of(node, struct thread, partition_node);
}

bool partition_stop_inside(const struct untyped *u)
{
	bool off_cpu = true;
	struct list *pos, *tmp;

	for (struct partition *p = partitions; p; p = p->next) {
		bool p_inside = untyped_contains(u, p);
		list_for_each_safe(pos, tmp, &p->threads)
		{
			struct thread *t = thread_of(pos);
			if ((p_inside || untyped_contains(u, t)) && !thread_stop_off_cpu(t))
				off_cpu = false;
		}
	}
	return off_cpu;
}

/* p's memory is about to be reused. Its threads that live on elsewhere
 * can be configured into another partition. */
static void destroy_inside(struct partition *p, const struct untyped *u)
{
	struct list *pos, *tmp;

	partition_destroy(p);
	list_for_each_safe(pos, tmp, &p->threads)
	{
		struct thread *t = thread_of(pos);
		list_remove(pos);
		if (untyped_contains(u, t))
			continue;
		/* While its VM is still there to take back its interrupts. */
		if (t->is_vcpu)
			arch_vcpu_reset(t);
		t->partition = NULL;
		thread_set_state(t, KEEL_TS_INACTIVE);
	}
}

static void forget_endpoints(struct partition *p, const struct untyped *u)
{
	if (untyped_contains(u, p->fault_ep))
		p->fault_ep = NULL; /* its faults now stop its threads */
	else if (p->fault_ep)
		ep_forget_inside(p->fault_ep, u);
	for (unsigned i = 0; i < VM_MMIO_ROUTES; i++) {
		struct mmio_route *r = &p->routes[i];
		if (untyped_contains(u, r->ep))
			*r = (struct mmio_route){0}; /* its exits go to the exit endpoint again */
		else if (r->ep)
			ep_forget_inside(r->ep, u);
	}
}

static void forget_threads(struct partition *p, const struct untyped *u)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, &p->threads)
	{
		struct thread *t = thread_of(pos);
		if (!untyped_contains(u, t)) {
			thread_forget_inside(t, u);
			continue;
		}
		if (t->is_vcpu)
			arch_vcpu_reset(t); /* its list registers go back to p's distributor */
		list_remove(pos);
	}
}

static void forget_inside(struct partition *p, const struct untyped *u)
{
	forget_endpoints(p, u);
	forget_threads(p, u);
	/* Frames carved from u, mapped here, would give p the memory of
	 * whatever is carved there next. */
	if (p->alive && pt_unmap_phys(&p->s2, u->base, u->size))
		arch_space_flush(p->vmid);
}

void partition_forget_inside(const struct untyped *u)
{
	struct partition **pp = &partitions;

	while (*pp) {
		struct partition *p = *pp;
		if (untyped_contains(u, p)) {
			destroy_inside(p, u);
			*pp = p->next;
		} else {
			forget_inside(p, u);
			pp = &p->next;
		}
	}
}
