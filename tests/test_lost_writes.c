/*
 * Lost writes are counted when they are lost (check/oracle.h): each story builds a
 * loss, sees lost_writes move at the moment the write lost its last way to the disk
 * (the trace line's time and cause say when and why), and, where the story lets a later
 * write cover the block, sees lost_at_end stay at zero while lost_writes keeps the
 * count.  Each has a twin without the loss.
 *
 * Timings (test_config): a write request is served in 100 us; the device reads the
 * data at dma_at of that (50 us unless a story says otherwise).
 */
#include "model_util.h"

#include <inttypes.h>

#define US 1000ull

/* The time stamp of a trace line, in ns. */
static uint64_t line_ns(const char *line)
{
	const char *p = strstr(line, "] ");
	ck_assert_ptr_nonnull(p);
	uint64_t s = 0, ns = 0;
	ck_assert_int_eq(sscanf(p + 2, "%" SCNu64 ".%" SCNu64, &s, &ns), 2);
	return s * 1000000000ull + ns;
}

struct story {
	struct sim *s;
	GPtrArray *lines;
	GPtrArray *lost;        /* the lost_write lines */
};

static struct story story_new(struct sim_config *c, const char *policy)
{
	struct story st = { test_sim_new(c, test_policy(policy)),
			    g_ptr_array_new_with_free_func(g_free), NULL };
	sim_set_trace(st.s, test_collect_line, st.lines);
	return st;
}

/* WBSIM_TEST_TRACE=1 prints each story's trace.  No loss of any story may wait for
 * the end-of-run check to be found: each has its moment. */
static void story_done(struct story *st)
{
	st->lost = test_grep(st->lines, "lost_write: ");
	for (guint i = 0; i < st->lost->len; i++)
		ck_assert_msg(!strstr(st->lost->pdata[i], "cause=end"), "%s", (char *)st->lost->pdata[i]);
	if (g_getenv("WBSIM_TEST_TRACE"))
		for (guint i = 0; i < st->lines->len; i++)
			fprintf(stderr, "%s\n", (char *)st->lines->pdata[i]);
}

static void story_free(struct story *st)
{
	g_ptr_array_free(st->lost, TRUE);
	g_ptr_array_free(st->lines, TRUE);
	sim_free(st->s);
}

/*
 * Four pages go out in one request on a checksumming device and page 3 is rewritten
 * before the DMA (at ~31 us): the device rejects the request.  Page 3 is dirty again
 * and is written later; pages 0-2 are cleaned with the error, and nothing will ever
 * write their data: lost at the completion (~101 us).  With @cover the writer rewrites
 * all four pages whole afterwards and fsyncs: the disk ends right, the losses stay.
 */
static struct story rejected_story(bool rewrite_before_dma, bool cover)
{
	struct sim_config c;
	test_config(&c);
	c.dev.integrity = true;
	c.dev.dma_at = 0.3;
	struct story st = story_new(&c, "unrestricted");
	struct file *f = sim_file_new(st.s, "data", 1 << 20);
	struct step steps[] = {
		PWRITE(f, 0, 4 * 4096),
		SYNC_RANGE(f, 0, 4 * 4096, W_WRITE),
		SLEEP_UNTIL(rewrite_before_dma ? 20 * US : 60 * US),
		PWRITE(f, 3 * 4096, 100),
		SLEEP_UNTIL(300 * US),
		cover ? (struct step)PWRITE(f, 0, 4 * 4096) : (struct step)SLEEP(1),
		FSYNC(f),
		END
	};
	struct script *sc = script_spawn(st.s, "w", NULL, -1, 0, steps);
	sim_run(st.s);
	g_free(sc);
	story_done(&st);
	return st;
}

START_TEST(rejected_write_lost_when_its_pages_are_cleaned)
{
	struct story st = rejected_story(true, false);
	ck_assert_uint_eq(M(st.s, M_CHECKSUM_ERRORS), 1);
	ck_assert_uint_eq(M(st.s, M_LOST_WRITES), 3);
	ck_assert_uint_eq(M(st.s, M_LOST_AT_END), 3);
	ck_assert_uint_eq(st.lost->len, 3);
	for (guint i = 0; i < st.lost->len; i++) {
		const char *l = st.lost->pdata[i];
		char want[32];
		g_snprintf(want, sizeof(want), "index=%u ", i);
		ck_assert_msg(strstr(l, want) && strstr(l, "cause=rejected") && strstr(l, "op=write"),
			      "%s", l);
		/* At the rejected request's completion, long before the final sync. */
		ck_assert_uint_gt(line_ns(l), 100 * US);
		ck_assert_uint_lt(line_ns(l), 110 * US);
	}
	story_free(&st);
}
END_TEST

START_TEST(rejected_write_lost_though_rewritten_later)
{
	struct story st = rejected_story(true, true);
	ck_assert_uint_eq(M(st.s, M_CHECKSUM_ERRORS), 1);
	/* The rewrite covers every block: nothing is missing at the end ... */
	ck_assert_uint_eq(M(st.s, M_LOST_AT_END), 0);
	/* ... but for 200 us three writes were gone for good. */
	ck_assert_uint_eq(M(st.s, M_LOST_WRITES), 3);
	story_free(&st);
}
END_TEST

START_TEST(nothing_lost_when_the_rewrite_follows_the_dma)
{
	for (int cover = 0; cover <= 1; cover++) {
		struct story st = rejected_story(false, cover);
		ck_assert_uint_eq(M(st.s, M_CHECKSUM_ERRORS), 0);
		ck_assert_uint_eq(M(st.s, M_LOST_WRITES), 0);
		ck_assert_uint_eq(M(st.s, M_LOST_AT_END), 0);
		ck_assert_uint_eq(st.lost->len, 0);
		story_free(&st);
	}
}
END_TEST

/*
 * A pinned page's write is rejected (the pin holder wrote it during the DMA window),
 * and nothing dirties it again until the unpin: the page is clean, but its pin's
 * release will dirty it (unpin_user_pages_dirty_lock), so the pin holder's bytes still
 * have a way to the disk and nothing is lost.
 */
START_TEST(rejected_pinned_page_keeps_its_way_through_the_unpin)
{
	struct sim_config c;
	test_config(&c);
	c.dev.integrity = true;
	struct story st = story_new(&c, "unrestricted");
	struct file *f = sim_file_new(st.s, "data", 1 << 20);
	struct process *p = sim_process_new(st.s, "app");
	struct mapping *m = sim_mmap(st.s, p, f, 0, 1 << 20);
	struct step holder[] = {
		PWRITE(f, 0, 4096),
		PIN(m, 0, 4096, 0),
		SYNC_RANGE(f, 0, 4096, W_WRITE),        /* DMA at ~53 us */
		SLEEP_UNTIL(20 * US),
		PIN_WRITE(0, 0, 100),
		SLEEP_UNTIL(300 * US),
		PIN_RELEASE(0),
		FSYNC(f),
		END
	};
	struct script *a = script_spawn(st.s, "holder", p, -1, 0, holder);
	sim_run(st.s);
	story_done(&st);
	ck_assert_uint_eq(M(st.s, M_CHECKSUM_ERRORS), 1);
	ck_assert_uint_eq(M(st.s, M_LOST_WRITES), 0);
	ck_assert_uint_eq(M(st.s, M_LOST_AT_END), 0);
	ck_assert_int_eq(a->results[7], -WBSIM_EIO);     /* the rejection, reported once */
	g_free(a);
	story_free(&st);
}
END_TEST

/*
 * Coalescing: page 0 is rewritten in parts over and over while its earlier versions
 * are in flight.  Every later version carries the earlier ones, so nothing is lost,
 * whether the rewrites go into the page in place (unrestricted, a redundant write or
 * two) or into forked copies (page-fork: the old copies land older versions first).
 */
START_TEST(coalescing_is_not_a_loss)
{
	const char *policies[] = { "unrestricted", "page-fork", "wait-on-writeback" };
	for (size_t k = 0; k < G_N_ELEMENTS(policies); k++) {
		struct sim_config c;
		test_config(&c);
		struct story st = story_new(&c, policies[k]);
		struct file *f = sim_file_new(st.s, "data", 1 << 20);
		struct step steps[41];
		int n = 0;
		for (int i = 0; i < 20; i++) {
			steps[n++] = (struct step)PWRITE(f, (uint64_t)(i % 8) * 512, 512);
			steps[n++] = (struct step)SYNC_RANGE(f, 0, 4096, W_WRITE);
		}
		steps[n] = (struct step)END;
		struct script *sc = script_spawn(st.s, "w", NULL, -1, 0, steps);
		sim_run(st.s);
		story_done(&st);
		if (!strcmp(policies[k], "page-fork"))
			ck_assert_uint_gt(M(st.s, M_FORKS), 0);
		ck_assert_uint_eq(M(st.s, M_LOST_WRITES), 0);
		ck_assert_uint_eq(M(st.s, M_LOST_AT_END), 0);
		g_free(sc);
		story_free(&st);
	}
}
END_TEST

/*
 * A pinned page under writeback is rewritten and forked (pins=ignore); the pin holder
 * writes afterwards, into the old copy, whose I/O is over: nobody will write those
 * bytes back, so they are lost at the pin write (200 us), attributed to the holder's
 * pin_write.  The writer then rewrites the whole page and fsyncs: the end looks clean.
 * With pins=wait the writer waits instead of forking, and nothing is lost.
 */
static struct story pin_story(const char *policy)
{
	struct sim_config c;
	test_config(&c);
	struct story st = story_new(&c, policy);
	struct file *f = sim_file_new(st.s, "data", 1 << 20);
	struct process *p = sim_process_new(st.s, "app");
	struct mapping *m = sim_mmap(st.s, p, f, 0, 1 << 20);
	struct step holder[] = {
		PWRITE(f, 0, 4096),
		PIN(m, 0, 4096, 0),
		SYNC_RANGE(f, 0, 4096, W_WRITE),        /* under writeback from ~3 us */
		SLEEP_UNTIL(200 * US),
		PIN_WRITE(0, 0, 100),
		PIN_RELEASE(0),
		END
	};
	struct step writer[] = {
		SLEEP_UNTIL(20 * US),
		PWRITE(f, 0, 4096),
		SLEEP_UNTIL(400 * US),
		PWRITE(f, 0, 4096),
		FSYNC(f),
		END
	};
	struct script *a = script_spawn(st.s, "holder", p, -1, 0, holder);
	struct script *b = script_spawn(st.s, "writer", p, -1, 0, writer);
	sim_run(st.s);
	g_free(a);
	g_free(b);
	story_done(&st);
	return st;
}

START_TEST(pin_write_into_a_forked_copy_lost_at_once)
{
	struct story st = pin_story("page-fork:pins=ignore");
	ck_assert_uint_eq(M(st.s, M_FORKS), 1);
	ck_assert_uint_eq(M(st.s, M_LOST_WRITES), 1);
	ck_assert_uint_eq(M(st.s, M_LOST_AT_END), 0);
	ck_assert_uint_eq(st.lost->len, 1);
	const char *l = st.lost->pdata[0];
	ck_assert_msg(strstr(l, "holder-") && strstr(l, "cause=orphan") &&
		      strstr(l, "op=pin_write") && strstr(l, "policy=page-fork:pins=ignore"), "%s", l);
	/* The pin write itself is the moment: its bytes never had a way to the disk. */
	ck_assert_uint_ge(line_ns(l), 200 * US);
	ck_assert_uint_lt(line_ns(l), 201 * US);
	story_free(&st);
}
END_TEST

START_TEST(pin_write_not_lost_when_pins_wait)
{
	struct story st = pin_story("page-fork");
	ck_assert_uint_eq(M(st.s, M_FORKS), 0);
	ck_assert_uint_eq(M(st.s, M_LOST_WRITES), 0);
	ck_assert_uint_eq(M(st.s, M_LOST_AT_END), 0);
	story_free(&st);
}
END_TEST

/*
 * A direct write lands; then an older forked copy of the block, still in flight, lands
 * over it (refork=allow,sync=naive: nobody waited for the old copy).  The direct
 * write's bytes were in no page: lost at that landing.  page-fork's safe defaults
 * wait for the old copy first.
 */
static struct story dio_story(const char *policy)
{
	struct sim_config c;
	test_config(&c);
	c.dev.bandwidth = 2ull << 30;           /* 512 KiB take ~244 us to transfer */
	struct story st = story_new(&c, policy);
	struct file *f = sim_file_new(st.s, "data", 1 << 20);
	struct step steps[] = {
		PWRITE(f, 0, 512 * 1024),
		SYNC_RANGE(f, 0, 512 * 1024, W_WRITE),
		SLEEP_UNTIL(20 * US),
		PWRITE(f, 0, 4096),                     /* forks page 0 */
		DIO_WRITE(f, 0, 4096),
		END
	};
	struct script *sc = script_spawn(st.s, "w", NULL, -1, 0, steps);
	sim_run(st.s);
	g_free(sc);
	story_done(&st);
	return st;
}

START_TEST(direct_write_lost_to_an_older_copy)
{
	struct story st = dio_story("page-fork:refork=allow,sync=naive");
	ck_assert_uint_eq(M(st.s, M_STALE_OVERWRITES), 1);
	ck_assert_uint_eq(M(st.s, M_LOST_WRITES), 1);
	ck_assert_uint_eq(M(st.s, M_LOST_AT_END), 1);
	ck_assert_uint_eq(st.lost->len, 1);
	const char *l = st.lost->pdata[0];
	ck_assert_msg(strstr(l, "cause=overwritten") && strstr(l, "op=dio_write"), "%s", l);
	/* When the old copy landed (the end of the 512 KiB request), not at the end. */
	GPtrArray *stale = test_grep(st.lines, "stale_overwrite: ");
	ck_assert_uint_eq(stale->len, 1);
	ck_assert_uint_eq(line_ns(l), line_ns(stale->pdata[0]));
	g_ptr_array_free(stale, TRUE);
	story_free(&st);
}
END_TEST

START_TEST(direct_write_kept_when_the_old_copy_is_waited_for)
{
	struct story st = dio_story("page-fork");
	ck_assert_uint_eq(M(st.s, M_STALE_OVERWRITES), 0);
	ck_assert_uint_eq(M(st.s, M_LOST_WRITES), 0);
	ck_assert_uint_eq(M(st.s, M_LOST_AT_END), 0);
	story_free(&st);
}
END_TEST

/*
 * Two lines of writes: the pin holder writes part of page 0 into the old copy after
 * the fork and before its DMA (so the old copy lands those bytes), and the writer
 * writes another part into the new copy, which never got them.  The new copy lands
 * last: the pin holder's bytes are lost then, at that landing, though the disk holds
 * the latest version.  When the pin holder writes before the fork, the fork copies
 * its bytes and nothing is lost.
 */
static struct story diverged_story(bool pin_write_after_fork)
{
	struct sim_config c;
	test_config(&c);
	struct story st = story_new(&c, "page-fork:pins=ignore");
	struct file *f = sim_file_new(st.s, "data", 1 << 20);
	struct process *p = sim_process_new(st.s, "app");
	struct mapping *m = sim_mmap(st.s, p, f, 0, 1 << 20);
	struct step holder[] = {
		PWRITE(f, 0, 4096),
		PIN(m, 0, 4096, 0),
		SYNC_RANGE(f, 0, 4096, W_WRITE),        /* DMA at ~55 us */
		SLEEP_UNTIL(pin_write_after_fork ? 30 * US : 10 * US),
		PIN_WRITE(0, 0, 100),
		END
	};
	struct step writer[] = {
		SLEEP_UNTIL(20 * US),
		PWRITE(f, 0, 100),                      /* forks page 0 */
		SLEEP_UNTIL(200 * US),                  /* the old copy has landed */
		PWRITE(f, 100, 100),
		FSYNC(f),
		END
	};
	struct script *a = script_spawn(st.s, "holder", p, -1, 0, holder);
	struct script *b = script_spawn(st.s, "writer", p, -1, 0, writer);
	sim_run(st.s);
	g_free(a);
	g_free(b);
	story_done(&st);
	return st;
}

START_TEST(diverged_write_lost_when_the_other_line_lands)
{
	struct story st = diverged_story(true);
	ck_assert_uint_eq(M(st.s, M_FORKS), 1);
	ck_assert_uint_eq(M(st.s, M_LOST_WRITES), 1);
	ck_assert_uint_eq(M(st.s, M_LOST_AT_END), 1);
	ck_assert_uint_eq(st.lost->len, 1);
	const char *l = st.lost->pdata[0];
	ck_assert_msg(strstr(l, "cause=overwritten") && strstr(l, "op=pin_write"), "%s", l);
	/* The fsync's write of the new copy ends at ~300 us. */
	ck_assert_uint_gt(line_ns(l), 300 * US);
	ck_assert_uint_lt(line_ns(l), 310 * US);
	story_free(&st);
}
END_TEST

START_TEST(no_loss_when_the_fork_copies_the_pin_write)
{
	struct story st = diverged_story(false);
	ck_assert_uint_eq(M(st.s, M_FORKS), 1);
	ck_assert_uint_eq(M(st.s, M_LOST_WRITES), 0);
	ck_assert_uint_eq(M(st.s, M_LOST_AT_END), 0);
	story_free(&st);
}
END_TEST

/*
 * A direct write of the whole block replaces every line of writes: after it the block
 * is no longer diverged, and once it is durable nothing is lost at the end.  The
 * diverged story (the pin holder's bytes lost when the new copy lands at ~300 us),
 * with the pin released at 150 us and a direct write of page 0 after the fsync: the
 * loss is counted once, when it happens, and lost_at_end stays 0.
 */
START_TEST(direct_write_ends_a_divergence)
{
	struct sim_config c;
	test_config(&c);
	struct story st = story_new(&c, "page-fork:pins=ignore");
	struct file *f = sim_file_new(st.s, "data", 1 << 20);
	struct process *p = sim_process_new(st.s, "app");
	struct mapping *m = sim_mmap(st.s, p, f, 0, 1 << 20);
	struct step holder[] = {
		PWRITE(f, 0, 4096),
		PIN(m, 0, 4096, 0),
		SYNC_RANGE(f, 0, 4096, W_WRITE),
		SLEEP_UNTIL(30 * US),
		PIN_WRITE(0, 0, 100),
		SLEEP_UNTIL(150 * US),
		PIN_RELEASE(0),
		END
	};
	struct step writer[] = {
		SLEEP_UNTIL(20 * US),
		PWRITE(f, 0, 100),
		SLEEP_UNTIL(200 * US),
		PWRITE(f, 100, 100),
		FSYNC(f),
		DIO_WRITE(f, 0, 4096),
		END
	};
	struct script *a = script_spawn(st.s, "holder", p, -1, 0, holder);
	struct script *b = script_spawn(st.s, "writer", p, -1, 0, writer);
	sim_run(st.s);
	g_free(a);
	g_free(b);
	story_done(&st);
	ck_assert_uint_eq(M(st.s, M_FORKS), 1);
	ck_assert_uint_eq(M(st.s, M_LOST_WRITES), 1);
	ck_assert_uint_eq(M(st.s, M_LOST_AT_END), 0);
	story_free(&st);
}
END_TEST

/*
 * A write that only an older copy in flight holds is not lost while that copy may
 * still land it.  A 512 KiB request (submitted at ~69 us, its DMA at ~240 us, done at
 * ~413 us) holds page 0's old copy A; the writer rewrites part of page 0 (a fork: copy
 * B), the pin holder writes another part into A before its DMA, and B is written and
 * lands first (~200 us).  At that moment the pin holder's bytes are only in A, which is
 * still in flight: not lost.  A lands them over B's: the writer's bytes are lost then,
 * once.
 */
START_TEST(write_in_an_older_copy_in_flight_is_not_lost_yet)
{
	struct sim_config c;
	test_config(&c);
	c.dev.bandwidth = 2ull << 30;           /* 512 KiB take ~244 us to transfer */
	struct story st = story_new(&c, "page-fork:pins=ignore,refork=allow");
	struct file *f = sim_file_new(st.s, "data", 1 << 20);
	struct process *p = sim_process_new(st.s, "app");
	struct mapping *m = sim_mmap(st.s, p, f, 0, 1 << 20);
	struct step holder[] = {
		PWRITE(f, 0, 512 * 1024),
		PIN(m, 0, 4096, 0),
		SYNC_RANGE(f, 0, 512 * 1024, W_WRITE),
		SLEEP_UNTIL(90 * US),
		PIN_WRITE(0, 100, 100),                 /* into A, before its DMA */
		END
	};
	struct step writer[] = {
		SLEEP_UNTIL(80 * US),
		PWRITE(f, 0, 100),                      /* forks page 0: B */
		SLEEP_UNTIL(100 * US),
		SYNC_RANGE(f, 0, 4096, W_WRITE),        /* B goes out while A is in flight */
		END
	};
	struct script *a = script_spawn(st.s, "holder", p, -1, 0, holder);
	struct script *b = script_spawn(st.s, "writer", p, -1, 0, writer);
	sim_run(st.s);
	story_done(&st);
	ck_assert_uint_eq(M(st.s, M_FORKS), 1);
	/* A's content is the pin holder's, made after B's: newer, not a stale overwrite,
	 * yet it lacks B's bytes. */
	ck_assert_uint_eq(M(st.s, M_STALE_OVERWRITES), 0);
	ck_assert_uint_eq(M(st.s, M_LOST_WRITES), 1);
	ck_assert_uint_eq(M(st.s, M_LOST_AT_END), 1);
	ck_assert_uint_eq(st.lost->len, 1);
	const char *l = st.lost->pdata[0];
	ck_assert_msg(strstr(l, "by=writer-") && strstr(l, "op=write") &&
		      strstr(l, "cause=overwritten"), "%s", l);
	ck_assert_uint_gt(line_ns(l), 400 * US);
	g_free(a);
	g_free(b);
	story_free(&st);
}
END_TEST

/*
 * fsync writes pages 0 and 1; two other tasks rewrite one each (forks) after fsync
 * submitted them and before it looks for pages under writeback.  On a checksumming
 * device each page's guard costs the syncer 200 ns after its submission, so page 1
 * goes out at ~1.8 us and the wait starts at ~2.0 us; the writers come at 1.9 us.
 * sync=naive: the fsync returns before the old copies land: one violation, and the
 * trace names both blocks.
 */
static struct story fsync_story(const char *policy, int *res)
{
	struct sim_config c;
	test_config(&c);
	c.dev.integrity = true;
	struct story st = story_new(&c, policy);
	struct file *f = sim_file_new(st.s, "data", 1 << 20);
	struct step syncer[] = { PWRITE(f, 0, 8192), FSYNC(f), END };
	struct step wa[] = { SLEEP_UNTIL(1900), PWRITE(f, 0, 4096), END };
	struct step wb[] = { SLEEP_UNTIL(1900), PWRITE(f, 4096, 4096), END };
	struct script *a = script_spawn(st.s, "syncer", NULL, -1, 0, syncer);
	struct script *b = script_spawn(st.s, "writer-a", NULL, -1, 0, wa);
	struct script *d = script_spawn(st.s, "writer-b", NULL, -1, 0, wb);
	sim_run(st.s);
	*res = a->results[1];
	g_free(a);
	g_free(b);
	g_free(d);
	story_done(&st);
	return st;
}

START_TEST(fsync_violation_names_every_block)
{
	int res;
	struct story st = fsync_story("page-fork:sync=naive", &res);
	ck_assert_int_eq(res, 0);
	ck_assert_uint_eq(M(st.s, M_FORKS), 2);
	ck_assert_uint_eq(M(st.s, M_FSYNC_VIOLATIONS), 1);      /* one per call */
	GPtrArray *v = test_grep(st.lines, "fsync_violation: ");
	ck_assert_uint_eq(v->len, 2);
	ck_assert_ptr_nonnull(strstr(v->pdata[0], "ino=1 index=0 "));
	ck_assert_ptr_nonnull(strstr(v->pdata[1], "ino=1 index=1 "));
	ck_assert_ptr_nonnull(strstr(v->pdata[0], "syncer-"));
	g_ptr_array_free(v, TRUE);
	story_free(&st);
}
END_TEST

START_TEST(fsync_violation_absent_when_tracked)
{
	int res;
	struct story st = fsync_story("page-fork", &res);
	ck_assert_int_eq(res, 0);
	ck_assert_uint_eq(M(st.s, M_FORKS), 2);
	ck_assert_uint_eq(M(st.s, M_FSYNC_VIOLATIONS), 0);
	GPtrArray *v = test_grep(st.lines, "fsync_violation: ");
	ck_assert_uint_eq(v->len, 0);
	g_ptr_array_free(v, TRUE);
	story_free(&st);
}
END_TEST

static Suite *lost_suite(void)
{
	Suite *s = suite_create("lost_writes");
	TCase *tc = tcase_create("when");
	tcase_add_test(tc, rejected_write_lost_when_its_pages_are_cleaned);
	tcase_add_test(tc, rejected_write_lost_though_rewritten_later);
	tcase_add_test(tc, nothing_lost_when_the_rewrite_follows_the_dma);
	tcase_add_test(tc, rejected_pinned_page_keeps_its_way_through_the_unpin);
	tcase_add_test(tc, coalescing_is_not_a_loss);
	tcase_add_test(tc, pin_write_into_a_forked_copy_lost_at_once);
	tcase_add_test(tc, pin_write_not_lost_when_pins_wait);
	tcase_add_test(tc, direct_write_lost_to_an_older_copy);
	tcase_add_test(tc, direct_write_kept_when_the_old_copy_is_waited_for);
	tcase_add_test(tc, diverged_write_lost_when_the_other_line_lands);
	tcase_add_test(tc, direct_write_ends_a_divergence);
	tcase_add_test(tc, write_in_an_older_copy_in_flight_is_not_lost_yet);
	tcase_add_test(tc, no_loss_when_the_fork_copies_the_pin_write);
	tcase_add_test(tc, fsync_violation_names_every_block);
	tcase_add_test(tc, fsync_violation_absent_when_tracked);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(lost_suite)
