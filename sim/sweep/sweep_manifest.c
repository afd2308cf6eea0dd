/*
 * sweep_manifest — a point's manifest.json.
 */
#include "sweep/sweep_manifest.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "report/report.h"

char *sweep_manifest_json(const struct sweep_plan *p, guint k)
{
	guint *vals = g_new0(guint, p->axes->len + 1), pol;
	uint64_t seed;
	sweep_plan_decode(p, k, vals, &pol, &seed);
	char *fp = sweep_point_fingerprint(p, k);
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "fingerprint");
	json_builder_add_string_value(b, fp);
	json_builder_set_member_name(b, "inputs");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "wbsim");
	json_builder_add_string_value(b, p->version);
	json_builder_set_member_name(b, "build");
	json_builder_add_string_value(b, p->builds->pdata[pol]);
	json_builder_set_member_name(b, "scenario");
	json_builder_add_string_value(b, p->scenario);
	json_builder_set_member_name(b, "scenario_sha256");
	json_builder_add_string_value(b, p->scenario_sha256);
	json_builder_set_member_name(b, "profile");
	json_builder_add_null_value(b);
	json_builder_set_member_name(b, "sets");
	json_builder_begin_array(b);
	for (guint i = 0; i < p->sets->len; i++)
		json_builder_add_string_value(b, p->sets->pdata[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "params");
	json_builder_begin_object(b);
	for (guint a = 0; a < p->axes->len; a++) {
		const struct sweep_axis *ax = p->axes->pdata[a];
		json_builder_set_member_name(b, ax->name);
		json_builder_add_string_value(b, ax->values->pdata[vals[a]]);
	}
	json_builder_end_object(b);
	json_builder_set_member_name(b, "policy");
	json_builder_add_string_value(b, p->policies->pdata[pol]);
	json_builder_set_member_name(b, "seed");
	json_builder_add_int_value(b, (gint64)seed);
	json_builder_set_member_name(b, "timeline_interval_ns");
	json_builder_add_int_value(b, (gint64)p->timeline_interval);
	json_builder_end_object(b);
	json_builder_end_object(b);

	char *s = report_json_string(b);
	g_object_unref(b);
	g_free(fp);
	g_free(vals);
	return s;
}

bool sweep_manifest_write(const char *dir, const struct sweep_plan *p, guint k, GError **err)
{
	char *m = sweep_manifest_json(p, k);
	bool ok = report_write_file(dir, SWEEP_MANIFEST_FILE, m, err);
	g_free(m);
	return ok;
}

bool sweep_manifest_remove(const char *dir, GError **err)
{
	char *path = g_build_filename(dir, SWEEP_MANIFEST_FILE, NULL);
	bool ok = g_unlink(path) == 0 || errno == ENOENT;
	if (!ok) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot remove %s: %s",
			    path, g_strerror(e));
	}
	g_free(path);
	return ok;
}

char *sweep_manifest_fingerprint(const char *dir)
{
	char *path = g_build_filename(dir, SWEEP_MANIFEST_FILE, NULL);
	JsonParser *parser = json_parser_new();
	char *fp = NULL;
	if (json_parser_load_from_file(parser, path, NULL)) {
		JsonNode *root = json_parser_get_root(parser);
		JsonObject *o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root)
								       : NULL;
		JsonNode *n = o ? json_object_get_member(o, "fingerprint") : NULL;
		if (n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
			fp = g_strdup(json_node_get_string(n));
	}
	g_object_unref(parser);
	g_free(path);
	return fp;
}

bool sweep_point_complete(const char *dir, const char *fingerprint)
{
	char *fp = sweep_manifest_fingerprint(dir);
	bool ok = fp && !strcmp(fp, fingerprint);
	g_free(fp);
	if (ok) {
		char *summary = g_build_filename(dir, "summary.json", NULL);
		ok = g_file_test(summary, G_FILE_TEST_IS_REGULAR);
		g_free(summary);
	}
	return ok;
}
