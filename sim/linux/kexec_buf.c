/*
 * kexec_buf — Buffers (proc:alloc) and asynchronous direct I/O, the loop's side.
 *
 * A Buffer is anonymous private memory in its process's address space (the helper's,
 * or the calling process's for tasks without a process), made there like a mapping
 * (kexec_spawn.c).  Its bytes have a history as a file's do: a shell kx_file (no
 * descriptor, no disk) whose records are its stores, the direct reads into it, and
 * its initial zeroes; so a direct write from a Buffer is judged by the rule of a
 * direct write from a mapping (kexec_check.c), with the Buffer as the source.
 *
 * An asynchronous direct I/O goes to the task's worker like any op; the worker
 * submits it to its io_uring and replies at once (kexec_uring.c), and its reaper posts
 * the completion (KX_MSG_IO | slot) on the completion pipe, which the loop accounts
 * here: the latency from submission to completion, the data, the waiter woken.
 */
#include "linux/kexec_priv.h"

#include <errno.h>
#include <string.h>

static void buf_free(gpointer p)
{
	struct kx_buf *b = p;
	kx_segs_free(&b->shell);
	g_free(b->shell.name);
	g_free(b);
}

void kx_bufs_free(struct kx *kx)
{
	g_ptr_array_set_free_func(kx->bufs, buf_free);
	g_ptr_array_free(kx->bufs, TRUE);
	kx->bufs = NULL;
}

struct kx_buf *kx_alloc(struct kx *kx, struct kx_proc *p, uint64_t size)
{
	g_return_val_if_fail(!kx->finished && (!p || p->kx == kx), NULL);
	if (!size || kx->bufs->len >= KX_BUFREC)
		return NULL;
	struct kx_buf *b = g_new0(struct kx_buf, 1);
	b->idx = kx->bufs->len;
	b->proc = p;
	b->size = size;
	b->shell.kx = kx;
	b->shell.idx = KX_BUFREC | b->idx;
	b->shell.name = g_strdup_printf("Buffer %u of %s%s%s", b->idx, p ? "process '" : "the main process",
					p ? p->name : "", p ? "'" : "");
	b->shell.size = size;
	b->shell.fd = b->shell.dfd = -1;
	g_ptr_array_add(kx->bufs, b);
	/* Its initial content is zeroes, which no op's pattern has: a record of one run of
	 * the word 0, left out of the descriptions of words (copy). */
	kx_segs_init(&b->shell);
	struct kx_record *r = kx_record_get(kx->hist, kx_record_count(kx->hist) - 1);
	r->op = 0;
	r->copy = true;
	r->runs = g_new(struct kx_run, 1);
	r->runs[0] = (struct kx_run){ 0, size, 0 };
	r->nruns = 1;
	return b;
}

uint64_t kx_buf_size(const struct kx_buf *b)
{
	return b->size;
}

/* ---- what an op did to the data ------------------------------------------------------- */

static void record(struct kx *kx, uint32_t task, uint32_t op, enum kx_opkind kind, uint32_t file,
		   bool weak, int64_t start, int64_t end, uint64_t lo, uint64_t hi)
{
	kx_record_add(kx, &(struct kx_record){
		.op = op, .file = file, .task = task, .kind = (uint8_t)kind, .weak = weak,
		.start = start, .end = end, .lo = lo, .hi = hi });
}

/* A direct read into a Buffer: the file's bytes it returned are judged, unless the
 * Buffer was written meanwhile; the Buffer now holds them. */
static void read_into(struct kx *kx, uint32_t task, uint32_t op, const struct kx_req *q, int err,
		      int64_t start, int64_t end, int64_t after, const struct kx_run *runs,
		      uint32_t n, bool overflow)
{
	struct kx_file *into = kx_owner(kx, q->map.file);
	if (!err)
		kx_check_read_op(kx, task, op, q->kind, kx->files->pdata[q->file], q->off, q->off + q->len,
				 start, end, runs, n, overflow, into, q->src_off, after);
	struct kx_record r = {
		.op = op, .file = q->map.file, .task = task, .kind = (uint8_t)q->kind, .weak = err != 0,
		.unknown = err != 0 || overflow, .start = start, .end = end, .lo = q->src_off,
		.hi = q->src_off + q->len,
	};
	if (!r.unknown) {
		r.runs = g_memdup2(runs, n * sizeof(*runs));
		r.nruns = n;
		for (uint32_t i = 0; i < n; i++) {      /* file positions -> Buffer positions */
			r.runs[i].from = r.runs[i].from - q->off + q->src_off;
			r.runs[i].to = r.runs[i].to - q->off + q->src_off;
		}
	}
	kx_record_add(kx, &r);
}

void kx_account(struct kx *kx, uint32_t task, uint32_t op, const struct kx_req *q, int err,
		int64_t snap, int64_t start, int64_t end, int64_t after, const struct kx_run *runs,
		uint32_t nruns, bool overflow)
{
	struct kx_file *f = q->file == KX_NONE ? NULL : kx->files->pdata[q->file];
	bool mapped = q->map.id != KX_NONE;
	switch (q->kind) {
	case KX_OP_PWRITE:
		record(kx, task, op, q->kind, q->file, err != 0, start, end, q->off, q->off + q->len);
		break;
	case KX_OP_STORE:
	case KX_OP_PIN_WRITE:
		record(kx, task, op, q->kind, q->file, err != 0, start, end, q->map.off + q->off,
		       q->map.off + q->off + q->len);
		break;
	case KX_OP_BUF_STORE:
		record(kx, task, op, q->kind, q->map.file, err != 0, start, end, q->off, q->off + q->len);
		break;
	case KX_OP_DIO_WRITE:
		if (mapped)
			kx_check_copy_op(kx, task, op, f, q->off, q->off + q->len, kx_owner(kx, q->map.file),
					 q->map.off + q->src_off, snap, start, end, runs, nruns, overflow,
					 err != 0);
		else
			record(kx, task, op, q->kind, q->file, err != 0, start, end, q->off, q->off + q->len);
		break;
	case KX_OP_DIO_READ:
		if (mapped) {
			read_into(kx, task, op, q, err, start, end, after, runs, nruns, overflow);
			break;
		}
		/* fall through */
	case KX_OP_PREAD:
		if (!err)
			kx_check_read_op(kx, task, op, q->kind, f, q->off, q->off + q->len, start, end, runs,
					 nruns, overflow, NULL, 0, 0);
		break;
	case KX_OP_LOAD:
		if (!err)
			kx_check_read_op(kx, task, op, q->kind, f, q->map.off + q->off,
					 q->map.off + q->off + q->len, start, end, runs, nruns, overflow,
					 NULL, 0, 0);
		break;
	case KX_OP_BUF_LOAD:
		if (!err)
			kx_check_read_op(kx, task, op, q->kind, kx_owner(kx, q->map.file), q->off,
					 q->off + q->len, start, end, runs, nruns, overflow, NULL, 0, 0);
		break;
	default:
		break;
	}
}

/* ---- asynchronous I/O ------------------------------------------------------------------- */

/* The slot is free again; the io lives on until it was waited for. */
static void release_slot(struct kx *kx, struct kx_io *io)
{
	kx->io_by_slot[io->slot] = NULL;
	io->t->io_busy &= ~(1u << (io->slot % KX_IO_PER_TASK));
	io->completed = true;
	kx->inflight--;
	kx->ios_inflight--;
}

void kx_io_result_delivered(struct kx *kx, const struct kx_io *io)
{
	if (io->result)
		metrics_inc(kx->m, M_EIO_RETURNED);
}

void kx_io_complete(struct kx *kx, uint32_t slot)
{
	if (!kx->io_by_slot || slot >= kx->tasks->len * KX_IO_PER_TASK || !kx->io_by_slot[slot])
		return;                 /* abandoned when its process ended */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	struct kx_io *io = kx->io_by_slot[slot];
	const struct kx_ioslot *s = &kx->ioslots[slot];
	release_slot(kx, io);
	if (s->err && s->err != EIO) {
		char *what = kx_describe_req(kx, &io->req);
		kx_fail(kx, "task '%s': asynchronous %s: %s", io->t->name, what,
			s->err == KX_ESHORT ? "the transfer stopped short" : g_strerror(s->err));
		g_free(what);
		return;                 /* its waiter, if any, is never resumed: the run ends */
	}
	int64_t start = s->t_start - kx->t0, end = s->t_end - kx->t0;
	int k = kx_latency_kind(io->req.kind);
	if (k >= 0)
		metrics_latency(kx->m, (enum op_kind)k, (uint64_t)MAX(end - start, 0));
	if (s->err)
		io->result = -EIO;      /* counted when a wait hands it to the program */
	kx_account(kx, io->t->idx, io->op, &io->req, s->err, s->t_snap - kx->t0, start, end,
		   s->t_after - kx->t0, s->runs, s->nruns, s->overflow);
	if (io->waiter) {
		kx_io_result_delivered(kx, io);
		io->waiter->result = io->result;
		kx_wake(kx, io);
		g_hash_table_remove(kx->ios, io);
	}
}

void kx_io_submitted(struct kx *kx, struct kx_task *t, int err)
{
	struct kx_io *io = t->io;
	t->io = NULL;
	if (err) {
		char *what = kx_describe_req(kx, &t->req);
		kx_fail(kx, "task '%s': submitting an asynchronous %s: %s%s", t->name, what,
			err == KX_ESHORT ? "the transfer stopped short" : g_strerror(err),
			err == ENOSYS ? " (wbsim was built without liburing: scripts/deps installs "
			"liburing-dev)" : "");
		g_free(what);
		if (!io->completed)
			release_slot(kx, io);
		t->state = KX_T_WAITING;
		t->wait_key = NULL;
		return;
	}
	t->result = 0;
	t->result_io = io;
	kx_make_ready(kx, t);
}

void kx_ios_abandon(struct kx *kx, struct kx_proc *p)
{
	for (guint i = 0; kx->io_by_slot && i < kx->tasks->len * KX_IO_PER_TASK; i++) {
		struct kx_io *io = kx->io_by_slot[i];
		if (io && io->t->proc == p)
			release_slot(kx, io);
	}
}

int64_t kx_ios_first(struct kx *kx, bool reads)
{
	int64_t first = INT64_MAX;
	for (guint i = 0; kx->ios_inflight && i < kx->tasks->len * KX_IO_PER_TASK; i++) {
		const struct kx_io *io = kx->io_by_slot[i];
		if (!io)
			continue;
		bool write = io->req.kind == KX_OP_DIO_WRITE, buffer = io->req.map.id != KX_NONE;
		/* A write reads its source (a mapping, a Buffer), a read its file; a write
		 * writes its file, a read into a Buffer that Buffer. */
		bool match = reads ? (!write || buffer) : (write || buffer);
		if (match && io->dispatched < first)
			first = io->dispatched;
	}
	return first;
}
