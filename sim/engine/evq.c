/*
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
#include "engine/evq.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

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

static unsigned log2_floor(uint64_t x)
{
	return x ? 63 - (unsigned)__builtin_clzll(x) : 0;
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
		q->run = grow(q->run, &q->run_cap, q->run_len + 1, sizeof(struct slot));
}

/*
 * An event pushed into the current bucket goes into the run where it sorts: at the
 * end, or among the last RUN_INSERT slots (a few moves: the event just popped
 * scheduling a successor a little later, common where the buckets are wide for
 * their time steps), else into late.
 */
#define RUN_INSERT 8

static void near_push(struct evq *q, struct sim_event *ev)
{
	struct slot s = key_of(ev);
	if (!q->run_live)
		q->run_head = q->run_len = 0;
	run_room(q);
	uint32_t j = q->run_len;
	if (j > q->run_head && slot_less(&s, &q->run[j - 1])) {
		uint32_t lo = j - MIN(j - q->run_head, RUN_INSERT);
		if (lo > q->run_head && slot_less(&s, &q->run[lo - 1])) {
			heap_push(&q->late, ev);
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

/* Resize the pool to @cap chunks; the chunks from @used on (all free) are chained
 * to be handed out in address order. */
static void pool_resize(struct evq *q, uint32_t used, uint32_t cap)
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
static NOINLINE void pool_grow(struct evq *q)
{
	pool_resize(q, q->nchunks, q->nchunks + q->nchunks / 4 + 16);
}

static inline uint32_t chunk_alloc(struct evq *q)
{
	if (G_UNLIKELY(q->free_chunk == NIL))
		pool_grow(q);
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

/* Put @ev where its bucket number says (the caller sees to pull_at). */
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

/* Far's minimum, of bucket vb >= cur + nb, enters the horizon once cur > vb - nb. */
static void set_pull_at(struct evq *q)
{
	uint64_t vb = q->far.n ? q->far.a[0].time >> q->shift : 0;
	q->pull_at = !q->far.n ? UINT64_MAX : vb >= q->nb ? vb - q->nb + 1 : 0;
}

/* The horizon has moved: pull far events it now covers into the ring (or near). */
static void pull_far(struct evq *q)
{
	while (q->far.n && (q->far.a[0].time >> q->shift) - q->cur < q->nb) {
		struct sim_event *ev = q->far.a[0].ev;
		heap_remove(&q->far, 0);
		place_event(q, ev);
	}
	set_pull_at(q);
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
			q->tmp = grow(q->tmp, &q->tmp_cap, n, sizeof(struct slot));
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
static void make_run(struct evq *q, uint32_t n)
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
		q->run = grow(q->run, &q->run_cap, CHUNK, sizeof(struct slot));
	if (n > CHUNK) {
		if (q->run_cap < n)
			q->run = grow(q->run, &q->run_cap, n, sizeof(struct slot));
		bucket_drain(q, bk, q->run);
		make_run(q, n);
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

/* ---- re-spreading ------------------------------------------------------------------ */

static void reset_counts(struct evq *q)
{
	q->look_at = q->n_base / 2 + 64;
	q->pops = q->pushes = 0;
	q->late_in = q->late_sum = 0;
	q->visited = q->taken = 0;
	q->far_in = q->far_log = 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Bucket headers cost 8 bytes each: keep them fewer than half the events, or 64
 * (half a kilobyte, so that a small queue has the horizon its spread needs). */
#define SMALL_NB_LIMIT 64u

static uint32_t nb_limit(size_t n)
{
	uint32_t lim = SMALL_NB_LIMIT;
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
static void estimate(struct sim_event **all, size_t n, simtime_t tmin, simtime_t base,
		     unsigned *shift, uint32_t *nb)
{
	enum { S = 256 };
	uint64_t s[S];
	size_t m = n < S ? n : S;
	for (size_t i = 0; i < m; i++)
		s[i] = all[i * n / m]->time - tmin;
	qsort(s, m, sizeof(s[0]), cmp_u64);

	/* (at least a few events in: the first alone says nothing of the spacing) */
	size_t j = MAX(m / 8, MIN(m - 1, (size_t)4));
	double width = (double)bucket_load(n) * (double)(s[j] + 1) * (double)m /
		       ((double)(j + 1) * (double)n);
	*shift = width < 2 ? 0 : MIN(log2_floor((uint64_t)width), 63);
	uint64_t span = (s[m - 1 - m / 16] + (tmin - base)) >> *shift;
	uint32_t want = MIN_BUCKETS, lim = nb_limit(n);
	while (want <= span && want < lim)
		want *= 2;
	*nb = want;
}

/* Re-spread every event over a ring of @nb buckets of 2^@shift ns; nb == 0 asks
 * for both to be estimated from the events. */
static NOINLINE void rebuild(struct evq *q, unsigned shift, uint32_t nb)
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
	/* The ring starts at the last pop, not at the earliest event: the clock may
	 * be anywhere in between, and pushes land from there on... */
	simtime_t base = MIN(tmin, q->last);
	bool estimated = !nb && n;
	if (estimated)
		estimate(all, n, tmin, base, &shift, &nb);
	nb = MAX(nb, MIN_BUCKETS);
	/* ...unless that would leave most of a large queue to far (one filled far
	 * ahead of the clock): then from the earliest event. */
	if (base < tmin && n > 128) {
		size_t nfar = 0;
		for (size_t i = 0; i < n; i++)
			nfar += (all[i]->time >> shift) - (base >> shift) >= nb;
		if (2 * nfar > n) {
			base = tmin;
			if (estimated)
				estimate(all, n, tmin, base, &shift, &nb);
		}
	}

	if (nb != q->nb) {
		g_free(q->ring);
		q->ring = ring_new(nb);
		q->nb = nb;
	}
	/* Every chunk is free: size the pool for the events plus a partly filled
	 * chunk in every other bucket, and a quarter to spare. */
	size_t chunks = (n / CHUNK + nb / 2) * 5 / 4 + 16;
	q->free_chunk = NIL;
	pool_resize(q, 0, (uint32_t)MIN(chunks, (size_t)UINT32_MAX / CHUNK));
	q->run_head = q->run_len = q->run_live = 0;
	q->late.n = q->far.n = 0;
	q->nring = 0;
	q->shift = shift;
	q->cur = base >> shift;
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
	set_pull_at(q);
	q->top = NULL;

	/* Positions are 32 bits and EVQ_NONE is taken: n stays below it until the
	 * next rebuild at the latest, at grow_at. */
	g_assert(n <= (EVQ_NONE - 128) / 2);
	q->n_base = n;
	q->grow_at = 2 * n + 64;
	reset_counts(q);
}

/*
 * Called every n/2 pops (so that a rebuild, O(n), costs O(1) a pop) to look at the
 * counts since the last look, and rebuild when the shape is off:
 *  - the population halved or doubled (give or take 64: a small queue that
 *    breathes, 32 requests in flight one moment and 8 the next, keeps its shape
 *    rather than re-estimating it from a handful of events): estimate afresh;
 *  - the buckets cur passed held 4x too many events on average (bucket_load says
 *    how many is right), or a quarter of the pushes went into a late heap that
 *    was 4x too large (too wide: near doing a heap's work), or the buckets held
 *    4x too few (too narrow, many empty buckets): scale the width by the error;
 *  - more than 1/8 of the pushes went to far: make the horizon 4x the geometric
 *    mean distance of those pushes, in buckets while the ring may grow, by widening
 *    the buckets beyond that.  A few 5 s timers never trigger this; a shifted load
 *    does, and gets the new horizon in one step.
 * Narrowing never shortens the horizon, or the two rules would undo each other.
 */
static NOINLINE void adapt(struct evq *q)
{
	unsigned shift = q->shift;
	uint32_t nb = q->nb, lim = nb_limit(q->n);
	/* events per bucket, in sixteenths */
	uint64_t target = 16 * bucket_load(q->n);
	uint64_t load = 16 * q->taken / (q->visited + 1);
	uint64_t late_load = 16 * q->late_sum / (q->late_in + 1);

	if (q->n > q->grow_at || 2 * q->n + 64 < q->n_base) {
		nb = 0;         /* start afresh from a sample */
	} else {
		unsigned d = 0;
		if (q->visited >= 4 && load > 4 * target)
			d = log2_floor(load / target);
		else if (q->late_in * 4 > q->pushes && late_load > 4 * target)
			d = log2_floor(late_load / target);
		d = MIN(MIN(d, shift), log2_floor(lim / nb));
		if (d) {
			shift -= d;
			nb <<= d;
		} else if (q->visited >= 4 && load * 4 < target && shift < 63) {
			d = MIN(log2_floor(target / (load + 1)), 63 - shift);
			shift += d;
			nb = MAX(nb >> d, MIN_BUCKETS);
		}
		if (q->far_in * 8 > q->pushes) {
			/* log2 of the wanted horizon in buckets of the new width */
			int want = (int)(q->far_log / q->far_in) + 2;
			want += (int)q->shift - (int)shift;
			int room = (int)log2_floor(lim);
			if (want > room) {
				shift = MIN(shift + (unsigned)(want - room), 63);
				want = room;
			}
			if (want > 0 && (1u << want) > nb)
				nb = 1u << want;
		}
	}
	if (nb != q->nb || shift != q->shift)
		rebuild(q, shift, nb);
	else
		reset_counts(q);
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
			pull_far(q);
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
static NOINLINE struct sim_event *find_top(struct evq *q)
{
	if (!q->run_live && !q->late.n) {
		if (!q->nring)
			return q->top = q->far.n ? q->far.a[0].ev : NULL;
		advance(q);
		return q->top = q->run[0].ev;   /* a fresh run, and late is empty */
	}
	return q->top = near_top(q);
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
	q->pull_at = UINT64_MAX;
	q->grow_at = 64;
	reset_counts(q);
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
		near_push(q, ev);
	} else if (vb - q->cur < q->nb) {
		ring_push(q, ev, vb);
	} else {
		heap_push(&q->far, ev);
		q->far_in++;
		q->far_log += log2_floor(vb - q->cur);
		if (q->far.a[0].ev == ev)
			set_pull_at(q);
	}
	/* A new earliest event, if not in the ring, is where pop looks for it: the
	 * run, late's top or far's top. */
	if (q->top && ev->aux >= q->nb && slot_less_ev(ev, q->top))
		q->top = ev;
	/* Growth cannot wait for the next look: filling up does not pop. */
	if (q->n > q->grow_at)
		rebuild(q, 0, 0);
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
	return q->top ? q->top : find_top(q);
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
		heap_remove(&q->late, i);
	} else if (ev->aux == FAR_TAG) {
		g_assert(i < q->far.n && q->far.a[i].ev == ev);
		heap_remove(&q->far, i);
		set_pull_at(q);
	} else {
		bucket_remove(q, ev);
	}
	ev->pos = EVQ_NONE;
	q->n--;
}

/* Pop the top from late or, near and the ring empty, from far. */
static NOINLINE void pop_other(struct evq *q, struct sim_event *ev)
{
	bool far = ev->aux == FAR_TAG;
	g_assert(ev->pos == 0 && (far ? !q->nring : ev->aux == LATE_TAG));
	heap_remove(far ? &q->far : &q->late, 0);
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
		rebuild(q, 0, 0);
		return;
	}
	q->cur = ev->time >> q->shift;
	pull_far(q);
}

struct sim_event *evq_pop(struct evq *q)
{
	struct sim_event *ev = q->top ? q->top : find_top(q);
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
		adapt(q);
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
