/*
 * bench_engine — the classic "hold" model through the real engine API, against a
 * textbook binary heap run in the same process on the same delays.
 *
 * N events are pending; every event that fires schedules itself again at now plus an
 * exponential delay (mean 1000 ns).  The delays are drawn once, up front, from a
 * fixed-seed stream and read from a table in the same order by both contestants, so
 * the RNG costs nothing inside the timed loops and both see identical key sequences.
 *
 * The baseline is deliberately bare: no engine, no callback, no position index, just
 * pop the minimum and push it back later.  The engine figure carries the engine's own
 * overhead (an indirect call per event, cancel-if-pending on schedule, the peek in
 * the run loop), so the ratio understates the queue's advantage a little.
 *
 * B/pending-event is measured, not computed: the bytes the allocator holds (mallinfo2,
 * its own per-block overhead included) for the engine, its queue and the N events,
 * after the warm-up, divided by N.  sizeof(struct sim_event) is 32 of them.
 *
 *   bench_engine           full run (best of 3 timings per contestant)
 *   bench_engine --quick   small event counts, one timing each, about a second
 */
#include "engine/engine.h"
#include "engine/rng.h"

#include <glib.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MEAN_DELAY_NS 1000.0
#define DELAY_BITS 20                   /* 1 Mi delays (4 MiB), reused cyclically */
#define DELAY_MASK ((1u << DELAY_BITS) - 1)

static uint32_t *delays;

static void delays_init(void)
{
	struct rng r;
	rng_init(&r, 42, "bench.hold");
	delays = g_new(uint32_t, 1u << DELAY_BITS);
	for (uint32_t i = 0; i <= DELAY_MASK; i++)
		delays[i] = (uint32_t)(rng_exponential(&r, MEAN_DELAY_NS) + 0.5);
}

static double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Bytes the allocator has handed out and not had back, mmap'ed blocks included. */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

/* ---- the engine ---------------------------------------------------------------- */

static uint32_t hold_next;              /* index into delays[] */
static uint64_t hold_left;              /* events still to run before stopping */

static void hold_fire(struct engine *e, struct sim_event *ev)
{
	engine_schedule_in(e, ev, delays[hold_next++ & DELAY_MASK]);
	if (--hold_left == 0)
		engine_stop(e);
}

struct engine_run {
	struct engine *e;
	struct sim_event *evs;
	size_t bytes;                   /* engine + queue + events, after warm-up */
};

static void engine_setup(struct engine_run *er, size_t n, uint64_t warm)
{
	size_t before = heap_in_use();
	er->e = engine_new();
	er->evs = g_new(struct sim_event, n);
	hold_next = 0;
	for (size_t i = 0; i < n; i++) {
		sim_event_init(&er->evs[i], hold_fire);
		engine_schedule(er->e, &er->evs[i], delays[hold_next++ & DELAY_MASK]);
	}
	hold_left = warm;
	engine_run(er->e, SIMTIME_MAX);
	er->bytes = heap_in_use() - before;
}

static double engine_time(struct engine_run *er, uint64_t count)
{
	hold_left = count;
	double t0 = now_sec();
	enum engine_stop_reason why = engine_run(er->e, SIMTIME_MAX);
	double t1 = now_sec();
	g_assert(why == ENGINE_STOPPED);
	return (double)count / (t1 - t0);
}

static void engine_teardown(struct engine_run *er)
{
	engine_free(er->e);
	g_free(er->evs);
}

/* ---- the baseline: a textbook binary min-heap ---------------------------------- */

struct bslot {
	uint64_t time, seq;
	void *payload;
};

struct bheap {
	struct bslot *a;
	size_t n, cap;
	uint64_t now, next_seq;
};

static inline bool bslot_less(const struct bslot *x, const struct bslot *y)
{
	return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

static void bheap_push(struct bheap *h, uint64_t time, void *payload)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->a = g_renew(struct bslot, h->a, h->cap);
	}
	struct bslot s = { time, h->next_seq++, payload };
	size_t i = h->n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!bslot_less(&s, &h->a[p]))
			break;
		h->a[i] = h->a[p];
		i = p;
	}
	h->a[i] = s;
}

static struct bslot bheap_pop(struct bheap *h)
{
	struct bslot top = h->a[0];
	struct bslot s = h->a[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && bslot_less(&h->a[c + 1], &h->a[c]))
			c++;
		if (!bslot_less(&h->a[c], &s))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	h->a[i] = s;
	return top;
}

static uint32_t base_next;

static void base_hold(struct bheap *h, uint64_t count)
{
	while (count--) {
		struct bslot s = bheap_pop(h);
		h->now = s.time;
		bheap_push(h, h->now + delays[base_next++ & DELAY_MASK], s.payload);
	}
}

static void base_setup(struct bheap *h, struct sim_event *evs, size_t n, uint64_t warm)
{
	memset(h, 0, sizeof(*h));
	base_next = 0;
	for (size_t i = 0; i < n; i++)
		bheap_push(h, delays[base_next++ & DELAY_MASK], &evs[i]);
	base_hold(h, warm);
}

static double base_time(struct bheap *h, uint64_t count)
{
	double t0 = now_sec();
	base_hold(h, count);
	double t1 = now_sec();
	return (double)count / (t1 - t0);
}

/* ---- driver ---------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");
	static const size_t sizes[] = { 1000, 100000, 1000000 };
	static const uint64_t full_events[] = { 20000000, 10000000, 10000000 };
	static const uint64_t quick_events[] = { 1000000, 500000, 500000 };
	int reps = quick ? 1 : 3;

	delays_init();
	for (int k = 0; k < 3; k++) {
		size_t n = sizes[k];
		uint64_t count = quick ? quick_events[k] : full_events[k];
		/* Warm-up: every initial event fires at least once (so the queue is
		 * in its steady shape, caches and allocator too) before any timing. */
		uint64_t warm = n + count / 4;
		double best_q = 0, best_b = 0;

		struct engine_run er;
		engine_setup(&er, n, warm);
		struct bheap bh;
		base_setup(&bh, er.evs, n, warm);
		for (int r = 0; r < reps; r++) {
			double q = engine_time(&er, count);
			double b = base_time(&bh, count);
			best_q = q > best_q ? q : best_q;
			best_b = b > best_b ? b : best_b;
		}
		/* The engine run is checked against the baseline's clock: the same
		 * delays in the same order must land both at the same instant. */
		g_assert(hold_next == base_next);
		g_assert(engine_now(er.e) == bh.now);
		printf("N=%-7zu %5.1f M events/s  %5.1f B/pending-event   "
		       "baseline binary heap %5.1f M events/s  ratio %.2fx\n",
		       n, best_q / 1e6, (double)er.bytes / (double)n, best_b / 1e6,
		       best_q / best_b);
		fflush(stdout);
		g_free(bh.a);
		engine_teardown(&er);
	}
	g_free(delays);
	return 0;
}
