/*
 * request — allocating requests.  A run allocates and frees one or two per page
 * written, and malloc plus zeroing was a tenth of the time: requests come from
 * per-size-class free lists, class k holding 2^k vectors, and only the header is
 * cleared on reuse (whoever adds a vector assigns all of it).
 */
#include "block/blk_internal.h"

#include <string.h>

static unsigned size_class(unsigned nr)
{
	unsigned k = 0;
	while ((1u << k) < nr)
		k++;
	return k;
}

struct request *request_alloc(struct device *d, unsigned nr)
{
	unsigned k = size_class(nr ? nr : 1);
	g_assert(k < REQ_CLASSES);
	struct request *rq = d->free_requests[k];
	if (rq)
		d->free_requests[k] = rq->next;
	else
		rq = g_malloc(sizeof(*rq) + ((size_t)1 << k) * sizeof(struct bvec));
	memset(rq, 0, sizeof(*rq));
	rq->cap = 1u << k;
	rq->dev = d;
	rq->live_next = d->live_requests;
	if (rq->live_next)
		rq->live_next->live_prev = rq;
	d->live_requests = rq;
	return rq;
}

void request_free(struct request *rq)
{
	struct device *d = rq->dev;
	if (rq->live_prev)
		rq->live_prev->live_next = rq->live_next;
	else
		d->live_requests = rq->live_next;
	if (rq->live_next)
		rq->live_next->live_prev = rq->live_prev;
	unsigned k = size_class(rq->cap);
	rq->next = d->free_requests[k];
	d->free_requests[k] = rq;
}

struct request *request_grow(struct request *rq, unsigned cap)
{
	struct request *big = request_alloc(rq->dev, cap);
	unsigned bcap = big->cap;
	struct request *ln = big->live_next, *lp = big->live_prev;
	memcpy(big, rq, sizeof(*rq) + rq->nr * sizeof(struct bvec));
	big->cap = bcap;
	big->live_next = ln;
	big->live_prev = lp;
	request_free(rq);
	return big;
}

void request_pool_destroy(struct device *d)
{
	while (d->live_requests)
		request_free(d->live_requests);
	for (unsigned k = 0; k < REQ_CLASSES; k++)
		while (d->free_requests[k]) {
			struct request *rq = d->free_requests[k];
			d->free_requests[k] = rq->next;
			g_free(rq);
		}
}
