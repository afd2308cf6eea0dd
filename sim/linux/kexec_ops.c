/*
 * kexec_ops — the operations as a driver issues them from inside resume().
 *
 * Each checks what the kernel version of the call needs beyond what the scenario
 * binding already checked (alignment for O_DIRECT, a mapping used from its own
 * process), fills the task's request and hands it to the worker: every kernel
 * operation returns KX_BLOCKED.  One that cannot be done on the kernel stops the run
 * with an error naming it; nothing is performed in its place.
 */
#include "linux/kexec_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

static enum kx_status refuse(struct kx_task *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static enum kx_status refuse(struct kx_task *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	kx_fail(t->kx, "task '%s': %s", t->name, msg);
	g_free(msg);
	/* Never resumed: the loop ends the run once what is in flight has finished. */
	t->state = KX_T_WAITING;
	t->wait_key = NULL;
	return KX_BLOCKED;
}

static void begin(struct kx_task *t, uint32_t file)
{
	g_assert(t->state == KX_T_RUNNING);
	memset(&t->req, 0, sizeof(t->req));
	t->req.file = file;
	t->req.map.id = KX_NONE;
	t->map = NULL;
	t->pin = NULL;
	t->result = 0;
	t->result_pin = NULL;
	t->result_io = NULL;
}

static bool in_range(uint64_t off, uint64_t len, uint64_t size)
{
	return len > 0 && off < size && len <= size - off;
}

/* A writing op gets the op id its bytes will carry. */
static void writes(struct kx_task *t, enum metric_counter calls)
{
	t->op = t->kx->next_op++;
	t->req.word = kx_pattern(t->op);
	metrics_inc(t->kx->m, calls);
}

static const char *map_problem(struct kx_task *t, struct kx_map *m, char *buf, size_t len)
{
	if (m->unmapped) {
		g_snprintf(buf, len, "the mapping of file '%s' was unmapped", m->file->name);
		return buf;
	}
	if (m->proc != t->proc) {
		g_snprintf(buf, len, "the task runs in %s%s%s but the mapping of file '%s' belongs to %s%s%s "
			   "(its address space)", t->proc ? "process '" : "the main process",
			   t->proc ? t->proc->name : "", t->proc ? "'" : "", m->file->name,
			   m->proc ? "process '" : "the main process", m->proc ? m->proc->name : "",
			   m->proc ? "'" : "");
		return buf;
	}
	return NULL;
}

static bool use_map(struct kx_task *t, struct kx_map *m, uint64_t off, uint64_t len,
		    const char *call)
{
	char buf[256];
	const char *why = map_problem(t, m, buf, sizeof(buf));
	if (why) {
		refuse(t, "%s: %s", call, why);
		return false;
	}
	if (!in_range(off, len, m->size)) {
		refuse(t, "%s: [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT ") is outside the %"
		       G_GUINT64_FORMAT "-byte mapping of file '%s'", call, off, len, m->size, m->file->name);
		return false;
	}
	begin(t, m->file->idx);
	t->map = m;
	t->req.map = (struct kx_mapgeo){ m->id, m->file->idx, m->off, m->size };
	t->req.off = off;
	t->req.len = len;
	return true;
}

static char *proc_desc(const struct kx_proc *p)
{
	return p ? g_strdup_printf("process '%s'", p->name) : g_strdup("the main process");
}

/* A Buffer used by a task of its own process, inside it: its geometry in the request. */
static bool use_buf(struct kx_task *t, struct kx_buf *b, uint64_t off, uint64_t len,
		    const char *call)
{
	if (b->proc != t->proc) {
		char *tp = proc_desc(t->proc);
		refuse(t, "%s: the task runs in %s but %s is that process's memory", call, tp,
		       b->shell.name);
		g_free(tp);
		return false;
	}
	if (!in_range(off, len, b->size)) {
		refuse(t, "%s: [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT ") is outside the %"
		       G_GUINT64_FORMAT "-byte %s", call, off, len, b->size, b->shell.name);
		return false;
	}
	begin(t, KX_NONE);
	t->req.map = (struct kx_mapgeo){ b->shell.idx, b->shell.idx, 0, b->size };
	t->req.off = off;
	t->req.len = len;
	return true;
}

static bool use_file(struct kx_task *t, struct kx_file *f, uint64_t off, uint64_t len,
		     const char *call)
{
	if (!in_range(off, len, f->size)) {
		refuse(t, "%s: [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT ") is outside the %"
		       G_GUINT64_FORMAT "-byte file '%s'", call, off, len, f->size, f->name);
		return false;
	}
	begin(t, f->idx);
	t->req.off = off;
	t->req.len = len;
	return true;
}

static bool dio_aligned(struct kx_task *t, const char *call, uint64_t a, uint64_t b, uint64_t c)
{
	unsigned al = t->kx->dio_align;
	if (!al || (a % al == 0 && b % al == 0 && c % al == 0))
		return true;
	refuse(t, "%s: O_DIRECT on this filesystem needs offsets and lengths aligned to %u bytes "
	       "(got %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ")", call, al, a, b, c);
	return false;
}

static enum kx_status go(struct kx_task *t, enum kx_opkind kind)
{
	kx_dispatch(t, kind);
	return KX_BLOCKED;
}

enum kx_status kx_pwrite(struct kx_task *t, struct kx_file *f, uint64_t off, uint64_t len)
{
	if (!use_file(t, f, off, len, "pwrite"))
		return KX_BLOCKED;
	writes(t, M_WRITES);
	return go(t, KX_OP_PWRITE);
}

enum kx_status kx_pread(struct kx_task *t, struct kx_file *f, uint64_t off, uint64_t len)
{
	if (!use_file(t, f, off, len, "pread"))
		return KX_BLOCKED;
	return go(t, KX_OP_PREAD);
}

enum kx_status kx_store(struct kx_task *t, struct kx_map *m, uint64_t off, uint64_t len)
{
	if (!use_map(t, m, off, len, "m:store"))
		return KX_BLOCKED;
	writes(t, M_STORES);
	return go(t, KX_OP_STORE);
}

enum kx_status kx_load(struct kx_task *t, struct kx_map *m, uint64_t off, uint64_t len)
{
	if (!use_map(t, m, off, len, "m:load"))
		return KX_BLOCKED;
	return go(t, KX_OP_LOAD);
}

enum kx_status kx_fsync(struct kx_task *t, struct kx_file *f, bool datasync)
{
	begin(t, f->idx);
	t->req.flags = datasync;
	metrics_inc(t->kx->m, M_FSYNCS);
	return go(t, KX_OP_FSYNC);
}

enum kx_status kx_msync(struct kx_task *t, struct kx_map *m, uint64_t off, uint64_t len)
{
	if (!use_map(t, m, off, len, "m:msync"))
		return KX_BLOCKED;
	metrics_inc(t->kx->m, M_FSYNCS);
	return go(t, KX_OP_MSYNC);
}

enum kx_status kx_sync_range(struct kx_task *t, struct kx_file *f, uint64_t off, uint64_t len,
			     unsigned how)
{
	if (how & ~(KX_SYNC_WAIT_BEFORE | KX_SYNC_WRITE | KX_SYNC_WAIT_AFTER))
		return refuse(t, "sync_file_range: flags %#x are not WAIT_BEFORE, WRITE, WAIT_AFTER", how);
	if (len ? !use_file(t, f, off, len, "sync_file_range")
		: !use_file(t, f, off, 1, "sync_file_range"))
		return KX_BLOCKED;
	t->req.len = len;               /* 0: to the end of the file, as the call has it */
	t->req.flags = how;
	return go(t, KX_OP_SYNC_RANGE);
}

enum kx_status kx_sync(struct kx_task *t)
{
	begin(t, KX_NONE);
	metrics_inc(t->kx->m, M_FSYNCS);
	return go(t, KX_OP_SYNC);
}

enum kx_status kx_dio_write(struct kx_task *t, struct kx_file *f, uint64_t off, uint64_t len,
			    struct kx_map *src, uint64_t src_off)
{
	if (!dio_aligned(t, "O_DIRECT write", off, len, src ? src_off : 0))
		return KX_BLOCKED;
	if (src) {
		if (!use_map(t, src, src_off, len, "O_DIRECT write from a mapping"))
			return KX_BLOCKED;
		t->req.src_off = src_off;
	} else {
		begin(t, f->idx);
	}
	if (!in_range(off, len, f->size))
		return refuse(t, "O_DIRECT write: [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT
			      ") is outside the %" G_GUINT64_FORMAT "-byte file '%s'", off, len, f->size,
			      f->name);
	t->req.file = f->idx;
	t->req.off = off;
	t->req.len = len;
	writes(t, M_DIO_WRITES);
	return go(t, KX_OP_DIO_WRITE);
}

enum kx_status kx_dio_read(struct kx_task *t, struct kx_file *f, uint64_t off, uint64_t len)
{
	if (!dio_aligned(t, "O_DIRECT read", off, len, 0) || !use_file(t, f, off, len, "O_DIRECT read"))
		return KX_BLOCKED;
	return go(t, KX_OP_DIO_READ);
}

enum kx_status kx_pin(struct kx_task *t, struct kx_map *m, uint64_t off, uint64_t len)
{
	if (!use_map(t, m, off, len, "m:pin"))
		return KX_BLOCKED;
	struct kx_pin *p = g_new0(struct kx_pin, 1);
	p->map = m;
	p->off = off;
	p->len = len;
	g_ptr_array_add(t->kx->pins, p);
	t->pin = p;
	return go(t, KX_OP_PIN);
}

enum kx_status kx_pin_write(struct kx_task *t, struct kx_pin *p, uint64_t off, uint64_t len)
{
	if (p->released)
		return refuse(t, "pin:write: the pin was released");
	if (!in_range(off, len, p->len))
		return refuse(t, "pin:write: [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT ") is outside "
			      "the %" G_GUINT64_FORMAT "-byte pin", off, len, p->len);
	unsigned al = t->kx->dio_align;
	if (al && ((p->off + off) % al || len % al))
		return refuse(t, "pin:write: on the kernel a write through a pin is an O_DIRECT read "
			      "into the pinned range, which needs the offset in the mapping (%"
			      G_GUINT64_FORMAT ") and the length (%" G_GUINT64_FORMAT ") aligned to %u bytes",
			      p->off + off, len, al);
	if (!use_map(t, p->map, p->off + off, len, "pin:write"))
		return KX_BLOCKED;
	writes(t, M_PIN_WRITES);
	return go(t, KX_OP_PIN_WRITE);
}

/* The pin was never held past its calls, so there is nothing to release; the pages a
 * pin:write filled were dirtied by the kernel when that read completed. */
enum kx_status kx_pin_release(struct kx_task *t, struct kx_pin *p)
{
	begin(t, KX_NONE);
	p->released = true;
	return KX_DONE;
}

enum kx_status kx_munmap(struct kx_task *t, struct kx_map *m)
{
	if (!use_map(t, m, 0, m->size, "m:unmap"))
		return KX_BLOCKED;
	m->unmapped = true;
	return go(t, KX_OP_MUNMAP);
}

enum kx_status kx_sleep(struct kx_task *t, uint64_t ns)
{
	begin(t, KX_NONE);
	int64_t now = (int64_t)kx_now(t->kx);
	kx_timer_add(t->kx, t, now + (int64_t)MIN(ns, (uint64_t)INT64_MAX - (uint64_t)now));
	return KX_BLOCKED;
}

enum kx_status kx_wait_on(struct kx_task *t, const void *key)
{
	begin(t, KX_NONE);
	t->state = KX_T_WAITING;
	t->wait_key = key;
	GPtrArray *a = g_hash_table_lookup(t->kx->waits, key);
	if (!a) {
		a = g_ptr_array_new();
		g_hash_table_insert(t->kx->waits, (gpointer)key, a);
	}
	g_ptr_array_add(a, t);
	return KX_BLOCKED;
}

void kx_wake(struct kx *kx, const void *key)
{
	GPtrArray *a = NULL;
	if (!g_hash_table_steal_extended(kx->waits, key, NULL, (gpointer *)&a))
		return;
	for (guint i = 0; i < a->len; i++) {
		struct kx_task *t = a->pdata[i];
		if (t->state == KX_T_WAITING && t->wait_key == key)
			kx_make_ready(kx, t);
	}
	g_ptr_array_unref(a);
}

void kx_exit(struct kx_task *t)
{
	if (t->state == KX_T_DONE)
		return;
	t->state = KX_T_DONE;
	t->kx->live--;
	kx_wake(t->kx, t);
}

/* ---- Buffers and direct I/O with every option (version 2) -------------------------- */

enum kx_status kx_buf_store(struct kx_task *t, struct kx_buf *b, uint64_t off, uint64_t len)
{
	if (!use_buf(t, b, off, len, "buf:store"))
		return KX_BLOCKED;
	/* An op id for its pattern, but no counter: the model counts no Buffer stores. */
	t->op = t->kx->next_op++;
	t->req.word = kx_pattern(t->op);
	return go(t, KX_OP_BUF_STORE);
}

enum kx_status kx_buf_load(struct kx_task *t, struct kx_buf *b, uint64_t off, uint64_t len)
{
	if (!use_buf(t, b, off, len, "buf:load"))
		return KX_BLOCKED;
	return go(t, KX_OP_BUF_LOAD);
}

/* The async I/O about to be dispatched: a slot of the task's, and the loop's record. */
static bool submit_io(struct kx_task *t, const char *call)
{
	struct kx *kx = t->kx;
	uint32_t free = ~t->io_busy;
	if (!free) {
		refuse(t, "%s: more than %u asynchronous direct I/Os in flight in one task", call,
		       KX_IO_PER_TASK);
		return false;
	}
	uint32_t bit = (uint32_t)__builtin_ctz(free);
	struct kx_io *io = g_new0(struct kx_io, 1);
	io->t = t;
	io->slot = t->idx * KX_IO_PER_TASK + bit;
	io->op = t->op;
	io->dispatched = (int64_t)kx_now(kx);
	t->req.async = true;
	t->req.ioslot = io->slot;
	io->req = t->req;
	t->io_busy |= 1u << bit;
	t->io = io;
	kx->io_by_slot[io->slot] = io;
	g_hash_table_add(kx->ios, io);
	kx->inflight++;                 /* until its completion: a drain waits for it */
	kx->ios_inflight++;
	return true;
}

enum kx_status kx_dio(struct kx_task *t, const struct kx_dio *d)
{
	const char *call = d->write ? "O_DIRECT write" : "O_DIRECT read";
	if (d->map && !d->write)
		return refuse(t, "%s: a mapping cannot be a direct read's destination", call);
	if (!dio_aligned(t, call, d->off, d->len, d->at))
		return KX_BLOCKED;
	if (d->map) {
		if (!use_map(t, d->map, d->at, d->len, d->write ? "O_DIRECT write from a mapping" : call))
			return KX_BLOCKED;
	} else if (d->buf) {
		if (!use_buf(t, d->buf, d->at, d->len, d->write ? "O_DIRECT write from a Buffer" :
			     "O_DIRECT read into a Buffer"))
			return KX_BLOCKED;
	} else {
		begin(t, d->f->idx);
	}
	if (!in_range(d->off, d->len, d->f->size))
		return refuse(t, "%s: [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT ") is outside the %"
			      G_GUINT64_FORMAT "-byte file '%s'", call, d->off, d->len, d->f->size,
			      d->f->name);
	t->req.file = d->f->idx;
	t->req.off = d->off;
	t->req.len = d->len;
	t->req.src_off = d->map || d->buf ? d->at : 0;
	enum kx_opkind kind = d->write ? KX_OP_DIO_WRITE : KX_OP_DIO_READ;
	t->req.kind = kind;
	if (d->write)
		writes(t, M_DIO_WRITES);
	else if (d->buf)
		t->op = t->kx->next_op++;       /* names the Buffer's record of what it got */
	if (d->async && !submit_io(t, d->write ? "f:dio_write{async = true}" : "f:dio_read{async = true}"))
		return KX_BLOCKED;
	return go(t, kind);
}

struct kx_io *kx_result_io(const struct kx_task *t)
{
	return t->result_io;
}

enum kx_status kx_io_wait(struct kx_task *t, struct kx_io *io)
{
	begin(t, KX_NONE);
	if (io->completed) {
		kx_io_result_delivered(t->kx, io);
		t->result = io->result;
		g_hash_table_remove(t->kx->ios, io);
		return KX_DONE;
	}
	if (io->waiter)
		return refuse(t, "io:wait: task '%s' already waits for this I/O", io->waiter->name);
	io->waiter = t;
	return kx_wait_on(t, io);
}
