/*
 * ssd — a flash device: up to queue_depth requests served in parallel, each taking
 * its kind's fixed latency plus its transfer at the full bandwidth, scaled by a
 * log-normal jitter of mean 1.
 */
#include "block/blk_internal.h"

static simtime_t ssd_service(struct device *d, const struct request *rq)
{
	double t = device_base_time(d, rq) * rng_jitter_s(&d->svc, d->sigma);
	return t < 1 ? 1 : round_ns(t);
}

const struct device_ops ssd_model = { "ssd", ssd_service };
