/*
 * run — scenario_probe and scenario_run (run/run.h): one run, from the workload's
 * file to its result.
 */
#include "run/run.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "engine/engine.h"
#include "engine/units.h"
#include "run/expect.h"
#include "run/profile.h"
#include "run/workload.h"

G_DEFINE_QUARK(wbsim-scenario-error-quark, scenario_error)

#define DEFAULT_POLICY "wait-on-writeback"
/* A run with no duration and no --timeline-interval starts sampling this often and
 * halves the rate whenever it has 2 * TIMELINE_ROWS rows, keeping every other one:
 * whatever its length, it ends with TIMELINE_ROWS + 1 to 2 * TIMELINE_ROWS evenly
 * spaced rows (a run with a duration gets duration / TIMELINE_ROWS from the start). */
#define TIMELINE_FIRST_INTERVAL (100 * NSEC_PER_USEC)
#define TIMELINE_ROWS 200

const struct target_ops *target_for(const struct target_ops *const *targets, const char *spec)
{
	for (; targets && *targets; targets++)
		if ((*targets)->claims(spec))
			return *targets;
	return NULL;
}

char *run_canonical_spec(const struct target_ops *const *targets, const char *spec,
			 GError **err)
{
	const struct target_ops *t = target_for(targets, spec);
	if (!t) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT,
			    "no target runs the policy spec \"%s\"", spec);
		return NULL;
	}
	return t->canonical(spec, err);
}

/* The source that reads @path: the first that recognises its first bytes. */
static const struct workload_ops *source_for(const struct scenario_opts *o, GError **err)
{
	char head[256];
	size_t n = 0;
	FILE *f = fopen(o->path, "rb");
	if (f) {
		n = fread(head, 1, sizeof(head), f);
		fclose(f);
	}
	for (const struct workload_ops *const *s = o->sources; s && *s; s++)
		if ((*s)->recognizes(head, n))
			return *s;
	g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT, "%s: not a workload this "
		    "program can read", o->path);
	return NULL;
}

static struct workload *open_workload(const struct scenario_opts *o,
				      const struct workload_ops **ops, GError **err)
{
	if (!o || !o->path) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT, "no scenario file given");
		return NULL;
	}
	*ops = source_for(o, err);
	return *ops ? (*ops)->open(o, err) : NULL;
}

static GPtrArray *copy_params(const GPtrArray *params)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(param_value_free);
	for (guint i = 0; params && i < params->len; i++) {
		const struct param_value *p = params->pdata[i];
		g_ptr_array_add(out, param_value_new(p->name, p->value, p->description));
	}
	return out;
}

struct scenario_info *scenario_probe(const struct scenario_opts *o, GError **err)
{
	const struct workload_ops *ops;
	struct workload *w = open_workload(o, &ops, err);
	if (!w)
		return NULL;
	struct workload_info wi;
	ops->info(w, &wi);
	struct scenario_info *i = g_new0(struct scenario_info, 1);
	i->name = g_strdup(wi.name);
	i->description = g_strdup(wi.description);
	i->policies = g_strdupv((char **)wi.policies);
	i->params = copy_params(wi.params);
	i->duration = wi.cfg->duration;
	ops->close(w);
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

/* ---- the timeline ---------------------------------------------------------------- */

struct sampler {
	GArray *timeline;               /* of struct timeline_sample */
	struct run_progress *progress;  /* may be NULL */
	uint64_t interval;              /* ns; 0: fixed by the options or the duration */
	const struct target_ops *ops;
	struct target *target;
};

/*
 * Rows are at multiples of the interval from 0.  With 2 * TIMELINE_ROWS + 1 of them,
 * the last is at an even multiple: keeping the even ones leaves rows at multiples of
 * twice the interval, the last included, and the next sample, twice the interval
 * later, falls on the next of them.
 */
static void timeline_halve(struct sampler *sp)
{
	GArray *tl = sp->timeline;
	for (guint i = 1; i <= TIMELINE_ROWS; i++)
		g_array_index(tl, struct timeline_sample, i) =
			g_array_index(tl, struct timeline_sample, 2 * i);
	g_array_set_size(tl, TIMELINE_ROWS + 1);
	sp->interval *= 2;
	sp->ops->set_sample_interval(sp->target, sp->interval);
}

/* The timeline's periodic sample, which also tells a progress line where the run is:
 * a store every sample, nothing on the hot paths. */
static void sample(void *data, uint64_t now_ns, const struct sim_gauges *g)
{
	struct sampler *sp = data;
	struct timeline_sample ts = { .t = now_ns, .g = *g };
	g_array_append_val(sp->timeline, ts);
	if (sp->interval && sp->timeline->len == 2 * TIMELINE_ROWS + 1)
		timeline_halve(sp);
	if (sp->progress)
		atomic_store_explicit(&sp->progress->sim_ns, ts.t, memory_order_relaxed);
}

static void progress_set(struct run_progress *p, enum run_state state)
{
	if (p)
		atomic_store_explicit(&p->state, state, memory_order_relaxed);
}

/* ---- the run --------------------------------------------------------------------- */

static char *deadlock_message(const struct workload_ops *wops, struct workload *w,
			      const char *path, const struct target_ops *ops, struct target *t)
{
	GString *m = g_string_new(NULL);
	char *when = units_format_duration(ops->now(t));
	g_string_append_printf(m, "%s: deadlock at t=%s: every task waits for something that "
			       "will never happen:", path, when);
	g_free(when);
	GPtrArray *blocked = ops->blocked(t);
	for (guint i = 0; i < blocked->len; i++) {
		char *d = wops->describe_wait(w, blocked->pdata[i]);
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

/* The target for the run's spec, and the spec; an error names where a bad spec came
 * from: the command line, or the scenario's own list. */
static const struct target_ops *choose_target(const struct scenario_opts *o,
					      const struct workload_info *wi,
					      const char **spec, GError **err)
{
	*spec = o->policy_spec ? o->policy_spec : wi->policies[0] ? wi->policies[0] : DEFAULT_POLICY;
	const struct target_ops *t = target_for(o->targets, *spec);
	if (!t)
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT,
			    "%s: policy: no target runs \"%s\"", o->path, *spec);
	return t;
}

static bool run_config(const struct scenario_opts *o, const struct workload_info *wi,
		       struct sim_config *out, GError **err)
{
	struct sim_config cfg = *wi->cfg;
	if (!o->workload_seed)
		cfg.seed = o->seed;
	if (o->duration_cap && (!cfg.duration || cfg.duration > o->duration_cap))
		cfg.duration = o->duration_cap;
	bool stable_set = wi->stable_set, bandwidth_set = wi->bandwidth_set, flush_set = wi->flush_set;
	if (o->profile && !run_profile_apply(o->profile, o->profile_path, &cfg, &stable_set,
					     &bandwidth_set, &flush_set, err))
		return false;
	sim_config_finish(&cfg, stable_set, bandwidth_set, flush_set);
	cfg.timeline_interval = o->timeline_interval ? o->timeline_interval
			      : cfg.duration ? MAX(cfg.duration / TIMELINE_ROWS, 1)
			      : TIMELINE_FIRST_INTERVAL;
	*out = cfg;
	return true;
}

/*
 * A wrapper has the optional operations (version 2 of the scenario API) only where
 * the target it wraps has them, and that target's name: a scenario that uses one the
 * target lacks is told "not supported by target 'NAME'", as without the wrapper,
 * instead of the wrapper forwarding to nothing.
 */
static void wrap_optional(struct target_ops *w, const struct target_ops *inner)
{
	w->name = inner->name;
#define KEEP_IF(op) if (!inner->op) w->op = NULL
	KEEP_IF(alloc);
	KEEP_IF(buf_store);
	KEEP_IF(buf_load);
	KEEP_IF(dio);
	KEEP_IF(result_io);
	KEEP_IF(io_wait);
	KEEP_IF(pin_longterm);
#undef KEEP_IF
}

static struct run_result *run(const struct scenario_opts *o, GError **err)
{
	gint64 t0 = g_get_monotonic_time();
	const struct workload_ops *wops;
	struct workload *w = open_workload(o, &wops, err);
	if (!w)
		return NULL;
	struct workload_info wi;
	wops->info(w, &wi);
	const char *spec;
	const struct target_ops *ops = choose_target(o, &wi, &spec, err);
	if (!ops) {
		wops->close(w);
		return NULL;
	}

	struct sim_config cfg;
	if (!run_config(o, &wi, &cfg, err)) {
		wops->close(w);
		return NULL;
	}
	bool adaptive = !o->timeline_interval && !cfg.duration;
	GArray *timeline = g_array_new(FALSE, FALSE, sizeof(struct timeline_sample));
	/* A wrapper (the recorder) stands in for the target that runs the spec. */
	const struct target_ops *inner = NULL;
	struct target_ops wrapped;
	if (o->wrap) {
		inner = ops;
		wrapped = *o->wrap;
		wrap_optional(&wrapped, inner);
		ops = &wrapped;
	}
	struct sampler sp = { timeline, o->progress, adaptive ? cfg.timeline_interval : 0, ops, NULL };
	const struct target_config tc = {
		.cfg = &cfg, .spec = spec, .trace = o->trace, .trace_data = o->trace_data,
		.resume = wops->resume, .sample = sample, .sample_data = &sp, .workload = &wi,
		.inner = inner, .wrap_data = o->wrap_data,
	};
	GError *e = NULL;
	struct target *t = ops->create(&tc, &e);
	if (!t) {
		/* The scenario's own first policy: point at the declaration that named it. */
		if (!o->policy_spec && wi.policies[0])
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT,
				    "%s: sim.scenario: policies[1]: %s", wi.policies_at, e->message);
		else
			g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT, "%s: policy: %s",
				    o->path, e->message);
		g_error_free(e);
		g_array_free(timeline, TRUE);
		wops->close(w);
		return NULL;
	}
	sp.target = t;
	if (o->progress) {
		atomic_store_explicit(&o->progress->sim_ns, 0, memory_order_relaxed);
		atomic_store_explicit(&o->progress->duration_ns, cfg.duration, memory_order_relaxed);
		progress_set(o->progress, RUN_RUNNING);
	}
	wops->start(w, t, ops);

	int code;
	enum sim_end end = wops->error(w, &code) ? SIM_END_STOPPED : ops->run(t);

	struct run_result *r = NULL;
	const char *msg = wops->error(w, &code);
	const char *terr = ops->error ? ops->error(t) : NULL;
	if (terr && !msg) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_RUNTIME, "%s: %s", o->path, terr);
	} else if (msg) {
		/* A declaration the target refused: the source's message, and the target's why. */
		if (terr)
			g_set_error(err, SCENARIO_ERROR, code, "%s (%s: %s)", msg, ops->name, terr);
		else
			g_set_error(err, SCENARIO_ERROR, code, "%s", msg);
	} else if (end == SIM_END_DEADLOCK) {
		char *dm = deadlock_message(wops, w, o->path, ops, t);
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_DEADLOCK, "%s", dm);
		g_free(dm);
	} else if (end == SIM_END_STOPPED) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_RUNTIME, "%s: the run was stopped",
			    o->path);
	} else {
		r = g_new0(struct run_result, 1);
		r->scenario = g_strdup(wi.name);
		r->description = g_strdup(wi.description);
		r->policy_spec = g_strdup(ops->spec(t));
		r->seed = cfg.seed;
		r->params = copy_params(wi.params);
		r->m = ops->take_metrics(t);
		r->expects = expect_judge(wi.expects, r->policy_spec, r->m);
		r->timeline = timeline;
		timeline = NULL;
		r->end = end;
		r->events = ops->events(t);
		if (ops->not_applied && ops->not_applied(t))
			r->not_applied = g_strdupv((char **)ops->not_applied(t));
	}
	ops->destroy(t);
	wops->close(w);
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
