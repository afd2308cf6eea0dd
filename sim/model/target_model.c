/*
 * target_model — the model behind the target interface (run/target.h): every policy
 * spec that names an installed policy module runs here.  The handles a source holds
 * are the model's own objects; this file only passes calls through.
 */
#include "model/model_internal.h"
#include "model/target_model.h"

struct mtarget {
	struct sim *s;
	void (*resume)(void *task_data);
	void (*sample)(void *data, uint64_t now_ns, const struct sim_gauges *g);
	void *sample_data;
};

/* The task data the model keeps for a source's task. */
struct mtask {
	struct mtarget *mt;
	void *data;
};

#define T(k) ((struct task *)(k))

static bool m_claims(const char *spec)
{
	(void)spec;
	return true;
}

static char *m_canonical(const char *spec, GError **err)
{
	struct policy *p = policy_new(spec, err);
	if (!p)
		return NULL;
	char *c = g_strdup(p->spec);
	policy_free(p);
	return c;
}

static void m_resume(struct task *t)
{
	struct mtask *m = task_driver_data(t);
	m->mt->resume(m->data);
}

static const struct task_driver driver = { m_resume };

static void m_sample(void *data, struct sim *s)
{
	struct mtarget *mt = data;
	struct sim_gauges g;
	sim_gauges(s, &g);
	mt->sample(mt->sample_data, sim_now_ns(s), &g);
}

static struct target *m_create(const struct target_config *c, GError **err)
{
	struct policy *pol = policy_new(c->spec, err);
	if (!pol)
		return NULL;
	struct mtarget *mt = g_new0(struct mtarget, 1);
	mt->s = sim_new(c->cfg, pol);
	mt->resume = c->resume;
	if (c->trace)
		sim_set_trace(mt->s, c->trace, c->trace_data);
	if (c->sample) {
		mt->sample = c->sample;
		mt->sample_data = c->sample_data;
		sim_set_sampler(mt->s, m_sample, mt);
	}
	return (struct target *)mt;
}

static void m_destroy(struct target *t)
{
	struct mtarget *mt = (struct mtarget *)t;
	if (!mt)
		return;
	for (guint i = 0; i < mt->s->tasks->len; i++) {
		struct ktask *kt = mt->s->tasks->pdata[i];
		if (kt->drv == &driver)
			g_free(kt->drv_data);
	}
	sim_free(mt->s);                /* and the policy with it */
	g_free(mt);
}

static struct sim *S(struct target *t)
{
	return ((struct mtarget *)t)->s;
}

static struct target_file *m_file(struct target *t, const char *name, uint64_t size)
{
	return (struct target_file *)sim_file_new(S(t), name, size);
}

static struct target_proc *m_process(struct target *t, const char *name)
{
	return (struct target_proc *)sim_process_new(S(t), name);
}

static struct target_map *m_mmap(struct target *t, struct target_proc *p, struct target_file *f,
				uint64_t off, uint64_t size)
{
	return (struct target_map *)sim_mmap(S(t), (struct process *)p, (struct file *)f, off, size);
}

static struct target_task *m_spawn(struct target *t, const char *name, struct target_proc *p,
				 int cpu, uint64_t start_ns, void *task_data)
{
	struct mtask *m = g_new(struct mtask, 1);
	m->mt = (struct mtarget *)t;
	m->data = task_data;
	return (struct target_task *)sim_task_new(S(t), name, (struct process *)p, cpu,
						  sim_now_ns(S(t)) + start_ns, &driver, m);
}

static enum op_status m_sleep(struct target_task *k, uint64_t ns)
{
	return task_sleep(T(k), ns);
}

static enum op_status m_pwrite(struct target_task *k, struct target_file *f, uint64_t off, uint64_t len)
{
	return task_pwrite(T(k), (struct file *)f, off, len);
}

static enum op_status m_pread(struct target_task *k, struct target_file *f, uint64_t off, uint64_t len)
{
	return task_pread(T(k), (struct file *)f, off, len);
}

static enum op_status m_store(struct target_task *k, struct target_map *m, uint64_t off, uint64_t len)
{
	return task_store(T(k), (struct mapping *)m, off, len);
}

static enum op_status m_load(struct target_task *k, struct target_map *m, uint64_t off, uint64_t len)
{
	return task_load(T(k), (struct mapping *)m, off, len);
}

static enum op_status m_pin(struct target_task *k, struct target_map *m, uint64_t off, uint64_t len)
{
	return task_pin(T(k), (struct mapping *)m, off, len);
}

static enum op_status m_pin_write(struct target_task *k, struct target_pin *p, uint64_t off, uint64_t len)
{
	return task_pin_write(T(k), (struct pin *)p, off, len);
}

static enum op_status m_pin_release(struct target_task *k, struct target_pin *p)
{
	return task_pin_release(T(k), (struct pin *)p);
}

static enum op_status m_fsync(struct target_task *k, struct target_file *f, bool datasync)
{
	return task_fsync(T(k), (struct file *)f, datasync);
}

static enum op_status m_msync(struct target_task *k, struct target_map *m, uint64_t off, uint64_t len)
{
	return task_msync(T(k), (struct mapping *)m, off, len);
}

static enum op_status m_sync_range(struct target_task *k, struct target_file *f, uint64_t off,
				 uint64_t len, unsigned how)
{
	return task_sync_range(T(k), (struct file *)f, off, len, how);
}

static enum op_status m_sync(struct target_task *k)
{
	return task_sync(T(k));
}

static enum op_status m_dio_write(struct target_task *k, struct target_file *f, uint64_t off,
				uint64_t len, struct target_map *src, uint64_t src_off)
{
	return task_dio_write(T(k), (struct file *)f, off, len, (struct mapping *)src, src_off);
}

static enum op_status m_dio_read(struct target_task *k, struct target_file *f, uint64_t off, uint64_t len)
{
	return task_dio_read(T(k), (struct file *)f, off, len);
}

static struct target_buf *m_alloc(struct target *t, struct target_proc *p, uint64_t size)
{
	return (struct target_buf *)sim_alloc(S(t), (struct process *)p, size);
}

static enum op_status m_buf_store(struct target_task *k, struct target_buf *b, uint64_t off,
				  uint64_t len)
{
	return task_buf_store(T(k), (struct anon *)b, off, len);
}

static enum op_status m_buf_load(struct target_task *k, struct target_buf *b, uint64_t off,
				 uint64_t len)
{
	return task_buf_load(T(k), (struct anon *)b, off, len);
}

static enum op_status m_dio(struct target_task *k, const struct target_dio *d)
{
	struct dio_args a = {
		.write = d->write, .async = d->async, .file = (struct file *)d->f, .off = d->off,
		.len = d->len, .map = (struct mapping *)d->map, .buf = (struct anon *)d->buf,
		.at = d->at,
	};
	return task_dio(T(k), &a);
}

static struct target_io *m_result_io(struct target_task *k)
{
	return (struct target_io *)task_result_io(T(k));
}

static enum op_status m_io_wait(struct target_task *k, struct target_io *io)
{
	return task_io_wait(T(k), (struct kiocb *)io);
}

static enum op_status m_pin_longterm(struct target_task *k, struct target_map *m, uint64_t off,
				     uint64_t len)
{
	return task_pin_longterm(T(k), (struct mapping *)m, off, len);
}

static enum op_status m_wait_on(struct target_task *k, const void *key)
{
	return task_wait_on(T(k), key);
}

static void m_wake(struct target *t, const void *key)
{
	sim_wake(S(t), key);
}

static enum op_status m_munmap(struct target_task *k, struct target_map *m)
{
	task_munmap(T(k), (struct mapping *)m);
	return OP_DONE;
}

static void m_exit(struct target_task *k)
{
	task_exit(T(k));
}

static int m_result(struct target_task *k)
{
	return task_result(T(k));
}

static struct target_pin *m_result_pin(struct target_task *k)
{
	return (struct target_pin *)task_result_pin(T(k));
}

static bool m_is_done(struct target_task *k)
{
	return task_is_done(T(k));
}

static uint64_t m_now(struct target *t)
{
	return sim_now_ns(S(t));
}

static void m_log(struct target_task *k, const char *event, const char *text)
{
	task_trace(T(k), event, text);
}

static enum sim_end m_run(struct target *t)
{
	return sim_run(S(t));
}

static void m_stop(struct target *t)
{
	sim_stop(S(t));
}

static void m_set_sample_interval(struct target *t, uint64_t ns)
{
	sim_set_timeline_interval(S(t), ns);
}

static const char *m_spec(struct target *t)
{
	return S(t)->policy->spec;
}

static struct metrics *m_take_metrics(struct target *t)
{
	return sim_take_metrics(S(t));
}

static uint64_t m_events(struct target *t)
{
	return sim_events(S(t));
}

static GPtrArray *m_blocked(struct target *t)
{
	GPtrArray *tasks = sim_blocked_tasks(S(t));
	for (guint i = 0; i < tasks->len; i++)
		tasks->pdata[i] = ((struct mtask *)task_driver_data(tasks->pdata[i]))->data;
	return tasks;
}

static char *m_describe_wait(struct target_task *k)
{
	return task_describe_wait(T(k));
}

const struct target_ops model_target = {
	.name = "model",
	.claims = m_claims,
	.canonical = m_canonical,
	.create = m_create,
	.destroy = m_destroy,
	.file = m_file,
	.process = m_process,
	.mmap = m_mmap,
	.spawn = m_spawn,
	.sleep = m_sleep,
	.pwrite = m_pwrite,
	.pread = m_pread,
	.store = m_store,
	.load = m_load,
	.pin = m_pin,
	.pin_write = m_pin_write,
	.pin_release = m_pin_release,
	.fsync = m_fsync,
	.msync = m_msync,
	.sync_range = m_sync_range,
	.sync = m_sync,
	.dio_write = m_dio_write,
	.dio_read = m_dio_read,
	.wait_on = m_wait_on,
	.wake = m_wake,
	.munmap = m_munmap,
	.exit = m_exit,
	.result = m_result,
	.result_pin = m_result_pin,
	.is_done = m_is_done,
	.now = m_now,
	.log = m_log,
	.run = m_run,
	.stop = m_stop,
	.set_sample_interval = m_set_sample_interval,
	.spec = m_spec,
	.take_metrics = m_take_metrics,
	.events = m_events,
	.blocked = m_blocked,
	.describe_wait = m_describe_wait,
	.alloc = m_alloc,
	.buf_store = m_buf_store,
	.buf_load = m_buf_load,
	.dio = m_dio,
	.result_io = m_result_io,
	.io_wait = m_io_wait,
	.pin_longterm = m_pin_longterm,
};
