/*
 * ktrace — the writeback tracepoints of one linux: run, read with libtracefs.
 *
 * A trace instance of our own (named wbsim-<pid>-<start>-<n>, so the reaper
 * knows its owner) with writeback:folio_wait_writeback, balance_dirty_pages and
 * writeback_dirty_folio enabled and filtered to the run's backing_dev_info, so
 * another filesystem's writeback never counts.
 *
 * Time in folio_wait_writeback: the tracepoint fires when a task starts to wait
 * and nothing marks the end (this kernel offers neither function_graph nor
 * kprobes to an unprivileged lockdown).  When a pid is given, the instance also
 * records sched_switch and sched_wakeup of that pid and the threads it creates
 * afterwards (set_event_pid, event-fork), and a wait is timed from the
 * tracepoint to the wakeup that ends the sleep it caused (sched_switch out in
 * TASK_UNINTERRUPTIBLE, then sched_wakeup).  A wait that ended before the task
 * slept counts as 0.  Both the writeback and the sched events are then only
 * those of that pid's threads.
 */
#ifndef WBSIM_KTRACE_H
#define WBSIM_KTRACE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "linux/kenv.h"

struct ktrace;

struct ktrace_counts {
	uint64_t folio_wait_writeback;  /* events: a task waited for a page under writeback */
	int64_t wait_ns;                /* their total time (see above); -1 when not measured */
	uint64_t waits_slept;           /* waits that slept (and so were timed) */
	uint64_t balance_dirty_pages;   /* events */
	uint64_t throttle_pauses;       /* those with a pause > 0: the writer slept */
	uint64_t throttle_ns;           /* their pauses summed (stall.throttle) */
	uint64_t writeback_dirty_folio; /* events: a clean folio became dirty */
	uint64_t lost_events;           /* dropped by a full ring buffer: counts are
					 * lower bounds when this is not 0 */
};

/* Create and start the instance; @pid > 0 restricts it to that pid's threads
 * and measures wait time (see above).  The instance is registered with @e so
 * that kenv teardown and the signal path remove it if ktrace_free() does not. */
bool ktrace_start(struct kenv *e, pid_t pid, struct ktrace **out, GError **err);
/* Consume what the ring buffer holds so far into the counts: call it now and
 * then in a long run, so the buffer never fills. */
bool ktrace_poll(struct ktrace *t, GError **err);
/* Stop tracing and read the rest. */
bool ktrace_stop(struct ktrace *t, struct ktrace_counts *out, GError **err);
/* Remove the instance.  Safe on NULL. */
void ktrace_free(struct ktrace *t);

#endif
