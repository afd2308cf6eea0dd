/*
 * lua_scenario — scenario_probe and scenario_run (scenario.h).
 *
 * A run: load the file in a fresh sandbox (its top level declares the world), check
 * --set against the declared parameters, build the machine from the declared
 * configuration and the run's seed, instantiate the declarations in order, run, and
 * collect the metrics, the expectations that match the policy, and the timeline.
 * Runs share nothing, so any number may go at once on different threads.
 */
#include "lua/lua_binding.h"
#include "engine/units.h"

#include <string.h>
#include <sys/resource.h>

G_DEFINE_QUARK(wbsim-scenario-error-quark, scenario_error)

#define DEFAULT_POLICY "wait-on-writeback"
/* A run with no duration and no --timeline-interval starts sampling this often and
 * halves the rate whenever it has 2 * TIMELINE_ROWS rows, keeping every other one:
 * whatever its length, it ends with TIMELINE_ROWS + 1 to 2 * TIMELINE_ROWS evenly
 * spaced rows (a run with a duration gets duration / TIMELINE_ROWS from the start). */
#define TIMELINE_FIRST_INTERVAL (100 * NSEC_PER_USEC)
#define TIMELINE_ROWS 200

static void param_value_free(gpointer p)
{
	struct param_value *v = p;
	g_free(v->name);
	g_free(v->value);
	g_free(v->description);
	g_free(v);
}

static GPtrArray *take_params(struct lstate *st)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(param_value_free);
	for (guint i = 0; i < st->params->len; i++)
		g_ptr_array_add(out, st->params->pdata[i]);
	g_ptr_array_set_size(st->params, 0);
	return out;
}

/* Every --set must name a declared parameter. */
static bool check_sets(struct lstate *st, GError **err)
{
	if (!st->o->sets || !g_hash_table_size(st->o->sets))
		return true;
	GList *keys = g_list_sort(g_hash_table_get_keys(st->o->sets), (GCompareFunc)strcmp);
	bool ok = true;
	for (GList *k = keys; k && ok; k = k->next) {
		bool known = false;
		for (guint i = 0; i < st->params->len && !known; i++)
			known = !strcmp(((struct param_value *)st->params->pdata[i])->name, k->data);
		if (known)
			continue;
		GString *names = g_string_new(NULL);
		for (guint i = 0; i < st->params->len; i++)
			g_string_append_printf(names, "%s%s", i ? ", " : "",
					       ((struct param_value *)st->params->pdata[i])->name);
		if (names->len)
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT,
				    "%s: --set %s: the scenario has no parameter \"%s\"; its "
				    "parameters (sim.param) are: %s", st->path, (char *)k->data,
				    (char *)k->data, names->str);
		else
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT,
				    "%s: --set %s: the scenario declares no parameters (sim.param)",
				    st->path, (char *)k->data);
		g_string_free(names, TRUE);
		ok = false;
	}
	g_list_free(keys);
	return ok;
}

static struct lstate *load(const struct scenario_opts *o, GError **err)
{
	if (!o || !o->path) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT, "no scenario file given");
		return NULL;
	}
	struct lstate *st = lstate_new(o, err);
	if (!st)
		return NULL;
	if (!lstate_run_file(st, err) || !check_sets(st, err)) {
		lstate_free(st);
		return NULL;
	}
	if (!st->name) {
		char *base = g_path_get_basename(o->path);
		if (g_str_has_suffix(base, ".lua"))
			base[strlen(base) - 4] = '\0';
		st->name = base;
	}
	return st;
}

struct scenario_info *scenario_probe(const struct scenario_opts *o, GError **err)
{
	struct lstate *st = load(o, err);
	if (!st)
		return NULL;
	struct scenario_info *i = g_new0(struct scenario_info, 1);
	i->name = g_strdup(st->name);
	i->description = g_strdup(st->description);
	i->policies = g_new0(char *, st->policies->len + 1);
	for (guint k = 0; k < st->policies->len; k++)
		i->policies[k] = g_strdup(st->policies->pdata[k]);
	i->params = take_params(st);
	i->duration = st->cfg.duration;
	lstate_free(st);
	return i;
}

void scenario_info_free(struct scenario_info *i)
{
	if (!i)
		return;
	g_free(i->name);
	g_free(i->description);
	g_strfreev(i->policies);
	if (i->params)
		g_ptr_array_free(i->params, TRUE);
	g_free(i);
}

/* ---- the run ------------------------------------------------------------------------------ */

struct sampler {
	GArray *timeline;               /* of struct timeline_sample */
	struct run_progress *progress;  /* may be NULL */
	uint64_t interval;              /* ns; 0: fixed by the options or the duration */
};

/*
 * Rows are at multiples of the interval from 0.  With 2 * TIMELINE_ROWS + 1 of them,
 * the last is at an even multiple: keeping the even ones leaves rows at multiples of
 * twice the interval, the last included, and the next sample, twice the interval
 * later, falls on the next of them.
 */
static void timeline_halve(struct sampler *sp, struct sim *s)
{
	GArray *tl = sp->timeline;
	for (guint i = 1; i <= TIMELINE_ROWS; i++)
		g_array_index(tl, struct timeline_sample, i) =
			g_array_index(tl, struct timeline_sample, 2 * i);
	g_array_set_size(tl, TIMELINE_ROWS + 1);
	sp->interval *= 2;
	sim_set_timeline_interval(s, sp->interval);
}

/* The timeline's periodic sample, which also tells a progress line where the run is:
 * a store every sample, nothing on the hot paths. */
static void sample(void *data, struct sim *s)
{
	struct sampler *sp = data;
	struct timeline_sample ts = { .t = sim_now_ns(s) };
	sim_gauges(s, &ts.g);
	g_array_append_val(sp->timeline, ts);
	if (sp->interval && sp->timeline->len == 2 * TIMELINE_ROWS + 1)
		timeline_halve(sp, s);
	if (sp->progress)
		atomic_store_explicit(&sp->progress->sim_ns, ts.t, memory_order_relaxed);
}

static void progress_set(struct run_progress *p, enum run_state state)
{
	if (p)
		atomic_store_explicit(&p->state, state, memory_order_relaxed);
}

static char *deadlock_message(struct lstate *st, struct sim *s)
{
	GString *m = g_string_new(NULL);
	char *when = units_format_duration(sim_now_ns(s));
	g_string_append_printf(m, "%s: deadlock at t=%s: every task waits for something that "
			       "will never happen:", st->path, when);
	g_free(when);
	GPtrArray *blocked = sim_blocked_tasks(s);
	for (guint i = 0; i < blocked->len; i++) {
		char *d = ltask_describe_wait(task_driver_data(blocked->pdata[i]));
		g_string_append_printf(m, "\n  %s", d);
		g_free(d);
	}
	g_ptr_array_free(blocked, TRUE);
	return g_string_free(m, FALSE);
}

static size_t peak_rss(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (size_t)ru.ru_maxrss * 1024;
}

static struct run_result *run(const struct scenario_opts *o, GError **err)
{
	gint64 t0 = g_get_monotonic_time();
	struct lstate *st = load(o, err);
	if (!st)
		return NULL;
	const char *spec = o->policy_spec ? o->policy_spec
			 : st->policies->len ? st->policies->pdata[0] : DEFAULT_POLICY;
	GError *e = NULL;
	struct policy *pol = policy_new(spec, &e);
	if (!pol) {
		/* The scenario's own first policy: point at the sim.scenario that named it. */
		if (!o->policy_spec && st->policies->len)
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT,
				    "%s: sim.scenario: policies[1]: %s", st->scenario_at, e->message);
		else
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT, "%s: policy: %s",
				    st->path, e->message);
		g_error_free(e);
		lstate_free(st);
		return NULL;
	}

	struct sim_config cfg = st->cfg;
	cfg.seed = o->seed;
	if (o->duration_cap && (!cfg.duration || cfg.duration > o->duration_cap))
		cfg.duration = o->duration_cap;
	sim_config_finish(&cfg, st->stable_set, st->bandwidth_set, st->flush_set);
	bool adaptive = !o->timeline_interval && !cfg.duration;
	cfg.timeline_interval = o->timeline_interval ? o->timeline_interval
			      : cfg.duration ? MAX(cfg.duration / TIMELINE_ROWS, 1)
			      : TIMELINE_FIRST_INTERVAL;
	struct sim *s = sim_new(&cfg, pol);
	st->s = s;
	if (o->trace)
		sim_set_trace(s, o->trace, o->trace_data);
	GArray *timeline = g_array_new(FALSE, FALSE, sizeof(struct timeline_sample));
	struct sampler sp = { timeline, o->progress, adaptive ? cfg.timeline_interval : 0 };
	sim_set_sampler(s, sample, &sp);
	if (o->progress) {
		atomic_store_explicit(&o->progress->sim_ns, 0, memory_order_relaxed);
		atomic_store_explicit(&o->progress->duration_ns, cfg.duration, memory_order_relaxed);
		progress_set(o->progress, RUN_RUNNING);
	}
	ldecl_instantiate_all(st);

	enum sim_end end = st->error ? SIM_END_STOPPED : sim_run(s);

	struct run_result *r = NULL;
	if (st->error) {
		g_set_error(err, SCENARIO_ERROR, st->error_code, "%s", st->error);
	} else if (end == SIM_END_DEADLOCK) {
		char *msg = deadlock_message(st, s);
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_DEADLOCK, "%s", msg);
		g_free(msg);
	} else if (end == SIM_END_STOPPED) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_RUNTIME, "%s: the run was stopped",
			    st->path);
	} else {
		r = g_new0(struct run_result, 1);
		r->scenario = g_strdup(st->name);
		r->description = g_strdup(st->description);
		r->policy_spec = g_strdup(pol->spec);
		r->seed = o->seed;
		r->params = take_params(st);
		r->m = sim_take_metrics(s);
		r->expects = lexpect_judge(st, pol->spec, r->m);
		r->timeline = timeline;
		timeline = NULL;
		r->end = end;
		r->events = sim_events(s);
	}
	st->s = NULL;
	sim_free(s);            /* and the policy with it */
	lstate_free(st);
	if (timeline)
		g_array_free(timeline, TRUE);
	if (r) {
		r->wall_seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
		r->peak_rss_bytes = peak_rss();
	}
	return r;
}

/* The run, and its progress slot marked done however it ended. */
struct run_result *scenario_run(const struct scenario_opts *o, GError **err)
{
	struct run_result *r = run(o, err);
	progress_set(o->progress, RUN_DONE);
	return r;
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
	g_free(r);
}

bool run_result_passed(const struct run_result *r)
{
	for (guint i = 0; r->expects && i < r->expects->len; i++)
		if (!((const struct expect_result *)r->expects->pdata[i])->pass)
			return false;
	return true;
}
