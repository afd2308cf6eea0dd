/*
 * blkq — what the layers above hand the block layer: a task's plug (the request it is
 * gathering pages into, sent when it sleeps or is done), and reading a block into a
 * page for the page cache (read_folio).
 */
#include "block/blk_internal.h"

void blk_flush_plug(void *dev, struct task *t)
{
	struct request *rq = t->plug;
	if (!rq)
		return;
	t->plug = NULL;
	submit_request(dev, rq);
}

static void end_read(struct request *rq)
{
	struct device *d = rq->dev;
	struct page *p = rq->vec[0].page;
	p->content = rq->vec[0].data;
	p->flags = (p->flags & ~PG_locked) | PG_uptodate;
	wake_up_key(d->sched, p);
	page_put(d->mm, p);     /* the I/O's reference */
	request_free(rq);
}

void blk_read_page(void *dev, struct page *p)
{
	struct device *d = dev;
	struct blk *b = p->blk;
	struct request *rq = request_alloc(d, 1);
	rq->op = REQ_OP_READ;
	rq->file = blk_file(b);
	rq->sector = blk_file(b)->base_sector + blk_index(b);
	rq->nr = 1;
	rq->vec[0] = (struct bvec){ .page = p, .dst = b };
	rq->end_io = end_read;
	submit_request(d, rq);
}
