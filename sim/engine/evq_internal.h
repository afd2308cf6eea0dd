/*
 * evq_internal — what the files of the pending-event set share (evq.c: the
 * interface; evq_heap.c; evq_ring.c: near and the ring; evq_adapt.c: re-spreading).
 *
 * The pending-event set: a two-level bucket queue with an overflow heap.
 *
 * Time is cut into buckets of 2^shift ns; bucket number vb = time >> shift, and
 * "cur" is the bucket the queue is working through.  Every event lives in exactly
 * one of three places, chosen by its bucket number alone:
 *
 *   near   vb <= cur              the only ordered part: the current bucket as a
 *                                 sorted run (a push sorting among its last few
 *                                 is inserted), plus a small heap ("late") for
 *                                 events pushed into it that sort before those
 *   ring   cur < vb < cur + nb    nb unsorted buckets, bucket vb & (nb - 1):
 *                                 append and swap-remove, O(1)
 *   far    vb >= cur + nb         a 4-ary min-heap: the fallback for the far future
 *                                 (5 s timers next to 100 ns steps), so a wide
 *                                 spread of times costs a heap, never a scan
 *
 * The earliest event is therefore the smaller of the run's head and late's top;
 * it is cached (q->top), so that peek, which the engine calls before every pop and
 * on every engine_try_advance, is a load.  When near runs dry, cur moves to the
 * next non-empty bucket, which is sorted into the run; far events that the moving
 * horizon now covers are pulled into the ring.  With the ring empty too, the
 * earliest event is far's minimum, and cur jumps there only when it is popped, not
 * when it is peeked at (see find_top).  Most events are thus pushed in O(1) and
 * sorted only among the few of their own bucket, which is what makes this faster
 * than one heap over all of them (a heap pays O(log n) cache misses per event at
 * large n, and a deep sift per pop even at small n).
 *
 * Ties: buckets fill in push order, which is seq order, so a bucket whose events
 * share one time (a 1 ns bucket, a burst at one instant) is usually sorted already
 * and the insertion sort costs one pass.  Order never relies on that, though: the
 * run is fully sorted by (time, seq).
 *
 * ev->aux says where an event is (RUN, LATE, FAR or its ring bucket) and ev->pos
 * its index there, so removal never searches: O(1) in the run (it leaves a hole)
 * and the ring (the bucket's last event fills the gap), O(log n) in the heaps.
 *
 * Bucket width and ring size follow the events.  The queue counts, between looks
 * every n/2 pops (so that an O(n) re-spread costs O(1) a pop), how many events the
 * buckets it passed held, how many pushes landed in late and far and how far out,
 * and re-spreads everything when the width or the horizon is off by more than a
 * factor of 4; a population that halves or doubles is re-estimated from a sample.
 * A re-spread lays the ring out from the last pop, where the clock is at the
 * earliest, rather than from the earliest event, which may be far ahead of it.
 * A small queue wants fewer events a bucket (see bucket_load).
 */
#ifndef WBSIM_EVQ_INTERNAL_H
#define WBSIM_EVQ_INTERNAL_H

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "engine/evq.h"

#define ARITY 4
#define NOINLINE __attribute__((noinline))       /* keeps the hot paths short */
#define RUN_TAG  0xffffffffu
#define LATE_TAG 0xfffffffeu
#define FAR_TAG  0xfffffffdu

/* Wanted events per bucket: enough that refills are rare, few enough that sorting a
 * bucket stays cheap. */
#define BUCKET_LOAD 16
#define MIN_BUCKETS 16u

/*
 * ...but in a small queue a bucket of BUCKET_LOAD spans a good part of the whole
 * spread, and a good part of the pushes would land in the current one (the share
 * is about load / n): there, fewer per bucket.
 */
static inline uint32_t bucket_load(size_t n)
{
	return n >= 16 * BUCKET_LOAD ? BUCKET_LOAD : MAX((uint32_t)n / 16, 1u);
}

struct slot {
	simtime_t time;
	uint64_t seq;
	struct sim_event *ev;
};

struct heap {
	struct slot *a;
	uint32_t n, cap;
	uint32_t tag;           /* written to ev->aux of every member */
};

/*
 * A ring bucket is a chain of fixed-size chunks from one shared pool, newest chunk
 * first; only the newest is partly filled.  Per-bucket arrays would each grow to
 * their bucket's peak load (every bucket passes the dense front once per lap) and
 * hold several times the live events; chunks go back to the pool when emptied.
 * A ring event's pos is its global slot, chunk * CHUNK + offset.
 */
#define CHUNK 8
#define NIL UINT32_MAX

struct bucket {
	uint32_t head;          /* newest chunk, NIL when empty */
	uint32_t n;             /* events; the head chunk holds (n - 1) % CHUNK + 1 */
};

struct evq {
	struct sim_event *top;  /* the earliest event; NULL when not known yet */
	size_t n;
	simtime_t last;         /* time of the last pop */

	struct bucket *ring;
	uint64_t cur;           /* bucket number near covers up to */
	uint32_t nb;            /* ring size, a power of two */
	unsigned shift;         /* bucket width is 2^shift ns */
	size_t nring;           /* events in the ring */
	struct sim_event **slot;        /* the chunk pool: CHUNK slots per chunk */
	uint32_t *link;                 /* per chunk: the next older one, or next free */
	uint32_t nchunks, free_chunk;

	/* near: the current bucket sorted, consumed from run_head (a cancelled event
	 * leaves a hole, ev == NULL), and the late heap beside it */
	struct slot *run;
	uint32_t run_head, run_len, run_cap, run_live;
	struct heap late;

	struct heap far;
	uint64_t pull_at;       /* far's minimum enters the horizon when cur gets here */

	struct slot *tmp;               /* scratch for sorting a bucket */
	uint32_t tmp_cap;

	/* Adaptation: counts since the last look. */
	size_t n_base;          /* n at the last rebuild */
	size_t grow_at;         /* n that calls for a rebuild before the next look */
	uint64_t pops, look_at; /* pops since the last look, and when to look again */
	uint64_t pushes;
	uint64_t late_in, late_sum;     /* pushes into late, sum of its size then */
	uint64_t visited, taken;        /* buckets cur passed, events they held */
	uint64_t far_in, far_log;       /* pushes into far, sum of log2(vb - cur) */
};

static inline bool slot_less(const struct slot *a, const struct slot *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline bool slot_less_ev(const struct sim_event *a, const struct sim_event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline unsigned log2_floor(uint64_t x)
{
	return x ? 63 - (unsigned)__builtin_clzll(x) : 0;
}

static inline struct slot key_of(struct sim_event *ev)
{
	return (struct slot){ ev->time, ev->seq, ev };
}

static inline void *evq_grow(void *a, uint32_t *cap, uint32_t want, size_t size)
{
	uint32_t c = *cap ? *cap : 16;
	while (c < want)
		c *= 2;
	*cap = c;
	return g_realloc_n(a, c, size);
}

/* evq_heap.c */
void evq_heap_push(struct heap *h, struct sim_event *ev);
void evq_heap_remove(struct heap *h, uint32_t i);

/* evq_ring.c */
void evq_near_push(struct evq *q, struct sim_event *ev);
void evq_pool_resize(struct evq *q, uint32_t used, uint32_t cap);
void evq_pool_grow(struct evq *q);
struct bucket *evq_ring_new(uint32_t nb);
void evq_bucket_remove(struct evq *q, struct sim_event *ev);
void evq_bucket_drain(struct evq *q, struct bucket *bk, struct slot *out);
void evq_place_event(struct evq *q, struct sim_event *ev);
void evq_set_pull_at(struct evq *q);
void evq_pull_far(struct evq *q);
void evq_make_run(struct evq *q, uint32_t n);
struct sim_event *evq_find_top(struct evq *q);

/* evq_adapt.c */
void evq_reset_counts(struct evq *q);
void evq_rebuild(struct evq *q, unsigned shift, uint32_t nb);
void evq_adapt(struct evq *q);

/* The ring's hot path: a chunk for a bucket, and an event appended to one. */
static inline uint32_t chunk_alloc(struct evq *q)
{
	if (G_UNLIKELY(q->free_chunk == NIL))
		evq_pool_grow(q);
	uint32_t c = q->free_chunk;
	q->free_chunk = q->link[c];
	return c;
}

static inline void chunk_free(struct evq *q, uint32_t c)
{
	q->link[c] = q->free_chunk;
	q->free_chunk = c;
}

static inline void bucket_append(struct evq *q, uint32_t b, struct sim_event *ev)
{
	struct bucket *bk = &q->ring[b];
	uint32_t off = bk->n % CHUNK;
	if (!off) {
		uint32_t c = chunk_alloc(q);
		q->link[c] = bk->head;
		bk->head = c;
	}
	uint32_t i = bk->head * CHUNK + off;
	q->slot[i] = ev;
	ev->aux = b;
	ev->pos = i;
	bk->n++;
	q->nring++;
}

#endif
