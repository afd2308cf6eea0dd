/*
 * metric_table — what each metric is (metrics/metric_table.c holds the rows).
 */
#ifndef WBSIM_METRIC_TABLE_H
#define WBSIM_METRIC_TABLE_H

#include <stdbool.h>

#include "metrics/metrics.h"

enum metric_kind {
	MK_COUNTER,             /* events counted */
	MK_TIME,                /* nanoseconds summed */
	MK_PEAK,                /* the highest a gauge went */
	MK_RATE,                /* an amount per second of simulated time, at the end */
	MK_LATENCY,             /* a histogram per operation kind: count, mean, percentiles */
};

enum metric_better { BETTER_LOWER, BETTER_HIGHER, BETTER_NONE };

struct metric_def {
	const char *name;               /* public name; a latency's operation kind */
	enum metric_kind kind;
	const char *unit;               /* "calls", "pages", "ns", ... */
	enum metric_better better;
	const char *section;            /* the comparison's section (latencies: their own) */
	const char *chart;              /* the bar chart that draws it, or NULL */
	const char *label;              /* its name there, when not its own */
	const char *absent_on;          /* targets that cannot measure it, space separated */
	const char *definition;         /* one line, markdown */
};

const struct metric_def *metric_counter_def(enum metric_counter c);
const struct metric_def *metric_latency_def(enum op_kind k);
/* The comparison's section titles, in order; NULL-terminated. */
const char *const *metric_sections(void);
const char *metric_kind_name(enum metric_kind k);
const char *metric_better_name(enum metric_better b);
bool metric_absent_on(const struct metric_def *d, const char *target);

/* README's metric table (markdown), and the charts' rows for scripts/plot
 * ("chart<TAB>metric<TAB>label" lines, in table order). */
char *metric_table_markdown(void);
char *metric_table_charts(void);

#endif
