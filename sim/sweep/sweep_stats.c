/*
 * sweep_stats — Student's t from the regularized incomplete beta function:
 * for t >= 0, P(T <= t) = 1 - I_x(df/2, 1/2) / 2 with x = df / (df + t^2).  I_x is
 * evaluated by its continued fraction (modified Lentz), which converges fast on the
 * side of x < (a+1)/(a+b+2); the other side goes through I_x(a,b) = 1 - I_(1-x)(b,a).
 * The quantile is found by bisection on the CDF: a few dozen evaluations once per
 * table cell, and no tabulated constants to get wrong.
 */
#include "sweep/sweep_stats.h"

#include <math.h>

#define TINY 1e-300

static double beta_cf(double a, double b, double x)
{
	double c = 1, d = 1 - (a + b) * x / (a + 1);
	d = 1 / (fabs(d) < TINY ? TINY : d);
	double h = d;
	for (int m = 1; m <= 1000; m++) {
		double m2 = 2.0 * m;
		/* The even step of the fraction, then the odd one. */
		double aa = m * (b - m) * x / ((a - 1 + m2) * (a + m2));
		d = 1 + aa * d;
		d = 1 / (fabs(d) < TINY ? TINY : d);
		c = 1 + aa / c;
		c = fabs(c) < TINY ? TINY : c;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2));
		d = 1 + aa * d;
		d = 1 / (fabs(d) < TINY ? TINY : d);
		c = 1 + aa / c;
		c = fabs(c) < TINY ? TINY : c;
		double step = d * c;
		h *= step;
		if (fabs(step - 1) < 1e-15)
			break;
	}
	return h;
}

static double ibeta(double a, double b, double x)
{
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double sweep_t_cdf(double t, double df)
{
	double tail = 0.5 * ibeta(df / 2, 0.5, df / (df + t * t));
	return t >= 0 ? 1 - tail : tail;
}

double sweep_t_quantile(double p, double df)
{
	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	if (p < 0.5)
		return -sweep_t_quantile(1 - p, df);
	double lo = 0, hi = 1;
	while (sweep_t_cdf(hi, df) < p && hi < 1e300)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
		double mid = (lo + hi) / 2;
		if (sweep_t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

struct sweep_stat sweep_stat_of(const double *x, size_t n)
{
	struct sweep_stat s = { .n = n, .mean = NAN, .sd = NAN, .half = NAN };
	if (!n)
		return s;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	s.mean = sum / (double)n;
	if (n < 2)
		return s;
	double ss = 0;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - s.mean) * (x[i] - s.mean);
	s.sd = sqrt(ss / (double)(n - 1));
	s.half = sweep_t_quantile(0.975, (double)(n - 1)) * s.sd / sqrt((double)n);
	return s;
}
