/*
 * replay_source — an op log as a workload source (run/workload.h).
 *
 * open: read the header, check the whole log once (oplog_check: a bad line anywhere
 * stops the run before anything has happened), and turn what the header declares
 * into what a scenario would have declared: its name, policies, parameters (only
 * reported: a log has no code for them to change), expectations, and the machine's
 * configuration with the command line's overrides on top.  start: declare the
 * header's world on the target; each task then issues its own lines (replay_task.c).
 */
#include "replay/replay_int.h"

#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "metrics/metrics.h"

void replay_fail(struct replay *rp, int code, const char *fmt, ...)
{
	if (rp->error)
		return;
	va_list ap;
	va_start(ap, fmt);
	rp->error = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	rp->error_code = code;
	if (rp->t)
		rp->ops->stop(rp->t);
}

/* ---- checking a log once per process ------------------------------------------------- */

/*
 * `wbsim compare LOG` opens the log once to probe it and once per run, on several
 * threads; reading a long log through oplog_check each time would cost as much as
 * the replays.  A log that passed is remembered by its identity and modification
 * time, so that the same file, unchanged, is checked once.
 */
static GMutex checked_lock;
static GHashTable *checked;

static char *file_identity(const char *path)
{
	struct stat st;
	if (stat(path, &st))
		return NULL;
	return g_strdup_printf("%ju:%ju:%jd:%jd.%09ld", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
			       (intmax_t)st.st_size, (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static bool check_once(struct oplog *log, GError **err)
{
	char *id = file_identity(oplog_path(log));
	g_mutex_lock(&checked_lock);
	bool known = id && checked && g_hash_table_contains(checked, id);
	g_mutex_unlock(&checked_lock);
	if (known) {
		g_free(id);
		return true;
	}
	if (!oplog_check(log, NULL, err)) {
		g_free(id);
		return false;
	}
	g_mutex_lock(&checked_lock);
	if (!checked)
		checked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (id)
		g_hash_table_add(checked, id);
	g_mutex_unlock(&checked_lock);
	return true;
}

/* ---- what the header declares ---------------------------------------------------------- */

static bool input_error(GError **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool input_error(GError **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT, msg);
	g_free(msg);
	return false;
}

/* Every policy names a spec some target runs, as sim.scenario{policies} must. */
static bool take_policies(struct replay *rp, GError **err)
{
	const struct oplog_header *h = rp->h;
	rp->policies = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < h->policies->len; i++) {
		const char *spec = h->policies->pdata[i];
		uint64_t line = g_array_index(h->policy_lines, uint64_t, i);
		GError *e = NULL;
		char *c = run_canonical_spec(rp->o->targets, spec, &e);
		if (!c) {
			input_error(err, "%s:%" G_GUINT64_FORMAT ": policy: %s", rp->o->path, line,
				    e->message);
			g_error_free(e);
			return false;
		}
		g_free(c);
		if (!rp->policies_at)
			rp->policies_at = g_strdup_printf("%s:%" G_GUINT64_FORMAT, rp->o->path, line);
		g_ptr_array_add(rp->policies, g_strdup(spec));
	}
	g_ptr_array_add(rp->policies, NULL);
	if (!rp->policies_at)
		rp->policies_at = g_strdup(rp->o->path);
	return true;
}

/* The expectations, checked as sim.expect checks them; judged in the log's order. */
static bool take_expects(struct replay *rp, GError **err)
{
	const struct oplog_header *h = rp->h;
	rp->expects = g_ptr_array_new_with_free_func(expect_decl_free);
	for (guint i = 0; i < h->expects->len; i++) {
		const struct oplog_expect *e = &g_array_index(h->expects, struct oplog_expect, i);
		char *at = g_strdup_printf("%s:%" G_GUINT64_FORMAT, rp->o->path, e->line);
		enum cmp op;
		double value;
		bool glob = strchr(e->pattern, '*') != NULL;
		char *match = NULL;
		GError *pe = NULL;
		bool ok = true;
		if (!metric_name_valid(e->metric))
			ok = input_error(err, "%s: expect: unknown metric \"%s\" (wbsim run --help "
					 "and README list them)", at, e->metric);
		else if (!expect_parse_predicate(e->predicate, &op, &value))
			ok = input_error(err, "%s: expect: bad predicate \"%s\": a number, or \"<op> "
					 "<value>\" with op one of < <= > >= == ~=", at, e->predicate);
		else if (!glob && !(match = run_canonical_spec(rp->o->targets, e->pattern, &pe)))
			ok = input_error(err, "%s: expect: pattern \"%s\": %s", at, e->pattern,
					 pe->message);
		g_clear_error(&pe);
		if (!ok) {
			g_free(at);
			return false;
		}
		struct expect_decl *x = g_new0(struct expect_decl, 1);
		x->pattern = g_strdup(e->pattern);
		x->match = glob ? g_strdup(e->pattern) : match;
		x->glob = glob;
		x->metric = g_strdup(e->metric);
		x->predicate = g_strdup(e->predicate);
		x->op = op;
		x->value = value;
		/* Where it was first written: the scenario's line, for a recorded run. */
		x->where = e->where ? g_strdup(e->where) : g_strdup(at);
		x->call = i + 1;
		g_ptr_array_add(rp->expects, x);
		g_free(at);
	}
	return true;
}

/*
 * The machine: the header's configuration, then the command line's overrides, in
 * the order given, each as the header line it spells would set it.  (--profile FILE,
 * a device and cost profile that the Linux backend's calibration writes, goes
 * between the two when it comes: header, profile, options.)
 */
static bool take_config(struct replay *rp, GError **err)
{
	const struct oplog_header *h = rp->h;
	struct oplog_header *tmp = oplog_header_new();
	tmp->cfg = h->cfg;
	tmp->stable_writes_set = h->stable_writes_set;
	tmp->bandwidth_set = h->bandwidth_set;
	tmp->flush_set = h->flush_set;
	bool ok = true;
	for (const char *const *c = rp->o->config; ok && c && *c; c++) {
		size_t n = strcspn(*c, " ");
		char *section = g_strndup(*c, n);
		char *who = g_strdup_printf("%s: --%s", rp->o->path, section);
		const char *fields = (*c)[n] ? *c + n + 1 : "";
		GError *e = NULL;
		ok = oplog_header_override(tmp, section, fields, who, &e);
		if (!ok) {
			input_error(err, "%s", e->message);
			g_error_free(e);
		}
		g_free(who);
		g_free(section);
	}
	rp->cfg = tmp->cfg;
	rp->stable_set = tmp->stable_writes_set;
	rp->bandwidth_set = tmp->bandwidth_set;
	rp->flush_set = tmp->flush_set;
	sim_config_finish(&rp->cfg, rp->stable_set, rp->bandwidth_set, rp->flush_set);
	oplog_header_free(tmp);
	return ok;
}

static bool take_options(struct replay *rp, GError **err)
{
	const struct scenario_opts *o = rp->o;
	if (o->sets && g_hash_table_size(o->sets)) {
		GList *keys = g_list_sort(g_hash_table_get_keys(o->sets), (GCompareFunc)strcmp);
		input_error(err, "%s: --set %s: an op log has no parameters to set (its param lines "
			    "say what the recorded run used)", o->path, (char *)keys->data);
		g_list_free(keys);
		return false;
	}
	if (o->timing && strcmp(o->timing, "think") && strcmp(o->timing, "issue"))
		return input_error(err, "%s: --timing must be think or issue, got \"%s\"", o->path,
				   o->timing);
	rp->issue_timing = o->timing && !strcmp(o->timing, "issue");
	return true;
}

static void params_from(struct replay *rp)
{
	rp->params = g_ptr_array_new_with_free_func(param_value_free);
	for (guint i = 0; i < rp->h->params->len; i++) {
		const struct oplog_param *p = &g_array_index(rp->h->params, struct oplog_param, i);
		g_ptr_array_add(rp->params, param_value_new(p->name, p->value, p->description));
	}
}

static void source_close(struct workload *w);

static struct workload *source_open(const struct scenario_opts *o, GError **err)
{
	struct replay *rp = g_new0(struct replay, 1);
	rp->o = o;
	GError *e = NULL;
	rp->log = oplog_open(o->path, &e);
	if (!rp->log || !check_once(rp->log, &e)) {
		input_error(err, "%s", e->message);
		g_error_free(e);
		source_close((struct workload *)rp);
		return NULL;
	}
	rp->h = oplog_header(rp->log);
	params_from(rp);
	if (!take_options(rp, err) || !take_policies(rp, err) || !take_expects(rp, err) ||
	    !take_config(rp, err)) {
		source_close((struct workload *)rp);
		return NULL;
	}
	if (rp->h->name) {
		rp->name = g_strdup(rp->h->name);
	} else {
		rp->name = g_path_get_basename(o->path);
		if (g_str_has_suffix(rp->name, ".oplog"))
			rp->name[strlen(rp->name) - 6] = '\0';
	}
	replay_world_init(rp);
	return (struct workload *)rp;
}

static void source_info(struct workload *w, struct workload_info *i)
{
	struct replay *rp = (struct replay *)w;
	*i = (struct workload_info){
		.name = rp->name, .description = rp->h->description,
		.policies = (const char *const *)rp->policies->pdata, .policies_at = rp->policies_at,
		.params = rp->params, .cfg = &rp->cfg, .stable_set = rp->stable_set,
		.bandwidth_set = rp->bandwidth_set, .flush_set = rp->flush_set,
		.expects = rp->expects,
	};
}

static void source_start(struct workload *w, struct target *t, const struct target_ops *ops)
{
	struct replay *rp = (struct replay *)w;
	rp->t = t;
	rp->ops = ops;
	replay_world_declare(rp);
}

static const char *source_error(struct workload *w, int *code)
{
	struct replay *rp = (struct replay *)w;
	*code = rp->error_code;
	return rp->error;
}

static char *source_describe_wait(struct workload *w, void *task_data)
{
	(void)w;
	return replay_describe_wait(task_data);
}

static void source_close(struct workload *w)
{
	struct replay *rp = (struct replay *)w;
	if (!rp)
		return;
	replay_world_clear(rp);
	if (rp->policies)
		g_ptr_array_free(rp->policies, TRUE);
	if (rp->params)
		g_ptr_array_free(rp->params, TRUE);
	if (rp->expects)
		g_ptr_array_free(rp->expects, TRUE);
	g_free(rp->policies_at);
	g_free(rp->name);
	g_free(rp->error);
	oplog_close(rp->log);
	g_free(rp);
}

/* The format's first line, "wbsim-oplog VERSION" (OPLOG.md). */
static bool source_recognizes(const char *head, size_t len)
{
	static const char magic[] = OPLOG_MAGIC " ";
	return len >= sizeof(magic) - 1 && !memcmp(head, magic, sizeof(magic) - 1);
}

const struct workload_ops replay_source = {
	.name = "oplog",
	.recognizes = source_recognizes,
	.open = source_open,
	.info = source_info,
	.resume = replay_resume,
	.start = source_start,
	.error = source_error,
	.describe_wait = source_describe_wait,
	.close = source_close,
};
