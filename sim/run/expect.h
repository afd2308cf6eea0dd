/*
 * expect — expectations on a run's metrics: declared by a workload under a policy
 * pattern (a canonical spec, or a glob with '*' over canonical specs), judged against
 * a run under a spec.  Judged in the order they were declared (by call, then pattern,
 * then metric: a source may hand them over in no order of its own).
 */
#ifndef WBSIM_EXPECT_H
#define WBSIM_EXPECT_H

#include <glib.h>
#include <stdbool.h>

#include "metrics/metrics.h"

enum cmp { CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_EQ, CMP_NE };

struct expect_decl {
	char *pattern;          /* as written */
	char *match;            /* canonical spec, or the glob */
	bool glob;
	char *metric;
	char *predicate;        /* as written */
	enum cmp op;
	double value;
	char *where;            /* "file:line" */
	unsigned call;          /* which declaration it came from, in order */
};

/* "<5ms", ">= 3", "0": an operator (default ==) and a number or a duration in ns. */
bool expect_parse_predicate(const char *s, enum cmp *op, double *v);
void expect_decl_free(gpointer p);
/* The expectations of @decls whose pattern matches @spec, judged against @m: a new
 * array of struct expect_result *. */
GPtrArray *expect_judge(const GPtrArray *decls, const char *spec, const struct metrics *m);

#endif
