/*
 * record_v2 — the recorder's operations of the scenario API's version 2
 * (SCENARIO_API.md "Additions"): Buffers (proc:alloc, buf:store, buf:load), direct
 * I/O from or into a Buffer and asynchronous direct I/O with its Io handle
 * (f:dio_write/f:dio_read{async = true}, io:wait), long-term pins.  Their lines are
 * op-log format version 2 (OPLOG.md): the writer names version 2 on the log's first
 * line as soon as one is written.
 *
 * As for pins, the handle the source gets for an asynchronous I/O is the recorder's:
 * it carries the id its dio line gave it (async=ioN), so that the io_wait line of
 * whichever task waits for it names the same id.  The recorder is only used on a
 * target that has these operations: run.c leaves out of the wrapper each one the
 * wrapped target lacks, so a source says "not supported by target" as it would
 * without the recorder.
 */
#include "replay/record_int.h"

#define BUF_IN(b) (((struct rec_buf *)(b))->in)
#define BUF_ID(b) (((struct rec_buf *)(b))->id)

struct target_buf *r_alloc(struct target *t, struct target_proc *p, uint64_t size)
{
	struct rec *rc = REC(t);
	struct rec_proc *rp = (struct rec_proc *)p;
	struct target_buf *in = rc->in->alloc(rc->t, rp->in, size);
	if (!in)
		return NULL;
	struct rec_buf *b = g_new(struct rec_buf, 1);
	b->in = in;
	b->id = ++rc->nbufs;
	g_ptr_array_add(rc->objs, b);
	if (!rc->r->header_written) {
		oplog_header_add_buffer(rc->r->h, b->id, rp->id, size);
	} else {
		struct oplog_op o = OP(OPL_ALLOC, .buf = b->id, .process = rp->id, .len = size);
		rec_put(rec_declarer(rc), &o);
	}
	return (struct target_buf *)b;
}

enum op_status r_buf_store(struct target_task *k, struct target_buf *b, uint64_t off,
			   uint64_t len)
{
	struct oplog_op o = OP(OPL_BUF_STORE, .buf = BUF_ID(b), .off = off, .len = len);
	rec_put(K(k), &o);
	return rec_done(K(k), K(k)->rec->in->buf_store(K(k)->in, BUF_IN(b), off, len));
}

enum op_status r_buf_load(struct target_task *k, struct target_buf *b, uint64_t off,
			  uint64_t len)
{
	struct oplog_op o = OP(OPL_BUF_LOAD, .buf = BUF_ID(b), .off = off, .len = len);
	rec_put(K(k), &o);
	return rec_done(K(k), K(k)->rec->in->buf_load(K(k)->in, BUF_IN(b), off, len));
}

enum op_status r_dio(struct target_task *k, const struct target_dio *d)
{
	struct rec *rc = K(k)->rec;
	K(k)->io_id = d->async ? ++rc->nios : 0;
	struct oplog_op o = OP(d->write ? OPL_DIO_WRITE : OPL_DIO_READ, .file = FILE_ID(d->f),
			       .off = d->off, .len = d->len, .map = d->map ? MAP_ID(d->map) : 0,
			       .buf = d->buf ? BUF_ID(d->buf) : 0,
			       .at = d->map || d->buf ? d->at : 0, .io = K(k)->io_id);
	rec_put(K(k), &o);
	struct target_dio in = *d;
	in.f = FILE_IN(d->f);
	in.map = d->map ? MAP_IN(d->map) : NULL;
	in.buf = d->buf ? BUF_IN(d->buf) : NULL;
	return rec_done(K(k), rc->in->dio(K(k)->in, &in));
}

struct target_io *r_result_io(struct target_task *k)
{
	struct rec *rc = K(k)->rec;
	struct target_io *in = rc->in->result_io(K(k)->in);
	if (!in)
		return NULL;
	struct rec_io *io = g_new(struct rec_io, 1);
	io->in = in;
	io->id = K(k)->io_id;
	g_hash_table_add(rc->live, io);
	return (struct target_io *)io;
}

enum op_status r_io_wait(struct target_task *k, struct target_io *io)
{
	struct rec *rc = K(k)->rec;
	struct rec_io *ri = (struct rec_io *)io;
	struct oplog_op o = OP(OPL_IO_WAIT, .io = ri->id);
	rec_put(K(k), &o);
	enum op_status s = rc->in->io_wait(K(k)->in, ri->in);
	/* The source never passes a waited-for I/O again (target.h). */
	g_hash_table_remove(rc->live, ri);
	return rec_done(K(k), s);
}

enum op_status r_pin_longterm(struct target_task *k, struct target_map *m, uint64_t off,
			      uint64_t len)
{
	struct rec *rc = K(k)->rec;
	K(k)->pin_id = ++rc->npins;
	struct oplog_op o = OP(OPL_PIN, .map = MAP_ID(m), .off = off, .len = len,
			       .pin = K(k)->pin_id, .longterm = true);
	rec_put(K(k), &o);
	return rec_done(K(k), rc->in->pin_longterm(K(k)->in, MAP_IN(m), off, len));
}
