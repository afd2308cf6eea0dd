/*
 * Op logs: every malformed line and every broken rule is refused with
 * "file:line: problem", the line being the one at fault.  Each case is a log that
 * differs from a good one in one place.
 */
#include "oplog/oplog.h"
#include "wbtest.h"

#include <glib/gstdio.h>
#include <string.h>

/* Lines 1-4 of most cases: a file of 16 KiB, a process, a task in it, a mapping. */
#define PRE "wbsim-oplog 1\nfile f1 name=d size=16KiB\nprocess p1\ntask t1 name=a process=p1\n"
#define MAP "mmap m1 process=p1 file=f1 size=8KiB\n"
/* Lines 1-5 of the version-2 cases: PRE's, in a version-2 log, and a Buffer of 8 KiB. */
#define PRE2 "wbsim-oplog 2\nfile f1 name=d size=16KiB\nprocess p1\ntask t1 name=a process=p1\n" \
	"buffer b1 process=p1 size=8KiB\n"

struct bad {
	const char *text;
	unsigned line;
	const char *says;
};

static const struct bad cases[] = {
	/* the first line */
	{ "", 1, "not an op log: the file is empty" },
	{ "hello\n", 1, "not an op log: the first line must be \"wbsim-oplog VERSION\"" },
	{ "wbsim-oplog 9\n", 1, "format version 9 is newer than this wbsim" },
	{ "wbsim-oplog 0\n", 1, "format version 0 is not a version" },
	{ "wbsim-oplog 1 extra\n", 1, "nothing else" },
	/* header lines */
	{ "wbsim-oplog 1\nbogus x=1\n", 2, "unknown header line \"bogus\"" },
	{ "wbsim-oplog 1\ndevice jitter=11\n", 2, "device jitter= must be between 0 and 10" },
	{ "wbsim-oplog 1\ndevice foo=1\n", 2, "device: unknown field foo= (it takes model, " },
	{ "wbsim-oplog 1\ndevice write_latency=20\n", 2, "device write_latency=: bad duration" },
	{ "wbsim-oplog 1\ndevice integrity=yes\n", 2, "integrity= must be true or false" },
	{ "wbsim-oplog 1\ndevice model=tape\n", 2, "model= must be ssd or hdd" },
	{ "wbsim-oplog 1\nwriteback memory=1KiB\n", 2, "writeback memory= must be between" },
	{ "wbsim-oplog 1\nseed abc\n", 2, "seed must be a decimal number, got \"abc\"" },
	{ "wbsim-oplog 1\nscenario name=x speed=3\n", 2, "scenario: unknown field speed=" },
	{ "wbsim-oplog 1\nparam value=3\n", 2, "param: name= is required" },
	{ "wbsim-oplog 1\nfile f1 name=x\n", 2, "file: size= is required" },
	{ "wbsim-oplog 1\nfile f1 name=\"x size=1\n", 2, "a quoted value has no closing" },
	{ "wbsim-oplog 1\nfile f0 name=x size=1\n", 2, "must be f<N> with N from 1" },
	{ "wbsim-oplog 1\nfile f1 name=x size=1 size=2\n", 2, "size= is given twice" },
	{ "wbsim-oplog 1\nfile f1 name=x size=-1\n", 2, "size=: bad size" },
	{ "wbsim-oplog 1\nfile f1 name=x size=0\n", 2, "file: size 0 must be from 1 byte" },
	{ "wbsim-oplog 1\nmmap m1 process=p1 file=f1 size=4096\n", 2, "mmap: p1 is not declared" },
	{ PRE "mmap m1 process=p1 file=f1 offset=100 size=4096\n", 5,
	  "offset 100 is not a multiple of the page size" },
	{ PRE "mmap m1 process=p1 file=f1 offset=8KiB size=16KiB\n", 5,
	  "bytes 8192..24576 lie outside file f1" },
	{ PRE "file f1 name=e size=1\n", 5, "file: f1 is declared twice (first at line 2)" },
	{ PRE "task t2 name=b process=p9\n", 5, "task: p9 is not declared" },
	/* op lines: syntax */
	{ PRE "t1 @x +0 pwrite f1 0 1\n", 5, "the issue time must be a decimal number, got \"x\"" },
	{ PRE "t1 @0 0 pwrite f1 0 1\n", 5, "expected the think time as +<ns>" },
	{ PRE "t1 @0 +0\n", 5, "the op is missing" },
	{ PRE "t1 @0 +0 frobnicate f1\n", 5, "unknown op \"frobnicate\"" },
	{ PRE "t1 @0 +0 pwrite f1 0\n", 5, "pwrite: the length is missing" },
	{ PRE "t1 @0 +0 pwrite m1 0 1\n", 5, "the file must be f<N>" },
	{ PRE "t1 @0 +0 pwrite f1 0 4096 extra\n", 5, "pwrite: unexpected \"extra\"" },
	{ PRE "t1 @0 +0 pwrite f1 0 99999999999999999999\n", 5, "does not fit in 64 bits" },
	{ PRE "t1 @0 +0 sync_range f1 0 0 later\n", 5, "how must be write, wait or write_wait" },
	{ PRE "t1 @0 +0 dio_write f1 0 512 at=0\n", 5, "at= is an offset into the mapping" },
	{ PRE "t1 @0 +0 dio_write f1 0 512 from=m1 to=3\n", 5, "unknown field to=" },
	{ PRE "t1 @0 +0 spawn t2 name=x cpu=300\n", 5, "cpu= must be a number from 0 to 255" },
	{ PRE "t1 @0 +0 spawn t2 process=p1\n", 5, "spawn: name= is required" },
	{ PRE "t1 @0 +0 pin m1 0 4096\n", 5, "pin: the pin it creates is missing" },
	{ PRE "tx @0 +0 exit\n", 5, "bad task \"tx\"" },
	{ PRE "t1 @0 +0 yield\ndevice jitter=0\n", 6, "header line \"device\" after the first op" },
	{ PRE "t1 @0 +0 yield\ngarbage\n", 6, "expected an op line (t<N> @ISSUE" },
	/* op lines: the rules */
	{ PRE "t2 @0 +0 yield\n", 5, "t2 has not been spawned before this line" },
	{ PRE "t1 @0 +0 pwrite f1 16000 1000\n", 5, "bytes 16000..17000 lie outside file f1" },
	{ PRE "t1 @0 +0 pwrite f1 0 0\n", 5, "the length must be positive" },
	{ PRE "t1 @0 +0 pread f2 0 1\n", 5, "pread: f2 is not declared before this line" },
	{ PRE "t1 @0 +0 sync_range f1 16384 0 write\n", 5, "offset 16384 lies outside f1" },
	{ PRE MAP "t1 @0 +0 unmap m1\nt1 @1 +0 store m1 0 1\n", 7, "m1 was unmapped at line 6" },
	{ PRE MAP "t1 @0 +0 load m1 8000 200\n", 6, "lie outside mapping m1 (8192 bytes)" },
	{ PRE MAP "t1 @0 +0 spawn t2 name=b\nt2 @0 +0 store m1 0 1\n", 7,
	  "m1 belongs to p1, but t2 runs in no process" },
	{ PRE MAP "t1 @0 +0 pin m1 0 4096 pin1\nt1 @1 +0 pin_release pin1\n"
	  "t1 @2 +0 pin_write pin1 0 1\n", 8, "pin1 was released at line 7" },
	{ PRE MAP "t1 @0 +0 pin m1 0 4096 pin1\nt1 @1 +0 pin_write pin1 4000 100\n", 7,
	  "lie outside pin pin1 (4096 bytes)" },
	{ PRE "t1 @0 +0 exit\nt1 @1 +0 yield\n", 6, "t1 already exited at line 5" },
	{ PRE "t1 @5 +0 yield\nt1 @4 +0 yield\n", 6, "t1's issue time goes back: @4 after @5" },
	{ PRE "t1 @0 +0 dio_write f1 100 512\n", 5, "O_DIRECT needs offsets and lengths aligned" },
	{ PRE "t1 @0 +0 join t1\n", 5, "t1 cannot wait for itself" },
	{ PRE "t1 @0 +0 join t7\n", 5, "t7 is not declared" },
	{ PRE "t1 @0 +0 event_wait ev1\n", 5, "ev1 is not declared" },
	{ PRE "t1 @0 +0 event ev1\nt1 @0 +0 event ev1\n", 6, "ev1 is declared twice (first at "
	  "line 5)" },
	{ PRE "t1 @0 +0 spawn t1 name=again\n", 5, "t1 is declared twice (first at line 4)" },
	/* version 2 in a version-1 log: refused where it appears */
	{ "wbsim-oplog 3\n", 1, "format version 3 is newer than this wbsim (this wbsim reads "
	  "versions 1 to 2)" },
	{ "wbsim-oplog 1\nprocess p1\nbuffer b1 process=p1 size=4KiB\n", 3,
	  "buffer needs format version 2; the header says 1" },
	{ PRE "t1 @0 +0 alloc b1 process=p1 size=4096\n", 5,
	  "op alloc needs format version 2; the header says 1" },
	{ PRE "t1 @0 +0 buf_store b1 0 1\n", 5, "op buf_store needs format version 2" },
	{ PRE "t1 @0 +0 buf_load b1 0 1\n", 5, "op buf_load needs format version 2" },
	{ PRE "t1 @0 +0 io_wait io1\n", 5, "op io_wait needs format version 2; the header says 1" },
	{ PRE "t1 @0 +0 dio_write f1 0 512 from=b1 at=0\n", 5,
	  "dio_write: from=b<N> (a Buffer) needs format version 2; the header says 1" },
	{ PRE "t1 @0 +0 dio_read f1 0 512 to=b1 at=0\n", 5,
	  "dio_read: to= needs format version 2; the header says 1" },
	{ PRE "t1 @0 +0 dio_write f1 0 512 async=io1\n", 5,
	  "dio_write: async= needs format version 2; the header says 1" },
	{ PRE MAP "t1 @0 +0 pin m1 0 4096 pin1 longterm\n", 6,
	  "pin: longterm needs format version 2; the header says 1" },
	/* version 2: syntax */
	{ PRE2 "t1 @0 +0 alloc b2 size=4096\n", 6, "alloc: process= is required" },
	{ PRE2 "t1 @0 +0 alloc b2 process=p1\n", 6, "alloc: size= is required" },
	{ PRE2 "t1 @0 +0 alloc b2 process=p1 size=-1\n", 6, "size=: bad size" },
	{ PRE2 "t1 @0 +0 alloc b2 process=p1 size=4096 cpu=1\n", 6, "alloc: unknown field cpu=" },
	{ PRE2 "t1 @0 +0 alloc x2 process=p1 size=4096\n", 6, "the buffer must be b<N>" },
	{ PRE2 "t1 @0 +0 buf_store b1 0\n", 6, "buf_store: the length is missing" },
	{ PRE2 "t1 @0 +0 io_wait b1\n", 6, "the I/O must be io<N>" },
	{ PRE2 "t1 @0 +0 io_wait io1 io2\n", 6, "io_wait: unexpected \"io2\"" },
	{ PRE2 "t1 @0 +0 dio_read f1 0 512 at=0\n", 6,
	  "dio_read: at= is an offset into the Buffer given as to=, and there is none" },
	{ PRE2 "t1 @0 +0 dio_write f1 0 512 at=512 async=io1\n", 6,
	  "dio_write: at= is an offset into the mapping given as from=, and there is none" },
	{ PRE2 "t1 @0 +0 dio_read f1 0 512 from=b1 at=0\n", 6, "unknown field from=" },
	{ PRE2 "t1 @0 +0 dio_read f1 0 512 to=m1 at=0\n", 6,
	  "dio_read: to= must be a Buffer, b<N>, got \"m1\"" },
	{ PRE2 "t1 @0 +0 dio_write f1 0 512 async=1\n", 6, "async= must be io<N>" },
	{ PRE2 "t1 @0 +0 dio_write f1 0 512 from=x1 at=0\n", 6, "from= must be m<N>" },
	{ PRE2 MAP "t1 @0 +0 pin m1 0 4096 pin1 forever\n", 7,
	  "pin: unexpected \"forever\" after its arguments" },
	/* version 2: the rules */
	{ PRE2 "t1 @0 +0 buf_store b2 0 1\n", 6, "buf_store: b2 is not declared before this line" },
	{ PRE2 "t1 @0 +0 buf_load b1 8000 200\n", 6,
	  "bytes 8000..8200 lie outside buffer b1 (8192 bytes)" },
	{ PRE2 "t1 @0 +0 buf_store b1 0 0\n", 6, "the length must be positive" },
	{ PRE2 "t1 @0 +0 spawn t2 name=b\nt2 @0 +0 buf_store b1 0 1\n", 7,
	  "b1 belongs to p1, but t2 runs in no process" },
	{ PRE2 "t1 @0 +0 alloc b2 process=p1 size=0\n", 6,
	  "alloc: size 0 must be from 1 byte to 64 GiB" },
	{ PRE2 "buffer b2 process=p1 size=128GiB\n", 6,
	  "buffer: size 137438953472 must be from 1 byte to 64 GiB" },
	{ PRE2 "buffer b1 process=p1 size=4KiB\n", 6,
	  "buffer: b1 is declared twice (first at line 5)" },
	{ PRE2 "t1 @0 +0 alloc b2 process=p9 size=4096\n", 6, "alloc: p9 is not declared" },
	{ PRE2 "t1 @0 +0 io_wait io1\n", 6, "io_wait: io1 is not declared before this line" },
	{ PRE2 "t1 @0 +0 dio_write f1 0 512 async=io1\nt1 @1 +0 io_wait io1\n"
	  "t1 @2 +0 io_wait io1\n", 8, "io_wait: io1 was waited for at line 7" },
	{ PRE2 "t1 @0 +0 dio_write f1 0 512 async=io1\nt1 @1 +0 dio_read f1 0 512 async=io1\n", 7,
	  "dio_read: io1 is declared twice (first at line 6)" },
	{ PRE2 "t1 @0 +0 dio_write f1 0 1024 from=b1 at=7680\n", 6,
	  "bytes 7680..8704 lie outside buffer b1 (8192 bytes)" },
	{ PRE2 "t1 @0 +0 dio_read f1 0 512 to=b1 at=100\n", 6,
	  "O_DIRECT needs offsets and lengths aligned to 512 bytes" },
	{ PRE2 "t1 @0 +0 dio_read f1 16384 512 to=b1 at=0\n", 6,
	  "bytes 16384..16896 lie outside file f1" },
	{ PRE2 "t1 @0 +0 spawn t2 name=b\nt2 @0 +0 dio_write f1 0 512 from=b1 at=0\n", 7,
	  "b1 belongs to p1, but t2 runs in no process" },
};

static char *dir;

static void expect_bad(size_t i, const struct bad *b, const char *text, size_t len)
{
	char *name = g_strdup_printf("bad%zu.oplog", i);
	char *path = g_build_filename(dir, name, NULL);
	g_file_set_contents(path, text, (gssize)len, NULL);
	GError *err = NULL;
	struct oplog *log = oplog_open(path, &err);
	bool ok = log && oplog_check(log, NULL, &err);
	ck_assert_msg(!ok, "case %zu was accepted:\n%.300s", i, text);
	ck_assert_ptr_nonnull(err);
	ck_assert(err->domain == OPLOG_ERROR);
	char *head = g_strdup_printf("%s:%u: ", path, b->line);
	ck_assert_msg(g_str_has_prefix(err->message, head), "case %zu: want \"%s...\", got \"%s\"",
		      i, head, err->message);
	ck_assert_msg(strstr(err->message, b->says), "case %zu: want \"%s\" in \"%s\"", i, b->says,
		      err->message);
	g_error_free(err);
	oplog_close(log);
	g_unlink(path);
	g_free(head);
	g_free(path);
	g_free(name);
}

START_TEST(each_case)
{
	const struct bad *b = &cases[_i];
	expect_bad((size_t)_i, b, b->text, strlen(b->text));
}
END_TEST

/* A line longer than the reader's limit is refused, not swallowed into memory. */
START_TEST(long_line)
{
	GString *s = g_string_new(PRE "t1 @0 +0 yield #");
	while (s->len < (2u << 20))
		g_string_append_c(s, 'x');
	g_string_append(s, "\nt1 @1 +0 yield\n");
	struct bad b = { NULL, 5, "line longer than 1 MiB" };
	expect_bad(1000, &b, s->str, s->len);
	g_string_free(s, TRUE);
}
END_TEST

/* The good log every case departs from passes, so each failure is the case's own. */
START_TEST(baseline_good)
{
	static const char text[] = PRE MAP
		"t1 @0 +0 pwrite f1 0 16384\n"
		"t1 @1 +0 pin m1 0 4096 pin1\n"
		"t1 @2 +0 pin_write pin1 0 4096\n"
		"t1 @3 +0 pin_release pin1\n"
		"t1 @4 +0 event ev1\n"
		"t1 @5 +0 spawn t2 name=b process=p1\n"
		"t2 @5 +0 store m1 0 8192\n"
		"t2 @6 +0 event_set ev1\n"
		"t1 @6 +0 event_wait ev1\n"
		"t1 @7 +0 join t2\n"
		"t1 @8 +0 unmap m1\n"
		"t1 @9 +0 exit\n";
	char *path = g_build_filename(dir, "good.oplog", NULL);
	g_file_set_contents(path, text, -1, NULL);
	GError *err = NULL;
	struct oplog *log = oplog_open(path, &err);
	ck_assert_msg(log, "%s", err ? err->message : "");
	uint64_t n;
	ck_assert_msg(oplog_check(log, &n, &err), "%s", err ? err->message : "");
	ck_assert_uint_eq(n, 12);
	oplog_close(log);
	g_unlink(path);
	g_free(path);
}
END_TEST

/* The version-2 log every version-2 case departs from passes too; any task may wait
 * for an I/O, once. */
START_TEST(baseline_good_v2)
{
	static const char text[] = PRE2 MAP
		"t1 @0 +0 buf_store b1 0 8192\n"
		"t1 @1 +0 dio_write f1 0 8192 from=b1 at=0 async=io1\n"
		"t1 @2 +0 alloc b2 process=p1 size=4KiB\n"
		"t1 @3 +0 dio_read f1 4096 4096 to=b2 at=0\n"
		"t1 @4 +0 dio_read f1 0 512 async=io2\n"
		"t1 @5 +0 dio_write f1 8192 4096 from=m1 at=4096 async=io3\n"
		"t1 @6 +0 buf_load b2 0 4096\n"
		"t1 @7 +0 pin m1 0 4096 pin1 longterm\n"
		"t1 @8 +0 pin_release pin1\n"
		"t1 @9 +0 spawn t2 name=b process=p1\n"
		"t2 @9 +0 io_wait io1\n"
		"t1 @10 +0 io_wait io2\n"
		"t1 @11 +0 io_wait io3\n"
		"t1 @12 +0 exit\n";
	char *path = g_build_filename(dir, "good2.oplog", NULL);
	g_file_set_contents(path, text, -1, NULL);
	GError *err = NULL;
	struct oplog *log = oplog_open(path, &err);
	ck_assert_msg(log, "%s", err ? err->message : "");
	ck_assert_uint_eq(oplog_header(log)->version, 2);
	uint64_t n;
	ck_assert_msg(oplog_check(log, &n, &err), "%s", err ? err->message : "");
	ck_assert_uint_eq(n, 14);
	oplog_close(log);
	g_unlink(path);
	g_free(path);
}
END_TEST

static Suite *suite(void)
{
	dir = g_dir_make_tmp("wbsim-oplog-bad-XXXXXX", NULL);
	Suite *s = suite_create("oplog_errors");
	TCase *tc = tcase_create("errors");
	tcase_add_loop_test(tc, each_case, 0, (int)G_N_ELEMENTS(cases));
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, baseline_good);
	tcase_add_test(tc, baseline_good_v2);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(suite)
