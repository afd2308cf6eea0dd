/* The metric table is the one place a metric is defined: README's table is its
 * markdown, the public names and the comparison's sections come from it, and a metric
 * a target cannot measure shows as n/a in every output, never as 0. */
#include "linux/kexec.h"
#include "metrics/metric_table.h"
#include "report/report.h"
#include "run/expect.h"
#include "wbtest.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#define BEGIN_MARK "table to paste here. -->\n"
#define END_MARK "<!-- end of the metric table -->"

START_TEST(readme_table_is_the_metric_table)
{
	char *readme = NULL;
	ck_assert(g_file_get_contents(WBSIM_SOURCE_DIR "/README.md", &readme, NULL, NULL));
	const char *a = strstr(readme, BEGIN_MARK);
	ck_assert_msg(a, "README.md has no generated metric table (marker \"%s\")", BEGIN_MARK);
	a += strlen(BEGIN_MARK);
	const char *b = strstr(a, END_MARK);
	ck_assert_msg(b, "README.md: the metric table has no end marker");
	char *have = g_strndup(a, (gsize)(b - a));
	char *want = metric_table_markdown();
	if (strcmp(have, want))
		fprintf(stderr, "README.md's metric table differs from sim/metrics/metric_table.c; "
			"paste this between the markers:\n%s", want);
	ck_assert_msg(!strcmp(have, want), "README.md's metric table is not the one "
		      "sim/metrics/metric_table.c makes (printed above)");
	g_free(want);
	g_free(have);
	g_free(readme);
}
END_TEST

static bool in_sections(const char *s)
{
	for (const char *const *sec = metric_sections(); *sec; sec++)
		if (!strcmp(*sec, s))
			return true;
	return false;
}

START_TEST(every_metric_has_one_row)
{
	const char *const *names = metric_names();
	for (int c = 0; c < M_NR_COUNTERS; c++) {
		const struct metric_def *d = metric_counter_def(c);
		ck_assert_str_eq(names[c], d->name);
		ck_assert_msg(d->definition && *d->definition && d->unit && *d->unit, "%s", d->name);
		ck_assert_msg(d->section && in_sections(d->section), "%s: section", d->name);
		ck_assert_msg(d->kind != MK_LATENCY, "%s", d->name);
		/* a bar chart the plot script draws, or none */
		ck_assert(!d->chart || !strcmp(d->chart, "hazards") || !strcmp(d->chart, "stalls") ||
			  !strcmp(d->chart, "cpu"));
		for (int o = 0; o < c; o++)
			ck_assert_str_ne(metric_counter_def(o)->name, d->name);
	}
	/* Each operation kind gives seven names, "kind.stat", after the counters. */
	int n = 0;
	while (names[n])
		n++;
	ck_assert_int_eq(n, M_NR_COUNTERS + OPK_NR * LS_NR);
	for (int k = 0; k < OPK_NR; k++) {
		const struct metric_def *d = metric_latency_def(k);
		ck_assert_int_eq(d->kind, MK_LATENCY);
		char *p99 = g_strdup_printf("%s.p99", d->name);
		ck_assert_str_eq(names[M_NR_COUNTERS + k * LS_NR + LS_P99], p99);
		ck_assert(metric_name_valid(p99));
		g_free(p99);
	}
	ck_assert(!metric_name_valid("redundant_write"));
}
END_TEST

START_TEST(charts_rows_follow_the_table)
{
	char *rows = metric_table_charts();
	/* the hazards chart leaves eio_returned out; stalls and cpu carry labels */
	ck_assert_ptr_nonnull(strstr(rows, "hazards\tredundant_writes\tredundant_writes\n"));
	ck_assert_ptr_null(strstr(rows, "eio_returned"));
	ck_assert_ptr_nonnull(strstr(rows, "stalls\tstall.throttle\tdirty throttling\n"));
	ck_assert_ptr_nonnull(strstr(rows, "cpu\tcpu.tlb\tTLB shootdowns\n"));
	g_free(rows);
}
END_TEST

START_TEST(absent_on_names_whole_targets)
{
	struct metric_def d = { .name = "x", .absent_on = "linux remote" };
	ck_assert(metric_absent_on(&d, "linux"));
	ck_assert(metric_absent_on(&d, "remote"));
	ck_assert(!metric_absent_on(&d, "lin"));
	ck_assert(!metric_absent_on(&d, "model"));
	d.absent_on = NULL;
	ck_assert(!metric_absent_on(&d, "linux"));
	/* Nothing in the table is beyond the model. */
	struct metrics *m = metrics_new();
	metrics_mark_absent(m, "model");
	for (const char *const *n = metric_names(); *n; n++)
		ck_assert_msg(!metrics_absent(m, *n), "%s", *n);
	metrics_free(m);
}
END_TEST

/* A run whose target could not measure lost_writes nor any write latency. */
static struct run_result *run_with_holes(void)
{
	struct run_result *r = g_new0(struct run_result, 1);
	r->scenario = g_strdup("holes");
	r->policy_spec = g_strdup("linux:stable_writes=1");
	r->params = g_ptr_array_new_with_free_func(param_value_free);
	r->m = metrics_new();
	r->m->c[M_LOST_WRITES] = 7;     /* whatever it holds, it is not a measurement */
	r->m->c[M_WRITES] = 3;
	r->m->absent[M_LOST_WRITES] = true;
	r->m->absent[M_NR_COUNTERS + OPK_WRITE] = true;
	hist_record(r->m->lat[OPK_WRITE], 1000);
	GPtrArray *decls = g_ptr_array_new_with_free_func(expect_decl_free);
	const char *metrics[] = { "lost_writes", "writes" };
	for (int i = 0; i < 2; i++) {
		struct expect_decl *x = g_new0(struct expect_decl, 1);
		x->pattern = g_strdup("linux*");
		x->match = g_strdup("linux*");
		x->glob = true;
		x->metric = g_strdup(metrics[i]);
		x->predicate = g_strdup("0");
		x->op = CMP_EQ;
		x->value = 0;
		x->where = g_strdup("holes.lua:1");
		x->call = 1;
		g_ptr_array_add(decls, x);
	}
	r->expects = expect_judge(decls, r->policy_spec, r->m);
	g_ptr_array_free(decls, TRUE);
	return r;
}

/* The table's "n/a on linux" and the kernel executor's own account of what it
 * measures say the same for every metric. */
START_TEST(linux_absent_on_agrees_with_kexec)
{
	for (int c = 0; c < M_NR_COUNTERS; c++) {
		const struct metric_def *d = metric_counter_def(c);
		const char *why = NULL;
		bool na = kx_metric_measure(d->name, &why) == KX_NOT_MEASURED;
		ck_assert_msg(na == metric_absent_on(d, "linux"), "%s: table says %s on linux, "
			      "kexec says %s (%s)", d->name, metric_absent_on(d, "linux") ? "n/a"
			      : "measured", na ? "not measured" : "measured", why ? why : "");
	}
	for (int k = 0; k < OPK_NR; k++) {
		const struct metric_def *d = metric_latency_def(k);
		char *name = g_strdup_printf("%s.p99", d->name);
		bool na = kx_metric_measure(name, NULL) == KX_NOT_MEASURED;
		ck_assert_msg(na == metric_absent_on(d, "linux"), "%s", name);
		g_free(name);
	}
}
END_TEST

START_TEST(absent_metrics_show_na_everywhere)
{
	struct run_result *r = run_with_holes();
	/* lost_writes is n/a: its expectation is N/A, not a failure; writes == 0 fails */
	ck_assert_int_eq(r->expects->len, 2);
	const struct expect_result *lost = r->expects->pdata[0];
	const struct expect_result *writes = r->expects->pdata[1];
	ck_assert_str_eq(lost->metric, "lost_writes");
	ck_assert(lost->absent && lost->pass);
	ck_assert(!writes->absent && !writes->pass);

	char *json = report_summary_json(r);
	ck_assert_ptr_nonnull(strstr(json, "\"lost_writes\" : null"));
	ck_assert_ptr_nonnull(strstr(json, "\"write.p99\" : null"));
	ck_assert_ptr_nonnull(strstr(json, "\"writes\" : 3"));
	g_free(json);

	const char *specs[] = { r->policy_spec };
	const uint64_t seeds[] = { 1 };
	struct run_result *runs[] = { r };
	struct compare c = { .scenario = "holes", .npolicies = 1, .specs = specs, .nseeds = 1,
			     .seeds = seeds, .runs = runs };
	char *table = report_compare_table(&c);
	char *line = strstr(table, "lost_writes");
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_nonnull(strstr(line, "n/a"));
	ck_assert(strstr(line, "n/a") < strchr(line, '\n'));
	g_free(table);
	char *csv = report_compare_csv(&c);
	ck_assert_ptr_nonnull(strstr(csv, "lost_writes,n/a\n"));
	ck_assert_ptr_nonnull(strstr(csv, "write.p99,n/a\n"));
	g_free(csv);
	char *expects = report_expectations(&c);
	ck_assert_ptr_nonnull(strstr(expects, "N/A   holes.lua:1"));
	ck_assert_ptr_nonnull(strstr(expects, "FAIL  holes.lua:1"));
	g_free(expects);
	run_result_free(r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("metric_table");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, readme_table_is_the_metric_table);
	tcase_add_test(tc, every_metric_has_one_row);
	tcase_add_test(tc, charts_rows_follow_the_table);
	tcase_add_test(tc, absent_on_names_whole_targets);
	tcase_add_test(tc, absent_metrics_show_na_everywhere);
	tcase_add_test(tc, linux_absent_on_agrees_with_kexec);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(suite)
