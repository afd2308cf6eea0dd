/*
 * config — everything a scenario can declare about the machine, with the defaults of
 * SCENARIO_API.md and DOMAIN.md §5.  Plain data; parsed by the Lua binding, read by
 * the model.
 */
#ifndef WBSIM_CONFIG_H
#define WBSIM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/uapi.h"

enum device_model { DEV_SSD, DEV_HDD };
enum sched_kind { SCHED_NONE, SCHED_REORDER, SCHED_ELEVATOR };

struct device_cfg {
	enum device_model model;
	uint64_t write_latency;         /* ns, per request before transfer time */
	uint64_t read_latency;
	uint64_t flush_latency;         /* ns, a cache flush (extension; default: write_latency) */
	uint64_t bandwidth;             /* bytes per second */
	double jitter;                  /* coefficient of variation of service time */
	unsigned queue_depth;
	enum sched_kind scheduler;
	uint64_t max_request;           /* bytes; adjacent pages merge up to this */
	bool integrity;                 /* guard checksums checked at DMA */
	bool stable_writes;             /* the device asks for stable pages */
	bool write_cache;               /* volatile cache: durable only after a flush */
	double dma_at;                  /* fraction of service time at which data is read */
	uint64_t seek;                  /* hdd: average seek, ns (extension) */
	uint64_t rotation;              /* hdd: full rotation, ns (extension) */
};

struct writeback_cfg {
	uint64_t memory;                /* bytes of page cache the ratios refer to */
	unsigned dirty_background_ratio;
	unsigned dirty_ratio;
	uint64_t interval;              /* ns between periodic flusher wakeups */
	uint64_t expire;                /* ns after which dirty data is written by kupdate */
	unsigned chunk;                 /* pages per flusher pass per file */
};

struct cost_cfg {
	uint64_t syscall;
	uint64_t copy_page;
	uint64_t checksum_page;
	uint64_t fault;
	uint64_t pte_update;
	uint64_t tlb_shootdown;
	uint64_t page_alloc;
	uint64_t dio_request;           /* block layer and driver work of one O_DIRECT request */
};

struct sim_config {
	struct device_cfg dev;
	struct writeback_cfg wb;
	struct cost_cfg cost;
	uint64_t seed;
	uint64_t duration;              /* ns; 0 = until tasks finish and writeback is idle */
	uint64_t timeline_interval;     /* ns between timeline samples; 0 = off */
};

void sim_config_defaults(struct sim_config *c);
/* After a scenario set what it wanted: fill in defaults that depend on other fields
 * (stable_writes follows integrity, hdd timings, flush latency). */
void sim_config_finish(struct sim_config *c, bool stable_writes_set, bool bandwidth_set,
		       bool flush_set);

#endif
