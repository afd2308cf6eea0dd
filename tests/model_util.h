/*
 * Scripted tasks for model tests: a task runs a fixed list of steps, one model
 * operation each, and records each step's result.  Lets a test read as a story:
 *
 *     struct step w[] = { PWRITE(f, 0, 4096), SYNC_RANGE(f, 0, 4096, WRITE),
 *                         SLEEP(10000), PWRITE(f, 0, 4096), FSYNC(f), END };
 */
#ifndef WBSIM_MODEL_UTIL_H
#define WBSIM_MODEL_UTIL_H

#include "policy.h"
#include "engine/rng.h"
#include "model/model.h"
#include "wbtest.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

enum step_kind {
	ST_END, ST_PWRITE, ST_PREAD, ST_STORE, ST_LOAD, ST_PIN, ST_PIN_WRITE, ST_PIN_RELEASE,
	ST_FSYNC, ST_FDATASYNC, ST_MSYNC, ST_SYNC, ST_SYNC_RANGE, ST_DIO_WRITE, ST_DIO_READ,
	ST_SLEEP, ST_SLEEP_UNTIL, ST_MUNMAP, ST_WAKE, ST_WAIT,
	ST_BUF_STORE, ST_BUF_LOAD, ST_DIO, ST_IO_WAIT, ST_PIN_LONGTERM,
};

struct step {
	enum step_kind k;
	void *obj;              /* file or mapping */
	uint64_t off, len;
	uint64_t ns;            /* sleep */
	int slot;               /* pin slot */
	void *src;              /* dio source mapping */
	uint64_t src_off;
	unsigned how;
	const void *key;
	bool write, async;      /* ST_DIO */
};

#define PWRITE(f, o, l)         { .k = ST_PWRITE, .obj = (f), .off = (o), .len = (l) }
#define PREAD(f, o, l)          { .k = ST_PREAD, .obj = (f), .off = (o), .len = (l) }
#define STORE(m, o, l)          { .k = ST_STORE, .obj = (m), .off = (o), .len = (l) }
#define LOAD(m, o, l)           { .k = ST_LOAD, .obj = (m), .off = (o), .len = (l) }
#define PIN(m, o, l, s)         { .k = ST_PIN, .obj = (m), .off = (o), .len = (l), .slot = (s) }
#define PIN_WRITE(s, o, l)      { .k = ST_PIN_WRITE, .slot = (s), .off = (o), .len = (l) }
#define PIN_RELEASE(s)          { .k = ST_PIN_RELEASE, .slot = (s) }
#define FSYNC(f)                { .k = ST_FSYNC, .obj = (f) }
#define FDATASYNC(f)            { .k = ST_FDATASYNC, .obj = (f) }
#define MSYNC(m)                { .k = ST_MSYNC, .obj = (m) }
#define SYNC()                  { .k = ST_SYNC }
#define SYNC_RANGE(f, o, l, h)  { .k = ST_SYNC_RANGE, .obj = (f), .off = (o), .len = (l), .how = (h) }
#define DIO_WRITE(f, o, l)      { .k = ST_DIO_WRITE, .obj = (f), .off = (o), .len = (l) }
#define DIO_WRITE_FROM(f, o, l, m, mo) \
	{ .k = ST_DIO_WRITE, .obj = (f), .off = (o), .len = (l), .src = (m), .src_off = (mo) }
#define DIO_READ(f, o, l)       { .k = ST_DIO_READ, .obj = (f), .off = (o), .len = (l) }
#define SLEEP(n)                { .k = ST_SLEEP, .ns = (n) }
#define SLEEP_UNTIL(n)          { .k = ST_SLEEP_UNTIL, .ns = (n) }
#define MUNMAP(m)               { .k = ST_MUNMAP, .obj = (m) }
#define WAKE(key)               { .k = ST_WAKE, .key = (key) }
#define WAIT(key)               { .k = ST_WAIT, .key = (key) }
#define BUF_STORE(b, o, l)      { .k = ST_BUF_STORE, .obj = (b), .off = (o), .len = (l) }
#define BUF_LOAD(b, o, l)       { .k = ST_BUF_LOAD, .obj = (b), .off = (o), .len = (l) }
/* A direct write from Buffer @b at @bo (NULL: anonymous memory); async ones keep their
 * handle in io slot @s for IO_WAIT(s). */
#define DIO_WRITE_BUF(f, o, l, b, bo) \
	{ .k = ST_DIO, .obj = (f), .off = (o), .len = (l), .src = (b), .src_off = (bo), .write = true }
#define DIO_READ_BUF(f, o, l, b, bo) \
	{ .k = ST_DIO, .obj = (f), .off = (o), .len = (l), .src = (b), .src_off = (bo) }
#define AIO_WRITE(f, o, l, b, bo, s) \
	{ .k = ST_DIO, .obj = (f), .off = (o), .len = (l), .src = (b), .src_off = (bo), \
	  .write = true, .async = true, .slot = (s) }
#define AIO_READ(f, o, l, b, bo, s) \
	{ .k = ST_DIO, .obj = (f), .off = (o), .len = (l), .src = (b), .src_off = (bo), \
	  .async = true, .slot = (s) }
#define IO_WAIT(s)              { .k = ST_IO_WAIT, .slot = (s) }
#define PIN_LONGTERM(m, o, l, s) { .k = ST_PIN_LONGTERM, .obj = (m), .off = (o), .len = (l), .slot = (s) }
#define END                     { .k = ST_END }

#define W_WRITE  SYNC_FILE_RANGE_WRITE
#define W_WAIT   (SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WAIT_AFTER)

struct script {
	const struct step *steps;
	int pc;
	bool waiting;
	struct pin *pins[8];
	struct kiocb *ios[16];
	int results[64];
	simtime_t done_at[64];
	struct task *task;
};

static inline enum op_status script_issue(struct script *sc, struct task *t, const struct step *st)
{
	switch (st->k) {
	case ST_PWRITE:      return task_pwrite(t, st->obj, st->off, st->len);
	case ST_PREAD:       return task_pread(t, st->obj, st->off, st->len);
	case ST_STORE:       return task_store(t, st->obj, st->off, st->len);
	case ST_LOAD:        return task_load(t, st->obj, st->off, st->len);
	case ST_PIN:         return task_pin(t, st->obj, st->off, st->len);
	case ST_PIN_WRITE:   return task_pin_write(t, sc->pins[st->slot], st->off, st->len);
	case ST_PIN_RELEASE: return task_pin_release(t, sc->pins[st->slot]);
	case ST_FSYNC:       return task_fsync(t, st->obj, false);
	case ST_FDATASYNC:   return task_fsync(t, st->obj, true);
	case ST_MSYNC:       return task_msync(t, st->obj, 0, mapping_size(st->obj));
	case ST_SYNC:        return task_sync(t);
	case ST_SYNC_RANGE:  return task_sync_range(t, st->obj, st->off, st->len, st->how);
	case ST_DIO_WRITE:   return task_dio_write(t, st->obj, st->off, st->len, st->src, st->src_off);
	case ST_DIO_READ:    return task_dio_read(t, st->obj, st->off, st->len);
	case ST_SLEEP:       return task_sleep(t, st->ns);
	case ST_SLEEP_UNTIL: {
		simtime_t now = sim_now_ns(task_get_sim(t));
		return task_sleep(t, st->ns > now ? st->ns - now : 0);
	}
	case ST_MUNMAP:      task_munmap(t, st->obj); return OP_DONE;
	case ST_WAKE:        sim_wake(task_get_sim(t), st->key); return OP_DONE;
	case ST_WAIT:        return task_wait_on(t, st->key);
	case ST_BUF_STORE:   return task_buf_store(t, st->obj, st->off, st->len);
	case ST_BUF_LOAD:    return task_buf_load(t, st->obj, st->off, st->len);
	case ST_DIO: {
		struct dio_args a = { .write = st->write, .async = st->async, .file = st->obj,
				      .off = st->off, .len = st->len, .buf = st->src, .at = st->src_off };
		return task_dio(t, &a);
	}
	case ST_IO_WAIT:     return task_io_wait(t, sc->ios[st->slot]);
	case ST_PIN_LONGTERM: return task_pin_longterm(t, st->obj, st->off, st->len);
	case ST_END:         break;
	}
	return OP_DONE;
}

static inline void script_finish(struct script *sc, struct task *t)
{
	const struct step *st = &sc->steps[sc->pc];
	if (sc->pc < 64) {
		sc->results[sc->pc] = task_result(t);
		sc->done_at[sc->pc] = sim_now_ns(task_get_sim(t));
	}
	if (st->k == ST_PIN || st->k == ST_PIN_LONGTERM)
		sc->pins[st->slot] = task_result_pin(t);
	if (st->k == ST_DIO && st->async)
		sc->ios[st->slot] = task_result_io(t);
	sc->pc++;
}

static inline void script_resume(struct task *t)
{
	struct script *sc = task_driver_data(t);
	if (sc->waiting) {
		sc->waiting = false;
		script_finish(sc, t);
	}
	while (sc->steps[sc->pc].k != ST_END) {
		if (script_issue(sc, t, &sc->steps[sc->pc]) == OP_BLOCKED) {
			sc->waiting = true;
			return;
		}
		script_finish(sc, t);
	}
	task_exit(t);
}

static const struct task_driver script_driver = { script_resume };

static inline struct script *script_spawn(struct sim *s, const char *name, struct process *p,
					  int cpu, simtime_t start, const struct step *steps)
{
	struct script *sc = g_new0(struct script, 1);
	sc->steps = steps;
	sc->task = sim_task_new(s, name, p, cpu, start, &script_driver, sc);
	return sc;
}

/* A config with no randomness in service times, so tests can reason about instants:
 * a 4 KiB write is served in 100 us and its data is read at 50 us. */
static inline void test_config(struct sim_config *c)
{
	sim_config_defaults(c);
	c->dev.jitter = 0;
	c->dev.write_latency = 100000;
	c->dev.read_latency = 100000;
	c->dev.bandwidth = 1ull << 62;          /* transfer time ~0 */
	c->dev.dma_at = 0.5;
	sim_config_finish(c, false, true, false);
}

static inline struct policy *test_policy(const char *spec)
{
	GError *err = NULL;
	struct policy *p = policy_new(spec, &err);
	if (!p)
		ck_abort_msg("policy %s: %s", spec, err->message);
	return p;
}

static inline void test_trace_print(void *data, const char *line)
{
	(void)data;
	fprintf(stderr, "%s\n", line);
}

/* WBSIM_TEST_TRACE=1 prints the trace of every simulation a test runs. */
static inline struct sim *test_sim_new(const struct sim_config *c, struct policy *p)
{
	struct sim *s = sim_new(c, p);
	if (g_getenv("WBSIM_TEST_TRACE"))
		sim_set_trace(s, test_trace_print, NULL);
	return s;
}

/* A trace sink that keeps every line (a GPtrArray of strings it owns). */
static inline void test_collect_line(void *data, const char *line)
{
	g_ptr_array_add(data, g_strdup(line));
}

/* Lines of @lines containing @needle, in order; the strings stay @lines'. */
static inline GPtrArray *test_grep(GPtrArray *lines, const char *needle)
{
	GPtrArray *out = g_ptr_array_new();
	for (guint i = 0; i < lines->len; i++)
		if (strstr(lines->pdata[i], needle))
			g_ptr_array_add(out, lines->pdata[i]);
	return out;
}

static inline uint64_t M(struct sim *s, enum metric_counter c)
{
	return sim_metrics(s)->c[c];
}

/*
 * The basic hazard story: page 0 is written and pushed out (submitted at ~1 us, its
 * DMA at ~51 us); at ~12 us, before the DMA, it is rewritten; then fsync.  The fsync's
 * result goes to @fsync_result when not NULL.
 */
static inline struct sim *rewrite_under_io(const char *policy, bool integrity, bool stable,
					   int *fsync_result)
{
	struct sim_config c;
	test_config(&c);
	c.dev.integrity = integrity;
	c.dev.stable_writes = stable;
	struct sim *s = test_sim_new(&c, test_policy(policy));
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step *st = g_new0(struct step, 6);
	st[0] = (struct step)PWRITE(f, 0, 4096);
	st[1] = (struct step)SYNC_RANGE(f, 0, 4096, W_WRITE);
	st[2] = (struct step)SLEEP(10000);
	st[3] = (struct step)PWRITE(f, 0, 4096);
	st[4] = (struct step)FSYNC(f);
	st[5] = (struct step)END;
	struct script *sc = script_spawn(s, "writer", NULL, -1, 0, st);
	ck_assert_int_eq(sim_run(s), SIM_END_IDLE);
	if (fsync_result)
		*fsync_result = sc->results[4];
	g_free(sc);
	g_free(st);
	return s;
}

#endif
