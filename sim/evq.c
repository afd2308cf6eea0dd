/*
 * The pending-event set: a two-level bucket queue with an overflow heap.
 *
 * Time is cut into buckets of 2^shift ns; bucket number vb = time >> shift, and
 * "cur" is the bucket the queue is working through.  Every event lives in exactly
 * one of three places, chosen by its bucket number alone:
 *
 *   near   vb <= cur              the only ordered part: the current bucket as a
 *                                 sorted run, plus a small heap ("late") for events
 *                                 pushed into it that sort before the run's tail
 *   ring   cur < vb < cur + nb    nb unsorted buckets, bucket vb & (nb - 1):
 *                                 append and swap-remove, O(1)
 *   far    vb >= cur + nb         a 4-ary min-heap: the fallback for the far future
 *                                 (5 s timers next to 100 ns steps), so a wide
 *                                 spread of times costs a heap, never a scan
 *
 * The earliest event is therefore the smaller of the run's head and late's top.
 * When near runs dry, cur moves to the next non-empty bucket, which is sorted into
 * the run; far events that the moving horizon now covers are pulled into the ring.
 * So most events are pushed in O(1) and only ever sorted among the few of their own
 * bucket, which is what makes this faster than one heap over all of them.
 *
 * Buckets are filled in push order, which is seq order, so a bucket whose events
 * share one time (a 1 ns bucket, or a burst of ties) is usually sorted already; the
 * insertion sort below then costs one pass.
 *
 * ev->aux says where an event is (RUN, LATE, FAR or its ring bucket) and ev->pos
 * its index there, so removal never searches: O(1) in the run (a hole) and the ring
 * (swap with the bucket's last), O(log n) in the heaps.
 *
 * Bucket width and ring size follow the events: the queue counts how many events
 * each bucket brings into near, how many buckets it passes and how many pushes land
 * in far, and after about n/2 pops (so the O(n) rebuild is amortised) re-spreads
 * everything when the width or the horizon is off by more than a factor of 4.
 */
#include "evq.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define ARITY 4
#define RUN_TAG  0xffffffffu
#define LATE_TAG 0xfffffffeu
#define FAR_TAG  0xfffffffdu

/* Wanted events per bucket: enough that refills are rare, few enough that sorting a
 * bucket stays cheap. */
#define BUCKET_LOAD 16
#define MIN_BUCKETS 16u

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
	/* near: the current bucket sorted, consumed from run_head (a cancelled event
	 * leaves a hole, ev == NULL), and the late heap beside it */
	struct slot *run;
	uint32_t run_head, run_len, run_cap, run_live;
	struct heap late;

	struct bucket *ring;
	uint64_t cur;           /* bucket number near covers up to */
	uint32_t nb;            /* ring size, a power of two */
	unsigned shift;         /* bucket width is 2^shift ns */
	size_t nring;           /* events in the ring */
	struct sim_event **slot;        /* the chunk pool: CHUNK slots per chunk */
	uint32_t *link;                 /* per chunk: the next older one, or next free */
	uint32_t nchunks, free_chunk;

	struct heap far;
	size_t n;

	/* Adaptation: counts since the last look. */
	size_t n_base;          /* n at the last rebuild */
	uint64_t pops, pushes, far_in, near_in, visited;
};

static inline bool slot_less(const struct slot *a, const struct slot *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline struct slot key_of(struct sim_event *ev)
{
	return (struct slot){ ev->time, ev->seq, ev };
}

/* ---- a 4-ary heap of keys ------------------------------------------------------ */

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

static void *grow(void *a, uint32_t *cap, uint32_t want, size_t size)
{
	uint32_t c = *cap ? *cap : 16;
	while (c < want)
		c *= 2;
	*cap = c;
	return g_realloc_n(a, c, size);
}

static void heap_push(struct heap *h, struct sim_event *ev)
{
	if (h->n == h->cap)
		h->a = grow(h->a, &h->cap, h->n + 1, sizeof(struct slot));
	ev->aux = h->tag;
	sift_up(h, h->n++, key_of(ev));
}

static void heap_remove(struct heap *h, uint32_t i)
{
	struct slot last = h->a[--h->n];
	if (i == h->n)
		return;
	if (i > 0 && slot_less(&last, &h->a[(i - 1) / ARITY]))
		sift_up(h, i, last);
	else
		sift_down(h, i, last);
}

/* ---- near: the sorted run and the late heap ----------------------------------- */

static void run_append(struct evq *q, struct sim_event *ev)
{
	if (q->run_len == q->run_cap)
		q->run = grow(q->run, &q->run_cap, q->run_len + 1, sizeof(struct slot));
	ev->aux = RUN_TAG;
	ev->pos = q->run_len;
	q->run[q->run_len++] = key_of(ev);
	q->run_live++;
}

static void near_push(struct evq *q, struct sim_event *ev)
{
	struct slot s = key_of(ev);
	if (!q->run_live)
		q->run_head = q->run_len = 0;
	if (!q->run_len || slot_less(&q->run[q->run_len - 1], &s))
		run_append(q, ev);
	else
		heap_push(&q->late, ev);
	q->near_in++;
}

static int slot_cmp(const void *a, const void *b)
{
	return slot_less(a, b) ? -1 : slot_less(b, a);
}

/*
 * Insertion sort: one pass over a sorted bucket, cheap for the small random ones.
 * A bucket that turns out large and shuffled is handed to qsort instead.
 */
static void sort_slots(struct slot *a, uint32_t n)
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

static uint32_t chunk_alloc(struct evq *q)
{
	if (q->free_chunk == NIL) {
		/* Grow by a quarter, not double: the pool is most of the queue's
		 * memory and its high-water mark is steady once the shape is. */
		uint32_t old = q->nchunks, cap = old + old / 4 + 16;
		q->slot = g_renew(struct sim_event *, q->slot, (size_t)cap * CHUNK);
		q->link = g_renew(uint32_t, q->link, cap);
		for (uint32_t c = cap; c-- > old;) {
			q->link[c] = q->free_chunk;
			q->free_chunk = c;
		}
		q->nchunks = cap;
	}
	uint32_t c = q->free_chunk;
	q->free_chunk = q->link[c];
	return c;
}

static void chunk_free(struct evq *q, uint32_t c)
{
	q->link[c] = q->free_chunk;
	q->free_chunk = c;
}

static void bucket_append(struct evq *q, uint32_t b, struct sim_event *ev)
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

/* Swap-remove: the bucket's last event fills the hole. */
static void bucket_remove(struct evq *q, struct sim_event *ev)
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
static void bucket_drain(struct evq *q, struct bucket *bk, struct slot *out)
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

static struct bucket *ring_new(uint32_t nb)
{
	struct bucket *r = g_new(struct bucket, nb);
	for (uint32_t b = 0; b < nb; b++)
		r[b] = (struct bucket){ NIL, 0 };
	return r;
}

/* Put @ev where its bucket number says. */
static void place_event(struct evq *q, struct sim_event *ev)
{
	uint64_t vb = ev->time >> q->shift;
	if (vb <= q->cur)
		near_push(q, ev);
	else if (vb - q->cur < q->nb)
		bucket_append(q, (uint32_t)vb & (q->nb - 1), ev);
	else
		heap_push(&q->far, ev);
}

/* The horizon has moved: pull far events it now covers into the ring (or near). */
static void pull_far(struct evq *q)
{
	while (q->far.n && (q->far.a[0].time >> q->shift) - q->cur < q->nb) {
		struct sim_event *ev = q->far.a[0].ev;
		heap_remove(&q->far, 0);
		place_event(q, ev);
	}
}

/* The first @n slots of the run hold near's events: sort them and make them the run. */
static void make_run(struct evq *q, uint32_t n)
{
	struct slot *a = q->run;
	sort_slots(a, n);
	for (uint32_t i = 0; i < n; i++) {
		a[i].ev->aux = RUN_TAG;
		a[i].ev->pos = i;
	}
	q->run_head = 0;
	q->run_len = q->run_live = n;
	q->near_in += n;
}

/* Make the bucket cur the run (near is empty). */
static void take_bucket(struct evq *q)
{
	struct bucket *bk = &q->ring[q->cur & (q->nb - 1)];
	uint32_t n = bk->n;
	q->visited++;
	if (!n)
		return;
	if (q->run_cap < n)
		q->run = grow(q->run, &q->run_cap, n, sizeof(struct slot));
	bucket_drain(q, bk, q->run);
	make_run(q, n);
}

/* ---- re-spreading ------------------------------------------------------------------ */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static unsigned log2_floor(uint64_t x)
{
	return x ? 63 - (unsigned)__builtin_clzll(x) : 0;
}

/* Bucket headers cost 16 bytes each: keep them a fraction of the events. */
static uint32_t nb_limit(size_t n)
{
	uint32_t lim = MIN_BUCKETS;
	while (lim < n / 2 && lim < (1u << 30))
		lim *= 2;
	return lim;
}

/*
 * Width and horizon from a sample of the events: the front density (from the
 * spread of the earliest eighth of the sample) sets the width so that the first
 * buckets hold about BUCKET_LOAD events; the horizon reaches the sample's 15/16
 * quantile, the rest goes to far.
 */
static void estimate(struct sim_event **all, size_t n, simtime_t tmin,
		     unsigned *shift, uint32_t *nb)
{
	enum { S = 256 };
	uint64_t s[S];
	size_t m = n < S ? n : S;
	for (size_t i = 0; i < m; i++)
		s[i] = all[i * n / m]->time - tmin;
	qsort(s, m, sizeof(s[0]), cmp_u64);

	size_t j = m / 8;
	double width = (double)BUCKET_LOAD * (double)(s[j] + 1) * (double)m /
		       ((double)(j + 1) * (double)n);
	*shift = width < 2 ? 0 : MIN(log2_floor((uint64_t)width), 63);
	uint64_t span = s[m - 1 - m / 16] >> *shift;
	uint32_t want = MIN_BUCKETS, lim = nb_limit(n);
	while (want <= span && want < lim)
		want *= 2;
	*nb = want;
}

/* Re-spread every event over a ring of @nb buckets of 2^@shift ns; nb == 0 asks
 * for both to be estimated from the events. */
static void rebuild(struct evq *q, unsigned shift, uint32_t nb)
{
	size_t n = q->n, k = 0;
	struct sim_event **all = g_new(struct sim_event *, n ? n : 1);
	simtime_t tmin = SIMTIME_MAX;

	for (uint32_t i = q->run_head; i < q->run_len; i++)
		if (q->run[i].ev)
			all[k++] = q->run[i].ev;
	for (uint32_t i = 0; i < q->late.n; i++)
		all[k++] = q->late.a[i].ev;
	for (uint32_t i = 0; i < q->far.n; i++)
		all[k++] = q->far.a[i].ev;
	/* The run's memory is free now: drain each bucket through it. */
	for (uint32_t b = 0; b < q->nb; b++) {
		struct bucket *bk = &q->ring[b];
		uint32_t m = bk->n;
		if (!m)
			continue;
		if (q->run_cap < m)
			q->run = grow(q->run, &q->run_cap, m, sizeof(struct slot));
		bucket_drain(q, bk, q->run);
		for (uint32_t i = 0; i < m; i++)
			all[k++] = q->run[i].ev;
	}
	g_assert(k == n);
	for (size_t i = 0; i < n; i++)
		tmin = MIN(tmin, all[i]->time);
	if (!nb && n)
		estimate(all, n, tmin, &shift, &nb);
	nb = MAX(nb, MIN_BUCKETS);

	if (nb != q->nb) {
		g_free(q->ring);
		q->ring = ring_new(nb);
		q->nb = nb;
	}
	q->run_head = q->run_len = q->run_live = 0;
	q->late.n = q->far.n = 0;
	q->nring = 0;
	q->shift = shift;
	q->cur = tmin >> shift;
	/* Near's share goes straight into the run, sorted once. */
	uint32_t nrun = 0;
	for (size_t i = 0; i < n; i++) {
		if (all[i]->time >> shift > q->cur) {
			place_event(q, all[i]);
			continue;
		}
		if (nrun == q->run_cap)
			q->run = grow(q->run, &q->run_cap, nrun + 1, sizeof(struct slot));
		q->run[nrun++] = key_of(all[i]);
	}
	make_run(q, nrun);
	g_free(all);

	q->n_base = n;
	q->pops = q->pushes = q->far_in = q->near_in = q->visited = 0;
}

/*
 * Called with near empty, before moving on.  Looks at the counts since the last
 * look and rebuilds when the shape is off: the population changed a lot, buckets
 * bring too many events (too wide) or too few (too narrow: many buckets visited
 * per event), or too many pushes spill into far (horizon too short).
 */
static void adapt(struct evq *q)
{
	if (q->pops < q->n_base / 2 + 64)
		return;
	unsigned shift = q->shift;
	uint32_t nb = q->nb, lim = nb_limit(q->n);
	uint64_t load = q->near_in / (q->visited + 1);

	if (q->n > 2 * q->n_base + 64 || 2 * q->n < q->n_base) {
		nb = 0;         /* start afresh from a sample */
	} else {
		if (load > 4 * BUCKET_LOAD && shift > 0) {
			unsigned d = MIN(log2_floor(load / BUCKET_LOAD), shift);
			shift -= d;
			nb = (uint32_t)MIN((uint64_t)nb << d, lim);
		} else if (load * 4 < BUCKET_LOAD && shift < 63) {
			unsigned d = MIN(log2_floor(BUCKET_LOAD / (load + 1)), 63 - shift);
			shift += d;
			nb = MAX(nb >> d, MIN_BUCKETS);
		}
		if (q->far_in * 8 > q->pushes && nb < lim)
			nb *= 2;
	}
	if (nb != q->nb || shift != q->shift)
		rebuild(q, shift, nb);
	else
		q->pops = q->pushes = q->far_in = q->near_in = q->visited = 0;
}

/* Near is empty: move cur to the next non-empty bucket. */
static void refill(struct evq *q)
{
	adapt(q);
	while (!q->run_live && !q->late.n) {
		if (!q->nring) {
			/* Nothing within the horizon: jump straight to far's minimum. */
			q->cur = q->far.a[0].time >> q->shift;
			pull_far(q);
			continue;
		}
		q->cur++;
		pull_far(q);
		take_bucket(q);
	}
}

/* ---- the interface --------------------------------------------------------------- */

struct evq *evq_new(void)
{
	struct evq *q = g_new0(struct evq, 1);
	q->late.tag = LATE_TAG;
	q->far.tag = FAR_TAG;
	q->shift = 10;
	q->nb = MIN_BUCKETS;
	q->ring = ring_new(q->nb);
	q->free_chunk = NIL;
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
	g_free(q->late.a);
	g_free(q->far.a);
	g_free(q);
}

void evq_push(struct evq *q, struct sim_event *ev)
{
	g_assert(q->n < EVQ_NONE);
	q->n++;
	q->pushes++;
	place_event(q, ev);
	q->far_in += ev->aux == FAR_TAG;
	/* Growth is the one change that cannot wait for near to run dry. */
	if (q->n > 2 * q->n_base + 64)
		rebuild(q, 0, 0);
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

struct sim_event *evq_peek(struct evq *q)
{
	struct sim_event *ev = near_top(q);
	if (ev || !q->n)
		return ev;
	refill(q);
	return near_top(q);
}

void evq_remove(struct evq *q, struct sim_event *ev)
{
	uint32_t i = ev->pos;
	if (ev->aux == RUN_TAG) {
		g_assert(i < q->run_len && q->run[i].ev == ev);
		q->run[i].ev = NULL;
		q->run_live--;
	} else if (ev->aux == LATE_TAG) {
		g_assert(i < q->late.n && q->late.a[i].ev == ev);
		heap_remove(&q->late, i);
	} else if (ev->aux == FAR_TAG) {
		g_assert(i < q->far.n && q->far.a[i].ev == ev);
		heap_remove(&q->far, i);
	} else {
		bucket_remove(q, ev);
	}
	ev->pos = EVQ_NONE;
	q->n--;
}

struct sim_event *evq_pop(struct evq *q)
{
	struct sim_event *ev = evq_peek(q);
	if (!ev)
		return NULL;
	if (ev->aux == RUN_TAG) {
		q->run_head++;
		q->run_live--;
	} else {
		heap_remove(&q->late, 0);
	}
	ev->pos = EVQ_NONE;
	q->n--;
	q->pops++;
	return ev;
}

size_t evq_count(const struct evq *q)
{
	return q->n;
}

size_t evq_bytes(const struct evq *q)
{
	return sizeof(*q) + (size_t)(q->run_cap + q->late.cap + q->far.cap) * sizeof(struct slot) +
	       q->nb * sizeof(struct bucket) +
	       (size_t)q->nchunks * (CHUNK * sizeof(*q->slot) + sizeof(*q->link));
}
