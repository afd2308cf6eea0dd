/*
 * device — the block device: the scheduler's queue, up to queue_depth requests in
 * service (one for a disk), each spending a fixed latency and then transferring its
 * bytes over a link whose bandwidth the transferring requests share (bandwidth.c);
 * the DMA moment at which a write's data is read from memory and its guard tags are
 * checked; completion (the block's content changes); and a volatile write cache
 * emptied by flushes.
 *
 * The DMA moment is fixed at dispatch: dma_at of the time the request would take
 * alone (its latency plus its transfer at the whole bandwidth).  Sharing the link
 * with others stretches a request's transfer and delays its completion, never its
 * DMA, so the window between the checksum (at submission) and the DMA is the same
 * however busy the device is.
 */
#include "block/blk_internal.h"

static void rq_event(struct engine *e, struct sim_event *ev);
static void dispatch(struct device *d);
static void watch_dma(struct device *d, struct request *rq);

static const struct elevator *const elevators[] = {
	[SCHED_NONE] = &elv_none, [SCHED_REORDER] = &elv_reorder, [SCHED_ELEVATOR] = &elv_elevator,
};
static const struct device_ops *const models[] = {
	[DEV_SSD] = &ssd_model, [DEV_HDD] = &hdd_model,
};

struct device *device_new(struct sched *sched, struct mm *mm, const struct device_cfg *cfg,
			  uint64_t seed, const struct blk_hooks *hooks)
{
	struct device *d = g_new0(struct device, 1);
	d->sched = sched;
	d->eng = sched->eng;
	d->m = sched->m;
	d->tr = sched->tr;
	d->mm = mm;
	d->cfg = cfg;
	d->hooks = *hooks;
	d->elv = elevators[cfg->scheduler];
	d->model = models[cfg->model];
	d->sigma = rng_jitter_sigma(cfg->jitter);
	rng_init(&d->svc, seed, "device");
	rng_init(&d->sched_rng, seed, "scheduler");
	xfer_init(d);
	d->volatile_blks = g_array_new(FALSE, FALSE, sizeof(struct cached));
	d->slots = g_array_new(FALSE, TRUE, sizeof(struct dma_slot));
	g_array_set_size(d->slots, 1);
	return d;
}

void device_free(struct device *d)
{
	if (!d)
		return;
	/* Queued and in-flight requests are on the list of all: they go with the pool. */
	request_pool_destroy(d);
	xfer_destroy(d);
	g_array_free(d->slots, TRUE);
	g_array_free(d->volatile_blks, TRUE);
	g_free(d);
}

unsigned device_inflight(const struct device *d)
{
	return d->inflight;
}

bool device_idle(const struct device *d)
{
	return !d->inflight && !d->queued;
}

static void device_queue(struct device *d, struct request *rq)
{
	sim_event_init(&rq->ev, rq_event);
	rq->next = NULL;
	if (d->tail)
		d->tail->next = rq;
	else
		d->head = rq;
	d->tail = rq;
	d->queued++;
	dispatch(d);
}

static const char *op_name(enum req_op op)
{
	return op == REQ_OP_WRITE ? "W" : op == REQ_OP_READ ? "R" : "FLUSH";
}

void submit_request(struct device *d, struct request *rq)
{
	rq->submitted = engine_now(d->eng);
	/* bio_integrity_prep: the guard tag is computed from the data as it is now. */
	if (rq->op == REQ_OP_WRITE)
		for (unsigned i = 0; i < rq->nr; i++) {
			struct bvec *v = &rq->vec[i];
			v->guard = v->page ? v->page->content : v->intended;
		}
	TRACE(d->tr, NULL, "block_rq_insert", "%s sector=%" G_GUINT64_FORMAT " nr=%u%s",
	      op_name(rq->op), rq->sector, rq->nr, rq->dio ? " direct" : "");
	device_queue(d, rq);
}

/*
 * A flush covers every write that completed before it was issued, whichever other
 * flushes are in flight: remember how far the completions had got.
 */
struct request *device_flush_request(struct device *d)
{
	struct request *rq = request_alloc(d, 0);
	rq->op = REQ_OP_FLUSH;
	rq->flush_upto = d->completed_seq;
	return rq;
}

/* Make durable every cached write that completed up to @upto. */
static void make_durable(struct device *d, uint64_t upto)
{
	GArray *v = d->volatile_blks;
	while (d->volatile_head < v->len) {
		struct cached *c = &g_array_index(v, struct cached, d->volatile_head);
		if (c->seq > upto)
			break;
		c->b->durable = c->content;
		d->hooks.durable(d->hooks.observer, c->b);
		d->volatile_head++;
	}
	/* Drop the durable prefix once it is most of the array. */
	if (d->volatile_head > 1024 && d->volatile_head * 2 > v->len) {
		g_array_remove_range(v, 0, d->volatile_head);
		d->volatile_head = 0;
	}
}

void device_flush_all(struct device *d)
{
	make_durable(d, UINT64_MAX);
}

/* ---- scheduling -------------------------------------------------------------------- */

static struct request *pick(struct device *d)
{
	struct request *prev = NULL;
	struct request *best = d->elv->pick(d, &prev);
	if (prev)
		prev->next = best->next;
	else
		d->head = best->next;
	if (d->tail == best)
		d->tail = prev;
	best->next = NULL;
	d->queued--;
	return best;
}

static void dispatch(struct device *d)
{
	unsigned depth = d->cfg->model == DEV_HDD ? 1 : d->cfg->queue_depth;
	while (d->queued && d->inflight < depth) {
		struct request *rq = pick(d);
		d->inflight++;
		rq->dispatched = engine_now(d->eng);
		struct service sv = d->model->service(d, rq);
		rq->latency_end = rq->dispatched + sv.latency;
		rq->work = sv.work;
		rq->transferring = false;
		double alone = (double)sv.latency + xfer_alone_ns(d, sv.work);
		rq->service = alone < 1 ? 1 : round_ns(alone);
		if (rq->op != REQ_OP_FLUSH)
			d->head_pos = rq->sector + rq->nr;     /* the elevator sweeps from here */
		simtime_t next = rq->latency_end;
		if (rq->op == REQ_OP_WRITE) {
			metrics_inc(d->m, M_DISK_REQUESTS);
			rq->dma_time = rq->dispatched + round_ns(alone * d->cfg->dma_at);
			if (rq->dio) {
				/* A pinned source page may feed several requests at once:
				 * read it at the DMA instant. */
				rq->dma_done = false;
				if (rq->dma_time < next)
					next = rq->dma_time;
			} else {
				watch_dma(d, rq);
			}
		} else {
			rq->dma_done = true;
		}
		engine_schedule(d->eng, &rq->ev, next);
		TRACE(d->tr, NULL, "block_rq_issue", "%s sector=%" G_GUINT64_FORMAT " nr=%u service=%" G_GUINT64_FORMAT "ns",
		      op_name(rq->op), rq->sector, rq->nr, rq->service);
	}
}

/* ---- DMA and completion ------------------------------------------------------------- */

/* Give each page copy of a writeback request a slot (bounce copies never change). */
static void watch_dma(struct device *d, struct request *rq)
{
	rq->lazy_dma = true;
	rq->dma_done = true;
	for (unsigned i = 0; i < rq->nr; i++) {
		struct bvec *v = &rq->vec[i];
		if (v->page != v->cache_page)
			continue;
		g_assert(!v->page->dma_slot);
		uint32_t slot = d->free_slot;
		if (slot) {
			d->free_slot = g_array_index(d->slots, struct dma_slot, slot).idx;
		} else {
			slot = d->slots->len;
			g_array_set_size(d->slots, slot + 1);
		}
		g_array_index(d->slots, struct dma_slot, slot) = (struct dma_slot){ rq, i };
		v->page->dma_slot = slot;
	}
}

/* @p is about to change: if its request's DMA instant has passed, the device has
 * already read the old content. */
void device_before_modify(void *dev, struct page *p)
{
	struct device *d = dev;
	struct dma_slot *sl = &g_array_index(d->slots, struct dma_slot, p->dma_slot);
	struct bvec *v = &sl->rq->vec[sl->idx];
	if (!v->captured && engine_now(d->eng) >= sl->rq->dma_time) {
		v->data = p->content;
		v->captured = true;
	}
}

static void dma(struct device *d, struct request *rq)
{
	bool bad = false;
	for (unsigned i = 0; i < rq->nr; i++) {
		struct bvec *v = &rq->vec[i];
		if (!v->captured)
			v->data = v->page ? v->page->content : v->intended;
		if (rq->lazy_dma && v->page && v->page->dma_slot) {
			struct dma_slot *sl = &g_array_index(d->slots, struct dma_slot, v->page->dma_slot);
			if (sl->rq == rq) {
				*sl = (struct dma_slot){ NULL, d->free_slot };
				d->free_slot = v->page->dma_slot;
				v->page->dma_slot = 0;
			}
		}
		if (v->data != v->guard)
			bad = true;
	}
	if (bad && d->cfg->integrity) {
		/* The device recomputes the guard from what it read: the whole request
		 * fails with BLK_STS_PROTECTION. */
		rq->status = -WBSIM_EIO;
		metrics_inc(d->m, M_CHECKSUM_ERRORS);
		TRACE(d->tr, NULL, "checksum_error", "sector=%" G_GUINT64_FORMAT " nr=%u ino=%d dma=%" G_GUINT64_FORMAT
		      ".%09" G_GUINT64_FORMAT, rq->sector, rq->nr, rq->file->ino,
		      (uint64_t)(rq->dma_time / NSEC_PER_SEC), (uint64_t)(rq->dma_time % NSEC_PER_SEC));
	}
}

/* A write's page lands on its block: the content changes now, and becomes durable
 * now or, behind a volatile cache, at the next flush. */
static void land(struct device *d, struct request *rq, struct bvec *v, uint64_t landed)
{
	struct blk *b = v->dst;
	d->hooks.landed(d->hooks.observer, rq, v, landed);
	b->disk = landed;
	if (d->cfg->write_cache) {
		struct cached c = { b, b->disk, ++d->completed_seq };
		g_array_append_val(d->volatile_blks, c);
	} else {
		b->durable = landed;
		d->hooks.durable(d->hooks.observer, b);
	}
}

static void complete(struct device *d, struct request *rq)
{
	d->inflight--;
	switch (rq->op) {
	case REQ_OP_WRITE:
		if (rq->lazy_dma)
			dma(d, rq);
		metrics_add(d->m, M_DISK_WRITES, rq->nr);
		if (!rq->status)
			for (unsigned i = 0; i < rq->nr; i++) {
				struct bvec *v = &rq->vec[i];
				/* A direct write's data is new content, taking effect now. */
				if (rq->dio)
					v->intended = ++d->mm->version;
				land(d, rq, v, rq->dio ? v->intended : v->data);
			}
		break;
	case REQ_OP_READ:
		for (unsigned i = 0; i < rq->nr; i++)
			rq->vec[i].data = rq->vec[i].dst->disk;
		break;
	case REQ_OP_FLUSH:
		make_durable(d, rq->flush_upto);
		break;
	}
	TRACE(d->tr, NULL, "block_rq_complete", "%s sector=%" G_GUINT64_FORMAT " nr=%u error=%d",
	      op_name(rq->op), rq->sector, rq->nr, rq->status);
	rq->end_io(rq);
	dispatch(d);
	if (device_idle(d))
		d->hooks.idle(d->hooks.idle_data);
}

/* A direct write's DMA, if its instant has come. */
static void dio_dma_due(struct device *d, struct request *rq, simtime_t now)
{
	if (!rq->dma_done && now >= rq->dma_time) {
		rq->dma_done = true;
		dma(d, rq);
	}
}

/* The request's own event: the end of its latency, and a direct write's DMA. */
static void rq_event(struct engine *e, struct sim_event *ev)
{
	struct request *rq = (struct request *)ev;
	struct device *d = rq->dev;
	simtime_t now = engine_now(e);
	dio_dma_due(d, rq, now);
	if (!rq->transferring) {
		if (now < rq->latency_end) {
			engine_schedule(e, ev, rq->latency_end);
			return;
		}
		if (rq->work <= 0) {            /* a flush moves no data */
			complete(d, rq);
			return;
		}
		rq->transferring = true;
		xfer_join(d, rq);
	}
	if (!rq->dma_done)
		engine_schedule(e, ev, rq->dma_time);
}

void device_transfer_done(struct device *d, struct request *rq)
{
	if (!rq->dma_done) {
		/* Its transfer outran its DMA instant only by the rounding of either. */
		engine_cancel(d->eng, &rq->ev);
		rq->dma_done = true;
		dma(d, rq);
	}
	complete(d, rq);
}
