/*
 * import_strace — an op log from `strace -f -tt -T` output (the exact command is in
 * README "Op logs").  What each call becomes is in OPLOG.md "strace"; in short:
 * every traced thread is a task, every address space a process; file descriptors
 * and their offsets are followed through open, dup, lseek, fork and close as the
 * kernel keeps them (an offset belongs to the open file, shared by dups and
 * forks); shared file mappings through mmap, munmap and execve.  Times are the
 * calls' own: the issue time is when the call began, the think time the gap since
 * the task's previous replayed call ended (-T gives its duration).
 *
 * strace prints a child's first lines as soon as it runs, which can be before
 * the parent's fork or clone has returned its pid; such lines wait in a queue per
 * pid until a clone claims it (or the trace ends, when the pid becomes a task of
 * its own).
 */
#include "oplog/strace_state.h"

#include <string.h>

#include "engine/uapi.h"
#include "oplog/strace_line.h"

/* ---- lines ------------------------------------------------------------------------------- */

static void strace_task_exit(struct st *s, struct stask *t, uint64_t now)
{
	if (t->has_unf)
		importer_skip(s->imp, "call unfinished when its task exited");
	emit(s, t, OP(.kind = OPL_EXIT), now, 0);
	g_hash_table_insert(s->done, GUINT_TO_POINTER(t->pid), GUINT_TO_POINTER(t->id));
	g_hash_table_remove(s->tasks, GUINT_TO_POINTER(t->pid));
}

static bool line(struct st *s, char *text, uint64_t lineno);

void pending_flush(struct st *s, uint32_t pid)
{
	GPtrArray *q = g_hash_table_lookup(s->pending, GUINT_TO_POINTER(pid));
	if (!q)
		return;
	g_hash_table_steal(s->pending, GUINT_TO_POINTER(pid));
	uint64_t save = s->imp->line;
	bool ok = true;
	for (guint i = 0; i < q->len; i++) {
		struct pend *p = q->pdata[i];
		s->imp->line = p->line;
		if (ok && !(*s->err))
			ok = line(s, p->text, p->line);
		g_free(p->text);
		g_free(p);
	}
	s->imp->line = save;
	g_ptr_array_unref(q);
}

static bool line(struct st *s, char *text, uint64_t lineno)
{
	char *copy = g_strdup(text);
	struct sline l;
	const char *why = NULL;
	bool ok = sline_parse(copy, &l, &why);
	if (!ok) {
		g_free(copy);
		return importer_fail(s->imp, s->err, "%s", why);
	}
	if (l.kind == SL_OTHER || l.kind == SL_SIGNAL)
		goto done;
	if (!s->t0_set) {
		s->t0 = l.t_ns;
		s->t0_set = true;
	}
	/* -tt restarts at midnight: a time far before the first is the next day's. */
	uint64_t t = l.t_ns;
	if (t < s->t0 && s->t0 - t > 12 * 3600 * 1000000000ull)
		t += 24 * 3600 * 1000000000ull;
	t = t > s->t0 ? t - s->t0 : 0;
	struct stask *task = g_hash_table_lookup(s->tasks, GUINT_TO_POINTER(l.pid));
	if (!task && g_hash_table_size(s->tasks) == 0 && s->imp->next_task == 1) {
		task = task_root(s, l.pid, t);
	} else if (!task) {
		GPtrArray *q = g_hash_table_lookup(s->pending, GUINT_TO_POINTER(l.pid));
		if (!q) {
			q = g_ptr_array_new();
			g_hash_table_insert(s->pending, GUINT_TO_POINTER(l.pid), q);
			g_array_append_val(s->pending_order, l.pid);
		}
		struct pend *p = g_new(struct pend, 1);
		p->line = lineno;
		p->text = g_strdup(text);
		g_ptr_array_add(q, p);
		goto done;
	}
	if (l.kind == SL_EXIT) {
		strace_task_exit(s, task, t);
		goto done;
	}
	if (l.kind == SL_UNFINISHED) {
		if (task->has_unf)
			importer_skip(s->imp, "call never resumed");
		g_strlcpy(task->unf_name, l.name, sizeof(task->unf_name));
		g_free(task->unf_args);
		task->unf_args = g_strdup(l.args);
		task->unf_t = t;
		task->has_unf = true;
		goto done;
	}
	char *args = l.args;
	char *joined = NULL;
	uint64_t issue = t;
	if (l.kind == SL_RESUMED) {
		if (!task->has_unf || strcmp(task->unf_name, l.name)) {
			importer_skip(s->imp, "resumed call whose start is not in the trace");
			goto done;
		}
		args = joined = g_strconcat(task->unf_args, l.args, NULL);
		issue = task->unf_t;
		task->has_unf = false;
	}
	if (l.failed) {
		if (strcmp(l.name, "exit") && strcmp(l.name, "exit_group"))
			importer_skip(s->imp, "failed calls");
	} else {
		GPtrArray *a = g_ptr_array_new();
		sline_split(args, a);
		struct call c = { s, task, l.name, a, l.ret, issue, l.dur_ns };
		strace_call(&c);
		g_ptr_array_unref(a);
	}
	g_free(joined);
done:
	g_free(copy);
	return !*s->err;
}

bool import_strace(const char *in, const char *out, const struct import_opts *o,
		   struct import_stats *st, GError **err)
{
	struct importer *imp = importer_new(in, out, st, err);
	if (!imp)
		return false;
	GError *e = NULL;       /* line() tests it, so it must exist whatever @err is */
	struct st s = { .imp = imp, .o = o, .err = &e };
	s.tasks = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, stask_free);
	s.done = g_hash_table_new(g_direct_hash, g_direct_equal);
	s.pending = g_hash_table_new(g_direct_hash, g_direct_equal);
	s.pending_order = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	if (o->dirs) {
		guint n = g_strv_length(o->dirs);
		s.dirs = g_new0(char *, n + 1);
		for (guint i = 0; i < n; i++) {
			s.dirs[i] = g_canonicalize_filename(o->dirs[i], NULL);
			if (strlen(s.dirs[i]) > 1 && g_str_has_suffix(s.dirs[i], "/"))
				s.dirs[i][strlen(s.dirs[i]) - 1] = '\0';
		}
	}
	GError *rerr = NULL;
	bool ok = true;
	while (ok && importer_line(imp, &rerr))
		if (*imp->buf)
			ok = line(&s, imp->buf, imp->line);
	if (ok && rerr) {
		g_propagate_error(&e, rerr);
		ok = false;
	}
	if (ok && !s.t0_set)
		ok = importer_fail(imp, &e, "no system calls: not strace output");
	/* Threads and processes the trace never showed being created. */
	for (guint i = 0; ok && i < s.pending_order->len; i++) {
		uint32_t pid = g_array_index(s.pending_order, uint32_t, i);
		GPtrArray *q = g_hash_table_lookup(s.pending, GUINT_TO_POINTER(pid));
		if (!q)
			continue;
		struct pend *first = q->pdata[0];
		struct sline l;
		const char *why;
		char *copy = g_strdup(first->text);
		uint64_t t = sline_parse(copy, &l, &why) && l.t_ns > s.t0 ? l.t_ns - s.t0 : 0;
		g_free(copy);
		task_root(&s, pid, t);
		pending_flush(&s, pid);
		ok = !e;
	}
	GHashTableIter it;
	void *k, *v;
	g_hash_table_iter_init(&it, s.tasks);
	while (ok && g_hash_table_iter_next(&it, &k, &v))
		if (((struct stask *)v)->has_unf)
			importer_skip(imp, "call unfinished at the end of the trace");
	g_hash_table_destroy(s.tasks);
	g_hash_table_destroy(s.done);
	g_hash_table_iter_init(&it, s.pending);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		GPtrArray *q = v;
		for (guint i = 0; i < q->len; i++) {
			g_free(((struct pend *)q->pdata[i])->text);
			g_free(q->pdata[i]);
		}
		g_ptr_array_unref(q);
	}
	g_hash_table_destroy(s.pending);
	g_array_unref(s.pending_order);
	g_strfreev(s.dirs);
	if (!ok) {
		g_propagate_error(err, e);
		importer_abort(imp);
		return false;
	}
	g_ptr_array_add(imp->h->comments, g_strdup_printf("imported by wbsim import strace from %s%s",
							  in, o->shared_stores ? " (--shared-stores)"
									       : ""));
	return importer_finish(imp, err);
}
