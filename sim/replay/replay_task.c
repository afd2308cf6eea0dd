/*
 * replay_task — one logged task replayed: its cursor yields its lines, in order;
 * each op waits for its time, then goes to the target.
 *
 * The target resumes a task whenever it may continue (at its start, when an op that
 * blocked has finished, when a timing sleep is over), and the task then issues ops
 * for as long as they finish at once, the way a Lua task's loop runs until a call
 * blocks: a run of pwrites that never wait is one resume, a line read and an op
 * each.  Timing (OPLOG.md): with --timing think (closed loop) the task sleeps the
 * op's think time after its previous op completed; with --timing issue (open loop)
 * it sleeps until the op's issue time, if that is still ahead.  A log recorded from
 * a scenario has no think time at all, so its replay issues the same calls at the
 * same instants in the same order as the scenario did.
 *
 * Synchronisation keeps the order in which tasks met, whatever the timing: an
 * event_wait waits until the event is set (at once if it is), a join until the
 * task has exited, and a spawn starts the new task's cursor after the spawn line.
 */
#include "replay/replay_int.h"

#include <stdarg.h>

struct rtask *rtask_new(struct replay *rp, uint32_t id, const char *name, uint32_t process,
			uint64_t pos, uint64_t line)
{
	struct rtask *t = g_new0(struct rtask, 1);
	t->rp = rp;
	t->id = id;
	t->name = g_strdup(name);
	t->process = process;
	t->cur = oplog_cursor_new(rp->log, id, pos, line);
	t->pos0 = pos;
	t->line0 = line;
	return t;
}

void rtask_free(gpointer p)
{
	struct rtask *t = p;
	oplog_cursor_free(t->cur);
	g_free(t->name);
	g_free(t);
}

void replay_op_fail(struct rtask *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	replay_fail(t->rp, SCENARIO_ERROR_RUNTIME, "%s:%" G_GUINT64_FORMAT ": %s: %s (task '%s', "
		    "t%u)", t->rp->o->path, t->op.line, oplog_kind_name(t->op.kind), msg, t->name,
		    t->id);
	g_free(msg);
}

/* The task's lines are over (its exit, or the end of the log): it ends, and its
 * cursor's buffer goes with it. */
static void task_end(struct rtask *t)
{
	t->done = true;
	t->rp->ops->exit(t->k);
	oplog_cursor_free(t->cur);
	t->cur = NULL;
}

/* ---- pins ---------------------------------------------------------------------------- */

#define KEY(id) GUINT_TO_POINTER(id)

/*
 * A pin whose pinning failed here (EIO) while it succeeded in the recorded run has
 * no target pin: its writes and its release are skipped, as a program that checked
 * the result would skip them.  One not pinned yet, or released already, is a race
 * of the log's tasks that this replay's order lost.
 */
static struct rpin *pin_of(struct rtask *t, uint32_t id)
{
	struct rpin *p = g_hash_table_lookup(t->rp->pins, KEY(id));
	if (!p || p->state == PIN_PENDING)
		replay_op_fail(t, "pin%u is not held at this point of the replay (its pin has not "
			       "been reached yet, or it was released already)", id);
	return p && p->state != PIN_PENDING ? p : NULL;
}

static enum op_status do_pin(struct rtask *t, const struct oplog_op *o)
{
	struct replay *rp = t->rp;
	struct rmap *m = replay_map(t, o->map);
	if (!m)
		return OP_DONE;
	if (o->longterm && !replay_need(t, rp->ops->pin_longterm != NULL))
		return OP_DONE;
	struct rpin *p = g_new0(struct rpin, 1);
	g_hash_table_insert(rp->pins, KEY(o->pin), p);
	/* A long-term pin refused (EFAULT) is a failed pin: nothing follows it. */
	return o->longterm ? rp->ops->pin_longterm(t->k, m->m, o->off, o->len)
			   : rp->ops->pin(t->k, m->m, o->off, o->len);
}

/* ---- one op ------------------------------------------------------------------------------ */

static enum op_status issue(struct rtask *t)
{
	struct replay *rp = t->rp;
	const struct target_ops *ops = rp->ops;
	const struct oplog_op *o = &t->op;
	struct target_task *k = t->k;
	struct target_file *f;
	struct rmap *m;
	struct rpin *p;
	switch (o->kind) {
	case OPL_PWRITE:
		return (f = replay_file(t, o->file)) ? ops->pwrite(k, f, o->off, o->len) : OP_DONE;
	case OPL_PREAD:
		return (f = replay_file(t, o->file)) ? ops->pread(k, f, o->off, o->len) : OP_DONE;
	case OPL_FSYNC:
	case OPL_FDATASYNC:
		return (f = replay_file(t, o->file)) ? ops->fsync(k, f, o->kind == OPL_FDATASYNC)
						     : OP_DONE;
	case OPL_SYNC_RANGE:
		return (f = replay_file(t, o->file)) ? ops->sync_range(k, f, o->off, o->len, o->how)
						     : OP_DONE;
	case OPL_DIO_WRITE:
		if (o->buf || o->io)
			return replay_v2_issue(t);
		if (!(f = replay_file(t, o->file)))
			return OP_DONE;
		if (!o->map)
			return ops->dio_write(k, f, o->off, o->len, NULL, 0);
		return (m = replay_map(t, o->map)) ? ops->dio_write(k, f, o->off, o->len, m->m, o->at)
						   : OP_DONE;
	case OPL_DIO_READ:
		if (o->buf || o->io)
			return replay_v2_issue(t);
		return (f = replay_file(t, o->file)) ? ops->dio_read(k, f, o->off, o->len) : OP_DONE;
	case OPL_STORE:
		return (m = replay_map(t, o->map)) ? ops->store(k, m->m, o->off, o->len) : OP_DONE;
	case OPL_LOAD:
		return (m = replay_map(t, o->map)) ? ops->load(k, m->m, o->off, o->len) : OP_DONE;
	case OPL_MSYNC:
		return (m = replay_map(t, o->map)) ? ops->msync(k, m->m, o->off, o->len) : OP_DONE;
	case OPL_UNMAP:
		if ((m = replay_map(t, o->map))) {
			enum op_status s = ops->munmap(k, m->m);
			g_hash_table_remove(rp->maps, KEY(o->map));
			return s;
		}
		return OP_DONE;
	case OPL_PIN:
		return do_pin(t, o);
	case OPL_PIN_WRITE:
		if (!(p = pin_of(t, o->pin)) || p->state == PIN_FAILED)
			return OP_DONE;
		return ops->pin_write(k, p->p, o->off, o->len);
	case OPL_PIN_RELEASE: {
		enum op_status s = OP_DONE;
		if ((p = pin_of(t, o->pin)) && p->state == PIN_HELD)
			s = ops->pin_release(k, p->p);
		if (p)
			g_hash_table_remove(rp->pins, KEY(o->pin));
		return s;
	}
	case OPL_SYNC:
		return ops->sync(k);
	case OPL_SLEEP:
		return ops->sleep(k, o->len);
	case OPL_YIELD:
		return ops->sleep(k, 0);
	case OPL_EVENT_SET: {
		struct revent *ev = replay_event(t, o->event);
		if (ev && !ev->set) {
			ev->set = true;
			ops->wake(rp->t, ev);
		}
		return OP_DONE;
	}
	case OPL_EVENT_WAIT: {
		struct revent *ev = replay_event(t, o->event);
		if (!ev)
			return OP_DONE;
		if (ev->set) {
			/* met at once, as the source's wait was: a recorder still sees it */
			if (ops->wait_met)
				ops->wait_met(k, ev);
			return OP_DONE;
		}
		t->wait = RW_EVENT;
		t->wait_id = o->event;
		return ops->wait_on(k, ev);
	}
	case OPL_JOIN: {
		struct rtask *other = replay_task(t, o->target);
		if (!other)
			return OP_DONE;
		if (ops->is_done(other->k)) {
			if (ops->wait_met)
				ops->wait_met(k, other->k);
			return OP_DONE;
		}
		t->wait = RW_JOIN;
		t->wait_id = o->target;
		return ops->wait_on(k, other->k);
	}
	case OPL_EXIT:
		task_end(t);
		return OP_DONE;
	case OPL_BUF_STORE:
	case OPL_BUF_LOAD:
	case OPL_IO_WAIT:
		return replay_v2_issue(t);
	case OPL_FILE:
	case OPL_PROCESS:
	case OPL_MMAP:
	case OPL_EVENT:
	case OPL_SPAWN:
	case OPL_ALLOC:
		replay_declare_op(t);
		return OP_DONE;
	case OPL__COUNT:
		break;
	}
	g_assert_not_reached();
}

/* What an op left behind when it finished: a pin's, an asynchronous I/O's handle. */
static void op_done(struct rtask *t)
{
	t->wait = RW_NONE;
	if (t->op.io)
		replay_v2_done(t);
	if (t->op.kind != OPL_PIN)
		return;
	struct rpin *p = g_hash_table_lookup(t->rp->pins, KEY(t->op.pin));
	if (!p)
		return;
	bool ok = t->rp->ops->result(t->k) == 0;
	p->p = ok ? t->rp->ops->result_pin(t->k) : NULL;
	p->state = ok ? PIN_HELD : PIN_FAILED;
}

/* The next line of the task into t->op; false when there is none (the task has
 * ended) or it cannot be read (the run stops). */
static bool next_op(struct rtask *t)
{
	GError *e = NULL;
	int got = oplog_cursor_next(t->cur, &t->op, &e);
	if (G_LIKELY(got > 0))
		return true;
	if (got < 0) {
		replay_fail(t->rp, SCENARIO_ERROR_INPUT, "%s", e->message);
		g_error_free(e);
		return false;
	}
	task_end(t);
	return false;
}

/* How long the op waits before it is issued. */
static inline uint64_t delay(struct rtask *t)
{
	if (!t->rp->issue_timing)
		return t->op.think;
	uint64_t now = t->rp->ops->now(t->rp->t);
	return t->op.issue > now ? t->op.issue - now : 0;
}

void replay_resume(void *data)
{
	struct rtask *t = data;
	struct replay *rp = t->rp;
	if (rp->error || t->done)
		return;
	if (G_UNLIKELY(t->gated)) {
		/* Declared up front: not begun until its spawner reaches the spawn line. */
		if (!t->gate.set) {
			t->wait = RW_SPAWN;
			if (rp->ops->wait_on(t->k, &t->gate) == OP_BLOCKED)
				return;
		}
		t->gated = false;
		t->wait = RW_NONE;
		if (t->gate_at && rp->ops->sleep(t->k, t->gate_at) == OP_BLOCKED)
			return;
	}
	for (;;) {
		if (t->state == RS_ISSUED) {
			op_done(t);
			t->state = RS_NEXT;
		}
		if (t->state == RS_NEXT) {
			if (!next_op(t))
				return;
			t->state = RS_TIMED;
			uint64_t d = delay(t);
			if (d && rp->ops->sleep(t->k, d) == OP_BLOCKED)
				return;
		}
		enum op_status s = issue(t);
		if (G_UNLIKELY(rp->error || t->done))
			return;
		t->state = RS_ISSUED;
		if (s == OP_BLOCKED)
			return;
	}
}

char *replay_describe_wait(struct rtask *t)
{
	struct replay *rp = t->rp;
	char *at = g_strdup_printf("%s:%" G_GUINT64_FORMAT, rp->o->path, t->op.line);
	char *r;
	if (t->wait == RW_EVENT) {
		r = g_strdup_printf("task '%s' (t%u) at %s waits for event ev%u, which no task sets",
				    t->name, t->id, at, t->wait_id);
	} else if (t->wait == RW_SPAWN) {
		r = g_strdup_printf("task '%s' (t%u) waits to be spawned at %s:%" G_GUINT64_FORMAT
				    ", a line its spawner has not reached", t->name, t->id, rp->o->path,
				    t->spawn_line);
	} else if (t->wait == RW_JOIN) {
		struct rtask *o = g_hash_table_lookup(rp->tasks, KEY(t->wait_id));
		r = g_strdup_printf("task '%s' (t%u) at %s waits for task '%s' (t%u) to finish",
				    t->name, t->id, at, o ? o->name : "?", t->wait_id);
	} else {
		char *d = rp->ops->describe_wait(t->k);
		r = g_strdup_printf("task '%s' (t%u) at %s: %s", t->name, t->id, at, d);
		g_free(d);
	}
	g_free(at);
	return r;
}
