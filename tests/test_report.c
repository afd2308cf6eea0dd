/* The report writers, fed with synthetic run results: what each file holds,
 * that reruns are byte-identical outside "wall", and the comparison's numbers.
 *
 * The case "fixture" also writes a small three-policy results directory into
 * $WBSIM_REPORT_FIXTURE when that is set; tests/cli/plot_fixture.sh charts it,
 * so the plot script is tested without the Lua runner. */
#include "report/report.h"
#include "wbtest.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* ---- synthetic runs ---- */

static void param_free(gpointer p)
{
	struct param_value *v = p;
	g_free(v->name);
	g_free(v->value);
	g_free(v->description);
	g_free(v);
}

static void expect_free(gpointer p)
{
	struct expect_result *e = p;
	g_free(e->pattern);
	g_free(e->metric);
	g_free(e->predicate);
	g_free(e->where);
	g_free(e);
}

static void add_expect(struct run_result *r, const char *pattern, const char *metric,
		       const char *pred, bool pass, int line)
{
	struct expect_result *e = g_new0(struct expect_result, 1);
	e->pattern = g_strdup(pattern);
	e->metric = g_strdup(metric);
	e->predicate = g_strdup(pred);
	metrics_lookup(r->m, metric, &e->value);
	e->pass = pass;
	e->where = g_strdup_printf("fake.lua:%d", line);
	g_ptr_array_add(r->expects, e);
}

/* xorshift64*: a fixed stream, so the synthetic numbers are the same everywhere */
static uint64_t next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ull;
}

/* A run whose numbers grow with @scale: latencies, stalls and counters. */
static struct run_result *fake_run(const char *spec, uint64_t seed, double scale)
{
	struct run_result *r = g_new0(struct run_result, 1);
	r->scenario = g_strdup("fake");
	r->description = g_strdup("a synthetic \"run\" for the writers");
	r->policy_spec = g_strdup(spec);
	r->seed = seed;
	r->params = g_ptr_array_new_with_free_func(param_free);
	static const char *const pnames[] = { "writers", "size" };
	static const char *const pvals[] = { "4", "16MiB" };
	for (int i = 0; i < 2; i++) {
		struct param_value *p = g_new0(struct param_value, 1);
		p->name = g_strdup(pnames[i]);
		p->value = g_strdup(pvals[i]);
		p->description = g_strdup("a parameter");
		g_ptr_array_add(r->params, p);
	}
	r->m = metrics_new();
	uint64_t x = 0x9e3779b97f4a7c15ull ^ (seed * 7919);
	for (int i = 0; i < 2000; i++) {
		uint64_t u = next(&x) % 1000;
		/* Mostly fast, a tail that grows with scale (stable-page waits). */
		uint64_t w = 2000 + u * 5 + (u > 900 ? (uint64_t)(scale * 50000 * (u - 900)) : 0);
		metrics_latency(r->m, OPK_WRITE, w);
		if (i % 4 == 0)
			metrics_latency(r->m, OPK_STORE, 2500 + u * 3 + (uint64_t)(scale * 200 * u));
		if (i % 50 == 0)
			metrics_latency(r->m, OPK_FSYNC, 200000 + u * 1000 + (uint64_t)(scale * 1e6));
	}
	r->m->c[M_WRITES] = 2000;
	r->m->c[M_STORES] = 500;
	r->m->c[M_FSYNCS] = 40;
	r->m->c[M_DISK_WRITES] = 3000 + (uint64_t)(scale * 100) + seed;
	r->m->c[M_DISK_REQUESTS] = 300 + seed;
	r->m->c[M_REDUNDANT_WRITES] = (uint64_t)(scale * 10) * seed;
	r->m->c[M_CHECKSUM_ERRORS] = (uint64_t)(scale * 2);
	r->m->c[M_FORKS] = (uint64_t)(scale * 30);
	r->m->c[M_FORKED_PAGES_PEAK] = (uint64_t)(scale * 3);
	r->m->c[M_STALL_STABLE] = (uint64_t)(scale * 4.5e6);
	r->m->c[M_STALL_THROTTLE] = 1200000;
	r->m->c[M_CPU_COPY] = (uint64_t)(scale * 9000);
	r->m->c[M_CPU_CHECKSUM] = 600000;
	r->m->c[M_CPU_PTE] = 25000;
	r->m->c[M_SIM_TIME] = 2000000000;
	r->expects = g_ptr_array_new_with_free_func(expect_free);
	add_expect(r, "*", "lost_writes", "0", true, 12);
	add_expect(r, "*", "write.p99", "<1ms", scale < 1, 13);
	r->timeline = g_array_new(FALSE, FALSE, sizeof(struct timeline_sample));
	for (int i = 0; i <= 200; i++) {
		struct timeline_sample s = { .t = (uint64_t)i * 10000000 };
		s.g.dirty = (uint64_t)((i % 50) * 40 * (1 + scale));
		s.g.writeback = (i % 50) > 40 ? 300 : 10;
		s.g.forked = (uint64_t)(scale * ((i % 50) > 40 ? 30 : 0));
		s.g.inflight = (i % 50) > 40 ? 32 : 1;
		s.g.stalled = (i % 50) > 45 ? 3 : 0;
		g_array_append_val(r->timeline, s);
	}
	r->end = SIM_END_IDLE;
	r->wall_seconds = 0.25 + scale;
	r->events = 123456;
	r->peak_rss_bytes = 50u << 20;
	return r;
}

static void fake_free(struct run_result *r)
{
	g_free(r->scenario);
	g_free(r->description);
	g_free(r->policy_spec);
	g_ptr_array_free(r->params, TRUE);
	metrics_free(r->m);
	g_ptr_array_free(r->expects, TRUE);
	g_array_free(r->timeline, TRUE);
	g_free(r);
}

static char *read_file(const char *dir, const char *name)
{
	char *path = g_build_filename(dir, name, NULL), *s = NULL;
	ck_assert_msg(g_file_get_contents(path, &s, NULL, NULL), "cannot read %s", path);
	g_free(path);
	return s;
}

static void rm_rf(const char *path)
{
	if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
		GDir *d = g_dir_open(path, 0, NULL);
		const char *n;
		while (d && (n = g_dir_read_name(d))) {
			char *p = g_build_filename(path, n, NULL);
			rm_rf(p);
			g_free(p);
		}
		if (d)
			g_dir_close(d);
		g_rmdir(path);
	} else {
		g_unlink(path);
	}
}

static gint by_string(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static guint count_lines(const char *s)
{
	guint n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- per-run files ---- */

START_TEST(dirname_is_safe_and_recognisable)
{
	static const char *const cases[][2] = {
		{ "wait-on-writeback", "wait-on-writeback" },
		{ "page-fork:pins=ignore", "page-fork_pins=ignore" },
		{ "page-fork:pins=ignore,sync=naive", "page-fork_pins=ignore_sync=naive" },
		{ "../etc/passwd", "_._etc_passwd" },
		{ ".", "_" },
		{ "a b*c", "a_b_c" },
		{ "", "_" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *d = report_dirname(cases[i][0]);
		ck_assert_str_eq(d, cases[i][1]);
		g_free(d);
	}
}
END_TEST

START_TEST(value_formatting)
{
	static const struct { const char *metric; double v; const char *want; } cases[] = {
		{ "write.p99", 1500000, "1.50ms" },
		{ "write.mean", 20000.4, "20.0us" },
		{ "stall.stable", 999, "999ns" },
		{ "sim_time", 2e9, "2.00s" },
		{ "write.count", 1000, "1000" },
		{ "redundant_writes", 2.5, "2.5" },
		{ "forked_pages_peak", 12, "12 (48KiB)" },
		{ "forked_pages_peak", 0, "0" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *s = report_format_value(cases[i].metric, cases[i].v);
		ck_assert_str_eq(s, cases[i].want);
		g_free(s);
	}
	ck_assert(report_metric_is_duration("cpu.tlb"));
	ck_assert(report_metric_is_duration("fsync.p999"));
	ck_assert(!report_metric_is_duration("fsync.count"));
	ck_assert(!report_metric_is_duration("checksum_errors"));

	static const struct { double v; const char *want; } raw[] = {
		{ 3, "3" }, { 0, "0" }, { 0.1, "0.1" }, { 20000.5, "20000.5" },
		{ 1.0 / 3, "0.33333333333333331" }, { 1e20, "1e+20" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(raw); i++) {
		char *s = report_format_raw(raw[i].v);
		ck_assert_str_eq(s, raw[i].want);
		ck_assert(g_ascii_strtod(s, NULL) == raw[i].v);
		g_free(s);
	}
}
END_TEST

START_TEST(summary_json_holds_everything_in_a_fixed_order)
{
	struct run_result *r = fake_run("page-fork:pins=ignore", 7, 1.0);
	char *s = report_summary_json(r);
	JsonParser *p = json_parser_new();
	ck_assert(json_parser_load_from_data(p, s, -1, NULL));
	JsonObject *o = json_node_get_object(json_parser_get_root(p));

	static const char *const keys[] = { "scenario", "description", "policy", "seed", "params",
					    "end", "passed", "metrics", "expectations", "wall" };
	GList *members = json_object_get_members(o);
	ck_assert_uint_eq(g_list_length(members), G_N_ELEMENTS(keys));
	size_t i = 0;
	for (GList *l = members; l; l = l->next)
		ck_assert_str_eq(l->data, keys[i++]);
	g_list_free(members);

	ck_assert_str_eq(json_object_get_string_member(o, "scenario"), "fake");
	ck_assert_str_eq(json_object_get_string_member(o, "description"),
			 "a synthetic \"run\" for the writers");
	ck_assert_str_eq(json_object_get_string_member(o, "policy"), "page-fork:pins=ignore");
	ck_assert_int_eq(json_object_get_int_member(o, "seed"), 7);
	ck_assert_str_eq(json_object_get_string_member(o, "end"), "idle");
	ck_assert(!json_object_get_boolean_member(o, "passed"));
	JsonObject *params = json_object_get_object_member(o, "params");
	ck_assert_str_eq(json_object_get_string_member(params, "writers"), "4");
	ck_assert_str_eq(json_object_get_string_member(params, "size"), "16MiB");

	/* every metric, in metric_names() order, with its value and a stable type */
	JsonObject *m = json_object_get_object_member(o, "metrics");
	GList *mk = json_object_get_members(m);
	GList *l = mk;
	for (const char *const *n = metric_names(); *n; n++, l = l->next) {
		ck_assert_ptr_nonnull(l);
		ck_assert_str_eq(l->data, *n);
		double want;
		ck_assert(metrics_lookup(r->m, *n, &want));
		JsonNode *v = json_object_get_member(m, *n);
		if (g_str_has_suffix(*n, ".mean"))
			ck_assert(json_node_get_value_type(v) == G_TYPE_DOUBLE);
		else
			ck_assert(json_node_get_value_type(v) == G_TYPE_INT64);
		ck_assert(json_node_get_double(v) == want);
	}
	ck_assert_ptr_null(l);
	g_list_free(mk);

	JsonArray *ex = json_object_get_array_member(o, "expectations");
	ck_assert_uint_eq(json_array_get_length(ex), 2);
	JsonObject *e1 = json_array_get_object_element(ex, 1);
	ck_assert_str_eq(json_object_get_string_member(e1, "where"), "fake.lua:13");
	ck_assert_str_eq(json_object_get_string_member(e1, "metric"), "write.p99");
	ck_assert_str_eq(json_object_get_string_member(e1, "predicate"), "<1ms");
	ck_assert(!json_object_get_boolean_member(e1, "pass"));

	JsonObject *w = json_object_get_object_member(o, "wall");
	ck_assert(json_object_get_double_member(w, "wall_seconds") == 1.25);
	ck_assert_int_eq(json_object_get_int_member(w, "events"), 123456);
	ck_assert(fabs(json_object_get_double_member(w, "events_per_second") - 123456 / 1.25) < 1e-6);
	ck_assert_int_eq(json_object_get_int_member(w, "peak_rss_bytes"), 50 << 20);
	g_object_unref(p);
	g_free(s);
	fake_free(r);
}
END_TEST

/* Same inputs, different machine: only the "wall" object may differ, and it is
 * the last member, so cutting at its line leaves identical text. */
START_TEST(summary_json_is_deterministic_outside_wall)
{
	struct run_result *a = fake_run("unrestricted", 1, 0.5);
	struct run_result *b = fake_run("unrestricted", 1, 0.5);
	b->wall_seconds = 99.0;
	b->events = 1;
	b->peak_rss_bytes = 7;
	char *sa = report_summary_json(a), *sb = report_summary_json(b);
	ck_assert_str_ne(sa, sb);
	char *wa = strstr(sa, "\n  \"wall\" : {"), *wb = strstr(sb, "\n  \"wall\" : {");
	ck_assert_ptr_nonnull(wa);
	ck_assert_ptr_nonnull(wb);
	ck_assert_int_eq(wa - sa, wb - sb);
	ck_assert(memcmp(sa, sb, (size_t)(wa - sa)) == 0);
	char *again = report_summary_json(a);
	ck_assert_str_eq(sa, again);
	g_free(again);
	g_free(sa);
	g_free(sb);
	fake_free(a);
	fake_free(b);
}
END_TEST

START_TEST(latency_csv_lists_the_non_empty_buckets)
{
	struct run_result *r = fake_run("x", 1, 1.0);
	char *s = report_latency_csv(r->m);
	char **lines = g_strsplit(s, "\n", -1);
	ck_assert_str_eq(lines[0], "kind,bucket_lo_ns,bucket_hi_ns,count");
	uint64_t sum[OPK_NR] = { 0 };
	guint rows = 0;
	uint64_t last_lo = 0;
	int last_kind = -1;
	for (char **l = lines + 1; *l && **l; l++, rows++) {
		char **f = g_strsplit(*l, ",", -1);
		ck_assert_uint_eq(g_strv_length(f), 4);
		int k = -1;
		for (int i = 0; i < OPK_NR; i++)
			if (!strcmp(f[0], op_kind_name(i)))
				k = i;
		ck_assert_int_ge(k, 0);
		uint64_t lo = g_ascii_strtoull(f[1], NULL, 10), hi = g_ascii_strtoull(f[2], NULL, 10);
		uint64_t n = g_ascii_strtoull(f[3], NULL, 10);
		ck_assert_uint_le(lo, hi);
		ck_assert_uint_gt(n, 0);
		/* kinds in enum order, buckets ascending within a kind */
		ck_assert_int_ge(k, last_kind);
		if (k == last_kind)
			ck_assert_uint_gt(lo, last_lo);
		last_kind = k;
		last_lo = lo;
		sum[k] += n;
		g_strfreev(f);
	}
	ck_assert_ptr_nonnull(strstr(s, "\nstore,"));
	ck_assert_ptr_null(strstr(s, "\nread,"));      /* no reads: no rows */
	guint nonempty = 0;
	for (int k = 0; k < OPK_NR; k++) {
		ck_assert_uint_eq(sum[k], hist_count(r->m->lat[k]));
		for (size_t i = 0; i < hist_nbuckets(); i++)
			nonempty += hist_bucket_count(r->m->lat[k], i) > 0;
	}
	ck_assert_uint_eq(rows, nonempty);
	g_strfreev(lines);
	g_free(s);
	fake_free(r);
}
END_TEST

START_TEST(timeline_csv_has_a_row_per_sample)
{
	struct run_result *r = fake_run("x", 1, 1.0);
	char *s = report_timeline_csv(r->timeline);
	ck_assert(g_str_has_prefix(s, "t_ns,dirty,writeback,forked,bounce,inflight,stalled\n"));
	ck_assert_uint_eq(count_lines(s), 1 + r->timeline->len);
	ck_assert_ptr_nonnull(strstr(s, "\n10000000,80,10,0,0,1,0\n"));
	g_free(s);
	char *empty = report_timeline_csv(NULL);
	ck_assert_str_eq(empty, "t_ns,dirty,writeback,forked,bounce,inflight,stalled\n");
	g_free(empty);
	fake_free(r);
}
END_TEST

START_TEST(write_run_leaves_exactly_three_files)
{
	char *tmp = g_dir_make_tmp("wbsim-report-XXXXXX", NULL);
	char *dir = g_build_filename(tmp, "fake", "page-fork_pins=ignore", NULL);
	struct run_result *r = fake_run("page-fork:pins=ignore", 1, 1.0);
	GError *err = NULL;
	ck_assert_msg(report_write_run(dir, r, &err), "%s", err ? err->message : "");
	/* rewriting replaces, never appends */
	ck_assert(report_write_run(dir, r, &err));
	GDir *d = g_dir_open(dir, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	while ((n = g_dir_read_name(d)))
		g_ptr_array_add(names, g_strdup(n));
	g_dir_close(d);
	g_ptr_array_sort(names, by_string);
	ck_assert_uint_eq(names->len, 3);
	ck_assert_str_eq(names->pdata[0], "latency.csv");
	ck_assert_str_eq(names->pdata[1], "summary.json");
	ck_assert_str_eq(names->pdata[2], "timeline.csv");
	char *got = read_file(dir, "summary.json"), *want = report_summary_json(r);
	ck_assert_str_eq(got, want);
	g_free(got);
	g_free(want);
	g_ptr_array_free(names, TRUE);

	/* an unwritable place is an error, not a crash */
	char *blocker = g_build_filename(tmp, "file", NULL);
	ck_assert(g_file_set_contents(blocker, "x", -1, NULL));
	char *bad = g_build_filename(blocker, "sub", NULL);
	ck_assert(!report_write_run(bad, r, &err));
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err->message, "sub"));
	g_clear_error(&err);
	g_free(bad);
	g_free(blocker);

	fake_free(r);
	rm_rf(tmp);
	g_free(dir);
	g_free(tmp);
}
END_TEST

/* ---- the comparison ---- */

struct fake_compare {
	struct compare c;
	const char *specs[4];
	uint64_t seeds[4];
	struct run_result *runs[16];
};

static const char *const fake_specs[] = { "wait-on-writeback", "unrestricted",
					  "page-fork", "page-fork:pins=ignore,sync=naive" };
static const double fake_scale[] = { 3.0, 0.2, 0.6, 0.5 };

static void fake_compare_init(struct fake_compare *f, guint npol, guint nseeds)
{
	memset(f, 0, sizeof(*f));
	for (guint p = 0; p < npol; p++)
		f->specs[p] = fake_specs[p];
	for (guint s = 0; s < nseeds; s++)
		f->seeds[s] = s + 1;
	for (guint p = 0; p < npol; p++)
		for (guint s = 0; s < nseeds; s++)
			f->runs[p * nseeds + s] = fake_run(fake_specs[p], s + 1, fake_scale[p]);
	f->c = (struct compare){ .scenario = "fake", .description = "synthetic",
				 .npolicies = npol, .specs = f->specs,
				 .nseeds = nseeds, .seeds = f->seeds, .runs = f->runs };
}

static void fake_compare_free(struct fake_compare *f)
{
	for (guint i = 0; i < f->c.npolicies * f->c.nseeds; i++)
		fake_free(f->runs[i]);
}

START_TEST(table_has_policies_as_columns_in_human_units)
{
	struct fake_compare f;
	fake_compare_init(&f, 3, 1);
	char *t = report_compare_table(&f.c);
	char **lines = g_strsplit(t, "\n", -1);
	ck_assert_str_eq(lines[0], "fake: 3 policies, seed 1");
	ck_assert(g_str_has_prefix(lines[1], "metric"));
	ck_assert_ptr_nonnull(strstr(lines[1], "wait-on-writeback"));
	ck_assert(strstr(lines[1], "unrestricted") < strstr(lines[1], "page-fork"));
	ck_assert_str_eq(lines[2], "latency: write");
	ck_assert_ptr_nonnull(strstr(t, "\nlatency: store\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlatency: fsync\n"));
	ck_assert_ptr_null(strstr(t, "latency: read"));         /* nothing read */
	ck_assert_ptr_null(strstr(t, "read.p99"));
	static const char *const sections[] = { "hazards", "stalls: time blocked, by cause",
		"CPU time, by cause", "extra memory: peak pages", "disk", "forks, bounces and mappings" };
	for (size_t i = 0; i < G_N_ELEMENTS(sections); i++) {
		char *want = g_strdup_printf("\n%s\n", sections[i]);
		ck_assert_msg(strstr(t, want), "no section %s", sections[i]);
		g_free(want);
	}
	/* every hazard counter has a row */
	static const char *const hazards[] = { "redundant_writes", "checksum_errors",
		"stale_overwrites", "lost_writes", "fsync_violations", "stale_reads",
		"stale_cache_pages", "eio_returned" };
	for (size_t i = 0; i < G_N_ELEMENTS(hazards); i++)
		ck_assert_msg(strstr(t, hazards[i]), "no row %s", hazards[i]);
	/* human units: stall.stable of wait-on-writeback is 13.5 ms */
	bool found = false;
	for (char **l = lines; *l; l++)
		if (g_str_has_prefix(*l, "  stall.stable")) {
			ck_assert_ptr_nonnull(strstr(*l, "13.5ms"));
			found = true;
		}
	ck_assert(found);
	/* columns line up: every row as long as the header */
	size_t width = strlen(lines[1]);
	for (char **l = lines + 2; *l && **l; l++)
		if (g_str_has_prefix(*l, "  "))
			ck_assert_uint_eq(strlen(*l), width);
	g_strfreev(lines);
	g_free(t);
	fake_compare_free(&f);
}
END_TEST

START_TEST(expectations_name_their_location)
{
	struct fake_compare f;
	fake_compare_init(&f, 2, 1);
	ck_assert(!compare_passed(&f.c));               /* write.p99 fails at scale 3 */
	char *e = report_expectations(&f.c);
	char **lines = g_strsplit(e, "\n", -1);
	ck_assert_uint_eq(g_strv_length(lines), 5);     /* 4 lines and the empty tail */
	ck_assert(g_str_has_prefix(lines[0], "PASS  fake.lua:12  wait-on-writeback  lost_writes == 0"));
	ck_assert(g_str_has_prefix(lines[1], "FAIL  fake.lua:13  wait-on-writeback  write.p99 <1ms"));
	ck_assert_ptr_nonnull(strstr(lines[1], "(got "));
	ck_assert(g_str_has_prefix(lines[3], "PASS  fake.lua:13  unrestricted"));
	g_strfreev(lines);
	g_free(e);
	fake_compare_free(&f);

	fake_compare_init(&f, 1, 1);
	g_ptr_array_set_size(f.runs[0]->expects, 0);
	ck_assert(compare_passed(&f.c));
	e = report_expectations(&f.c);
	ck_assert_str_eq(e, "");
	g_free(e);
	fake_compare_free(&f);
}
END_TEST

START_TEST(csv_one_seed_raw_numbers)
{
	struct fake_compare f;
	fake_compare_init(&f, 4, 1);
	char *s = report_compare_csv(&f.c);
	char **lines = g_strsplit(s, "\n", -1);
	ck_assert_str_eq(lines[0], "metric,wait-on-writeback,unrestricted,page-fork,"
				   "\"page-fork:pins=ignore,sync=naive\"");
	ck_assert_ptr_nonnull(strstr(s, "\nstall.stable,13500000,900000,2700000,2250000\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nredundant_writes,30,2,6,5\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nwrite.count,2000,2000,2000,2000\n"));
	ck_assert_ptr_null(strstr(s, "\nread."));
	g_strfreev(lines);
	g_free(s);
	fake_compare_free(&f);
}
END_TEST

/* A measured policy's cells (the kernel's) show the median of its runs, the others'
 * the mean; both have min..max, and the CSV a median row. */
START_TEST(measured_policy_shows_median)
{
	struct fake_compare f;
	fake_compare_init(&f, 2, 3);
	/* redundant_writes of wait-on-writeback: 30, 60, 300; unrestricted: 2, 4, 60 */
	compare_run(&f.c, 0, 2)->m->c[M_REDUNDANT_WRITES] = 300;
	compare_run(&f.c, 1, 2)->m->c[M_REDUNDANT_WRITES] = 60;
	const bool median[] = { true, false };
	f.c.median = median;
	char *t = report_compare_table(&f.c);
	ck_assert_msg(strstr(t, "60 (30..300)"), "%s", t);
	ck_assert_msg(strstr(t, "22 (2..60)"), "%s", t);
	ck_assert(strstr(t, "the median for measured runs"));
	char *s = report_compare_csv(&f.c);
	ck_assert_ptr_nonnull(strstr(s, "\nredundant_writes,median,60,4\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nredundant_writes,mean,130,22\n"));
	g_free(s);
	g_free(t);
	fake_compare_free(&f);
}
END_TEST

START_TEST(csv_and_json_several_seeds_mean_and_spread)
{
	struct fake_compare f;
	fake_compare_init(&f, 2, 3);
	/* redundant_writes = 10 * scale * seed: 30, 60, 90 for wait-on-writeback */
	char *s = report_compare_csv(&f.c);
	ck_assert(g_str_has_prefix(s, "metric,stat,wait-on-writeback,unrestricted\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nredundant_writes,mean,60,4\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nredundant_writes,min,30,2\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nredundant_writes,max,90,6\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nredundant_writes,stddev,30,2\n"));
	g_free(s);

	char *j = report_compare_json(&f.c);
	JsonParser *p = json_parser_new();
	ck_assert(json_parser_load_from_data(p, j, -1, NULL));
	JsonObject *o = json_node_get_object(json_parser_get_root(p));
	ck_assert_str_eq(json_object_get_string_member(o, "scenario"), "fake");
	ck_assert_uint_eq(json_array_get_length(json_object_get_array_member(o, "seeds")), 3);
	ck_assert(!json_object_get_boolean_member(o, "passed"));
	JsonArray *pol = json_object_get_array_member(o, "policies");
	ck_assert_uint_eq(json_array_get_length(pol), 2);
	JsonObject *p0 = json_array_get_object_element(pol, 0);
	ck_assert_str_eq(json_object_get_string_member(p0, "spec"), "wait-on-writeback");
	ck_assert_str_eq(json_object_get_string_member(p0, "dir"), "wait-on-writeback");
	ck_assert(!json_object_get_boolean_member(p0, "passed"));
	ck_assert_uint_eq(json_array_get_length(json_object_get_array_member(p0, "runs")), 3);
	JsonArray *metrics = json_object_get_array_member(o, "metrics");
	bool found = false;
	for (guint i = 0; i < json_array_get_length(metrics); i++) {
		JsonObject *m = json_array_get_object_element(metrics, i);
		if (strcmp(json_object_get_string_member(m, "name"), "redundant_writes"))
			continue;
		found = true;
		ck_assert_str_eq(json_object_get_string_member(m, "section"), "hazards");
		JsonObject *v = json_object_get_object_member(json_object_get_object_member(m, "values"),
							      "wait-on-writeback");
		ck_assert(json_object_get_double_member(v, "mean") == 60);
		ck_assert_int_eq(json_object_get_int_member(v, "min"), 30);
		ck_assert_int_eq(json_object_get_int_member(v, "max"), 90);
		ck_assert(json_object_get_double_member(v, "stddev") == 30);
	}
	ck_assert(found);
	g_object_unref(p);
	g_free(j);

	char *t = report_compare_table(&f.c);
	ck_assert_ptr_nonnull(strstr(t, "seeds 1..3"));
	ck_assert_ptr_nonnull(strstr(t, "60 (30..90)"));
	g_free(t);
	char *e = report_expectations(&f.c);
	ck_assert_ptr_nonnull(strstr(e, "wait-on-writeback seed 2"));
	g_free(e);
	fake_compare_free(&f);
}
END_TEST

START_TEST(markdown_tables)
{
	struct fake_compare f;
	fake_compare_init(&f, 4, 1);
	char *md = report_compare_md(&f.c);
	ck_assert(g_str_has_prefix(md, "# fake: policy comparison\n"));
	ck_assert_ptr_nonnull(strstr(md, "\n## hazards\n\n| metric | wait-on-writeback | unrestricted "
					 "| page-fork | page-fork:pins=ignore,sync=naive |\n"
					 "|---|---:|---:|---:|---:|\n"));
	ck_assert_ptr_nonnull(strstr(md, "| stall.stable | 13.5ms |"));
	ck_assert_ptr_nonnull(strstr(md, "\n## Expectations\n"));
	ck_assert_ptr_nonnull(strstr(md, "| **FAIL** | fake.lua:13 | wait-on-writeback | 1 |"));
	g_free(md);
	fake_compare_free(&f);
}
END_TEST

START_TEST(write_compare_and_fixture)
{
	const char *env = g_getenv("WBSIM_REPORT_FIXTURE");
	char *tmp = env && *env ? NULL : g_dir_make_tmp("wbsim-report-XXXXXX", NULL);
	char *dir = g_build_filename(tmp ? tmp : env, "fake", NULL);
	struct fake_compare f;
	fake_compare_init(&f, 4, 1);
	/* Shaped like the story the charts tell: stable pages stall, unrestricted
	 * rewrites and fails checksums, forking copies, and its naive variant loses. */
	struct metrics *m[4];
	for (guint p = 0; p < 4; p++)
		m[p] = f.runs[p]->m;
	m[0]->c[M_FORKS] = m[0]->c[M_FORKED_PAGES_PEAK] = m[0]->c[M_CPU_COPY] = 0;
	m[0]->c[M_REDUNDANT_WRITES] = m[0]->c[M_CHECKSUM_ERRORS] = 0;
	m[1]->c[M_FORKS] = m[1]->c[M_FORKED_PAGES_PEAK] = m[1]->c[M_CPU_COPY] = 0;
	m[1]->c[M_STALL_STABLE] = 0;
	m[1]->c[M_REDUNDANT_WRITES] = 120;
	m[1]->c[M_CHECKSUM_ERRORS] = 8;
	m[1]->c[M_STALE_OVERWRITES] = 1;
	for (guint p = 2; p < 4; p++) {
		m[p]->c[M_REDUNDANT_WRITES] = m[p]->c[M_CHECKSUM_ERRORS] = 0;
		m[p]->c[M_STALL_STABLE] = 0;
		m[p]->c[M_STALL_REFORK] = 800000;
		m[p]->c[M_STALL_PIN] = p == 2 ? 2500000 : 0;
		m[p]->c[M_CPU_TLB] = 40000;
	}
	m[3]->c[M_LOST_WRITES] = 2;
	m[3]->c[M_FSYNC_VIOLATIONS] = 3;
	m[3]->c[M_STALE_READS] = 1;
	for (guint p = 0; p < 2; p++)
		for (guint i = 0; i < f.runs[p]->timeline->len; i++)
			g_array_index(f.runs[p]->timeline, struct timeline_sample, i).g.forked = 0;
	GError *err = NULL;
	for (guint p = 0; p < f.c.npolicies; p++) {
		char *pd = report_dirname(f.specs[p]);
		char *path = g_build_filename(dir, pd, NULL);
		ck_assert_msg(report_write_run(path, f.runs[p], &err), "%s", err ? err->message : "");
		g_free(path);
		g_free(pd);
	}
	ck_assert_msg(report_write_compare(dir, &f.c, &err), "%s", err ? err->message : "");
	static const char *const files[] = { "compare.csv", "compare.json", "compare.md",
		"wait-on-writeback/summary.json", "page-fork_pins=ignore_sync=naive/latency.csv" };
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		char *c = read_file(dir, files[i]);
		ck_assert_uint_gt(strlen(c), 10);
		g_free(c);
	}
	fake_compare_free(&f);
	if (tmp)
		rm_rf(tmp);
	g_free(dir);
	g_free(tmp);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *run = tcase_create("run");
	tcase_add_test(run, dirname_is_safe_and_recognisable);
	tcase_add_test(run, value_formatting);
	tcase_add_test(run, summary_json_holds_everything_in_a_fixed_order);
	tcase_add_test(run, summary_json_is_deterministic_outside_wall);
	tcase_add_test(run, latency_csv_lists_the_non_empty_buckets);
	tcase_add_test(run, timeline_csv_has_a_row_per_sample);
	tcase_add_test(run, write_run_leaves_exactly_three_files);
	suite_add_tcase(s, run);
	TCase *cmp = tcase_create("compare");
	tcase_add_test(cmp, table_has_policies_as_columns_in_human_units);
	tcase_add_test(cmp, expectations_name_their_location);
	tcase_add_test(cmp, csv_one_seed_raw_numbers);
	tcase_add_test(cmp, csv_and_json_several_seeds_mean_and_spread);
	tcase_add_test(cmp, measured_policy_shows_median);
	tcase_add_test(cmp, markdown_tables);
	suite_add_tcase(s, cmp);
	TCase *fix = tcase_create("fixture");
	tcase_add_test(fix, write_compare_and_fixture);
	suite_add_tcase(s, fix);
	return s;
}

WBTEST_MAIN(report_suite)
