/*
 * report_json — what the per-run report (report.c) and the comparison
 * (report_compare.c) share: metric names read as latency statistics, how a metric
 * goes into JSON, and the JSON text itself.  Private to the two.
 */
#ifndef WBSIM_REPORT_JSON_H
#define WBSIM_REPORT_JSON_H

#include <json-glib/json-glib.h>
#include <stdbool.h>

#include "report/result.h"

/* "write.p99" is a latency: kind write, stat p99.  Returns the kind or -1. */
int report_latency_kind(const char *name, enum latency_stat *stat);
const char *report_end_name(enum sim_end e);
/* A metric's value with a JSON type that depends on its name only. */
void report_json_metric(JsonBuilder *b, const char *name, double v);
void report_json_str(JsonBuilder *b, const char *key, const char *v);
void report_json_expectations(JsonBuilder *b, const GPtrArray *expects);
bool report_expects_pass(const GPtrArray *expects);

#endif
