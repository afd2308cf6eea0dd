/*
 * sweep_plot — charts of a sweep with gnuplot, as PNG and SVG in OUT/charts/ (each
 * drawn to a temporary name and renamed, as scripts/plot does):
 *
 *   <metric>-vs-<param>[--<other>=<value>...].{png,svg}
 *
 * x is the swept parameter, y the metric's mean over the seeds with the 95 %
 * confidence interval as error bars (none with one seed), one line per policy.  With
 * several swept parameters each chart holds the others fixed, and there is one chart
 * for every combination of their values (named after it).  A numeric parameter whose
 * values span a factor of 8 or more gets a log2 x axis (ranges like 1..64*2); a
 * parameter that is not numeric is drawn as categories in the order given.
 *
 * The metrics are those of --metric, else the first SWEEP_PLOT_DEFAULT_METRICS of
 * sweep.md's.
 */
#ifndef WBSIM_SWEEP_PLOT_H
#define WBSIM_SWEEP_PLOT_H

#include <stdbool.h>

#include "sweep/sweep_collect.h"

#define SWEEP_PLOT_DEFAULT_METRICS 4

/* The gnuplot commands of one chart, drawing to @png and @svg (exposed for the tests). */
char *sweep_plot_script(const struct sweep_results *r, const char *metric, guint axis,
			guint others_combo, const char *png, const char *svg, bool pngcairo);
/* Every chart into @out/charts/; false with the reason (gnuplot missing or failing). */
bool sweep_plot(const char *out, const struct sweep_results *r, GError **err);

#endif
