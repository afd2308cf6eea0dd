/* The event queue on its own: exact (time, seq) order under random push / remove /
 * pop with ties, huge gaps and reused times, checked against brute force; positions
 * and counts; the queue keeps its memory in proportion to what it holds. */
#include "engine/evq.h"
#include "wbtest.h"

#include <glib.h>
#include <stdlib.h>

static uint64_t next_seq;

static void push_at(struct evq *q, struct sim_event *ev, simtime_t t)
{
	ev->time = t;
	ev->seq = next_seq++;
	evq_push(q, ev);
	ck_assert(sim_event_pending(ev));
}

static bool ev_less(const struct sim_event *a, const struct sim_event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* Brute force over the pool: the earliest (or latest) pending event, NULL if none. */
static struct sim_event *ref_extreme(struct sim_event *evs, int n, bool latest)
{
	struct sim_event *best = NULL;
	for (int i = 0; i < n; i++) {
		if (!sim_event_pending(&evs[i]))
			continue;
		if (!best || (latest ? ev_less(best, &evs[i]) : ev_less(&evs[i], best)))
			best = &evs[i];
	}
	return best;
}

static struct sim_event *pool_new(int n)
{
	struct sim_event *evs = g_new(struct sim_event, n);
	for (int i = 0; i < n; i++)
		sim_event_init(&evs[i], NULL);
	return evs;
}

/*
 * A time for a new event, relative to @now: mostly short delays, with exact ties
 * (a delay of 0, or one of a few reused instants), 5 s timers, huge jumps and the
 * top of the time range.  With @monotone false some times lie in the past, which
 * the engine never does but the queue must order all the same.
 */
static simtime_t after(simtime_t now, simtime_t d)
{
	return d > SIMTIME_MAX - now ? SIMTIME_MAX : now + d;
}

static simtime_t random_time(GRand *g, simtime_t now, bool monotone,
			     const simtime_t *reuse)
{
	simtime_t t;
	switch (g_rand_int_range(g, 0, 12)) {
	case 0:
		return now;
	case 1:
		t = reuse[g_rand_int_range(g, 0, 4)];
		break;
	case 2:
		return after(now, 5 * NSEC_PER_SEC);
	case 3:
		return after(now, (simtime_t)g_rand_int_range(g, 0, 1 << 30) * 1000);
	case 4:
		/* The top of the range; in engine order only far out, so that popping
		 * one does not pin the clock there for the rest of the run. */
		if (monotone)
			return after(now, 1000000 * NSEC_PER_SEC);
		return SIMTIME_MAX - (simtime_t)g_rand_int_range(g, 0, 3);
	case 5:
		t = (simtime_t)g_rand_int_range(g, 0, 1000);
		break;
	case 6:
		return after(now, (simtime_t)g_rand_int_range(g, 0, 5));
	default:
		return after(now, (simtime_t)g_rand_int_range(g, 0, 2000));
	}
	return monotone && t < now ? now : t;
}

static void stress(guint32 seed, int n, int steps, bool monotone)
{
	struct evq *q = evq_new();
	struct sim_event *evs = pool_new(n);
	GRand *g = g_rand_new_with_seed(seed);
	simtime_t now = 0;
	size_t live = 0;
	simtime_t reuse[4] = { 0, 1, 5 * NSEC_PER_SEC, 5 * NSEC_PER_SEC + 1 };

	for (int step = 0; step < steps; step++) {
		/* Drift between filling up and draining so the queue both grows and
		 * shrinks (and so re-spreads) along the way. */
		int fill_bias = (step / 5000) % 2 ? 3 : 6;
		int op = g_rand_int_range(g, 0, 10);
		struct sim_event *ev = &evs[g_rand_int_range(g, 0, n)];

		if (op < fill_bias) {
			if (sim_event_pending(ev)) {
				evq_remove(q, ev);      /* a reschedule */
				live--;
			}
			if (g_rand_int_range(g, 0, 50) == 0) {
				int k = g_rand_int_range(g, 0, 4);
				reuse[k] = now + (simtime_t)g_rand_int_range(g, 0, 100);
			}
			push_at(q, ev, random_time(g, now, monotone, reuse));
			live++;
		} else if (op == 6) {
			if (sim_event_pending(ev)) {
				evq_remove(q, ev);
				ck_assert(!sim_event_pending(ev));
				live--;
			}
		} else if (op == 7) {
			/* Remove the latest event, or the earliest. */
			struct sim_event *x = ref_extreme(evs, n, g_rand_boolean(g));
			if (x) {
				evq_remove(q, x);
				live--;
			}
		} else {
			struct sim_event *want = ref_extreme(evs, n, false);
			ck_assert_ptr_eq(evq_peek(q), want);
			ck_assert_ptr_eq(evq_peek(q), want);
			struct sim_event *got = evq_pop(q);
			ck_assert_ptr_eq(got, want);
			if (got) {
				ck_assert(!sim_event_pending(got));
				if (monotone)
					now = got->time;
				live--;
			}
		}
		ck_assert_uint_eq(evq_count(q), live);
	}
	/* Drain: everything left comes out in order. */
	struct sim_event *prev = NULL;
	while (live) {
		struct sim_event *want = ref_extreme(evs, n, false);
		ck_assert_ptr_eq(evq_pop(q), want);
		ck_assert(!prev || ev_less(prev, want));
		prev = want;
		live--;
	}
	ck_assert_ptr_null(evq_peek(q));
	ck_assert_ptr_null(evq_pop(q));
	ck_assert_uint_eq(evq_count(q), 0);
	g_rand_free(g);
	g_free(evs);
	evq_free(q);
}

START_TEST(stress_monotone)
{
	stress(1 + (guint32)_i, 600, 40000, true);
}
END_TEST

START_TEST(stress_any_order)
{
	stress(100 + (guint32)_i, 600, 40000, false);
}
END_TEST

START_TEST(empty_and_single)
{
	struct evq *q = evq_new();
	struct sim_event ev;
	sim_event_init(&ev, NULL);
	ck_assert_ptr_null(evq_peek(q));
	ck_assert_ptr_null(evq_pop(q));
	for (int round = 0; round < 3; round++) {
		push_at(q, &ev, round ? SIMTIME_MAX : 7);
		ck_assert_uint_eq(evq_count(q), 1);
		ck_assert_ptr_eq(evq_peek(q), &ev);
		if (round == 1) {
			evq_remove(q, &ev);
		} else {
			ck_assert_ptr_eq(evq_pop(q), &ev);
		}
		ck_assert(!sim_event_pending(&ev));
		ck_assert_uint_eq(evq_count(q), 0);
		ck_assert_ptr_null(evq_peek(q));
	}
	ck_assert_uint_gt(evq_bytes(q), 0);
	evq_free(q);
}
END_TEST

START_TEST(remove_top_and_last)
{
	/* Times 0, 10, 20, ...: remove the top, the last, then the new top and last,
	 * peeking in between so the queue has its front sorted out each time. */
	enum { N = 300 };
	struct evq *q = evq_new();
	struct sim_event *evs = pool_new(N);
	for (int i = 0; i < N; i++)
		push_at(q, &evs[i], (simtime_t)i * 10);
	int lo = 0, hi = N - 1;
	while (lo <= hi) {
		ck_assert_ptr_eq(evq_peek(q), &evs[lo]);
		evq_remove(q, &evs[lo++]);
		if (lo <= hi)
			evq_remove(q, &evs[hi--]);
		ck_assert_uint_eq(evq_count(q), (size_t)(hi - lo + 1));
		if (lo <= hi)
			ck_assert_ptr_eq(evq_peek(q), &evs[lo]);
	}
	ck_assert_ptr_null(evq_peek(q));
	for (int i = 0; i < N; i++)
		ck_assert(!sim_event_pending(&evs[i]));
	g_free(evs);
	evq_free(q);
}
END_TEST

START_TEST(ties_are_fifo)
{
	/* Thousands at one instant, pushed in shuffled groups around other times:
	 * each instant comes out in push order. */
	enum { N = 20000 };
	struct evq *q = evq_new();
	struct sim_event *evs = pool_new(N);
	GRand *g = g_rand_new_with_seed(3);
	for (int i = 0; i < N; i++) {
		simtime_t t = (simtime_t)g_rand_int_range(g, 0, 3) * 5 * NSEC_PER_SEC;
		push_at(q, &evs[i], t);
	}
	struct sim_event *prev = NULL;
	for (int i = 0; i < N; i++) {
		struct sim_event *ev = evq_peek(q);
		ck_assert_ptr_eq(evq_pop(q), ev);
		ck_assert(!prev || ev_less(prev, ev));
		prev = ev;
	}
	ck_assert_ptr_null(evq_pop(q));
	g_rand_free(g);
	g_free(evs);
	evq_free(q);
}
END_TEST

static int cmp_ev_ptr(const void *a, const void *b)
{
	const struct sim_event *x = *(struct sim_event *const *)a;
	const struct sim_event *y = *(struct sim_event *const *)b;
	return ev_less(x, y) ? -1 : ev_less(y, x);
}

START_TEST(large_mixed_spread)
{
	/* 100000 events: 100 ns steps, 5 s periodic timers, a cluster far out, many
	 * ties; a quarter cancelled; then popped against a sorted copy. */
	enum { N = 100000 };
	struct evq *q = evq_new();
	struct sim_event *evs = pool_new(N);
	struct sim_event **want = g_new(struct sim_event *, N);
	GRand *g = g_rand_new_with_seed(5);
	for (int i = 0; i < N; i++) {
		simtime_t t;
		switch (i % 4) {
		case 0:
			t = (simtime_t)g_rand_int_range(g, 0, 1000) * 100;
			break;
		case 1:
			t = (simtime_t)g_rand_int_range(g, 1, 20) * 5 * NSEC_PER_SEC;
			break;
		case 2:
			t = 1000 * NSEC_PER_SEC + (simtime_t)g_rand_int_range(g, 0, 50);
			break;
		default:
			t = (simtime_t)g_rand_int_range(g, 0, 1 << 20);
			break;
		}
		push_at(q, &evs[i], t);
	}
	int n = 0;
	for (int i = 0; i < N; i++) {
		if (g_rand_int_range(g, 0, 4) == 0)
			evq_remove(q, &evs[i]);
		else
			want[n++] = &evs[i];
	}
	ck_assert_uint_eq(evq_count(q), (size_t)n);
	qsort(want, (size_t)n, sizeof(*want), cmp_ev_ptr);
	for (int i = 0; i < n; i++) {
		ck_assert_ptr_eq(evq_peek(q), want[i]);
		ck_assert_ptr_eq(evq_pop(q), want[i]);
		/* Interleave: a fresh event far beyond everything, removed again. */
		if (i % 1000 == 0) {
			struct sim_event extra;
			sim_event_init(&extra, NULL);
			push_at(q, &extra, SIMTIME_MAX);
			evq_remove(q, &extra);
		}
	}
	ck_assert_uint_eq(evq_count(q), 0);
	g_rand_free(g);
	g_free(want);
	g_free(evs);
	evq_free(q);
}
END_TEST

START_TEST(hold_memory_flat)
{
	/* The hold model at two sizes: the pending set keeps its order, and what the
	 * queue holds per pending event does not grow with the size. */
	double per_event[2];
	int sizes[2] = { 2000, 50000 };
	for (int k = 0; k < 2; k++) {
		int n = sizes[k];
		struct evq *q = evq_new();
		struct sim_event *evs = pool_new(n);
		GRand *g = g_rand_new_with_seed(9);
		for (int i = 0; i < n; i++)
			push_at(q, &evs[i], (simtime_t)g_rand_int_range(g, 0, 2000));
		simtime_t now = 0;
		for (int step = 0; step < 4 * n; step++) {
			struct sim_event *ev = evq_pop(q);
			ck_assert_uint_ge(ev->time, now);
			now = ev->time;
			push_at(q, ev, now + (simtime_t)g_rand_int_range(g, 0, 2000));
		}
		ck_assert_uint_eq(evq_count(q), (size_t)n);
		per_event[k] = (double)evq_bytes(q) / n;
		ck_assert(per_event[k] < 64);
		g_rand_free(g);
		g_free(evs);
		evq_free(q);
	}
	ck_assert(per_event[1] < 2 * per_event[0] + 8);
}
END_TEST

START_TEST(grow_and_shrink)
{
	/* Up to 30000, down to 3, up again, with the order checked on the way down. */
	enum { N = 30000 };
	struct evq *q = evq_new();
	struct sim_event *evs = pool_new(N);
	GRand *g = g_rand_new_with_seed(13);
	simtime_t now = 0;
	for (int round = 0; round < 3; round++) {
		int spread = 1 << (4 + 6 * round);
		for (int i = 0; i < N; i++) {
			if (sim_event_pending(&evs[i]))
				continue;
			push_at(q, &evs[i], now + (simtime_t)g_rand_int_range(g, 0, spread));
		}
		ck_assert_uint_eq(evq_count(q), N);
		while (evq_count(q) > 3) {
			struct sim_event *ev = evq_pop(q);
			ck_assert_uint_ge(ev->time, now);
			now = ev->time;
		}
	}
	g_rand_free(g);
	g_free(evs);
	evq_free(q);
}
END_TEST

START_TEST(reschedule_churn_stays_small)
{
	/* A timer pushed back a million times while nothing pops (a task burning CPU
	 * through engine_try_advance): the queue must not grow with the churn. */
	struct evq *q = evq_new();
	struct sim_event x, a, b;
	sim_event_init(&x, NULL);
	sim_event_init(&a, NULL);
	sim_event_init(&b, NULL);
	push_at(q, &x, 0);
	push_at(q, &a, 100);
	push_at(q, &b, 101);
	ck_assert_ptr_eq(evq_peek(q), &x);
	size_t before = evq_bytes(q);
	for (int k = 0; k < 1000000; k++) {
		evq_remove(q, &b);
		/* the same instant (after the tail), or earlier than a, by turns */
		push_at(q, &b, k % 2 ? 101 : 50);
		ck_assert_ptr_eq(evq_peek(q), &x);
	}
	ck_assert_uint_le(evq_bytes(q), before + 4096);
	ck_assert_uint_eq(evq_count(q), 3);
	ck_assert_ptr_eq(evq_pop(q), &x);
	ck_assert_ptr_eq(evq_pop(q), &a);
	ck_assert_ptr_eq(evq_pop(q), &b);
	ck_assert_uint_eq(b.time, 101);
	ck_assert_ptr_null(evq_pop(q));
	evq_free(q);
}
END_TEST

START_TEST(far_top_then_earlier_pushes)
{
	/* With nothing but far events pending, peek answers far's minimum without
	 * moving the queue there: what is pushed before it afterwards, into the
	 * ring, into near or into far, still comes out first. */
	struct evq *q = evq_new();
	struct sim_event t, a, b, c, d, e, f;
	struct sim_event *all[] = { &t, &a, &b, &c, &d, &e, &f };
	for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
		sim_event_init(all[i], NULL);
	push_at(q, &t, 5 * NSEC_PER_SEC);
	ck_assert_ptr_eq(evq_peek(q), &t);
	push_at(q, &a, 2000);                   /* the ring */
	ck_assert_ptr_eq(evq_peek(q), &a);
	push_at(q, &b, 0);                      /* near */
	ck_assert_ptr_eq(evq_peek(q), &b);
	evq_remove(q, &b);
	ck_assert_ptr_eq(evq_peek(q), &a);
	push_at(q, &c, 5 * NSEC_PER_SEC - 1);   /* far, before the timer */
	ck_assert_ptr_eq(evq_peek(q), &a);
	ck_assert_ptr_eq(evq_pop(q), &a);
	ck_assert_ptr_eq(evq_peek(q), &c);
	push_at(q, &d, 4 * NSEC_PER_SEC);       /* far, the new minimum */
	ck_assert_ptr_eq(evq_peek(q), &d);
	ck_assert_ptr_eq(evq_pop(q), &d);
	/* cur has jumped to 4 s: just after it, and at it again */
	push_at(q, &e, 4 * NSEC_PER_SEC + 1);
	push_at(q, &f, 4 * NSEC_PER_SEC);
	ck_assert_ptr_eq(evq_pop(q), &f);
	ck_assert_ptr_eq(evq_pop(q), &e);
	ck_assert_ptr_eq(evq_peek(q), &c);
	evq_remove(q, &c);
	ck_assert_ptr_eq(evq_peek(q), &t);
	ck_assert_ptr_eq(evq_pop(q), &t);
	ck_assert_ptr_null(evq_peek(q));
	ck_assert_uint_eq(evq_count(q), 0);
	evq_free(q);
}
END_TEST

START_TEST(small_queue_beside_a_timer)
{
	/*
	 * The simulator's own shape: a periodic timer far ahead (20 ms here, so that
	 * it fires), 32 requests each completing 10-25 us after the last and issuing
	 * the next, tasks woken at the current instant or a little later, and a
	 * clock that moves on in 1 us steps without popping while nothing is due
	 * (engine_try_advance), peeking every time; a request now and then cancelled
	 * and reissued.  Every other phase the device goes idle, leaving the timer
	 * alone with the tasks.  Checked against brute force all along.
	 */
	enum { REQS = 32, TASKS = 4, N = 1 + REQS + TASKS, PHASE = 20000 };
	const simtime_t period = 20 * NSEC_PER_MSEC;
	struct evq *q = evq_new();
	struct sim_event *evs = pool_new(N);
	GRand *g = g_rand_new_with_seed(21);
	simtime_t now = 0;
	int fired = 0;
	push_at(q, &evs[0], period);
	for (int step = 0; step < 20 * PHASE; step++) {
		bool idle = (step / PHASE) % 2;
		if (step % PHASE == 0 && !idle)
			for (int i = 1; i <= REQS; i++)
				if (!sim_event_pending(&evs[i]))
					push_at(q, &evs[i], now + (simtime_t)g_rand_int_range(g, 10000, 25000));
		struct sim_event *want = ref_extreme(evs, N, false);
		ck_assert_ptr_eq(evq_peek(q), want);
		int r = g_rand_int_range(g, 0, 100);
		if (want->time > now + 1000 && r < 70) {
			now += 1000;            /* CPU time, inline */
			if (r < 10) {
				struct sim_event *t = &evs[1 + REQS + g_rand_int_range(g, 0, TASKS)];
				if (sim_event_pending(t))
					evq_remove(q, t);
				push_at(q, t, now + (simtime_t)g_rand_int_range(g, 0, 3) * 500);
			} else if (r < 12) {
				struct sim_event *rq = &evs[1 + g_rand_int_range(g, 0, REQS)];
				if (sim_event_pending(rq)) {
					evq_remove(q, rq);
					push_at(q, rq, now + (simtime_t)g_rand_int_range(g, 10000, 25000));
				}
			}
			continue;
		}
		ck_assert_ptr_eq(evq_pop(q), want);
		ck_assert_uint_ge(want->time, now);
		now = want->time;
		if (want == &evs[0]) {
			fired++;
			push_at(q, want, now + period);
		} else if (want <= &evs[REQS] && !idle) {
			push_at(q, want, now + (simtime_t)g_rand_int_range(g, 10000, 25000));
		}
	}
	ck_assert_int_gt(fired, 10);
	struct sim_event *prev = NULL;
	while (evq_count(q)) {
		struct sim_event *want = ref_extreme(evs, N, false);
		ck_assert_ptr_eq(evq_pop(q), want);
		ck_assert(!prev || ev_less(prev, want));
		prev = want;
	}
	g_rand_free(g);
	g_free(evs);
	evq_free(q);
}
END_TEST

START_TEST(filled_far_ahead)
{
	/* A large queue filled far ahead of its last pop (1000 s on, within 1 ms),
	 * beside a few events close by, then drained in order. */
	enum { N = 40000 };
	struct evq *q = evq_new();
	struct sim_event *evs = pool_new(N);
	struct sim_event **want = g_new(struct sim_event *, N);
	GRand *g = g_rand_new_with_seed(8);
	for (int i = 0; i < N; i++) {
		simtime_t t = i % 1000 == 0 ? (simtime_t)g_rand_int_range(g, 0, 1000) :
			      1000 * NSEC_PER_SEC + (simtime_t)g_rand_int_range(g, 0, 1000000);
		push_at(q, &evs[i], t);
		want[i] = &evs[i];
	}
	qsort(want, N, sizeof(*want), cmp_ev_ptr);
	for (int i = 0; i < N; i++) {
		ck_assert_ptr_eq(evq_peek(q), want[i]);
		ck_assert_ptr_eq(evq_pop(q), want[i]);
	}
	ck_assert_ptr_null(evq_pop(q));
	g_rand_free(g);
	g_free(want);
	g_free(evs);
	evq_free(q);
}
END_TEST

static Suite *evq_suite(void)
{
	Suite *s = suite_create("evq");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, empty_and_single);
	tcase_add_test(tc, remove_top_and_last);
	tcase_add_test(tc, ties_are_fifo);
	tcase_add_loop_test(tc, stress_monotone, 0, 4);
	tcase_add_loop_test(tc, stress_any_order, 0, 4);
	tcase_add_test(tc, large_mixed_spread);
	tcase_add_test(tc, hold_memory_flat);
	tcase_add_test(tc, grow_and_shrink);
	tcase_add_test(tc, reschedule_churn_stays_small);
	tcase_add_test(tc, far_top_then_earlier_pushes);
	tcase_add_test(tc, small_queue_beside_a_timer);
	tcase_add_test(tc, filled_far_ahead);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(evq_suite)
