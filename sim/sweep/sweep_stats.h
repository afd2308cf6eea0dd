/*
 * sweep_stats — the spread of a metric across seeds: mean, sample standard deviation,
 * and the half-width of the 95 % confidence interval of the mean, from Student's t
 * with n - 1 degrees of freedom (the seeds are the samples; their spread is all we
 * know of the variance, so the normal 1.96 would be too narrow for few seeds).
 */
#ifndef WBSIM_SWEEP_STATS_H
#define WBSIM_SWEEP_STATS_H

#include <stddef.h>

struct sweep_stat {
	size_t n;
	double mean;
	double sd;              /* sample standard deviation (n - 1); NAN when n < 2 */
	double half;            /* t(0.975, n-1) * sd / sqrt(n); NAN when n < 2 */
};

/* P(T <= t) for Student's t with @df degrees of freedom (df > 0). */
double sweep_t_cdf(double t, double df);
/* The t with P(T <= t) = @p, for 0 < p < 1. */
double sweep_t_quantile(double p, double df);
struct sweep_stat sweep_stat_of(const double *x, size_t n);

#endif
