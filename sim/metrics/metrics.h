/*
 * metrics — every number a run reports, by the names of SCENARIO_API.md "Metrics".
 * Counters and times are plain integers indexed by enum; latencies are log-linear
 * histograms, one per operation kind.  Definitions: README.md, "Metrics".
 */
#ifndef WBSIM_METRICS_H
#define WBSIM_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "metrics/hist.h"

enum metric_counter {
	M_WRITES,               /* buffered write(2) calls */
	M_STORES,               /* m:store calls */
	M_FAULTS,               /* write faults taken (page_mkwrite path) */
	M_PIN_WRITES,           /* pin:write calls */
	M_DIO_WRITES,           /* O_DIRECT write calls */
	M_FSYNCS,               /* fsync / fdatasync / msync / sync calls */
	M_DISK_WRITES,          /* pages written to the device (completed or failed) */
	M_DISK_REQUESTS,        /* write requests issued to the device */
	M_DIO_WRITE_BW,         /* MiB/s of O_DIRECT writes over the workload's time */
	M_REDUNDANT_WRITES,     /* a page write landed with content the block already held */
	M_CHECKSUM_ERRORS,      /* requests the device rejected: guard tag mismatch at DMA */
	M_EIO_RETURNED,         /* operations that returned EIO to the program */
	M_STALE_OVERWRITES,     /* a page write landed older than what the block held */
	M_LOST_WRITES,          /* writes whose bytes lost every way to the disk, when they did */
	M_LOST_AT_END,          /* blocks whose durable content differs from the shadow at end */
	M_FSYNC_VIOLATIONS,     /* sync calls that returned success with older data not durable */
	M_STALE_READS,          /* reads that returned content older than the shadow */
	M_STALE_CACHE_PAGES,    /* clean cached pages that differ from the disk at end */
	M_FORKS,                /* page copies made by forking */
	M_BOUNCES,              /* pages written from a bounce buffer */
	M_PTE_UPDATES,          /* PTEs write-protected or re-pointed */
	M_TLB_SHOOTDOWNS,       /* remote TLB flush IPIs */
	M_FORKED_PAGES_PEAK,    /* most forked-off copies alive at once */
	M_BOUNCE_PAGES_PEAK,    /* most bounce pages alive at once */
	M_STABLE_WAITS,         /* waits for a page's writeback to end before modifying it */
	/* times, nanoseconds */
	M_STALL_STABLE,         /* writers waiting for writeback to end (stable pages) */
	M_STALL_PIN,            /* writers waiting for a pin to be released */
	M_STALL_REFORK,         /* sync writeback waiting for an older copy in flight */
	M_STALL_THROTTLE,       /* writers throttled by balance_dirty_pages */
	M_CPU_COPY,
	M_CPU_CHECKSUM,
	M_CPU_PTE,
	M_CPU_TLB,
	M_SIM_TIME,             /* simulated time at the end of the run */
	M_NR_COUNTERS
};

enum op_kind {
	OPK_WRITE,
	OPK_STORE,
	OPK_FAULT,
	OPK_FSYNC,
	OPK_MSYNC,
	OPK_DIO_WRITE,
	OPK_PIN_WRITE,
	OPK_READ,
	OPK_THROTTLE,           /* one balance_dirty_pages pause (not an operation) */
	OPK_NR
};

enum latency_stat {
	LS_COUNT, LS_MEAN, LS_P50, LS_P90, LS_P99, LS_P999, LS_MAX, LS_NR
};

struct metrics {
	uint64_t c[M_NR_COUNTERS];
	struct hist *lat[OPK_NR];
	/* live gauges behind the *_peak counters and the timeline */
	uint64_t forked_pages;
	uint64_t bounce_pages;
	uint64_t dio_write_bytes;       /* behind dio_write_bw */
	/* what the target that filled these could not measure: counters, then latency
	 * kinds (shown as "n/a", never as 0) */
	bool absent[M_NR_COUNTERS + OPK_NR];
};

/* The machine's state at one instant, as the timeline samples it (pages, requests,
 * tasks). */
struct sim_gauges {
	uint64_t dirty, writeback, forked, bounce, inflight, stalled;
};

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

const char *metric_counter_name(enum metric_counter c);        /* "redundant_writes" */
bool metric_counter_is_time(enum metric_counter c);
const char *op_kind_name(enum op_kind k);                       /* "write" */
const char *latency_stat_name(enum latency_stat s);            /* "p99" */

/* Look a metric up by its public name ("checksum_errors", "stall.pin",
 * "write.p99").  False when the name is not a metric. */
bool metrics_lookup(const struct metrics *m, const char *name, double *value);
bool metric_name_valid(const char *name);
/* Mark what the metric table says @target cannot measure. */
void metrics_mark_absent(struct metrics *m, const char *target);
/* @name is a metric the run's target could not measure. */
bool metrics_absent(const struct metrics *m, const char *name);
/* Every public metric name, in report order; NULL-terminated, static. */
const char *const *metric_names(void);

static inline void metrics_add(struct metrics *m, enum metric_counter c, uint64_t v)
{
	m->c[c] += v;
}

static inline void metrics_inc(struct metrics *m, enum metric_counter c)
{
	m->c[c]++;
}

void metrics_gauge_forked(struct metrics *m, int64_t delta);
void metrics_gauge_bounce(struct metrics *m, int64_t delta);
void metrics_latency(struct metrics *m, enum op_kind k, uint64_t ns);

#endif
