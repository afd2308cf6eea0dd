/*
 * report — the per-run files (summary.json, latency.csv, timeline.csv), the number
 * formatting and JSON helpers they share with the comparison (report_compare.c),
 * and writing a file atomically.
 *
 * Determinism: every number is printed by a fixed rule (integers as integers,
 * other doubles by json-glib's "%.17g" or the shortest round-trip form), keys
 * come in a fixed order (metric_names() order, params in declaration order),
 * and whatever depends on the machine lives in summary.json's last object,
 * "wall", so `sed '/"wall"/,$d'` leaves what must match across reruns.
 */
#include "report/report.h"
#include "report/report_json.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "engine/units.h"
#include "metrics/metric_table.h"

char *report_dirname(const char *spec)
{
	char *d = g_strdup(spec && *spec ? spec : "_");
	for (char *p = d; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (!(g_ascii_isalnum(ch) || strchr("._=+-", ch)) || (p == d && ch == '.'))
			*p = '_';
	}
	return d;
}

/* "write.p99" is a latency: kind write, stat p99.  Returns the kind or -1. */
int report_latency_kind(const char *name, enum latency_stat *stat)
{
	for (int k = 0; k < OPK_NR; k++) {
		const char *kn = op_kind_name(k);
		size_t n = strlen(kn);
		if (strncmp(name, kn, n) || name[n] != '.')
			continue;
		for (int s = 0; s < LS_NR; s++)
			if (!strcmp(name + n + 1, latency_stat_name(s))) {
				if (stat)
					*stat = (enum latency_stat)s;
				return k;
			}
	}
	return -1;
}

/* The metric table's row of a counter @name, or NULL (a latency statistic). */
static const struct metric_def *counter_def(const char *name)
{
	for (int c = 0; c < M_NR_COUNTERS; c++)
		if (!strcmp(name, metric_counter_name(c)))
			return metric_counter_def(c);
	return NULL;
}

bool report_metric_is_duration(const char *name)
{
	enum latency_stat s;
	if (report_latency_kind(name, &s) >= 0)
		return s != LS_COUNT;
	const struct metric_def *d = counter_def(name);
	return d && d->kind == MK_TIME;
}

const char *report_metric_unit(const char *name)
{
	const struct metric_def *d = counter_def(name);
	return d && d->kind != MK_TIME && d->unit && *d->unit ? d->unit : NULL;
}

/* Means are the one kind of metric that is not a whole number. */
static bool metric_is_fractional(const char *name)
{
	return g_str_has_suffix(name, ".mean");
}

/* Peaks of page gauges are shown with the memory they hold. */
static bool metric_is_pages(const char *name)
{
	const struct metric_def *d = counter_def(name);
	return d && d->kind == MK_PEAK && !strcmp(d->unit, "pages");
}

static bool is_whole(double v)
{
	return isfinite(v) && v == floor(v) && fabs(v) < 9007199254740992.0;    /* 2^53 */
}

char *report_format_raw(double v)
{
	if (is_whole(v))
		return g_strdup_printf("%" PRId64, (int64_t)v);
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	g_ascii_formatd(buf, sizeof(buf), "%.15g", v);
	if (g_ascii_strtod(buf, NULL) != v)
		g_ascii_formatd(buf, sizeof(buf), "%.17g", v);
	return g_strdup(buf);
}

char *report_format_value(const char *metric, double v)
{
	if (!isfinite(v) || v < 0)
		return report_format_raw(v);
	if (report_metric_is_duration(metric))
		return units_format_duration((uint64_t)llround(v));
	char *num = is_whole(v) ? g_strdup_printf("%" PRId64, (int64_t)v)
				: g_strdup_printf("%.1f", v);
	if (metric_is_pages(metric) && v > 0) {
		char *size = units_format_size((uint64_t)llround(v) * 4096u);
		char *s = g_strdup_printf("%s (%s)", num, size);
		g_free(size);
		g_free(num);
		return s;
	}
	return num;
}

const char *report_end_name(enum sim_end e)
{
	switch (e) {
	case SIM_END_IDLE: return "idle";
	case SIM_END_DURATION: return "duration";
	case SIM_END_DEADLOCK: return "deadlock";
	case SIM_END_STOPPED: return "stopped";
	}
	return "unknown";
}

/* A metric's value with a JSON type that depends on its name only, never on
 * the value, so consumers see the same schema from every run. */
void report_json_metric(JsonBuilder *b, const char *name, double v)
{
	if (metric_is_fractional(name) || !is_whole(v))
		json_builder_add_double_value(b, v);
	else
		json_builder_add_int_value(b, (gint64)v);
}

void report_json_str(JsonBuilder *b, const char *key, const char *v)
{
	json_builder_set_member_name(b, key);
	json_builder_add_string_value(b, v ? v : "");
}

void report_json_expectations(JsonBuilder *b, const GPtrArray *expects)
{
	json_builder_begin_array(b);
	for (guint i = 0; expects && i < expects->len; i++) {
		const struct expect_result *e = expects->pdata[i];
		json_builder_begin_object(b);
		report_json_str(b, "where", e->where);
		report_json_str(b, "pattern", e->pattern);
		report_json_str(b, "metric", e->metric);
		report_json_str(b, "predicate", e->predicate);
		json_builder_set_member_name(b, "value");
		if (e->absent)
			json_builder_add_null_value(b);         /* the target cannot measure it */
		else
			report_json_metric(b, e->metric ? e->metric : "", e->value);
		json_builder_set_member_name(b, "pass");
		json_builder_add_boolean_value(b, e->pass);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

bool report_expects_pass(const GPtrArray *expects)
{
	for (guint i = 0; expects && i < expects->len; i++)
		if (!((const struct expect_result *)expects->pdata[i])->pass)
			return false;
	return true;
}

char *report_json_string(JsonBuilder *b)
{
	JsonNode *root = json_builder_get_root(b);
	JsonGenerator *g = json_generator_new();
	json_generator_set_pretty(g, TRUE);
	json_generator_set_indent(g, 2);
	json_generator_set_root(g, root);
	char *body = json_generator_to_data(g, NULL);
	char *s = g_strconcat(body, "\n", NULL);
	g_free(body);
	g_object_unref(g);
	json_node_unref(root);
	return s;
}

char *report_summary_json(const struct run_result *r)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	report_json_str(b, "scenario", r->scenario);
	report_json_str(b, "description", r->description);
	report_json_str(b, "policy", r->policy_spec);
	json_builder_set_member_name(b, "seed");
	json_builder_add_int_value(b, (gint64)r->seed);
	json_builder_set_member_name(b, "params");
	json_builder_begin_object(b);
	for (guint i = 0; r->params && i < r->params->len; i++) {
		const struct param_value *p = r->params->pdata[i];
		report_json_str(b, p->name, p->value);
	}
	json_builder_end_object(b);
	report_json_str(b, "end", report_end_name(r->end));
	json_builder_set_member_name(b, "passed");
	json_builder_add_boolean_value(b, report_expects_pass(r->expects));

	json_builder_set_member_name(b, "metrics");
	json_builder_begin_object(b);
	for (const char *const *n = metric_names(); *n; n++) {
		double v = 0;
		metrics_lookup(r->m, *n, &v);
		json_builder_set_member_name(b, *n);
		if (metrics_absent(r->m, *n))
			json_builder_add_null_value(b);         /* "n/a", never 0 */
		else
			report_json_metric(b, *n, v);
	}
	json_builder_end_object(b);

	json_builder_set_member_name(b, "expectations");
	report_json_expectations(b, r->expects);
	if (r->not_applied) {
		json_builder_set_member_name(b, "not_applied");
		json_builder_begin_array(b);
		for (char **n = r->not_applied; *n; n++)
			json_builder_add_string_value(b, *n);
		json_builder_end_array(b);
	}

	/* Last, so that everything above it is the deterministic part. */
	json_builder_set_member_name(b, "wall");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "wall_seconds");
	json_builder_add_double_value(b, r->wall_seconds);
	json_builder_set_member_name(b, "events");
	json_builder_add_int_value(b, (gint64)r->events);
	json_builder_set_member_name(b, "events_per_second");
	json_builder_add_double_value(b, r->wall_seconds > 0 ? (double)r->events / r->wall_seconds
							     : 0.0);
	json_builder_set_member_name(b, "peak_rss_bytes");
	json_builder_add_int_value(b, (gint64)r->peak_rss_bytes);
	json_builder_end_object(b);

	json_builder_end_object(b);
	char *s = report_json_string(b);
	g_object_unref(b);
	return s;
}

char *report_latency_csv(const struct metrics *m)
{
	GString *s = g_string_new("kind,bucket_lo_ns,bucket_hi_ns,count\n");
	size_t nb = hist_nbuckets();
	for (int k = 0; k < OPK_NR; k++) {
		const struct hist *h = m->lat[k];
		if (!hist_count(h))
			continue;
		for (size_t i = 0; i < nb; i++) {
			uint64_t n = hist_bucket_count(h, i), lo, hi;
			if (!n)
				continue;
			hist_bucket_range(i, &lo, &hi);
			g_string_append_printf(s, "%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
					       op_kind_name(k), lo, hi, n);
		}
	}
	return g_string_free(s, FALSE);
}

char *report_timeline_csv(const GArray *timeline)
{
	GString *s = g_string_new("t_ns,dirty,writeback,forked,bounce,inflight,stalled\n");
	for (guint i = 0; timeline && i < timeline->len; i++) {
		const struct timeline_sample *x = &g_array_index(timeline, struct timeline_sample, i);
		g_string_append_printf(s, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
				       ",%" PRIu64 ",%" PRIu64 "\n", x->t, x->g.dirty, x->g.writeback,
				       x->g.forked, x->g.bounce, x->g.inflight, x->g.stalled);
	}
	return g_string_free(s, FALSE);
}

bool report_write_file(const char *dir, const char *name, const char *contents, GError **err)
{
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot create %s: %s",
			    dir, g_strerror(e));
		return false;
	}
	/* A temporary beside the file, then rename(2): whoever reads the file, and
	 * whatever kills us, sees the old file or the new one, never part of one.  A
	 * kill between the two leaves the temporary, hidden and named apart. */
	char *path = g_build_filename(dir, name, NULL);
	char *base = g_strdup_printf(".%s.XXXXXX.tmp", name);
	char *tmp = g_build_filename(dir, base, NULL);
	g_free(base);
	int e = 0;
	int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0666);
	if (fd < 0) {
		e = errno;
	} else {
		/* As g_file_set_contents: fsync when replacing a file, so a power cut
		 * cannot leave an empty one where a complete one was. */
		bool replacing = g_file_test(path, G_FILE_TEST_EXISTS);
		size_t len = strlen(contents), done = 0;
		while (done < len && !e) {
			ssize_t w = write(fd, contents + done, len - done);
			if (w > 0)
				done += (size_t)w;
			else if (w < 0 && errno != EINTR)
				e = errno;
			else if (w == 0)
				e = EIO;
		}
		if (!e && replacing && fsync(fd) != 0)
			e = errno;
		if (close(fd) != 0 && !e)
			e = errno;
		if (!e && g_rename(tmp, path) != 0)
			e = errno;
		if (e)
			g_unlink(tmp);
	}
	if (e)
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot write %s: %s",
			    path, g_strerror(e));
	g_free(tmp);
	g_free(path);
	return !e;
}

bool report_write_run(const char *dir, const struct run_result *r, GError **err)
{
	char *summary = report_summary_json(r);
	char *latency = report_latency_csv(r->m);
	char *timeline = report_timeline_csv(r->timeline);
	bool ok = report_write_file(dir, "summary.json", summary, err) &&
		  report_write_file(dir, "latency.csv", latency, err) &&
		  report_write_file(dir, "timeline.csv", timeline, err);
	g_free(summary);
	g_free(latency);
	g_free(timeline);
	return ok;
}
