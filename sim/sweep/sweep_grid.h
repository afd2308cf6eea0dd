/*
 * sweep_grid — the axes of a sweep, as given by `--grid NAME=VALUES` (README "Sweeps"):
 *
 *   writers=1,2,4,8         a list
 *   writers=1..8            every integer from 1 to 8
 *   ratio=0.1..0.5+0.1      from 0.1 to 0.5 in steps of 0.1 (arithmetic)
 *   qd=1..64*2              1, 2, 4, ..., 64 (geometric: each value times 2)
 *   qd=1,3..9+3,32          items mix: 1, 3, 6, 9, 32
 *
 * A range includes its end when a step lands on it.  Values stay text, exactly as a
 * `--set NAME=VALUE` would give them; whether they suit the parameter is the
 * scenario's business (sweep_grid_check asks it).
 */
#ifndef WBSIM_SWEEP_GRID_H
#define WBSIM_SWEEP_GRID_H

#include <glib.h>
#include <stdbool.h>

#include "run/run.h"

#define SWEEP_ERROR (sweep_error_quark())
GQuark sweep_error_quark(void);

enum sweep_error {
	SWEEP_ERROR_INPUT,      /* bad grid, bad plan, bad manifest: exit 2 */
	SWEEP_ERROR_MISSING,    /* --collect found points without complete results */
};

/* More would be a typo (a range with a tiny step), not a sweep. */
#define SWEEP_MAX_AXIS_VALUES 10000
#define SWEEP_MAX_POINTS 1000000

struct sweep_axis {
	char *name;                     /* a sim.param of the scenario */
	GPtrArray *values;              /* of char *, in the order given */
};

/* One --grid argument; NULL and a message quoting it when it does not parse. */
struct sweep_axis *sweep_axis_parse(const char *arg, GError **err);
struct sweep_axis *sweep_axis_new(const char *name);
void sweep_axis_free(gpointer a);
/* Every --grid argument, in order (the first axis varies slowest); an axis named
 * twice is an error.  An empty array for no argument. */
GPtrArray *sweep_grid_parse(char *const *args, GError **err);

/* Whether the axes suit the scenario: each name is a parameter of @info (else the
 * error lists them), none is also fixed by --set, and each value converts to its
 * parameter's type.  The conversion is the scenario's own: each value is probed with
 * `--set NAME=VALUE` on top of @base's sets, so whatever `wbsim run --set` would
 * reject, the grid does too, with the same words. */
bool sweep_grid_check(const GPtrArray *axes, const struct scenario_opts *base,
		      const struct scenario_info *info, GError **err);

#endif
