/*
 * iosched — the I/O schedulers: which queued request the device serves next.
 *   none      submission order (blk-mq's "none")
 *   reorder   any queued request, chosen at random: the block layer promises no order
 *             between requests in flight, and this one takes it at its word
 *   elevator  C-SCAN by sector, from where the head last was
 */
#include "block/blk_internal.h"

static struct request *pick_none(struct device *d, struct request **prev)
{
	struct request *best = d->head;
	*prev = NULL;
	/* A long FIFO queue outgrows the caches: fetch what the next dispatch touches
	 * (that request's page, the request after it) while this one is being served.
	 * The next head itself was fetched the same way a dispatch ago. */
	struct request *h = best->next;
	if (h) {
		if (h->nr && h->vec[0].page)
			__builtin_prefetch(&h->vec[0].page->dma_slot, 1);
		if (h->next) {
			__builtin_prefetch(h->next, 1);
			__builtin_prefetch(&h->next->vec[0], 1);
		}
	}
	return best;
}

static struct request *pick_reorder(struct device *d, struct request **prev)
{
	uint64_t k = rng_below(&d->sched_rng, d->queued);
	struct request *p = NULL, *r = d->head;
	while (k--) {
		p = r;
		r = r->next;
	}
	*prev = p;
	return r;
}

static struct request *pick_elevator(struct device *d, struct request **prev)
{
	/* The lowest sector at or after the head, else the lowest. */
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
	*prev = up ? up_prev : lo_prev;
	return up ? up : lo;
}

const struct elevator elv_none = { "none", pick_none };
const struct elevator elv_reorder = { "reorder", pick_reorder };
const struct elevator elv_elevator = { "elevator", pick_elevator };
