/*
 * trace — one line per event in the layout of the kernel's ftrace output:
 *     writer-1 [001] 0.000123456: writeback_dirty_folio: ino=1 index=5
 * Events without a task (completions, the device) are shown as <irq>-0 on CPU 0.
 * The layers hold a pointer to the run's tracer; with no sink set, the TRACE macros
 * of the layers above cost one test.
 */
#ifndef WBSIM_TRACE_H
#define WBSIM_TRACE_H

#include <glib.h>

struct engine;

typedef void (*sim_trace_fn)(void *data, const char *line);

struct tracer {
	sim_trace_fn fn;                /* NULL: tracing is off */
	void *data;
	const struct engine *eng;       /* the clock each line is stamped with */
};

/* @comm NULL: an event of no task (shown as <irq>-0 on CPU 0). */
void trace_emit(const struct tracer *tr, const char *comm, int pid, int cpu,
		const char *event, const char *fmt, ...) G_GNUC_PRINTF(6, 7);

#endif
