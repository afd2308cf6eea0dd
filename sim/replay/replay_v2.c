/*
 * replay_v2 — the ops of op-log format version 2 replayed (OPLOG.md "Version 2"):
 * buffer stores and loads, direct I/O from or into a Buffer, asynchronous direct
 * I/O and io_wait.  Buffers (alloc, the header's buffer lines) are declared with the
 * rest of the world (replay_world.c), long-term pins with the others
 * (replay_task.c).
 *
 * An asynchronous I/O's line names its handle (async=ioN); the task that waits for
 * it (any task, once) names the same id.  The handle is the target's answer to the
 * submission: kept when the submission finishes (replay_v2_done), forgotten when
 * waited for.  A submission that failed here (and succeeded in the recorded run)
 * has no handle: its io_wait is skipped, as a program that checked the result would
 * skip it.  An io_wait that finds no such I/O is a race of the log's tasks that this
 * replay's order lost: the waiter got there before the submitter.
 */
#include "replay/replay_int.h"

#define KEY(id) GUINT_TO_POINTER(id)

bool replay_need(struct rtask *t, bool has)
{
	if (G_UNLIKELY(!has))
		replay_op_fail(t, "not supported by target '%s'", t->rp->ops->name);
	return has;
}

static enum op_status dio(struct rtask *t, const struct oplog_op *o)
{
	struct replay *rp = t->rp;
	struct target_dio d = {
		.write = o->kind == OPL_DIO_WRITE, .async = o->io != 0, .off = o->off,
		.len = o->len, .at = o->at,
	};
	struct rmap *m;
	struct rbuf *b;
	if (!replay_need(t, rp->ops->dio != NULL) || !(d.f = replay_file(t, o->file)))
		return OP_DONE;
	if (o->map) {
		if (!(m = replay_map(t, o->map)))
			return OP_DONE;
		d.map = m->m;
	}
	if (o->buf) {
		if (!(b = replay_buf(t, o->buf)))
			return OP_DONE;
		d.buf = b->b;
	}
	if (o->io)
		g_hash_table_insert(rp->ios, KEY(o->io), g_new0(struct rio, 1));
	return rp->ops->dio(t->k, &d);
}

static enum op_status io_wait(struct rtask *t, uint32_t id)
{
	struct replay *rp = t->rp;
	struct rio *io = g_hash_table_lookup(rp->ios, KEY(id));
	if (!io || io->state == IO_PENDING) {
		replay_op_fail(t, "io%u is not in flight at this point of the replay (its "
			       "submission has not been reached yet, or has not finished)", id);
		return OP_DONE;
	}
	enum op_status s = OP_DONE;
	if (io->state == IO_INFLIGHT && replay_need(t, rp->ops->io_wait != NULL))
		s = rp->ops->io_wait(t->k, io->io);
	g_hash_table_remove(rp->ios, KEY(id));
	return s;
}

enum op_status replay_v2_issue(struct rtask *t)
{
	struct replay *rp = t->rp;
	const struct oplog_op *o = &t->op;
	struct rbuf *b;
	switch (o->kind) {
	case OPL_BUF_STORE:
		if (!replay_need(t, rp->ops->buf_store != NULL) || !(b = replay_buf(t, o->buf)))
			return OP_DONE;
		return rp->ops->buf_store(t->k, b->b, o->off, o->len);
	case OPL_BUF_LOAD:
		if (!replay_need(t, rp->ops->buf_load != NULL) || !(b = replay_buf(t, o->buf)))
			return OP_DONE;
		return rp->ops->buf_load(t->k, b->b, o->off, o->len);
	case OPL_DIO_WRITE:
	case OPL_DIO_READ:
		return dio(t, o);
	case OPL_IO_WAIT:
		return io_wait(t, o->io);
	default:
		g_assert_not_reached();
	}
}

/* The submission of an asynchronous I/O finished: its handle, or its failure. */
void replay_v2_done(struct rtask *t)
{
	const struct oplog_op *o = &t->op;
	if (o->kind != OPL_DIO_WRITE && o->kind != OPL_DIO_READ)
		return;
	struct rio *io = g_hash_table_lookup(t->rp->ios, KEY(o->io));
	if (!io)
		return;
	const struct target_ops *ops = t->rp->ops;
	io->io = ops->result(t->k) == 0 ? ops->result_io(t->k) : NULL;
	io->state = io->io ? IO_INFLIGHT : IO_FAILED;
}
