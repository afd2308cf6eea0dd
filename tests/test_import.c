/*
 * Importers (wbsim import strace|fio|fsx): on the logs captured on this machine
 * (tests/oplog/README.md says how each was made) and on small hand-made traces that
 * pin down one mechanism each: descriptor offsets through write, lseek, dup and
 * pwrite; O_DSYNC and O_DIRECT; --dir; failed calls; threads and forks; a child's
 * lines printed before its parent's clone returned; unfinished/resumed pairs;
 * shared mappings inherited by a fork; -tt times across midnight.  Every imported
 * log must pass oplog_check; every malformed input leaves no output file.
 */
#include "oplog/import.h"
#include "oplog/oplog.h"
#include "engine/uapi.h"
#include "oplog/strace_line.h"
#include "wbtest.h"

#include <glib/gstdio.h>
#include <string.h>

#define FIX WBSIM_SOURCE_DIR "/tests/oplog/"
#define CAPTURE_DIR "/tmp/wbsim-oplog-capture"

static char *dir;

struct imported {
	struct import_stats st;
	struct oplog *log;
	GArray *ops;            /* every op, file order (names dropped) */
};

typedef bool (*import_fn)(const char *, const char *, const struct import_opts *,
			  struct import_stats *, GError **);

static void import_ok(import_fn fn, const char *in, const struct import_opts *o,
		      struct imported *r)
{
	char *out = g_build_filename(dir, "out.oplog", NULL);
	GError *err = NULL;
	import_stats_init(&r->st);
	ck_assert_msg(fn(in, out, o, &r->st, &err), "%s", err ? err->message : "");
	r->log = oplog_open(out, &err);
	ck_assert_msg(r->log, "%s", err ? err->message : "");
	uint64_t n;
	ck_assert_msg(oplog_check(r->log, &n, &err), "%s", err ? err->message : "");
	ck_assert_uint_eq(n, r->st.ops);
	r->ops = g_array_new(FALSE, FALSE, sizeof(struct oplog_op));
	struct oplog_cursor *c = oplog_cursor_new(r->log, 0, 0, 0);
	struct oplog_op op;
	while (oplog_cursor_next(c, &op, &err) == 1) {
		op.name = NULL;
		g_array_append_val(r->ops, op);
	}
	oplog_cursor_free(c);
	g_free(out);
}

static void imported_clear(struct imported *r)
{
	import_stats_clear(&r->st);
	oplog_close(r->log);
	g_array_unref(r->ops);
}

static uint64_t count(const struct imported *r, enum oplog_kind k, uint32_t task)
{
	uint64_t n = 0;
	for (guint i = 0; i < r->ops->len; i++) {
		const struct oplog_op *o = &g_array_index(r->ops, struct oplog_op, i);
		n += o->kind == k && (!task || o->task == task);
	}
	return n;
}

static uint64_t skipped(const struct imported *r, const char *what)
{
	const uint64_t *n = g_hash_table_lookup(r->st.skipped, what);
	return n ? *n : 0;
}

/* Lines of @path containing @s: the fixture counted another way than the importer. */
static uint64_t grep(const char *path, const char *s)
{
	char *text;
	ck_assert(g_file_get_contents(path, &text, NULL, NULL));
	uint64_t n = 0;
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"))
		n += strstr(l, s) != NULL;
	g_free(text);
	return n;
}

static const struct oplog_op *op_at(const struct imported *r, guint i)
{
	ck_assert_uint_lt(i, r->ops->len);
	return &g_array_index(r->ops, struct oplog_op, i);
}

static void expect_op(const struct imported *r, guint i, enum oplog_kind k, uint32_t task,
		      uint32_t obj, uint64_t off, uint64_t len)
{
	const struct oplog_op *o = op_at(r, i);
	char *s = oplog_format_op(o);
	uint32_t id = o->file ? o->file : o->map;
	if (k == OPL_SPAWN || k == OPL_JOIN)
		id = o->target;
	if (k == OPL_MMAP)
		id = o->map;
	ck_assert_msg(o->kind == k && o->task == task && id == obj && o->off == off &&
		      o->len == len, "op %u is \"%s\"; want %s by t%u on %u, %" G_GUINT64_FORMAT
		      " %" G_GUINT64_FORMAT, i, s, oplog_kind_name(k), task, obj, off, len);
	g_free(s);
}

/* ---- fsx ------------------------------------------------------------------------- */

START_TEST(fsx_fixture)
{
	struct imported r;
	struct import_opts o = { 0 };
	import_ok(import_fsx, FIX "fsx.fsxops", &o, &r);
	/* Each line of the fixture, by hand (tests/oplog/README.md "fsx"). */
	expect_op(&r, 0, OPL_PWRITE, 1, 1, 0, 0x2000);
	expect_op(&r, 1, OPL_PWRITE, 1, 1, 0x1800, 0x3000);
	/* mapwrite 0x5100 0x800: the pages from 0x5000, the stores at 0x100 in them,
	 * msync of the whole mapping, munmap */
	expect_op(&r, 2, OPL_MMAP, 1, 1, 0x5000, 0x900);
	expect_op(&r, 3, OPL_STORE, 1, 1, 0x100, 0x800);
	expect_op(&r, 4, OPL_MSYNC, 1, 1, 0, 0x900);
	expect_op(&r, 5, OPL_UNMAP, 1, 1, 0, 0);
	expect_op(&r, 6, OPL_PREAD, 1, 1, 0x100, 0x1000);
	expect_op(&r, 7, OPL_MMAP, 1, 2, 0x2000, 0x1234);
	expect_op(&r, 8, OPL_LOAD, 1, 2, 0, 0x1234);
	expect_op(&r, 10, OPL_FSYNC, 1, 1, 0, 0);
	expect_op(&r, 11, OPL_PWRITE, 1, 1, 0x2800, 0x1000);
	expect_op(&r, 12, OPL_PREAD, 1, 1, 0, 0x3800);
	expect_op(&r, 13, OPL_EXIT, 1, 0, 0, 0);
	ck_assert_uint_eq(r.ops->len, 14);
	ck_assert_uint_eq(skipped(&r, "skip (fsx did not run it)"), 1);
	ck_assert_uint_eq(skipped(&r, "truncate"), 1);
	ck_assert_uint_eq(skipped(&r, "punch_hole"), 1);
	ck_assert_uint_eq(skipped(&r, "copy_range"), 1);
	ck_assert_uint_eq(skipped(&r, "fallocate"), 1);
	/* The largest size fsx saw is 0x5900 bytes (after the mapwrite): 6 pages. */
	const struct oplog_header *h = oplog_header(r.log);
	ck_assert_uint_eq(g_array_index(h->files, struct oplog_file, 0).size, 6 * 4096);
	ck_assert_str_eq(g_array_index(h->files, struct oplog_file, 0).name, "fsx");
	imported_clear(&r);
}
END_TEST

/* ---- fio ------------------------------------------------------------------------- */

START_TEST(fio_versions)
{
	struct imported v3, v2;
	struct import_opts o = { 0 };
	import_ok(import_fio, FIX "fio-v3.iolog", &o, &v3);
	import_ok(import_fio, FIX "fio-v2.iolog", &o, &v2);
	uint64_t reads = grep(FIX "fio-v3.iolog", " read "),
		 writes = grep(FIX "fio-v3.iolog", " write "),
		 syncs = grep(FIX "fio-v3.iolog", " sync ");
	ck_assert_uint_gt(reads, 0);
	ck_assert_uint_gt(writes, 0);
	ck_assert_uint_gt(syncs, 0);       /* --fsync=8 in capture.sh */
	ck_assert_uint_eq(count(&v3, OPL_PREAD, 0), reads);
	ck_assert_uint_eq(count(&v3, OPL_PWRITE, 0), writes);
	ck_assert_uint_eq(count(&v3, OPL_FSYNC, 0), syncs);
	ck_assert_uint_eq(v3.ops->len, reads + writes + syncs + 1);        /* + exit */
	/* Version 2 is the same log without times: the same ops, all at time 0. */
	ck_assert_uint_eq(v2.ops->len, v3.ops->len);
	for (guint i = 0; i < v3.ops->len; i++) {
		const struct oplog_op *a = op_at(&v3, i), *b = op_at(&v2, i);
		ck_assert(a->kind == b->kind && a->off == b->off && a->len == b->len);
		ck_assert_uint_eq(b->issue, 0);
		ck_assert_uint_eq(a->think, 0);
	}
	/* The first read's issue time is its microseconds in the log, as ns. */
	char *text;
	g_file_get_contents(FIX "fio-v3.iolog", &text, NULL, NULL);
	const char *l = strstr(text, " read ");
	while (l > text && l[-1] != '\n')
		l--;
	ck_assert_uint_eq(op_at(&v3, 0)->issue, g_ascii_strtoull(l, NULL, 10) * 1000);
	g_free(text);
	/* --direct: the same I/O as O_DIRECT (fio's 4 KiB blocks are aligned). */
	struct imported d;
	o.direct = true;
	import_ok(import_fio, FIX "fio-v3.iolog", &o, &d);
	ck_assert_uint_eq(count(&d, OPL_DIO_READ, 0), reads);
	ck_assert_uint_eq(count(&d, OPL_DIO_WRITE, 0), writes);
	imported_clear(&d);
	imported_clear(&v3);
	imported_clear(&v2);
}
END_TEST

/* ---- strace: the captured traces ------------------------------------------------------- */

static uint32_t task_of_pid(const struct imported *r, unsigned pid)
{
	char *want = g_strdup_printf("pid %u", pid);
	uint32_t id = 0;
	const struct oplog_header *h = oplog_header(r->log);
	for (guint i = 0; i < h->tasks->len; i++)
		if (!strcmp(g_array_index(h->tasks, struct oplog_task, i).name, want))
			id = g_array_index(h->tasks, struct oplog_task, i).id;
	struct oplog_cursor *c = oplog_cursor_new(r->log, 0, 0, 0);
	struct oplog_op op;
	while (!id && oplog_cursor_next(c, &op, NULL) == 1)
		if (op.kind == OPL_SPAWN && !strcmp(op.name, want))
			id = op.target;
	oplog_cursor_free(c);
	g_free(want);
	ck_assert_uint_ne(id, 0);
	return id;
}

/* The issue time the importer must give the call on the fixture line holding @s:
 * its time minus the trace's first. */
static uint64_t issue_of(const char *path, const char *s)
{
	char *text;
	g_file_get_contents(path, &text, NULL, NULL);
	struct sline first, l;
	const char *why;
	char *nl = strchr(text, '\n');
	*nl = '\0';
	ck_assert(sline_parse(text, &first, &why));
	char *at = strstr(nl + 1, s);
	ck_assert_ptr_nonnull(at);
	while (at[-1] != '\n')
		at--;
	*strchr(at, '\n') = '\0';
	ck_assert(sline_parse(at, &l, &why));
	g_free(text);
	return l.t_ns - first.t_ns;
}

START_TEST(strace_sqlite)
{
	struct imported r;
	char *dirs[] = { CAPTURE_DIR, NULL };
	struct import_opts o = { .dirs = dirs };
	const char *in = FIX "sqlite-wal.strace";
	import_ok(import_strace, in, &o, &r);
	/* sh, the child it forks for the background sqlite3 and the one it vforks: each
	 * its own process (neither clone has CLONE_VM). */
	ck_assert_uint_eq(r.st.tasks, 3);
	ck_assert_uint_eq(r.st.processes, 3);
	ck_assert_uint_eq(count(&r, OPL_SPAWN, 0), 2);
	ck_assert_uint_eq(count(&r, OPL_EXIT, 0), 3);
	/* the two scripts, the database, its WAL and its shared-memory index; the
	 * directory itself, which sqlite opens to fsync, is not under --dir */
	const struct oplog_header *h = oplog_header(r.log);
	ck_assert_uint_eq(h->files->len, 5);
	const char *names[] = { "b.sql", "a.sql", "wal.db", "wal.db-wal", "wal.db-shm" };
	for (guint i = 0; i < 5; i++)
		ck_assert_str_eq(g_array_index(h->files, struct oplog_file, i).name, names[i]);
	/* Every pwrite64 in the trace succeeded on one of those files (each call has
	 * exactly one line with "pwrite64(": resumed lines name it differently). */
	ck_assert_uint_eq(count(&r, OPL_PWRITE, 0), grep(in, "pwrite64("));
	/* 31 fdatasync calls, 2 of them on the directory's descriptor (fd 6). */
	ck_assert_uint_eq(grep(in, "fdatasync("), 31);
	ck_assert_uint_eq(count(&r, OPL_FDATASYNC, 0), 29);
	ck_assert_uint_eq(skipped(&r, "ftruncate"), grep(in, "ftruncate("));
	ck_assert_uint_eq(skipped(&r, "unlink"), grep(in, "unlink("));
	/* two opens of ~/.sqliterc (ENOENT), one wait4 (ECHILD) */
	ck_assert_uint_eq(skipped(&r, "failed calls"), grep(in, "= -1 E"));
	ck_assert_uint_eq(skipped(&r, "wait4 that reaped nothing (WNOHANG)"), 2);
	/* Offsets through fork and dup2: sh opened b.sql as fd 3, dup2'd it to 0 and
	 * vforked; the child's sqlite3 reads stdin from offset 0, 913 bytes (the
	 * script's size), and its next read at 913 returns 0 (not replayed). */
	uint32_t child = task_of_pid(&r, 1590);
	guint i = 0;
	while (op_at(&r, i)->task != child || op_at(&r, i)->kind != OPL_PREAD ||
	       op_at(&r, i)->file != 1)
		i++;
	expect_op(&r, i, OPL_PREAD, child, 1, 0, 913);
	/* An <unfinished ...>/resumed pair: one fdatasync, issued when it began. */
	uint64_t t = issue_of(in, "1590  10:35:21.619308 fdatasync(4 <unfinished");
	bool found = false;
	for (i = 0; i < r.ops->len; i++)
		found |= op_at(&r, i)->kind == OPL_FDATASYNC && op_at(&r, i)->task == child &&
			 op_at(&r, i)->issue == t;
	ck_assert_msg(found, "no fdatasync of t%u at @%" G_GUINT64_FORMAT, child, t);
	/* Both sqlite3 processes map the -shm file shared, and unmap it at exit. */
	ck_assert_uint_eq(count(&r, OPL_MMAP, 0), 2);
	ck_assert_uint_eq(count(&r, OPL_UNMAP, 0), 2);
	/* sh waits for both children: joins after their exits */
	ck_assert_uint_eq(count(&r, OPL_JOIN, 1), 2);
	imported_clear(&r);
}
END_TEST

START_TEST(strace_fio_threads)
{
	struct imported r;
	char *dirs[] = { CAPTURE_DIR, NULL };
	struct import_opts o = { .dirs = dirs };
	const char *in = FIX "fio-threads.strace";
	import_ok(import_strace, in, &o, &r);
	/* clone3 with CLONE_VM: a task per thread, all in fio's one process */
	ck_assert_uint_eq(r.st.tasks, 1 + grep(in, "clone3("));
	ck_assert_uint_eq(r.st.processes, 1);
	ck_assert_uint_eq(count(&r, OPL_PWRITE, 0), grep(in, "pwrite64("));
	ck_assert_uint_eq(count(&r, OPL_FSYNC, 0), grep(in, "fsync("));
	ck_assert_uint_eq(skipped(&r, "fallocate"), grep(in, "fallocate("));
	imported_clear(&r);
}
END_TEST

/* ---- strace: one mechanism at a time ----------------------------------------------------- */

static const char synthetic[] =
	"100 23:59:59.000000 openat(AT_FDCWD, \"/d/f\", O_RDWR|O_CREAT|O_CLOEXEC, 0644) = 3 <0.000010>\n"
	"100 23:59:59.000100 write(3, \"\"..., 100) = 100 <0.000010>\n"
	"100 23:59:59.000200 write(3, \"\"..., 50) = 50 <0.000010>\n"
	"100 23:59:59.000300 lseek(3, 4096, SEEK_SET) = 4096 <0.000001>\n"
	"100 23:59:59.000400 read(3, \"\", 10) = 10 <0.000001>\n"
	"100 23:59:59.000500 dup(3) = 4 <0.000001>\n"
	"100 23:59:59.000600 write(4, \"\"..., 6) = 6 <0.000001>\n"
	"100 23:59:59.000700 pwrite64(3, \"\"..., 8, 0) = 8 <0.000001>\n"
	"100 23:59:59.000800 openat(AT_FDCWD, \"/d/s\", O_WRONLY|O_DSYNC) = 5 <0.000001>\n"
	"100 23:59:59.000900 write(5, \"\"..., 4096) = 4096 <0.000001>\n"
	"100 23:59:59.001000 openat(AT_FDCWD, \"/d/o\", O_RDWR|O_DIRECT) = 6 <0.000001>\n"
	"100 23:59:59.001100 pwrite64(6, \"\"..., 4096, 8192) = 4096 <0.000002>\n"
	"100 23:59:59.001200 openat(AT_FDCWD, \"/elsewhere/x\", O_RDONLY) = 7 <0.000001>\n"
	"100 23:59:59.001300 read(7, \"\"..., 100) = 100 <0.000001>\n"
	"100 23:59:59.001400 ftruncate(3, 0) = 0 <0.000001>\n"
	"100 23:59:59.001500 write(3, \"\"..., 10) = -1 ENOSPC (No space left on device) <0.000001>\n"
	"100 23:59:59.001600 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f0000000000 <0.000003>\n"
	"100 23:59:59.001700 clone(child_stack=0x1, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD <unfinished ...>\n"
	"101 23:59:59.001800 write(3, \"\"..., 4) = 4 <0.000001>\n"
	"100 23:59:59.001900 <... clone resumed>, parent_tid=[101]) = 101 <0.000200>\n"
	"101 23:59:59.002000 msync(0x7f0000001000, 4096, MS_SYNC) = 0 <0.000050>\n"
	"100 23:59:59.002100 fork() = 102 <0.000100>\n"
	"102 23:59:59.002200 fsync(3) = 0 <0.000010>\n"
	"102 00:00:00.000100 +++ exited with 0 +++\n"
	"100 00:00:00.000200 wait4(-1, NULL, 0, NULL) = 102 <0.000010>\n"
	"101 00:00:00.000300 munmap(0x7f0000000000, 8192) = 0 <0.000001>\n"
	"101 00:00:00.000400 +++ exited with 0 +++\n"
	"100 00:00:00.000500 exit_group(0) = ?\n"
	"100 00:00:00.000600 +++ exited with 0 +++\n";

static void import_synthetic(bool shared_stores, struct imported *r)
{
	char *in = g_build_filename(dir, "synthetic.strace", NULL);
	g_file_set_contents(in, synthetic, -1, NULL);
	char *dirs[] = { "/d", NULL };
	struct import_opts o = { .dirs = dirs, .shared_stores = shared_stores };
	import_ok(import_strace, in, &o, r);
	g_unlink(in);
	g_free(in);
}

START_TEST(strace_mechanisms)
{
	struct imported r;
	import_synthetic(false, &r);
	guint i = 0;
	/* write, write, lseek, read, write through a dup: one offset, moved by each */
	expect_op(&r, i++, OPL_PWRITE, 1, 1, 0, 100);
	expect_op(&r, i++, OPL_PWRITE, 1, 1, 100, 50);
	expect_op(&r, i++, OPL_PREAD, 1, 1, 4096, 10);
	expect_op(&r, i++, OPL_PWRITE, 1, 1, 4106, 6);
	expect_op(&r, i++, OPL_PWRITE, 1, 1, 0, 8);             /* pwrite: its own offset */
	expect_op(&r, i++, OPL_PWRITE, 1, 2, 0, 4096);          /* O_DSYNC: then fdatasync */
	expect_op(&r, i++, OPL_FDATASYNC, 1, 2, 0, 0);
	expect_op(&r, i++, OPL_DIO_WRITE, 1, 3, 8192, 4096);    /* O_DIRECT */
	expect_op(&r, i++, OPL_MMAP, 1, 1, 0, 8192);
	/* the thread: same process, so no process op; its write printed before the
	 * clone returned comes after the spawn, at the offset the pwrite left alone */
	expect_op(&r, i, OPL_SPAWN, 1, 2, 0, 0);
	ck_assert_uint_eq(op_at(&r, i)->process, 1);
	ck_assert_uint_eq(op_at(&r, i++)->issue, 1700000);      /* when clone began */
	expect_op(&r, i, OPL_PWRITE, 2, 1, 4112, 4);
	ck_assert_uint_eq(op_at(&r, i++)->think, 100000);       /* since the clone began */
	expect_op(&r, i++, OPL_MSYNC, 2, 1, 4096, 4096);
	/* fork: a process of its own, with the shared mapping inherited */
	expect_op(&r, i++, OPL_PROCESS, 1, 0, 0, 0);
	expect_op(&r, i++, OPL_SPAWN, 1, 3, 0, 0);
	expect_op(&r, i++, OPL_MMAP, 3, 2, 0, 8192);
	expect_op(&r, i++, OPL_FSYNC, 3, 1, 0, 0);
	/* -tt wraps at midnight: 00:00:00.0001 is 1.0001 s after 23:59:59 */
	expect_op(&r, i, OPL_EXIT, 3, 0, 0, 0);
	ck_assert_uint_eq(op_at(&r, i++)->issue, 1000100000);
	expect_op(&r, i++, OPL_JOIN, 1, 3, 0, 0);               /* wait4 reaped pid 102 */
	expect_op(&r, i++, OPL_UNMAP, 2, 1, 0, 0);
	expect_op(&r, i++, OPL_EXIT, 2, 0, 0, 0);
	expect_op(&r, i++, OPL_EXIT, 1, 0, 0, 0);
	ck_assert_uint_eq(r.ops->len, i);
	ck_assert_uint_eq(skipped(&r, "outside --dir"), 1);
	ck_assert_uint_eq(skipped(&r, "ftruncate"), 1);
	ck_assert_uint_eq(skipped(&r, "failed calls"), 1);
	/* names relative to --dir; sizes cover every op and mapping, in pages */
	const struct oplog_header *h = oplog_header(r.log);
	ck_assert_str_eq(g_array_index(h->files, struct oplog_file, 0).name, "f");
	ck_assert_uint_eq(g_array_index(h->files, struct oplog_file, 0).size, 8192);
	ck_assert_uint_eq(g_array_index(h->files, struct oplog_file, 2).size, 12288);
	imported_clear(&r);

	/* --shared-stores: a store over the msync'd range just before the msync */
	import_synthetic(true, &r);
	ck_assert_uint_eq(count(&r, OPL_STORE, 0), 1);
	for (i = 0; op_at(&r, i)->kind != OPL_STORE; i++)
		;
	expect_op(&r, i, OPL_STORE, 2, 1, 4096, 4096);
	expect_op(&r, i + 1, OPL_MSYNC, 2, 1, 4096, 4096);
	imported_clear(&r);
}
END_TEST

START_TEST(strace_line_forms)
{
	char a[] = "[pid  4242] 1700000000.123456 pwrite64(3, \"a,b\"..., 2, 10) = 2 <0.000005>";
	struct sline l;
	const char *why;
	ck_assert(sline_parse(a, &l, &why));
	ck_assert_uint_eq(l.pid, 4242);
	ck_assert_uint_eq(l.t_ns, 1700000000123456000ull);
	ck_assert_str_eq(l.name, "pwrite64");
	ck_assert_int_eq(l.ret, 2);
	ck_assert_uint_eq(l.dur_ns, 5000);
	GPtrArray *args = g_ptr_array_new();
	sline_split(l.args, args);
	ck_assert_uint_eq(args->len, 4);                /* the comma in the string is data */
	ck_assert_str_eq(args->pdata[3], "10");
	char b[] = "7 10:00:00.5 <... read resumed>\"x\", 4096) = 1 <0.000002>";
	ck_assert(sline_parse(b, &l, &why));
	ck_assert_int_eq(l.kind, SL_RESUMED);
	ck_assert_str_eq(l.args, "\"x\", 4096");
	char c[] = "7 10:00:00.5 clone3({flags=CLONE_VM|CLONE_FS, child_tid=0x1} => {parent_tid=[5]}, 88) = 5";
	ck_assert(sline_parse(c, &l, &why));
	sline_split(l.args, args);
	ck_assert_uint_eq(args->len, 2);
	ck_assert(sline_has_flag(args->pdata[0], "CLONE_VM"));
	ck_assert(!sline_has_flag(args->pdata[0], "CLONE_V"));
	char d[] = "7 10:00:00.5 openat(AT_FDCWD, \"/x\", O_RDONLY) = -1 ENOENT (No such file) <0.1>";
	ck_assert(sline_parse(d, &l, &why));
	ck_assert(l.failed);
	char *s = sline_string("\"a\\\"b\\n\\x41\\101\"...");
	ck_assert_str_eq(s, "a\"b\nAA");
	g_free(s);
	g_ptr_array_unref(args);
}
END_TEST

/* ---- malformed input: IN:LINE, and no OUT ------------------------------------------------ */

struct bad { import_fn fn; const char *text; unsigned line; const char *says; };

static const struct bad bads[] = {
	{ import_strace, "garbage\n", 1, "expected a time" },
	{ import_strace, "1 10:00:00.0 read(3, \"\", 1) = 1\n1 10:00:00.1 write(3\n", 2,
	  "no closing parenthesis" },
	{ import_strace, "1 10:00:00.0 read(3) = lots\n", 1, "the result is not a number" },
	{ import_strace, "", 0, "no system calls" },
	{ import_fio, "fio version 4 iolog\n", 1, "not a fio iolog of version 2 or 3" },
	{ import_fio, "fio version 3 iolog\n1 f add\n2 f write 0\n", 3, "expected USEC FILE "
	  "ACTION" },
	{ import_fio, "fio version 2 iolog\nf add\nf scribble 0 1\n", 3, "unknown action" },
	{ import_fio, "fio version 2 iolog\nf read 0 4096\n", 2, "the file was not added" },
	{ import_fio, "fio version 3 iolog\n5 f add\n4 f open\n", 3, "goes back" },
	{ import_fio, "fio version 2 iolog\nf add\nf read x 4096\n", 3, "the offset must be" },
	{ import_fsx, "write 0x0 0x10 0x0\nfrobnicate 0x1 0x2 0x3\n", 2, "unknown fsx op" },
	{ import_fsx, "read 0x10\n", 1, "expected offset and length" },
	{ import_fsx, "read 0xzz 0x1 0x0\n", 1, "expected a hexadecimal argument" },
	{ import_fsx, "read 0x0 0x1 0x0 sideways\n", 1, "unknown flag \"sideways\"" },
};

START_TEST(malformed)
{
	const struct bad *b = &bads[_i];
	char *in = g_build_filename(dir, "bad.in", NULL);
	char *out = g_build_filename(dir, "bad.oplog", NULL);
	g_file_set_contents(in, b->text, -1, NULL);
	struct import_stats st;
	import_stats_init(&st);
	struct import_opts o = { 0 };
	GError *err = NULL;
	ck_assert_msg(!b->fn(in, out, &o, &st, &err), "case %d accepted", _i);
	char *head = g_strdup_printf("%s:%u: ", in, b->line);
	ck_assert_msg(g_str_has_prefix(err->message, head) && strstr(err->message, b->says),
		      "case %d: want \"%s...%s\", got \"%s\"", _i, head, b->says, err->message);
	ck_assert(!g_file_test(out, G_FILE_TEST_EXISTS));
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	while ((name = g_dir_read_name(d)))
		ck_assert_msg(!g_str_has_prefix(name, "bad.oplog"), "left behind: %s", name);
	g_dir_close(d);
	g_error_free(err);
	g_free(head);
	import_stats_clear(&st);
	g_unlink(in);
	g_free(in);
	g_free(out);
}
END_TEST

static Suite *suite(void)
{
	dir = g_dir_make_tmp("wbsim-import-XXXXXX", NULL);
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("import");
	tcase_add_test(tc, fsx_fixture);
	tcase_add_test(tc, fio_versions);
	tcase_add_test(tc, strace_sqlite);
	tcase_add_test(tc, strace_fio_threads);
	tcase_add_test(tc, strace_mechanisms);
	tcase_add_test(tc, strace_line_forms);
	tcase_add_loop_test(tc, malformed, 0, (int)G_N_ELEMENTS(bads));
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(suite)
