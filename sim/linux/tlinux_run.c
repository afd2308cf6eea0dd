/*
 * tlinux_run — one run of the linux: target: the machine (kenv) made at create, the
 * files written and the filesystem remounted, the tracepoints counted around the
 * tasks' run, the device's counters read before and after, the data verified after
 * a second remount; then the metrics, with what the kernel cannot measure marked
 * absent (n/a).
 */
#include "linux/tlinux_int.h"

#include <string.h>
#include <unistd.h>

#include "engine/config.h"
#include "metrics/metric_table.h"

#define POLL_NS (50 * 1000 * 1000ull)

static void l_resume(struct kx_task *k)
{
	struct ltask *t = kx_task_data(k);
	t->lt->resume(t->data);
	tlinux_poll(t->lt);
}

static const struct kx_hooks hooks = { l_resume };

void tlinux_poll(struct ltarget *lt)
{
	int64_t now = (int64_t)kx_now(lt->kx);
	if (!lt->trace || now - lt->last_poll < (int64_t)POLL_NS)
		return;
	lt->last_poll = now;
	GError *e = NULL;
	if (!ktrace_poll(lt->trace, &e)) {
		if (!lt->error)
			lt->error = g_strdup_printf("reading the trace: %s", e->message);
		g_error_free(e);
		kx_stop(lt->kx);
	}
}

/* What of the scenario's machine a kernel run does not reproduce. */
static void note(struct ltarget *lt, const char *what)
{
	g_ptr_array_add(lt->not_applied, g_strdup(what));
}

static void list_not_applied(struct ltarget *lt)
{
	const struct sim_config *c = lt->cfg;
	if (c->dev.integrity)
		note(lt, "sim.device integrity: no integrity device here (no device-mapper); "
		     "checksum_errors n/a");
	note(lt, "sim.device timings and queue (model, latencies, bandwidth, jitter, "
	     "queue_depth, scheduler, max_request): the loop device's own");
	if (c->dev.write_cache)
		note(lt, "sim.device write_cache: the loop device's own");
	if (c->dev.stable_writes != lt->spec.stable_writes)
		note(lt, lt->spec.stable_writes ? "sim.device stable_writes = false: the spec's "
		     "stable_writes=1 instead" : "sim.device stable_writes = true: the spec's "
		     "stable_writes=0 instead");
	note(lt, "sim.costs: the machine's own");
	note(lt, "the cpu of sim.spawn: threads are not pinned");
	note(lt, "writeback chunk: the kernel's own");
	for (const char *const *n = kenv_not_applied(lt->env); n && *n; n++)
		note(lt, *n);
}

struct target *tlinux_create(const struct target_config *c, GError **err)
{
	struct lspec spec;
	if (!lspec_parse(c->spec, &spec, err))
		return NULL;
	char *why = kenv_check();
	if (why) {
		g_set_error(err, KENV_ERROR, KENV_ERROR_MISSING, "%s: cannot run on this machine: %s",
			    c->spec, why);
		g_free(why);
		return NULL;
	}
	struct ltarget *lt = g_new0(struct ltarget, 1);
	lt->spec = spec;
	lt->canon = lspec_canonical(&spec);
	lt->cfg_copy = *c->cfg;
	lt->cfg = &lt->cfg_copy;
	lt->resume = c->resume;
	lt->tasks = g_ptr_array_new_with_free_func(g_free);
	lt->not_applied = g_ptr_array_new_with_free_func(g_free);
	struct kenv_dirty dirty;
	const struct writeback_cfg *wb = &c->cfg->wb;
	kenv_dirty_from_scenario(wb->memory, wb->dirty_background_ratio, wb->dirty_ratio,
				 wb->expire, wb->interval, &dirty);
	struct kenv_opts o = {
		.fs = spec.fs, .image_size = spec.size, .stable_writes = spec.stable_writes,
		.loop_direct_io = spec.loop_direct_io, .dirty = spec.machine_dirty ? NULL : &dirty,
	};
	if (!kenv_setup(&o, &lt->env, err) ||
	    !(lt->kx = kx_new(kenv_mountpoint(lt->env), &hooks, err))) {
		tlinux_destroy((struct target *)lt);
		return NULL;
	}
	kx_set_spin(lt->kx, lspec_spin_ns(&spec));
	list_not_applied(lt);
	return (struct target *)lt;
}

void tlinux_destroy(struct target *t)
{
	struct ltarget *lt = LT(t);
	if (!lt)
		return;
	if (lt->kx) {
		kx_finish(lt->kx);
		kx_free(lt->kx);
	}
	ktrace_free(lt->trace);
	kenv_teardown(lt->env);
	/* lt->m is kexec's (kx_metrics), gone with kx_free: a run the source stopped
	 * after it ended (an error at a late declaration) never had it taken. */
	g_ptr_array_free(lt->tasks, TRUE);
	g_ptr_array_free(lt->not_applied, TRUE);
	g_free(lt->canon);
	g_free(lt->error);
	g_free(lt);
}

static bool fail(struct ltarget *lt, const char *step, GError *e)
{
	if (!lt->error)
		lt->error = g_strdup_printf("%s: %s", step, e ? e->message : "failed");
	g_clear_error(&e);
	return false;
}

/* Before the tasks: the files written and synced, the filesystem remounted (their
 * pages gone from the cache), the trace started, the device's counters read. */
static bool before(struct ltarget *lt, struct kenv_disk_stat *st)
{
	GError *e = NULL;
	uint64_t image = lt->spec.size ? lt->spec.size : KENV_DEFAULT_IMAGE_SIZE;
	if (lt->files_bytes > image / 10 * 7) {
		char *m = g_strdup_printf("the files (%" G_GUINT64_FORMAT " bytes) do not fit a "
					  "%" G_GUINT64_FORMAT "-byte image: give size= in the spec",
					  lt->files_bytes, image);
		lt->error = m;
		return false;
	}
	if (!kx_prepare(lt->kx, &e))
		return fail(lt, "writing the files", e);
	if (!kenv_remount(lt->env, &e))
		return fail(lt, "remounting", e);
	if (!ktrace_start(lt->env, getpid(), &lt->trace, &e))
		return fail(lt, "starting the trace", e);
	if (!kenv_disk_stat(lt->env, st, &e))
		return fail(lt, "reading the device's counters", e);
	if (!kx_start(lt->kx, &e))
		return fail(lt, "starting the tasks", e);
	return true;
}

/* After the tasks: the trace and the counters read, the data verified. */
static void after(struct ltarget *lt, const struct kenv_disk_stat *st0)
{
	GError *e = NULL;
	struct metrics *m = kx_metrics(lt->kx);
	kx_finish(lt->kx);
	struct ktrace_counts tc;
	if (!ktrace_stop(lt->trace, &tc, &e)) {
		fail(lt, "reading the trace", e);
		return;
	}
	/* The device's writes include the final writeback of the unmount. */
	if (!kenv_remount(lt->env, &e)) {
		fail(lt, "remounting", e);
		return;
	}
	struct kenv_disk_stat st1;
	if (!kenv_disk_stat(lt->env, &st1, &e)) {
		fail(lt, "reading the device's counters", e);
		return;
	}
	kenv_disk_delta(st0, &st1, &m->c[M_DISK_REQUESTS], &m->c[M_DISK_WRITES]);
	m->c[M_STABLE_WAITS] = tc.folio_wait_writeback;
	m->c[M_STALL_THROTTLE] = tc.throttle_ns;
	if (tc.wait_ns >= 0)
		m->c[M_STALL_STABLE] = (uint64_t)tc.wait_ns;
	if (tc.lost_events)
		g_printerr("linux: the trace ring lost %" G_GUINT64_FORMAT " events: stable_waits "
			   "and stall.* are lower bounds\n", tc.lost_events);
	if (!kx_verify(lt->kx, NULL, &e))
		fail(lt, "verifying the data", e);
	metrics_mark_absent(m, "linux");
	if (tc.wait_ns < 0)
		m->absent[M_STALL_STABLE] = true;
}

enum sim_end tlinux_run(struct target *t)
{
	struct ltarget *lt = LT(t);
	struct kenv_disk_stat st0;
	lt->ran = true;
	if (lt->error || !before(lt, &st0))
		return SIM_END_STOPPED;
	GError *e = NULL;
	enum kx_end end = kx_run(lt->kx, lt->cfg->duration, &e);
	if (end == KX_END_ERROR) {
		fail(lt, "the run", e);
		kx_finish(lt->kx);
		return SIM_END_STOPPED;
	}
	after(lt, &st0);
	lt->m = kx_metrics(lt->kx);
	switch (end) {
	case KX_END_IDLE:
		return SIM_END_IDLE;
	case KX_END_DURATION:
		return SIM_END_DURATION;
	case KX_END_DEADLOCK:
		return SIM_END_DEADLOCK;
	default:
		return SIM_END_STOPPED;
	}
}

/* The metrics are kexec's own object: a copy goes to the caller. */
struct metrics *tlinux_take_metrics(struct target *t)
{
	struct ltarget *lt = LT(t);
	struct metrics *m = metrics_new();
	if (!lt->m)
		return m;
	memcpy(m->c, lt->m->c, sizeof m->c);
	memcpy(m->absent, lt->m->absent, sizeof m->absent);
	for (int k = 0; k < OPK_NR; k++)
		hist_merge(m->lat[k], lt->m->lat[k]);
	lt->m = NULL;
	return m;
}

const char *const *tlinux_not_applied(struct target *t)
{
	struct ltarget *lt = LT(t);
	if (!lt->not_applied->len || lt->not_applied->pdata[lt->not_applied->len - 1])
		g_ptr_array_add(lt->not_applied, NULL);
	return (const char *const *)lt->not_applied->pdata;
}

const char *tlinux_error(struct target *t)
{
	return LT(t)->error;
}
