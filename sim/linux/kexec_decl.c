/*
 * kexec_decl — the declared world (files, processes, mappings, tasks), its accessors,
 * and the run's first error.
 */
#include "linux/kexec_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

G_DEFINE_QUARK(wbsim-kexec-error-quark, kx_error)

int64_t kx_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void kx_fail(struct kx *kx, const char *fmt, ...)
{
	if (kx->error)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	kx->error = g_error_new_literal(KX_ERROR, 0, msg);
	g_free(msg);
	kx->stop = true;
}

static void file_free(gpointer p)
{
	struct kx_file *f = p;
	kx_segs_free(f);
	g_free(f->cache_hash);
	g_free(f->name);
	g_free(f);
}

static void proc_free(gpointer p)
{
	struct kx_proc *pr = p;
	g_free(pr->name);
	g_free(pr);
}

static void task_free(gpointer p)
{
	struct kx_task *t = p;
	g_free(t->name);
	g_free(t);
}

struct kx *kx_new(const char *dir, const struct kx_hooks *hooks, GError **err)
{
	g_return_val_if_fail(dir && hooks && hooks->resume, NULL);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		g_set_error(err, KX_ERROR, 0, "%s: cannot use as the run's directory: %s", dir,
			    g_strerror(errno));
		return NULL;
	}
	/* Not kept open: the caller unmounts and mounts the directory's filesystem
	 * between kx_prepare and kx_start, and an open directory would keep it busy. */
	close(dfd);
	struct kx *kx = g_new0(struct kx, 1);
	kx->dir = g_strdup(dir);
	kx->scratch_dir = g_strdup(dir);
	kx->dirfd = -1;
	kx->hooks = *hooks;
	kx->files = g_ptr_array_new_with_free_func(file_free);
	kx->procs = g_ptr_array_new_with_free_func(proc_free);
	kx->maps = g_ptr_array_new_with_free_func(g_free);
	kx->tasks = g_ptr_array_new_with_free_func(task_free);
	kx->pins = g_ptr_array_new_with_free_func(g_free);
	kx->bufs = g_ptr_array_new();
	kx->ios = g_hash_table_new_full(NULL, NULL, g_free, NULL);
	kx->m = metrics_new();
	kx->done[0] = kx->done[1] = -1;
	kx->timers = g_sequence_new(NULL);
	kx->waits = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)g_ptr_array_unref);
	g_queue_init(&kx->ready);
	kx->hist = kx_history_new();
	kx->next_op = 1;
	return kx;
}

void kx_free(struct kx *kx)
{
	if (!kx)
		return;
	kx_finish(kx);
	/* Segments point into the history: files go first. */
	g_ptr_array_free(kx->files, TRUE);
	kx_bufs_free(kx);
	kx_history_free(kx->hist);
	g_hash_table_destroy(kx->ios);
	g_free(kx->io_by_slot);
	g_ptr_array_free(kx->procs, TRUE);
	g_ptr_array_free(kx->maps, TRUE);
	g_ptr_array_free(kx->tasks, TRUE);
	g_ptr_array_free(kx->pins, TRUE);
	g_sequence_free(kx->timers);
	g_hash_table_destroy(kx->waits);
	g_queue_clear(&kx->ready);
	metrics_free(kx->m);
	if (kx->error)
		g_error_free(kx->error);
	if (kx->dirfd >= 0)
		close(kx->dirfd);
	g_free(kx->dir);
	g_free(kx->scratch_dir);
	g_free(kx);
}

void kx_set_spin(struct kx *kx, uint64_t ns)
{
	g_return_if_fail(!kx->running);
	kx->spin_ns = (int64_t)MIN(ns, (uint64_t)INT64_MAX / 4);
}

uint64_t kx_rung(const struct kx *kx)
{
	return kx->rung;
}

void kx_set_scratch_dir(struct kx *kx, const char *dir)
{
	g_return_if_fail(!kx->started && dir);
	g_free(kx->scratch_dir);
	kx->scratch_dir = g_strdup(dir);
}

/*
 * A scenario's file name is a path relative to the run's directory: plain names joined
 * by single '/' (dbench's clients keep their files in directories of their own).  No
 * '.' or '..', so no name leaves the directory, and none of the executor's own names.
 */
static bool valid_path(const char *name)
{
	if (!name || strlen(name) > KX_PATH_MAX)
		return false;
	for (const char *c = name;;) {
		const char *e = strchrnul(c, '/');
		size_t n = (size_t)(e - c);
		if (n == 0 || n > 255 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!*e)
			return true;
		c = e + 1;
	}
}

/* Is @dir a directory on the way to @path ("a" of "a/b", "a/b" of "a/b/c")? */
static bool is_dir_of(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	return !strncmp(dir, path, n) && path[n] == '/';
}

struct kx_file *kx_file(struct kx *kx, const char *name, uint64_t size, GError **err)
{
	g_return_val_if_fail(!kx->prepared, NULL);
	if (!valid_path(name)) {
		g_set_error(err, KX_ERROR, 0, "file name '%s': not a relative path of plain names "
			    "(no leading, trailing or doubled '/', no '.' or '..', at most 255 bytes a "
			    "name and %d in all)", name ? name : "(null)", KX_PATH_MAX);
		return NULL;
	}
	if (g_str_has_prefix(name, ".kx-")) {
		g_set_error(err, KX_ERROR, 0, "file name '%s': names starting with '.kx-' are the "
			    "executor's own", name);
		return NULL;
	}
	if (size == 0) {
		g_set_error(err, KX_ERROR, 0, "file '%s': a size of 0 bytes", name);
		return NULL;
	}
	for (guint i = 0; i < kx->files->len; i++) {
		struct kx_file *o = kx->files->pdata[i];
		if (is_dir_of(o->name, name) || is_dir_of(name, o->name)) {
			g_set_error(err, KX_ERROR, 0, "file '%s' and file '%s': one would be a "
				    "directory of the other", o->name, name);
			return NULL;
		}
		if (!strcmp(o->name, name)) {
			g_set_error(err, KX_ERROR, 0, "file '%s' is declared twice", name);
			return NULL;
		}
	}
	struct kx_file *f = g_new0(struct kx_file, 1);
	f->kx = kx;
	f->idx = kx->files->len;
	f->name = g_strdup(name);
	f->size = size;
	f->fd = f->dfd = -1;
	g_ptr_array_add(kx->files, f);
	return f;
}

struct kx_proc *kx_process(struct kx *kx, const char *name)
{
	g_return_val_if_fail(!kx->started && name, NULL);
	struct kx_proc *p = g_new0(struct kx_proc, 1);
	p->kx = kx;
	p->idx = kx->procs->len;
	p->name = g_strdup(name);
	p->pidfd = -1;
	g_ptr_array_add(kx->procs, p);
	return p;
}

struct kx_map *kx_mmap(struct kx *kx, struct kx_proc *p, struct kx_file *f, uint64_t off,
		       uint64_t size)
{
	g_return_val_if_fail(f && f->kx == kx && (!p || p->kx == kx), NULL);
	g_return_val_if_fail(off % KX_PAGE == 0 && size % KX_PAGE == 0 && size > 0, NULL);
	g_return_val_if_fail(off < f->size && size <= f->size - off, NULL);
	g_return_val_if_fail(!kx->finished, NULL);
	struct kx_map *m = g_new0(struct kx_map, 1);
	m->id = kx->maps->len;
	m->proc = p;
	m->file = f;
	m->off = off;
	m->size = size;
	g_ptr_array_add(kx->maps, m);
	return m;
}

struct kx_task *kx_spawn(struct kx *kx, const char *name, struct kx_proc *p, uint64_t start_ns,
			 void *data)
{
	g_return_val_if_fail(!kx->started && name && (!p || p->kx == kx), NULL);
	struct kx_task *t = g_new0(struct kx_task, 1);
	t->kx = kx;
	t->idx = kx->tasks->len;
	t->name = g_strdup(name);
	t->proc = p;
	t->start_ns = start_ns;
	t->data = data;
	t->bell[0] = t->bell[1] = -1;
	g_ptr_array_add(kx->tasks, t);
	return t;
}

/* ---- accessors ------------------------------------------------------------------------ */

bool kx_prepared(const struct kx *kx)
{
	return kx->prepared;
}

bool kx_started(const struct kx *kx)
{
	return kx->started;
}

struct metrics *kx_metrics(struct kx *kx) { return kx->m; }
const char *kx_task_name(const struct kx_task *t) { return t->name; }
void *kx_task_data(const struct kx_task *t) { return t->data; }
bool kx_task_is_done(const struct kx_task *t) { return t->state == KX_T_DONE; }
struct kx *kx_task_kx(const struct kx_task *t) { return t->kx; }
int kx_task_pid(const struct kx_task *t) { return t->last_pid; }
uintptr_t kx_task_addr(const struct kx_task *t) { return (uintptr_t)t->last_addr; }
int kx_result(const struct kx_task *t) { return t->result; }
struct kx_pin *kx_result_pin(const struct kx_task *t) { return t->result_pin; }
const char *kx_file_name(const struct kx_file *f) { return f->name; }
uint64_t kx_file_size(const struct kx_file *f) { return f->size; }
uint64_t kx_map_size(const struct kx_map *m) { return m->size; }
uint64_t kx_pin_size(const struct kx_pin *p) { return p->len; }
unsigned kx_dio_align(const struct kx *kx) { return kx->dio_align; }

uint64_t kx_now(const struct kx *kx)
{
	if (!kx->t0)
		return 0;
	return (uint64_t)(kx_mono_ns() - kx->t0);
}

void kx_test_fail_next(struct kx_task *t, int err)
{
	t->fail_next = err;
}

const char *kx_op_name(enum kx_opkind k)
{
	static const char *const names[] = {
		[KX_OP_NONE] = "nothing", [KX_OP_PWRITE] = "pwrite", [KX_OP_PREAD] = "pread",
		[KX_OP_STORE] = "store", [KX_OP_LOAD] = "load", [KX_OP_FSYNC] = "fsync",
		[KX_OP_MSYNC] = "msync", [KX_OP_SYNC_RANGE] = "sync_file_range",
		[KX_OP_SYNC] = "syncfs", [KX_OP_DIO_WRITE] = "O_DIRECT write",
		[KX_OP_DIO_READ] = "O_DIRECT read", [KX_OP_PIN] = "pin",
		[KX_OP_PIN_WRITE] = "pin write", [KX_OP_MUNMAP] = "munmap",
		[KX_OP_BUF_STORE] = "buf:store", [KX_OP_BUF_LOAD] = "buf:load",
	};
	G_STATIC_ASSERT(G_N_ELEMENTS(names) == KX_OP_NR);
	return (unsigned)k < KX_OP_NR ? names[k] : "?";
}

GPtrArray *kx_blocked_tasks(struct kx *kx)
{
	GPtrArray *a = g_ptr_array_new();
	for (guint i = 0; i < kx->tasks->len; i++) {
		struct kx_task *t = kx->tasks->pdata[i];
		if (t->state == KX_T_WAITING)
			g_ptr_array_add(a, t);
	}
	return a;
}

char *kx_describe_wait(const struct kx_task *t)
{
	switch (t->state) {
	case KX_T_WAITING:
		return g_strdup_printf("%s waits on %p", t->name, t->wait_key);
	case KX_T_INFLIGHT:
		return g_strdup_printf("%s in %s", t->name, kx_op_name(t->req.kind));
	case KX_T_SLEEPING:
		return g_strdup_printf("%s sleeps", t->name);
	case KX_T_DONE:
		return g_strdup_printf("%s has exited", t->name);
	default:
		return g_strdup_printf("%s is runnable", t->name);
	}
}
