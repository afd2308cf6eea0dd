/*
 * replay_world — the objects a replay has made, found by the ids the log gives them,
 * and declaring them on the target: the header's before the run, a task's when it
 * reaches the line that declares them.
 *
 * oplog_check has seen every id declared once and before its uses in the file's
 * order; a replay may run the tasks in another order (another policy, another
 * timing), so a lookup can still find nothing: a task uses a file, a mapping or a
 * task another one declares, before that one got there.  That is the log's race,
 * not the replay's, and it stops the run with the line that met it.  Mappings and
 * pins leave their tables when unmapped or released, so a log of ten million
 * mmap/munmap pairs holds one at a time.
 */
#include "replay/replay_int.h"

#define KEY(id) GUINT_TO_POINTER(id)

void replay_world_init(struct replay *rp)
{
	rp->files = g_hash_table_new(NULL, NULL);
	rp->procs = g_hash_table_new(NULL, NULL);
	rp->maps = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	rp->pins = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	rp->events = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	rp->tasks = g_hash_table_new_full(NULL, NULL, NULL, rtask_free);
	rp->bufs = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	rp->ios = g_hash_table_new_full(NULL, NULL, NULL, g_free);
}

void replay_world_clear(struct replay *rp)
{
	g_clear_pointer(&rp->files, g_hash_table_destroy);
	g_clear_pointer(&rp->procs, g_hash_table_destroy);
	g_clear_pointer(&rp->maps, g_hash_table_destroy);
	g_clear_pointer(&rp->pins, g_hash_table_destroy);
	g_clear_pointer(&rp->events, g_hash_table_destroy);
	g_clear_pointer(&rp->tasks, g_hash_table_destroy);
	g_clear_pointer(&rp->bufs, g_hash_table_destroy);
	g_clear_pointer(&rp->ios, g_hash_table_destroy);
}

/* ---- declaring ------------------------------------------------------------------------ */

/* Each returns false when the run must stop (the error is recorded). */

static bool declare_file(struct replay *rp, uint32_t id, const char *name, uint64_t size,
			 const char *where)
{
	struct target_file *f = rp->ops->file(rp->t, name, size);
	if (!f) {
		replay_fail(rp, SCENARIO_ERROR_RUNTIME, "%s: file f%u (\"%s\", %" G_GUINT64_FORMAT
			    " bytes): the target cannot have it (the files declared so far use up "
			    "what it has)", where, id, name, size);
		return false;
	}
	g_hash_table_insert(rp->files, KEY(id), f);
	return true;
}

static bool declare_process(struct replay *rp, uint32_t id, const char *name, const char *where)
{
	char fallback[32];
	if (!name || !*name) {
		g_snprintf(fallback, sizeof(fallback), "process%u", id);
		name = fallback;
	}
	struct target_proc *p = rp->ops->process(rp->t, name);
	if (!p) {
		/* The kernel's target forks its processes before the tasks start: one that a
		 * task declares (a fork strace saw) is refused, with its reason quoted. */
		replay_fail(rp, SCENARIO_ERROR_RUNTIME, "%s: process p%u (\"%s\"): target '%s' "
			    "refused it", where, id, name, rp->ops->name);
		return false;
	}
	g_hash_table_insert(rp->procs, KEY(id), p);
	return true;
}

static void declare_map(struct replay *rp, uint32_t id, struct target_proc *p, uint32_t process,
			struct target_file *f, uint64_t off, uint64_t size)
{
	struct rmap *m = g_new(struct rmap, 1);
	m->m = rp->ops->mmap(rp->t, p, f, off, size);
	m->process = process;
	g_hash_table_insert(rp->maps, KEY(id), m);
}

/* A Buffer (format version 2); @where names the line for a message. */
static bool declare_buf(struct replay *rp, uint32_t id, uint32_t process, uint64_t size,
			const char *where, const char *op)
{
	struct target_proc *p = g_hash_table_lookup(rp->procs, KEY(process));
	struct target_buf *b = NULL;
	if (!rp->ops->alloc)
		replay_fail(rp, SCENARIO_ERROR_INPUT, "%s: %s: not supported by target '%s'", where,
			    op, rp->ops->name);
	else if (!p)
		replay_fail(rp, SCENARIO_ERROR_RUNTIME, "%s: %s: p%u is not declared at this point "
			    "of the replay (the task that declares it has not reached its line "
			    "yet)", where, op, process);
	else if (!(b = rp->ops->alloc(rp->t, p, size)))
		replay_fail(rp, SCENARIO_ERROR_RUNTIME, "%s: %s: b%u: cannot allocate %"
			    G_GUINT64_FORMAT " bytes", where, op, id, size);
	if (!b)
		return false;
	struct rbuf *rb = g_new(struct rbuf, 1);
	rb->b = b;
	rb->process = process;
	g_hash_table_insert(rp->bufs, KEY(id), rb);
	return true;
}

static void declare_event(struct replay *rp, uint32_t id)
{
	struct revent *ev = g_new0(struct revent, 1);
	ev->id = id;
	g_hash_table_insert(rp->events, KEY(id), ev);
}

static struct rtask *declare_task(struct replay *rp, uint32_t id, const char *name,
				  uint32_t process, int cpu, uint64_t start, uint64_t pos,
				  uint64_t line, bool gated)
{
	struct rtask *t = rtask_new(rp, id, name, process, pos, line);
	t->gated = gated;
	struct target_proc *p = process ? g_hash_table_lookup(rp->procs, KEY(process)) : NULL;
	t->k = rp->ops->spawn(rp->t, name, p, cpu, start, t);
	if (!t->k) {
		/* The kernel's target starts its workers with the run: a task spawned by a
		 * task is refused, with its reason quoted. */
		replay_fail(rp, SCENARIO_ERROR_RUNTIME, "%s:%" G_GUINT64_FORMAT ": task t%u (\"%s\"): "
			    "target '%s' refused it", rp->o->path, line, id, name, rp->ops->name);
		rtask_free(t);
		return NULL;
	}
	g_hash_table_insert(rp->tasks, KEY(id), t);
	return t;
}

void replay_world_declare(struct replay *rp)
{
	const struct oplog_header *h = rp->h;
	const char *path = rp->o->path;
	for (guint i = 0; i < h->files->len; i++) {
		const struct oplog_file *f = &g_array_index(h->files, struct oplog_file, i);
		char *where = g_strdup_printf("%s:%" G_GUINT64_FORMAT, path, f->line);
		bool ok = declare_file(rp, f->id, f->name, f->size, where);
		g_free(where);
		if (!ok)
			return;
	}
	for (guint i = 0; i < h->processes->len; i++) {
		const struct oplog_process *p = &g_array_index(h->processes, struct oplog_process, i);
		char *where = g_strdup_printf("%s:%" G_GUINT64_FORMAT, path, p->line);
		bool ok = declare_process(rp, p->id, p->name, where);
		g_free(where);
		if (!ok)
			return;
	}
	for (guint i = 0; i < h->maps->len; i++) {
		const struct oplog_map *m = &g_array_index(h->maps, struct oplog_map, i);
		declare_map(rp, m->id, g_hash_table_lookup(rp->procs, KEY(m->process)), m->process,
			    g_hash_table_lookup(rp->files, KEY(m->file)), m->offset, m->size);
	}
	for (guint i = 0; i < h->buffers->len; i++) {
		const struct oplog_buffer *b = &g_array_index(h->buffers, struct oplog_buffer, i);
		char *where = g_strdup_printf("%s:%" G_GUINT64_FORMAT, path, b->line);
		bool ok = declare_buf(rp, b->id, b->process, b->size, where, "buffer");
		g_free(where);
		if (!ok)
			return;
	}
	for (guint i = 0; i < h->events->len; i++)
		declare_event(rp, g_array_index(h->events, struct oplog_event, i).id);
	/* Tasks last, in the header's order: the order a machine numbers them in, and
	 * the order their first steps are scheduled in at the same instant. */
	for (guint i = 0; i < h->tasks->len; i++) {
		const struct oplog_task *t = &g_array_index(h->tasks, struct oplog_task, i);
		declare_task(rp, t->id, t->name, t->process, t->cpu, t->start, 0, 0, false);
	}
	if (rp->ops->upfront && !rp->error)
		replay_world_upfront(rp);
}

/*
 * Up front: a target that forks its processes and starts its workers before the run
 * (the kernel's) cannot take a process or a task that a task declares while running
 * (a fork strace saw).  So every task's lines are read once before the run, and the
 * files, processes and tasks they declare are declared now, in the order met.  A
 * task so declared starts at once and waits, gated, until its spawner reaches the
 * spawn line (replay_declare_op opens the gate); then it waits the spawn's delay, as
 * a task spawned there would have.  Order between tasks is kept; only what the run
 * could not have (a join on a task not spawned yet) waits instead of failing.
 */
static gint by_id(gconstpointer a, gconstpointer b)
{
	/* g_ptr_array_sort hands pointers to the elements */
	uint32_t x = (*(struct rtask *const *)a)->id, y = (*(struct rtask *const *)b)->id;
	return x < y ? -1 : x > y;
}

void replay_world_upfront(struct replay *rp)
{
	GQueue todo = G_QUEUE_INIT;
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, rp->tasks);
	GPtrArray *first = g_ptr_array_new();
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(first, v);
	/* The header's tasks in id order: the hash table's order is not the log's. */
	g_ptr_array_sort(first, by_id);
	for (guint i = 0; i < first->len; i++)
		g_queue_push_tail(&todo, first->pdata[i]);
	g_ptr_array_free(first, TRUE);
	while (!rp->error && !g_queue_is_empty(&todo)) {
		struct rtask *t = g_queue_pop_head(&todo);
		struct oplog_cursor *c = oplog_cursor_new(rp->log, t->id, t->pos0, t->line0);
		struct oplog_op o;
		GError *e = NULL;
		int got = 0;
		while (!rp->error && (got = oplog_cursor_next(c, &o, &e)) > 0) {
			char *where = g_strdup_printf("%s:%" G_GUINT64_FORMAT, rp->o->path, o.line);
			if (o.kind == OPL_FILE && !g_hash_table_contains(rp->files, KEY(o.file)))
				declare_file(rp, o.file, o.name, o.len, where);
			else if (o.kind == OPL_PROCESS && !g_hash_table_contains(rp->procs, KEY(o.process)))
				declare_process(rp, o.process, o.name, where);
			else if (o.kind == OPL_SPAWN && o.process &&
				 !g_hash_table_contains(rp->procs, KEY(o.process)))
				/* declared by another task, one this reading has not reached:
				 * which comes first is only known when running */
				replay_fail(rp, SCENARIO_ERROR_RUNTIME, "%s: spawn t%u: its process p%u "
					    "is declared by another task, which target '%s' needs "
					    "before the run (it declares them up front)", where,
					    o.target, o.process, rp->ops->name);
			else if (o.kind == OPL_SPAWN && !g_hash_table_contains(rp->tasks, KEY(o.target))) {
				struct rtask *n = declare_task(rp, o.target, o.name, o.process, o.cpu, 0,
							       o.next_pos, o.line, true);
				if (n) {
					n->gate_at = o.at;
					n->spawn_line = o.line;
					g_queue_push_tail(&todo, n);
				}
			}
			g_free(where);
		}
		if (got < 0) {
			replay_fail(rp, SCENARIO_ERROR_INPUT, "%s", e->message);
			g_error_free(e);
		}
		oplog_cursor_free(c);
	}
	g_queue_clear(&todo);
}

void replay_declare_op(struct rtask *t)
{
	struct replay *rp = t->rp;
	const struct oplog_op *o = &t->op;
	switch (o->kind) {
	case OPL_FILE: {
		if (rp->ops->upfront && g_hash_table_contains(rp->files, KEY(o->file)))
			break;          /* declared up front */
		char *where = g_strdup_printf("%s:%" G_GUINT64_FORMAT, rp->o->path, o->line);
		declare_file(rp, o->file, o->name, o->len, where);
		g_free(where);
		break;
	}
	case OPL_PROCESS: {
		if (rp->ops->upfront && g_hash_table_contains(rp->procs, KEY(o->process)))
			break;          /* declared up front */
		char *where = g_strdup_printf("%s:%" G_GUINT64_FORMAT, rp->o->path, o->line);
		declare_process(rp, o->process, o->name, where);
		g_free(where);
		break;
	}
	case OPL_MMAP: {
		struct target_proc *p = g_hash_table_lookup(rp->procs, KEY(o->process));
		struct target_file *f = replay_file(t, o->file);
		if (!p)
			replay_op_fail(t, "p%u is not declared at this point of the replay (the task "
				       "that declares it has not reached its line yet)", o->process);
		else if (f)
			declare_map(rp, o->map, p, o->process, f, o->off, o->len);
		break;
	}
	case OPL_EVENT:
		declare_event(rp, o->event);
		break;
	case OPL_ALLOC: {
		char *where = g_strdup_printf("%s:%" G_GUINT64_FORMAT, rp->o->path, o->line);
		char *op = g_strdup_printf("alloc (task '%s', t%u)", t->name, t->id);
		declare_buf(rp, o->buf, o->process, o->len, where, op);
		g_free(op);
		g_free(where);
		break;
	}
	case OPL_SPAWN: {
		if (o->process && !g_hash_table_lookup(rp->procs, KEY(o->process))) {
			replay_op_fail(t, "p%u is not declared at this point of the replay (the task "
				       "that declares it has not reached its line yet)", o->process);
			break;
		}
		struct rtask *n = g_hash_table_lookup(rp->tasks, KEY(o->target));
		if (rp->ops->upfront && n && n->gated && !n->gate.set) {
			n->gate.set = true;     /* declared up front: let it go */
			rp->ops->wake(rp->t, &n->gate);
			break;
		}
		/* The new task's cursor starts after this line, where its ops may begin. */
		declare_task(rp, o->target, o->name, o->process, o->cpu, o->at, o->next_pos, o->line,
			     false);
		break;
	}
	default:
		g_assert_not_reached();
	}
}

/* ---- finding ---------------------------------------------------------------------------- */

struct target_file *replay_file_slow(struct rtask *t, uint32_t id)
{
	struct target_file *f = g_hash_table_lookup(t->rp->files, KEY(id));
	if (!f) {
		replay_op_fail(t, "f%u is not declared at this point of the replay (the task that "
			       "declares it has not reached its line yet)", id);
		return NULL;
	}
	t->file_id = id;
	t->file = f;
	return f;
}

struct rmap *replay_map(struct rtask *t, uint32_t id)
{
	struct rmap *m = g_hash_table_lookup(t->rp->maps, KEY(id));
	if (!m)
		replay_op_fail(t, "m%u is not mapped at this point of the replay (its mmap has not "
			       "been reached yet, or another task unmapped it first)", id);
	return m;
}

struct rtask *replay_task(struct rtask *t, uint32_t id)
{
	struct rtask *o = g_hash_table_lookup(t->rp->tasks, KEY(id));
	if (!o)
		replay_op_fail(t, "t%u has not been spawned at this point of the replay (the task "
			       "that spawns it has not reached its line yet)", id);
	return o;
}

struct rbuf *replay_buf(struct rtask *t, uint32_t id)
{
	struct rbuf *b = g_hash_table_lookup(t->rp->bufs, KEY(id));
	if (!b)
		replay_op_fail(t, "b%u is not allocated at this point of the replay (the task that "
			       "allocates it has not reached its line yet)", id);
	return b;
}

struct revent *replay_event(struct rtask *t, uint32_t id)
{
	struct revent *ev = g_hash_table_lookup(t->rp->events, KEY(id));
	if (!ev)
		replay_op_fail(t, "ev%u is not declared at this point of the replay (the task that "
			       "declares it has not reached its line yet)", id);
	return ev;
}
