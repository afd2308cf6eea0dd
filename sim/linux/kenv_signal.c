/*
 * kenv_signal — runs still up when the process is interrupted or exits.
 *
 * Live runs sit in a small fixed table of atomic pointers, the one structure a
 * signal handler may walk.  On SIGINT, SIGTERM or SIGHUP the handler takes each
 * run out of the table and undoes it with system calls only, then hands the
 * signal to whatever handled it before (by default: the process dies of it, as
 * the sender meant).  An atexit hook does the same for a program that returns
 * from main with a run still up.  A run whose owner is SIGKILLed is left to the
 * reaper of the next setup (kenv_owner.c).
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "linux/kenv_int.h"

#define MAX_LIVE 16

static _Atomic(struct kenv *) live[MAX_LIVE];
static const int handled[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction previous[G_N_ELEMENTS(handled)];

void kenv_teardown_raw(struct kenv *e)
{
	if (atomic_exchange(&e->torn, true))
		return;
	/* Trace instance first: it may live in our own tracefs mount. */
	if (e->trace_instance[0])
		rmdir(e->trace_instance);
	kenv_sysctl_restore_raw(e);
	kenv_fs_umount_raw(e);
	kenv_loop_detach_raw(e);
	/* Only the names this run made, never a recursive removal. */
	unlink(e->image);
	if (e->mnt[0])
		rmdir(e->mnt);
	if (e->rundir[0]) {
		char dir[PATH_MAX + 16];
		size_t n = strlen(e->rundir);
		memcpy(dir, e->rundir, n);
		memcpy(dir + n, "/tracefs", sizeof "/tracefs");
		rmdir(dir);
	}
	unlink(e->sysctl_file);
	unlink(e->owner_file);
	rmdir(e->rundir);
}

static void teardown_all(void)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		struct kenv *e = atomic_exchange(&live[i], NULL);
		if (e)
			kenv_teardown_raw(e);
	}
}

static void on_signal(int sig, siginfo_t *info, void *uctx)
{
	int saved_errno = errno;
	teardown_all();
	for (size_t i = 0; i < G_N_ELEMENTS(handled); i++) {
		if (handled[i] != sig)
			continue;
		struct sigaction *old = &previous[i];
		if (old->sa_flags & SA_SIGINFO) {
			if (old->sa_sigaction)
				old->sa_sigaction(sig, info, uctx);
		} else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
			old->sa_handler(sig);
		} else {
			/* Pending until this handler returns, then fatal as intended. */
			sigaction(sig, old, NULL);
			raise(sig);
		}
	}
	errno = saved_errno;
}

static void install_once(void)
{
	static gsize done;
	if (!g_once_init_enter(&done))
		return;
	for (size_t i = 0; i < G_N_ELEMENTS(handled); i++) {
		struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };
		sigemptyset(&sa.sa_mask);
		for (size_t j = 0; j < G_N_ELEMENTS(handled); j++)
			sigaddset(&sa.sa_mask, handled[j]);
		if (sigaction(handled[i], NULL, &previous[i]) != 0)
			continue;
		/* A signal somebody chose to ignore (nohup) stays ignored. */
		if (!(previous[i].sa_flags & SA_SIGINFO) && previous[i].sa_handler == SIG_IGN)
			continue;
		sigaction(handled[i], &sa, NULL);
	}
	atexit(teardown_all);
	g_once_init_leave(&done, 1);
}

void kenv_live_add(struct kenv *e)
{
	install_once();
	for (int i = 0; i < MAX_LIVE; i++) {
		struct kenv *expected = NULL;
		if (atomic_compare_exchange_strong(&live[i], &expected, e))
			return;
	}
	/* More than MAX_LIVE runs at once in one process: this one relies on
	 * kenv_teardown() and on the reaper. */
}

void kenv_live_remove(struct kenv *e)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		struct kenv *expected = e;
		if (atomic_compare_exchange_strong(&live[i], &expected, NULL))
			return;
	}
}
