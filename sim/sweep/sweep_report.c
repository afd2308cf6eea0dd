/*
 * sweep_report — sweep.csv and sweep.md.
 */
#include "sweep/sweep_report.h"

#include <math.h>
#include <string.h>

#include "report/report.h"

/* What a sweep is usually asked: how latency and the hazards move. */
static const char *const default_metrics[] = {
	"write.p99", "store.p99", "fault.p99", "fsync.p99", "msync.p99", "dio_write.p99",
	"pin_write.p99", "stall.stable", "stall.pin", "stall.throttle", "redundant_writes",
	"checksum_errors", "stale_overwrites", "lost_writes", "fsync_violations",
	"forked_pages_peak", "bounce_pages_peak", NULL
};

int sweep_metric_index(const struct sweep_results *r, const char *metric)
{
	for (guint m = 0; m < r->nmetrics; m++)
		if (!strcmp(r->metrics[m], metric))
			return (int)m;
	return -1;
}

GPtrArray *sweep_shown_metrics(const struct sweep_results *r)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	if (r->plan->metrics->len) {
		for (guint i = 0; i < r->plan->metrics->len; i++)
			g_ptr_array_add(out, g_strdup(r->plan->metrics->pdata[i]));
		return out;
	}
	for (const char *const *name = default_metrics; *name; name++) {
		int m = sweep_metric_index(r, *name);
		bool nonzero = false;
		for (guint k = 0; m >= 0 && k < r->npoints && !nonzero; k++)
			nonzero = r->v[(gsize)k * r->nmetrics + (guint)m] != 0;
		if (nonzero)
			g_ptr_array_add(out, g_strdup(*name));
	}
	return out;
}

guint sweep_ncombos(const struct sweep_plan *p)
{
	return sweep_plan_npoints(p) / (p->policies->len * p->nseeds);
}

struct sweep_stat sweep_cell(const struct sweep_results *r, guint combo, guint pol, int metric)
{
	const struct sweep_plan *p = r->plan;
	double *x = g_new(double, p->nseeds);
	guint first = (combo * p->policies->len + pol) * p->nseeds;
	for (guint s = 0; s < p->nseeds; s++)
		x[s] = r->v[(gsize)(first + s) * r->nmetrics + (guint)metric];
	struct sweep_stat st = sweep_stat_of(x, p->nseeds);
	g_free(x);
	return st;
}

/* ---- sweep.csv ---------------------------------------------------------------------- */

static void csv_field(GString *out, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		g_string_append(out, s);
		return;
	}
	g_string_append_c(out, '"');
	for (const char *c = s; *c; c++) {
		if (*c == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *c);
	}
	g_string_append_c(out, '"');
}

char *sweep_csv(const struct sweep_results *r)
{
	const struct sweep_plan *p = r->plan;
	GString *s = g_string_new(NULL);
	/* "param." keeps a parameter apart from a metric of the same name ("writes"). */
	for (guint a = 0; a < p->axes->len; a++) {
		char *col = g_strconcat("param.", ((const struct sweep_axis *)p->axes->pdata[a])->name,
					NULL);
		csv_field(s, col);
		g_string_append_c(s, ',');
		g_free(col);
	}
	g_string_append(s, "policy,seed,passed");
	for (guint m = 0; m < r->nmetrics; m++)
		g_string_append_printf(s, ",%s", r->metrics[m]);
	g_string_append_c(s, '\n');
	guint *vals = g_new0(guint, p->axes->len + 1), pol;
	for (guint k = 0; k < r->npoints; k++) {
		uint64_t seed;
		sweep_plan_decode(p, k, vals, &pol, &seed);
		for (guint a = 0; a < p->axes->len; a++) {
			csv_field(s, ((const struct sweep_axis *)p->axes->pdata[a])->values->pdata[vals[a]]);
			g_string_append_c(s, ',');
		}
		csv_field(s, p->policies->pdata[pol]);
		g_string_append_printf(s, ",%" G_GUINT64_FORMAT ",%s", seed,
				       r->passed[k] ? "true" : "false");
		for (guint m = 0; m < r->nmetrics; m++) {
			char *v = report_format_raw(r->v[(gsize)k * r->nmetrics + m]);
			g_string_append_printf(s, ",%s", v);
			g_free(v);
		}
		g_string_append_c(s, '\n');
	}
	g_free(vals);
	return g_string_free(s, FALSE);
}

/* ---- sweep.md ----------------------------------------------------------------------- */

static void md_text(GString *out, const char *s)
{
	for (const char *c = s; *c; c++) {
		if (*c == '|')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *c);
	}
}

/* "1.2ms ± 0.3ms", or the value alone with one seed. */
static char *cell_text(const char *metric, struct sweep_stat st)
{
	char *mean = report_format_value(metric, st.mean);
	if (isnan(st.half))
		return mean;
	char *half = report_format_value(metric, st.half);
	char *s = g_strdup_printf("%s ± %s", mean, half);
	g_free(mean);
	g_free(half);
	return s;
}

static void md_header(GString *s, const struct sweep_results *r)
{
	const struct sweep_plan *p = r->plan;
	g_string_append_printf(s, "# Sweep: %s\n\n", p->scenario_name);
	g_string_append_printf(s, "Scenario file `%s`, wbsim %s.\n\n", p->scenario, p->version);
	for (guint a = 0; a < p->axes->len; a++) {
		const struct sweep_axis *ax = p->axes->pdata[a];
		g_string_append(s, "- swept: ");
		md_text(s, ax->name);
		g_string_append(s, " = ");
		for (guint v = 0; v < ax->values->len; v++) {
			g_string_append(s, v ? ", " : "");
			md_text(s, ax->values->pdata[v]);
		}
		g_string_append_c(s, '\n');
	}
	for (guint i = 0; i < p->sets->len; i++) {
		g_string_append(s, "- fixed: ");
		md_text(s, p->sets->pdata[i]);
		g_string_append_c(s, '\n');
	}
	g_string_append(s, "- policies: ");
	for (guint i = 0; i < p->policies->len; i++) {
		g_string_append(s, i ? ", " : "");
		md_text(s, p->policies->pdata[i]);
	}
	g_string_append_printf(s, "\n- seeds: 1..%u\n\n", p->nseeds);
	if (p->nseeds > 1)
		g_string_append_printf(s, "Each cell is the mean over the %u seeds ± the half-width "
				       "of its 95 %% confidence interval (Student t, %u degrees of "
				       "freedom: ± %.4g standard errors).\n", p->nseeds,
				       p->nseeds - 1, sweep_t_quantile(0.975, p->nseeds - 1));
	else
		g_string_append(s, "One seed: each cell is that run's value; there is no "
				"interval (rerun with --seeds 2 or more for one).\n");
	guint failed = 0;
	for (guint k = 0; k < r->npoints; k++)
		failed += !r->passed[k];
	if (failed)
		g_string_append_printf(s, "\n%u of the %u runs failed an expectation (sweep.csv, "
				       "column passed).\n", failed, r->npoints);
	else
		g_string_append_printf(s, "\nEvery expectation held in all %u runs.\n", r->npoints);
}

static void md_table(GString *s, const struct sweep_results *r, const char *metric)
{
	const struct sweep_plan *p = r->plan;
	int m = sweep_metric_index(r, metric);
	g_string_append_printf(s, "\n## %s\n\n|", metric);
	for (guint a = 0; a < p->axes->len; a++) {
		g_string_append_c(s, ' ');
		md_text(s, ((const struct sweep_axis *)p->axes->pdata[a])->name);
		g_string_append(s, " |");
	}
	for (guint i = 0; i < p->policies->len; i++) {
		g_string_append_c(s, ' ');
		md_text(s, p->policies->pdata[i]);
		g_string_append(s, " |");
	}
	g_string_append(s, "\n|");
	for (guint a = 0; a < p->axes->len; a++)
		g_string_append(s, "---:|");
	for (guint i = 0; i < p->policies->len; i++)
		g_string_append(s, "---:|");
	g_string_append_c(s, '\n');
	guint *vals = g_new0(guint, p->axes->len + 1), pol;
	for (guint c = 0; c < sweep_ncombos(p); c++) {
		uint64_t seed;
		sweep_plan_decode(p, c * p->policies->len * p->nseeds, vals, &pol, &seed);
		g_string_append_c(s, '|');
		for (guint a = 0; a < p->axes->len; a++) {
			g_string_append_c(s, ' ');
			md_text(s, ((const struct sweep_axis *)p->axes->pdata[a])->values->pdata[vals[a]]);
			g_string_append(s, " |");
		}
		for (guint i = 0; i < p->policies->len; i++) {
			char *cell = cell_text(metric, sweep_cell(r, c, i, m));
			g_string_append_printf(s, " %s |", cell);
			g_free(cell);
		}
		g_string_append_c(s, '\n');
	}
	g_free(vals);
}

char *sweep_md(const struct sweep_results *r)
{
	GString *s = g_string_new(NULL);
	md_header(s, r);
	GPtrArray *shown = sweep_shown_metrics(r);
	for (guint i = 0; i < shown->len; i++)
		md_table(s, r, shown->pdata[i]);
	if (!shown->len)
		g_string_append(s, "\nNo metric of the default list is other than 0 in any run; "
				"choose some with --metric (every one is in sweep.csv).\n");
	g_ptr_array_free(shown, TRUE);
	return g_string_free(s, FALSE);
}

bool sweep_write_reports(const char *out, const struct sweep_results *r, GError **err)
{
	char *csv = sweep_csv(r);
	char *md = sweep_md(r);
	bool ok = report_write_file(out, "sweep.csv", csv, err) &&
		  report_write_file(out, "sweep.md", md, err);
	g_free(csv);
	g_free(md);
	return ok;
}
