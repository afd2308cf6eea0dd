/*
 * evq — the pending-event set's interface (engine/evq.h): push, peek, pop and
 * remove, with their fast paths; the structure and how it adapts are described in
 * evq_internal.h.
 */
#include "engine/evq_internal.h"

struct evq *evq_new(void)
{
	struct evq *q = g_new0(struct evq, 1);
	q->late.tag = LATE_TAG;
	q->far.tag = FAR_TAG;
	q->shift = 10;
	q->nb = MIN_BUCKETS;
	q->ring = evq_ring_new(q->nb);
	q->free_chunk = NIL;
	q->pull_at = UINT64_MAX;
	q->grow_at = 64;
	evq_reset_counts(q);
	return q;
}

void evq_free(struct evq *q)
{
	if (!q)
		return;
	g_free(q->ring);
	g_free(q->slot);
	g_free(q->link);
	g_free(q->run);
	g_free(q->tmp);
	g_free(q->late.a);
	g_free(q->far.a);
	g_free(q);
}

/* A push into the ring: O(1). */
static inline void ring_push(struct evq *q, struct sim_event *ev, uint64_t vb)
{
	bucket_append(q, (uint32_t)vb & (q->nb - 1), ev);
	/* It precedes every far event: a top cached from far is stale (and no
	 * other top can be: near sorts before the ring). */
	if (G_UNLIKELY(q->top && q->top->aux == FAR_TAG))
		q->top = NULL;
}

/* The pushes that the ring does not take, and those that make the queue grow. */
static NOINLINE void push_other(struct evq *q, struct sim_event *ev)
{
	uint64_t vb = ev->time >> q->shift;
	if (vb <= q->cur) {
		evq_near_push(q, ev);
	} else if (vb - q->cur < q->nb) {
		ring_push(q, ev, vb);
	} else {
		evq_heap_push(&q->far, ev);
		q->far_in++;
		q->far_log += log2_floor(vb - q->cur);
		if (q->far.a[0].ev == ev)
			evq_set_pull_at(q);
	}
	/* A new earliest event, if not in the ring, is where pop looks for it: the
	 * run, late's top or far's top. */
	if (q->top && ev->aux >= q->nb && slot_less_ev(ev, q->top))
		q->top = ev;
	/* Growth cannot wait for the next look: filling up does not pop. */
	if (q->n > q->grow_at)
		evq_rebuild(q, 0, 0);
}

void evq_push(struct evq *q, struct sim_event *ev)
{
	uint64_t vb = ev->time >> q->shift;
	q->pushes++;
	if (G_LIKELY(++q->n <= q->grow_at && vb > q->cur && vb - q->cur < q->nb))
		ring_push(q, ev, vb);
	else
		push_other(q, ev);
}

struct sim_event *evq_peek(struct evq *q)
{
	return q->top ? q->top : evq_find_top(q);
}

void evq_remove(struct evq *q, struct sim_event *ev)
{
	uint32_t i = ev->pos;
	if (ev == q->top)
		q->top = NULL;
	if (ev->aux == RUN_TAG) {
		g_assert(i < q->run_len && q->run[i].ev == ev);
		q->run[i].ev = NULL;
		q->run_live--;
	} else if (ev->aux == LATE_TAG) {
		g_assert(i < q->late.n && q->late.a[i].ev == ev);
		evq_heap_remove(&q->late, i);
	} else if (ev->aux == FAR_TAG) {
		g_assert(i < q->far.n && q->far.a[i].ev == ev);
		evq_heap_remove(&q->far, i);
		evq_set_pull_at(q);
	} else {
		evq_bucket_remove(q, ev);
	}
	ev->pos = EVQ_NONE;
	q->n--;
}

/*
 * Only a ring bucket can keep an event whose key changes: it is unsorted (its events
 * are ordered when cur reaches it and it becomes the run), cur has not reached it,
 * and the horizon only moves away from it.  The same bucket number is the same
 * bucket.  Ring events are never the cached top (near sorts before the ring).
 */
bool evq_same_bucket(const struct evq *q, const struct sim_event *ev, simtime_t when)
{
	return ev->aux < q->nb && (when >> q->shift) == (ev->time >> q->shift);
}

/* Pop the top from late or, near and the ring empty, from far. */
static NOINLINE void pop_other(struct evq *q, struct sim_event *ev)
{
	bool far = ev->aux == FAR_TAG;
	g_assert(ev->pos == 0 && (far ? !q->nring : ev->aux == LATE_TAG));
	evq_heap_remove(far ? &q->far : &q->late, 0);
	ev->pos = EVQ_NONE;
	q->n--;
	q->last = ev->time;
	q->top = NULL;
	if (!far)
		return;
	/*
	 * cur jumps to it (see find_top), and the horizon with it.  Should far hold
	 * most of the queue (filled far ahead of the last pop: the ring was laid
	 * out from there), re-spread around the new time instead, in O(n) rather
	 * than a heap removal per event.
	 */
	if (q->far.n > 64 && 2 * q->far.n > q->n) {
		evq_rebuild(q, 0, 0);
		return;
	}
	q->cur = ev->time >> q->shift;
	evq_pull_far(q);
}

struct sim_event *evq_pop(struct evq *q)
{
	struct sim_event *ev = q->top ? q->top : evq_find_top(q);
	if (!ev)
		return NULL;
	if (G_LIKELY(ev->aux == RUN_TAG)) {
		/* The first live event of the run (any before it are holes).  The
		 * next is the new top unless late may hold an earlier one or it is a
		 * hole (NULL: not known). */
		uint32_t next = ev->pos + 1;
		q->run_head = next;
		q->run_live--;
		q->top = !q->late.n && next < q->run_len ? q->run[next].ev : NULL;
		ev->pos = EVQ_NONE;
		q->n--;
		q->last = ev->time;
	} else {
		pop_other(q, ev);
	}
	if (G_UNLIKELY(++q->pops >= q->look_at))
		evq_adapt(q);
	return ev;
}

size_t evq_count(const struct evq *q)
{
	return q->n;
}

size_t evq_bytes(const struct evq *q)
{
	return sizeof(*q) + (size_t)(q->run_cap + q->tmp_cap + q->late.cap + q->far.cap) *
	       sizeof(struct slot) +
	       q->nb * sizeof(struct bucket) +
	       (size_t)q->nchunks * (CHUNK * sizeof(*q->slot) + sizeof(*q->link));
}
