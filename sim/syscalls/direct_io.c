/*
 * dio — O_DIRECT.  A direct write flushes and waits on the destination range in the
 * page cache, invalidates it, pins its source buffer (when that is a mapping), sends
 * the data straight to the device, waits, unpins, and invalidates again
 * (iomap_dio_rw + kiocb_invalidate_post_direct_write).  A cached page that cannot be
 * invalidated — pinned, dirtied again, under I/O — stays behind, possibly stale.
 */
#include "syscalls/syscalls.h"

enum { D_ENTRY, D_WRITE, D_WAIT, D_INVALIDATE, D_PIN, D_SUBMIT, D_IO, D_DONE };

static void end_dio(struct request *rq)
{
	struct op *op = rq->private;
	struct kernel *k = op->k;
	if (rq->status)
		op->result = -WBSIM_EIO;
	else if (rq->op == REQ_OP_WRITE)
		for (unsigned i = 0; i < rq->nr; i++)
			oracle_dio_write(k->oracle, rq->vec[i].dst, rq->vec[i].intended);
	if (rq->op == REQ_OP_READ)
		for (unsigned i = 0; i < rq->nr; i++)
			oracle_read(k->oracle, op->t, rq->vec[i].dst, rq->vec[i].data);
	for (unsigned i = 0; i < rq->nr; i++)
		if (rq->vec[i].page && (rq->vec[i].page->flags & PG_bounce))
			page_put(k->mm, rq->vec[i].page);
	op->pending--;
	wake_up_key(k->sched, op);
	request_free(rq);
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

/* Build and send the requests: at most max_request bytes each. */
static void dio_submit(struct kernel *k, struct task *t, struct op *op, bool write)
{
	struct file *f = op->file;
	unsigned max = (unsigned)(k->cfg->dev.max_request / PAGE_SIZE);
	bool bounce = write && policy_dio_submit(k->policy, k->owner) == DIO_BOUNCE;
	uint64_t idx = op->first;
	if (!max)
		max = 1;

	while (idx <= op->last) {
		unsigned n = (unsigned)MIN((uint64_t)max, op->last - idx + 1);
		struct request *rq = request_alloc(k->dev, n);
		rq->op = write ? REQ_OP_WRITE : REQ_OP_READ;
		rq->dio = true;
		rq->file = f;
		rq->sector = f->base_sector + idx;
		rq->nr = n;
		rq->end_io = end_dio;
		rq->private = op;
		for (unsigned i = 0; i < n; i++, idx++) {
			struct bvec *v = &rq->vec[i];
			*v = (struct bvec){ .dst = blk_get(f, idx) };
			if (!write)
				continue;
			/* The source buffer: a pinned page of a mapping (page j of the
			 * range reads page j of the buffer; an unaligned buffer straddles
			 * two and the first stands for both), or anonymous memory, which
			 * nothing else changes.  Its content at submission is the guard;
			 * the device compares it with the content at DMA. */
			if (op->src_pin) {
				uint64_t j = MIN(idx - op->first, op->src_pin->nr_pages - 1);
				v->page = op->src_pin->pages[j];
			}
			if (bounce) {
				struct page *bp = page_alloc(k->mm, v->dst);
				bp->flags |= PG_bounce | PG_orphan | PG_uptodate;
				bp->content = v->page ? v->page->content : 0;
				v->page = bp;
				metrics_inc(k->m, M_BOUNCES);
				metrics_gauge_bounce(k->m, +1);
				task_cost(t, k->cfg->cost.copy_page, M_CPU_COPY);
			}
			if (k->cfg->dev.integrity)
				task_cost(t, k->cfg->cost.checksum_page, M_CPU_CHECKSUM);
		}
		op->pending++;
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
		op->phase = D_SUBMIT;
		/* fall through */
	case D_SUBMIT:
		dio_submit(k, t, op, write);
		op->phase = D_IO;
		if (!task_pay(t))
			return OP_BLOCKED;
		/* fall through */
	case D_IO:
		if (op->pending) {
			task_wait(t, op, STALL_IO);
			return OP_BLOCKED;
		}
		if (op->src_pin) {
			pin_release(k->mm, op->src_pin);
			op->src_pin = NULL;
		}
		if (write)
			invalidate_range(k, t, f, op->first, op->last);
		op->phase = D_DONE;
		/* fall through */
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
