/*
 * evq_adapt — keeping the bucket width and the horizon right for the events: the
 * counts since the last look, estimating both from a sample, and re-spreading every
 * event when they are off (see the overview in evq_internal.h).
 */
#include "engine/evq_internal.h"

void evq_reset_counts(struct evq *q)
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
NOINLINE void evq_rebuild(struct evq *q, unsigned shift, uint32_t nb)
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
			q->run = evq_grow(q->run, &q->run_cap, m, sizeof(struct slot));
		evq_bucket_drain(q, bk, q->run);
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
		q->ring = evq_ring_new(nb);
		q->nb = nb;
	}
	/* Every chunk is free: size the pool for the events plus a partly filled
	 * chunk in every other bucket, and a quarter to spare. */
	size_t chunks = (n / CHUNK + nb / 2) * 5 / 4 + 16;
	q->free_chunk = NIL;
	evq_pool_resize(q, 0, (uint32_t)MIN(chunks, (size_t)UINT32_MAX / CHUNK));
	q->run_head = q->run_len = q->run_live = 0;
	q->late.n = q->far.n = 0;
	q->nring = 0;
	q->shift = shift;
	q->cur = base >> shift;
	/* Near's share goes straight into the run, sorted once. */
	uint32_t nrun = 0;
	for (size_t i = 0; i < n; i++) {
		if (all[i]->time >> shift > q->cur) {
			evq_place_event(q, all[i]);
			continue;
		}
		if (nrun == q->run_cap)
			q->run = evq_grow(q->run, &q->run_cap, nrun + 1, sizeof(struct slot));
		q->run[nrun++] = key_of(all[i]);
	}
	evq_make_run(q, nrun);
	g_free(all);
	evq_set_pull_at(q);
	q->top = NULL;

	/* Positions are 32 bits and EVQ_NONE is taken: n stays below it until the
	 * next rebuild at the latest, at grow_at. */
	g_assert(n <= (EVQ_NONE - 128) / 2);
	q->n_base = n;
	q->grow_at = 2 * n + 64;
	evq_reset_counts(q);
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
NOINLINE void evq_adapt(struct evq *q)
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
		evq_rebuild(q, shift, nb);
	else
		evq_reset_counts(q);
}

