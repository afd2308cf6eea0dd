/*
 * sweep_plan — the points of a sweep, their directories and the fingerprints of their
 * inputs.  A point's directory and fingerprint depend on its run's inputs only, never
 * on its number in this plan: a grid that grows keeps the directories of the points it
 * had, and their results are reused.
 */
#include "sweep/sweep_plan.h"

#include <dlfcn.h>
#include <string.h>

#include "policy.h"
#include "report/report.h"

struct sweep_plan *sweep_plan_new(void)
{
	struct sweep_plan *p = g_new0(struct sweep_plan, 1);
	p->axes = g_ptr_array_new_with_free_func(sweep_axis_free);
	p->sets = g_ptr_array_new_with_free_func(g_free);
	p->policies = g_ptr_array_new_with_free_func(g_free);
	p->builds = g_ptr_array_new_with_free_func(g_free);
	p->metrics = g_ptr_array_new_with_free_func(g_free);
	p->nseeds = 1;
	return p;
}

void sweep_plan_free(struct sweep_plan *p)
{
	if (!p)
		return;
	g_free(p->scenario);
	g_free(p->scenario_name);
	g_free(p->scenario_sha256);
	g_free(p->version);
	g_ptr_array_free(p->axes, TRUE);
	g_ptr_array_free(p->sets, TRUE);
	g_ptr_array_free(p->policies, TRUE);
	g_ptr_array_free(p->builds, TRUE);
	g_free(p->mem_limit);
	g_free(p->profile);
	g_free(p->profile_sha256);
	g_ptr_array_free(p->metrics, TRUE);
	g_free(p);
}

guint sweep_plan_npoints(const struct sweep_plan *p)
{
	guint64 n = (guint64)p->policies->len * p->nseeds;
	/* Stop as soon as it is too many: a dozen axes of 10000 values overflow 64 bits. */
	for (guint a = 0; a < p->axes->len && n <= SWEEP_MAX_POINTS; a++)
		n *= ((const struct sweep_axis *)p->axes->pdata[a])->values->len;
	return n > SWEEP_MAX_POINTS ? 0 : (guint)n;
}

void sweep_plan_decode(const struct sweep_plan *p, guint k, guint *vals, guint *policy,
		       uint64_t *seed)
{
	*seed = k % p->nseeds + 1;
	k /= p->nseeds;
	*policy = k % p->policies->len;
	k /= p->policies->len;
	for (guint a = p->axes->len; a-- > 0;) {
		guint n = ((const struct sweep_axis *)p->axes->pdata[a])->values->len;
		vals[a] = k % n;
		k /= n;
	}
}

static const char *axis_value(const struct sweep_plan *p, guint a, const guint *vals)
{
	return ((const struct sweep_axis *)p->axes->pdata[a])->values->pdata[vals[a]];
}

char *sweep_point_params(const struct sweep_plan *p, guint k)
{
	guint *vals = g_new0(guint, p->axes->len + 1), pol;
	uint64_t seed;
	sweep_plan_decode(p, k, vals, &pol, &seed);
	GString *s = g_string_new(NULL);
	for (guint a = 0; a < p->axes->len; a++)
		g_string_append_printf(s, "%s%s=%s", a ? "," : "",
				       ((const struct sweep_axis *)p->axes->pdata[a])->name,
				       axis_value(p, a, vals));
	g_free(vals);
	if (!s->len)
		g_string_append(s, "defaults");
	return g_string_free(s, FALSE);
}

/* report_dirname's form, and where that lost something (two texts could meet in one
 * name) a short hash of the text, so that the name stays unique. */
static char *unique_dirname(const char *text, bool commas_ok)
{
	char *safe = report_dirname(text);
	char *probe = g_strdup(text);
	if (commas_ok)
		g_strdelimit(probe, ",", '_');
	if (!strcmp(safe, probe)) {
		g_free(probe);
		return safe;
	}
	g_free(probe);
	char *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
	char *out = g_strdup_printf("%s~%.8s", safe, h);
	g_free(h);
	g_free(safe);
	return out;
}

char *sweep_point_dir(const struct sweep_plan *p, guint k)
{
	guint *vals = g_new0(guint, p->axes->len + 1), pol;
	uint64_t seed;
	sweep_plan_decode(p, k, vals, &pol, &seed);
	g_free(vals);
	char *params = sweep_point_params(p, k);
	/* The commas between parameters become '_' as in report_dirname; only values
	 * that lost characters of their own need the hash. */
	char *pdir = unique_dirname(params, true);
	char *poldir = report_dirname(p->policies->pdata[pol]);
	char *sdir = g_strdup_printf("seed-%" G_GUINT64_FORMAT, seed);
	char *dir = g_build_filename("points", pdir, poldir, sdir, NULL);
	g_free(sdir);
	g_free(poldir);
	g_free(pdir);
	g_free(params);
	return dir;
}

char *sweep_point_inputs(const struct sweep_plan *p, guint k)
{
	guint *vals = g_new0(guint, p->axes->len + 1), pol;
	uint64_t seed;
	sweep_plan_decode(p, k, vals, &pol, &seed);
	GString *s = g_string_new("wbsim-sweep-point 1\n");
	g_string_append_printf(s, "wbsim %s\n", p->version);
	g_string_append_printf(s, "build %s\n", (char *)p->builds->pdata[pol]);
	g_string_append_printf(s, "scenario-sha256 %s\n", p->scenario_sha256);
	g_string_append_printf(s, "profile %s\n", p->profile_sha256 ? p->profile_sha256 : "none");
	for (guint i = 0; i < p->sets->len; i++)
		g_string_append_printf(s, "set %s\n", (char *)p->sets->pdata[i]);
	for (guint a = 0; a < p->axes->len; a++)
		g_string_append_printf(s, "param %s=%s\n",
				       ((const struct sweep_axis *)p->axes->pdata[a])->name,
				       axis_value(p, a, vals));
	g_string_append_printf(s, "policy %s\n", (char *)p->policies->pdata[pol]);
	g_string_append_printf(s, "seed %" G_GUINT64_FORMAT "\n", seed);
	g_string_append_printf(s, "timeline-interval-ns %" G_GUINT64_FORMAT "\n",
			       p->timeline_interval);
	g_free(vals);
	return g_string_free(s, FALSE);
}

char *sweep_point_fingerprint(const struct sweep_plan *p, guint k)
{
	char *in = sweep_point_inputs(p, k);
	char *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, in, -1);
	g_free(in);
	return h;
}

GHashTable *sweep_point_sets(const struct sweep_plan *p, guint k)
{
	GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (guint i = 0; i < p->sets->len; i++) {
		const char *kv = p->sets->pdata[i], *eq = strchr(kv, '=');
		g_hash_table_insert(t, g_strndup(kv, (gsize)(eq - kv)), g_strdup(eq + 1));
	}
	guint *vals = g_new0(guint, p->axes->len + 1), pol;
	uint64_t seed;
	sweep_plan_decode(p, k, vals, &pol, &seed);
	for (guint a = 0; a < p->axes->len; a++)
		g_hash_table_insert(t, g_strdup(((const struct sweep_axis *)p->axes->pdata[a])->name),
				    g_strdup(axis_value(p, a, vals)));
	g_free(vals);
	return t;
}

char *sweep_file_sha256(const char *path, GError **err)
{
	char *data;
	gsize len;
	if (!g_file_get_contents(path, &data, &len, err))
		return NULL;
	char *h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
	g_free(data);
	return h;
}

/* The file the code at @addr was loaded from. */
static const char *file_of(const void *addr)
{
	Dl_info info;
	return dladdr(addr, &info) && info.dli_fname ? info.dli_fname : NULL;
}

char *sweep_build_id(const char *spec, GError **err)
{
	char *name = g_strndup(spec, strcspn(spec, ":"));
	const struct wb_policy_ops *ops = policy_find(name, err);
	g_free(name);
	if (!ops)
		return NULL;
	const char *files[] = { file_of((const void *)sweep_build_id), file_of(ops) };
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	bool ok = true;
	for (size_t i = 0; i < G_N_ELEMENTS(files) && ok; i++) {
		char *h = files[i] ? sweep_file_sha256(files[i], err) : NULL;
		if (!files[i])
			g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
				    "cannot tell which file the code of policy %s came from", spec);
		ok = h != NULL;
		if (h)
			g_checksum_update(sum, (const guchar *)h, -1);
		g_free(h);
	}
	char *id = ok ? g_strdup(g_checksum_get_string(sum)) : NULL;
	g_checksum_free(sum);
	return id;
}
