/*
 * kexec_loop — kx_run: the one thread that resumes tasks.
 *
 * Tasks become ready when they start, when their sleep ends, when a key they wait on
 * is woken, and when their operation's worker posts its completion; the loop resumes
 * them one at a time, in that order, and otherwise sleeps in ppoll() on the completion
 * pipe, the helpers' pidfds and the next timer.  A completion is accounted here (its
 * latency, its counters, what it wrote or read) before the task sees its result.
 */
#include "linux/kexec_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

void kx_make_ready(struct kx *kx, struct kx_task *t)
{
	t->state = KX_T_READY;
	g_queue_push_tail(&kx->ready, t);
}

static gint timer_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
	(void)data;
	const struct kx_task *x = a, *y = b;
	if (x->deadline != y->deadline)
		return x->deadline < y->deadline ? -1 : 1;
	return x->timer_seq < y->timer_seq ? -1 : x->timer_seq > y->timer_seq;
}

void kx_timer_add(struct kx *kx, struct kx_task *t, int64_t deadline)
{
	t->deadline = deadline;
	t->timer_seq = kx->timer_seq++;
	t->state = KX_T_SLEEPING;
	t->timer = g_sequence_insert_sorted(kx->timers, t, timer_cmp, NULL);
}

static int64_t next_deadline(struct kx *kx)
{
	if (g_sequence_is_empty(kx->timers))
		return INT64_MAX;
	return ((struct kx_task *)g_sequence_get(g_sequence_get_begin_iter(kx->timers)))->deadline;
}

static void fire_timers(struct kx *kx, int64_t now)
{
	while (!g_sequence_is_empty(kx->timers)) {
		GSequenceIter *it = g_sequence_get_begin_iter(kx->timers);
		struct kx_task *t = g_sequence_get(it);
		if (t->deadline > now)
			break;
		g_sequence_remove(it);
		t->timer = NULL;
		kx_make_ready(kx, t);
	}
}

/* The task's request is in t->req; the slot is free (one op per task at a time). */
void kx_dispatch(struct kx_task *t, enum kx_opkind kind)
{
	struct kx *kx = t->kx;
	t->req.kind = kind;
	t->req.fail_errno = t->fail_next;
	t->fail_next = 0;
	kx_slot_of(kx, t)->req = t->req;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	t->dispatched = (int64_t)kx_now(kx);
	t->state = KX_T_INFLIGHT;
	kx->inflight++;
	uint32_t spinning = KX_BELL_SPINNING;
	if (__atomic_compare_exchange_n(&kx_slot_of(kx, t)->bell, &spinning, KX_BELL_RUNG, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		kx->rung++;
		return;                 /* its worker was looking: no need to wake it */
	}
	char c = 'o';
	ssize_t n;
	do
		n = send(t->bell[0], &c, 1, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		kx->inflight--;
		kx_fail(kx, "task '%s': its worker is gone (%s)", t->name, g_strerror(errno));
		t->state = KX_T_WAITING;
		t->wait_key = NULL;
	}
}

/* ---- completions ------------------------------------------------------------------- */

static const int op_latency_kind[KX_OP_NR] = {
	[KX_OP_NONE] = -1, [KX_OP_PWRITE] = OPK_WRITE, [KX_OP_PREAD] = OPK_READ,
	[KX_OP_STORE] = OPK_STORE, [KX_OP_LOAD] = OPK_READ, [KX_OP_FSYNC] = OPK_FSYNC,
	[KX_OP_MSYNC] = OPK_MSYNC, [KX_OP_SYNC_RANGE] = -1, [KX_OP_SYNC] = OPK_FSYNC,
	[KX_OP_DIO_WRITE] = OPK_DIO_WRITE, [KX_OP_DIO_READ] = OPK_READ, [KX_OP_PIN] = -1,
	[KX_OP_PIN_WRITE] = OPK_PIN_WRITE, [KX_OP_MUNMAP] = -1,
	/* Not timed into a histogram: the model times neither (README.md). */
	[KX_OP_BUF_STORE] = -1, [KX_OP_BUF_LOAD] = -1,
};

int kx_latency_kind(enum kx_opkind k)
{
	return op_latency_kind[k];
}

char *kx_describe_req(struct kx *kx, const struct kx_req *q)
{
	if (q->kind == KX_OP_SYNC)
		return g_strdup(kx_op_name(q->kind));
	if (q->kind == KX_OP_BUF_STORE || q->kind == KX_OP_BUF_LOAD)
		return g_strdup_printf("%s of %s at [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT ")",
				       kx_op_name(q->kind), kx_owner(kx, q->map.file)->name, q->off, q->len);
	const struct kx_file *f = kx->files->pdata[q->file];
	if (q->map.id != KX_NONE && q->kind != KX_OP_DIO_WRITE && q->kind != KX_OP_DIO_READ)
		return g_strdup_printf("%s of the mapping of file '%s' at [%" G_GUINT64_FORMAT ", +%"
				       G_GUINT64_FORMAT ")", kx_op_name(q->kind), f->name, q->off, q->len);
	return g_strdup_printf("%s of file '%s' at [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT ")",
			       kx_op_name(q->kind), f->name, q->off, q->len);
}

static void complete(struct kx *kx, struct kx_task *t)
{
	if (t->state != KX_T_INFLIGHT)
		return;                 /* abandoned when its process ended */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	struct kx_reply rep = kx_slot_of(kx, t)->rep;
	kx->inflight--;
	t->last_pid = rep.pid;
	t->last_addr = rep.addr;
	if (t->req.async) {
		/* Its result and latency come with its completion (kx_io_complete). */
		kx_io_submitted(kx, t, rep.err);
		return;
	}
	if (rep.err && rep.err != EIO) {
		/* Not a device error a scenario can be told about (nil, "EIO"): the run is
		 * wrong (no space, a refused O_DIRECT, ...) and stops, saying so. */
		char *what = kx_describe_req(kx, &t->req);
		kx_fail(kx, "task '%s': %s: %s", t->name, what,
			rep.err == KX_ESHORT ? "the transfer stopped short" : g_strerror(rep.err));
		g_free(what);
		t->state = KX_T_WAITING;
		t->wait_key = NULL;
		return;
	}
	int64_t start = rep.t_start - kx->t0, end = rep.t_end - kx->t0;
	int k = op_latency_kind[t->req.kind];
	if (k >= 0)
		metrics_latency(kx->m, (enum op_kind)k, (uint64_t)MAX(rep.t_end - rep.t_start, 0));
	if (rep.err) {
		t->result = -EIO;
		metrics_inc(kx->m, M_EIO_RETURNED);
	}
	struct kx_slot *s = kx_slot_of(kx, t);
	kx_account(kx, t->idx, t->op, &t->req, rep.err, rep.t_snap - kx->t0, start, end,
		   rep.t_after - kx->t0, s->runs, rep.nruns, rep.overflow);
	if (t->req.kind == KX_OP_PIN && !rep.err)
		t->result_pin = t->pin;
	kx_make_ready(kx, t);
}

static void read_completions(struct kx *kx)
{
	for (;;) {
		uint32_t msg[256];
		ssize_t r = read(kx->done[0], msg, sizeof(msg));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r / (ssize_t)sizeof(msg[0]); i++)
			if (msg[i] & KX_MSG_READY)
				continue;
			else if (msg[i] & KX_MSG_IO)
				kx_io_complete(kx, msg[i] & ~KX_MSG_IO);
			else if (msg[i] < kx->tasks->len)
				complete(kx, kx->tasks->pdata[msg[i]]);
	}
}

/* A helper ended while the run needed it: its tasks' operations will never finish. */
static void helper_ended(struct kx *kx, struct kx_proc *p)
{
	char *why = kx_reap_helper(kx, p);
	if (why)
		kx_fail(kx, "%s", why);
	g_free(why);
	for (guint i = 0; i < kx->tasks->len; i++) {
		struct kx_task *t = kx->tasks->pdata[i];
		if (t->proc == p && t->state == KX_T_INFLIGHT) {
			kx->inflight--;
			t->state = KX_T_WAITING;
			t->wait_key = NULL;
		}
	}
	kx_ios_abandon(kx, p);
}

/*
 * The busy wait of kx_set_spin: until a worker or the reaper posts something (the
 * shared word kx_posted bumps, so no system call is made to look) or until @wake,
 * for at most spin_ns.  True when it ends the wait: something was posted (and read),
 * or the timer is due.  A sleep longer than spin_ns sleeps in ppoll to spin_ns before
 * its end and spins the rest, so that timers fire on time without a core spent on
 * them.  sched_yield lets whatever else is runnable on this CPU run first (a worker,
 * a kworker of the writeback or of the loop device): the wait is cheap only when the
 * CPU is idle otherwise, and it must not take the CPU from the work it measures.
 */
static bool spin(struct kx *kx, int64_t wake)
{
	int64_t now = (int64_t)kx_now(kx);
	if (wake != INT64_MAX && wake - now > kx->spin_ns)
		return false;
	int64_t until = MIN(wake, now + kx->spin_ns);
	uint32_t seen = __atomic_load_n(kx->posted, __ATOMIC_ACQUIRE);
	for (;;) {
		if (__atomic_load_n(kx->posted, __ATOMIC_ACQUIRE) != seen) {
			read_completions(kx);
			kx_check_pending(kx, false);
			return true;
		}
		if (now >= until)
			return now >= wake;
		sched_yield();
		now = (int64_t)kx_now(kx);
	}
}

/* Sleep until something happens or @wake (ns since the start; INT64_MAX: no timer). */
static void wait_events(struct kx *kx, int64_t wake)
{
	if (kx->spin_ns > 0 && !kx->stopping) {
		if (spin(kx, wake))
			return;
		if (wake != INT64_MAX && wake - (int64_t)kx_now(kx) > kx->spin_ns)
			wake -= kx->spin_ns;    /* spin the last stretch (above) */
	}
	guint np = kx->procs->len;
	struct pollfd *fds = g_newa(struct pollfd, np + 1);
	struct kx_proc **who = g_newa(struct kx_proc *, np + 1);
	nfds_t n = 0;
	fds[n++] = (struct pollfd){ .fd = kx->done[0], .events = POLLIN };
	for (guint i = 0; i < np; i++) {
		struct kx_proc *p = kx->procs->pdata[i];
		if (p->pidfd >= 0) {
			who[n] = p;
			fds[n++] = (struct pollfd){ .fd = p->pidfd, .events = POLLIN };
		}
	}
	struct timespec ts, *tsp = NULL;
	if (wake != INT64_MAX) {
		int64_t d = MAX(wake - (int64_t)kx_now(kx), 0);
		ts.tv_sec = d / 1000000000;
		ts.tv_nsec = d % 1000000000;
		tsp = &ts;
	}
	if (ppoll(fds, n, tsp, NULL) <= 0)
		return;
	/* Completions first: a helper's last ones are in the pipe before it ends. */
	if (fds[0].revents & POLLIN)
		read_completions(kx);
	for (nfds_t i = 1; i < n; i++)
		if (fds[i].revents)
			helper_ended(kx, who[i]);
	kx_check_pending(kx, false);
}

void kx_loop_drain(struct kx *kx)
{
	fcntl(kx->done[0], F_SETFL, fcntl(kx->done[0], F_GETFL) | O_NONBLOCK);
	while (kx->inflight > 0)
		wait_events(kx, INT64_MAX);
}

/* ---- the loop ------------------------------------------------------------------------- */

static void run_ready(struct kx *kx)
{
	struct kx_task *t;
	while (!kx->stop && !kx->stopping && (t = g_queue_pop_head(&kx->ready))) {
		if (t->state != KX_T_READY)
			continue;
		t->state = KX_T_RUNNING;
		kx->hooks.resume(t);
		if (t->state == KX_T_RUNNING) {
			/* Returning without an operation is how a driver that called kx_stop
			 * leaves a task; otherwise the task would never be resumed again. */
			if (!kx->stop)
				kx_fail(kx, "task '%s': resume() returned without an operation or "
					"kx_exit()", t->name);
			t->state = KX_T_WAITING;
			t->wait_key = NULL;
		}
	}
}

void kx_stop(struct kx *kx)
{
	kx->stop = true;
}

enum kx_end kx_run(struct kx *kx, uint64_t duration_ns, GError **err)
{
	g_return_val_if_fail(kx->started && !kx->finished && !kx->running && !kx->t0, KX_END_ERROR);
	kx->running = true;
	fcntl(kx->done[0], F_SETFL, fcntl(kx->done[0], F_GETFL) | O_NONBLOCK);
	/* Sleeps of microseconds must not be rounded up to the default 50 us slack. */
	int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
	kx->t0 = kx_mono_ns();
	kx->live = kx->tasks->len;
	for (guint i = 0; i < kx->tasks->len; i++) {
		struct kx_task *t = kx->tasks->pdata[i];
		if (t->start_ns)
			kx_timer_add(kx, t, (int64_t)MIN(t->start_ns, (uint64_t)INT64_MAX / 2));
		else
			kx_make_ready(kx, t);
	}
	int64_t limit = duration_ns ? (int64_t)MIN(duration_ns, (uint64_t)INT64_MAX / 2) : INT64_MAX;
	enum kx_end end = KX_END_IDLE;
	for (;;) {
		run_ready(kx);
		if (!kx->stopping) {
			if (kx->stop) {
				kx->stopping = true;
				end = KX_END_STOPPED;
			} else if ((int64_t)kx_now(kx) >= limit) {
				kx->stopping = true;
				end = KX_END_DURATION;
			} else if (kx->live == 0) {
				break;
			} else if (!kx->inflight && g_queue_is_empty(&kx->ready) &&
				   g_sequence_is_empty(kx->timers)) {
				end = KX_END_DEADLOCK;
				break;
			}
		}
		if (kx->stopping && !kx->inflight)
			break;
		if (!kx->stopping && !g_queue_is_empty(&kx->ready))
			continue;
		wait_events(kx, kx->stopping ? INT64_MAX : MIN(limit, next_deadline(kx)));
		if (!kx->stopping)
			fire_timers(kx, (int64_t)kx_now(kx));
	}
	if (kx->error)
		end = KX_END_ERROR;
	kx_check_pending(kx, kx->inflight == 0);
	kx->m->c[M_SIM_TIME] = kx_now(kx);
	prctl(PR_SET_TIMERSLACK, slack > 0 ? slack : 0, 0, 0, 0);
	kx->running = false;
	if (end == KX_END_ERROR)
		g_set_error_literal(err, KX_ERROR, 0, kx->error->message);
	return end;
}
