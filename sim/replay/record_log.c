/*
 * record_log — the log a recording writes.  Its header: what the scenario declared
 * (name, description, policies, parameters with the values the run used,
 * expectations with where they were written) and what the run was configured with
 * (its seed, duration, device, writeback and costs), so that a replay of the log is
 * the same run: the same summary.json, but for the wall time.  And its life: a
 * temporary file until the command knows the run succeeded.
 */
#include "replay/record_int.h"

#include <string.h>

#include "run/expect.h"

/* As run/expect.c judges them: by call, then pattern, then metric.  A replay judges a
 * log's expectations in the log's order, so they are written in this one. */
static gint by_order(gconstpointer pa, gconstpointer pb)
{
	const struct expect_decl *a = *(const struct expect_decl *const *)pa;
	const struct expect_decl *b = *(const struct expect_decl *const *)pb;
	if (a->call != b->call)
		return a->call < b->call ? -1 : 1;
	int c = strcmp(a->pattern, b->pattern);
	return c ? c : strcmp(a->metric, b->metric);
}

static void add_expects(struct oplog_header *h, const GPtrArray *decls)
{
	GPtrArray *sorted = g_ptr_array_new();
	for (guint i = 0; decls && i < decls->len; i++)
		g_ptr_array_add(sorted, decls->pdata[i]);
	g_ptr_array_sort(sorted, by_order);
	for (guint i = 0; i < sorted->len; i++) {
		const struct expect_decl *x = sorted->pdata[i];
		struct oplog_expect e = {
			.pattern = g_strdup(x->pattern), .metric = g_strdup(x->metric),
			.predicate = g_strdup(x->predicate), .where = g_strdup(x->where),
		};
		g_array_append_val(h->expects, e);
	}
	g_ptr_array_free(sorted, TRUE);
}

static void add_params(struct oplog_header *h, const GPtrArray *params)
{
	for (guint i = 0; params && i < params->len; i++) {
		const struct param_value *p = params->pdata[i];
		struct oplog_param q = {
			.name = g_strdup(p->name), .value = g_strdup(p->value),
			.description = g_strdup(p->description),
		};
		g_array_append_val(h->params, q);
	}
}

void record_header_begin(struct recorder *r, const struct target_config *c, const char *spec)
{
	struct oplog_header *h = oplog_header_new();
	const struct workload_info *wi = c->workload;
	if (r->command)
		g_ptr_array_add(h->comments, g_strdup_printf("recorded by %s", r->command));
	g_ptr_array_add(h->comments, g_strdup_printf("under %s, seed %" G_GUINT64_FORMAT, spec,
						     c->cfg->seed));
	/* Every field written as the run had it: the header's reader then finishes
	 * nothing, and an hdd's queue depth, a stable_writes that followed integrity,
	 * a flush latency that followed the write latency stay what they were. */
	h->cfg = *c->cfg;
	h->cfg.timeline_interval = 0;
	if (wi) {
		h->name = g_strdup(wi->name);
		h->description = g_strdup(wi->description);
		for (const char *const *p = wi->policies; p && *p; p++)
			g_ptr_array_add(h->policies, g_strdup(*p));
		add_params(h, wi->params);
		add_expects(h, wi->expects);
	}
	r->h = h;
}

/* ---- the log ------------------------------------------------------------------------------ */

struct recorder *recorder_new(const char *path, const char *command, GError **err)
{
	struct oplog_writer *w = oplog_writer_open(path, err);
	if (!w)
		return NULL;
	struct recorder *r = g_new0(struct recorder, 1);
	r->path = g_strdup(path);
	r->command = g_strdup(command);
	r->w = w;
	return r;
}

static void recorder_free(struct recorder *r)
{
	oplog_header_free(r->h);
	g_free(r->path);
	g_free(r->command);
	g_free(r);
}

bool recorder_commit(struct recorder *r, GError **err)
{
	bool ok = oplog_writer_commit(r->w, err);
	recorder_free(r);
	return ok;
}

void recorder_abort(struct recorder *r)
{
	if (!r)
		return;
	oplog_writer_abort(r->w);
	recorder_free(r);
}
