/*
 * Op logs (scenarios/OPLOG.md): every op and every header field written by the
 * writer comes back equal through the reader; per-task cursors see their own ops
 * only, a spawned task's cursor starts at its spawn line; ops written before the
 * header land after it; a failed or aborted writer leaves nothing behind.
 */
#include "oplog/oplog.h"
#include "engine/uapi.h"
#include "wbtest.h"

#include <glib/gstdio.h>
#include <string.h>

static char *tmpdir;

static char *tmp_path(const char *name)
{
	if (!tmpdir)
		tmpdir = g_dir_make_tmp("wbsim-oplog-XXXXXX", NULL);
	return g_build_filename(tmpdir, name, NULL);
}

/* A header that differs from the defaults in every section. */
static struct oplog_header *full_header(void)
{
	struct oplog_header *h = oplog_header_new();
	h->name = g_strdup("every-op");
	h->description = g_strdup("all \"ops\", once # not a comment\nsecond line");
	h->cfg.duration = 1500000;              /* 1.5 ms: written as ns? no, 1500us */
	g_ptr_array_add(h->policies, g_strdup("page-fork:pins=ignore,refork=allow"));
	g_ptr_array_add(h->policies, g_strdup("bounce"));
	h->cfg.seed = 42;
	h->cfg.dev.model = DEV_HDD;
	h->cfg.dev.write_latency = 40000;
	h->cfg.dev.read_latency = 90001;
	h->cfg.dev.flush_latency = 100000;
	h->cfg.dev.bandwidth = 3ull << 29;      /* 1.5 GiB/s: not a whole GiB */
	h->cfg.dev.jitter = 0.1;
	h->cfg.dev.queue_depth = 1;            /* a disk serves one at a time */
	h->cfg.dev.scheduler = SCHED_ELEVATOR;
	h->cfg.dev.max_request = 128 << 10;
	h->cfg.dev.integrity = true;
	h->cfg.dev.stable_writes = false;
	h->cfg.dev.write_cache = true;
	h->cfg.dev.dma_at = 0.25;
	h->cfg.dev.seek = 3000000;
	h->cfg.dev.rotation = 8333333;
	h->cfg.wb.memory = 256ull << 20;
	h->cfg.wb.dirty_background_ratio = 5;
	h->cfg.wb.dirty_ratio = 15;
	h->cfg.wb.interval = 1000000000;
	h->cfg.wb.expire = 2500000000;
	h->cfg.wb.chunk = 64;
	h->cfg.cost = (struct cost_cfg){ 301, 302, 203, 2004, 105, 1006, 207, 4008 };
	struct oplog_param p = { g_strdup("writers"), g_strdup("4"), g_strdup("number of writers") };
	g_array_append_val(h->params, p);
	struct oplog_expect e = { g_strdup("*"), g_strdup("lost_writes"), g_strdup("0"),
				  g_strdup("every-op.lua:12"), 0 };
	g_array_append_val(h->expects, e);
	oplog_header_add_file(h, 1, "data file", 1 << 20);
	oplog_header_add_process(h, 1, "db");
	oplog_header_add_map(h, 1, 1, 1, 4096, 65536);
	oplog_header_add_event(h, 1, "go");
	oplog_header_add_task(h, 1, "main", 1, 3, 0);
	oplog_header_add_task(h, 2, "helper", 0, -1, 5000);
	g_ptr_array_add(h->comments, g_strdup("made by test_oplog_format"));
	return h;
}

/* cpu is -1 on every op but spawn; every_op() sets it after. */
#define OP(...) ((struct oplog_op){ __VA_ARGS__ })

/* One of every op, in an order that obeys the format's rules (oplog_check). */
static const struct oplog_op *every_op(size_t *n)
{
	static struct oplog_op ops[40];
	size_t i = 0;
	ops[i++] = OP(.kind = OPL_PWRITE, .task = 1, .issue = 0, .think = 0, .file = 1, .off = 100,
		      .len = 5000);
	ops[i++] = OP(.kind = OPL_PREAD, .task = 1, .issue = 10, .think = 3, .file = 1, .off = 0,
		      .len = 4096);
	ops[i++] = OP(.kind = OPL_STORE, .task = 1, .issue = 20, .map = 1, .off = 8, .len = 8);
	ops[i++] = OP(.kind = OPL_LOAD, .task = 1, .issue = 30, .map = 1, .off = 4096, .len = 1);
	ops[i++] = OP(.kind = OPL_FSYNC, .task = 2, .issue = 5000, .file = 1);
	ops[i++] = OP(.kind = OPL_FDATASYNC, .task = 1, .issue = 40, .file = 1);
	ops[i++] = OP(.kind = OPL_SYNC_RANGE, .task = 1, .issue = 50, .file = 1, .off = 0, .len = 0,
		      .how = SYNC_FILE_RANGE_WRITE);
	ops[i++] = OP(.kind = OPL_SYNC_RANGE, .task = 1, .issue = 51, .file = 1, .off = 4096,
		      .len = 4096, .how = SYNC_FILE_RANGE_WAIT_AFTER);
	ops[i++] = OP(.kind = OPL_SYNC_RANGE, .task = 1, .issue = 52, .file = 1, .off = 0,
		      .len = 8192, .how = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
					   SYNC_FILE_RANGE_WAIT_AFTER);
	ops[i++] = OP(.kind = OPL_DIO_WRITE, .task = 1, .issue = 60, .file = 1, .off = 512,
		      .len = 1024);
	ops[i++] = OP(.kind = OPL_DIO_WRITE, .task = 1, .issue = 61, .file = 1, .off = 8192,
		      .len = 4096, .map = 1, .at = 1536);
	ops[i++] = OP(.kind = OPL_DIO_READ, .task = 1, .issue = 70, .file = 1, .off = 0, .len = 512);
	ops[i++] = OP(.kind = OPL_MSYNC, .task = 1, .issue = 80, .map = 1, .off = 0, .len = 65536);
	ops[i++] = OP(.kind = OPL_PIN, .task = 1, .issue = 90, .map = 1, .off = 4096, .len = 8192,
		      .pin = 7);
	ops[i++] = OP(.kind = OPL_PIN_WRITE, .task = 2, .issue = 5001, .pin = 7, .off = 100,
		      .len = 50);
	ops[i++] = OP(.kind = OPL_PIN_RELEASE, .task = 2, .issue = 5002, .pin = 7);
	ops[i++] = OP(.kind = OPL_SYNC, .task = 1, .issue = 100);
	ops[i++] = OP(.kind = OPL_SLEEP, .task = 1, .issue = 110, .len = 1000000);
	ops[i++] = OP(.kind = OPL_YIELD, .task = 1, .issue = 1000110);
	ops[i++] = OP(.kind = OPL_EVENT, .task = 1, .issue = 1000111, .event = 2, .name = "done");
	ops[i++] = OP(.kind = OPL_EVENT, .task = 1, .issue = 1000112, .event = 3);
	ops[i++] = OP(.kind = OPL_EVENT_SET, .task = 1, .issue = 1000113, .event = 1);
	ops[i++] = OP(.kind = OPL_EVENT_WAIT, .task = 2, .issue = 1000114, .event = 1);
	ops[i++] = OP(.kind = OPL_FILE, .task = 1, .issue = 1000115, .file = 2, .name = "log",
		      .len = 12288);
	ops[i++] = OP(.kind = OPL_PROCESS, .task = 1, .issue = 1000116, .process = 2,
		      .name = "child proc");
	ops[i++] = OP(.kind = OPL_MMAP, .task = 1, .issue = 1000117, .map = 2, .process = 2,
		      .file = 2, .off = 4096, .len = 8192);
	ops[i++] = OP(.kind = OPL_SPAWN, .task = 1, .issue = 1000118, .target = 3, .name = "kid",
		      .process = 2, .cpu = 9, .at = 2000);
	size_t kid = i - 1;
	ops[i++] = OP(.kind = OPL_SPAWN, .task = 1, .issue = 1000119, .target = 4, .name = "bare");
	ops[i++] = OP(.kind = OPL_STORE, .task = 3, .issue = 1002200, .think = 7, .map = 2,
		      .off = 0, .len = 8192);
	ops[i++] = OP(.kind = OPL_UNMAP, .task = 3, .issue = 1002300, .map = 2);
	ops[i++] = OP(.kind = OPL_EXIT, .task = 3, .issue = 1002400);
	ops[i++] = OP(.kind = OPL_EXIT, .task = 4, .issue = 1002401);
	ops[i++] = OP(.kind = OPL_JOIN, .task = 1, .issue = 1002500, .target = 3);
	ops[i++] = OP(.kind = OPL_UNMAP, .task = 1, .issue = 1002600, .map = 1);
	ops[i++] = OP(.kind = OPL_EXIT, .task = 2, .issue = 1002601);
	ops[i++] = OP(.kind = OPL_EXIT, .task = 1, .issue = UINT64_MAX, .think = UINT64_MAX);
	for (size_t j = 0; j < i; j++)
		if (j != kid)
			ops[j].cpu = -1;
	*n = i;
	return ops;
}

static void assert_op_eq(const struct oplog_op *got, const struct oplog_op *want)
{
	char *g = oplog_format_op(got), *w = oplog_format_op(want);
	ck_assert_int_eq(got->kind, want->kind);
	ck_assert_uint_eq(got->task, want->task);
	ck_assert_uint_eq(got->issue, want->issue);
	ck_assert_uint_eq(got->think, want->think);
	ck_assert_msg(got->file == want->file && got->map == want->map && got->pin == want->pin &&
		      got->event == want->event && got->target == want->target &&
		      got->process == want->process, "ids: got %s, want %s", g, w);
	ck_assert_msg(got->buf == want->buf && got->io == want->io &&
		      got->longterm == want->longterm, "version 2: got %s, want %s", g, w);
	ck_assert_msg(got->off == want->off && got->len == want->len && got->at == want->at &&
		      got->how == want->how && got->cpu == want->cpu, "args: got %s, want %s", g, w);
	ck_assert_str_eq(got->name ? got->name : "(none)", want->name ? want->name : "(none)");
	g_free(g);
	g_free(w);
}

static char *write_log(const char *name, const struct oplog_header *h,
		       const struct oplog_op *ops, size_t n, size_t before_header)
{
	char *path = tmp_path(name);
	GError *err = NULL;
	struct oplog_writer *w = oplog_writer_open(path, &err);
	ck_assert_msg(w, "%s", err ? err->message : "");
	for (size_t i = 0; i < before_header; i++)
		oplog_writer_op(w, &ops[i]);
	oplog_writer_header(w, h);
	oplog_writer_comment(w, "a comment among the ops\nover two lines");
	for (size_t i = before_header; i < n; i++)
		oplog_writer_op(w, &ops[i]);
	ck_assert_uint_eq(oplog_writer_ops(w), n);
	ck_assert_msg(oplog_writer_commit(w, &err), "%s", err ? err->message : "");
	return path;
}

static void roundtrip(size_t before_header)
{
	size_t n;
	const struct oplog_op *ops = every_op(&n);
	struct oplog_header *h = full_header();
	char *path = write_log("every.oplog", h, ops, n, before_header);
	GError *err = NULL;
	struct oplog *log = oplog_open(path, &err);
	ck_assert_msg(log, "%s", err ? err->message : "");
	uint64_t nops = 0;
	ck_assert_msg(oplog_check(log, &nops, &err), "%s", err ? err->message : "");
	ck_assert_uint_eq(nops, n);

	/* Every op, in file order, equal field by field. */
	struct oplog_cursor *c = oplog_cursor_new(log, 0, 0, 0);
	struct oplog_op op;
	uint64_t last_line = 0;
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(oplog_cursor_next(c, &op, &err), 1);
		assert_op_eq(&op, &ops[i]);
		ck_assert_uint_gt(op.line, last_line);
		last_line = op.line;
	}
	ck_assert_int_eq(oplog_cursor_next(c, &op, &err), 0);
	oplog_cursor_free(c);

	/* Each task's cursor: that task's ops only, in order; a spawned task's cursor
	 * starts at the spawn's next_pos. */
	for (uint32_t t = 1; t <= 4; t++) {
		uint64_t pos = 0, line = 0;
		if (t >= 3) {
			struct oplog_cursor *p = oplog_cursor_new(log, 1, 0, 0);
			while (oplog_cursor_next(p, &op, &err) == 1)
				if (op.kind == OPL_SPAWN && op.target == t) {
					pos = op.next_pos;
					line = op.line;
				}
			oplog_cursor_free(p);
			ck_assert_uint_ne(pos, 0);
		}
		c = oplog_cursor_new(log, t, pos, line);
		for (size_t i = 0; i < n; i++) {
			if (ops[i].task != t)
				continue;
			ck_assert_int_eq(oplog_cursor_next(c, &op, &err), 1);
			assert_op_eq(&op, &ops[i]);
		}
		ck_assert_int_eq(oplog_cursor_next(c, &op, &err), 0);
		oplog_cursor_free(c);
	}

	/* The header: its text written again from what was read is the text written
	 * first, and the fields are the ones set. */
	const struct oplog_header *r = oplog_header(log);
	ck_assert_str_eq(r->name, "every-op");
	ck_assert_str_eq(r->description, h->description);
	ck_assert_uint_eq(r->cfg.duration, 1500000);
	ck_assert_uint_eq(r->cfg.seed, 42);
	ck_assert_int_eq(r->cfg.dev.model, DEV_HDD);
	ck_assert_uint_eq(r->cfg.dev.bandwidth, 3ull << 29);
	ck_assert(r->cfg.dev.jitter == 0.1 && r->cfg.dev.dma_at == 0.25);
	ck_assert(r->cfg.dev.integrity && !r->cfg.dev.stable_writes && r->cfg.dev.write_cache);
	ck_assert_uint_eq(r->cfg.dev.read_latency, 90001);
	ck_assert_uint_eq(r->cfg.wb.expire, 2500000000);
	ck_assert_uint_eq(r->cfg.cost.tlb_shootdown, 1006);
	ck_assert_uint_eq(r->cfg.cost.dio_request, 4008);
	ck_assert_uint_eq(r->policies->len, 2);
	ck_assert_str_eq(r->policies->pdata[0], "page-fork:pins=ignore,refork=allow");
	ck_assert_uint_eq(r->tasks->len, 2);
	ck_assert_int_eq(g_array_index(r->tasks, struct oplog_task, 0).cpu, 3);
	ck_assert_uint_eq(g_array_index(r->tasks, struct oplog_task, 1).start, 5000);
	ck_assert_str_eq(g_array_index(r->files, struct oplog_file, 0).name, "data file");
	ck_assert_uint_eq(g_array_index(r->maps, struct oplog_map, 0).offset, 4096);
	ck_assert_str_eq(g_array_index(r->expects, struct oplog_expect, 0).where,
			 "every-op.lua:12");
	ck_assert_str_eq(g_array_index(r->params, struct oplog_param, 0).description,
			 "number of writers");
	char *again_path = tmp_path("again.oplog");
	struct oplog_writer *w = oplog_writer_open(again_path, &err);
	oplog_writer_header(w, r);
	ck_assert(oplog_writer_commit(w, &err));
	char *a = NULL, *b = NULL;
	g_file_get_contents(path, &a, NULL, NULL);
	g_file_get_contents(again_path, &b, NULL, NULL);
	/* The header part of the first: up to its first op or comment line. */
	char *end = strstr(a, "\nt1 @"), *comment = strstr(a, "\n# a comment");
	if (comment && comment < end)
		end = comment;
	end[1] = '\0';
	/* Comments are for people: the reader keeps none. */
	static const char made[] = "# made by test_oplog_format\n";
	char *c1 = strstr(a, made);
	ck_assert_ptr_nonnull(c1);
	memmove(c1, c1 + strlen(made), strlen(c1 + strlen(made)) + 1);
	ck_assert_msg(!strcmp(a, b), "h->version changed what was written");
	g_free(a);
	g_free(b);
	g_unlink(again_path);
	g_free(again_path);

	oplog_close(log);
	oplog_header_free(h);
	g_unlink(path);
	g_free(path);
}

START_TEST(every_op_round_trip)
{
	roundtrip(0);
}
END_TEST

/* An importer writes ops before it knows the header: they must come after it. */
START_TEST(ops_before_header)
{
	size_t n;
	every_op(&n);
	roundtrip(n / 2);
}
END_TEST

/* The line of a hot op, character for character, as OPLOG.md shows it. */
START_TEST(op_line_text)
{
	struct oplog_op o = OP(.kind = OPL_PWRITE, .task = 1, .issue = 20300, .think = 250,
			       .file = 2, .off = 4096, .len = 512);
	char *s = oplog_format_op(&o);
	ck_assert_str_eq(s, "t1 @20300 +250 pwrite f2 4096 512");
	g_free(s);
	o = OP(.kind = OPL_DIO_WRITE, .task = 3, .file = 1, .off = 0, .len = 4096, .map = 2,
	       .at = 8192);
	s = oplog_format_op(&o);
	ck_assert_str_eq(s, "t3 @0 +0 dio_write f1 0 4096 from=m2 at=8192");
	g_free(s);
	o = OP(.kind = OPL_SYNC_RANGE, .task = 1, .file = 1, .len = 0, .how = SYNC_FILE_RANGE_WAIT_AFTER);
	s = oplog_format_op(&o);
	ck_assert_str_eq(s, "t1 @0 +0 sync_range f1 0 0 wait");
	g_free(s);
}
END_TEST

/* Hand-written logs: comments anywhere after the first line, blank lines, blanks
 * around fields, units in declarations, a last line without a newline. */
START_TEST(hand_written)
{
	static const char text[] =
		"wbsim-oplog 1\n"
		"# a log written by hand\n"
		"\n"
		"device   integrity=true   write_latency=40us\n"
		"file f1 name=data size=16KiB    # four pages\n"
		"task t1 name=w\n"
		"\tt1 @0 +0 pwrite f1 0 4096\n"
		"t1  @5\t+1   fsync   f1   # trailing comment\n"
		"t1 @9 +0 exit";
	char *path = tmp_path("hand.oplog");
	g_file_set_contents(path, text, -1, NULL);
	GError *err = NULL;
	struct oplog *log = oplog_open(path, &err);
	ck_assert_msg(log, "%s", err ? err->message : "");
	const struct oplog_header *h = oplog_header(log);
	/* stable_writes follows integrity when the header does not set it, as in
	 * sim.device. */
	ck_assert(h->cfg.dev.integrity && h->cfg.dev.stable_writes);
	ck_assert_uint_eq(h->cfg.dev.write_latency, 40000);
	ck_assert_uint_eq(h->cfg.dev.flush_latency, 40000);
	ck_assert_uint_eq(g_array_index(h->files, struct oplog_file, 0).size, 16384);
	uint64_t n;
	ck_assert_msg(oplog_check(log, &n, &err), "%s", err ? err->message : "");
	ck_assert_uint_eq(n, 3);
	struct oplog_cursor *c = oplog_cursor_new(log, 1, 0, 0);
	struct oplog_op op;
	ck_assert_int_eq(oplog_cursor_next(c, &op, &err), 1);
	ck_assert_int_eq(op.kind, OPL_PWRITE);
	ck_assert_uint_eq(op.line, 7);
	ck_assert_int_eq(oplog_cursor_next(c, &op, &err), 1);
	ck_assert_int_eq(op.kind, OPL_FSYNC);
	ck_assert_uint_eq(op.issue, 5);
	ck_assert_uint_eq(op.think, 1);
	ck_assert_int_eq(oplog_cursor_next(c, &op, &err), 1);
	ck_assert_int_eq(op.kind, OPL_EXIT);
	ck_assert_uint_eq(op.line, 9);
	ck_assert_int_eq(oplog_cursor_next(c, &op, &err), 0);
	oplog_cursor_free(c);
	oplog_close(log);
	ck_assert(oplog_sniff(path));
	g_unlink(path);
	g_free(path);
}
END_TEST

START_TEST(versions)
{
	/* Every op of today's format belongs to a version this reader takes. */
	for (int k = 0; k < OPL__COUNT; k++) {
		ck_assert_uint_ge(oplog_kind_since((enum oplog_kind)k), 1);
		ck_assert_uint_le(oplog_kind_since((enum oplog_kind)k), OPLOG_VERSION);
	}
	char *path = tmp_path("v.oplog");
	char *text = g_strdup_printf("wbsim-oplog %u\n", OPLOG_VERSION + 1);
	g_file_set_contents(path, text, -1, NULL);
	GError *err = NULL;
	ck_assert_ptr_null(oplog_open(path, &err));
	ck_assert_msg(strstr(err->message, ":1: format version") &&
		      strstr(err->message, "newer than this wbsim"), "%s", err->message);
	g_clear_error(&err);
	g_free(text);
	g_unlink(path);
	g_free(path);
}
END_TEST

/* Every version-2 op (OPLOG.md "Version 2"), obeying the rules, after the header of
 * full_header(). */
static const struct oplog_op *v2_ops(size_t *n)
{
	static struct oplog_op ops[32];
	size_t i = 0;
	ops[i++] = OP(.kind = OPL_ALLOC, .task = 1, .issue = 0, .buf = 1, .process = 1,
		      .len = 65536);
	ops[i++] = OP(.kind = OPL_ALLOC, .task = 1, .issue = 1, .buf = 2, .process = 1,
		      .len = 12288);
	ops[i++] = OP(.kind = OPL_BUF_STORE, .task = 1, .issue = 2, .buf = 1, .off = 3, .len = 65533);
	ops[i++] = OP(.kind = OPL_BUF_LOAD, .task = 1, .issue = 3, .buf = 2, .off = 0, .len = 1);
	ops[i++] = OP(.kind = OPL_DIO_WRITE, .task = 1, .issue = 4, .file = 1, .off = 0,
		      .len = 4096, .buf = 1, .at = 512, .io = 1);
	ops[i++] = OP(.kind = OPL_DIO_WRITE, .task = 1, .issue = 5, .file = 1, .off = 4096,
		      .len = 4096, .buf = 1, .at = 0);
	ops[i++] = OP(.kind = OPL_DIO_WRITE, .task = 1, .issue = 6, .file = 1, .off = 8192,
		      .len = 512, .map = 1, .at = 1024, .io = 2);
	ops[i++] = OP(.kind = OPL_DIO_WRITE, .task = 1, .issue = 7, .file = 1, .off = 8192,
		      .len = 512, .io = 3);
	ops[i++] = OP(.kind = OPL_DIO_READ, .task = 1, .issue = 8, .file = 1, .off = 0,
		      .len = 8192, .buf = 2, .at = 4096, .io = 4);
	ops[i++] = OP(.kind = OPL_DIO_READ, .task = 1, .issue = 9, .file = 1, .off = 0,
		      .len = 512, .buf = 2);
	ops[i++] = OP(.kind = OPL_DIO_READ, .task = 1, .issue = 10, .file = 1, .off = 0,
		      .len = 512, .io = 5);
	ops[i++] = OP(.kind = OPL_IO_WAIT, .task = 2, .issue = 5000, .io = 1);
	for (uint32_t io = 2; io <= 5; io++)
		ops[i++] = OP(.kind = OPL_IO_WAIT, .task = 1, .issue = 10 + io, .io = io);
	ops[i++] = OP(.kind = OPL_PIN, .task = 1, .issue = 20, .map = 1, .off = 0, .len = 4096,
		      .pin = 1, .longterm = true);
	ops[i++] = OP(.kind = OPL_EXIT, .task = 1, .issue = 21);
	for (size_t j = 0; j < i; j++)
		ops[j].cpu = -1;
	*n = i;
	return ops;
}

static unsigned first_line_version(const char *path, char **text)
{
	ck_assert(g_file_get_contents(path, text, NULL, NULL));
	unsigned v = 0;
	ck_assert_int_eq(sscanf(*text, "wbsim-oplog %u\n", &v), 1);
	return v;
}

/* The writer names the lowest version that has every line it wrote, whatever the
 * header struct says: a log of version-1 lines is a version-1 log, byte for byte the
 * same as with h->version 1; one version-2 line (in the header, an op after it, an op
 * spooled before it) makes it version 2; and every version-2 op reads back equal. */
START_TEST(lowest_version)
{
	size_t n, n2;
	const struct oplog_op *ops = every_op(&n);
	const struct oplog_op *ops2 = v2_ops(&n2);
	struct oplog_header *h = full_header();
	char *a, *b;

	h->version = 1;
	char *p1 = write_log("v1.oplog", h, ops, n, 0);
	ck_assert_uint_eq(first_line_version(p1, &a), 1);
	h->version = 2;                 /* not looked at */
	char *p2 = write_log("v1b.oplog", h, ops, n, 0);
	ck_assert_uint_eq(first_line_version(p2, &b), 1);
	ck_assert_msg(!strcmp(a, b), "h->version changed what was written");
	g_free(a);
	g_free(b);

	/* A buffer header line. */
	oplog_header_add_buffer(h, 1, 1, 65536);
	ck_assert_uint_eq(oplog_header_needs(h), 2);
	char *p3 = write_log("v2h.oplog", h, ops, n, 0);
	ck_assert_uint_eq(first_line_version(p3, &a), 2);
	g_free(a);

	/* Version-2 ops after the header (the digit rewritten at commit), and the first
	 * spooled before it; read back field by field. */
	struct oplog_header *h1 = full_header();
	for (size_t before = 0; before <= 1; before++) {
		char *p = write_log(before ? "v2s.oplog" : "v2o.oplog", h1, ops2, n2, before);
		ck_assert_uint_eq(first_line_version(p, &a), 2);
		g_free(a);
		GError *err = NULL;
		struct oplog *log = oplog_open(p, &err);
		ck_assert_msg(log, "%s", err ? err->message : "");
		ck_assert_uint_eq(oplog_header(log)->version, 2);
		uint64_t nops = 0;
		ck_assert_msg(oplog_check(log, &nops, &err), "%s", err ? err->message : "");
		ck_assert_uint_eq(nops, n2);
		struct oplog_cursor *c = oplog_cursor_new(log, 0, 0, 0);
		struct oplog_op op;
		for (size_t i = 0; i < n2; i++) {
			ck_assert_int_eq(oplog_cursor_next(c, &op, &err), 1);
			assert_op_eq(&op, &ops2[i]);
		}
		oplog_cursor_free(c);
		oplog_close(log);
		g_unlink(p);
		g_free(p);
	}
	oplog_header_free(h1);
	oplog_header_free(h);
	g_unlink(p1);
	g_unlink(p2);
	g_unlink(p3);
	g_free(p1);
	g_free(p2);
	g_free(p3);
}
END_TEST

/* No file appears at the destination unless commit succeeds. */
START_TEST(atomic)
{
	char *path = tmp_path("atomic.oplog");
	GError *err = NULL;
	struct oplog_writer *w = oplog_writer_open(path, &err);
	struct oplog_op o = OP(.kind = OPL_EXIT, .task = 1);
	oplog_writer_op(w, &o);
	oplog_writer_abort(w);
	ck_assert(!g_file_test(path, G_FILE_TEST_EXISTS));
	w = oplog_writer_open(path, &err);
	oplog_writer_op(w, &o);
	ck_assert(!oplog_writer_commit(w, &err));       /* no header */
	ck_assert_msg(strstr(err->message, "no header"), "%s", err->message);
	g_clear_error(&err);
	ck_assert(!g_file_test(path, G_FILE_TEST_EXISTS));
	GDir *d = g_dir_open(tmpdir, 0, NULL);
	const char *name;
	while ((name = g_dir_read_name(d)))
		ck_assert_msg(!g_str_has_prefix(name, "atomic"), "left behind: %s", name);
	g_dir_close(d);
	g_free(path);
}
END_TEST

/* The example in scenarios/OPLOG.md is a log that passes every rule. */
START_TEST(spec_example)
{
	char *doc;
	ck_assert(g_file_get_contents(WBSIM_SOURCE_DIR "/scenarios/OPLOG.md", &doc, NULL, NULL));
	char *start = strstr(strstr(doc, "## An example"), "```\n") + 4;
	*strstr(start, "```") = '\0';
	char *path = tmp_path("example.oplog");
	g_file_set_contents(path, start, -1, NULL);
	GError *err = NULL;
	struct oplog *log = oplog_open(path, &err);
	ck_assert_msg(log, "%s", err ? err->message : "");
	uint64_t n;
	ck_assert_msg(oplog_check(log, &n, &err), "%s", err ? err->message : "");
	ck_assert_uint_eq(n, 11);
	ck_assert_uint_eq(oplog_header(log)->cfg.dev.write_latency, 40000);
	oplog_close(log);
	g_unlink(path);
	g_free(path);
	g_free(doc);
}
END_TEST

/* So is the version-2 example of its "Version 2" section. */
START_TEST(spec_example_v2)
{
	char *doc;
	ck_assert(g_file_get_contents(WBSIM_SOURCE_DIR "/scenarios/OPLOG.md", &doc, NULL, NULL));
	char *start = strstr(strstr(doc, "### Version 2"), "```\n") + 4;
	*strstr(start, "```") = '\0';
	char *path = tmp_path("example2.oplog");
	g_file_set_contents(path, start, -1, NULL);
	GError *err = NULL;
	struct oplog *log = oplog_open(path, &err);
	ck_assert_msg(log, "%s", err ? err->message : "");
	ck_assert_uint_eq(oplog_header(log)->version, 2);
	ck_assert_uint_eq(oplog_header(log)->buffers->len, 1);
	uint64_t n;
	ck_assert_msg(oplog_check(log, &n, &err), "%s", err ? err->message : "");
	ck_assert_uint_eq(n, 20);
	oplog_close(log);
	g_unlink(path);
	g_free(path);
	g_free(doc);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("oplog_format");
	TCase *tc = tcase_create("format");
	tcase_add_test(tc, every_op_round_trip);
	tcase_add_test(tc, ops_before_header);
	tcase_add_test(tc, op_line_text);
	tcase_add_test(tc, hand_written);
	tcase_add_test(tc, versions);
	tcase_add_test(tc, lowest_version);
	tcase_add_test(tc, atomic);
	tcase_add_test(tc, spec_example);
	tcase_add_test(tc, spec_example_v2);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(suite)
