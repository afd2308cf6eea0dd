/*
 * ktrace — counting the writeback tracepoints of a run (ktrace.h).
 *
 * Events are read with libtracefs's iterator (per-CPU raw buffers, merged in
 * time order) and decoded with libtraceevent from the formats the kernel
 * publishes: no text parsing of the trace.  Reads consume the buffer, so a long
 * run that polls never loses events to a full ring.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/kenv_int.h"
#include "linux/ktrace.h"

#ifdef WBSIM_HAVE_TRACEFS
#include <event-parse.h>
#include <tracefs.h>

/* The per-CPU ring: big enough for a few seconds of a busy run between polls. */
#define BUFFER_KB "8192"
#define TASK_UNINTERRUPTIBLE 0x2

struct wait_state {
	unsigned long long start;       /* ns of the folio_wait_writeback event */
	bool slept;
};

struct ktrace {
	struct kenv *env;
	struct tracefs_instance *inst;
	struct tep_handle *tep;
	int id_wait, id_bdp, id_dirty, id_switch, id_wakeup;
	bool timed;
	GHashTable *waiting;            /* tid -> struct wait_state */
	struct ktrace_counts c;
};

static unsigned long long field(struct tep_event *ev, struct tep_record *r, const char *name)
{
	unsigned long long v = 0;
	tep_get_field_val(NULL, ev, name, r, &v, 0);
	return v;
}

static void on_wait(struct ktrace *t, struct tep_record *r)
{
	t->c.folio_wait_writeback++;
	if (!t->timed)
		return;
	int tid = tep_data_pid(t->tep, r);
	struct wait_state *w = g_new0(struct wait_state, 1);
	w->start = r->ts;
	g_hash_table_insert(t->waiting, GINT_TO_POINTER(tid), w);
}

static void on_switch(struct ktrace *t, struct tep_event *ev, struct tep_record *r)
{
	int prev = (int)field(ev, r, "prev_pid");
	struct wait_state *w = g_hash_table_lookup(t->waiting, GINT_TO_POINTER(prev));
	if (w && (field(ev, r, "prev_state") & TASK_UNINTERRUPTIBLE))
		w->slept = true;
}

static void on_wakeup(struct ktrace *t, struct tep_event *ev, struct tep_record *r)
{
	int pid = (int)field(ev, r, "pid");
	struct wait_state *w = g_hash_table_lookup(t->waiting, GINT_TO_POINTER(pid));
	if (!w)
		return;
	/* A wakeup without a sleep in between ends nothing we caused; the wait it
	 * belonged to, if any, did not sleep and counts as 0. */
	if (w->slept && r->ts >= w->start) {
		t->c.wait_ns += (int64_t)(r->ts - w->start);
		t->c.waits_slept++;
	}
	g_hash_table_remove(t->waiting, GINT_TO_POINTER(pid));
}

static int on_record(struct tep_event *ev, struct tep_record *r, int cpu, void *ctx)
{
	(void)cpu;
	struct ktrace *t = ctx;
	if (r->missed_events > 0)
		t->c.lost_events += (uint64_t)r->missed_events;
	if (ev->id == t->id_wait) {
		on_wait(t, r);
	} else if (ev->id == t->id_dirty) {
		t->c.writeback_dirty_folio++;
	} else if (ev->id == t->id_bdp) {
		/* pause is in milliseconds (jiffies * 1000 / HZ); 0 or less means the
		 * writer was let through without sleeping. */
		long long pause = (long long)field(ev, r, "pause");
		t->c.balance_dirty_pages++;
		if (pause > 0) {
			t->c.throttle_pauses++;
			t->c.throttle_ns += (uint64_t)pause * 1000000u;
		}
	} else if (t->timed && ev->id == t->id_switch) {
		on_switch(t, ev, r);
	} else if (t->timed && ev->id == t->id_wakeup) {
		on_wakeup(t, ev, r);
	}
	return 0;
}

static int event_id(struct tep_handle *tep, const char *sys, const char *name)
{
	struct tep_event *ev = tep_find_event_by_name(tep, sys, name);
	return ev ? ev->id : -1;
}

static bool write_file(struct ktrace *t, const char *file, const char *value, GError **err)
{
	if (tracefs_instance_file_write(t->inst, file, value) >= 0)
		return true;
	g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "trace instance %s: writing %s: %s",
		    tracefs_instance_get_name(t->inst), file, g_strerror(errno));
	return false;
}

static bool enable(struct ktrace *t, const char *sys, const char *event, const char *filter,
		   GError **err)
{
	if (filter && tracefs_event_file_write(t->inst, sys, event, "filter", filter) < 0) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "filter %s on %s:%s: %s", filter,
			    sys, event, g_strerror(errno));
		return false;
	}
	if (tracefs_event_enable(t->inst, sys, event) != 0) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_MISSING, "tracepoint %s:%s: %s", sys,
			    event, g_strerror(errno));
		return false;
	}
	return true;
}

static bool configure(struct ktrace *t, pid_t pid, GError **err)
{
	const char *bdi = kenv_bdi(t->env);
	char *by_name = g_strdup_printf("name == \"%s\"", bdi);
	char *by_bdi = g_strdup_printf("bdi == \"%s\"", bdi);
	bool ok = write_file(t, "buffer_size_kb", BUFFER_KB, err) &&
		  /* One clock for all CPUs: a wait starts on one and its wakeup is
		   * recorded on another. */
		  write_file(t, "trace_clock", "mono", err) &&
		  enable(t, "writeback", "folio_wait_writeback", by_name, err) &&
		  enable(t, "writeback", "writeback_dirty_folio", by_name, err) &&
		  enable(t, "writeback", "balance_dirty_pages", by_bdi, err);
	if (ok && pid > 0) {
		char *p = g_strdup_printf("%d", (int)pid);
		ok = write_file(t, "options/event-fork", "1", err) &&
		     write_file(t, "set_event_pid", p, err) &&
		     enable(t, "sched", "sched_switch", NULL, err) &&
		     enable(t, "sched", "sched_wakeup", NULL, err);
		g_free(p);
		/* Waits are timed only with both formats read: without them the events
		 * would arrive unrecognised, and the time say 0 instead of unmeasured. */
		t->timed = ok && t->id_switch >= 0 && t->id_wakeup >= 0;
	}
	g_free(by_name);
	g_free(by_bdi);
	return ok;
}

/* One file of the tracing directory into @tep: the ring's page header (@system NULL)
 * or an event's format.  False where the file is missing or does not parse. */
static bool parse_file(struct tep_handle *tep, const char *tracing_dir, const char *rel,
		       const char *system)
{
	char *path = g_build_filename(tracing_dir, rel, NULL);
	char *buf = NULL;
	gsize len = 0;
	bool ok = g_file_get_contents(path, &buf, &len, NULL);
	if (ok)
		ok = system ? tep_parse_event(tep, buf, len, system) == 0
			    : tep_parse_header_page(tep, buf, len, sizeof(long)) == 0;
	g_free(buf);
	g_free(path);
	return ok;
}

/*
 * The formats of the events read here, and the ring buffer's page header, parsed
 * from the kernel's own files: what tracefs_local_events_system() would give for
 * these events, without the rest of it.  That function also parses every event of
 * the systems named and loads /proc/kallsyms, saved_cmdlines and printk_formats,
 * none of which a count needs, into buffers grown by realloc: under
 * AddressSanitizer, where a realloc always copies, that alone took 13 s of every
 * linux: run.  An event this kernel lacks is left out (load_formats says which
 * ones are needed); the page header is required.
 */
static struct tep_handle *parse_formats(const char *tracing_dir)
{
	static const char *const events[][2] = {
		{ "writeback", "folio_wait_writeback" }, { "writeback", "writeback_dirty_folio" },
		{ "writeback", "balance_dirty_pages" },  { "sched", "sched_switch" },
		{ "sched", "sched_wakeup" },
	};
	struct tep_handle *tep = tep_alloc();
	if (!tep)
		return NULL;
	if (!parse_file(tep, tracing_dir, "events/header_page", NULL)) {
		tep_free(tep);
		return NULL;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(events); i++) {
		char *rel = g_strdup_printf("events/%s/%s/format", events[i][0], events[i][1]);
		parse_file(tep, tracing_dir, rel, events[i][0]);
		g_free(rel);
	}
	tep_set_long_size(tep, tep_get_header_page_size(tep));
	return tep;
}

/* The event formats, read once per process: they are the same for every tracefs mount
 * of the kernel.  Kept until the process exits. */
static struct tep_handle *formats(const char *tracing_dir)
{
	static GMutex lock;
	static struct tep_handle *tep;
	g_mutex_lock(&lock);
	if (!tep)
		tep = parse_formats(tracing_dir);
	g_mutex_unlock(&lock);
	return tep;
}

static bool load_formats(struct ktrace *t, GError **err)
{
	t->tep = formats(kenv_tracing_dir(t->env));
	if (!t->tep) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "cannot read the event formats "
			    "under %s", kenv_tracing_dir(t->env));
		return false;
	}
	t->id_wait = event_id(t->tep, "writeback", "folio_wait_writeback");
	t->id_dirty = event_id(t->tep, "writeback", "writeback_dirty_folio");
	t->id_bdp = event_id(t->tep, "writeback", "balance_dirty_pages");
	t->id_switch = event_id(t->tep, "sched", "sched_switch");
	t->id_wakeup = event_id(t->tep, "sched", "sched_wakeup");
	if (t->id_wait < 0 || t->id_dirty < 0 || t->id_bdp < 0) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_MISSING, "this kernel lacks a writeback "
			    "tracepoint (folio_wait_writeback, writeback_dirty_folio, "
			    "balance_dirty_pages)");
		return false;
	}
	return true;
}

bool ktrace_start(struct kenv *e, pid_t pid, struct ktrace **out, GError **err)
{
	static atomic_uint serial;
	*out = NULL;
	struct ktrace *t = g_new0(struct ktrace, 1);
	t->env = e;
	t->waiting = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	/* libtracefs keeps the directory as a global; ours is the one kenv found or
	 * mounted, never one libtracefs would mount by itself. */
	tracefs_set_tracing_dir((char *)kenv_tracing_dir(e));
	char *prefix = kenv_trace_prefix();
	char *name = g_strdup_printf("%s%u", prefix, atomic_fetch_add(&serial, 1));
	g_free(prefix);
	t->inst = tracefs_instance_create(name);
	if (!t->inst || !tracefs_instance_is_new(t->inst)) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "cannot create trace instance %s: %s",
			    name, g_strerror(errno));
		g_free(name);
		if (t->inst)
			tracefs_instance_free(t->inst);   /* somebody else's: leave it */
		t->inst = NULL;
		ktrace_free(t);
		return false;
	}
	g_free(name);
	char *dir = tracefs_instance_get_dir(t->inst);
	kenv_note_trace_instance(e, dir);
	tracefs_put_tracing_file(dir);
	t->c.wait_ns = -1;
	bool ok = write_file(t, "tracing_on", "0", err) && load_formats(t, err) &&
		  configure(t, pid, err) && write_file(t, "tracing_on", "1", err);
	if (!ok) {
		ktrace_free(t);
		return false;
	}
	if (t->timed)
		t->c.wait_ns = 0;
	*out = t;
	return true;
}

bool ktrace_poll(struct ktrace *t, GError **err)
{
	if (tracefs_iterate_raw_events(t->tep, t->inst, NULL, 0, on_record, t) < 0) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "reading trace instance %s: %s",
			    tracefs_instance_get_name(t->inst), g_strerror(errno));
		return false;
	}
	return true;
}

/* Events the ring overwrote before we read them ("overrun" in each CPU's stats). */
static uint64_t overruns(struct ktrace *t)
{
	uint64_t sum = 0;
	for (int cpu = 0; cpu < 1024; cpu++) {
		char file[64];
		snprintf(file, sizeof file, "per_cpu/cpu%d/stats", cpu);
		if (!tracefs_file_exists(t->inst, file))
			break;
		char *text = tracefs_instance_file_read(t->inst, file, NULL);
		const char *o = text ? strstr(text, "overrun:") : NULL;
		if (o)
			sum += g_ascii_strtoull(o + strlen("overrun:"), NULL, 10);
		free(text);
	}
	return sum;
}

bool ktrace_stop(struct ktrace *t, struct ktrace_counts *out, GError **err)
{
	bool ok = write_file(t, "tracing_on", "0", err) && ktrace_poll(t, err);
	uint64_t o = overruns(t);
	if (o > t->c.lost_events)
		t->c.lost_events = o;
	*out = t->c;
	return ok;
}

void ktrace_free(struct ktrace *t)
{
	if (!t)
		return;
	if (t->inst) {
		tracefs_instance_destroy(t->inst);
		tracefs_instance_free(t->inst);
		kenv_note_trace_instance(t->env, NULL);
	}
	g_hash_table_destroy(t->waiting);
	g_free(t);
}

#else /* !WBSIM_HAVE_TRACEFS */

bool ktrace_start(struct kenv *e, pid_t pid, struct ktrace **out, GError **err)
{
	(void)e, (void)pid;
	*out = NULL;
	g_set_error(err, KENV_ERROR, KENV_ERROR_MISSING, "wbsim was built without libtracefs");
	return false;
}

bool ktrace_poll(struct ktrace *t, GError **err)
{
	(void)t, (void)err;
	return false;
}

bool ktrace_stop(struct ktrace *t, struct ktrace_counts *out, GError **err)
{
	(void)t, (void)out, (void)err;
	return false;
}

void ktrace_free(struct ktrace *t)
{
	(void)t;
}

#endif
