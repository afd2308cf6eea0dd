/*
 * ssd — a flash device: up to queue_depth requests in service, each spending its
 * kind's fixed latency, scaled by a log-normal jitter of mean 1, in parallel with the
 * others, and then transferring its bytes over the shared link.  The link itself does
 * not jitter: however the latencies vary, the bytes moved per second never exceed the
 * bandwidth.
 */
#include "block/blk_internal.h"

static struct service ssd_service(struct device *d, const struct request *rq)
{
	double j = rng_jitter_s(&d->svc, d->sigma);
	return (struct service){ round_ns(device_base_latency(d, rq) * j), device_bytes(rq) };
}

const struct device_ops ssd_model = { "ssd", ssd_service };
