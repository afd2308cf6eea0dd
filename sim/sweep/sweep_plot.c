/*
 * sweep_plot — the gnuplot scripts, with the data inline as datablocks, so each chart
 * is one self-contained script run by one gnuplot process.
 *
 * Combinations of the axes other than the plotted one are numbered like the points
 * with that axis left out (first remaining axis slowest).
 */
#include "sweep/sweep_plot.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "report/report.h"
#include "sweep/sweep_report.h"

/* A string as a gnuplot single-quoted literal. */
static void gp_quote(GString *s, const char *text)
{
	g_string_append_c(s, '\'');
	for (const char *c = text; *c; c++) {
		if (*c == '\'')
			g_string_append_c(s, '\'');
		g_string_append_c(s, *c);
	}
	g_string_append_c(s, '\'');
}

static const struct sweep_axis *axis(const struct sweep_plan *p, guint a)
{
	return p->axes->pdata[a];
}

/* @text inside a gnuplot double-quoted string, where backslash escapes work. */
static void gp_dquoted(GString *s, const char *text)
{
	for (const char *c = text; *c; c++) {
		if (*c == '"' || *c == '\\')
			g_string_append_c(s, '\\');
		g_string_append_c(s, *c);
	}
}

/* Value indices of every axis for (the plotted axis at @x, the others at @combo). */
static void combo_values(const struct sweep_plan *p, guint plotted, guint x, guint combo,
			 guint *vals)
{
	for (guint a = p->axes->len; a-- > 0;) {
		if (a == plotted) {
			vals[a] = x;
			continue;
		}
		guint n = axis(p, a)->values->len;
		vals[a] = combo % n;
		combo /= n;
	}
}

/* The number of the combination of all axes' values (sweep_cell's @combo). */
static guint full_combo(const struct sweep_plan *p, const guint *vals)
{
	guint c = 0;
	for (guint a = 0; a < p->axes->len; a++)
		c = c * axis(p, a)->values->len + vals[a];
	return c;
}

static bool numeric_axis(const struct sweep_axis *ax, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (guint v = 0; v < ax->values->len; v++) {
		char *end;
		double x = g_ascii_strtod(ax->values->pdata[v], &end);
		if (*end || end == ax->values->pdata[v] || !isfinite(x))
			return false;
		*lo = MIN(*lo, x);
		*hi = MAX(*hi, x);
	}
	return true;
}

/* Durations are drawn in the unit that suits their largest value. */
static double duration_unit(double max, const char **name)
{
	static const struct { double ns; const char *name; } units[] = {
		{ 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" }, { 1, "ns" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(units); i++)
		if (max >= units[i].ns || i == G_N_ELEMENTS(units) - 1) {
			*name = units[i].name;
			return units[i].ns;
		}
	return 1;
}

static void append_num(GString *s, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	g_string_append(s, g_ascii_formatd(buf, sizeof(buf), "%.10g", v));
}

char *sweep_plot_script(const struct sweep_results *r, const char *metric, guint plotted,
			guint others_combo, const char *png, const char *svg, bool pngcairo)
{
	const struct sweep_plan *p = r->plan;
	const struct sweep_axis *ax = axis(p, plotted);
	int m = sweep_metric_index(r, metric);
	guint npol = p->policies->len, nx = ax->values->len;
	guint *vals = g_new0(guint, p->axes->len + 1);
	struct sweep_stat *st = g_new(struct sweep_stat, (gsize)npol * nx);
	double ymax = 0;
	for (guint x = 0; x < nx; x++) {
		combo_values(p, plotted, x, others_combo, vals);
		for (guint i = 0; i < npol; i++) {
			st[i * nx + x] = sweep_cell(r, full_combo(p, vals), i, m);
			ymax = MAX(ymax, fabs(st[i * nx + x].mean));
		}
	}
	const char *unit = NULL;
	double scale = report_metric_is_duration(metric) ? duration_unit(ymax, &unit) : 1;
	if (!unit)
		unit = report_metric_unit(metric);   /* MiB/s, pages, ... as the table says */
	double lo, hi;
	bool numeric = numeric_axis(ax, &lo, &hi);

	bool logx = numeric && lo > 0 && hi / lo >= 8;
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < npol; i++) {
		/* Policies with equal results would hide each other: each line is nudged
		 * sideways by a little (1 % of the axis per policy), as error-bar charts do. */
		double nudge = ((double)i - (double)(npol - 1) / 2) * 0.01;
		g_string_append_printf(s, "$d%u << EOD\n", i);
		for (guint x = 0; x < nx; x++) {
			const struct sweep_stat *c = &st[i * nx + x];
			append_num(s, (double)x + nudge * (double)(nx - 1));
			g_string_append_c(s, ' ');
			if (numeric) {
				double v = g_ascii_strtod(ax->values->pdata[x], NULL);
				append_num(s, logx ? v * pow(hi / lo, nudge)
						   : v + nudge * (hi - lo));
			} else {
				g_string_append_printf(s, "\"%s\"", (char *)ax->values->pdata[x]);
			}
			g_string_append_c(s, ' ');
			append_num(s, c->mean / scale);
			g_string_append_c(s, ' ');
			append_num(s, isnan(c->half) ? 0 : c->half / scale);
			g_string_append_c(s, '\n');
		}
		g_string_append(s, "EOD\n");
	}
	GString *title = g_string_new(NULL);
	g_string_append_printf(title, "%s vs %s", metric, ax->name);
	combo_values(p, plotted, 0, others_combo, vals);
	for (guint a = 0, n = 0; a < p->axes->len; a++)
		if (a != plotted)
			g_string_append_printf(title, "%s%s=%s", n++ ? ", " : " (",
					       axis(p, a)->name,
					       (char *)axis(p, a)->values->pdata[vals[a]]);
	if (p->axes->len > 1)
		g_string_append_c(title, ')');
	g_string_append(s, "set title \"");
	gp_dquoted(s, title->str);
	if (p->nseeds > 1)
		g_string_append_printf(s, "\\nmean and 95%% confidence interval over %u seeds",
				       p->nseeds);
	g_string_append(s, "\"\nset xlabel ");
	gp_quote(s, ax->name);
	g_string_append(s, "\nset ylabel ");
	char *ylabel = unit ? g_strdup_printf("%s (%s)", metric, unit) : g_strdup(metric);
	gp_quote(s, ylabel);
	g_free(ylabel);
	g_string_append(s, "\nset grid\nset key outside right top\nset yrange [0:*]\n");
	if (logx) {
		/* A quarter of a doubling of margin: autoscale would widen to whole powers. */
		g_string_append(s, "set logscale x 2\nset offsets 0, 0, graph 0.05, 0\n"
				"set xrange [");
		append_num(s, lo / pow(2, 0.25));
		g_string_append_c(s, ':');
		append_num(s, hi * pow(2, 0.25));
		g_string_append(s, "]\n");
		/* Tics at the swept values, written as they were given: gnuplot's own
		 * would fall on powers of two between them and print 1048576 as
		 * 1.04858e+06; many of them are turned so that they do not overlap. */
		g_string_append(s, "set xtics (");
		for (guint x = 0; x < nx; x++) {
			g_string_append(s, x ? ", " : "");
			gp_quote(s, ax->values->pdata[x]);
			g_string_append_c(s, ' ');
			append_num(s, g_ascii_strtod(ax->values->pdata[x], NULL));
		}
		g_string_append(s, nx > 6 ? ") rotate by -30 left\n" : ")\n");
	} else {
		g_string_append(s, "set offsets graph 0.04, graph 0.04, graph 0.05, 0\n");
	}
	g_string_append(s, "set style line 1 lw 2 pt 7 ps 1.2\n");
	/* With one seed there are no error bars to draw. */
	const char *style = p->nseeds > 1 ? "yerrorlines" : "linespoints";
	const char *cols = numeric ? (p->nseeds > 1 ? "2:3:4" : "2:3")
				   : (p->nseeds > 1 ? "1:3:4:xtic(2)" : "1:3:xtic(2)");
	GString *plot = g_string_new("plot ");
	for (guint i = 0; i < npol; i++) {
		g_string_append_printf(plot, "%s$d%u using %s with %s lw 2 pt 7 title ", i ? ", " : "",
				       i, cols, style);
		gp_quote(plot, p->policies->pdata[i]);
	}
	const char *fmts[][2] = {
		{ pngcairo ? "pngcairo size 960,560 noenhanced font 'Sans,11'"
			   : "png size 960,560 noenhanced", png },
		{ "svg size 960,560 noenhanced font 'Sans,11' background '#ffffff'", svg },
	};
	for (size_t f = 0; f < G_N_ELEMENTS(fmts); f++) {
		g_string_append_printf(s, "set terminal %s\nset output ", fmts[f][0]);
		gp_quote(s, fmts[f][1]);
		g_string_append_printf(s, "\n%s\nunset output\n", plot->str);
	}
	g_string_free(plot, TRUE);
	g_string_free(title, TRUE);
	g_free(st);
	g_free(vals);
	return g_string_free(s, FALSE);
}

static bool has_pngcairo(void)
{
	char *out = NULL, *err = NULL;
	const char *argv[] = { "gnuplot", "-e", "set terminal", NULL };
	bool ok = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
			       &err, NULL, NULL);
	bool cairo = ok && ((out && strstr(out, "pngcairo")) || (err && strstr(err, "pngcairo")));
	g_free(out);
	g_free(err);
	return cairo;
}

/* Run @script with gnuplot; the outputs are renamed into place only if it succeeded. */
static bool run_gnuplot(const char *script, const char *const tmp[2], const char *const dst[2],
			GError **err)
{
	char *path = NULL;
	int fd = g_file_open_tmp("wbsim-sweep-XXXXXX.gp", &path, err);
	if (fd < 0)
		return false;
	close(fd);
	bool ok = g_file_set_contents(path, script, -1, err);
	int status = 0;
	char *errout = NULL;
	const char *argv[] = { "gnuplot", path, NULL };
	ok = ok && g_spawn_sync(NULL, (char **)argv, NULL,
				G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
				&errout, &status, err);
	if (ok && !g_spawn_check_wait_status(status, NULL)) {
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT, "gnuplot failed on %s: %s", dst[0],
			    errout ? errout : "");
		ok = false;
	}
	for (int i = 0; i < 2; i++) {
		if (ok && g_rename(tmp[i], dst[i]) != 0) {
			int e = errno;
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot write %s: %s",
				    dst[i], g_strerror(e));
			ok = false;
		}
		if (!ok)
			g_unlink(tmp[i]);
	}
	g_unlink(path);
	g_free(path);
	g_free(errout);
	return ok;
}

/* "write.p99-vs-writers--qd=32_ratio=0.5": the chart's file name without extension. */
static char *chart_name(const struct sweep_plan *p, const char *metric, guint plotted,
			guint combo)
{
	guint *vals = g_new0(guint, p->axes->len + 1);
	combo_values(p, plotted, 0, combo, vals);
	GString *s = g_string_new(NULL);
	g_string_append_printf(s, "%s-vs-%s", metric, axis(p, plotted)->name);
	for (guint a = 0, n = 0; a < p->axes->len; a++)
		if (a != plotted)
			g_string_append_printf(s, "%s%s=%s", n++ ? "," : "--", axis(p, a)->name,
					       (char *)axis(p, a)->values->pdata[vals[a]]);
	g_free(vals);
	char *name = report_dirname(s->str);
	g_string_free(s, TRUE);
	return name;
}

bool sweep_plot(const char *out, const struct sweep_results *r, GError **err)
{
	const struct sweep_plan *p = r->plan;
	char *gnuplot = g_find_program_in_path("gnuplot");
	g_free(gnuplot);
	if (!gnuplot) {
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
			    "--plot needs gnuplot, which is not installed (scripts/deps)");
		return false;
	}
	char *dir = g_build_filename(out, "charts", NULL);
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot create %s: %s",
			    dir, g_strerror(e));
		g_free(dir);
		return false;
	}
	bool cairo = has_pngcairo(), ok = true;
	GPtrArray *shown = sweep_shown_metrics(r);
	/* Without --metric, sweep.md's first few: every default metric times every
	 * combination would be hundreds of charts nobody asked for. */
	if (!p->metrics->len && shown->len > SWEEP_PLOT_DEFAULT_METRICS)
		g_ptr_array_set_size(shown, SWEEP_PLOT_DEFAULT_METRICS);
	for (guint mi = 0; mi < shown->len && ok; mi++) {
		for (guint a = 0; a < p->axes->len && ok; a++) {
			if (axis(p, a)->values->len < 2)
				continue;
			guint others = sweep_ncombos(p) / axis(p, a)->values->len;
			for (guint c = 0; c < others && ok; c++) {
				char *name = chart_name(p, shown->pdata[mi], a, c);
				char *dst[2], *tmp[2];
				for (int i = 0; i < 2; i++) {
					const char *ext = i ? "svg" : "png";
					char *base = g_strdup_printf("%s.%s", name, ext);
					char *tbase = g_strdup_printf(".%s.%s.tmp", name, ext);
					dst[i] = g_build_filename(dir, base, NULL);
					tmp[i] = g_build_filename(dir, tbase, NULL);
					g_free(base);
					g_free(tbase);
				}
				char *script = sweep_plot_script(r, shown->pdata[mi], a, c, tmp[0],
								 tmp[1], cairo);
				ok = run_gnuplot(script, (const char *const *)tmp,
						 (const char *const *)dst, err);
				g_free(script);
				for (int i = 0; i < 2; i++) {
					g_free(dst[i]);
					g_free(tmp[i]);
				}
				g_free(name);
			}
		}
	}
	g_ptr_array_free(shown, TRUE);
	g_free(dir);
	return ok;
}
