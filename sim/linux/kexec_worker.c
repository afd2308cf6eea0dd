/*
 * kexec_worker — one task's worker thread: it performs each operation the loop hands
 * it and times the system call(s) alone.  Everything around them (filling a buffer
 * with the op's pattern before a write, summarising what a read returned after it)
 * is outside the timed interval, and the interval is also what the data check takes
 * as "when the op happened": its effect on the file lies inside it.
 *
 * The table of what each operation becomes is in README.md; the choices that are not
 * obvious are commented where they are made.
 */
#include "linux/kexec_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

struct kx_worker {
	struct kx *kx;                  /* the calling process's, or a helper's copy of it */
	struct kx_task *t;
	struct kx_slot *slot;
	struct kx_space *sp;
	uint8_t *buf;                   /* page aligned, so O_DIRECT can use it */
	size_t cap;
	int scratch;                    /* pin:write's source file, O_DIRECT */
	struct kx_ring *ring;           /* asynchronous direct I/O (kexec_uring.c) */
	pid_t pid;                      /* the process it runs in, read once: not a call per op */
};

struct kx_worker *kx_worker_new(struct kx *kx, struct kx_task *t, struct kx_space *sp)
{
	struct kx_worker *w = g_new0(struct kx_worker, 1);
	w->kx = kx;
	w->t = t;
	w->slot = kx_slot_of(kx, t);
	w->sp = sp;
	w->scratch = -1;
	return w;
}

static uint8_t *buffer(struct kx_worker *w, uint64_t len)
{
	if (len > w->cap) {
		free(w->buf);
		size_t cap = (size_t)((len + KX_PAGE - 1) / KX_PAGE * KX_PAGE);
		if (posix_memalign((void **)&w->buf, KX_PAGE, cap))
			g_error("kexec: out of memory for a %" G_GUINT64_FORMAT "-byte buffer", len);
		w->cap = cap;
	}
	return w->buf;
}

/* pread/pwrite until done: regular files transfer everything unless something failed. */
static int transfer(bool write, int fd, void *buf, uint64_t len, uint64_t off)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = write ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return KX_ESHORT;
		p += n;
		len -= (uint64_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static void summarise(struct kx_worker *w, const void *src, uint64_t pos, uint64_t len)
{
	struct kx_reply *r = &w->slot->rep;
	r->overflow = !kx_summarise(src, pos, len, w->slot->runs, KX_SLOT_RUNS, &r->nruns);
	if (r->overflow)
		r->nruns = 0;
}

static uint8_t *map_base(struct kx_worker *w, const struct kx_req *q)
{
	uintptr_t a = kx_space_addr(w->sp, w->kx, &q->map);
	w->slot->rep.addr = a;
	return (uint8_t *)a;
}

#define TIMED(r, expr) do { (r)->t_start = kx_mono_ns(); (r)->err = (expr); \
			    (r)->t_end = kx_mono_ns(); } while (0)

static int errno_of(int ret)
{
	return ret < 0 ? errno : 0;
}

/*
 * pin:write.  User space cannot keep a get_user_pages pin between calls, so each write
 * through a pin is one O_DIRECT read from a scratch file into the pinned range: for
 * the length of that call the kernel pins the mapping's pages (FOLL_WRITE, faulting
 * them writable) and the "device" writes into them, which is what a pin holder does.
 * The scratch file gets the op's pattern with an O_DIRECT write first, outside the
 * timed interval, so the read finds nothing cached to flush.
 */
static int pin_write(struct kx_worker *w, const struct kx_req *q, uint8_t *dst, uint64_t pos)
{
	struct kx_reply *r = &w->slot->rep;
	if (w->scratch < 0) {
		char *path = kx_scratch_path(w->kx, w->t->idx);
		w->scratch = open(path, O_RDWR | O_CREAT | O_DIRECT | O_CLOEXEC, 0600);
		g_free(path);
		if (w->scratch < 0)
			return errno;
	}
	uint8_t *b = buffer(w, q->len);
	kx_fill(b, pos, q->len, q->word);
	int e = transfer(true, w->scratch, b, q->len, 0);
	if (e)
		return e;
	TIMED(r, transfer(false, w->scratch, dst, q->len, 0));
	return r->err;
}

static void perform(struct kx_worker *w)
{
	const struct kx_req *q = &w->slot->req;
	struct kx_reply *r = &w->slot->rep;
	memset(r, 0, sizeof(*r));
	r->pid = w->pid;
	if (q->fail_errno && !q->async) {
		r->t_start = r->t_end = kx_mono_ns();
		r->err = q->fail_errno;
		return;
	}
	const struct kx_file *f = q->file == KX_NONE ? NULL : w->kx->files->pdata[q->file];
	uint8_t *base = NULL;
	if (q->map.id != KX_NONE && q->kind != KX_OP_MUNMAP) {
		base = map_base(w, q);
		if (!base) {
			r->err = errno;
			return;
		}
	}
	if (q->async) {
		/* Submitted and replied to at once; the reaper posts the completion. */
		r->t_start = kx_mono_ns();
		r->err = kx_ring_submit(&w->ring, w->kx, w->t, q, base);
		r->t_end = kx_mono_ns();
		return;
	}
	switch (q->kind) {
	case KX_OP_PWRITE: {
		uint8_t *b = buffer(w, q->len);
		kx_fill(b, q->off, q->len, q->word);
		TIMED(r, transfer(true, f->fd, b, q->len, q->off));
		break;
	}
	case KX_OP_PREAD: {
		uint8_t *b = buffer(w, q->len);
		TIMED(r, transfer(false, f->fd, b, q->len, q->off));
		if (!r->err)
			summarise(w, b, q->off, q->len);
		break;
	}
	case KX_OP_STORE:
		/* The stores themselves: faults, page_mkwrite and any wait for writeback
		 * happen inside them. */
		r->t_start = kx_mono_ns();
		kx_fill(base + q->off, q->map.off + q->off, q->len, q->word);
		r->t_end = kx_mono_ns();
		break;
	case KX_OP_LOAD: {
		uint8_t *b = buffer(w, q->len);
		r->t_start = kx_mono_ns();
		memcpy(b, base + q->off, q->len);
		r->t_end = kx_mono_ns();
		summarise(w, b, q->map.off + q->off, q->len);
		break;
	}
	case KX_OP_FSYNC:
		TIMED(r, errno_of(q->flags ? fdatasync(f->fd) : fsync(f->fd)));
		break;
	case KX_OP_MSYNC: {
		uintptr_t a = (uintptr_t)(base + q->off) & ~(uintptr_t)(KX_PAGE - 1);
		uintptr_t e = (uintptr_t)(base + q->off + q->len);
		TIMED(r, errno_of(msync((void *)a, e - a, MS_SYNC)));
		break;
	}
	case KX_OP_SYNC_RANGE:
		TIMED(r, errno_of(sync_file_range(f->fd, (off_t)q->off, (off_t)q->len, q->flags)));
		break;
	case KX_OP_SYNC:
		/* syncfs, not sync: the scenario's "every file" is every file of the run's
		 * filesystem, and sync(2) would also wait for every other disk's data. */
		TIMED(r, errno_of(syncfs(w->kx->dirfd)));
		break;
	case KX_OP_DIO_WRITE:
		if (base) {
			/* The source's bytes are what lands: read them just before (the data
			 * check needs them; anybody changing them during the call is found
			 * from the history), then hand the mapping itself to the kernel, which
			 * pins its pages for the call. */
			uint8_t *src = base + q->src_off;
			r->t_snap = kx_mono_ns();
			summarise(w, src, q->off, q->len);
			TIMED(r, transfer(true, f->dfd, src, q->len, q->off));
		} else {
			uint8_t *b = buffer(w, q->len);
			kx_fill(b, q->off, q->len, q->word);
			TIMED(r, transfer(true, f->dfd, b, q->len, q->off));
		}
		break;
	case KX_OP_DIO_READ: {
		if (base) {
			/* Into a Buffer: the kernel pins its pages for the call and the device
			 * writes into them; what they hold is summarised after, outside the
			 * timing (t_after says until when a store of another task could mix in). */
			uint8_t *dst = base + q->src_off;
			TIMED(r, transfer(false, f->dfd, dst, q->len, q->off));
			if (!r->err)
				summarise(w, dst, q->off, q->len);
			r->t_after = kx_mono_ns();
			break;
		}
		uint8_t *b = buffer(w, q->len);
		TIMED(r, transfer(false, f->dfd, b, q->len, q->off));
		if (!r->err)
			summarise(w, b, q->off, q->len);
		break;
	}
	case KX_OP_PIN: {
		/* get_user_pages(FOLL_WRITE) faults the pages in writable (page_mkwrite, and
		 * with stable pages a wait for writeback) without touching their bytes:
		 * MADV_POPULATE_WRITE is that fault-in path, minus the pin. */
		uintptr_t a = (uintptr_t)(base + q->off) & ~(uintptr_t)(KX_PAGE - 1);
		uintptr_t e = ((uintptr_t)(base + q->off + q->len) + KX_PAGE - 1) & ~(uintptr_t)(KX_PAGE - 1);
		TIMED(r, errno_of(madvise((void *)a, e - a, MADV_POPULATE_WRITE)));
		break;
	}
	case KX_OP_PIN_WRITE:
		r->err = pin_write(w, q, base + q->off, q->map.off + q->off);
		break;
	case KX_OP_BUF_STORE:
		/* Anonymous memory: nothing to wait for but a first-touch fault. */
		r->t_start = kx_mono_ns();
		kx_fill(base + q->off, q->off, q->len, q->word);
		r->t_end = kx_mono_ns();
		break;
	case KX_OP_BUF_LOAD: {
		uint8_t *b = buffer(w, q->len);
		r->t_start = kx_mono_ns();
		memcpy(b, base + q->off, q->len);
		r->t_end = kx_mono_ns();
		summarise(w, b, q->off, q->len);
		break;
	}
	case KX_OP_MUNMAP:
		r->addr = kx_space_lookup(w->sp, q->map.id);
		TIMED(r, kx_space_unmap(w->sp, q->map.id));
		break;
	case KX_OP_NONE:
	case KX_OP_NR:
		r->err = EINVAL;
		break;
	}
}

/*
 * After an op, with the loop busy-waiting (kx_set_spin), look for the next one for as
 * long as the loop would wait (yielding the CPU to anything runnable): true when the
 * loop rang in the meantime, false when the worker is to sleep on its doorbell.  The
 * bell says KX_BELL_SPINNING from before the op's completion is posted, so that the
 * loop, resuming the task at once, finds it so.
 */
static bool spin_for_next(struct kx_worker *w)
{
	uint32_t *bell = &w->slot->bell;
	int64_t until = kx_mono_ns() + w->kx->spin_ns;
	do {
		if (__atomic_load_n(bell, __ATOMIC_ACQUIRE) == KX_BELL_RUNG)
			break;
		sched_yield();
	} while (kx_mono_ns() < until);
	uint32_t spinning = KX_BELL_SPINNING;
	if (__atomic_compare_exchange_n(bell, &spinning, KX_BELL_IDLE, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return false;           /* not rung: the loop will send */
	__atomic_store_n(bell, KX_BELL_IDLE, __ATOMIC_RELAXED);
	return true;
}

gpointer kx_worker_main(gpointer data)
{
	struct kx_worker *w = data;
	int bell = w->t->bell[1];
	int done = w->kx->done[1];
	bool rung = false;
	w->pid = getpid();
	for (;;) {
		if (!rung) {
			char c;
			ssize_t n = recv(bell, &c, 1, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;  /* the loop closed its end: quit */
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		perform(w);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		uint32_t msg = w->t->idx;
		if (w->kx->spin_ns > 0)
			__atomic_store_n(&w->slot->bell, KX_BELL_SPINNING, __ATOMIC_RELAXED);
		while (write(done, &msg, sizeof(msg)) < 0 && errno == EINTR)
			;
		kx_posted(w->kx);
		rung = w->kx->spin_ns > 0 && spin_for_next(w);
	}
	kx_ring_free(w->ring);
	if (w->scratch >= 0)
		close(w->scratch);
	free(w->buf);
	g_free(w);
	return NULL;
}
