/*
 * sweep_plan_json — the plan as OUT/sweep.json and back.  The reader is strict: a
 * plan is read by --collect and by every task of a job array, and a plan it cannot
 * trust is an error naming the file, never a guess.
 */
#include "sweep/sweep_plan.h"
#include "report/report.h"

#include <json-glib/json-glib.h>
#include <string.h>

static void str_member(JsonBuilder *b, const char *key, const char *v)
{
	json_builder_set_member_name(b, key);
	if (v)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

static void strings(JsonBuilder *b, const char *key, const GPtrArray *a)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_array(b);
	for (guint i = 0; i < a->len; i++)
		json_builder_add_string_value(b, a->pdata[i]);
	json_builder_end_array(b);
}

char *sweep_plan_to_json(const struct sweep_plan *p)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "format");
	json_builder_add_int_value(b, 1);
	str_member(b, "scenario", p->scenario);
	str_member(b, "scenario_name", p->scenario_name);
	str_member(b, "scenario_sha256", p->scenario_sha256);
	str_member(b, "wbsim", p->version);
	json_builder_set_member_name(b, "axes");
	json_builder_begin_array(b);
	for (guint a = 0; a < p->axes->len; a++) {
		const struct sweep_axis *ax = p->axes->pdata[a];
		json_builder_begin_object(b);
		str_member(b, "name", ax->name);
		strings(b, "values", ax->values);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	strings(b, "sets", p->sets);
	json_builder_set_member_name(b, "policies");
	json_builder_begin_array(b);
	for (guint i = 0; i < p->policies->len; i++) {
		json_builder_begin_object(b);
		str_member(b, "spec", p->policies->pdata[i]);
		str_member(b, "build", p->builds->pdata[i]);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "seeds");
	json_builder_add_int_value(b, p->nseeds);
	json_builder_set_member_name(b, "timeline_interval_ns");
	json_builder_add_int_value(b, (gint64)p->timeline_interval);
	str_member(b, "mem_limit", p->mem_limit);
	str_member(b, "profile", p->profile);
	str_member(b, "profile_sha256", p->profile_sha256);
	strings(b, "metrics", p->metrics);
	json_builder_set_member_name(b, "points");
	json_builder_add_int_value(b, sweep_plan_npoints(p));
	json_builder_end_object(b);

	char *s = report_json_string(b);
	g_object_unref(b);
	return s;
}

/* ---- reading ------------------------------------------------------------------------ */

struct reader {
	const char *path;
	GError **err;
	bool ok;
};

static void bad(struct reader *r, const char *what)
{
	if (r->ok)
		g_set_error(r->err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
			    "%s: not a sweep plan wbsim can read: %s", r->path, what);
	r->ok = false;
}

static JsonNode *member(struct reader *r, JsonObject *o, const char *key, JsonNodeType t)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	if (!n || json_node_get_node_type(n) != t) {
		char *what = g_strdup_printf("\"%s\" is missing or of the wrong type", key);
		bad(r, what);
		g_free(what);
		return NULL;
	}
	return n;
}

static char *string_of(struct reader *r, JsonObject *o, const char *key, bool nullable)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	if (nullable && n && JSON_NODE_HOLDS_NULL(n))
		return NULL;
	n = member(r, o, key, JSON_NODE_VALUE);
	if (!n || json_node_get_value_type(n) != G_TYPE_STRING) {
		if (n)
			bad(r, key);
		return NULL;
	}
	return g_strdup(json_node_get_string(n));
}

static gint64 int_of(struct reader *r, JsonObject *o, const char *key, gint64 min)
{
	JsonNode *n = member(r, o, key, JSON_NODE_VALUE);
	if (!n || json_node_get_value_type(n) != G_TYPE_INT64 || json_node_get_int(n) < min) {
		if (n)
			bad(r, key);
		return min;
	}
	return json_node_get_int(n);
}

static void strings_of(struct reader *r, JsonObject *o, const char *key, GPtrArray *out)
{
	JsonNode *n = member(r, o, key, JSON_NODE_ARRAY);
	JsonArray *a = n ? json_node_get_array(n) : NULL;
	for (guint i = 0; a && i < json_array_get_length(a); i++) {
		JsonNode *e = json_array_get_element(a, i);
		if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING) {
			bad(r, key);
			return;
		}
		g_ptr_array_add(out, g_strdup(json_node_get_string(e)));
	}
}

struct sweep_plan *sweep_plan_from_json(const char *text, const char *path, GError **err)
{
	struct reader r = { path, err, true };
	JsonParser *parser = json_parser_new();
	GError *e = NULL;
	if (!json_parser_load_from_data(parser, text, -1, &e)) {
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT, "%s: %s", path, e->message);
		g_error_free(e);
		g_object_unref(parser);
		return NULL;
	}
	JsonNode *root = json_parser_get_root(parser);
	JsonObject *o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
	if (!o)
		bad(&r, "not a JSON object");
	struct sweep_plan *p = sweep_plan_new();
	if (r.ok && int_of(&r, o, "format", 0) != 1)
		bad(&r, "format is not 1");
	if (r.ok) {
		p->scenario = string_of(&r, o, "scenario", false);
		p->scenario_name = string_of(&r, o, "scenario_name", false);
		p->scenario_sha256 = string_of(&r, o, "scenario_sha256", false);
		p->version = string_of(&r, o, "wbsim", false);
		p->mem_limit = string_of(&r, o, "mem_limit", true);
		/* Plans from before --profile have neither. */
		if (json_object_has_member(o, "profile")) {
			p->profile = string_of(&r, o, "profile", true);
			p->profile_sha256 = string_of(&r, o, "profile_sha256", true);
		}
		p->nseeds = (guint)int_of(&r, o, "seeds", 1);
		p->timeline_interval = (uint64_t)int_of(&r, o, "timeline_interval_ns", 0);
		strings_of(&r, o, "sets", p->sets);
		strings_of(&r, o, "metrics", p->metrics);
	}
	JsonNode *n = r.ok ? member(&r, o, "axes", JSON_NODE_ARRAY) : NULL;
	JsonArray *axes = n ? json_node_get_array(n) : NULL;
	for (guint i = 0; axes && r.ok && i < json_array_get_length(axes); i++) {
		JsonObject *ax = json_array_get_object_element(axes, i);
		char *name = ax ? string_of(&r, ax, "name", false) : NULL;
		if (!ax)
			bad(&r, "an axis is not an object");
		if (!name)
			break;
		struct sweep_axis *a = sweep_axis_new(name);
		g_free(name);
		strings_of(&r, ax, "values", a->values);
		if (!a->values->len)
			bad(&r, "an axis without values");
		g_ptr_array_add(p->axes, a);
	}
	n = r.ok ? member(&r, o, "policies", JSON_NODE_ARRAY) : NULL;
	JsonArray *pols = n ? json_node_get_array(n) : NULL;
	for (guint i = 0; pols && r.ok && i < json_array_get_length(pols); i++) {
		JsonObject *po = json_array_get_object_element(pols, i);
		char *spec = po ? string_of(&r, po, "spec", false) : NULL;
		char *build = po ? string_of(&r, po, "build", false) : NULL;
		if (!po)
			bad(&r, "a policy is not an object");
		if (spec && build) {
			g_ptr_array_add(p->policies, spec);
			g_ptr_array_add(p->builds, build);
		} else {
			g_free(spec);
			g_free(build);
		}
	}
	if (r.ok && !p->policies->len)
		bad(&r, "no policies");
	for (guint i = 0; r.ok && i < p->sets->len; i++)
		if (!strchr(p->sets->pdata[i], '='))
			bad(&r, "a set without '='");
	if (r.ok && !sweep_plan_npoints(p))
		bad(&r, "no points, or too many");
	g_object_unref(parser);
	if (!r.ok) {
		sweep_plan_free(p);
		return NULL;
	}
	return p;
}

struct sweep_plan *sweep_plan_load(const char *dir, GError **err)
{
	char *path = g_build_filename(dir, SWEEP_PLAN_FILE, NULL);
	char *text = NULL;
	struct sweep_plan *p = NULL;
	GError *e = NULL;
	if (g_file_get_contents(path, &text, NULL, &e)) {
		p = sweep_plan_from_json(text, path, err);
	} else {
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT, "%s: no sweep plan here (%s); "
			    "a sweep, --emit or --point writes it", dir, e->message);
		g_error_free(e);
	}
	g_free(text);
	g_free(path);
	return p;
}
