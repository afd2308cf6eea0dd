/*
 * device — the block device: a scheduler queue, up to queue_depth requests in
 * service (one for a disk), a service time per request, the DMA moment at which a
 * write's data is read from memory and its guard tags are checked, completion (the
 * block's content changes), and a volatile write cache emptied by flushes.
 */
#include "model.h"

#include <math.h>

struct cached {                 /* a completed write not yet made durable */
	struct blk *b;
	uint64_t content;
	uint64_t seq;                   /* completion order */
};

struct device {
	struct sim *s;
	const struct device_cfg *cfg;
	struct rng svc, sched;
	struct request *head, *tail;
	unsigned queued;
	unsigned inflight;
	uint64_t head_pos;              /* disk: the block after the last one served */
	double sigma;                   /* log-normal sigma of the service-time jitter */
	/*
	 * Writeback requests do not schedule an event for their DMA: each page copy in
	 * one points at a slot here, and the data is taken either by the first
	 * modification after the DMA instant (which must not see the new content) or at
	 * completion (nothing changed it since).  One event per request instead of two.
	 */
	GArray *slots;                  /* of struct dma_slot; slot 0 means none */
	uint32_t free_slot;             /* first free slot, chained through idx; 0: none */
	/* Completed writes in the volatile cache, in completion order; entries before
	 * volatile_head are already durable. */
	GArray *volatile_blks;          /* of struct cached */
	guint volatile_head;
	uint64_t completed_seq;
};

struct dma_slot {
	struct request *rq;             /* NULL: free */
	unsigned idx;                   /* the bvec; in a free slot, the next free one */
};

static void rq_event(struct engine *e, struct sim_event *ev);
static void dispatch(struct device *d);
static void watch_dma(struct device *d, struct request *rq);

struct device *device_new(struct sim *s)
{
	struct device *d = g_new0(struct device, 1);
	d->s = s;
	d->cfg = &s->cfg.dev;
	d->sigma = rng_jitter_sigma(d->cfg->jitter);
	rng_init(&d->svc, s->cfg.seed, "device");
	rng_init(&d->sched, s->cfg.seed, "scheduler");
	d->volatile_blks = g_array_new(FALSE, FALSE, sizeof(struct cached));
	d->slots = g_array_new(FALSE, TRUE, sizeof(struct dma_slot));
	g_array_set_size(d->slots, 1);
	return d;
}

void device_free(struct device *d)
{
	if (!d)
		return;
	/* Queued and in-flight requests are freed with the sim's live list. */
	g_array_free(d->slots, TRUE);
	g_array_free(d->volatile_blks, TRUE);
	g_free(d);
}

unsigned device_inflight(const struct device *d)
{
	return d->inflight;
}

unsigned device_queued(const struct device *d)
{
	return d->queued;
}

bool device_idle(const struct device *d)
{
	return !d->inflight && !d->queued;
}

void device_submit(struct device *d, struct request *rq)
{
	sim_event_init(&rq->ev, rq_event);
	rq->dev = d;
	rq->next = NULL;
	if (d->tail)
		d->tail->next = rq;
	else
		d->head = rq;
	d->tail = rq;
	d->queued++;
	dispatch(d);
}

/*
 * A flush covers every write that completed before it was issued, whichever other
 * flushes are in flight: remember how far the completions had got.
 */
struct request *device_flush_request(struct device *d)
{
	struct request *rq = request_alloc(d->s, 0);
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
		oracle_durable(d->s, c->b);
		d->volatile_head++;
	}
	/* Drop the durable prefix once it is most of the array. */
	if (d->volatile_head > 1024 && d->volatile_head * 2 > v->len) {
		g_array_remove_range(v, 0, d->volatile_head);
		d->volatile_head = 0;
	}
}

/* Power stays on at the end of a run: whatever reached the cache is kept. */
void device_flush_all(struct device *d)
{
	make_durable(d, UINT64_MAX);
}

void device_note_volatile(struct device *d, struct blk *b)
{
	struct cached c = { b, b->disk, ++d->completed_seq };
	g_array_append_val(d->volatile_blks, c);
}

/* ---- scheduling -------------------------------------------------------------------- */

static struct request *pick(struct device *d)
{
	struct request *best = d->head, *prev_best = NULL;
	switch (d->cfg->scheduler) {
	case SCHED_NONE:
		break;
	case SCHED_REORDER: {
		/* The block layer promises no order between queued requests. */
		uint64_t k = rng_below(&d->sched, d->queued);
		for (struct request *p = NULL, *r = d->head; r; p = r, r = r->next)
			if (k-- == 0) {
				best = r;
				prev_best = p;
				break;
			}
		break;
	}
	case SCHED_ELEVATOR: {
		/* C-SCAN: the lowest sector at or after the head, else the lowest. */
		struct request *lo = NULL, *lo_prev = NULL, *up = NULL, *up_prev = NULL;
		for (struct request *p = NULL, *r = d->head; r; p = r, r = r->next) {
			if (r->sector >= d->head_pos && (!up || r->sector < up->sector)) {
				up = r;
				up_prev = p;
			}
			if (!lo || r->sector < lo->sector) {
				lo = r;
				lo_prev = p;
			}
		}
		best = up ? up : lo;
		prev_best = up ? up_prev : lo_prev;
		break;
	}
	}
	if (prev_best)
		prev_best->next = best->next;
	else
		d->head = best->next;
	if (d->cfg->scheduler == SCHED_NONE && d->head) {
		/* A long FIFO queue outgrows the caches: fetch what the next dispatch
		 * touches (that request's page, the request after it) while this one is
		 * being served.  The next head itself was fetched the same way a dispatch
		 * ago. */
		struct request *h = d->head;
		if (h->nr && h->vec[0].page)
			__builtin_prefetch(&h->vec[0].page->dma_slot, 1);
		if (h->next) {
			__builtin_prefetch(h->next, 1);
			__builtin_prefetch(&h->next->vec[0], 1);
		}
	}
	if (d->tail == best)
		d->tail = prev_best;
	best->next = NULL;
	d->queued--;
	return best;
}

/*
 * llround(t) for t >= 0, inline below 2^63: the truncation and the fraction are exact
 * in double precision, and halves round up, as llround rounds them away from zero.
 * The libm call was among the costliest steps of every writeback request.
 */
static inline simtime_t round_ns(double t)
{
	if (!(t < 0x1p63))
		return (simtime_t)llround(t);
	simtime_t i = (simtime_t)t;
	return t - (double)i >= 0.5 ? i + 1 : i;
}

static simtime_t service_time(struct device *d, struct request *rq)
{
	const struct device_cfg *c = d->cfg;
	double base;
	if (rq->op == REQ_OP_FLUSH) {
		base = (double)c->flush_latency;
	} else {
		base = (double)(rq->op == REQ_OP_WRITE ? c->write_latency : c->read_latency);
		base += (double)rq->nr * PAGE_SIZE * 1e9 / (double)c->bandwidth;
	}
	double t = base * rng_jitter_s(&d->svc, d->sigma);
	if (c->model == DEV_HDD && rq->op != REQ_OP_FLUSH) {
		/* A seek and, on average, half a rotation unless the head is already
		 * there; the transfer itself was counted above. */
		if (rq->sector != d->head_pos)
			t += (double)c->seek * rng_jitter_s(&d->svc, d->sigma) +
			     (double)c->rotation * rng_double(&d->svc);
	}
	return t < 1 ? 1 : round_ns(t);
}

static void dispatch(struct device *d)
{
	struct sim *s = d->s;
	unsigned depth = d->cfg->model == DEV_HDD ? 1 : d->cfg->queue_depth;
	while (d->queued && d->inflight < depth) {
		struct request *rq = pick(d);
		d->inflight++;
		rq->dispatched = sim_now(s);
		rq->service = service_time(d, rq);
		if (rq->op != REQ_OP_FLUSH)
			d->head_pos = rq->sector + rq->nr;     /* the elevator sweeps from here */
		if (rq->op == REQ_OP_WRITE) {
			metrics_inc(s->m, M_DISK_REQUESTS);
			simtime_t dma = round_ns((double)rq->service * d->cfg->dma_at);
			rq->dma_time = rq->dispatched + dma;
			if (rq->dio) {
				/* A pinned source page may feed several requests at once:
				 * read it at the DMA instant. */
				engine_schedule(s->eng, &rq->ev, rq->dma_time);
			} else {
				watch_dma(d, rq);
				engine_schedule(s->eng, &rq->ev, rq->dispatched + rq->service);
			}
		} else {
			rq->dma_done = true;
			engine_schedule(s->eng, &rq->ev, rq->dispatched + rq->service);
		}
		TRACE(s, NULL, "block_rq_issue", "%s sector=%" G_GUINT64_FORMAT " nr=%u service=%" G_GUINT64_FORMAT "ns",
		      rq->op == REQ_OP_WRITE ? "W" : rq->op == REQ_OP_READ ? "R" : "FLUSH",
		      rq->sector, rq->nr, rq->service);
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
void device_before_modify(struct device *d, struct page *p)
{
	struct dma_slot *sl = &g_array_index(d->slots, struct dma_slot, p->dma_slot);
	struct bvec *v = &sl->rq->vec[sl->idx];
	if (!v->captured && sim_now(d->s) >= sl->rq->dma_time) {
		v->data = p->content;
		v->captured = true;
	}
}

static void dma(struct device *d, struct request *rq)
{
	struct sim *s = d->s;
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
		metrics_inc(s->m, M_CHECKSUM_ERRORS);
		TRACE(s, NULL, "checksum_error", "sector=%" G_GUINT64_FORMAT " nr=%u ino=%d dma=%" G_GUINT64_FORMAT
		      ".%09" G_GUINT64_FORMAT, rq->sector, rq->nr, rq->file->ino,
		      (uint64_t)(rq->dma_time / NSEC_PER_SEC), (uint64_t)(rq->dma_time % NSEC_PER_SEC));
	}
}

static void complete(struct device *d, struct request *rq)
{
	struct sim *s = d->s;
	d->inflight--;
	switch (rq->op) {
	case REQ_OP_WRITE:
		if (rq->lazy_dma)
			dma(d, rq);
		metrics_add(s->m, M_DISK_WRITES, rq->nr);
		if (!rq->status)
			for (unsigned i = 0; i < rq->nr; i++) {
				struct bvec *v = &rq->vec[i];
				/* A direct write's data is new content, taking effect now. */
				if (rq->dio)
					v->intended = ++s->version;
				oracle_landed(s, rq, v, rq->dio ? v->intended : v->data);
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
	TRACE(s, NULL, "block_rq_complete", "%s sector=%" G_GUINT64_FORMAT " nr=%u error=%d",
	      rq->op == REQ_OP_WRITE ? "W" : rq->op == REQ_OP_READ ? "R" : "FLUSH",
	      rq->sector, rq->nr, rq->status);
	rq->end_io(s, rq);
	dispatch(d);
	if (device_idle(d))
		sim_check_quiescent(s);
}

static void rq_event(struct engine *e, struct sim_event *ev)
{
	struct request *rq = (struct request *)ev;
	struct device *d = rq->dev;
	if (!rq->dma_done) {
		rq->dma_done = true;
		dma(d, rq);
		engine_schedule(e, ev, rq->dispatched + rq->service);
		return;
	}
	complete(d, rq);
}
