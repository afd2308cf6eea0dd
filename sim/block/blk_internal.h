/*
 * blk_internal — what the files of the block layer share and nobody else sees: the
 * device's state, the I/O scheduler and device-model tables, and the request pool.
 */
#ifndef WBSIM_BLK_INTERNAL_H
#define WBSIM_BLK_INTERNAL_H

#include <glib.h>
#include <math.h>

#include "block/block.h"
#include "engine/rng.h"

/*
 * An I/O scheduler: which queued request goes next.  pick() finds it (the queue is
 * never empty) and the request before it in the queue (NULL: it is the head); the
 * device unlinks it.
 */
struct elevator {
	const char *name;
	struct request *(*pick)(struct device *d, struct request **prev);
};

/*
 * A device model: what serving a request demands.  Each request first spends a fixed
 * latency (its kind's, plus a seek and rotation on a disk), served in parallel with
 * the others in service, then transfers its bytes through the device's one link,
 * whose bandwidth the requests transferring at the same time share (bandwidth.c).
 */
struct service {
	simtime_t latency;              /* ns, the parallel part */
	double work;                    /* bytes to transfer */
};

struct device_ops {
	const char *name;
	struct service (*service)(struct device *d, const struct request *rq);
};

extern const struct elevator elv_none, elv_reorder, elv_elevator;
extern const struct device_ops ssd_model, hdd_model;

struct cached {                 /* a completed write not yet made durable */
	struct blk *b;
	uint64_t content;
	uint64_t seq;                   /* completion order */
};

struct dma_slot {
	struct request *rq;             /* NULL: free */
	unsigned idx;                   /* the bvec; in a free slot, the next free one */
};

#define REQ_CLASSES 24

struct device {
	struct sched *sched;
	struct engine *eng;
	struct metrics *m;
	const struct tracer *tr;
	struct mm *mm;
	const struct device_cfg *cfg;
	struct blk_hooks hooks;
	const struct elevator *elv;
	const struct device_ops *model;
	struct rng svc, sched_rng;
	struct request *head, *tail;    /* the scheduler's queue */
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
	/* Requests come from per-size-class free lists (request.c); every one ever
	 * made is linked once, so that a run abandoned mid-I/O frees them all. */
	struct request *free_requests[REQ_CLASSES];
	struct request *all_requests;
	/*
	 * The link (bandwidth.c): requests past their latency share the bandwidth
	 * equally (processor sharing).  vtime is the number of bytes each of them has
	 * been given since the link was last idle; a request that joins at vtime V with
	 * W bytes to go leaves when vtime reaches its finish tag V + W, so only the
	 * smallest tag needs an event, moved whenever the set changes.
	 */
	struct request **xfer;          /* binary min-heap by (finish tag, join order) */
	unsigned nr_xfer, xfer_cap;
	double vtime;
	simtime_t vtime_at;             /* the instant vtime was brought up to */
	uint64_t xfer_seq;
	struct sim_event xfer_ev;       /* the next transfer to finish */
};

void request_pool_destroy(struct device *d);

/* bandwidth.c */
void xfer_init(struct device *d);
void xfer_destroy(struct device *d);
/* @rq's latency is over: it starts transferring @rq->work bytes. */
void xfer_join(struct device *d, struct request *rq);
/* Transfer time of @bytes with the whole bandwidth, in ns (not rounded). */
static inline double xfer_alone_ns(const struct device *d, double bytes);
/* device.c: @rq has transferred all its bytes. */
void device_transfer_done(struct device *d, struct request *rq);

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

/* What every model starts from: the fixed latency of the request's kind (a flush's
 * included), and its bytes (a flush has none). */
static inline double device_base_latency(const struct device *d, const struct request *rq)
{
	const struct device_cfg *c = d->cfg;
	if (rq->op == REQ_OP_FLUSH)
		return (double)c->flush_latency;
	return (double)(rq->op == REQ_OP_WRITE ? c->write_latency : c->read_latency);
}

static inline double device_bytes(const struct request *rq)
{
	return rq->op == REQ_OP_FLUSH ? 0.0 : (double)rq->nr * PAGE_SIZE;
}

static inline double xfer_alone_ns(const struct device *d, double bytes)
{
	return bytes * 1e9 / (double)d->cfg->bandwidth;
}

#endif
