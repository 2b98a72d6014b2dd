/* SPDX-License-Identifier: MIT */
/* Intrusive circular doubly-linked list: queues of threads, without allocation. */
#ifndef KEEL_LIST_H
#define KEEL_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list {
	struct list *prev, *next;
};

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

static inline void list_init(struct list *l)
{
	l->prev = l->next = l;
}

static inline bool list_empty(const struct list *l)
{
	return l->next == l;
}

/* A node that is on no list points to itself (after list_init or list_remove). */
static inline bool list_linked(const struct list *n)
{
	return n->next != n && n->next != NULL;
}

static inline void list_insert_between(struct list *n, struct list *prev, struct list *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

static inline void list_push_back(struct list *l, struct list *n)
{
	list_insert_between(n, l->prev, l);
}

static inline void list_push_front(struct list *l, struct list *n)
{
	list_insert_between(n, l, l->next);
}

static inline void list_remove(struct list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_init(n);
}

static inline struct list *list_pop_front(struct list *l)
{
	if (list_empty(l))
		return NULL;
	struct list *n = l->next;
	list_remove(n);
	return n;
}

#define list_for_each_safe(pos, tmp, head)                                                         \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head);                           \
	     (pos) = (tmp), (tmp) = (pos)->next)

#endif
