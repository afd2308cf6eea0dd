/*
 * rng — named random streams.  A stream's state is derived only from the run seed and
 * the stream's name, so creating, using or dropping one stream never changes the
 * numbers another one yields: a policy that schedules the device differently cannot
 * shift a workload's random choices.
 *
 * xoshiro256** (Blackman & Vigna), seeded through splitmix64 from a 64-bit FNV-1a
 * hash of the name mixed with the seed.
 */
#ifndef WBSIM_RNG_H
#define WBSIM_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
	double spare;                   /* the polar method makes normals in pairs */
	int has_spare;
};

void rng_init(struct rng *r, uint64_t seed, const char *name);
uint64_t rng_next(struct rng *r);
double rng_double(struct rng *r);                        /* [0, 1) */
uint64_t rng_below(struct rng *r, uint64_t n);           /* [0, n), unbiased; n > 0 */
int64_t rng_range(struct rng *r, int64_t lo, int64_t hi); /* [lo, hi] inclusive */
double rng_exponential(struct rng *r, double mean);
double rng_normal(struct rng *r);                        /* standard normal */
/* A positive factor with mean 1 and coefficient of variation @cv (log-normal). */
double rng_jitter(struct rng *r, double cv);
/* The same with the log-normal's sigma precomputed: rng_jitter_sigma(cv). */
double rng_jitter_s(struct rng *r, double sigma);
double rng_jitter_sigma(double cv);

#endif
