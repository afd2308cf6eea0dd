/*
 * hdd — a disk: one request at a time; before its transfer, besides an ssd's latency,
 * a seek and on average half a rotation unless the head is already where the request
 * starts.  With one request in service the link is never shared.
 */
#include "block/blk_internal.h"

static struct service hdd_service(struct device *d, const struct request *rq)
{
	const struct device_cfg *c = d->cfg;
	double j = rng_jitter_s(&d->svc, d->sigma);
	double t = device_base_latency(d, rq) * j;
	if (rq->op != REQ_OP_FLUSH && rq->sector != d->head_pos)
		t += (double)c->seek * rng_jitter_s(&d->svc, d->sigma) +
		     (double)c->rotation * rng_double(&d->svc);
	return (struct service){ round_ns(t), device_bytes(rq) };
}

const struct device_ops hdd_model = { "hdd", hdd_service };
