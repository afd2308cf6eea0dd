/*
 * report_compare — the comparison of several policies, each under one or more seeds:
 * the terminal table, the expectation lines, compare.csv, compare.json and
 * compare.md.  The same determinism rules as report.c: fixed row order, numbers
 * printed by fixed rules, nothing that depends on the machine.
 */
#include "report/report.h"
#include "report/report_json.h"

#include "metrics/metric_table.h"

#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

struct row {
	char *section;          /* set on the first row of a section */
	const char *metric;
};

static void row_free(gpointer p)
{
	g_free(((struct row *)p)->section);
}

static void add_row(GArray *rows, const char *section, const char *metric)
{
	struct row r = { section ? g_strdup(section) : NULL, metric };
	g_array_append_val(rows, r);
}

/* Latencies of the kinds some run performed, then the metric table's sections in
 * their order, each with its metrics in table order. */
static GArray *compare_rows(const struct compare *c)
{
	GArray *rows = g_array_new(FALSE, FALSE, sizeof(struct row));
	g_array_set_clear_func(rows, row_free);
	const char *const *names = metric_names();
	for (int k = 0; k < OPK_NR; k++) {
		bool seen = false;
		for (guint i = 0; i < c->npolicies * c->nseeds && !seen; i++)
			seen = hist_count(c->runs[i]->m->lat[k]) > 0;
		if (!seen)
			continue;
		char *title = g_strdup_printf("latency: %s", op_kind_name(k));
		for (const char *const *n = names; *n; n++) {
			if (report_latency_kind(*n, NULL) == k) {
				add_row(rows, title, *n);
				g_clear_pointer(&title, g_free);
			}
		}
		g_free(title);
	}
	for (const char *const *sec = metric_sections(); *sec; sec++) {
		const char *title = *sec;
		for (int m = 0; m < M_NR_COUNTERS; m++) {
			const struct metric_def *d = metric_counter_def(m);
			if (strcmp(d->section, *sec))
				continue;
			add_row(rows, title, d->name);
			title = NULL;
		}
	}
	return rows;
}

/* The target of policy @p could not measure @metric. */
static bool absent(const struct compare *c, guint p, const char *metric)
{
	return metrics_absent(compare_run(c, p, 0)->m, metric);
}

struct spread {
	double mean, min, max, stddev;  /* stddev: sample (n - 1), 0 for one seed */
	double median;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Policy @p's cells show the median rather than the mean (measured runs). */
static bool by_median(const struct compare *c, guint p)
{
	return c->median && c->median[p];
}

static struct spread row_spread(const struct compare *c, guint p, const char *metric)
{
	struct spread s = { 0, INFINITY, -INFINITY, 0, 0 };
	double sum = 0;
	for (guint i = 0; i < c->nseeds; i++) {
		double v = 0;
		metrics_lookup(compare_run(c, p, i)->m, metric, &v);
		sum += v;
		s.min = fmin(s.min, v);
		s.max = fmax(s.max, v);
	}
	s.mean = sum / c->nseeds;
	double *v = g_new(double, c->nseeds);
	for (guint i = 0; i < c->nseeds; i++) {
		v[i] = 0;
		metrics_lookup(compare_run(c, p, i)->m, metric, &v[i]);
	}
	qsort(v, c->nseeds, sizeof *v, cmp_double);
	s.median = c->nseeds % 2 ? v[c->nseeds / 2]
				 : (v[c->nseeds / 2 - 1] + v[c->nseeds / 2]) / 2;
	g_free(v);
	if (c->nseeds > 1) {
		double sq = 0;
		for (guint i = 0; i < c->nseeds; i++) {
			double v = 0;
			metrics_lookup(compare_run(c, p, i)->m, metric, &v);
			sq += (v - s.mean) * (v - s.mean);
		}
		s.stddev = sqrt(sq / (c->nseeds - 1));
	}
	return s;
}

static char *human_cell(const struct compare *c, guint p, const char *metric)
{
	if (absent(c, p, metric))
		return g_strdup("n/a");
	struct spread s = row_spread(c, p, metric);
	char *mean = report_format_value(metric, by_median(c, p) ? s.median : s.mean);
	if (c->nseeds == 1 || s.min == s.max)
		return mean;
	char *lo = report_format_value(metric, s.min), *hi = report_format_value(metric, s.max);
	char *cell = g_strdup_printf("%s (%s..%s)", mean, lo, hi);
	g_free(mean);
	g_free(lo);
	g_free(hi);
	return cell;
}

bool compare_passed(const struct compare *c)
{
	for (guint i = 0; i < c->npolicies * c->nseeds; i++)
		if (!report_expects_pass(c->runs[i]->expects))
			return false;
	return true;
}

static char *seeds_text(const struct compare *c)
{
	if (c->nseeds == 1)
		return g_strdup_printf("seed %" PRIu64, c->seeds[0]);
	GString *s = g_string_new("seeds ");
	bool range = true;
	for (guint i = 1; i < c->nseeds; i++)
		range = range && c->seeds[i] == c->seeds[i - 1] + 1;
	if (range)
		g_string_append_printf(s, "%" PRIu64 "..%" PRIu64, c->seeds[0], c->seeds[c->nseeds - 1]);
	else
		for (guint i = 0; i < c->nseeds; i++)
			g_string_append_printf(s, "%s%" PRIu64, i ? "," : "", c->seeds[i]);
	bool med = false;
	for (guint p = 0; p < c->npolicies; p++)
		med = med || by_median(c, p);
	g_string_append(s, med ? "; cells show the mean (the median for measured runs: "
			       "the kernel's), and (min..max) where the seeds differ"
			       : "; cells show the mean, and (min..max) where the seeds differ");
	return g_string_free(s, FALSE);
}

static int text_width(const char *s)
{
	return (int)g_utf8_strlen(s, -1);
}

static void append_padded(GString *out, const char *s, int width, bool right)
{
	int pad = width - text_width(s);
	if (right)
		for (int i = 0; i < pad; i++)
			g_string_append_c(out, ' ');
	g_string_append(out, s);
	if (!right)
		for (int i = 0; i < pad; i++)
			g_string_append_c(out, ' ');
}

char *report_compare_table(const struct compare *c)
{
	GArray *rows = compare_rows(c);
	guint ncol = c->npolicies;
	char **cells = g_new0(char *, rows->len * ncol + 1);
	int w0 = (int)strlen("metric");
	int *w = g_new0(int, ncol);
	for (guint p = 0; p < ncol; p++)
		w[p] = text_width(c->specs[p]);
	for (guint r = 0; r < rows->len; r++) {
		const struct row *row = &g_array_index(rows, struct row, r);
		w0 = MAX(w0, 2 + (int)strlen(row->metric));
		for (guint p = 0; p < ncol; p++) {
			cells[r * ncol + p] = human_cell(c, p, row->metric);
			w[p] = MAX(w[p], text_width(cells[r * ncol + p]));
		}
	}

	GString *out = g_string_new(NULL);
	char *seeds = seeds_text(c);
	g_string_append_printf(out, "%s: %u %s, %s\n", c->scenario, ncol,
			       ncol == 1 ? "policy" : "policies", seeds);
	g_free(seeds);
	append_padded(out, "metric", w0, false);
	for (guint p = 0; p < ncol; p++) {
		g_string_append(out, "  ");
		append_padded(out, c->specs[p], w[p], true);
	}
	g_string_append_c(out, '\n');
	for (guint r = 0; r < rows->len; r++) {
		const struct row *row = &g_array_index(rows, struct row, r);
		if (row->section)
			g_string_append_printf(out, "%s\n", row->section);
		g_string_append(out, "  ");
		append_padded(out, row->metric, w0 - 2, false);
		for (guint p = 0; p < ncol; p++) {
			g_string_append(out, "  ");
			append_padded(out, cells[r * ncol + p], w[p], true);
		}
		g_string_append_c(out, '\n');
	}
	g_strfreev(cells);
	g_free(w);
	g_array_free(rows, TRUE);
	return g_string_free(out, FALSE);
}

/* "lost_writes == 0", "write.p99 <5ms": a bare number is an equality. */
static char *expect_text(const struct expect_result *e)
{
	const char *p = e->predicate ? e->predicate : "";
	bool bare = *p && !strchr("<>=~", *p);
	return g_strdup_printf("%s %s%s", e->metric, bare ? "== " : "", p);
}

char *report_expectations(const struct compare *c)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	int ww = 0, wp = 0, wx = 0;
	for (guint p = 0; p < c->npolicies; p++)
		for (guint s = 0; s < c->nseeds; s++) {
			const struct run_result *r = compare_run(c, p, s);
			for (guint i = 0; r->expects && i < r->expects->len; i++) {
				const struct expect_result *e = r->expects->pdata[i];
				char **l = g_new0(char *, 6);
				l[0] = g_strdup(e->absent ? "N/A " : e->pass ? "PASS" : "FAIL");
				l[1] = g_strdup(e->where ? e->where : "?");
				l[2] = c->nseeds > 1 ? g_strdup_printf("%s seed %" PRIu64, c->specs[p],
								      c->seeds[s])
						     : g_strdup(c->specs[p]);
				l[3] = expect_text(e);
				l[4] = e->absent ? g_strdup("n/a")
						 : report_format_value(e->metric ? e->metric : "", e->value);
				ww = MAX(ww, text_width(l[1]));
				wp = MAX(wp, text_width(l[2]));
				wx = MAX(wx, text_width(l[3]));
				g_ptr_array_add(lines, l);
			}
		}
	GString *out = g_string_new(NULL);
	for (guint i = 0; i < lines->len; i++) {
		char **l = lines->pdata[i];
		g_string_append_printf(out, "%s  ", l[0]);
		append_padded(out, l[1], ww, false);
		g_string_append(out, "  ");
		append_padded(out, l[2], wp, false);
		g_string_append(out, "  ");
		append_padded(out, l[3], wx, false);
		g_string_append_printf(out, "  (got %s)\n", l[4]);
	}
	g_ptr_array_free(lines, TRUE);
	return g_string_free(out, FALSE);
}

static void csv_field(GString *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		g_string_append(out, s);
		return;
	}
	g_string_append_c(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *s);
	}
	g_string_append_c(out, '"');
}

static void csv_number(GString *out, double v)
{
	char *s = report_format_raw(v);
	g_string_append_c(out, ',');
	g_string_append(out, s);
	g_free(s);
}

/* One seed: metric,<spec>...  Several: metric,stat,<spec>... with the rows
 * mean, min, max, stddev (sample standard deviation) and median of each metric. */
char *report_compare_csv(const struct compare *c)
{
	static const char *const stats[] = { "mean", "min", "max", "stddev", "median" };
	GArray *rows = compare_rows(c);
	GString *out = g_string_new(c->nseeds > 1 ? "metric,stat" : "metric");
	for (guint p = 0; p < c->npolicies; p++) {
		g_string_append_c(out, ',');
		csv_field(out, c->specs[p]);
	}
	g_string_append_c(out, '\n');
	for (guint r = 0; r < rows->len; r++) {
		const char *metric = g_array_index(rows, struct row, r).metric;
		for (guint st = 0; st < (c->nseeds > 1 ? G_N_ELEMENTS(stats) : 1); st++) {
			csv_field(out, metric);
			if (c->nseeds > 1)
				g_string_append_printf(out, ",%s", stats[st]);
			for (guint p = 0; p < c->npolicies; p++) {
				if (absent(c, p, metric)) {
					g_string_append(out, ",n/a");
					continue;
				}
				struct spread s = row_spread(c, p, metric);
				double v[] = { s.mean, s.min, s.max, s.stddev, s.median };
				csv_number(out, v[st]);
			}
			g_string_append_c(out, '\n');
		}
	}
	g_array_free(rows, TRUE);
	return g_string_free(out, FALSE);
}

static void add_double_member(JsonBuilder *b, const char *key, double v)
{
	json_builder_set_member_name(b, key);
	json_builder_add_double_value(b, v);
}

/* Policies carry their runs and expectations; "metrics" maps each row to
 * {spec: value} with one seed, {spec: {mean, min, max, stddev, median}} with several. */
char *report_compare_json(const struct compare *c)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	report_json_str(b, "scenario", c->scenario);
	report_json_str(b, "description", c->description);
	json_builder_set_member_name(b, "seeds");
	json_builder_begin_array(b);
	for (guint s = 0; s < c->nseeds; s++)
		json_builder_add_int_value(b, (gint64)c->seeds[s]);
	json_builder_end_array(b);
	report_json_str(b, "spread", "min and max over the seeds; stddev is the sample standard deviation");
	json_builder_set_member_name(b, "passed");
	json_builder_add_boolean_value(b, compare_passed(c));

	json_builder_set_member_name(b, "policies");
	json_builder_begin_array(b);
	for (guint p = 0; p < c->npolicies; p++) {
		json_builder_begin_object(b);
		report_json_str(b, "spec", c->specs[p]);
		char *dir = report_dirname(c->specs[p]);
		report_json_str(b, "dir", dir);
		g_free(dir);
		bool pass = true;
		for (guint s = 0; s < c->nseeds; s++)
			pass = pass && report_expects_pass(compare_run(c, p, s)->expects);
		json_builder_set_member_name(b, "passed");
		json_builder_add_boolean_value(b, pass);
		json_builder_set_member_name(b, "runs");
		json_builder_begin_array(b);
		for (guint s = 0; s < c->nseeds; s++) {
			const struct run_result *r = compare_run(c, p, s);
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "seed");
			json_builder_add_int_value(b, (gint64)r->seed);
			report_json_str(b, "end", report_end_name(r->end));
			json_builder_set_member_name(b, "passed");
			json_builder_add_boolean_value(b, report_expects_pass(r->expects));
			json_builder_set_member_name(b, "expectations");
			report_json_expectations(b, r->expects);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);

	GArray *rows = compare_rows(c);
	json_builder_set_member_name(b, "metrics");
	json_builder_begin_array(b);
	const char *section = "";
	for (guint r = 0; r < rows->len; r++) {
		const struct row *row = &g_array_index(rows, struct row, r);
		section = row->section ? row->section : section;
		json_builder_begin_object(b);
		report_json_str(b, "name", row->metric);
		report_json_str(b, "section", section);
		json_builder_set_member_name(b, "values");
		json_builder_begin_object(b);
		for (guint p = 0; p < c->npolicies; p++) {
			struct spread s = row_spread(c, p, row->metric);
			json_builder_set_member_name(b, c->specs[p]);
			if (absent(c, p, row->metric)) {
				json_builder_add_null_value(b);
				continue;
			}
			if (c->nseeds == 1) {
				report_json_metric(b, row->metric, s.mean);
				continue;
			}
			json_builder_begin_object(b);
			add_double_member(b, "mean", s.mean);
			json_builder_set_member_name(b, "min");
			report_json_metric(b, row->metric, s.min);
			json_builder_set_member_name(b, "max");
			report_json_metric(b, row->metric, s.max);
			add_double_member(b, "stddev", s.stddev);
			json_builder_set_member_name(b, "median");
			report_json_metric(b, row->metric, s.median);
			json_builder_end_object(b);
		}
		json_builder_end_object(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	g_array_free(rows, TRUE);

	json_builder_end_object(b);
	char *s = report_json_string(b);
	g_object_unref(b);
	return s;
}

static void md_text(GString *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *s == '\n' ? ' ' : *s);
	}
}

char *report_compare_md(const struct compare *c)
{
	GString *out = g_string_new(NULL);
	g_string_append(out, "# ");
	md_text(out, c->scenario);
	g_string_append(out, ": policy comparison\n\n");
	if (c->description && *c->description) {
		md_text(out, c->description);
		g_string_append(out, "\n\n");
	}
	char *seeds = seeds_text(c);
	g_string_append_printf(out, "Runs: %s.\n", seeds);
	g_free(seeds);

	GArray *rows = compare_rows(c);
	for (guint r = 0; r < rows->len; r++) {
		const struct row *row = &g_array_index(rows, struct row, r);
		if (row->section) {
			g_string_append(out, "\n## ");
			md_text(out, row->section);
			g_string_append(out, "\n\n| metric |");
			for (guint p = 0; p < c->npolicies; p++) {
				g_string_append_c(out, ' ');
				md_text(out, c->specs[p]);
				g_string_append(out, " |");
			}
			g_string_append(out, "\n|---|");
			for (guint p = 0; p < c->npolicies; p++)
				g_string_append(out, "---:|");
			g_string_append_c(out, '\n');
		}
		g_string_append(out, "| ");
		md_text(out, row->metric);
		g_string_append(out, " |");
		for (guint p = 0; p < c->npolicies; p++) {
			char *cell = human_cell(c, p, row->metric);
			g_string_append_c(out, ' ');
			md_text(out, cell);
			g_string_append(out, " |");
			g_free(cell);
		}
		g_string_append_c(out, '\n');
	}
	g_array_free(rows, TRUE);

	bool any = false;
	for (guint i = 0; i < c->npolicies * c->nseeds; i++)
		any = any || (c->runs[i]->expects && c->runs[i]->expects->len);
	if (any) {
		g_string_append(out, "\n## Expectations\n\n| result | where | policy | seed | "
				     "expectation | value |\n|---|---|---|---:|---|---:|\n");
		for (guint p = 0; p < c->npolicies; p++)
			for (guint s = 0; s < c->nseeds; s++) {
				const struct run_result *r = compare_run(c, p, s);
				for (guint i = 0; r->expects && i < r->expects->len; i++) {
					const struct expect_result *e = r->expects->pdata[i];
					char *x = expect_text(e);
					char *v = e->absent ? g_strdup("n/a")
							    : report_format_value(e->metric ? e->metric : "", e->value);
					g_string_append_printf(out, "| %s | ", e->absent ? "n/a"
									     : e->pass ? "PASS" : "**FAIL**");
					md_text(out, e->where ? e->where : "?");
					g_string_append(out, " | ");
					md_text(out, c->specs[p]);
					g_string_append_printf(out, " | %" PRIu64 " | ", r->seed);
					md_text(out, x);
					g_string_append(out, " | ");
					md_text(out, v);
					g_string_append(out, " |\n");
					g_free(x);
					g_free(v);
				}
			}
	}
	return g_string_free(out, FALSE);
}

bool report_write_compare(const char *dir, const struct compare *c, GError **err)
{
	char *csv = report_compare_csv(c);
	char *json = report_compare_json(c);
	char *md = report_compare_md(c);
	bool ok = report_write_file(dir, "compare.csv", csv, err) &&
		  report_write_file(dir, "compare.json", json, err) &&
		  report_write_file(dir, "compare.md", md, err);
	g_free(csv);
	g_free(json);
	g_free(md);
	return ok;
}
