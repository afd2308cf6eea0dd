/*
 * The kernel executor, operation by operation: what each op does to the real file,
 * where tasks run (threads, helper processes, one address space per process), that
 * they run at the same time, timing, events and deadlocks, errors, and that nothing
 * is left running afterwards.  Everything runs in a private directory under /var/tmp.
 */
#include "kexec_util.h"

#include <sys/wait.h>

#define KiB 1024ull
#define MiB (1024ull * 1024)

/* One file 'a' (64 KiB, initial content op 1), process P with a mapping of all of it. */
static void world_a(struct kt_world *w, const char *name)
{
	kt_world_new(w, name, NULL);
	kt_file(w, 0, "a", 64 * KiB);
	w->p[0] = kx_process(w->kx, "P");
	w->m[0] = kx_mmap(w->kx, w->p[0], w->f[0], 0, 64 * KiB);
}

START_TEST(pwrite_carries_its_pattern)
{
	struct kt_world w;
	world_a(&w, "pwrite");
	static const struct kt_step steps[] = {
		{ S_PWRITE, 0, 4099, 5000, 0, 0 }, { S_FSYNC, 0, 0, 0, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "writer", NULL, steps);
	kt_run(&w, KX_END_IDLE);
	ck_assert_int_eq(w.s[0].result[0], 0);
	ck_assert_int_eq(w.s[0].result[1], 0);
	/* Op 1 is the file's initial content, op 2 the pwrite: its bytes exactly, an
	 * unaligned range on both ends, and the neighbours untouched. */
	uint8_t *b = kt_read(&w, "a", 4000, 5300);
	ck_assert(kt_is_op(b, 4000, 99, 1));
	ck_assert(kt_is_op(b + 99, 4099, 5000, 2));
	ck_assert(kt_is_op(b + 5099, 9099, 201, 1));
	g_free(b);
	struct kx_verdict v = kt_verify(&w);
	ck_assert_uint_eq(v.lost_writes, 0);
	kx_verdict_clear(&v);
	kx_free(w.kx);
}
END_TEST

START_TEST(store_is_seen_by_pread)
{
	struct kt_world w;
	world_a(&w, "store");
	static const struct kt_step steps[] = {
		{ S_STORE, 0, 100, 300, 0, 0 }, { S_PREAD, 0, 0, 4096, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "storer", w.p[0], steps);
	kt_run(&w, KX_END_IDLE);
	uint8_t *b = kt_read(&w, "a", 0, 4096);
	ck_assert(kt_is_op(b, 0, 100, 1));
	ck_assert(kt_is_op(b + 100, 100, 300, 2));
	ck_assert(kt_is_op(b + 400, 400, 4096 - 400, 1));
	g_free(b);
	/* The pread began after the store ended: only the store's bytes are acceptable
	 * at [100, 400) for it, so a read through the file that missed the store made
	 * through the mapping would count as stale. */
	struct kx_verdict v = kt_verify(&w);
	ck_assert_uint_eq(v.stale_reads, 0);
	ck_assert_uint_eq(v.lost_writes, 0);
	ck_assert_uint_eq(v.unchecked_reads, 0);
	kx_verdict_clear(&v);
	kx_free(w.kx);
}
END_TEST

START_TEST(dio_from_a_mapping_copies_the_source)
{
	struct kt_world w;
	world_a(&w, "diocopy");
	static const struct kt_step steps[] = {
		{ S_STORE, 0, 0, 4096, 0, 0 },                  /* op 2 */
		{ S_DIO_WM, 0, 8192, 4096, 0, 0 },              /* op 3, from m at 0 */
		{ S_DIO_W, 0, 16384, 4096, 0, 0 },              /* op 4, anonymous buffer */
		{ S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "copier", w.p[0], steps);
	kt_run(&w, KX_END_IDLE);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(w.s[0].result[i], 0);
	/* The copy carries the source's bytes (the store's, op 2), not a pattern of its
	 * own; the anonymous write carries its own (op 4). */
	uint8_t *b = kt_read(&w, "a", 8192, 12288);
	ck_assert(kt_is_op(b, 8192, 4096, 2));
	ck_assert(kt_is_op(b + 4096, 12288, 4096, 1));
	ck_assert(kt_is_op(b + 8192, 16384, 4096, 4));
	g_free(b);
	struct kx_verdict v = kt_verify(&w);
	ck_assert_uint_eq(v.lost_writes, 0);
	kx_verdict_clear(&v);
	ck_assert_uint_eq(kx_metrics(w.kx)->c[M_DIO_WRITES], 2);
	kx_free(w.kx);
}
END_TEST

START_TEST(pin_write_lands_in_the_mapping)
{
	struct kt_world w;
	world_a(&w, "pin");
	static const struct kt_step steps[] = {
		{ S_PIN, 0, 4096, 8192, 0, 0 },
		{ S_PIN_W, 0, 512, 1024, 0, 0 },                /* op 2, at 4096 + 512 */
		{ S_LOAD, 0, 4096 + 512, 1024, 0, 0 },
		{ S_PIN_REL, 0, 0, 0, 0, 0 },
		{ S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "holder", w.p[0], steps);
	kt_run(&w, KX_END_IDLE);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(w.s[0].result[i], 0);
	ck_assert_uint_eq(kx_pin_size(w.s[0].pin), 8192);
	uint8_t *b = kt_read(&w, "a", 4096, 8192);
	ck_assert(kt_is_op(b, 4096, 512, 1));
	ck_assert(kt_is_op(b + 512, 4608, 1024, 2));
	ck_assert(kt_is_op(b + 1536, 5632, 8192 - 1536, 1));
	g_free(b);
	struct kx_verdict v = kt_verify(&w);
	ck_assert_uint_eq(v.stale_reads, 0);
	ck_assert_uint_eq(v.lost_writes, 0);
	kx_verdict_clear(&v);
	struct metrics *m = kx_metrics(w.kx);
	ck_assert_uint_eq(m->c[M_PIN_WRITES], 1);
	ck_assert_uint_eq(hist_count(m->lat[OPK_PIN_WRITE]), 1);
	/* The scratch file the pin:write read from is gone. */
	char *scratch = g_build_filename(w.dir, ".kx-scratch-0", NULL);
	ck_assert_int_ne(access(scratch, F_OK), 0);
	g_free(scratch);
	kx_free(w.kx);
}
END_TEST

START_TEST(syncs_return_zero)
{
	struct kt_world w;
	world_a(&w, "syncs");
	static const struct kt_step steps[] = {
		{ S_PWRITE, 0, 0, 8192, 0, 0 },
		{ S_FSYNC, 0, 0, 0, 0, 0 },
		{ S_FDATASYNC, 0, 0, 0, 0, 0 },
		{ S_STORE, 0, 8192, 100, 0, 0 },
		{ S_MSYNC, 0, 8192, 100, 0, 0 },
		{ S_RANGE, 0, 0, 4096, 0, KX_SYNC_WRITE },
		{ S_RANGE, 0, 0, 0, 0, KX_SYNC_WAIT_AFTER },
		{ S_RANGE, 0, 0, 4096, 0, KX_SYNC_WAIT_BEFORE | KX_SYNC_WRITE | KX_SYNC_WAIT_AFTER },
		{ S_SYNC, 0, 0, 0, 0, 0 },
		{ S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "syncer", w.p[0], steps);
	kt_run(&w, KX_END_IDLE);
	for (int i = 0; i < 9; i++)
		ck_assert_msg(w.s[0].result[i] == 0, "step %d returned %d", i, w.s[0].result[i]);
	struct metrics *m = kx_metrics(w.kx);
	/* fsync, fdatasync, msync and sync count as the model counts them; sync_file_range
	 * does not.  fsync/fdatasync/sync share the fsync histogram; msync has its own. */
	ck_assert_uint_eq(m->c[M_FSYNCS], 4);
	ck_assert_uint_eq(hist_count(m->lat[OPK_FSYNC]), 3);
	ck_assert_uint_eq(hist_count(m->lat[OPK_MSYNC]), 1);
	kx_free(w.kx);
}
END_TEST

/* ---- concurrency: a long fsync in one process, small writes in another ------------- */

struct conc {
	struct kt_world w;
	int a_step;
	uint64_t a_issued, a_done;
	bool a_done_set;
	GArray *b;                      /* of uint64_t pairs: issued, done */
	uint64_t b_issued;
};

static struct conc *conc_of(struct kx_task *t)
{
	return kx_task_data(t);
}

static void conc_resume(struct kx_task *t)
{
	struct conc *c = conc_of(t);
	struct kt_world *w = &c->w;
	uint64_t now = kx_now(w->kx);
	if (t == w->t[0]) {
		switch (c->a_step++) {
		case 0:
			kx_pwrite(t, w->f[0], 0, 32 * MiB);     /* 32 MiB dirty in the cache */
			return;
		case 1:
			c->a_issued = kx_now(w->kx);
			kx_fsync(t, w->f[0], false);            /* and now to the disk */
			return;
		default:
			c->a_done = now;
			c->a_done_set = true;
			kx_exit(t);
			return;
		}
	}
	if (c->b_issued) {
		uint64_t pair[2] = { c->b_issued, now };
		g_array_append_vals(c->b, pair, 2);
	}
	if ((c->a_step >= 2 && c->a_done_set) || c->b->len > 400000) {
		kx_exit(t);
		return;
	}
	c->b_issued = kx_now(w->kx);
	kx_pwrite(t, w->f[1], (c->b->len / 2 % 256) * 4096, 4096);
}

START_TEST(tasks_in_two_processes_run_at_once)
{
	static const struct kx_hooks hooks = { conc_resume };
	struct conc *c = g_new0(struct conc, 1);
	struct kt_world *w = &c->w;
	kt_world_new(w, "conc", &hooks);
	c->b = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	kt_file(w, 0, "big", 32 * MiB);
	kt_file(w, 1, "small", 1 * MiB);
	w->p[0] = kx_process(w->kx, "A");
	w->p[1] = kx_process(w->kx, "B");
	w->t[0] = kx_spawn(w->kx, "fsyncer", w->p[0], 0, c);
	w->t[1] = kx_spawn(w->kx, "writer", w->p[1], 0, c);
	kt_run(w, KX_END_IDLE);
	ck_assert(c->a_done_set);
	/* Some small write was issued after the fsync was and finished before the fsync
	 * did: it ran while the other process sat in fsync.  An executor that performed
	 * one operation at a time could not produce such a pair, however fast the disk. */
	guint inside = 0;
	for (guint i = 0; i < c->b->len; i += 2) {
		uint64_t is = g_array_index(c->b, uint64_t, i), dn = g_array_index(c->b, uint64_t, i + 1);
		if (is > c->a_issued && dn < c->a_done)
			inside++;
	}
	ck_assert_msg(inside > 0, "no write ran during the fsync (%u writes, fsync %" G_GUINT64_FORMAT
		      "-%" G_GUINT64_FORMAT " ns)", c->b->len / 2, c->a_issued, c->a_done);
	g_array_free(c->b, TRUE);
	kx_free(w->kx);
	g_free(c);
}
END_TEST

START_TEST(a_process_is_one_address_space)
{
	struct kt_world w;
	kt_world_new(&w, "spaces", NULL);
	kt_file(&w, 0, "a", 64 * KiB);
	w.p[0] = kx_process(w.kx, "P");
	w.p[1] = kx_process(w.kx, "Q");
	w.m[0] = kx_mmap(w.kx, w.p[0], w.f[0], 0, 64 * KiB);
	w.m[1] = kx_mmap(w.kx, w.p[1], w.f[0], 0, 64 * KiB);
	static const struct kt_step p0[] = {
		{ S_STORE, 0, 0, 64, 0, 0 }, { S_WAKE, 0, 0, 0, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	static const struct kt_step p1[] = {
		{ S_WAIT, 0, 0, 0, 0, 0 }, { S_LOAD, 0, 0, 64, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	static const struct kt_step q0[] = { { S_STORE, 1, 4096, 64, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	static const struct kt_step main0[] = { { S_PREAD, 0, 0, 8192, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "p0", w.p[0], p0);
	kt_spawn(&w, 1, "p1", w.p[0], p1);
	kt_spawn(&w, 2, "q0", w.p[1], q0);
	kt_spawn(&w, 3, "main0", NULL, main0);
	kt_run(&w, KX_END_IDLE);
	int pid_p0 = w.s[0].pid[0], pid_p1 = w.s[1].pid[1], pid_q = w.s[2].pid[0];
	/* p0 and p1 ran in one helper, q0 in another, main0 in this process. */
	ck_assert_int_eq(pid_p0, pid_p1);
	ck_assert_int_ne(pid_p0, pid_q);
	ck_assert_int_ne(pid_p0, getpid());
	ck_assert_int_ne(pid_q, getpid());
	ck_assert_int_eq(w.s[3].pid[0], getpid());
	/* One mapping, made once in P: both of P's tasks used it at the same address. */
	ck_assert_uint_ne(w.s[0].addr[0], 0);
	ck_assert_uint_eq(w.s[0].addr[0], w.s[1].addr[1]);
	struct kx_verdict v = kt_verify(&w);
	ck_assert_uint_eq(v.stale_reads, 0);    /* p1's load saw p0's store */
	ck_assert_uint_eq(v.lost_writes, 0);
	kx_verdict_clear(&v);
	kx_free(w.kx);
}
END_TEST

START_TEST(every_op_is_timed_in_its_kind)
{
	struct kt_world w;
	world_a(&w, "timing");
	static const struct kt_step steps[] = {
		{ S_PWRITE, 0, 0, 4096, 0, 0 }, { S_PWRITE, 0, 4096, 4096, 0, 0 },
		{ S_PWRITE, 0, 8192, 100, 0, 0 }, { S_STORE, 0, 0, 8, 0, 0 },
		{ S_STORE, 0, 12288, 4096, 0, 0 }, { S_PREAD, 0, 0, 4096, 0, 0 },
		{ S_LOAD, 0, 0, 4096, 0, 0 }, { S_DIO_R, 0, 16384, 4096, 0, 0 },
		{ S_DIO_W, 0, 20480, 4096, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "t", w.p[0], steps);
	kt_run(&w, KX_END_IDLE);
	struct metrics *m = kx_metrics(w.kx);
	ck_assert_uint_eq(hist_count(m->lat[OPK_WRITE]), 3);
	ck_assert_uint_eq(hist_count(m->lat[OPK_STORE]), 2);
	ck_assert_uint_eq(hist_count(m->lat[OPK_READ]), 3);     /* pread, load, O_DIRECT read */
	ck_assert_uint_eq(hist_count(m->lat[OPK_DIO_WRITE]), 1);
	ck_assert_uint_eq(hist_count(m->lat[OPK_FAULT]), 0);
	ck_assert_uint_eq(m->c[M_WRITES], 3);
	ck_assert_uint_eq(m->c[M_STORES], 2);
	ck_assert_uint_eq(m->c[M_DIO_WRITES], 1);
	/* Timed in the worker around the call alone, which lies inside the span from
	 * the loop's dispatch to its seeing the completion. */
	uint64_t widest = 0;
	for (int i = 0; i < 3; i++)
		widest = MAX(widest, w.s[0].done[i] - w.s[0].issued[i]);
	ck_assert_uint_le(hist_max(m->lat[OPK_WRITE]), widest);
	ck_assert_uint_gt(hist_min(m->lat[OPK_WRITE]), 0);
	ck_assert_uint_ge(m->c[M_SIM_TIME], w.s[0].done[8]);
	kx_free(w.kx);
}
END_TEST

START_TEST(events_joins_and_sleeps)
{
	struct kt_world w;
	world_a(&w, "events");
	static const struct kt_step t0[] = {
		{ S_SLEEP, 0, 2000000, 0, 0, 0 }, { S_WAKE, 0, 0, 0, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	static const struct kt_step t1[] = { { S_WAIT, 0, 0, 0, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	static const struct kt_step t2[] = { { S_JOIN, 1, 0, 0, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "sleeper", NULL, t0);
	kt_spawn(&w, 1, "waiter", NULL, t1);
	kt_spawn(&w, 2, "joiner", NULL, t2);
	kt_run(&w, KX_END_IDLE);
	/* A sleep never ends early; the waiter is woken by the sleeper only after its
	 * sleep; the joiner only after the waiter ended. */
	ck_assert_uint_ge(w.s[0].done[0] - w.s[0].issued[0], 2000000);
	ck_assert_uint_ge(w.s[1].done[0], w.s[0].done[0]);
	ck_assert_uint_ge(w.s[2].done[0], w.s[1].done[0]);
	kx_free(w.kx);
}
END_TEST

/*
 * With kx_set_spin, a worker done with an op spins for the next one and the loop
 * hands it over through the slot's bell word instead of the doorbell socket (both
 * for a thread of the calling process and a helper process's, across the shared
 * memory); every op still runs once, in order, with its result and its data.  Without
 * it, no op goes that way.  (Whether the handover is faster is a figure of the
 * pace, README "Pace": not asserted here.)
 */
static void spin_world(struct kt_world *w, const char *name, uint64_t spin)
{
	world_a(w, name);
	kx_set_spin(w->kx, spin);
	static struct kt_step steps[KT_STEPS];
	for (int i = 0; i < KT_STEPS - 1; i++)
		steps[i] = i % 4 == 3 ? (struct kt_step){ S_SLEEP, 0, 10000, 0, 0, 0 }
				      : (struct kt_step){ S_PWRITE, 0, (uint64_t)(i % 16) * 4096, 512, 0, 0 };
	steps[KT_STEPS - 1] = (struct kt_step){ S_END, 0, 0, 0, 0, 0 };
	kt_spawn(w, 0, "in-P", w->p[0], steps);
	kt_spawn(w, 1, "thread", NULL, steps);
	kt_run(w, KX_END_IDLE);
	for (int t = 0; t < 2; t++)
		for (int i = 0; i < KT_STEPS - 1; i++)
			ck_assert_msg(w->s[t].result[i] == 0, "task %d step %d: %d", t, i, w->s[t].result[i]);
	ck_assert_uint_eq(kx_metrics(w->kx)->c[M_WRITES], 2 * (KT_STEPS - 1 - (KT_STEPS - 1) / 4));
	struct kx_verdict v = kt_verify(w);
	ck_assert_uint_eq(v.lost_writes, 0);
	kx_verdict_clear(&v);
}

START_TEST(a_spinning_worker_is_handed_its_ops)
{
	struct kt_world w;
	spin_world(&w, "spin", 100000);
	ck_assert_uint_gt(kx_rung(w.kx), 0);
	kx_free(w.kx);
	spin_world(&w, "nospin", 0);
	ck_assert_uint_eq(kx_rung(w.kx), 0);
	kx_free(w.kx);
}
END_TEST

START_TEST(a_wait_nobody_ends_is_a_deadlock)
{
	struct kt_world w;
	world_a(&w, "deadlock");
	static const struct kt_step t0[] = { { S_WAIT, 1, 0, 0, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	static const struct kt_step t1[] = { { S_PWRITE, 0, 0, 10, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "stuck", NULL, t0);
	kt_spawn(&w, 1, "done", w.p[0], t1);
	kt_run(&w, KX_END_DEADLOCK);
	GPtrArray *b = kx_blocked_tasks(w.kx);
	ck_assert_uint_eq(b->len, 1);
	ck_assert_ptr_eq(b->pdata[0], w.t[0]);
	g_ptr_array_free(b, TRUE);
	ck_assert(kx_task_is_done(w.t[1]));
	kx_free(w.kx);
}
END_TEST

START_TEST(the_duration_ends_a_run)
{
	struct kt_world w;
	world_a(&w, "duration");
	static const struct kt_step t0[] = { { S_SLEEP, 0, 10000000000ull, 0, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "sleepy", w.p[0], t0);
	kt_start(&w);
	ck_assert_int_eq(kx_run(w.kx, 20000000, NULL), KX_END_DURATION);
	ck_assert(!kx_task_is_done(w.t[0]));
	kx_free(w.kx);                  /* finishes: the helper is told to quit */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

START_TEST(eio_reaches_the_task)
{
	struct kt_world w;
	world_a(&w, "eio");
	static const struct kt_step t0[] = {
		{ S_FAIL_NEXT, 0, EIO, 0, 0, 0 }, { S_PWRITE, 0, 0, 4096, 0, 0 },
		{ S_PWRITE, 0, 4096, 4096, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "t", w.p[0], t0);
	kt_run(&w, KX_END_IDLE);
	ck_assert_int_eq(w.s[0].result[1], -EIO);
	ck_assert_int_eq(w.s[0].result[2], 0);
	struct metrics *m = kx_metrics(w.kx);
	ck_assert_uint_eq(m->c[M_EIO_RETURNED], 1);
	ck_assert_uint_eq(hist_count(m->lat[OPK_WRITE]), 2);
	/* The failed write did not land (it was never performed): the old bytes are
	 * acceptable, since a failed write overrules nothing. */
	struct kx_verdict v = kt_verify(&w);
	ck_assert_uint_eq(v.lost_writes, 0);
	kx_verdict_clear(&v);
	kx_free(w.kx);
}
END_TEST

static void expect_error(struct kt_world *w, const char *const *needles)
{
	kt_start(w);
	GError *err = NULL;
	ck_assert_int_eq(kx_run(w->kx, 0, &err), KX_END_ERROR);
	ck_assert(err);
	for (int i = 0; needles[i]; i++)
		ck_assert_msg(strstr(err->message, needles[i]), "'%s' not in: %s", needles[i], err->message);
	g_error_free(err);
	kx_free(w->kx);
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
}

START_TEST(other_errors_stop_the_run)
{
	struct kt_world w;
	world_a(&w, "enospc");
	static const struct kt_step t0[] = {
		{ S_FAIL_NEXT, 0, ENOSPC, 0, 0, 0 }, { S_PWRITE, 0, 0, 4096, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "t", w.p[0], t0);
	static const char *const n[] = { "task 't'", "pwrite of file 'a'", "No space", NULL };
	expect_error(&w, n);
}
END_TEST

START_TEST(an_unaligned_pin_write_is_refused)
{
	struct kt_world w;
	world_a(&w, "pinalign");
	static const struct kt_step t0[] = {
		{ S_PIN, 0, 0, 8192, 0, 0 }, { S_PIN_W, 0, 100, 10, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "holder", w.p[0], t0);
	static const char *const n[] = { "pin:write", "O_DIRECT read", "aligned to 512", NULL };
	expect_error(&w, n);
}
END_TEST

START_TEST(a_mapping_is_used_in_its_own_process)
{
	struct kt_world w;
	world_a(&w, "wrongproc");
	static const struct kt_step t0[] = { { S_STORE, 0, 0, 10, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "outsider", NULL, t0);
	static const char *const n[] = { "m:store", "belongs to process 'P'", NULL };
	expect_error(&w, n);
}
END_TEST

START_TEST(a_helper_that_dies_ends_the_run)
{
	struct kt_world w;
	world_a(&w, "killed");
	static const struct kt_step t0[] = {
		{ S_PWRITE, 0, 0, 4096, 0, 0 }, { S_KILL_MINE, 0, 0, 0, 0, 0 },
		{ S_SLEEP, 0, 20000000, 0, 0, 0 }, { S_PWRITE, 0, 0, 4096, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "victim", w.p[0], t0);
	kt_start(&w);
	GError *err = NULL;
	ck_assert_int_eq(kx_run(w.kx, 0, &err), KX_END_ERROR);
	/* The loop notices the pidfd during the sleep: the error names the process and
	 * how it ended. */
	ck_assert_msg(strstr(err->message, "process 'P'") && strstr(err->message, "signal 9"),
		      "%s", err->message);
	g_error_free(err);
	kx_free(w.kx);
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
}
END_TEST

static int stopper_calls;

static void stopper(struct kx_task *t)
{
	struct kt_world *w = kx_task_data(t);
	if (stopper_calls++ == 0)
		kx_pwrite(t, w->f[0], 0, 4096);
	else
		kx_stop(w->kx);         /* and return without an operation */
}

static void silent(struct kx_task *t)
{
	(void)t;                        /* neither an operation nor kx_exit */
}

START_TEST(the_driver_can_stop_a_run)
{
	static const struct kx_hooks hooks = { stopper };
	struct kt_world w;
	kt_world_new(&w, "stop", &hooks);
	kt_file(&w, 0, "a", 64 * KiB);
	kx_spawn(w.kx, "t", NULL, 0, &w);
	kt_run(&w, KX_END_STOPPED);
	ck_assert_int_eq(stopper_calls, 2);
	ck_assert_uint_eq(kx_metrics(w.kx)->c[M_WRITES], 1);
	kx_free(w.kx);
	/* A driver that forgets to issue anything is told so. */
	static const struct kx_hooks bad = { silent };
	kt_world_new(&w, "silent", &bad);
	kt_file(&w, 0, "a", 4096);
	kx_spawn(w.kx, "mute", NULL, 0, &w);
	static const char *const n[] = { "task 'mute'", "without an operation", NULL };
	expect_error(&w, n);
}
END_TEST

START_TEST(nothing_is_left_running)
{
	struct kt_world w;
	world_a(&w, "leaks");
	w.p[1] = kx_process(w.kx, "Q");
	static const struct kt_step t0[] = { { S_STORE, 0, 0, 4096, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	static const struct kt_step t1[] = { { S_PWRITE, 0, 8192, 4096, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	static const struct kt_step t2[] = { { S_PREAD, 0, 0, 4096, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "p", w.p[0], t0);
	kt_spawn(&w, 1, "q", w.p[1], t1);
	kt_spawn(&w, 2, "m", NULL, t2);
	kt_start(&w);
	/* While it runs: two helpers are our children, and this process has worker threads. */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), 0);
	ck_assert_int_eq(kx_run(w.kx, 0, NULL), KX_END_IDLE);
	kx_finish(w.kx);
	/* After: no child at all (none running, none a zombie), and one thread. */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	GDir *d = g_dir_open("/proc/self/task", 0, NULL);
	int threads = 0;
	while (g_dir_read_name(d))
		threads++;
	g_dir_close(d);
	ck_assert_int_eq(threads, 1);
	kx_free(w.kx);
}
END_TEST

/* dbench's clients keep their files in directories of their own. */
START_TEST(files_in_directories)
{
	struct kt_world w;
	kt_world_new(&w, "dirs", NULL);
	char *old = g_build_filename(w.dir, "old", NULL);
	ck_assert_int_eq(mkdir(old, 0755), 0);
	g_free(old);
	kt_file(&w, 0, "c1/data", 16 * KiB);
	kt_file(&w, 1, "c1/sub/log", 8 * KiB);
	kt_file(&w, 2, "old/x", 8 * KiB);       /* into a directory that was there */
	static const struct kt_step steps[] = {
		{ S_PWRITE, 1, 100, 5000, 0, 0 }, { S_FSYNC, 1, 0, 0, 0, 0 }, { S_END, 0, 0, 0, 0, 0 } };
	kt_spawn(&w, 0, "writer", NULL, steps);
	kt_run(&w, KX_END_IDLE);
	ck_assert_int_eq(w.s[0].result[0], 0);
	/* Ops 1-3 are the files' initial contents, in declaration order; op 4 the pwrite. */
	uint8_t *b = kt_read(&w, "c1/sub/log", 0, 8 * KiB);
	ck_assert(kt_is_op(b, 0, 100, 2));
	ck_assert(kt_is_op(b + 100, 100, 5000, 4));
	ck_assert(kt_is_op(b + 5100, 5100, 8 * KiB - 5100, 2));
	g_free(b);
	b = kt_read(&w, "c1/data", 0, 16 * KiB);
	ck_assert(kt_is_op(b, 0, 16 * KiB, 1));
	g_free(b);
	b = kt_read(&w, "old/x", 0, 8 * KiB);
	ck_assert(kt_is_op(b, 0, 8 * KiB, 3));
	g_free(b);
	struct kx_verdict v = kt_verify(&w);
	ck_assert_uint_eq(v.lost_writes, 0);
	kx_verdict_clear(&v);
	kx_free(w.kx);
}
END_TEST

START_TEST(declarations_are_checked)
{
	struct kt_world w;
	kt_world_new(&w, "decl", NULL);
	GError *err = NULL;
	/* Paths below the directory are fine; nothing that leaves it or is ambiguous. */
	static const char *const bad[] = { "/a", "a/", "a//b", "./a", "a/../b", "..", "" };
	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		ck_assert_msg(!kx_file(w.kx, bad[i], 10, &err), "'%s' was taken", bad[i]);
		ck_assert(strstr(err->message, "relative path of plain names"));
		g_clear_error(&err);
	}
	char *longname = g_strnfill(256, 'n');
	ck_assert_ptr_null(kx_file(w.kx, longname, 10, &err));
	g_clear_error(&err);
	g_free(longname);
	ck_assert_ptr_nonnull(kx_file(w.kx, "d/e", 10, NULL));
	ck_assert_ptr_null(kx_file(w.kx, "d/e/f", 10, &err));     /* d/e is a file */
	ck_assert(strstr(err->message, "directory of the other"));
	g_clear_error(&err);
	ck_assert_ptr_null(kx_file(w.kx, "d", 10, &err));         /* d is a directory */
	g_clear_error(&err);
	ck_assert_ptr_null(kx_file(w.kx, ".kx-scratch-0", 10, &err));
	g_clear_error(&err);
	ck_assert_ptr_null(kx_file(w.kx, "z", 0, &err));
	g_clear_error(&err);
	ck_assert_ptr_nonnull(kx_file(w.kx, "a", 10, NULL));
	ck_assert_ptr_null(kx_file(w.kx, "a", 10, &err));
	ck_assert(strstr(err->message, "twice"));
	g_clear_error(&err);
	/* A file already in the directory is never written over, and nothing is left. */
	kt_write_raw(&w, "a", 0, "keep", 4);
	ck_assert(!kx_prepare(w.kx, &err));
	ck_assert(strstr(err->message, "cannot create"));
	g_clear_error(&err);
	uint8_t *b = kt_read(&w, "a", 0, 4);
	ck_assert(!memcmp(b, "keep", 4));
	g_free(b);
	/* The failed prepare took back the directory it made for d/e, and d/e with it. */
	char *d = g_build_filename(w.dir, "d", NULL);
	ck_assert(!g_file_test(d, G_FILE_TEST_EXISTS));
	g_free(d);
	kx_free(w.kx);
	ck_assert_ptr_null(kx_new("/nonexistent/wbsim", &kt_hooks, &err));
	g_clear_error(&err);
}
END_TEST

static Suite *kexec_suite(void)
{
	Suite *s = suite_create("kexec");
	TCase *tc = tcase_create("ops");
	tcase_add_unchecked_fixture(tc, kt_base_setup, kt_base_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pwrite_carries_its_pattern);
	tcase_add_test(tc, store_is_seen_by_pread);
	tcase_add_test(tc, dio_from_a_mapping_copies_the_source);
	tcase_add_test(tc, pin_write_lands_in_the_mapping);
	tcase_add_test(tc, syncs_return_zero);
	tcase_add_test(tc, tasks_in_two_processes_run_at_once);
	tcase_add_test(tc, a_process_is_one_address_space);
	tcase_add_test(tc, every_op_is_timed_in_its_kind);
	tcase_add_test(tc, events_joins_and_sleeps);
	tcase_add_test(tc, a_spinning_worker_is_handed_its_ops);
	tcase_add_test(tc, a_wait_nobody_ends_is_a_deadlock);
	tcase_add_test(tc, the_duration_ends_a_run);
	tcase_add_test(tc, eio_reaches_the_task);
	tcase_add_test(tc, other_errors_stop_the_run);
	tcase_add_test(tc, an_unaligned_pin_write_is_refused);
	tcase_add_test(tc, a_mapping_is_used_in_its_own_process);
	tcase_add_test(tc, a_helper_that_dies_ends_the_run);
	tcase_add_test(tc, the_driver_can_stop_a_run);
	tcase_add_test(tc, nothing_is_left_running);
	tcase_add_test(tc, declarations_are_checked);
	tcase_add_test(tc, files_in_directories);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(kexec_suite)
