/*
 * result — making and freeing the parts of a run's result.
 */
#include "report/result.h"

struct param_value *param_value_new(const char *name, const char *value, const char *description)
{
	struct param_value *v = g_new(struct param_value, 1);
	v->name = g_strdup(name);
	v->value = g_strdup(value);
	v->description = g_strdup(description);
	return v;
}

void param_value_free(gpointer p)
{
	struct param_value *v = p;
	g_free(v->name);
	g_free(v->value);
	g_free(v->description);
	g_free(v);
}

void expect_result_free(gpointer p)
{
	struct expect_result *r = p;
	g_free(r->pattern);
	g_free(r->metric);
	g_free(r->predicate);
	g_free(r->where);
	g_free(r);
}

void run_result_free(struct run_result *r)
{
	if (!r)
		return;
	g_free(r->scenario);
	g_free(r->description);
	g_free(r->policy_spec);
	if (r->params)
		g_ptr_array_free(r->params, TRUE);
	metrics_free(r->m);
	if (r->expects)
		g_ptr_array_free(r->expects, TRUE);
	if (r->timeline)
		g_array_free(r->timeline, TRUE);
	g_strfreev(r->not_applied);
	g_free(r);
}

bool run_result_passed(const struct run_result *r)
{
	for (guint i = 0; r->expects && i < r->expects->len; i++)
		if (!((const struct expect_result *)r->expects->pdata[i])->pass)
			return false;
	return true;
}
