/*
 * block — requests and the device: a request carries pages (bio_vecs) to or from the
 * device; the device queues requests, dispatches them in the order its I/O scheduler
 * chooses (block/iosched.c), serves up to queue_depth of them (a device model times
 * each: block/ssd.c, block/hdd.c), reads a write's data at the DMA instant and checks
 * it against the guard tags computed at submission, changes the blocks' content at
 * completion, and keeps completed writes in a volatile cache until a flush.
 *
 * Completions go back up through each request's end_io, which its submitter set;
 * what the oracle wants to see and the end of all I/O (the device going idle) go
 * through the hooks the machine's builder installs.
 */
#ifndef WBSIM_BLOCK_H
#define WBSIM_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/config.h"
#include "engine/engine.h"
#include "mm/mm.h"
#include "sched/task.h"

enum req_op { REQ_OP_WRITE, REQ_OP_READ, REQ_OP_FLUSH };

struct bvec {
	struct page *page;              /* the buffer the device reads (NULL: anonymous) */
	struct blk *dst;
	uint64_t guard;                 /* content at submission (the checksum) */
	uint64_t data;                  /* content the device read at DMA */
	uint64_t intended;              /* direct I/O: the version this write stands for */
	struct page *cache_page;        /* writeback: the page copy whose I/O this is */
	bool captured;                  /* data was taken before a later modification */
};

struct request;
struct device;
typedef void (*end_io_fn)(struct request *rq);

struct request {
	struct sim_event ev;
	struct request *next;           /* scheduler queue, or free list */
	struct request *all_next;       /* the device's every request (request.c) */
	struct device *dev;
	enum req_op op;
	bool dio;
	bool dma_done;
	bool lazy_dma;                  /* data read at completion, or when modified after dma_time */
	bool transferring;              /* past its latency, on the link (block/bandwidth.c) */
	simtime_t dma_time;
	simtime_t latency_end;          /* when its fixed latency is over */
	double work;                    /* bytes it transfers */
	double finish;                  /* the link's virtual time at which it has them all */
	uint64_t xfer_seq;              /* order of joining the link */
	struct file *file;
	uint64_t sector;                /* first block on the device */
	simtime_t submitted, dispatched;
	simtime_t service;              /* what serving it alone would take (the trace's) */
	int status;
	end_io_fn end_io;
	void *private;                  /* the submitter's */
	uint64_t flush_upto;            /* REQ_OP_FLUSH: completions it covers */
	unsigned nr, cap;
	struct bvec vec[];
};

struct blk_hooks {
	/* The oracle's: @v's data is landing on its block (whose disk content is still
	 * the old one), @landed the content it leaves there. */
	void (*landed)(void *observer, const struct request *rq, const struct bvec *v,
		       uint64_t landed);
	/* The oracle's: @b's durable content changed. */
	void (*durable)(void *observer, struct blk *b);
	void *observer;
	/* The machine's: no request is queued or in flight any more. */
	void (*idle)(void *data);
	void *idle_data;
};

struct device *device_new(struct sched *sched, struct mm *mm, const struct device_cfg *cfg,
			  uint64_t seed, const struct blk_hooks *hooks);
void device_free(struct device *d);
unsigned device_inflight(const struct device *d);
bool device_idle(const struct device *d);

/* Requests (request.c).  Every vector is assigned whole when a page is added; only
 * the header is cleared. */
struct request *request_alloc(struct device *d, unsigned nr);
void request_free(struct request *rq);
/* A request with room for @cap vectors holding @rq's, in @rq's place. */
struct request *request_grow(struct request *rq, unsigned cap);

/* Send @rq to the device: guard tags are computed from the data as it is now
 * (bio_integrity_prep), then the scheduler queues it. */
void submit_request(struct device *d, struct request *rq);
/* The plug: send what @t has been gathering (struct sched's flush_plug). */
void blk_flush_plug(void *dev, struct task *t);
/* read_folio for the page cache (struct mm_hooks' read_page). */
void blk_read_page(void *dev, struct page *p);

/* A cache flush covering every write completed before it is issued. */
struct request *device_flush_request(struct device *d);
/* Power stays on at the end of a run: whatever reached the cache becomes durable. */
void device_flush_all(struct device *d);
/* struct mm_hooks' before_modify. */
void device_before_modify(void *dev, struct page *p);

#endif
