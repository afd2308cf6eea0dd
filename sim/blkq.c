/*
 * blkq — requests and plugging.  Writeback adds pages to the task's plug; a page
 * that continues the plugged request (same file, next block, room left) merges into
 * it, anything else sends the plug to the device first.  The device's scheduler
 * (device.c) decides the dispatch order.
 */
#include "model.h"
#include "policy.h"

#include <string.h>

/*
 * Requests come from per-size-class free lists: a run allocates and frees one or two
 * per page written, and malloc plus zeroing was a tenth of the time.  Classes hold
 * 2^k vectors; only the header is cleared on reuse: whoever adds a vector assigns
 * all of it.
 */
static unsigned size_class(unsigned nr)
{
	unsigned k = 0;
	while ((1u << k) < nr)
		k++;
	return k;
}

/* Every vector is assigned whole when a page is added. */
struct request *request_alloc(struct sim *s, unsigned nr)
{
	unsigned k = size_class(nr ? nr : 1);
	g_assert(k < REQ_CLASSES);
	struct request *rq = s->free_requests[k];
	if (rq)
		s->free_requests[k] = rq->next;
	else
		rq = g_malloc(sizeof(*rq) + ((size_t)1 << k) * sizeof(struct bvec));
	memset(rq, 0, sizeof(*rq));
	rq->cap = 1u << k;
	/* Live requests are linked so a run abandoned mid-I/O frees them all. */
	rq->live_next = s->live_requests;
	if (rq->live_next)
		rq->live_next->live_prev = rq;
	s->live_requests = rq;
	return rq;
}

void request_free(struct sim *s, struct request *rq)
{
	if (rq->live_prev)
		rq->live_prev->live_next = rq->live_next;
	else
		s->live_requests = rq->live_next;
	if (rq->live_next)
		rq->live_next->live_prev = rq->live_prev;
	unsigned k = size_class(rq->cap);
	rq->next = s->free_requests[k];
	s->free_requests[k] = rq;
}

void request_pool_destroy(struct sim *s)
{
	while (s->live_requests)
		request_free(s, s->live_requests);
	for (unsigned k = 0; k < REQ_CLASSES; k++)
		while (s->free_requests[k]) {
			struct request *rq = s->free_requests[k];
			s->free_requests[k] = rq->next;
			g_free(rq);
		}
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
	request_free(s, rq);
}

/*
 * Queue @p (already marked writeback) for writing, from a bounce copy when @bounce.
 * CPU costs of the submission (the guard checksum, the bounce copy) go to @t.
 */
void submit_page_write(struct task *t, struct page *p, bool bounce)
{
	struct sim *s = t->sim;
	struct blk *b = p->blk;
	struct file *f = blk_file(b);
	uint64_t sector = f->base_sector + (uint64_t)(b - f->blocks);
	unsigned max = (unsigned)(s->cfg.dev.max_request / PAGE_SIZE);
	if (!max)
		max = 1;

	struct request *rq = t->plug;
	if (rq && !(rq->file == f && rq->sector + rq->nr == sector && rq->nr < max)) {
		task_plug_flush(t);
		rq = NULL;
	}
	if (rq && rq->nr == rq->cap) {
		/* Grow by doubling: most requests of random writeback hold one page. */
		struct request *big = request_alloc(s, MIN(rq->cap * 2, max));
		unsigned cap = big->cap;
		struct request *ln = big->live_next, *lp = big->live_prev;
		memcpy(big, rq, sizeof(*rq) + rq->nr * sizeof(struct bvec));
		big->cap = cap;
		big->live_next = ln;
		big->live_prev = lp;
		request_free(s, rq);
		rq = t->plug = big;
	}
	if (!rq) {
		rq = request_alloc(s, 1);
		rq->op = REQ_OP_WRITE;
		rq->file = f;
		rq->sector = sector;
		rq->end_io = end_writeback_rq;
		t->plug = rq;
	}

	struct bvec *v = &rq->vec[rq->nr++];
	*v = (struct bvec){ .dst = b, .cache_page = p, .page = p };
	if (bounce) {
		struct page *bp = page_alloc(s, b);
		bp->flags |= PG_bounce | PG_orphan | PG_uptodate;
		bp->content = p->content;
		v->page = bp;
		metrics_inc(s->m, M_BOUNCES);
		metrics_gauge_bounce(s->m, +1);
		task_cost(t, costs(s)->page_alloc, M_NR_COUNTERS);
		task_cost(t, costs(s)->copy_page, M_CPU_COPY);
		TRACE(s, t, "page_bounce", "ino=%d index=%" G_GUINT64_FORMAT, f->ino, blk_index(b));
	}
	if (s->cfg.dev.integrity)
		task_cost(t, costs(s)->checksum_page, M_CPU_CHECKSUM);
	TRACE(s, t, "writeback_start", "ino=%d index=%" G_GUINT64_FORMAT, f->ino, blk_index(b));
	if (rq->nr == max)
		task_plug_flush(t);
}
