/*
 * Log-linear histogram.  Bucket layout, with S = HIST_SUB_BITS:
 *
 *   v < 2^S:  bucket v, exact.
 *   v >= 2^S: let e = floor(log2 v) and shift = e - S.  Then v >> shift lies in
 *             [2^S, 2^(S+1)), and the bucket is
 *                 shift * 2^S + (v >> shift)
 *             (the same as (e - S + 1) * 2^S + (v >> shift) - 2^S).
 *
 * Group g = shift + 1 (g >= 1) therefore holds buckets [g * 2^S, (g + 1) * 2^S),
 * each 2^shift wide, covering [2^e, 2^(e+1)); group 0 holds the exact values
 * below 2^S and group 1 continues them with width 1, so the buckets tile
 * [0, 2^HIST_MAX_BITS) with no gap or overlap.  A bucket's lower bound is at
 * least 2^S times its width, which is what bounds the relative error of a
 * reported upper bound by 1/HIST_SUB.  Values from 2^HIST_MAX_BITS up share the
 * last bucket; hist_max() stays exact for them.
 *
 * The sum is kept as an unsigned __int128 so the mean is exact whatever the
 * count: 2^64 values of up to 2^64 - 1 cannot overflow it.
 */
#include "metrics/hist.h"

#include <float.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#define HIST_NBUCKETS (((size_t)HIST_MAX_BITS - HIST_SUB_BITS + 1) * HIST_SUB)
#define HIST_LIMIT (1ull << HIST_MAX_BITS)

__extension__ typedef unsigned __int128 u128;

struct hist {
	uint64_t count;
	uint64_t min;           /* UINT64_MAX while empty */
	uint64_t max;
	u128 sum;
	uint64_t bucket[HIST_NBUCKETS];
};

static inline size_t bucket_of(uint64_t v)
{
	if (v < HIST_SUB)
		return (size_t)v;
	if (v >= HIST_LIMIT)
		return HIST_NBUCKETS - 1;
	unsigned int e = 63 - (unsigned int)__builtin_clzll(v);
	unsigned int shift = e - HIST_SUB_BITS;
	return ((size_t)shift << HIST_SUB_BITS) + (size_t)(v >> shift);
}

struct hist *hist_new(void)
{
	struct hist *h = g_new(struct hist, 1);
	hist_reset(h);
	return h;
}

void hist_free(struct hist *h)
{
	g_free(h);
}

void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void hist_record_n(struct hist *h, uint64_t value, uint64_t n)
{
	if (n == 0)
		return;
	h->bucket[bucket_of(value)] += n;
	h->count += n;
	h->sum += (u128)value * n;
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
}

void hist_record(struct hist *h, uint64_t value)
{
	hist_record_n(h, value, 1);
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (src->count == 0)
		return;
	for (size_t i = 0; i < HIST_NBUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t hist_count(const struct hist *h)
{
	return h->count;
}

uint64_t hist_min(const struct hist *h)
{
	return h->count ? h->min : 0;
}

uint64_t hist_max(const struct hist *h)
{
	return h->max;
}

/* 0 when empty, so reports of an operation that never ran stay numeric. */
double hist_mean(const struct hist *h)
{
	if (h->count == 0)
		return 0.0;
	/* Split the quotient so a sum beyond 2^64 keeps its precision. */
	u128 q = h->sum / h->count;
	u128 r = h->sum % h->count;
	return (double)q + (double)r / (double)h->count;
}

/*
 * Rank (1 = smallest) of the value at p percent: ceil(p/100 * count).  The
 * product is shaved by a few units in the last place first because decimal
 * percentages are not exact in binary: 99.9 percent of 1000 can compute as
 * 999.0000000000001, whose ceiling would skip to the next value.
 */
static uint64_t rank_of(double p, uint64_t count)
{
	double x = p * (double)count / 100.0;
	double r = ceil(x - x * (8 * DBL_EPSILON));
	if (r < 1.0)
		return 1;
	if (r >= (double)count)
		return count;
	return (uint64_t)r;
}

static uint64_t bucket_upper(size_t i)
{
	uint64_t lo, hi;
	if (i == HIST_NBUCKETS - 1)
		return UINT64_MAX;      /* holds the clamped values: only max bounds it */
	hist_bucket_range(i, &lo, &hi);
	return hi;
}

/* NaN is treated like p >= 100, the conservative answer. */
uint64_t hist_percentile(const struct hist *h, double p)
{
	if (h->count == 0)
		return 0;
	if (p <= 0.0)
		return h->min;
	if (!(p < 100.0))
		return h->max;
	uint64_t rank = rank_of(p, h->count);
	uint64_t seen = 0;
	for (size_t i = 0; i < HIST_NBUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			uint64_t v = bucket_upper(i);
			return v < h->min ? h->min : v > h->max ? h->max : v;
		}
	}
	return h->max;          /* unreachable: the buckets sum to count */
}

size_t hist_nbuckets(void)
{
	return HIST_NBUCKETS;
}

void hist_bucket_range(size_t i, uint64_t *lo, uint64_t *hi)
{
	g_assert(i < HIST_NBUCKETS);
	if (i < HIST_SUB) {
		*lo = *hi = i;
		return;
	}
	unsigned int shift = (unsigned int)(i >> HIST_SUB_BITS) - 1;
	uint64_t sub = HIST_SUB + (i & (HIST_SUB - 1));
	*lo = sub << shift;
	*hi = *lo + (1ull << shift) - 1;
}

uint64_t hist_bucket_count(const struct hist *h, size_t i)
{
	g_assert(i < HIST_NBUCKETS);
	return h->bucket[i];
}

size_t hist_bytes(void)
{
	return sizeof(struct hist);
}
