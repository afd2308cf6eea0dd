#include "engine/config.h"
#include "engine/engine.h"

void sim_config_defaults(struct sim_config *c)
{
	*c = (struct sim_config){
		.dev = {
			.model = DEV_SSD,
			.write_latency = 20 * NSEC_PER_USEC,
			.read_latency = 80 * NSEC_PER_USEC,
			.flush_latency = 20 * NSEC_PER_USEC,
			.bandwidth = 2ull << 30,
			.jitter = 0.2,
			.queue_depth = 32,
			.scheduler = SCHED_NONE,
			.max_request = 512 * 1024,
			.integrity = false,
			.stable_writes = false,
			.write_cache = false,
			.dma_at = 0.5,
			.seek = 4 * NSEC_PER_MSEC,
			.rotation = 8333333,    /* 7200 rpm */
		},
		.wb = {
			.memory = 1ull << 30,
			.dirty_background_ratio = 10,
			.dirty_ratio = 20,
			.interval = 5 * NSEC_PER_SEC,
			.expire = 30 * NSEC_PER_SEC,
			.chunk = 1024,
		},
		.cost = {
			.syscall = 300,
			.copy_page = 300,
			.checksum_page = 200,
			.fault = 2 * NSEC_PER_USEC,
			.pte_update = 100,
			.tlb_shootdown = 1 * NSEC_PER_USEC,
			.page_alloc = 200,
			.dio_request = 4 * NSEC_PER_USEC,
		},
		.seed = 1,
		.duration = 0,
		.timeline_interval = 0,
	};
}

void sim_config_finish(struct sim_config *c, bool stable_writes_set, bool bandwidth_set,
		       bool flush_set)
{
	if (!stable_writes_set)
		c->dev.stable_writes = c->dev.integrity;
	if (c->dev.model == DEV_HDD) {
		/* A disk transfers ~200 MB/s and serves one request at a time. */
		if (!bandwidth_set)
			c->dev.bandwidth = 200ull * 1000 * 1000;
		c->dev.queue_depth = 1;
	}
	if (!flush_set)
		c->dev.flush_latency = c->dev.write_latency;
}
