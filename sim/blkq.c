/*
 * blkq — requests and plugging.  Writeback adds pages to the task's plug; a page
 * that continues the plugged request (same file, next block, room left) merges into
 * it, anything else sends the plug to the device first.  The device's scheduler
 * (device.c) decides the dispatch order.
 */
#include "model.h"
#include "policy.h"

struct request *request_alloc(unsigned nr)
{
	struct request *rq = g_malloc0(sizeof(*rq) + nr * sizeof(struct bvec));
	rq->cap = nr;
	return rq;
}

void request_free(struct request *rq)
{
	g_free(rq);
}

void submit_request(struct sim *s, struct request *rq)
{
	rq->submitted = sim_now(s);
	/* bio_integrity_prep: the guard tag is computed from the data as it is now. */
	if (rq->op == REQ_OP_WRITE)
		for (unsigned i = 0; i < rq->nr; i++) {
			struct bvec *v = &rq->vec[i];
			v->guard = v->page ? v->page->content : v->intended;
		}
	TRACE(s, NULL, "block_rq_insert", "%s sector=%" G_GUINT64_FORMAT " nr=%u%s",
	      rq->op == REQ_OP_WRITE ? "W" : rq->op == REQ_OP_READ ? "R" : "FLUSH",
	      rq->sector, rq->nr, rq->dio ? " direct" : "");
	device_submit(s->dev, rq);
}

void task_plug_flush(struct task *t)
{
	struct request *rq = t->plug;
	if (!rq)
		return;
	t->plug = NULL;
	submit_request(t->sim, rq);
}

static void end_writeback_rq(struct sim *s, struct request *rq)
{
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
			page_put(s, v->page);           /* the bounce buffer */
		page_end_writeback(s, v->cache_page);
	}
	request_free(rq);
}

/*
 * Queue @p (already marked writeback) for writing, from a bounce copy when @bounce.
 * CPU costs of the submission (the guard checksum, the bounce copy) go to @t.
 */
void submit_page_write(struct task *t, struct page *p, bool bounce)
{
	struct sim *s = t->sim;
	struct blk *b = p->blk;
	struct file *f = b->file;
	uint64_t sector = f->base_sector + b->index;
	unsigned max = (unsigned)(s->cfg.dev.max_request / PAGE_SIZE);
	if (!max)
		max = 1;

	struct request *rq = t->plug;
	if (rq && !(rq->file == f && rq->sector + rq->nr == sector && rq->nr < max)) {
		task_plug_flush(t);
		rq = NULL;
	}
	if (rq && rq->nr == rq->cap) {
		/* Grow by doubling: most requests of random writeback hold one page,
		 * and zeroing a full-size one each time costs more than the rest. */
		unsigned cap = MIN(rq->cap * 2, max);
		rq = g_realloc(rq, sizeof(*rq) + cap * sizeof(struct bvec));
		rq->cap = cap;
		t->plug = rq;
	}
	if (!rq) {
		rq = request_alloc(MIN(4u, max));
		rq->op = REQ_OP_WRITE;
		rq->file = f;
		rq->sector = sector;
		rq->end_io = end_writeback_rq;
		t->plug = rq;
	}

	struct bvec *v = &rq->vec[rq->nr++];
	v->dst = b;
	v->cache_page = p;
	v->page = p;
	if (bounce) {
		struct page *bp = page_alloc(s, b);
		bp->flags |= PG_bounce | PG_orphan | PG_uptodate;
		bp->content = p->content;
		v->page = bp;
		metrics_inc(s->m, M_BOUNCES);
		metrics_gauge_bounce(s->m, +1);
		task_cost(t, costs(s)->page_alloc, M_NR_COUNTERS);
		task_cost(t, costs(s)->copy_page, M_CPU_COPY);
		TRACE(s, t, "page_bounce", "ino=%d index=%" G_GUINT64_FORMAT, f->ino, (uint64_t)b->index);
	}
	if (s->cfg.dev.integrity)
		task_cost(t, costs(s)->checksum_page, M_CPU_CHECKSUM);
	TRACE(s, t, "writeback_start", "ino=%d index=%" G_GUINT64_FORMAT, f->ino, (uint64_t)b->index);
	if (rq->nr == max)
		task_plug_flush(t);
}
