/*
 * kexec_uring — a worker's io_uring: asynchronous direct I/O (f:dio_write{async = true},
 * f:dio_read{async = true}).
 *
 * The ring is the worker thread's own, made at its first asynchronous I/O (so inside
 * the helper process of the task's sim.process, whose address space holds the
 * Buffers and mappings the I/O uses), with a reaper thread beside it.  The worker
 * submits (IORING_OP_WRITE / IORING_OP_READ on the file's O_DIRECT descriptor, the
 * user buffer a Buffer, a mapping, or a buffer of the slot's own) and replies to the
 * loop at once; the task goes on.  The kernel pins the user pages when it issues the
 * I/O, as for pwrite(2) on O_DIRECT.
 *
 * The reaper blocks in io_uring_wait_cqe and takes the completion time the moment it
 * returns: the latency of an async I/O is [just before io_uring_submit, the reaper's
 * wakeup for its CQE].  That end is late by the reaper's wakeup (tens of
 * microseconds on a VM) and, the ring being an ordinary one (no SQPOLL, no
 * DEFER_TASKRUN), by however long the kernel takes to run the completion's task work
 * in the submitting worker (at once when it sleeps in its doorbell or runs user code;
 * after the call when it is inside a system call that does not sleep interruptibly).
 * The reaper then summarises what a read returned and posts the slot on the
 * completion pipe.
 *
 * Built without liburing (no liburing-dev: scripts/deps installs it), a submission
 * fails with ENOSYS and the run stops saying so.
 */
#include "linux/kexec_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef WBSIM_HAVE_LIBURING
#include <liburing.h>

#define QUIT UINT64_MAX

/* What the reaper needs of an I/O in flight, by the task's slot number. */
struct inflight {
	bool write;
	uint8_t *p;                     /* the user buffer */
	uint64_t pos, len;              /* file range */
};

struct kx_ring {
	struct io_uring ring;
	struct kx *kx;
	uint32_t first_slot;            /* the task's first slot in kx->ioslots */
	GThread *reaper;
	struct inflight io[KX_IO_PER_TASK];
	uint8_t *own[KX_IO_PER_TASK];   /* a slot's own buffer, when none was given */
	size_t cap[KX_IO_PER_TASK];
};

static void post(struct kx *kx, uint32_t slot)
{
	uint32_t msg = KX_MSG_IO | slot;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	while (write(kx->done[1], &msg, sizeof(msg)) < 0 && errno == EINTR)
		;
	kx_posted(kx);
}

static void summarise(struct kx_ioslot *s, const void *src, uint64_t pos, uint64_t len)
{
	s->overflow = !kx_summarise(src, pos, len, s->runs, KX_IO_RUNS, &s->nruns);
	if (s->overflow)
		s->nruns = 0;
}

static gpointer reaper_main(gpointer data)
{
	struct kx_ring *r = data;
	for (;;) {
		struct io_uring_cqe *cqe;
		int e = io_uring_wait_cqe(&r->ring, &cqe);
		int64_t now = kx_mono_ns();
		if (e == -EINTR || e == -EAGAIN)
			continue;
		if (e < 0) {
			g_printerr("kexec: io_uring_wait_cqe: %s: asynchronous I/Os of this task "
				   "will not complete\n", g_strerror(-e));
			break;
		}
		uint64_t ud = cqe->user_data;
		int res = cqe->res;
		io_uring_cqe_seen(&r->ring, cqe);
		if (ud == QUIT)
			break;
		if (ud >= KX_IO_PER_TASK)
			continue;
		const struct inflight *in = &r->io[ud];
		struct kx_ioslot *s = &r->kx->ioslots[r->first_slot + ud];
		s->t_end = now;
		s->err = res < 0 ? -res : (uint64_t)res != in->len ? KX_ESHORT : 0;
		if (!in->write) {
			if (!s->err)
				summarise(s, in->p, in->pos, in->len);
			s->t_after = kx_mono_ns();
		}
		post(r->kx, r->first_slot + (uint32_t)ud);
	}
	return NULL;
}

static int ring_new(struct kx_ring **rp, struct kx *kx, struct kx_task *t)
{
	struct kx_ring *r = g_new0(struct kx_ring, 1);
	/* Room for every slot and the quit message. */
	int e = io_uring_queue_init(2 * KX_IO_PER_TASK, &r->ring, 0);
	if (e < 0) {
		g_free(r);
		return -e;
	}
	r->kx = kx;
	r->first_slot = t->idx * KX_IO_PER_TASK;
	r->reaper = g_thread_try_new("kx-reaper", reaper_main, r, NULL);
	if (!r->reaper) {
		io_uring_queue_exit(&r->ring);
		g_free(r);
		return EAGAIN;
	}
	*rp = r;
	return 0;
}

int kx_ring_submit(struct kx_ring **rp, struct kx *kx, struct kx_task *t, const struct kx_req *q,
		   uint8_t *base)
{
	if (q->len > UINT32_MAX)
		return EINVAL;
	if (!*rp) {
		int e = ring_new(rp, kx, t);
		if (e)
			return e;
	}
	struct kx_ring *r = *rp;
	uint32_t i = q->ioslot - r->first_slot;
	g_assert(i < KX_IO_PER_TASK);
	struct kx_ioslot *s = &kx->ioslots[q->ioslot];
	s->err = 0;
	s->t_snap = s->t_after = 0;
	s->nruns = 0;
	s->overflow = false;
	struct inflight *in = &r->io[i];
	in->write = q->kind == KX_OP_DIO_WRITE;
	in->pos = q->off;
	in->len = q->len;
	if (base) {
		in->p = base + q->src_off;
	} else {
		if (q->len > r->cap[i]) {
			free(r->own[i]);
			r->cap[i] = (size_t)((q->len + KX_PAGE - 1) / KX_PAGE * KX_PAGE);
			if (posix_memalign((void **)&r->own[i], KX_PAGE, r->cap[i]))
				g_error("kexec: out of memory for a %" G_GUINT64_FORMAT "-byte buffer", q->len);
		}
		in->p = r->own[i];
		if (in->write)
			kx_fill(in->p, q->off, q->len, q->word);
	}
	/* A write from a Buffer or a mapping: its bytes now, what the check starts from
	 * (kexec_check.c: anybody storing into it until the completion adds alternatives). */
	if (in->write && base) {
		s->t_snap = kx_mono_ns();
		summarise(s, in->p, q->off, q->len);
	}
	if (q->fail_errno) {
		/* kx_test_fail_next: not submitted; it completes at once with the error. */
		s->t_start = s->t_end = kx_mono_ns();
		s->err = q->fail_errno;
		post(kx, q->ioslot);
		return 0;
	}
	const struct kx_file *f = kx->files->pdata[q->file];
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
	if (!sqe)
		return EBUSY;
	if (in->write)
		io_uring_prep_write(sqe, f->dfd, in->p, (unsigned)q->len, q->off);
	else
		io_uring_prep_read(sqe, f->dfd, in->p, (unsigned)q->len, q->off);
	sqe->user_data = i;
	s->t_start = kx_mono_ns();
	int n = io_uring_submit(&r->ring);
	if (n < 0)
		return -n;
	return n == 1 ? 0 : EAGAIN;
}

/* Every I/O has completed (the loop drained them before closing the doorbells). */
void kx_ring_free(struct kx_ring *r)
{
	if (!r)
		return;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
	if (sqe) {
		io_uring_prep_nop(sqe);
		sqe->user_data = QUIT;
		io_uring_submit(&r->ring);
		g_thread_join(r->reaper);
	}
	io_uring_queue_exit(&r->ring);
	for (unsigned i = 0; i < KX_IO_PER_TASK; i++)
		free(r->own[i]);
	g_free(r);
}

#else

int kx_ring_submit(struct kx_ring **rp, struct kx *kx, struct kx_task *t, const struct kx_req *q,
		   uint8_t *base)
{
	(void)rp;
	(void)kx;
	(void)t;
	(void)q;
	(void)base;
	return ENOSYS;          /* built without liburing */
}

void kx_ring_free(struct kx_ring *r)
{
	(void)r;
}

#endif
