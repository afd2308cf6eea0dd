/*
 * The kernel executor's Buffers and asynchronous direct I/O (sim/linux/kexec_buf.c,
 * kexec_uring.c): a Buffer is memory of the task's own process, stores and loads go
 * through it, direct writes take their bytes from it and direct reads land in it,
 * synchronously or through io_uring; and the data check judges what a direct write
 * took from a Buffer that was being stored into meanwhile, without loosening: a byte
 * no acceptable store put there is still found.
 *
 * SKIPs (77) where the kernel has no io_uring for us, saying so.
 */
#include "kexec_util.h"

#include <linux/io_uring.h>
#include <sys/syscall.h>

#define KiB 1024ull

/* One 256 KiB file 'a' (op 1), process P with a 64 KiB Buffer (b[0]), and the main
 * process with a 16 KiB one (b[1]). */
static void world_b(struct kt_world *w, const char *name)
{
	kt_world_new(w, name, NULL);
	kt_file(w, 0, "a", 256 * KiB);
	w->p[0] = kx_process(w->kx, "P");
	w->b[0] = kx_alloc(w->kx, w->p[0], 64 * KiB);
	w->b[1] = kx_alloc(w->kx, NULL, 16 * KiB);
	ck_assert_ptr_nonnull(w->b[0]);
	ck_assert_ptr_null(kx_alloc(w->kx, NULL, 0));
}

static void show_notes(const struct kx_verdict *v)
{
	for (guint i = 0; v->notes && i < v->notes->len; i++)
		fprintf(stderr, "  note: %s\n", (char *)v->notes->pdata[i]);
}

static void assert_clean(struct kt_world *w)
{
	struct kx_verdict v = kt_verify(w);
	show_notes(&v);
	ck_assert_uint_eq(v.lost_writes, 0);
	ck_assert_uint_eq(v.stale_reads, 0);
	ck_assert_uint_eq(v.unchecked_reads, 0);
	kx_verdict_clear(&v);
}

/* ---- alloc, store, load ------------------------------------------------------------------- */

START_TEST(a_buffer_is_memory_of_its_process)
{
	struct kt_world w;
	world_b(&w, "alloc");
	/* Op 2 and op 3 into P's Buffer, op 4 into the main process's; each load is
	 * judged against the Buffer's history: what the store put there, or zeroes where
	 * nothing was stored. */
	static const struct kt_step in_p[] = {
		{ S_BUF_ST, 0, 0, 8192, 0, 0 },                 /* op 2 */
		{ S_BUF_ST, 0, 4096 + 3, 100, 0, 0 },           /* op 3, unaligned */
		{ S_BUF_LD, 0, 0, 16384, 0, 0 },
		{ S_END, 0, 0, 0, 0, 0 } };
	static const struct kt_step in_main[] = {
		{ S_BUF_ST, 1, 512, 1024, 0, 0 },               /* op 4 */
		{ S_BUF_LD, 1, 0, 4096, 0, 0 },
		{ S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "p", w.p[0], in_p);
	kt_spawn(&w, 1, "main", NULL, in_main);
	kt_run(&w, KX_END_IDLE);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(w.s[0].result[i], 0);
	/* P's Buffer is in the helper, page aligned; the main one in this process. */
	ck_assert_int_ne(w.s[0].pid[2], getpid());
	ck_assert_int_eq(w.s[0].pid[0], w.s[0].pid[2]);
	ck_assert_uint_eq(w.s[0].addr[2] % 4096, 0);
	ck_assert_int_eq(w.s[1].pid[1], getpid());
	ck_assert_uint_ne(w.s[1].addr[1], 0);
	assert_clean(&w);
	/* Buffer stores are neither counted nor timed as stores (as in the model). */
	ck_assert_uint_eq(kx_metrics(w.kx)->c[M_STORES], 0);
	ck_assert_uint_eq(kx_buf_size(w.b[0]), 64 * KiB);
	kx_free(w.kx);
}
END_TEST

START_TEST(a_load_of_bytes_nobody_stored_is_stale)
{
	/* The check of Buffer loads can fail: a load judged against a history in which
	 * op 2 was stored before it, while the load got zeroes. */
	struct kt_world w;
	world_b(&w, "bufstale");
	static const struct kt_step none[] = { { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "t", w.p[0], none);
	GError *err = NULL;
	ck_assert(kx_prepare(w.kx, &err));
	struct kx_file *shell = &w.b[0]->shell;
	/* The loads wait (pending) while the store arrives, as in a run. */
	struct kx_run zero = { 0, 4096, 0 }, two = { 0, 4096, kx_pattern(2) };
	kx_check_read_op(w.kx, 0, 0, KX_OP_BUF_LOAD, shell, 0, 4096, 30, 40, &zero, 1, false, NULL, 0, 0);
	kx_check_read_op(w.kx, 0, 0, KX_OP_BUF_LOAD, shell, 0, 4096, 30, 40, &two, 1, false, NULL, 0, 0);
	/* During the store, zeroes were still there. */
	kx_check_read_op(w.kx, 0, 0, KX_OP_BUF_LOAD, shell, 0, 4096, 15, 16, &zero, 1, false, NULL, 0, 0);
	kx_record_add(w.kx, &(struct kx_record){ .op = 2, .file = shell->idx, .task = 0,
		.kind = KX_OP_BUF_STORE, .start = 10, .end = 20, .lo = 0, .hi = 4096 });
	kx_check_pending(w.kx, true);
	ck_assert_uint_eq(kx_stale_reads(w.kx), 1);
	GPtrArray *notes = kx_take_notes(w.kx);
	ck_assert_msg(strstr(notes->pdata[0], "stale read: task 't', buf:load of [0, +4096) at "
			     "0.000-0.000 ms: Buffer 0 of process 'P' offset 0 (page 0) holds bytes of "
			     "no op (0000000000000000); acceptable: op 2 (buf:store by task 't'"), "%s",
		      (char *)notes->pdata[0]);
	g_ptr_array_free(notes, TRUE);
	kx_free(w.kx);
}
END_TEST

/* ---- synchronous direct I/O with a Buffer ---------------------------------------------------- */

START_TEST(a_direct_write_takes_the_buffers_bytes)
{
	struct kt_world w;
	world_b(&w, "diob");
	static const struct kt_step steps[] = {
		{ S_BUF_ST, 0, 4096, 8192, 0, 0 },              /* op 2 */
		{ S_DIO_WB, 0, 32768, 16384, 0, 0 },            /* op 3: Buffer [0, 16K) -> a at 32K */
		{ S_DIO_RB, 0, 0, 8192, 0, 32768 },             /* a [0, 8K) (op 1) -> Buffer at 32K */
		{ S_BUF_LD, 0, 32768, 8192, 0, 0 },
		{ S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "copier", w.p[0], steps);
	kt_run(&w, KX_END_IDLE);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(w.s[0].result[i], 0);
	/* The destination holds the Buffer as it was: zeroes, op 2, zeroes; not a
	 * pattern of the write's own (op 3). */
	uint8_t *b = kt_read(&w, "a", 32768, 16384);
	for (int i = 0; i < 4096; i++)
		ck_assert_uint_eq(b[i], 0);
	ck_assert(kt_is_op(b + 4096, 36864, 8192, 2));
	for (int i = 12288; i < 16384; i++)
		ck_assert_uint_eq(b[i], 0);
	g_free(b);
	assert_clean(&w);
	struct metrics *m = kx_metrics(w.kx);
	ck_assert_uint_eq(m->c[M_DIO_WRITES], 1);
	ck_assert_uint_eq(hist_count(m->lat[OPK_DIO_WRITE]), 1);
	ck_assert_uint_eq(hist_count(m->lat[OPK_READ]), 1);     /* the direct read */
	kx_free(w.kx);
}
END_TEST

/* ---- asynchronous direct I/O ------------------------------------------------------------------ */

START_TEST(async_direct_io_completes_at_its_wait)
{
	struct kt_world w;
	world_b(&w, "async");
	static const struct kt_step steps[] = {
		{ S_BUF_ST, 0, 0, 16384, 0, 0 },                /* 0: op 2 */
		{ S_ADIO_WB, 0, 65536, 16384, 0, 0 },           /* 1: op 3, Buffer [0, 16K) */
		{ S_ADIO_WB, 0, 98304, 8192, -1, 0 },           /* 2: op 4, its own pattern */
		{ S_ADIO_RB, 0, 0, 4096, 0, 32768 },            /* 3: a [0, 4K) -> Buffer at 32K */
		{ S_IO_WAIT, 2, 0, 0, 0, 0 },                   /* 4 */
		{ S_IO_WAIT, 1, 0, 0, 0, 0 },                   /* 5 */
		{ S_IO_WAIT, 3, 0, 0, 0, 0 },                   /* 6 */
		{ S_BUF_LD, 0, 32768, 4096, 0, 0 },             /* 7: what the read put there */
		{ S_FAIL_NEXT, 0, EIO, 0, 0, 0 },               /* 8 */
		{ S_ADIO_WB, 0, 131072, 4096, 0, 0 },           /* 9: op 5, fails */
		{ S_IO_WAIT, 9, 0, 0, 0, 0 },                   /* 10: -EIO */
		{ S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "submitter", w.p[0], steps);
	kt_run(&w, KX_END_IDLE);
	for (int i = 0; i <= 7; i++)
		ck_assert_msg(w.s[0].result[i] == 0, "step %d: %d", i, w.s[0].result[i]);
	for (int i = 1; i <= 3; i++)
		ck_assert_ptr_nonnull(w.s[0].io[i]);
	ck_assert_ptr_nonnull(w.s[0].io[9]);
	ck_assert_int_eq(w.s[0].result[9], 0);          /* the submission succeeded */
	ck_assert_int_eq(w.s[0].result[10], -EIO);
	uint8_t *b = kt_read(&w, "a", 65536, 16384);
	ck_assert(kt_is_op(b, 65536, 16384, 2));
	g_free(b);
	b = kt_read(&w, "a", 98304, 8192);
	ck_assert(kt_is_op(b, 98304, 8192, 4));
	g_free(b);
	assert_clean(&w);
	struct metrics *m = kx_metrics(w.kx);
	ck_assert_uint_eq(m->c[M_DIO_WRITES], 3);
	ck_assert_uint_eq(hist_count(m->lat[OPK_DIO_WRITE]), 3);
	ck_assert_uint_eq(hist_count(m->lat[OPK_READ]), 1);
	ck_assert_uint_eq(m->c[M_EIO_RETURNED], 1);
	/* The latency is submission to completion: not nothing. */
	ck_assert(hist_mean(m->lat[OPK_DIO_WRITE]) > 0);
	kx_free(w.kx);
}
END_TEST

/*
 * eio_returned counts an asynchronous I/O's EIO when a wait hands it to the program, as
 * the model does (op_io_wait): not an I/O nobody waits for, and once for one that
 * completed before its wait came (the wait takes the result at once) as for one whose
 * waiter was already asleep (the completion wakes it: the test above).
 */
START_TEST(an_async_eio_counts_at_its_wait)
{
	struct kt_world w;
	world_b(&w, "aeio");
	static const struct kt_step steps[] = {
		{ S_FAIL_NEXT, 0, EIO, 0, 0, 0 },               /* 0 */
		{ S_ADIO_WB, 0, 0, 4096, -1, 0 },               /* 1: fails, never waited */
		{ S_FAIL_NEXT, 0, EIO, 0, 0, 0 },               /* 2 */
		{ S_ADIO_WB, 0, 65536, 4096, -1, 0 },           /* 3: fails */
		{ S_SLEEP, 0, 50000000, 0, 0, 0 },              /* 4: both complete meanwhile */
		{ S_IO_WAIT, 3, 0, 0, 0, 0 },                   /* 5: -EIO, at once */
		{ S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "submitter", w.p[0], steps);
	kt_run(&w, KX_END_IDLE);
	ck_assert_int_eq(w.s[0].result[1], 0);          /* the submissions succeeded */
	ck_assert_int_eq(w.s[0].result[3], 0);
	ck_assert_int_eq(w.s[0].result[5], -EIO);
	struct metrics *m = kx_metrics(w.kx);
	ck_assert_uint_eq(hist_count(m->lat[OPK_DIO_WRITE]), 2);       /* both completed */
	ck_assert_uint_eq(m->c[M_EIO_RETURNED], 1);
	kx_free(w.kx);
}
END_TEST

/*
 * The race of dio-buffer-race: a submitter keeps @depth async writes in flight from
 * slots of a Buffer, and a scribbler of the same process stores into the Buffer all
 * the while.  The device may take a slot's bytes at any instant of the call, so a
 * destination may hold bytes stored after the submission; the check must accept
 * them (no lost write) and still judge every page.
 */
#define SLOTS 4
#define ROUNDS 12
#define SLOT (16 * KiB)

static void race_world(struct kt_world *w, const char *name, struct kt_step **keep)
{
	kt_world_new(w, name, NULL);
	kt_file(w, 0, "a", 1024 * KiB);
	w->p[0] = kx_process(w->kx, "app");
	w->b[0] = kx_alloc(w->kx, w->p[0], SLOTS * SLOT);
	struct kt_step *sub = keep[0] = g_new0(struct kt_step, KT_STEPS);
	struct kt_step *scr = keep[1] = g_new0(struct kt_step, KT_STEPS);
	unsigned n = 0, last[SLOTS];
	for (unsigned i = 0; i < ROUNDS; i++) {
		unsigned slot = i % SLOTS;
		if (i >= SLOTS)
			sub[n++] = (struct kt_step){ S_IO_WAIT, (int)last[slot], 0, 0, 0, 0 };
		sub[n++] = (struct kt_step){ S_BUF_ST, 0, slot * SLOT, SLOT, 0, 0 };
		last[slot] = n;
		sub[n++] = (struct kt_step){ S_ADIO_WB, 0, (uint64_t)i * SLOT, SLOT, 0, slot * SLOT };
	}
	for (unsigned slot = 0; slot < SLOTS; slot++)
		sub[n++] = (struct kt_step){ S_IO_WAIT, (int)last[slot], 0, 0, 0, 0 };
	g_assert(n < KT_STEPS);
	/* Each place twice in a row: the second store covers the first at once, which the
	 * check must not forget while a write that may have taken the first is in flight. */
	for (unsigned i = 0; i < KT_STEPS - 1; i++)
		scr[i] = (struct kt_step){ S_BUF_ST, 0, (uint64_t)(i / 2 * 1000 % (SLOTS * SLOT - 512)), 512,
					   0, 0 };
	kt_spawn(w, 0, "submitter", w->p[0], sub);
	kt_spawn(w, 1, "scribbler", w->p[0], scr);
}

START_TEST(a_buffer_scribbled_during_async_writes_loses_nothing)
{
	struct kt_world w;
	struct kt_step *keep[2];
	race_world(&w, "race", keep);
	kt_run(&w, KX_END_IDLE);
	for (unsigned i = 0; i < KT_STEPS && keep[0][i].k != S_END; i++)
		ck_assert_msg(w.s[0].result[i] == 0, "step %u: %d", i, w.s[0].result[i]);
	assert_clean(&w);
	ck_assert_uint_eq(kx_metrics(w.kx)->c[M_DIO_WRITES], ROUNDS);
	ck_assert_uint_eq(hist_count(kx_metrics(w.kx)->lat[OPK_DIO_WRITE]), ROUNDS);
	/* Now a byte no acceptable write put there: the last page of the first write's
	 * destination gets zeroes, which its slot had been stored over before the write. */
	uint8_t zero[4096] = { 0 };
	kt_write_raw(&w, "a", SLOT - 4096, zero, sizeof(zero));
	struct kx_verdict v = kt_verify(&w);
	ck_assert_uint_eq(v.lost_writes, 1);
	ck_assert_msg(strstr(v.notes->pdata[0], "lost write: file 'a' offset 12288 (page 3) holds "
			     "bytes of no op"), "%s", (char *)v.notes->pdata[0]);
	ck_assert(strstr(v.notes->pdata[0], "O_DIRECT write by task 'submitter'"));
	kx_verdict_clear(&v);
	kx_free(w.kx);
	g_free(keep[0]);
	g_free(keep[1]);
}
END_TEST

/*
 * The rule for a direct write from a Buffer, on a hand-made history: stores into the
 * Buffer X ([0, 10], op 10) and Y ([20, 30], op 11) finished before a write that read
 * the Buffer at 45 ([40, 100], op 20, from Buffer [0, 4K) to file [8K, 12K)); Z
 * ([50, 60], op 12) overlapped it; W ([200, 210], op 13) came after.  The file may
 * hold Y's bytes (the last to complete before) or Z's (overlapped): not X's (Y
 * covered them before the write began), not W's, not the write's own pattern.
 */
static uint64_t buffer_copy_case(uint32_t held)
{
	static int n;
	char name[32];
	g_snprintf(name, sizeof(name), "bufrule%d", n++);
	struct kt_world w;
	world_b(&w, name);
	static const struct kt_step none[] = { { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "t", w.p[0], none);
	GError *err = NULL;
	ck_assert(kx_prepare(w.kx, &err));
	uint32_t buf = w.b[0]->shell.idx;
	/* A load of the Buffer during [5, 8] still to be judged keeps what it may have
	 * seen (X among others) from being pruned: the rule, not the pruning, must
	 * exclude X. */
	struct kx_run zero = { 0, 4096, 0 };
	kx_check_read_op(w.kx, 0, 0, KX_OP_BUF_LOAD, &w.b[0]->shell, 0, 4096, 5, 8, &zero, 1, false,
			 NULL, 0, 0);
	const uint32_t ops[] = { 10, 11, 12, 13 };
	const int64_t when[][2] = { { 0, 10 }, { 20, 30 }, { 50, 60 }, { 200, 210 } };
	for (int i = 0; i < 3; i++)
		kx_record_add(w.kx, &(struct kx_record){ .op = ops[i], .file = buf, .task = 0,
			.kind = KX_OP_BUF_STORE, .start = when[i][0], .end = when[i][1], .lo = 0, .hi = 4096 });
	/* What the worker read at 45: Y's bytes. */
	struct kx_run snap = { 8192, 12288, kx_pattern(11) };
	kx_check_copy_op(w.kx, 0, 20, w.f[0], 8192, 12288, &w.b[0]->shell, 0, 45, 40, 100, &snap, 1,
			 false, false);
	kx_record_add(w.kx, &(struct kx_record){ .op = ops[3], .file = buf, .task = 0,
		.kind = KX_OP_BUF_STORE, .start = when[3][0], .end = when[3][1], .lo = 0, .hi = 4096 });
	kx_check_pending(w.kx, true);
	uint8_t b[4096];
	kx_fill(b, 8192, sizeof(b), kx_pattern(held));
	uint64_t bad = kx_judge(w.kx, w.f[0], 8192, 12288, b, INT64_MAX, INT64_MAX, NULL);
	kx_free(w.kx);
	return bad;
}

START_TEST(a_direct_write_from_a_buffer_is_judged_by_the_rule)
{
	ck_assert_uint_eq(buffer_copy_case(11), 0);     /* Y: last before */
	ck_assert_uint_eq(buffer_copy_case(12), 0);     /* Z: overlapped */
	ck_assert_uint_eq(buffer_copy_case(10), 1);     /* X: covered before it began */
	ck_assert_uint_eq(buffer_copy_case(13), 1);     /* W: after it */
	ck_assert_uint_eq(buffer_copy_case(20), 1);     /* its own op id: no data */
	ck_assert_uint_eq(buffer_copy_case(1), 1);      /* the file's old content */
}
END_TEST

/* ---- refusals -------------------------------------------------------------------------------- */

START_TEST(a_buffer_is_used_in_its_own_process)
{
	struct kt_world w;
	world_b(&w, "bufproc");
	static const struct kt_step steps[] = {
		{ S_BUF_ST, 0, 0, 4096, 0, 0 },                 /* P's Buffer from the main process */
		{ S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "stranger", NULL, steps);
	kt_start(&w);
	GError *err = NULL;
	ck_assert_int_eq(kx_run(w.kx, 0, &err), KX_END_ERROR);
	ck_assert_msg(strstr(err->message, "task 'stranger': buf:store: the task runs in the main "
			     "process but Buffer 0 of process 'P' is that process's memory"), "%s",
		      err->message);
	g_clear_error(&err);
	kx_free(w.kx);
}
END_TEST

static Suite *kexec_buf_suite(void)
{
	Suite *s = suite_create("kexec_buf");
	TCase *tc = tcase_create("buffers");
	tcase_add_unchecked_fixture(tc, kt_base_setup, kt_base_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_buffer_is_memory_of_its_process);
	tcase_add_test(tc, a_load_of_bytes_nobody_stored_is_stale);
	tcase_add_test(tc, a_direct_write_takes_the_buffers_bytes);
	tcase_add_test(tc, async_direct_io_completes_at_its_wait);
	tcase_add_test(tc, an_async_eio_counts_at_its_wait);
	tcase_add_test(tc, a_buffer_scribbled_during_async_writes_loses_nothing);
	tcase_add_test(tc, a_direct_write_from_a_buffer_is_judged_by_the_rule);
	tcase_add_test(tc, a_buffer_is_used_in_its_own_process);
	suite_add_tcase(s, tc);
	return s;
}

/* io_uring may be compiled out or disabled (kernel.io_uring_disabled): say so, 77. */
static const char *no_io_uring(void)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	int fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (fd < 0)
		return g_strerror(errno);
	close(fd);
	return NULL;
}

int main(void)
{
	const char *why = no_io_uring();
	if (why) {
		printf("SKIP: io_uring_setup: %s (kernel.io_uring_disabled, or a kernel without it)\n", why);
		return 77;
	}
	SRunner *sr = srunner_create(kexec_buf_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
