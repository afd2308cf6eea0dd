/*
 * hdd — a disk: one request at a time; besides the latency and transfer of an ssd,
 * a seek and on average half a rotation unless the head is already where the request
 * starts.
 */
#include "block/blk_internal.h"

static simtime_t hdd_service(struct device *d, const struct request *rq)
{
	const struct device_cfg *c = d->cfg;
	double t = device_base_time(d, rq) * rng_jitter_s(&d->svc, d->sigma);
	if (rq->op != REQ_OP_FLUSH && rq->sector != d->head_pos)
		t += (double)c->seek * rng_jitter_s(&d->svc, d->sigma) +
		     (double)c->rotation * rng_double(&d->svc);
	return t < 1 ? 1 : round_ns(t);
}

const struct device_ops hdd_model = { "hdd", hdd_service };
