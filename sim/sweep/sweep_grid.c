/*
 * sweep_grid — parsing `--grid NAME=VALUES` and checking the axes against the scenario.
 *
 * Ranges are expanded here, so everything after sees a plain list of values.  Integer
 * ranges are counted in integers, so 1..64*2 never becomes 63.99999; other ranges are
 * computed as start + i * step (not by repeated addition, which drifts) and printed in
 * the shortest form of 15 significant digits, so 0.1..0.5+0.1 gives 0.3, not
 * 0.30000000000000004.
 */
#include "sweep/sweep_grid.h"

#include <errno.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK(wbsim-sweep-error-quark, sweep_error)

struct sweep_axis *sweep_axis_new(const char *name)
{
	struct sweep_axis *a = g_new0(struct sweep_axis, 1);
	a->name = g_strdup(name);
	a->values = g_ptr_array_new_with_free_func(g_free);
	return a;
}

void sweep_axis_free(gpointer p)
{
	struct sweep_axis *a = p;
	if (!a)
		return;
	g_free(a->name);
	g_ptr_array_free(a->values, TRUE);
	g_free(a);
}

static bool parse_number(const char *s, double *v)
{
	char *end = NULL;
	if (!*s || g_ascii_isspace(*s))
		return false;
	errno = 0;
	*v = g_ascii_strtod(s, &end);
	return !*end && !errno && isfinite(*v);
}

static bool parse_integer(const char *s, gint64 *v)
{
	return g_ascii_string_to_signed(s, 10, G_MININT64, G_MAXINT64, (gint64 *)v, NULL);
}

static char *format_double(double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	g_ascii_formatd(buf, sizeof(buf), "%.15g", v);
	return g_strdup(buf);
}

static bool add_value(struct sweep_axis *a, char *v, const char *arg, GError **err)
{
	for (guint i = 0; i < a->values->len; i++)
		if (!strcmp(a->values->pdata[i], v)) {
			g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
				    "--grid \"%s\": the value %s comes twice", arg, v);
			g_free(v);
			return false;
		}
	if (a->values->len >= SWEEP_MAX_AXIS_VALUES) {
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
			    "--grid \"%s\": more than %d values", arg, SWEEP_MAX_AXIS_VALUES);
		g_free(v);
		return false;
	}
	g_ptr_array_add(a->values, v);
	return true;
}

/* "A..B", "A..B+S" or "A..B*F" into @a; @item is the piece of @arg being read. */
static bool expand_range(struct sweep_axis *a, const char *item, const char *arg, GError **err)
{
	const char *dots = strstr(item, "..");
	char *from = g_strndup(item, (gsize)(dots - item));
	const char *rest = dots + 2;
	const char *op = strpbrk(rest, "+*");
	char *to = op ? g_strndup(rest, (gsize)(op - rest)) : g_strdup(rest);
	const char *step_s = op ? op + 1 : "1";
	bool geometric = op && *op == '*';
	double lo, hi, step;
	const char *why = NULL;
	if (!parse_number(from, &lo))
		why = "the start is not a number";
	else if (!parse_number(to, &hi))
		why = "the end is not a number";
	else if (!parse_number(step_s, &step))
		why = geometric ? "the factor after '*' is not a number"
				: "the step after '+' is not a number";
	else if (hi < lo)
		why = "the end is below the start";
	else if (!geometric && step <= 0)
		why = "the step must be above 0";
	else if (geometric && step <= 1)
		why = "the factor must be above 1";
	else if (geometric && lo <= 0)
		why = "a geometric range must start above 0";
	bool ok = !why;
	if (why)
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
			    "--grid \"%s\": the range \"%s\" does not parse: %s (ranges are "
			    "A..B, A..B+STEP or A..B*FACTOR)", arg, item, why);
	gint64 ilo, ihi, istep;
	bool integers = ok && parse_integer(from, &ilo) && parse_integer(to, &ihi) &&
			parse_integer(step_s, &istep);
	for (guint64 i = 0; ok; i++) {
		char *v;
		if (integers && geometric) {
			/* ilo * istep^i without overflow: stop past ihi. */
			gint64 x = ilo;
			bool past = false;
			for (guint64 k = 0; k < i && !past; k++)
				past = x > ihi / istep || (x *= istep) > ihi;
			if (past || x > ihi)
				break;
			v = g_strdup_printf("%" G_GINT64_FORMAT, x);
		} else if (integers) {
			if (((guint64)ihi - (guint64)ilo) / (guint64)istep < i)
				break;
			v = g_strdup_printf("%" G_GINT64_FORMAT, ilo + (gint64)i * istep);
		} else {
			double x = geometric ? lo * pow(step, (double)i) : lo + (double)i * step;
			/* Where a step lands on the end give or take rounding, it counts. */
			if (x > hi + fabs(hi) * 1e-12)
				break;
			v = format_double(x);
		}
		ok = add_value(a, v, arg, err);
	}
	g_free(from);
	g_free(to);
	return ok;
}

struct sweep_axis *sweep_axis_parse(const char *arg, GError **err)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
			    "--grid wants NAME=V1,V2,... or NAME=A..B[+STEP|*FACTOR], not \"%s\"",
			    arg);
		return NULL;
	}
	char *name = g_strndup(arg, (gsize)(eq - arg));
	struct sweep_axis *a = sweep_axis_new(g_strstrip(name));
	g_free(name);
	if (!eq[1]) {
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
			    "--grid \"%s\": an empty list of values", arg);
		sweep_axis_free(a);
		return NULL;
	}
	char **items = g_strsplit(eq + 1, ",", -1);
	bool ok = true;
	for (char **it = items; *it && ok; it++) {
		if (!**it) {
			g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
				    "--grid \"%s\": an empty value in the list", arg);
			ok = false;
		} else if (strstr(*it, "..")) {
			ok = expand_range(a, *it, arg, err);
		} else {
			ok = add_value(a, g_strdup(*it), arg, err);
		}
	}
	g_strfreev(items);
	if (!ok) {
		sweep_axis_free(a);
		return NULL;
	}
	return a;
}

GPtrArray *sweep_grid_parse(char *const *args, GError **err)
{
	GPtrArray *axes = g_ptr_array_new_with_free_func(sweep_axis_free);
	for (char *const *g = args; g && *g; g++) {
		struct sweep_axis *a = sweep_axis_parse(*g, err);
		for (guint i = 0; a && i < axes->len; i++)
			if (!strcmp(((struct sweep_axis *)axes->pdata[i])->name, a->name)) {
				g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
					    "--grid %s is given twice: put every value in one --grid",
					    a->name);
				sweep_axis_free(a);
				a = NULL;
			}
		if (!a) {
			g_ptr_array_free(axes, TRUE);
			return NULL;
		}
		g_ptr_array_add(axes, a);
	}
	return axes;
}

static bool is_param(const struct scenario_info *info, const char *name)
{
	for (guint i = 0; i < info->params->len; i++)
		if (!strcmp(((const struct param_value *)info->params->pdata[i])->name, name))
			return true;
	return false;
}

static char *param_list(const struct scenario_info *info)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < info->params->len; i++) {
		const struct param_value *p = info->params->pdata[i];
		g_string_append_printf(s, "%s%s (default %s)", i ? ", " : "", p->name, p->value);
	}
	return g_string_free(s, FALSE);
}

/* Probe the scenario with NAME=VALUE set: its own conversion decides. */
static bool value_ok(const struct scenario_opts *base, const char *name, const char *value,
		     GError **err)
{
	struct scenario_opts o = *base;
	o.sets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (base->sets) {
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, base->sets);
		while (g_hash_table_iter_next(&it, &k, &v))
			g_hash_table_insert(o.sets, g_strdup(k), g_strdup(v));
	}
	g_hash_table_insert(o.sets, g_strdup(name), g_strdup(value));
	o.progress = NULL;
	GError *e = NULL;
	struct scenario_info *i = scenario_probe(&o, &e);
	g_hash_table_destroy(o.sets);
	if (i) {
		scenario_info_free(i);
		return true;
	}
	/* The conversion's message speaks of --set, which the user did not write. */
	char *as_set = g_strdup_printf("--set %s=%s", name, value);
	const char *msg = e ? e->message : "its probe failed";
	const char *at = strstr(msg, as_set);
	if (at)
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT, "--grid %s: %.*s--grid %s",
			    name, (int)(at - msg), msg, at + strlen("--set "));
	else
		g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT, "--grid %s: the value %s does "
			    "not suit the scenario: %s", name, value, msg);
	g_free(as_set);
	g_clear_error(&e);
	return false;
}

bool sweep_grid_check(const GPtrArray *axes, const struct scenario_opts *base,
		      const struct scenario_info *info, GError **err)
{
	for (guint a = 0; a < axes->len; a++) {
		const struct sweep_axis *ax = axes->pdata[a];
		if (!is_param(info, ax->name)) {
			char *list = param_list(info);
			if (*list)
				g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
					    "--grid %s: %s has no parameter \"%s\"; its parameters "
					    "(sim.param) are: %s", ax->name, base->path, ax->name, list);
			else
				g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
					    "--grid %s: %s declares no parameters (sim.param)",
					    ax->name, base->path);
			g_free(list);
			return false;
		}
		if (base->sets && g_hash_table_contains(base->sets, ax->name)) {
			g_set_error(err, SWEEP_ERROR, SWEEP_ERROR_INPUT,
				    "%s is both swept (--grid) and fixed (--set): choose one",
				    ax->name);
			return false;
		}
	}
	for (guint a = 0; a < axes->len; a++) {
		const struct sweep_axis *ax = axes->pdata[a];
		for (guint v = 0; v < ax->values->len; v++)
			if (!value_ok(base, ax->name, ax->values->pdata[v], err))
				return false;
	}
	return true;
}
