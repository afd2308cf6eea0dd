/*
 * hist — log-linear latency histograms (the HdrHistogram / fio idea): values are
 * binned by power of two, and each power of two is split into HIST_SUB linear
 * sub-buckets, so the relative error of any reported percentile is below
 * 1/HIST_SUB while the memory is fixed whatever the values.
 */
#ifndef WBSIM_HIST_H
#define WBSIM_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS 6                 /* 64 sub-buckets: error < 1.6 % */
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_MAX_BITS 48                /* values up to 2^48 ns (~3.2 days) */

struct hist;

struct hist *hist_new(void);
void hist_free(struct hist *h);
void hist_reset(struct hist *h);
void hist_record(struct hist *h, uint64_t value);
void hist_record_n(struct hist *h, uint64_t value, uint64_t n);
void hist_merge(struct hist *dst, const struct hist *src);

uint64_t hist_count(const struct hist *h);
uint64_t hist_min(const struct hist *h);        /* 0 when empty */
uint64_t hist_max(const struct hist *h);        /* exact */
double hist_mean(const struct hist *h);         /* exact (kept as a running sum) */
/* The smallest recorded bucket's representative value v such that at least
 * p percent (0..100) of the values are <= v; exact min/max at the ends. */
uint64_t hist_percentile(const struct hist *h, double p);

/* Bucket iteration for reports: buckets 0..hist_nbuckets()-1 cover [lo, hi]. */
size_t hist_nbuckets(void);
void hist_bucket_range(size_t i, uint64_t *lo, uint64_t *hi);
uint64_t hist_bucket_count(const struct hist *h, size_t i);
size_t hist_bytes(void);

#endif
