/*
 * writepage — write requests from pages: a page that continues the request the task
 * is gathering (same file, next block, room left) merges into it, anything else sends
 * the gathered one first; at completion each page's writeback ends, and a failed
 * request is recorded for the next fsync (mapping_set_error).
 */
#include "writeback/writeback.h"

static void end_writeback_rq(struct request *rq)
{
	struct bdi_writeback *wb = rq->private;
	struct mm *mm = wb->mm;
	if (rq->status) {
		/* mapping_set_error: the next fsync of the file reports it, once. */
		rq->file->wb_err++;
	}
	for (unsigned i = 0; i < rq->nr; i++) {
		struct bvec *v = &rq->vec[i];
		if (rq->status)
			v->cache_page->flags |= PG_error;
		else
			v->cache_page->flags &= ~PG_error;
		if (v->page != v->cache_page)
			page_put(mm, v->page);          /* the bounce buffer */
		page_end_writeback(mm, v->cache_page);
		balance_dirty_pages_check(wb);
		page_put(mm, v->cache_page);            /* the I/O's reference */
	}
	request_free(rq);
}

void submit_page_write(struct bdi_writeback *wb, struct task *t, struct page *p, bool bounce)
{
	struct mm *mm = wb->mm;
	struct blk *b = p->blk;
	struct file *f = blk_file(b);
	uint64_t sector = f->base_sector + (uint64_t)(b - f->blocks);
	unsigned max = (unsigned)(wb->dev_cfg->max_request / PAGE_SIZE);
	if (!max)
		max = 1;

	struct request *rq = t->plug;
	if (rq && !(rq->file == f && rq->sector + rq->nr == sector && rq->nr < max)) {
		task_flush_plug(t);
		rq = NULL;
	}
	if (rq && rq->nr == rq->cap) {
		/* Grow by doubling: most requests of random writeback hold one page. */
		rq = t->plug = request_grow(rq, MIN(rq->cap * 2, max));
	}
	if (!rq) {
		wb_bandwidth_estimate_start(wb);
		rq = request_alloc(wb->dev, 1);
		rq->op = REQ_OP_WRITE;
		rq->file = f;
		rq->sector = sector;
		rq->end_io = end_writeback_rq;
		rq->private = wb;
		t->plug = rq;
	}

	struct bvec *v = &rq->vec[rq->nr++];
	*v = (struct bvec){ .dst = b, .cache_page = p, .page = p };
	if (bounce) {
		struct page *bp = page_alloc(mm, b);
		bp->flags |= PG_bounce | PG_orphan | PG_uptodate;
		bp->content = p->content;
		v->page = bp;
		metrics_inc(wb->m, M_BOUNCES);
		metrics_gauge_bounce(wb->m, +1);
		task_cost(t, wb->cost->page_alloc, M_NR_COUNTERS);
		task_cost(t, wb->cost->copy_page, M_CPU_COPY);
		TRACE(wb->tr, t, "page_bounce", "ino=%d index=%" G_GUINT64_FORMAT, f->ino, blk_index(b));
	}
	if (wb->dev_cfg->integrity)
		task_cost(t, wb->cost->checksum_page, M_CPU_CHECKSUM);
	TRACE(wb->tr, t, "writeback_start", "ino=%d index=%" G_GUINT64_FORMAT, f->ino, blk_index(b));
	if (rq->nr == max)
		task_flush_plug(t);
}
