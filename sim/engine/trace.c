/*
 * trace — formatting a trace line and handing it to the run's sink.
 */
#include "engine/trace.h"

#include <stdarg.h>

#include "engine/engine.h"

void trace_emit(const struct tracer *tr, const char *comm, int pid, int cpu,
		const char *event, const char *fmt, ...)
{
	simtime_t now = engine_now(tr->eng);
	GString *line = g_string_new(NULL);
	if (comm)
		g_string_append_printf(line, "%16s-%-5d [%03d] ", comm, pid, cpu);
	else
		g_string_append_printf(line, "%16s-%-5d [%03d] ", "<irq>", 0, 0);
	g_string_append_printf(line, "%" G_GUINT64_FORMAT ".%09" G_GUINT64_FORMAT ": %s: ",
			       (uint64_t)(now / NSEC_PER_SEC), (uint64_t)(now % NSEC_PER_SEC), event);
	va_list ap;
	va_start(ap, fmt);
	g_string_append_vprintf(line, fmt, ap);
	va_end(ap);
	tr->fn(tr->data, line->str);
	g_string_free(line, TRUE);
}
