/*
 * A 4-ary min-heap of (time, seq, event) triples.  Keys live in the heap array so
 * that sifting compares without touching the events; only the moved event's pos is
 * written back.
 */
#include "evq.h"

#include <glib.h>
#include <stdlib.h>

struct slot {
	simtime_t time;
	uint64_t seq;
	struct sim_event *ev;
};

struct evq {
	struct slot *heap;
	size_t n, cap;
};

#define ARITY 4

static inline bool slot_less(const struct slot *a, const struct slot *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline void place(struct evq *q, size_t i, struct slot s)
{
	q->heap[i] = s;
	s.ev->pos = (uint32_t)i;
}

static void sift_up(struct evq *q, size_t i, struct slot s)
{
	while (i > 0) {
		size_t parent = (i - 1) / ARITY;
		if (!slot_less(&s, &q->heap[parent]))
			break;
		place(q, i, q->heap[parent]);
		i = parent;
	}
	place(q, i, s);
}

static void sift_down(struct evq *q, size_t i, struct slot s)
{
	for (;;) {
		size_t first = i * ARITY + 1;
		if (first >= q->n)
			break;
		size_t last = first + ARITY < q->n ? first + ARITY : q->n;
		size_t best = first;
		for (size_t c = first + 1; c < last; c++)
			if (slot_less(&q->heap[c], &q->heap[best]))
				best = c;
		if (!slot_less(&q->heap[best], &s))
			break;
		place(q, i, q->heap[best]);
		i = best;
	}
	place(q, i, s);
}

struct evq *evq_new(void)
{
	struct evq *q = g_new0(struct evq, 1);
	q->cap = 64;
	q->heap = g_new(struct slot, q->cap);
	return q;
}

void evq_free(struct evq *q)
{
	if (!q)
		return;
	g_free(q->heap);
	g_free(q);
}

void evq_push(struct evq *q, struct sim_event *ev)
{
	if (q->n == q->cap) {
		q->cap *= 2;
		q->heap = g_renew(struct slot, q->heap, q->cap);
	}
	struct slot s = { ev->time, ev->seq, ev };
	sift_up(q, q->n++, s);
}

struct sim_event *evq_peek(struct evq *q)
{
	return q->n ? q->heap[0].ev : NULL;
}

void evq_remove(struct evq *q, struct sim_event *ev)
{
	size_t i = ev->pos;
	g_assert(i < q->n && q->heap[i].ev == ev);
	ev->pos = EVQ_NONE;
	struct slot last = q->heap[--q->n];
	if (i == q->n)
		return;
	if (i > 0 && slot_less(&last, &q->heap[(i - 1) / ARITY]))
		sift_up(q, i, last);
	else
		sift_down(q, i, last);
}

struct sim_event *evq_pop(struct evq *q)
{
	if (!q->n)
		return NULL;
	struct sim_event *ev = q->heap[0].ev;
	evq_remove(q, ev);
	return ev;
}

size_t evq_count(const struct evq *q)
{
	return q->n;
}

size_t evq_bytes(const struct evq *q)
{
	return sizeof(*q) + q->cap * sizeof(struct slot);
}
