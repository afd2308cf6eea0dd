/*
 * trace — one line per event in the layout of the kernel's ftrace output:
 *     writer-1 [001] 0.000123456: writeback_dirty_folio: ino=1 index=5
 * Events without a task (completions, the device) are shown as <irq>-0 on CPU 0.
 */
#include "model.h"

#include <stdarg.h>

void trace_event(struct sim *s, struct task *t, const char *event, const char *fmt, ...)
{
	simtime_t now = sim_now(s);
	GString *line = g_string_new(NULL);
	if (t)
		g_string_append_printf(line, "%16s-%-5d [%03d] ", t->name, t->id, t->cpu);
	else
		g_string_append_printf(line, "%16s-%-5d [%03d] ", "<irq>", 0, 0);
	g_string_append_printf(line, "%" G_GUINT64_FORMAT ".%09" G_GUINT64_FORMAT ": %s: ",
			       (uint64_t)(now / NSEC_PER_SEC), (uint64_t)(now % NSEC_PER_SEC), event);
	va_list ap;
	va_start(ap, fmt);
	g_string_append_vprintf(line, fmt, ap);
	va_end(ap);
	s->trace(s->trace_data, line->str);
	g_string_free(line, TRUE);
}
