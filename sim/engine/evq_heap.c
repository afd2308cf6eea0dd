/*
 * evq_heap — the 4-ary min-heaps of keys behind late and far (evq_internal.h): every
 * move keeps ev->pos current, so an event is removed from anywhere in O(log n).
 */
#include "engine/evq_internal.h"

static inline void place(struct heap *h, uint32_t i, struct slot s)
{
	h->a[i] = s;
	s.ev->pos = i;
}

static void sift_up(struct heap *h, uint32_t i, struct slot s)
{
	while (i > 0) {
		uint32_t parent = (i - 1) / ARITY;
		if (!slot_less(&s, &h->a[parent]))
			break;
		place(h, i, h->a[parent]);
		i = parent;
	}
	place(h, i, s);
}

static void sift_down(struct heap *h, uint32_t i, struct slot s)
{
	for (;;) {
		uint32_t first = i * ARITY + 1;
		if (first >= h->n)
			break;
		uint32_t last = first + ARITY < h->n ? first + ARITY : h->n;
		uint32_t best = first;
		for (uint32_t c = first + 1; c < last; c++)
			if (slot_less(&h->a[c], &h->a[best]))
				best = c;
		if (!slot_less(&h->a[best], &s))
			break;
		place(h, i, h->a[best]);
		i = best;
	}
	place(h, i, s);
}

void evq_heap_push(struct heap *h, struct sim_event *ev)
{
	if (h->n == h->cap)
		h->a = evq_grow(h->a, &h->cap, h->n + 1, sizeof(struct slot));
	ev->aux = h->tag;
	sift_up(h, h->n++, key_of(ev));
}

void evq_heap_remove(struct heap *h, uint32_t i)
{
	struct slot last = h->a[--h->n];
	if (i == h->n)
		return;
	if (i > 0 && slot_less(&last, &h->a[(i - 1) / ARITY]))
		sift_up(h, i, last);
	else
		sift_down(h, i, last);
}

