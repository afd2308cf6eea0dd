/*
 * expect — parsing predicates and judging expectations (run/expect.h).
 */
#include "run/expect.h"

#include <string.h>

#include "engine/units.h"
#include "report/result.h"

bool expect_parse_predicate(const char *s, enum cmp *op, double *v)
{
	static const struct { const char *text; enum cmp op; } ops[] = {
		{ "<=", CMP_LE }, { ">=", CMP_GE }, { "==", CMP_EQ }, { "~=", CMP_NE },
		{ "!=", CMP_NE }, { "<", CMP_LT }, { ">", CMP_GT },
	};
	while (g_ascii_isspace(*s))
		s++;
	*op = CMP_EQ;
	for (size_t i = 0; i < G_N_ELEMENTS(ops); i++)
		if (g_str_has_prefix(s, ops[i].text)) {
			*op = ops[i].op;
			s += strlen(ops[i].text);
			break;
		}
	char *val = g_strstrip(g_strdup(s));
	bool ok = false;
	if (*val) {
		char *end = NULL;
		double d = g_ascii_strtod(val, &end);
		if (end && !*end && (g_ascii_isdigit(*val) || *val == '-' || *val == '.' || *val == '+')) {
			*v = d;
			ok = true;
		} else {
			uint64_t ns;
			if (units_parse_duration(val, &ns, NULL)) {
				*v = (double)ns;
				ok = true;
			}
		}
	}
	g_free(val);
	return ok;
}

void expect_decl_free(gpointer p)
{
	struct expect_decl *e = p;
	if (!e)
		return;
	g_free(e->pattern);
	g_free(e->match);
	g_free(e->metric);
	g_free(e->predicate);
	g_free(e->where);
	g_free(e);
}

static gint by_order(gconstpointer pa, gconstpointer pb)
{
	const struct expect_decl *a = *(const struct expect_decl *const *)pa;
	const struct expect_decl *b = *(const struct expect_decl *const *)pb;
	if (a->call != b->call)
		return a->call < b->call ? -1 : 1;
	int c = strcmp(a->pattern, b->pattern);
	return c ? c : strcmp(a->metric, b->metric);
}

static bool holds(enum cmp op, double v, double x)
{
	switch (op) {
	case CMP_LT: return v < x;
	case CMP_LE: return v <= x;
	case CMP_GT: return v > x;
	case CMP_GE: return v >= x;
	case CMP_EQ: return v == x;
	case CMP_NE: return v != x;
	}
	return false;
}

GPtrArray *expect_judge(const GPtrArray *decls, const char *spec, const struct metrics *m)
{
	GPtrArray *sorted = g_ptr_array_sized_new(decls ? decls->len : 0);
	for (guint i = 0; decls && i < decls->len; i++)
		g_ptr_array_add(sorted, decls->pdata[i]);
	g_ptr_array_sort(sorted, by_order);
	GPtrArray *out = g_ptr_array_new_with_free_func(expect_result_free);
	for (guint i = 0; i < sorted->len; i++) {
		const struct expect_decl *x = sorted->pdata[i];
		bool match = x->glob ? g_pattern_match_simple(x->match, spec) : !strcmp(x->match, spec);
		if (!match)
			continue;
		struct expect_result *r = g_new0(struct expect_result, 1);
		r->pattern = g_strdup(x->pattern);
		r->metric = g_strdup(x->metric);
		r->predicate = g_strdup(x->predicate);
		r->where = g_strdup(x->where);
		metrics_lookup(m, x->metric, &r->value);
		r->absent = metrics_absent(m, x->metric);
		r->pass = r->absent || holds(x->op, r->value, x->value);
		g_ptr_array_add(out, r);
	}
	g_ptr_array_free(sorted, TRUE);
	return out;
}
