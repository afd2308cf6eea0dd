/*
 * strace_state — the bookkeeping of the strace importer (strace_state.h): open file
 * descriptions shared by dup and fork, descriptor tables shared under CLONE_FILES,
 * address spaces, tasks, and writing an op with its times.
 */
#include "oplog/strace_state.h"

void ofd_put(struct ofd *o)
{
	if (o && --o->refs == 0) {
		g_free(o->path);
		g_free(o);
	}
}

static void sfd_free(void *p)
{
	struct sfd *f = p;
	ofd_put(f->ofd);
	g_free(f);
}

struct fdtab *fdtab_new(void)
{
	struct fdtab *t = g_new0(struct fdtab, 1);
	t->refs = 1;
	t->fds = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, sfd_free);
	return t;
}

void fdtab_put(struct fdtab *t)
{
	if (t && --t->refs == 0) {
		g_hash_table_destroy(t->fds);
		g_free(t);
	}
}

void fd_install(struct fdtab *t, int64_t fd, struct ofd *o, bool cloexec)
{
	struct sfd *f = g_new0(struct sfd, 1);
	f->ofd = o;
	o->refs++;
	f->cloexec = cloexec;
	g_hash_table_insert(t->fds, GINT_TO_POINTER((int)fd), f);
}

/* fork without CLONE_FILES: the same open files, in a table of its own. */
struct fdtab *fdtab_copy(struct fdtab *t)
{
	struct fdtab *c = fdtab_new();
	GHashTableIter it;
	void *k, *v;
	g_hash_table_iter_init(&it, t->fds);
	while (g_hash_table_iter_next(&it, &k, &v))
		fd_install(c, GPOINTER_TO_INT(k), ((struct sfd *)v)->ofd, ((struct sfd *)v)->cloexec);
	return c;
}

void sproc_put(struct sproc *p)
{
	if (p && --p->refs == 0) {
		g_array_unref(p->maps);
		g_free(p);
	}
}

void stask_free(void *p)
{
	struct stask *t = p;
	fdtab_put(t->fds);
	sproc_put(t->proc);
	g_free(t->unf_args);
	g_free(t);
}

static uint32_t new_process(struct st *s)
{
	return s->imp->next_process++;
}

struct stask *task_new(struct st *s, uint32_t pid, struct sproc *proc,
			      struct fdtab *fds, uint64_t start)
{
	struct stask *t = g_new0(struct stask, 1);
	t->pid = pid;
	t->id = s->imp->next_task++;
	t->proc = proc;
	proc->refs++;
	t->fds = fds;
	t->last_end = t->last_issue = start;
	g_hash_table_insert(s->tasks, GUINT_TO_POINTER(pid), t);
	return t;
}

struct sproc *sproc_new(struct st *s)
{
	struct sproc *p = g_new0(struct sproc, 1);
	p->refs = 1;            /* the caller's, put when it is done */
	p->id = new_process(s);
	p->maps = g_array_new(FALSE, FALSE, sizeof(struct smap));
	return p;
}

/* A task the trace never showed being created: a header task with a process. */
struct stask *task_root(struct st *s, uint32_t pid, uint64_t start)
{
	struct sproc *p = sproc_new(s);
	struct stask *t = task_new(s, pid, p, fdtab_new(), start);
	sproc_put(p);
	char *name = g_strdup_printf("pid %u", pid);
	oplog_header_add_process(s->imp->h, p->id, name);
	oplog_header_add_task(s->imp->h, t->id, name, p->id, -1, start);
	g_free(name);
	return t;
}

/* ---- writing ops ---------------------------------------------------------------------- */

void emit(struct st *s, struct stask *t, struct oplog_op *op, uint64_t issue, uint64_t dur)
{
	if (issue < t->last_issue)
		issue = t->last_issue;  /* a task's calls never overlap; clocks may jitter */
	op->task = t->id;
	op->issue = issue;
	op->think = issue > t->last_end ? issue - t->last_end : 0;
	importer_op(s->imp, op);
	t->last_issue = issue;
	if (issue + dur > t->last_end)
		t->last_end = issue + dur;
}
