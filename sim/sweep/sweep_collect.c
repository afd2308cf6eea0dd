/*
 * sweep_collect — finding each point's complete results and reading their metrics.
 */
#include "sweep/sweep_collect.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "metrics/metrics.h"
#include "report/report.h"
#include "sweep/sweep_manifest.h"

/* What a point directory holds; the manifest goes last, once the rest is in place. */
static const char *const point_files[] = { "summary.json", "latency.csv", "timeline.csv" };

static bool copy_point(const char *from, const char *to, GError **err)
{
	if (!sweep_manifest_remove(to, err))
		return false;
	for (size_t i = 0; i <= G_N_ELEMENTS(point_files); i++) {
		const char *name = i < G_N_ELEMENTS(point_files) ? point_files[i]
								 : SWEEP_MANIFEST_FILE;
		char *src = g_build_filename(from, name, NULL);
		char *data = NULL;
		bool ok = g_file_get_contents(src, &data, NULL, err) &&
			  report_write_file(to, name, data, err);
		g_free(data);
		g_free(src);
		if (!ok)
			return false;
	}
	return true;
}

static double number_of(JsonNode *n)
{
	if (!n || !JSON_NODE_HOLDS_VALUE(n))
		return NAN;
	switch (json_node_get_value_type(n)) {
	case G_TYPE_INT64: return (double)json_node_get_int(n);
	case G_TYPE_DOUBLE: return json_node_get_double(n);
	default: return NAN;
	}
}

bool sweep_read_summary(const char *dir, double *v, bool *passed, GError **err)
{
	char *path = g_build_filename(dir, "summary.json", NULL);
	JsonParser *parser = json_parser_new();
	GError *e = NULL;
	bool ok = json_parser_load_from_file(parser, path, &e);
	JsonObject *o = NULL, *m = NULL;
	if (ok) {
		JsonNode *root = json_parser_get_root(parser);
		o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
		JsonNode *mn = o ? json_object_get_member(o, "metrics") : NULL;
		m = mn && JSON_NODE_HOLDS_OBJECT(mn) ? json_node_get_object(mn) : NULL;
		JsonNode *pn = o ? json_object_get_member(o, "passed") : NULL;
		ok = m && pn && JSON_NODE_HOLDS_VALUE(pn) &&
		     json_node_get_value_type(pn) == G_TYPE_BOOLEAN;
		if (ok)
			*passed = json_node_get_boolean(pn);
		else
			g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
				    "%s: no \"metrics\" object or \"passed\" flag", path);
	} else {
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT, "%s: %s", path, e->message);
		g_error_free(e);
	}
	guint i = 0;
	for (const char *const *name = metric_names(); ok && *name; name++, i++) {
		v[i] = number_of(json_object_get_member(m, *name));
		if (isnan(v[i])) {
			g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
				    "%s: the metric %s is missing or not a number", path, *name);
			ok = false;
		}
	}
	g_object_unref(parser);
	g_free(path);
	return ok;
}

static void list_missing(const struct sweep_plan *p, GArray *missing, GError **err)
{
	GString *s = g_string_new(NULL);
	g_string_append_printf(s, "%u of the %u points have no complete results made from "
			       "this plan's inputs:", missing->len, sweep_plan_npoints(p));
	for (guint i = 0; i < missing->len && i < 10; i++) {
		guint k = g_array_index(missing, guint, i);
		char *dir = sweep_point_dir(p, k);
		g_string_append_printf(s, "\n  point %u: %s", k, dir);
		g_free(dir);
	}
	if (missing->len > 10)
		g_string_append_printf(s, "\n  and %u more", missing->len - 10);
	g_string_append(s, "\n(run them with --point, or rerun the sweep: it runs only what "
			"is missing)");
	g_set_error_literal(err, SWEEP_ERROR, SWEEP_ERROR_MISSING, s->str);
	g_string_free(s, TRUE);
}

struct sweep_results *sweep_collect(const struct sweep_plan *p, const char *out,
				    char *const *from, GError **err)
{
	guint n = sweep_plan_npoints(p);
	GArray *missing = g_array_new(FALSE, FALSE, sizeof(guint));
	bool ok = true;
	for (guint k = 0; k < n && ok; k++) {
		char *rel = sweep_point_dir(p, k);
		char *fp = sweep_point_fingerprint(p, k);
		char *dir = g_build_filename(out, rel, NULL);
		bool have = sweep_point_complete(dir, fp);
		for (char *const *f = from; f && *f && !have && ok; f++) {
			char *src = g_build_filename(*f, rel, NULL);
			if (sweep_point_complete(src, fp))
				have = ok = copy_point(src, dir, err);
			g_free(src);
		}
		if (!have && ok)
			g_array_append_val(missing, k);
		g_free(dir);
		g_free(fp);
		g_free(rel);
	}
	if (ok && missing->len) {
		list_missing(p, missing, err);
		ok = false;
	}
	g_array_free(missing, TRUE);
	if (!ok)
		return NULL;

	struct sweep_results *r = g_new0(struct sweep_results, 1);
	r->plan = p;
	r->npoints = n;
	r->metrics = metric_names();
	while (r->metrics[r->nmetrics])
		r->nmetrics++;
	r->v = g_new0(double, (gsize)n * r->nmetrics);
	r->passed = g_new0(bool, n);
	for (guint k = 0; k < n && ok; k++) {
		char *rel = sweep_point_dir(p, k);
		char *dir = g_build_filename(out, rel, NULL);
		ok = sweep_read_summary(dir, &r->v[(gsize)k * r->nmetrics], &r->passed[k], err);
		g_free(dir);
		g_free(rel);
	}
	if (!ok) {
		sweep_results_free(r);
		return NULL;
	}
	return r;
}

void sweep_results_free(struct sweep_results *r)
{
	if (!r)
		return;
	g_free(r->v);
	g_free(r->passed);
	g_free(r);
}
