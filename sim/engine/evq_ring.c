/*
 * evq_ring — near (the current bucket as a sorted run, and the late heap beside it)
 * and the ring of unsorted buckets with their shared chunk pool; moving cur to the
 * next non-empty bucket, and pulling far events in as the horizon moves.
 */
#include "engine/evq_internal.h"

/* ---- near: the sorted run and the late heap ----------------------------------- */

/*
 * Close the holes of the run.  An event rescheduled again and again within the
 * current bucket (a timer pushed back from a tight loop that never pops) leaves a
 * hole each time; this keeps the run at most twice its live events, at O(1) per
 * hole.
 */
static void run_compact(struct evq *q)
{
	uint32_t k = 0;
	for (uint32_t i = q->run_head; i < q->run_len; i++) {
		if (!q->run[i].ev)
			continue;
		q->run[k] = q->run[i];
		q->run[k].ev->pos = k;
		k++;
	}
	q->run_head = 0;
	q->run_len = k;
}

/* Room for one more slot at the end of the run. */
static void run_room(struct evq *q)
{
	if (q->run_len == q->run_cap && 2 * q->run_live < q->run_cap)
		run_compact(q);
	if (q->run_len == q->run_cap)
		q->run = evq_grow(q->run, &q->run_cap, q->run_len + 1, sizeof(struct slot));
}

/*
 * An event pushed into the current bucket goes into the run where it sorts: at the
 * end, or among the last RUN_INSERT slots (a few moves: the event just popped
 * scheduling a successor a little later, common where the buckets are wide for
 * their time steps), else into late.
 */
#define RUN_INSERT 8

void evq_near_push(struct evq *q, struct sim_event *ev)
{
	struct slot s = key_of(ev);
	if (!q->run_live)
		q->run_head = q->run_len = 0;
	run_room(q);
	uint32_t j = q->run_len;
	if (j > q->run_head && slot_less(&s, &q->run[j - 1])) {
		uint32_t lo = j - MIN(j - q->run_head, RUN_INSERT);
		if (lo > q->run_head && slot_less(&s, &q->run[lo - 1])) {
			evq_heap_push(&q->late, ev);
			q->late_in++;
			q->late_sum += q->late.n;
			return;
		}
		while (--j > lo && slot_less(&s, &q->run[j - 1]))
			;
		for (uint32_t k = q->run_len; k > j; k--) {
			q->run[k] = q->run[k - 1];
			if (q->run[k].ev)
				q->run[k].ev->pos = k;
		}
	}
	q->run[j] = s;
	ev->aux = RUN_TAG;
	ev->pos = j;
	q->run_len++;
	q->run_live++;
}

static int slot_cmp(const void *a, const void *b)
{
	return slot_less(a, b) ? -1 : slot_less(b, a);
}

/*
 * Insertion sort: one pass over a sorted bucket, cheap for the small random ones.
 * Should it meet far more disorder than sort_run leaves, qsort takes over.
 */
static void insertion_sort(struct slot *a, uint32_t n)
{
	uint64_t budget = 8 * (uint64_t)n + 64;
	for (uint32_t i = 1; i < n; i++) {
		struct slot s = a[i];
		uint32_t j = i;
		while (j > 0 && slot_less(&s, &a[j - 1])) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = s;
		if (i - j > budget) {
			qsort(a, n, sizeof(*a), slot_cmp);
			return;
		}
		budget -= i - j;
	}
}

/* ---- placing events --------------------------------------------------------------- */

/* Swap-remove: the bucket's last event fills the hole. */
void evq_bucket_remove(struct evq *q, struct sim_event *ev)
{
	g_assert(ev->aux < q->nb);
	struct bucket *bk = &q->ring[ev->aux];
	uint32_t i = ev->pos;
	uint32_t last = bk->head * CHUNK + (bk->n - 1) % CHUNK;
	g_assert(bk->n && i < q->nchunks * CHUNK && q->slot[i] == ev);
	if (i != last) {
		q->slot[i] = q->slot[last];
		q->slot[i]->pos = i;
	}
	if (--bk->n % CHUNK == 0) {
		uint32_t c = bk->head;
		bk->head = q->link[c];
		chunk_free(q, c);
	}
	q->nring--;
}

/* Write the keys of the bucket's events to @out in push order and empty it. */
void evq_bucket_drain(struct evq *q, struct bucket *bk, struct slot *out)
{
	uint32_t end = bk->n, c = bk->head;
	uint32_t fill = (end - 1) % CHUNK + 1;
	while (c != NIL) {
		end -= fill;
		for (uint32_t k = 0; k < fill; k++)
			out[end + k] = key_of(q->slot[c * CHUNK + k]);
		fill = CHUNK;
		uint32_t older = q->link[c];
		chunk_free(q, c);
		c = older;
	}
	q->nring -= bk->n;
	bk->head = NIL;
	bk->n = 0;
}

struct bucket *evq_ring_new(uint32_t nb)
{
	struct bucket *r = g_new(struct bucket, nb);
	for (uint32_t b = 0; b < nb; b++)
		r[b] = (struct bucket){ NIL, 0 };
	return r;
}

/* Put @ev where its bucket number says (the caller sees to pull_at). */
void evq_place_event(struct evq *q, struct sim_event *ev)
{
	uint64_t vb = ev->time >> q->shift;
	if (vb <= q->cur)
		evq_near_push(q, ev);
	else if (vb - q->cur < q->nb)
		bucket_append(q, (uint32_t)vb & (q->nb - 1), ev);
	else
		evq_heap_push(&q->far, ev);
}

/* Far's minimum, of bucket vb >= cur + nb, enters the horizon once cur > vb - nb. */
void evq_set_pull_at(struct evq *q)
{
	uint64_t vb = q->far.n ? q->far.a[0].time >> q->shift : 0;
	q->pull_at = !q->far.n ? UINT64_MAX : vb >= q->nb ? vb - q->nb + 1 : 0;
}

/* The horizon has moved: pull far events it now covers into the ring (or near). */
void evq_pull_far(struct evq *q)
{
	while (q->far.n && (q->far.a[0].time >> q->shift) - q->cur < q->nb) {
		struct sim_event *ev = q->far.a[0].ev;
		evq_heap_remove(&q->far, 0);
		evq_place_event(q, ev);
	}
	evq_set_pull_at(q);
}

/*
 * Sort the first @n slots of the run, all in the bucket cur.  A bucket of more than
 * a few dozen (the width cannot always follow the density: a 1 ns bucket holds
 * every tie, and a long horizon may need wide buckets) is first split into slices
 * of about 8 by the next bits of time below the bucket width, with one stable
 * counting pass, as a ladder queue would spawn a finer rung.  The insertion sort
 * then only orders within slices, and ties keep their push order, which is their
 * seq order more often than not.
 */
static void sort_run(struct evq *q, uint32_t n)
{
	if (n > 32 && q->shift) {
		enum { MAX_BITS = 10 };
		unsigned bits = MIN(MIN(log2_floor(n / 8), q->shift), MAX_BITS);
		unsigned sh = q->shift - bits;
		simtime_t base = q->cur << q->shift;
		uint32_t start[(1u << MAX_BITS) + 1];

		memset(start, 0, ((1u << bits) + 1) * sizeof(start[0]));
		if (q->tmp_cap < n)
			q->tmp = evq_grow(q->tmp, &q->tmp_cap, n, sizeof(struct slot));
		for (uint32_t i = 0; i < n; i++)
			start[((q->run[i].time - base) >> sh) + 1]++;
		for (uint32_t k = 1; k <= 1u << bits; k++)
			start[k] += start[k - 1];
		for (uint32_t i = 0; i < n; i++)
			q->tmp[start[(q->run[i].time - base) >> sh]++] = q->run[i];
		struct slot *t = q->run;
		uint32_t c = q->run_cap;
		q->run = q->tmp;
		q->run_cap = q->tmp_cap;
		q->tmp = t;
		q->tmp_cap = c;
	}
	insertion_sort(q->run, n);
}

/* The first @n slots of the run hold the events of bucket cur: make them the run. */
void evq_make_run(struct evq *q, uint32_t n)
{
	struct slot *a;
	sort_run(q, n);
	a = q->run;
	for (uint32_t i = 0; i < n; i++) {
		a[i].ev->aux = RUN_TAG;
		a[i].ev->pos = i;
	}
	q->run_head = 0;
	q->run_len = q->run_live = n;
}

/* Make @bk, the bucket cur and not empty, the run (near is empty). */
static void take_bucket(struct evq *q, struct bucket *bk)
{
	uint32_t n = bk->n;
	q->taken += n;
	if (q->run_cap < CHUNK)
		q->run = evq_grow(q->run, &q->run_cap, CHUNK, sizeof(struct slot));
	if (n > CHUNK) {
		if (q->run_cap < n)
			q->run = evq_grow(q->run, &q->run_cap, n, sizeof(struct slot));
		evq_bucket_drain(q, bk, q->run);
		evq_make_run(q, n);
		return;
	}
	/* One chunk, the common case in a queue tuned to a few events a bucket:
	 * insertion-sorted straight out of it. */
	uint32_t c = bk->head;
	struct sim_event **src = &q->slot[(size_t)c * CHUNK];
	struct slot *a = q->run;
	for (uint32_t i = 0; i < n; i++) {
		struct slot s = key_of(src[i]), *p = a + i;
		for (; p > a && slot_less(&s, p - 1); p--)
			*p = p[-1];
		*p = s;
	}
	for (uint32_t i = 0; i < n; i++) {
		a[i].ev->aux = RUN_TAG;
		a[i].ev->pos = i;
	}
	chunk_free(q, c);
	bk->head = NIL;
	bk->n = 0;
	q->nring -= n;
	q->run_head = 0;
	q->run_len = q->run_live = n;
}

/* Resize the pool to @cap chunks; the chunks from @used on (all free) are chained
 * to be handed out in address order. */
void evq_pool_resize(struct evq *q, uint32_t used, uint32_t cap)
{
	q->slot = g_renew(struct sim_event *, q->slot, (size_t)cap * CHUNK);
	q->link = g_renew(uint32_t, q->link, cap);
	for (uint32_t c = cap; c-- > used;) {
		q->link[c] = q->free_chunk;
		q->free_chunk = c;
	}
	q->nchunks = cap;
}

/* Grow by a quarter, not double: the pool is most of the queue's memory, and its
 * high-water mark is steady once the shape is. */
NOINLINE void evq_pool_grow(struct evq *q)
{
	evq_pool_resize(q, q->nchunks, q->nchunks + q->nchunks / 4 + 16);
}

/*
 * Near is empty, the ring is not: move cur to the next non-empty bucket and make it
 * the run.  (With the ring empty too, cur stays put: see find_top.)
 */
static void advance(struct evq *q)
{
	struct bucket *bk;
	g_assert(q->nring);
	do {
		q->cur++;
		q->visited++;
		if (G_UNLIKELY(q->cur >= q->pull_at))
			evq_pull_far(q);
		bk = &q->ring[q->cur & (q->nb - 1)];
	} while (!bk->n);
	take_bucket(q, bk);
}

/* The earliest event of near, or NULL when near is empty. */
static inline struct sim_event *near_top(struct evq *q)
{
	while (q->run_head < q->run_len && !q->run[q->run_head].ev)
		q->run_head++;
	struct slot *r = q->run_head < q->run_len ? &q->run[q->run_head] : NULL;
	if (q->late.n && (!r || slot_less(&q->late.a[0], r)))
		return q->late.a[0].ev;
	return r ? r->ev : NULL;
}

/*
 * The earliest event, found afresh and cached in q->top; NULL when empty.
 *
 * With near and the ring both empty it is far's minimum, and cur does not jump
 * there before it is popped.  Jumping at a mere peek would put cur ahead of the
 * clock by the whole gap, and everything pushed into that gap meanwhile (all the
 * traffic of a model whose only other event is a 5 s timer, the clock moving on
 * through engine_try_advance) would land in near behind the far event, in late,
 * to stay a heap until near next ran dry.
 */
NOINLINE struct sim_event *evq_find_top(struct evq *q)
{
	if (!q->run_live && !q->late.n) {
		if (!q->nring)
			return q->top = q->far.n ? q->far.a[0].ev : NULL;
		advance(q);
		return q->top = q->run[0].ev;   /* a fresh run, and late is empty */
	}
	return q->top = near_top(q);
}

