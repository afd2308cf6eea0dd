/*
 * record — `wbsim run SCENARIO --record FILE`: a target that wraps the one running
 * the spec, writes each operation a source issues through it as a line of an op
 * log, and forwards it: the decorator shape, so any source can be recorded on any
 * target.
 *
 * The handles the source holds are this target's: each carries the log's id of
 * its object and the inner target's handle.  What the source declares before the
 * run goes into the header; what it declares or does while a task runs is that
 * task's op line, stamped with the time it was issued and the time since the task's
 * previous op completed (the target's resume() of the task marks a completion: the
 * recorder stands between the two to see it).  Events are not objects of a target:
 * the recorder names each event key the first time it sees one, with an "event"
 * line of the task that met it.
 *
 * Lines go to a temporary file; the command renames it into place only when the run
 * has succeeded (recorder_commit), so a failed run leaves no log.
 */
#include "replay/record_int.h"

#include <string.h>

/* ---- writing lines ------------------------------------------------------------------ */

/* The op line of task @k, issued now. */
void rec_put(struct rec_task *k, struct oplog_op *o)
{
	struct rec *rc = k->rec;
	uint64_t now = rc->in->now(rc->t);
	o->task = k->id;
	o->issue = now;
	o->think = now - k->done_at;
	oplog_writer_op(rc->r->w, o);
}

/* An op that went to the target: finished now, or when resume() says. */
enum op_status rec_done(struct rec_task *k, enum op_status s)
{
	if (s == OP_DONE)
		k->done_at = k->rec->in->now(k->rec->t);
	return s;
}

/* The task on whose behalf a declaration is made while the run goes on. */
struct rec_task *rec_declarer(struct rec *rc)
{
	g_assert(rc->current);          /* sources declare from inside a task's resume() */
	return rc->current;
}

static void rec_resume(void *data)
{
	struct rec_task *k = data;
	struct rec *rc = k->rec;
	k->done_at = rc->in->now(rc->t);
	struct rec_task *prev = rc->current;
	rc->current = k;
	rc->resume(k->data);
	rc->current = prev;
}

/* ---- the target --------------------------------------------------------------------- */

static bool r_claims(const char *spec)
{
	(void)spec;
	return false;           /* never chosen for a spec: it wraps the one that is */
}

static char *r_canonical(const char *spec, GError **err)
{
	g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT, "the recorder runs no spec of "
		    "its own (\"%s\")", spec);
	return NULL;
}

static struct target *r_create(const struct target_config *c, GError **err)
{
	struct recorder *r = c->wrap_data;
	if (!c->inner || !r || r->used) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_INPUT, "the recorder records "
			    "one run of one target");
		return NULL;
	}
	struct rec *rc = g_new0(struct rec, 1);
	rc->r = r;
	rc->in = c->inner;
	rc->resume = c->resume;
	struct target_config ic = *c;
	ic.resume = rec_resume;
	ic.inner = NULL;
	ic.wrap_data = NULL;
	rc->t = c->inner->create(&ic, err);
	if (!rc->t) {
		g_free(rc);
		return NULL;
	}
	r->used = true;
	record_header_begin(r, c, rc->in->spec(rc->t));
	rc->events = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	rc->tasks = g_hash_table_new(NULL, NULL);
	rc->objs = g_ptr_array_new_with_free_func(g_free);
	rc->live = g_hash_table_new_full(NULL, NULL, g_free, NULL);
	return (struct target *)rc;
}

static void r_destroy(struct target *t)
{
	struct rec *rc = REC(t);
	if (!rc)
		return;
	rc->in->destroy(rc->t);
	g_hash_table_destroy(rc->events);
	g_hash_table_destroy(rc->tasks);
	g_ptr_array_free(rc->objs, TRUE);
	g_hash_table_destroy(rc->live);
	g_free(rc);
}

/* ---- the world ------------------------------------------------------------------------ */

static struct target_file *r_file(struct target *t, const char *name, uint64_t size)
{
	struct rec *rc = REC(t);
	struct target_file *in = rc->in->file(rc->t, name, size);
	if (!in)
		return NULL;
	struct rec_file *f = g_new(struct rec_file, 1);
	f->in = in;
	f->id = ++rc->nfiles;
	g_ptr_array_add(rc->objs, f);
	if (!rc->r->header_written) {
		oplog_header_add_file(rc->r->h, f->id, name, size);
	} else {
		struct oplog_op o = OP(OPL_FILE, .file = f->id, .name = name, .len = size);
		rec_put(rec_declarer(rc), &o);
	}
	return (struct target_file *)f;
}

static struct target_proc *r_process(struct target *t, const char *name)
{
	struct rec *rc = REC(t);
	struct rec_proc *p = g_new(struct rec_proc, 1);
	p->in = rc->in->process(rc->t, name);
	p->id = ++rc->nprocs;
	g_ptr_array_add(rc->objs, p);
	if (!rc->r->header_written) {
		oplog_header_add_process(rc->r->h, p->id, name);
	} else {
		struct oplog_op o = OP(OPL_PROCESS, .process = p->id, .name = name);
		rec_put(rec_declarer(rc), &o);
	}
	return (struct target_proc *)p;
}

static struct target_map *r_mmap(struct target *t, struct target_proc *p, struct target_file *f,
				 uint64_t off, uint64_t size)
{
	struct rec *rc = REC(t);
	struct rec_proc *rp = (struct rec_proc *)p;
	struct rec_file *rf = (struct rec_file *)f;
	struct rec_map *m = g_new(struct rec_map, 1);
	m->in = rc->in->mmap(rc->t, rp->in, rf->in, off, size);
	m->id = ++rc->nmaps;
	g_hash_table_add(rc->live, m);
	if (!rc->r->header_written) {
		oplog_header_add_map(rc->r->h, m->id, rp->id, rf->id, off, size);
	} else {
		struct oplog_op o = OP(OPL_MMAP, .map = m->id, .process = rp->id, .file = rf->id,
				       .off = off, .len = size);
		rec_put(rec_declarer(rc), &o);
	}
	return (struct target_map *)m;
}

static struct target_task *r_spawn(struct target *t, const char *name, struct target_proc *p,
				   int cpu, uint64_t start_ns, void *task_data)
{
	struct rec *rc = REC(t);
	struct rec_proc *rp = (struct rec_proc *)p;
	struct rec_task *k = g_new0(struct rec_task, 1);
	k->rec = rc;
	k->data = task_data;
	k->id = ++rc->ntasks;
	g_ptr_array_add(rc->objs, k);
	g_hash_table_add(rc->tasks, k);
	if (!rc->r->header_written) {
		oplog_header_add_task(rc->r->h, k->id, name, rp ? rp->id : 0, cpu, start_ns);
	} else {
		struct oplog_op o = OP(OPL_SPAWN, .target = k->id, .name = name,
				       .process = rp ? rp->id : 0, .cpu = cpu, .at = start_ns);
		rec_put(rec_declarer(rc), &o);
	}
	k->in = rc->in->spawn(rc->t, name, rp ? rp->in : NULL, cpu, start_ns, k);
	return (struct target_task *)k;
}

/* ---- a task's operations --------------------------------------------------------------- */


static enum op_status r_sleep(struct target_task *k, uint64_t ns)
{
	/* sim.yield() is a sleep of nothing: let the others due now run. */
	struct oplog_op o = ns ? OP(OPL_SLEEP, .len = ns) : OP(OPL_YIELD);
	rec_put(K(k), &o);
	return rec_done(K(k), K(k)->rec->in->sleep(K(k)->in, ns));
}

#define FILE_RANGE_OP(name_, kind_)                                                        \
	static enum op_status r_##name_(struct target_task *k, struct target_file *f,      \
					uint64_t off, uint64_t len)                        \
	{                                                                                  \
		struct oplog_op o = OP(kind_, .file = FILE_ID(f), .off = off, .len = len); \
		rec_put(K(k), &o);                                                             \
		return rec_done(K(k), K(k)->rec->in->name_(K(k)->in, FILE_IN(f), off, len));   \
	}
FILE_RANGE_OP(pwrite, OPL_PWRITE)
FILE_RANGE_OP(pread, OPL_PREAD)
FILE_RANGE_OP(dio_read, OPL_DIO_READ)

#define MAP_RANGE_OP(name_, kind_)                                                         \
	static enum op_status r_##name_(struct target_task *k, struct target_map *m,       \
					uint64_t off, uint64_t len)                        \
	{                                                                                  \
		struct oplog_op o = OP(kind_, .map = MAP_ID(m), .off = off, .len = len);   \
		rec_put(K(k), &o);                                                             \
		return rec_done(K(k), K(k)->rec->in->name_(K(k)->in, MAP_IN(m), off, len));    \
	}
MAP_RANGE_OP(store, OPL_STORE)
MAP_RANGE_OP(load, OPL_LOAD)
MAP_RANGE_OP(msync, OPL_MSYNC)

static enum op_status r_pin(struct target_task *k, struct target_map *m, uint64_t off,
			    uint64_t len)
{
	struct rec *rc = K(k)->rec;
	K(k)->pin_id = ++rc->npins;
	struct oplog_op o = OP(OPL_PIN, .map = MAP_ID(m), .off = off, .len = len,
			       .pin = K(k)->pin_id);
	rec_put(K(k), &o);
	return rec_done(K(k), rc->in->pin(K(k)->in, MAP_IN(m), off, len));
}

static enum op_status r_pin_write(struct target_task *k, struct target_pin *p, uint64_t off,
				  uint64_t len)
{
	struct rec_pin *rp = (struct rec_pin *)p;
	struct oplog_op o = OP(OPL_PIN_WRITE, .pin = rp->id, .off = off, .len = len);
	rec_put(K(k), &o);
	return rec_done(K(k), K(k)->rec->in->pin_write(K(k)->in, rp->in, off, len));
}

static enum op_status r_pin_release(struct target_task *k, struct target_pin *p)
{
	struct rec *rc = K(k)->rec;
	struct rec_pin *rp = (struct rec_pin *)p;
	struct oplog_op o = OP(OPL_PIN_RELEASE, .pin = rp->id);
	rec_put(K(k), &o);
	enum op_status s = rc->in->pin_release(K(k)->in, rp->in);
	/* The source never passes a released pin again (it says so to the scenario). */
	g_hash_table_remove(rc->live, rp);
	return rec_done(K(k), s);
}

static enum op_status r_fsync(struct target_task *k, struct target_file *f, bool datasync)
{
	struct oplog_op o = OP(datasync ? OPL_FDATASYNC : OPL_FSYNC, .file = FILE_ID(f));
	rec_put(K(k), &o);
	return rec_done(K(k), K(k)->rec->in->fsync(K(k)->in, FILE_IN(f), datasync));
}

static enum op_status r_sync_range(struct target_task *k, struct target_file *f, uint64_t off,
				   uint64_t len, unsigned how)
{
	struct oplog_op o = OP(OPL_SYNC_RANGE, .file = FILE_ID(f), .off = off, .len = len,
			       .how = how);
	rec_put(K(k), &o);
	return rec_done(K(k), K(k)->rec->in->sync_range(K(k)->in, FILE_IN(f), off, len, how));
}

static enum op_status r_sync(struct target_task *k)
{
	struct oplog_op o = OP(OPL_SYNC);
	rec_put(K(k), &o);
	return rec_done(K(k), K(k)->rec->in->sync(K(k)->in));
}

static enum op_status r_dio_write(struct target_task *k, struct target_file *f, uint64_t off,
				  uint64_t len, struct target_map *src, uint64_t src_off)
{
	struct oplog_op o = OP(OPL_DIO_WRITE, .file = FILE_ID(f), .off = off, .len = len,
			       .map = src ? MAP_ID(src) : 0, .at = src ? src_off : 0);
	rec_put(K(k), &o);
	return rec_done(K(k), K(k)->rec->in->dio_write(K(k)->in, FILE_IN(f), off, len,
						   src ? MAP_IN(src) : NULL, src_off));
}

/* ---- synchronisation ------------------------------------------------------------------ */

/*
 * The log's id of the event whose key is @key, declared by task @k the first time.
 * A key that was set and is set (or waited on) again is a new event at the address
 * of one the source has freed (Lua collects events nobody holds): a set event is
 * never set twice, nor waited on without returning at once (wait_met).
 */
static uint32_t event_id(struct rec_task *k, const void *key, bool fresh_if_set)
{
	struct rec *rc = k->rec;
	struct rec_event *ev = g_hash_table_lookup(rc->events, key);
	if (ev && !(fresh_if_set && ev->set))
		return ev->id;
	ev = g_new0(struct rec_event, 1);
	ev->id = ++rc->nevents;
	g_hash_table_replace(rc->events, (gpointer)key, ev);
	struct oplog_op o = OP(OPL_EVENT, .event = ev->id);
	rec_put(k, &o);
	k->done_at = rc->in->now(rc->t);
	return ev->id;
}

static void r_wake(struct target *t, const void *key)
{
	struct rec *rc = REC(t);
	struct rec_task *k = rec_declarer(rc);
	uint32_t id = event_id(k, key, true);
	((struct rec_event *)g_hash_table_lookup(rc->events, key))->set = true;
	struct oplog_op o = OP(OPL_EVENT_SET, .event = id);
	rec_put(k, &o);
	k->done_at = rc->in->now(rc->t);
	rc->in->wake(rc->t, key);
}

/* A join, when @key is one of the task handles; else an event.  Returns the key the
 * inner target knows. */
static const void *wait_line(struct rec_task *k, const void *key, bool blocking)
{
	struct rec *rc = k->rec;
	if (g_hash_table_contains(rc->tasks, key)) {
		const struct rec_task *other = key;
		struct oplog_op o = OP(OPL_JOIN, .target = other->id);
		rec_put(k, &o);
		return other->in;
	}
	struct oplog_op o = OP(OPL_EVENT_WAIT, .event = event_id(k, key, blocking));
	rec_put(k, &o);
	return key;
}

static enum op_status r_wait_on(struct target_task *k, const void *key)
{
	const void *in_key = wait_line(K(k), key, true);
	return rec_done(K(k), K(k)->rec->in->wait_on(K(k)->in, in_key));
}

static void r_wait_met(struct target_task *k, const void *key)
{
	struct rec *rc = K(k)->rec;
	const void *in_key = wait_line(K(k), key, false);
	K(k)->done_at = rc->in->now(rc->t);
	if (rc->in->wait_met)
		rc->in->wait_met(K(k)->in, in_key);
}

static enum op_status r_munmap(struct target_task *k, struct target_map *m)
{
	struct rec *rc = K(k)->rec;
	struct oplog_op o = OP(OPL_UNMAP, .map = MAP_ID(m));
	rec_put(K(k), &o);
	enum op_status s = rec_done(K(k), rc->in->munmap(K(k)->in, MAP_IN(m)));
	g_hash_table_remove(rc->live, m);
	return s;
}

static void r_exit(struct target_task *k)
{
	struct oplog_op o = OP(OPL_EXIT);
	rec_put(K(k), &o);
	K(k)->rec->in->exit(K(k)->in);
}

/* ---- passed through ---------------------------------------------------------------------- */

static int r_result(struct target_task *k)
{
	return K(k)->rec->in->result(K(k)->in);
}

static struct target_pin *r_result_pin(struct target_task *k)
{
	struct rec *rc = K(k)->rec;
	struct target_pin *in = rc->in->result_pin(K(k)->in);
	if (!in)
		return NULL;
	struct rec_pin *p = g_new(struct rec_pin, 1);
	p->in = in;
	p->id = K(k)->pin_id;
	g_hash_table_add(rc->live, p);
	return (struct target_pin *)p;
}

static bool r_is_done(struct target_task *k)
{
	return K(k)->rec->in->is_done(K(k)->in);
}

static uint64_t r_now(struct target *t)
{
	return REC(t)->in->now(REC(t)->t);
}

static void r_log(struct target_task *k, const char *event, const char *text)
{
	K(k)->rec->in->log(K(k)->in, event, text);
}

/* The run begins: the world declared so far is the header, written now, before the
 * first op line. */
static enum sim_end r_run(struct target *t)
{
	struct rec *rc = REC(t);
	if (!rc->r->header_written) {
		oplog_writer_header(rc->r->w, rc->r->h);
		rc->r->header_written = true;
	}
	return rc->in->run(rc->t);
}

static void r_stop(struct target *t)
{
	REC(t)->in->stop(REC(t)->t);
}

static void r_set_sample_interval(struct target *t, uint64_t ns)
{
	REC(t)->in->set_sample_interval(REC(t)->t, ns);
}

static const char *r_spec(struct target *t)
{
	return REC(t)->in->spec(REC(t)->t);
}

static const char *r_error(struct target *t)
{
	return REC(t)->in->error ? REC(t)->in->error(REC(t)->t) : NULL;
}

static const char *const *r_not_applied(struct target *t)
{
	return REC(t)->in->not_applied ? REC(t)->in->not_applied(REC(t)->t) : NULL;
}

static struct metrics *r_take_metrics(struct target *t)
{
	return REC(t)->in->take_metrics(REC(t)->t);
}

static uint64_t r_events(struct target *t)
{
	return REC(t)->in->events(REC(t)->t);
}

/* The inner target knows the tasks by this target's handles; the source, by its own. */
static GPtrArray *r_blocked(struct target *t)
{
	GPtrArray *tasks = REC(t)->in->blocked(REC(t)->t);
	for (guint i = 0; i < tasks->len; i++)
		tasks->pdata[i] = ((struct rec_task *)tasks->pdata[i])->data;
	return tasks;
}

static char *r_describe_wait(struct target_task *k)
{
	return K(k)->rec->in->describe_wait(K(k)->in);
}

const struct target_ops record_target = {
	.name = "record",
	.claims = r_claims,
	.canonical = r_canonical,
	.create = r_create,
	.destroy = r_destroy,
	.file = r_file,
	.process = r_process,
	.mmap = r_mmap,
	.spawn = r_spawn,
	.sleep = r_sleep,
	.pwrite = r_pwrite,
	.pread = r_pread,
	.store = r_store,
	.load = r_load,
	.pin = r_pin,
	.pin_write = r_pin_write,
	.pin_release = r_pin_release,
	.fsync = r_fsync,
	.msync = r_msync,
	.sync_range = r_sync_range,
	.sync = r_sync,
	.dio_write = r_dio_write,
	.dio_read = r_dio_read,
	.wait_on = r_wait_on,
	.wake = r_wake,
	.wait_met = r_wait_met,
	.munmap = r_munmap,
	.exit = r_exit,
	.result = r_result,
	.result_pin = r_result_pin,
	.is_done = r_is_done,
	.now = r_now,
	.log = r_log,
	.run = r_run,
	.stop = r_stop,
	.set_sample_interval = r_set_sample_interval,
	.spec = r_spec,
	.error = r_error,
	.not_applied = r_not_applied,
	.take_metrics = r_take_metrics,
	.events = r_events,
	.blocked = r_blocked,
	.describe_wait = r_describe_wait,
	/* version 2 (record_v2.c) */
	.alloc = r_alloc,
	.buf_store = r_buf_store,
	.buf_load = r_buf_load,
	.dio = r_dio,
	.result_io = r_result_io,
	.io_wait = r_io_wait,
	.pin_longterm = r_pin_longterm,
};
