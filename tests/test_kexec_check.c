/*
 * The kernel executor's data check: the patterns, the rule a byte is judged by (on
 * hand-made histories, so each expected verdict follows from the rule alone), and
 * whole runs that must come out clean and then find what was planted behind the
 * executor's back.
 */
#include "kexec_util.h"

#define KiB 1024ull

/* ---- patterns and summaries ---------------------------------------------------------- */

START_TEST(patterns_name_their_op)
{
	GHashTable *seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	for (uint32_t op = 0; op < 100000; op++) {
		uint64_t w = kx_pattern(op);
		for (int k = 0; k < 8; k++)
			ck_assert_uint_ne(kx_byte(w, (uint64_t)k), 0);
		ck_assert(!g_hash_table_contains(seen, &w));
		g_hash_table_add(seen, g_memdup2(&w, sizeof(w)));
	}
	g_hash_table_destroy(seen);
}
END_TEST

START_TEST(summaries_are_runs_of_ops)
{
	/* Op 5's bytes on [3, 1003), op 9's on [1003, 2000): two runs, whatever the
	 * alignment of the ends, and they give the bytes back. */
	uint8_t b[1997], back[1997];
	kx_fill(b, 3, 1000, kx_pattern(5));
	kx_fill(b + 1000, 1003, 997, kx_pattern(9));
	struct kx_run runs[4];
	uint32_t n = 0;
	ck_assert(kx_summarise(b, 3, sizeof(b), runs, 4, &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(runs[0].from, 3);
	ck_assert_uint_eq(runs[0].to, 1003);
	ck_assert_uint_eq(runs[0].word, kx_pattern(5));
	ck_assert_uint_eq(runs[1].from, 1003);
	ck_assert_uint_eq(runs[1].to, 2000);
	ck_assert_uint_eq(runs[1].word, kx_pattern(9));
	memset(back, 0, sizeof(back));
	kx_materialise(runs, n, 3, sizeof(back), back);
	ck_assert(!memcmp(b, back, sizeof(b)));
	/* One stray byte splits a run into three; with room for two the summary fails. */
	b[500] ^= 0x55;
	ck_assert(!kx_summarise(b, 3, sizeof(b), runs, 2, &n));
	ck_assert(kx_summarise(b, 3, sizeof(b), runs, 4, &n));
	ck_assert_uint_eq(n, 4);
}
END_TEST

/* ---- the rule, on hand-made histories ----------------------------------------------------- */

/* A prepared world with one 8 KiB file (initial content: op 1) and a task that never
 * runs, to own hand-made records. */
static void rule_world(struct kt_world *w, const char *name)
{
	kt_world_new(w, name, NULL);
	kt_file(w, 0, "a", 8 * KiB);
	static const struct kt_step none[] = { { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(w, 0, "t", NULL, none);
	GError *err = NULL;
	ck_assert(kx_prepare(w->kx, &err));
}

static void add(struct kt_world *w, uint32_t op, int64_t start, int64_t end, bool weak)
{
	kx_record_add(w->kx, &(struct kx_record){ .op = op, .file = 0, .task = 0,
		.kind = KX_OP_PWRITE, .weak = weak, .start = start, .end = end, .lo = 0, .hi = 4096 });
}

/* Pages of [0, 4096) that fail when they hold op @op's bytes, judged for a read over
 * [s, e] (INT64_MAX: the final content). */
static uint64_t judge(struct kt_world *w, uint32_t op, int64_t s, int64_t e)
{
	uint8_t b[4096];
	kx_fill(b, 0, sizeof(b), kx_pattern(op));
	return kx_judge(w->kx, w->f[0], 0, sizeof(b), b, s, e, NULL);
}

START_TEST(the_last_write_and_its_overlaps_pass)
{
	struct kt_world w;
	rule_world(&w, "rule");
	add(&w, 10, 0, 10, false);      /* A */
	add(&w, 11, 5, 20, false);      /* B overlaps A, ends last */
	add(&w, 12, 11, 12, false);     /* C began after A ended */
	/* B finished last: passes.  C overlapped B: passes.  A overlapped B, but C began
	 * after A ended and so certainly covered it: A's bytes are a lost write (the
	 * rule "the last, or one overlapping it" sharpened by that).  The initial content
	 * was covered by all three. */
	ck_assert_uint_eq(judge(&w, 11, INT64_MAX, INT64_MAX), 0);
	ck_assert_uint_eq(judge(&w, 12, INT64_MAX, INT64_MAX), 0);
	ck_assert_uint_eq(judge(&w, 10, INT64_MAX, INT64_MAX), 1);
	ck_assert_uint_eq(judge(&w, 1, INT64_MAX, INT64_MAX), 1);
	ck_assert_uint_eq(judge(&w, 99, INT64_MAX, INT64_MAX), 1);
	kx_free(w.kx);
}
END_TEST

/*
 * A read over [s, e] that got op @op's bytes, judged the way the loop judges one: it
 * is waiting (in flight, then pending) while A (op 10, [0, 10]) and B (op 11,
 * [20, 30]) arrive, and only then is it judged.  Returns the stale pages it counted.
 */
static uint64_t window_case(uint32_t op, int64_t s, int64_t e)
{
	static int n;
	char name[32];
	g_snprintf(name, sizeof(name), "window%d", n++);
	struct kt_world w;
	rule_world(&w, name);
	struct kx_run seen = { 0, 4096, kx_pattern(op) };
	kx_check_read(w.kx, w.t[0], w.f[0], 0, 4096, s, e, &seen, 1, false);
	add(&w, 10, 0, 10, false);
	add(&w, 11, 20, 30, false);
	kx_check_pending(w.kx, true);
	uint64_t stale = kx_stale_reads(w.kx);
	kx_free(w.kx);
	return stale;
}

START_TEST(a_read_may_see_what_was_there_in_its_window)
{
	/* During [12, 15] only A was there (B began later); during [25, 28] A or B (B
	 * was under way); during [35, 40] only B.  A read that overlapped A itself may
	 * see the initial content (op 1) or A.  Writes arriving while the read waits must
	 * not take away what it could have seen. */
	ck_assert_uint_eq(window_case(10, 12, 15), 0);
	ck_assert_uint_eq(window_case(11, 12, 15), 1);
	ck_assert_uint_eq(window_case(1, 12, 15), 1);
	ck_assert_uint_eq(window_case(10, 25, 28), 0);
	ck_assert_uint_eq(window_case(11, 25, 28), 0);
	ck_assert_uint_eq(window_case(10, 35, 40), 1);
	ck_assert_uint_eq(window_case(11, 35, 40), 0);
	ck_assert_uint_eq(window_case(1, 5, 6), 0);
	ck_assert_uint_eq(window_case(10, 5, 6), 0);
}
END_TEST

START_TEST(a_failed_write_overrules_nothing)
{
	struct kt_world w;
	rule_world(&w, "weak");
	add(&w, 10, 0, 10, true);
	ck_assert_uint_eq(judge(&w, 1, INT64_MAX, INT64_MAX), 0);
	ck_assert_uint_eq(judge(&w, 10, INT64_MAX, INT64_MAX), 0);
	add(&w, 11, 20, 30, false);     /* a later write that succeeded does */
	ck_assert_uint_eq(judge(&w, 1, INT64_MAX, INT64_MAX), 1);
	ck_assert_uint_eq(judge(&w, 10, INT64_MAX, INT64_MAX), 1);
	kx_free(w.kx);
}
END_TEST

START_TEST(a_word_may_hold_two_writes)
{
	struct kt_world w;
	rule_world(&w, "mixed");
	/* Op 10 wrote bytes [0, 3), op 11 bytes [3, 8): the word at 0 holds both. */
	kx_record_add(w.kx, &(struct kx_record){ .op = 10, .task = 0, .kind = KX_OP_PWRITE,
		.start = 0, .end = 10, .lo = 0, .hi = 3 });
	kx_record_add(w.kx, &(struct kx_record){ .op = 11, .task = 0, .kind = KX_OP_PWRITE,
		.start = 0, .end = 10, .lo = 3, .hi = 8 });
	uint8_t b[8];
	kx_fill(b, 0, 3, kx_pattern(10));
	kx_fill(b + 3, 3, 5, kx_pattern(11));
	ck_assert_uint_eq(kx_judge(w.kx, w.f[0], 0, 8, b, INT64_MAX, INT64_MAX, NULL), 0);
	b[2] = kx_byte(kx_pattern(11), 2);      /* op 11 never wrote byte 2 */
	ck_assert_uint_eq(kx_judge(w.kx, w.f[0], 0, 8, b, INT64_MAX, INT64_MAX, NULL), 1);
	kx_free(w.kx);
}
END_TEST

START_TEST(a_copy_may_carry_a_source_write_that_raced_it)
{
	struct kt_world w;
	rule_world(&w, "copy");
	/* Source [0, 4096) gets op 10 during [100, 200]; a dio_write from a mapping of it
	 * read the source at 150 (still the initial content, op 1) and ended at 300,
	 * writing [4096, 8192).  The device may have read either. */
	add(&w, 10, 100, 200, false);
	struct kx_task *t = w.t[0];
	t->op = 20;
	struct kx_run snap = { 4096, 8192, kx_pattern(1) };
	kx_check_copy(w.kx, t, w.f[0], 4096, 8192, w.f[0], 0, 150, 140, 300, &snap, 1, false, false);
	kx_check_pending(w.kx, true);
	uint8_t b[4096];
	kx_fill(b, 4096, 4096, kx_pattern(1));
	ck_assert_uint_eq(kx_judge(w.kx, w.f[0], 4096, 8192, b, INT64_MAX, INT64_MAX, NULL), 0);
	kx_fill(b, 4096, 4096, kx_pattern(10));
	ck_assert_uint_eq(kx_judge(w.kx, w.f[0], 4096, 8192, b, INT64_MAX, INT64_MAX, NULL), 0);
	/* The copy's own op id is not data anybody wrote. */
	kx_fill(b, 4096, 4096, kx_pattern(20));
	ck_assert_uint_eq(kx_judge(w.kx, w.f[0], 4096, 8192, b, INT64_MAX, INT64_MAX, NULL), 1);
	kx_free(w.kx);
}
END_TEST

/* ---- whole runs ------------------------------------------------------------------------------ */

#define NSTEPS 60

static struct kt_step *steps_new(void)
{
	return g_new0(struct kt_step, KT_STEPS);
}

/*
 * A busy run on one 256 KiB file: process P stores into pages 0-31 and copies from its
 * mapping of them with O_DIRECT onto pages 32-40, process Q writes through a pin of
 * pages 0-31, the main process writes, reads (pages 0-47) and starts writeback, all at
 * once; then a closer task joins them and writes page 40.
 *
 * No page a direct write lands on is ever mapped or pinned: such a page cannot be
 * invalidated, and a buffered read of it afterwards returns what it held before the
 * direct write.  That is the kernel's stale cache hazard, and the check does report
 * it (this run, with the pin over every page, found it as stale reads when the
 * machine was busy); here it would make "clean" depend on timing.
 */
static void busy_world(struct kt_world *w, const char *name, struct kt_step **keep)
{
	kt_world_new(w, name, NULL);
	kt_file(w, 0, "a", 256 * KiB);
	w->p[0] = kx_process(w->kx, "P");
	w->p[1] = kx_process(w->kx, "Q");
	w->m[0] = kx_mmap(w->kx, w->p[0], w->f[0], 0, 256 * KiB);
	w->m[1] = kx_mmap(w->kx, w->p[1], w->f[0], 0, 256 * KiB);
	struct kt_step *st[6];
	for (int i = 0; i < 6; i++)
		st[i] = keep[i] = steps_new();
	for (int i = 0; i < 20; i++) {
		uint64_t page = (uint64_t)(i * 7 % 32);
		st[0][2 * i] = (struct kt_step){ S_STORE, 0, page * 4096 + 64 * (uint64_t)(i % 8), 256, 0, 0 };
		st[0][2 * i + 1] = (struct kt_step){ S_SLEEP, 0, 30000, 0, 0, 0 };
		st[1][2 * i] = (struct kt_step){ S_DIO_WM, 0, (32 + (uint64_t)(i % 8)) * 4096, 8192, 0,
						 (uint64_t)(i * 3 % 24) * 4096 };
		st[1][2 * i + 1] = (struct kt_step){ S_SLEEP, 0, 50000, 0, 0, 0 };
		st[3][2 * i] = (struct kt_step){ S_PWRITE, 0, (uint64_t)(i * 5 % 28) * 4096 + 100, 5000, 0, 0 };
		st[3][2 * i + 1] = (struct kt_step){ S_PREAD, 0, (uint64_t)(i * 11 % 47) * 4096, 8192, 0, 0 };
		st[4][2 * i] = (struct kt_step){ S_RANGE, 0, 0, 0, 0, KX_SYNC_WRITE };
		st[4][2 * i + 1] = (struct kt_step){ S_SLEEP, 0, 40000, 0, 0, 0 };
	}
	st[2][0] = (struct kt_step){ S_PIN, 1, 0, 32 * 4096, 0, 0 };
	for (int i = 0; i < 20; i++) {
		st[2][1 + 2 * i] = (struct kt_step){ S_PIN_W, 0, (uint64_t)(i * 13 % 32) * 4096, 512, 0, 0 };
		st[2][2 + 2 * i] = (struct kt_step){ S_LOAD, 1, (uint64_t)(i * 13 % 32) * 4096, 4096, 0, 0 };
	}
	st[2][41] = (struct kt_step){ S_PIN_REL, 0, 0, 0, 0, 0 };
	for (int i = 0; i < 5; i++)
		st[5][i] = (struct kt_step){ S_JOIN, i, 0, 0, 0, 0 };
	st[5][5] = (struct kt_step){ S_PWRITE, 0, 40 * 4096, 4096, 0, 0 };
	kt_spawn(w, 0, "storer", w->p[0], st[0]);
	kt_spawn(w, 1, "copier", w->p[0], st[1]);
	kt_spawn(w, 2, "pinner", w->p[1], st[2]);
	kt_spawn(w, 3, "writer", NULL, st[3]);
	kt_spawn(w, 4, "flusher", NULL, st[4]);
	kt_spawn(w, 5, "closer", NULL, st[5]);
}

static void free_steps(struct kt_step **keep)
{
	for (int i = 0; i < 6; i++)
		g_free(keep[i]);
}

static void show_notes(const struct kx_verdict *v)
{
	for (guint i = 0; v->notes && i < v->notes->len; i++)
		fprintf(stderr, "  note: %s\n", (char *)v->notes->pdata[i]);
}

START_TEST(a_clean_run_is_clean_and_a_planted_loss_is_found)
{
	struct kt_world w;
	struct kt_step *keep[6];
	busy_world(&w, "busy", keep);
	kt_run(&w, KX_END_IDLE);
	struct kx_verdict v = kt_verify(&w);
	show_notes(&v);
	ck_assert_uint_eq(v.lost_writes, 0);
	ck_assert_uint_eq(v.stale_reads, 0);
	ck_assert_uint_eq(v.stale_cache_pages, 0);
	ck_assert(v.stale_cache_measured);
	ck_assert_uint_eq(v.unchecked_reads, 0);
	ck_assert_uint_eq(v.notes->len, 0);
	kx_verdict_clear(&v);
	struct metrics *m = kx_metrics(w.kx);
	ck_assert_uint_eq(m->c[M_STORES], 20);
	ck_assert_uint_eq(m->c[M_PIN_WRITES], 20);
	ck_assert_uint_eq(m->c[M_DIO_WRITES], 20);
	ck_assert_uint_eq(m->c[M_WRITES], 21);
	/* Plant two losses behind the executor's back: page 40, which the closer wrote
	 * last of all, gets the file's initial content again (the closer's write lost);
	 * byte 7 of page 60, which nothing but the initial content ever touched, is
	 * flipped.  Both differ from what kx_finish read through the cache, too. */
	uint8_t *old = g_malloc(4096);
	kx_fill(old, 40 * 4096, 4096, kx_pattern(1));
	kt_write_raw(&w, "a", 40 * 4096, old, 4096);
	g_free(old);
	uint8_t flip = (uint8_t)~kx_byte(kx_pattern(1), 60 * 4096 + 7);
	kt_write_raw(&w, "a", 60 * 4096 + 7, &flip, 1);
	v = kt_verify(&w);
	ck_assert_uint_eq(v.lost_writes, 2);
	ck_assert_uint_eq(v.stale_cache_pages, 2);
	ck_assert_uint_eq(kx_metrics(w.kx)->c[M_LOST_AT_END], 2);
	ck_assert_uint_ge(v.notes->len, 1);
	ck_assert(strstr(v.notes->pdata[0], "lost write: file 'a' offset 163840 (page 40) holds op 1 "
			 "(the initial content of file 'a'); acceptable: op "));
	ck_assert(strstr(v.notes->pdata[0], "pwrite by task 'closer'"));
	kx_verdict_clear(&v);
	kx_free(w.kx);
	free_steps(keep);
}
END_TEST

START_TEST(a_read_of_bytes_nobody_wrote_is_stale)
{
	struct kt_world w;
	kt_world_new(&w, "stale", NULL);
	kt_file(&w, 0, "a", 64 * KiB);
	/* Op 2 writes page 1; then, behind the executor, page 1 gets the initial content
	 * (op 1) back; the pread that follows returns it although op 2 had finished
	 * before the read began: a stale read, and (nobody writing page 1 again) a lost
	 * write at the end. */
	static const struct kt_step steps[] = {
		{ S_PWRITE, 0, 4096, 4096, 0, 0 },
		{ S_RAW_WRITE, 0, 4096, 4096, 0, 1 },
		{ S_PREAD, 0, 0, 3 * 4096, 0, 0 },
		{ S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "t", NULL, steps);
	kt_run(&w, KX_END_IDLE);
	struct kx_verdict v = kt_verify(&w);
	ck_assert_uint_eq(v.stale_reads, 1);
	ck_assert_uint_eq(v.lost_writes, 1);
	ck_assert_uint_eq(kx_metrics(w.kx)->c[M_STALE_READS], 1);
	ck_assert(strstr(v.notes->pdata[0], "stale read: task 't', pread of [0, +12288)"));
	kx_verdict_clear(&v);
	kx_free(w.kx);
}
END_TEST

START_TEST(unmeasured_metrics_say_why)
{
	const char *why = NULL;
	ck_assert_int_eq(kx_metric_measure("write.p99", &why), KX_MEASURED);
	ck_assert_int_eq(kx_metric_measure("fault.p99", &why), KX_NOT_MEASURED);
	ck_assert_int_eq(kx_metric_measure("checksum_errors", &why), KX_NOT_MEASURED);
	ck_assert(strstr(why, "integrity"));
	ck_assert_int_eq(kx_metric_measure("fsync_violations", &why), KX_NOT_MEASURED);
	ck_assert_int_eq(kx_metric_measure("stale_overwrites", &why), KX_NOT_MEASURED);
	ck_assert_int_eq(kx_metric_measure("stall.pin", &why), KX_NOT_MEASURED);
	ck_assert_int_eq(kx_metric_measure("lost_writes", &why), KX_NOT_MEASURED);
	ck_assert_int_eq(kx_metric_measure("lost_at_end", &why), KX_MEASURED);
	ck_assert_int_eq(kx_metric_measure("disk_writes", &why), KX_MEASURED_BY_ENV);
	ck_assert_int_eq(kx_metric_measure("stall.throttle", &why), KX_MEASURED_BY_ENV);
	/* Every public metric has an answer with a reason. */
	for (const char *const *n = metric_names(); *n; n++) {
		why = NULL;
		kx_metric_measure(*n, &why);
		ck_assert_msg(why && strcmp(why, "not a metric"), "%s has no entry", *n);
	}
}
END_TEST

static Suite *kexec_check_suite(void)
{
	Suite *s = suite_create("kexec_check");
	TCase *tc = tcase_create("check");
	tcase_add_unchecked_fixture(tc, kt_base_setup, kt_base_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, patterns_name_their_op);
	tcase_add_test(tc, summaries_are_runs_of_ops);
	tcase_add_test(tc, the_last_write_and_its_overlaps_pass);
	tcase_add_test(tc, a_read_may_see_what_was_there_in_its_window);
	tcase_add_test(tc, a_failed_write_overrules_nothing);
	tcase_add_test(tc, a_word_may_hold_two_writes);
	tcase_add_test(tc, a_copy_may_carry_a_source_write_that_raced_it);
	tcase_add_test(tc, a_clean_run_is_clean_and_a_planted_loss_is_found);
	tcase_add_test(tc, a_read_of_bytes_nobody_wrote_is_stale);
	tcase_add_test(tc, unmeasured_metrics_say_why);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(kexec_check_suite)
