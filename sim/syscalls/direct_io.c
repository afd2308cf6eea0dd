/*
 * dio — O_DIRECT.  A direct write flushes and waits on the destination range in the
 * page cache, invalidates it, pins its source buffer (when that is a mapping), sends
 * the data straight to the device, waits, unpins, and invalidates again
 * (iomap_dio_rw + kiocb_invalidate_post_direct_write).  A cached page that cannot be
 * invalidated — pinned, dirtied again, under I/O — stays behind, possibly stale.
 *
 * The buffer is a mapping of a file, a Buffer (anonymous memory, mm/anon.c), or
 * neither (anonymous memory nothing else touches).  The device reads a write's source
 * pages at its DMA instant, so a store into them in between changes what it gets: a
 * checksum error on an integrity device, the newer bytes on any other.  A direct read
 * into a Buffer gives its pages the blocks' content.
 *
 * An asynchronous call (io_submit, io_uring) does the same up to the submission, then
 * returns its kiocb; the last completion finishes it (unpin, invalidate, the latency
 * from the call to that completion), and io:wait collects the result.
 */
#include "syscalls/syscalls.h"

enum { D_ENTRY, D_WRITE, D_WAIT, D_INVALIDATE, D_PIN, D_PREP, D_SUBMIT, D_IO, D_DONE };

/* ---- kiocbs ------------------------------------------------------------------------ */

static struct kiocb *kiocb_new(struct kernel *k, struct task *t, struct op *op, bool write)
{
	struct kiocb *io = k->free_iocbs;
	if (io)
		k->free_iocbs = io->next;
	else
		io = g_new(struct kiocb, 1);
	*io = (struct kiocb){
		.k = k, .t = t, .file = op->file, .first = op->first, .last = op->last,
		.src_pin = op->src_pin, .buf = op->buf, .started = op->started,
		.len = op->len, .write = write, .async = op->async, .bounce = op->bounce,
	};
	if (op->buf)
		io->buf_pages = pages_of(op->buf_off, op->len, &io->buf_first);
	io->next = k->iocbs;
	if (io->next)
		io->next->prev = io;
	k->iocbs = io;
	op->src_pin = NULL;     /* the kiocb's now */
	return io;
}

static void kiocb_free(struct kernel *k, struct kiocb *io)
{
	if (io->prev)
		io->prev->next = io->next;
	else
		k->iocbs = io->next;
	if (io->next)
		io->next->prev = io->prev;
	io->next = k->free_iocbs;
	k->free_iocbs = io;
}

void dio_destroy(struct kernel *k)
{
	for (struct kiocb **list = &k->iocbs; list; list = list == &k->iocbs ? &k->free_iocbs : NULL)
		while (*list) {
			struct kiocb *io = *list;
			*list = io->next;
			g_free(io);
		}
}

/* Page @idx of the file range's buffer page: page j of the range takes page j of the
 * buffer (an unaligned buffer straddles two pages and the first stands for both). */
static uint64_t buf_index(const struct kiocb *io, uint64_t first, uint64_t n, uint64_t idx)
{
	return first + MIN(idx - io->first, n - 1);
}

/* invalidate_inode_pages2_range; returns the pages that stayed. */
static unsigned invalidate_range(struct kernel *k, struct task *t, struct file *f,
				 uint64_t first, uint64_t last)
{
	unsigned stayed = 0;
	uint64_t idx = first;
	while (xa_find_tag(&f->xa, &idx, last, XA_PRESENT)) {
		struct blk *b = &f->blocks[idx];
		if (b->page && !remove_from_page_cache(k->mm, b->page)) {
			stayed++;
			TRACE(k->tr, t, "dio_invalidate_fail", "ino=%d index=%" G_GUINT64_FORMAT
			      "%s%s%s", f->ino, idx, b->page->pincount ? " pinned" : "",
			      b->page->flags & PG_dirty ? " dirty" : "",
			      b->page->flags & PG_writeback ? " writeback" : "");
		}
		idx++;
	}
	return stayed;
}

/* The last request of an asynchronous call completed: what the issuer would have
 * done after waiting (iomap_dio_complete, run from the completion). */
static void aio_complete(struct kernel *k, struct kiocb *io)
{
	if (io->src_pin) {
		pin_release(k->mm, io->src_pin);
		io->src_pin = NULL;
	}
	if (io->write)
		invalidate_range(k, NULL, io->file, io->first, io->last);
	if (io->write && !io->result)
		k->m->dio_write_bytes += io->len;
	/* After the workload ended (a duration cut it short) nobody is timing it, as
	 * nobody times a synchronous call its frozen task never returns from. */
	if (!k->wb->final_phase)
		metrics_latency(k->m, io->write ? OPK_DIO_WRITE : OPK_READ,
				engine_now(k->eng) - io->started);
}

static void end_dio(struct request *rq)
{
	struct kiocb *io = rq->private;
	struct kernel *k = io->k;
	uint64_t idx = rq->sector - io->file->base_sector;
	if (rq->status)
		io->result = -WBSIM_EIO;
	for (unsigned i = 0; i < rq->nr; i++, idx++) {
		struct bvec *v = &rq->vec[i];
		if (rq->op == REQ_OP_READ) {
			oracle_read(k->oracle, io->t, v->dst, v->data);
			if (io->buf)    /* the DMA into the Buffer */
				io->buf->pages[buf_index(io, io->buf_first, io->buf_pages, idx)].content = v->data;
			continue;
		}
		if (!rq->status) {
			/* No integrity check stopped it: the device took whatever the
			 * buffer held at DMA (the program raced its own I/O). */
			if (v->data != v->guard)
				TRACE(k->tr, NULL, "dio_source_changed", "ino=%d index=%" G_GUINT64_FORMAT
				      " submitted=%" G_GUINT64_FORMAT " dma=%" G_GUINT64_FORMAT,
				      io->file->ino, idx, v->guard, v->data);
			oracle_dio_write(k->oracle, io->t, v->dst, v->intended);
		}
		if (v->page && (v->page->flags & PG_bounce))
			page_put(k->mm, v->page);
	}
	if (rq->op == REQ_OP_READ && io->bounce)
		dio_bounce_read_end(k, rq->nr);
	request_free(rq);
	if (--io->pending)
		return;
	io->done = true;
	if (io->async)
		aio_complete(k, io);
	wake_up_key(k->sched, io);
}

/* ---- submission ---------------------------------------------------------------------- */

/* Build and send the requests: at most max_request bytes each.  Their CPU time
 * (dio_cpu_cost) is already paid. */
static void dio_submit(struct kernel *k, struct kiocb *io)
{
	struct file *f = io->file;
	bool write = io->write;
	unsigned max = dio_max_pages(k);
	uint64_t idx = io->first;

	while (idx <= io->last) {
		unsigned n = (unsigned)MIN((uint64_t)max, io->last - idx + 1);
		struct request *rq = request_alloc(k->dev, n);
		rq->op = write ? REQ_OP_WRITE : REQ_OP_READ;
		rq->dio = true;
		rq->file = f;
		rq->sector = f->base_sector + idx;
		rq->nr = n;
		rq->end_io = end_dio;
		rq->private = io;
		if (!write && io->bounce)
			dio_bounce_read_submit(k, n);
		for (unsigned i = 0; i < n; i++, idx++) {
			struct bvec *v = &rq->vec[i];
			*v = (struct bvec){ .dst = blk_get(f, idx) };
			if (!write)
				continue;
			/* The source buffer: a pinned page of a mapping, a page of a Buffer,
			 * or anonymous memory nothing else changes.  Its content at
			 * submission is the guard; the device compares it with the content
			 * at DMA. */
			if (io->src_pin)
				v->page = io->src_pin->pages[buf_index(io, 0, io->src_pin->nr_pages, idx)];
			else if (io->buf)
				v->page = &io->buf->pages[buf_index(io, io->buf_first, io->buf_pages, idx)];
			if (io->bounce)
				v->page = dio_bounce_write_page(k, v);
		}
		io->pending++;
		submit_request(k->dev, rq);
	}
}

static enum op_status dio_common(struct kernel *k, struct task *t, struct op *op, bool write)
{
	struct file *f = op->file;
	bool forked_too = policy_sync_waits(k->policy, k->owner) & SYNC_WAIT_FORKED;

	switch (op->phase) {
	case D_ENTRY: {
		uint64_t n = pages_of(op->off, op->len, &op->first);
		op->last = op->first + n - 1;
		task_cost(t, k->cfg->cost.syscall, M_NR_COUNTERS);
		tag_pages_for_writeback(f, op->first, op->last);
		wbc_init(&op->wbc, f, op->first, op->last, WB_SYNC_ALL, XA_TOWRITE, INT64_MAX);
		op->phase = D_WRITE;
	}	/* fall through */
	case D_WRITE:
		if (write_cache_pages(k->wb, t, &op->wbc) == WB_BLOCKED)
			return OP_BLOCKED;
		op->cursor = op->first;
		op->phase = D_WAIT;
		/* fall through */
	case D_WAIT:
		if (!wait_on_writeback_range(t, f, &op->cursor, op->first, op->last, forked_too))
			return OP_BLOCKED;
		op->phase = D_INVALIDATE;
		/* fall through */
	case D_INVALIDATE:
		if (write)
			invalidate_range(k, t, f, op->first, op->last);
		op->phase = D_PIN;
		if (write && op->src_map) {
			uint64_t fp, n = pages_of(op->src_off, op->len, &fp);
			op->src_pin = pin_new(k->mm, op->src_map, fp, n);
			op->src_pin->for_dio = true;
			op->cursor = fp;
		}
		/* fall through */
	case D_PIN:
		if (op->src_pin) {
			/* FOLL_PIN without FOLL_WRITE: the device only reads the buffer. */
			struct pin *pin = op->src_pin;
			while (op->cursor < pin->first + pin->nr_pages) {
				if (fault_in(k->mm, t, &op->fault, pin->map, op->cursor, false, MODIFY_GUP) == OP_BLOCKED)
					return OP_BLOCKED;
				pin_page(pin, op->cursor - pin->first, pin->map->ptes[op->cursor].page);
				op->cursor++;
			}
		}
		op->phase = D_PREP;
		/* fall through */
	case D_PREP:
		/* The CPU work comes before the device can see the request: the block
		 * layer's, the guard checksums, and the copy into bounce pages. */
		op->bounce = policy_dio_submit(k->policy, k->owner) == DIO_BOUNCE;
		dio_cpu_cost(k, t, op, write);
		op->phase = D_SUBMIT;
		if (!task_pay(t))
			return OP_BLOCKED;
		/* fall through */
	case D_SUBMIT:
		op->iocb = kiocb_new(k, t, op, write);
		dio_submit(k, op->iocb);
		op->phase = D_IO;
		/* fall through */
	case D_IO: {
		struct kiocb *io = op->iocb;
		if (op->async) {
			op->out_io = io;        /* the last completion finishes it */
			op->iocb = NULL;
			op->phase = D_DONE;
			break;
		}
		if (!io->done) {
			task_wait(t, io, STALL_IO);
			return OP_BLOCKED;
		}
		op->result = io->result;
		if (io->src_pin)
			pin_release(k->mm, io->src_pin);
		kiocb_free(k, io);
		op->iocb = NULL;
		if (write)
			invalidate_range(k, t, f, op->first, op->last);
		else if (op->bounce)
			dio_bounce_read_copy(k, t, op->last - op->first + 1);
		if (write && !op->result)
			k->m->dio_write_bytes += op->len;
		op->phase = D_DONE;
	}	/* fall through */
	case D_DONE:
		break;
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

enum op_status op_dio_write(struct kernel *k, struct task *t, struct op *op)
{
	return dio_common(k, t, op, true);
}

enum op_status op_dio_read(struct kernel *k, struct task *t, struct op *op)
{
	return dio_common(k, t, op, false);
}

enum op_status op_io_wait(struct kernel *k, struct task *t, struct op *op)
{
	struct kiocb *io = op->iocb;
	if (!io)                /* collected; the copy below was being paid */
		return task_pay(t) ? OP_DONE : OP_BLOCKED;
	if (!io->done) {
		task_wait(t, io, STALL_IO);
		return OP_BLOCKED;
	}
	op->result = io->result;
	/* An asynchronous bounced read: the copy into the user's pages is paid by
	 * the task that reaps it. */
	if (!io->write && io->bounce)
		dio_bounce_read_copy(k, t, io->last - io->first + 1);
	kiocb_free(k, io);
	op->iocb = NULL;
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}
