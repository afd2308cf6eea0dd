/*
 * kexec_spawn — starting and ending the workers.
 *
 * Every declared process becomes a helper process forked before any thread exists
 * (a forked copy of a multithreaded process may inherit a lock some other thread
 * held), so the order in kx_start is: shared slots and descriptors, the forks, and
 * only then the threads.  A helper maps its own mappings, starts one worker thread per
 * task of its process and waits for them; it dies with the process that forked it
 * (PR_SET_PDEATHSIG), so a killed run leaves no helper behind.
 *
 * The doorbells are the quit signal too: when the loop closes its end of a task's
 * socket, the worker's next receive sees end-of-file and the worker returns.
 */
#include "linux/kexec_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- a process's mappings ------------------------------------------------------------ */

struct kx_space {
	GMutex lock;
	GHashTable *maps;               /* id + 1 -> struct space_map * */
};

struct space_map {
	void *addr;
	uint64_t size;
};

static void space_map_free(gpointer p)
{
	struct space_map *m = p;
	munmap(m->addr, m->size);
	g_free(m);
}

static struct kx_space *space_new(void)
{
	struct kx_space *sp = g_new0(struct kx_space, 1);
	g_mutex_init(&sp->lock);
	sp->maps = g_hash_table_new_full(NULL, NULL, NULL, space_map_free);
	return sp;
}

static void space_free(struct kx_space *sp)
{
	if (!sp)
		return;
	g_hash_table_destroy(sp->maps);
	g_mutex_clear(&sp->lock);
	g_free(sp);
}

uintptr_t kx_space_lookup(struct kx_space *sp, uint32_t id)
{
	g_mutex_lock(&sp->lock);
	struct space_map *m = g_hash_table_lookup(sp->maps, GUINT_TO_POINTER(id + 1));
	g_mutex_unlock(&sp->lock);
	return m ? (uintptr_t)m->addr : 0;
}

uintptr_t kx_space_addr(struct kx_space *sp, struct kx *kx, const struct kx_mapgeo *g)
{
	g_mutex_lock(&sp->lock);
	struct space_map *m = g_hash_table_lookup(sp->maps, GUINT_TO_POINTER(g->id + 1));
	if (!m) {
		/* A Buffer: anonymous private memory, page aligned (O_DIRECT can use it). */
		void *a = g->file & KX_BUFREC
			? mmap(NULL, g->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
			: mmap(NULL, g->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			       ((const struct kx_file *)kx->files->pdata[g->file])->fd, (off_t)g->off);
		if (a != MAP_FAILED) {
			m = g_new(struct space_map, 1);
			m->addr = a;
			m->size = g->size;
			g_hash_table_insert(sp->maps, GUINT_TO_POINTER(g->id + 1), m);
		}
	}
	g_mutex_unlock(&sp->lock);
	return m ? (uintptr_t)m->addr : 0;
}

/* A mapping made after kx_start that no operation used was never mapped here:
 * unmapping it is then a no-op, as munmap of an unmapped range is. */
int kx_space_unmap(struct kx_space *sp, uint32_t id)
{
	g_mutex_lock(&sp->lock);
	g_hash_table_remove(sp->maps, GUINT_TO_POINTER(id + 1));
	g_mutex_unlock(&sp->lock);
	return 0;
}

static struct kx_mapgeo geo_of(const struct kx_map *m)
{
	return (struct kx_mapgeo){ m->id, m->file->idx, m->off, m->size };
}

/* ---- threads ------------------------------------------------------------------------- */

/* Worker threads take no signals: the thread that runs the loop decides what a ^C means. */
static bool start_workers(struct kx *kx, struct kx_proc *p, struct kx_space *sp, GError **err)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	bool ok = true;
	for (guint i = 0; ok && i < kx->tasks->len; i++) {
		struct kx_task *t = kx->tasks->pdata[i];
		if (t->proc != p)
			continue;
		t->thread = g_thread_try_new(t->name, kx_worker_main, kx_worker_new(kx, t, sp), err);
		ok = t->thread != NULL;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ok;
}

static void join_workers(struct kx *kx, struct kx_proc *p)
{
	for (guint i = 0; i < kx->tasks->len; i++) {
		struct kx_task *t = kx->tasks->pdata[i];
		if (t->proc == p && t->thread) {
			g_thread_join(t->thread);
			t->thread = NULL;
		}
	}
}

static bool map_own(struct kx *kx, struct kx_proc *p, struct kx_space *sp, char *msg, size_t len)
{
	for (guint i = 0; i < kx->maps->len; i++) {
		struct kx_map *m = kx->maps->pdata[i];
		if (m->proc != p)
			continue;
		struct kx_mapgeo g = geo_of(m);
		if (!kx_space_addr(sp, kx, &g)) {
			snprintf(msg, len, "mmap of file '%s' [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT
				 ") in process '%s': %s", m->file->name, m->off, m->size,
				 p ? p->name : "main", g_strerror(errno));
			return false;
		}
	}
	for (guint i = 0; i < kx->bufs->len; i++) {
		struct kx_buf *b = kx->bufs->pdata[i];
		struct kx_mapgeo g = { b->shell.idx, b->shell.idx, 0, b->size };
		if (b->proc == p && !kx_space_addr(sp, kx, &g)) {
			snprintf(msg, len, "%s: %" G_GUINT64_FORMAT " bytes of anonymous memory: %s",
				 b->shell.name, b->size, g_strerror(errno));
			return false;
		}
	}
	return true;
}

/* ---- a helper process --------------------------------------------------------------------- */

static G_GNUC_NORETURN void helper_main(struct kx *kx, struct kx_proc *p)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != kx->parent)
		_exit(1);
	/* The loop decides when we end; a ^C to the process group must not kill us with
	 * operations half done while it still waits for them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	char name[16];
	snprintf(name, sizeof(name), "kx:%s", p->name);
	prctl(PR_SET_NAME, name);
	/* Keep only our own doorbells: a copy of the loop's end would stop the end-of-file
	 * that tells our workers to quit. */
	close(kx->done[0]);
	for (guint i = 0; i < kx->procs->len; i++) {
		struct kx_proc *o = kx->procs->pdata[i];
		if (o->pidfd >= 0)
			close(o->pidfd);
	}
	for (guint i = 0; i < kx->tasks->len; i++) {
		struct kx_task *t = kx->tasks->pdata[i];
		close(t->bell[0]);
		if (t->proc != p)
			close(t->bell[1]);
	}
	struct kx_space *sp = space_new();
	char *msg = kx->pstat[p->idx].msg;
	if (!map_own(kx, p, sp, msg, sizeof(kx->pstat[p->idx].msg)))
		_exit(1);
	GError *err = NULL;
	if (!start_workers(kx, p, sp, &err)) {
		snprintf(msg, sizeof(kx->pstat[p->idx].msg), "process '%s': %s", p->name, err->message);
		_exit(1);
	}
	uint32_t ready = KX_MSG_READY | p->idx;
	if (write(kx->done[1], &ready, sizeof(ready)) != sizeof(ready))
		_exit(1);
	join_workers(kx, p);
	space_free(sp);
	_exit(0);
}

static char *describe_status(int st)
{
	if (WIFEXITED(st))
		return g_strdup_printf("exit status %d", WEXITSTATUS(st));
	if (WIFSIGNALED(st))
		return g_strdup_printf("killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
	return g_strdup("ended");
}

/* A helper has ended (its pidfd became readable): reap it and say why if it was early. */
char *kx_reap_helper(struct kx *kx, struct kx_proc *p)
{
	int st = 0;
	if (p->reaped || waitpid(p->pid, &st, 0) != p->pid)
		return NULL;
	p->reaped = true;
	close(p->pidfd);
	p->pidfd = -1;
	char *how = describe_status(st);
	const char *msg = kx->pstat[p->idx].msg;
	char *r = g_strdup_printf("process '%s' (pid %d) ended: %s%s%s", p->name, (int)p->pid, how,
				  *msg ? ": " : "", msg);
	g_free(how);
	return r;
}

/* Wait until every helper said it is ready, or one ended. */
static bool await_helpers(struct kx *kx, GError **err)
{
	guint want = kx->procs->len, have = 0;
	for (guint i = 0; i < want; i++)
		have += ((struct kx_proc *)kx->procs->pdata[i])->ready;
	struct pollfd *fds = g_new(struct pollfd, want + 1);
	bool ok = true;
	while (ok && have < want) {
		fds[0] = (struct pollfd){ .fd = kx->done[0], .events = POLLIN };
		for (guint i = 0; i < want; i++)
			fds[i + 1] = (struct pollfd){ .fd = ((struct kx_proc *)kx->procs->pdata[i])->pidfd,
						      .events = POLLIN };
		if (poll(fds, want + 1, 30000) <= 0) {
			if (errno == EINTR)
				continue;
			g_set_error(err, KX_ERROR, 0, "the helper processes did not start within 30 s");
			ok = false;
			break;
		}
		if (fds[0].revents & POLLIN) {
			uint32_t msg[64];
			ssize_t r = read(kx->done[0], msg, sizeof(msg));
			for (ssize_t i = 0; i < r / 4; i++)
				if ((msg[i] & KX_MSG_READY) && !((struct kx_proc *)kx->procs->pdata[msg[i] & ~KX_MSG_READY])->ready) {
					((struct kx_proc *)kx->procs->pdata[msg[i] & ~KX_MSG_READY])->ready = true;
					have++;
				}
		}
		for (guint i = 0; ok && i < want; i++) {
			struct kx_proc *p = kx->procs->pdata[i];
			if ((fds[i + 1].revents & (POLLIN | POLLHUP)) && !p->ready) {
				char *why = kx_reap_helper(kx, p);
				g_set_error(err, KX_ERROR, 0, "%s", why ? why : "a helper process ended");
				g_free(why);
				ok = false;
			}
		}
	}
	g_free(fds);
	return ok;
}

static bool has_tasks(struct kx *kx, struct kx_proc *p)
{
	for (guint i = 0; i < kx->tasks->len; i++)
		if (((struct kx_task *)kx->tasks->pdata[i])->proc == p)
			return true;
	return false;
}

/* A process without tasks gets no helper: nothing could use its mappings (a mapping
 * is used by its own process's tasks only), and a helper ends when its workers do. */
static bool fork_helpers(struct kx *kx, GError **err)
{
	for (guint i = 0; i < kx->procs->len; i++) {
		struct kx_proc *p = kx->procs->pdata[i];
		if (!has_tasks(kx, p)) {
			p->ready = true;
			continue;
		}
		pid_t pid = fork();
		if (pid < 0) {
			g_set_error(err, KX_ERROR, 0, "fork for process '%s': %s", p->name, g_strerror(errno));
			return false;
		}
		if (pid == 0)
			helper_main(kx, p);
		p->pid = pid;
		p->pidfd = pidfd_open(pid, 0);
		if (p->pidfd < 0) {
			g_set_error(err, KX_ERROR, 0, "pidfd_open: %s", g_strerror(errno));
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			p->reaped = true;
			return false;
		}
	}
	return true;
}

bool kx_start(struct kx *kx, GError **err)
{
	g_return_val_if_fail(kx->prepared && !kx->started, FALSE);
	kx->dirfd = open(kx->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (kx->dirfd < 0) {
		g_set_error(err, KX_ERROR, 0, "%s: %s", kx->dir, g_strerror(errno));
		return false;
	}
	if (!kx_files_open(kx, err)) {
		close(kx->dirfd);
		kx->dirfd = -1;
		return false;
	}
	kx->started = true;             /* from here on kx_finish undoes what was done */
	size_t slots = kx->tasks->len * sizeof(struct kx_slot);
	size_t pstat = kx->procs->len * sizeof(struct kx_pstat);
	/* The loop's busy wait watches one word (kx->posted), on a cache line of its own
	 * before the slots. */
	size_t bytes = KX_POSTED_BYTES + slots + pstat +
		       kx->tasks->len * KX_IO_PER_TASK * sizeof(struct kx_ioslot);
	kx->shared_bytes = MAX((size_t)KX_PAGE, (bytes + KX_PAGE - 1) / KX_PAGE * KX_PAGE);
	void *shared = mmap(NULL, kx->shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		g_set_error(err, KX_ERROR, 0, "shared memory for %u tasks: %s", kx->tasks->len,
			    g_strerror(errno));
		kx->shared_bytes = 0;
		return false;
	}
	kx->posted = shared;
	shared = (char *)shared + KX_POSTED_BYTES;
	kx->slots = shared;
	kx->pstat = (struct kx_pstat *)((char *)shared + slots);
	kx->ioslots = (struct kx_ioslot *)((char *)shared + slots + pstat);
	kx->io_by_slot = g_new0(struct kx_io *, kx->tasks->len * KX_IO_PER_TASK);
	if (pipe2(kx->done, O_CLOEXEC) < 0) {
		g_set_error(err, KX_ERROR, 0, "pipe: %s", g_strerror(errno));
		return false;
	}
	for (guint i = 0; i < kx->tasks->len; i++) {
		struct kx_task *t = kx->tasks->pdata[i];
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, t->bell) < 0) {
			g_set_error(err, KX_ERROR, 0, "socketpair: %s", g_strerror(errno));
			t->bell[0] = t->bell[1] = -1;
			return false;
		}
	}
	kx->parent = getpid();
	if (!fork_helpers(kx, err))
		return false;
	/* The helpers' workers own the other ends of their doorbells now. */
	for (guint i = 0; i < kx->tasks->len; i++) {
		struct kx_task *t = kx->tasks->pdata[i];
		if (t->proc) {
			close(t->bell[1]);
			t->bell[1] = -1;
		}
	}
	kx->local = space_new();
	char msg[256];
	if (!map_own(kx, NULL, kx->local, msg, sizeof(msg))) {
		g_set_error(err, KX_ERROR, 0, "%s", msg);
		return false;
	}
	if (!start_workers(kx, NULL, kx->local, err))
		return false;
	return await_helpers(kx, err);
}

void kx_finish(struct kx *kx)
{
	if (!kx->started || kx->finished)
		return;
	kx->finished = true;
	if (kx->done[0] >= 0)
		kx_loop_drain(kx);
	for (guint i = 0; i < kx->tasks->len; i++) {
		struct kx_task *t = kx->tasks->pdata[i];
		if (t->bell[0] >= 0)
			close(t->bell[0]);
		t->bell[0] = -1;
	}
	join_workers(kx, NULL);
	for (guint i = 0; i < kx->tasks->len; i++) {
		struct kx_task *t = kx->tasks->pdata[i];
		if (t->bell[1] >= 0)
			close(t->bell[1]);
		t->bell[1] = -1;
	}
	for (guint i = 0; i < kx->procs->len; i++) {
		struct kx_proc *p = kx->procs->pdata[i];
		if (p->pid > 0 && !p->reaped)
			g_free(kx_reap_helper(kx, p));
	}
	space_free(kx->local);
	kx->local = NULL;
	kx_check_pending(kx, true);
	kx_files_snapshot_cache(kx);
	kx_files_close(kx);
	if (kx->dirfd >= 0)
		close(kx->dirfd);
	kx->dirfd = -1;
	for (int i = 0; i < 2; i++)
		if (kx->done[i] >= 0)
			close(kx->done[i]);
	kx->done[0] = kx->done[1] = -1;
	if (kx->shared_bytes)
		munmap(kx->posted, kx->shared_bytes);
	kx->posted = NULL;
	kx->slots = NULL;
	kx->pstat = NULL;
	kx->ioslots = NULL;
	kx->shared_bytes = 0;
}
