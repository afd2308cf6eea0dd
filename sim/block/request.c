/*
 * request — allocating requests.  A run allocates and frees one or two per page
 * written, and malloc plus zeroing was a tenth of the time: requests come from
 * per-size-class free lists, class k holding 2^k vectors, and only the header is
 * cleared on reuse (whoever adds a vector assigns all of it).  Every request ever
 * allocated is on the device's list of them, linked once when it is made, so that
 * a run abandoned mid-I/O frees them all without keeping a list of live ones on
 * every allocation and free.
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
	if (rq) {
		d->free_requests[k] = rq->next;
	} else {
		rq = g_malloc(sizeof(*rq) + ((size_t)1 << k) * sizeof(struct bvec));
		rq->all_next = d->all_requests;
		d->all_requests = rq;
	}
	struct request *all_next = rq->all_next;
	memset(rq, 0, sizeof(*rq));
	rq->all_next = all_next;
	rq->cap = 1u << k;
	rq->dev = d;
	return rq;
}

void request_free(struct request *rq)
{
	struct device *d = rq->dev;
	unsigned k = size_class(rq->cap);
	rq->next = d->free_requests[k];
	d->free_requests[k] = rq;
}

struct request *request_grow(struct request *rq, unsigned cap)
{
	struct request *big = request_alloc(rq->dev, cap);
	unsigned bcap = big->cap;
	struct request *all_next = big->all_next;
	memcpy(big, rq, sizeof(*rq) + rq->nr * sizeof(struct bvec));
	big->cap = bcap;
	big->all_next = all_next;
	request_free(rq);
	return big;
}

void request_pool_destroy(struct device *d)
{
	while (d->all_requests) {
		struct request *rq = d->all_requests;
		d->all_requests = rq->all_next;
		g_free(rq);
	}
	memset(d->free_requests, 0, sizeof(d->free_requests));
}
