/*
 * kexec_util.h — scaffolding for the kernel executor's tests: a private directory under
 * /var/tmp, and tasks driven by small scripts of steps (each step one operation).
 *
 * Op ids, which the tests reason about to know which pattern a byte must carry, are
 * handed out in order: each file's initial content first (1, 2, ... in declaration
 * order, by kx_prepare), then every writing op (pwrite, store, dio_write, pin:write)
 * in the order it is issued.
 */
#ifndef WBSIM_KEXEC_UTIL_H
#define WBSIM_KEXEC_UTIL_H

#include "linux/kexec_priv.h"
#include "wbtest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

static char kt_base[64];

/* Unchecked fixture: runs in the parent, before the test processes fork. */
static G_GNUC_UNUSED void kt_base_setup(void)
{
	g_strlcpy(kt_base, "/var/tmp/wbsim-kexec-XXXXXX", sizeof(kt_base));
	if (!mkdtemp(kt_base))
		abort();
}

static G_GNUC_UNUSED void kt_rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = g_build_filename(dir, e->d_name, NULL);
		if (e->d_type == DT_DIR)
			kt_rm_tree(p);
		else
			unlink(p);
		g_free(p);
	}
	closedir(d);
	rmdir(dir);
}

static G_GNUC_UNUSED void kt_base_teardown(void)
{
	kt_rm_tree(kt_base);
}

/* ---- scripts -------------------------------------------------------------------------- */

enum kt_kind {
	S_END, S_PWRITE, S_PREAD, S_STORE, S_LOAD, S_FSYNC, S_FDATASYNC, S_MSYNC, S_RANGE,
	S_SYNC, S_DIO_W, S_DIO_WM, S_DIO_R, S_PIN, S_PIN_W, S_PIN_REL, S_UNMAP, S_SLEEP,
	S_WAIT, S_WAKE, S_JOIN, S_FAIL_NEXT, S_KILL_MINE, S_RAW_WRITE,
	/* Buffers (kexec_buf.c): obj the Buffer; the direct I/Os: obj the file, obj2 the
	 * Buffer (-1: none), c the offset in it; S_IO_WAIT: obj the step that submitted. */
	S_BUF_ST, S_BUF_LD, S_DIO_WB, S_DIO_RB, S_ADIO_WB, S_ADIO_RB, S_IO_WAIT,
};

/* obj: file / mapping / key / task index; a, b: offset and length (or ns, errno, how);
 * obj2, c: the source mapping and its offset of S_DIO_WM. */
struct kt_step {
	enum kt_kind k;
	int obj;
	uint64_t a, b;
	int obj2;
	uint64_t c;
};

#define KT_STEPS 64

struct kt_world;

struct kt_script {
	struct kt_world *w;
	const struct kt_step *steps;
	unsigned pc;
	bool waiting;                   /* step pc - 1 blocked; record it when resumed */
	int result[KT_STEPS];
	int pid[KT_STEPS];
	uintptr_t addr[KT_STEPS];
	uint64_t issued[KT_STEPS], done[KT_STEPS];
	struct kx_pin *pin;
	struct kx_io *io[KT_STEPS];     /* what an async step submitted */
};

struct kt_world {
	char dir[128];
	struct kx *kx;
	struct kx_file *f[4];
	struct kx_proc *p[4];
	struct kx_map *m[4];
	struct kx_buf *b[4];
	struct kx_task *t[8];
	struct kt_script s[8];
	int key[4];
};

static G_GNUC_UNUSED void kt_record(struct kx_task *t, struct kt_script *s)
{
	unsigned i = s->pc - 1;
	s->result[i] = kx_result(t);
	s->pid[i] = kx_task_pid(t);
	s->addr[i] = kx_task_addr(t);
	s->done[i] = kx_now(kx_task_kx(t));
	if (s->steps[i].k == S_PIN)
		s->pin = kx_result_pin(t);
	if (s->steps[i].k == S_ADIO_WB || s->steps[i].k == S_ADIO_RB)
		s->io[i] = kx_result_io(t);
	s->waiting = false;
}

static G_GNUC_UNUSED enum kx_status kt_issue(struct kx_task *t, struct kt_script *s, const struct kt_step *st)
{
	struct kt_world *w = s->w;
	switch (st->k) {
	case S_PWRITE:    return kx_pwrite(t, w->f[st->obj], st->a, st->b);
	case S_PREAD:     return kx_pread(t, w->f[st->obj], st->a, st->b);
	case S_STORE:     return kx_store(t, w->m[st->obj], st->a, st->b);
	case S_LOAD:      return kx_load(t, w->m[st->obj], st->a, st->b);
	case S_FSYNC:     return kx_fsync(t, w->f[st->obj], false);
	case S_FDATASYNC: return kx_fsync(t, w->f[st->obj], true);
	case S_MSYNC:     return kx_msync(t, w->m[st->obj], st->a, st->b);
	case S_RANGE:     return kx_sync_range(t, w->f[st->obj], st->a, st->b, (unsigned)st->c);
	case S_SYNC:      return kx_sync(t);
	case S_DIO_W:     return kx_dio_write(t, w->f[st->obj], st->a, st->b, NULL, 0);
	case S_DIO_WM:    return kx_dio_write(t, w->f[st->obj], st->a, st->b, w->m[st->obj2], st->c);
	case S_DIO_R:     return kx_dio_read(t, w->f[st->obj], st->a, st->b);
	case S_PIN:       return kx_pin(t, w->m[st->obj], st->a, st->b);
	case S_PIN_W:     return kx_pin_write(t, s->pin, st->a, st->b);
	case S_PIN_REL:   return kx_pin_release(t, s->pin);
	case S_UNMAP:     return kx_munmap(t, w->m[st->obj]);
	case S_SLEEP:     return kx_sleep(t, st->a);
	case S_WAIT:      return kx_wait_on(t, &w->key[st->obj]);
	case S_WAKE:      kx_wake(w->kx, &w->key[st->obj]); return KX_DONE;
	case S_JOIN:
		if (kx_task_is_done(w->t[st->obj]))
			return KX_DONE;
		return kx_wait_on(t, w->t[st->obj]);
	case S_FAIL_NEXT: kx_test_fail_next(t, (int)st->a); return KX_DONE;
	case S_BUF_ST:    return kx_buf_store(t, w->b[st->obj], st->a, st->b);
	case S_BUF_LD:    return kx_buf_load(t, w->b[st->obj], st->a, st->b);
	case S_DIO_WB:
	case S_DIO_RB:
	case S_ADIO_WB:
	case S_ADIO_RB:
		return kx_dio(t, &(struct kx_dio){
			.write = st->k == S_DIO_WB || st->k == S_ADIO_WB,
			.async = st->k == S_ADIO_WB || st->k == S_ADIO_RB, .f = w->f[st->obj],
			.off = st->a, .len = st->b, .buf = st->obj2 >= 0 ? w->b[st->obj2] : NULL,
			.at = st->c });
	case S_IO_WAIT:   return kx_io_wait(t, s->io[st->obj]);
	case S_RAW_WRITE: {     /* op c's pattern at [a, a+b) of file obj, behind the executor */
		char *path = g_build_filename(w->dir, kx_file_name(w->f[st->obj]), NULL);
		int fd = open(path, O_WRONLY);
		uint8_t *buf = g_malloc(st->b);
		kx_fill(buf, st->a, st->b, kx_pattern((uint32_t)st->c));
		g_assert(fd >= 0 && pwrite(fd, buf, st->b, (off_t)st->a) == (ssize_t)st->b);
		close(fd);
		g_free(buf);
		g_free(path);
		return KX_DONE;
	}
	case S_KILL_MINE:       /* kill the process the task's last op ran in */
		kill(kx_task_pid(t), SIGKILL);
		return KX_DONE;
	case S_END:       break;
	}
	g_assert_not_reached();
}

static G_GNUC_UNUSED void kt_resume(struct kx_task *t)
{
	struct kt_script *s = kx_task_data(t);
	if (s->waiting)
		kt_record(t, s);
	for (;;) {
		const struct kt_step *st = &s->steps[s->pc++];
		g_assert(s->pc <= KT_STEPS);
		if (st->k == S_END) {
			kx_exit(t);
			return;
		}
		s->issued[s->pc - 1] = kx_now(kx_task_kx(t));
		s->waiting = true;
		if (kt_issue(t, s, st) == KX_BLOCKED)
			return;
		kt_record(t, s);
	}
}

static const struct kx_hooks kt_hooks = { kt_resume };

/* A world in its own directory under the fixture's base. */
static G_GNUC_UNUSED struct kx *kt_world_new(struct kt_world *w, const char *name, const struct kx_hooks *hooks)
{
	memset(w, 0, sizeof(*w));
	g_snprintf(w->dir, sizeof(w->dir), "%s/%s", kt_base, name);
	ck_assert_int_eq(mkdir(w->dir, 0755), 0);
	GError *err = NULL;
	w->kx = kx_new(w->dir, hooks ? hooks : &kt_hooks, &err);
	ck_assert_msg(w->kx, "%s", err ? err->message : "");
	return w->kx;
}

static G_GNUC_UNUSED struct kx_file *kt_file(struct kt_world *w, int i, const char *name, uint64_t size)
{
	GError *err = NULL;
	w->f[i] = kx_file(w->kx, name, size, &err);
	ck_assert_msg(w->f[i], "%s", err ? err->message : "");
	return w->f[i];
}

static G_GNUC_UNUSED struct kx_task *kt_spawn(struct kt_world *w, int i, const char *name, struct kx_proc *p,
				const struct kt_step *steps)
{
	w->s[i].w = w;
	w->s[i].steps = steps;
	w->t[i] = kx_spawn(w->kx, name, p, 0, &w->s[i]);
	return w->t[i];
}

static G_GNUC_UNUSED void kt_start(struct kt_world *w)
{
	GError *err = NULL;
	ck_assert_msg(kx_prepare(w->kx, &err), "%s", err ? err->message : "");
	ck_assert_msg(kx_start(w->kx, &err), "%s", err ? err->message : "");
}

/* Prepare, start, run to the end, finish: the run must end with @want. */
static G_GNUC_UNUSED void kt_run(struct kt_world *w, enum kx_end want)
{
	kt_start(w);
	GError *err = NULL;
	enum kx_end e = kx_run(w->kx, 0, &err);
	ck_assert_msg(e == want, "run ended %d, wanted %d: %s", e, want, err ? err->message : "");
	g_clear_error(&err);
	kx_finish(w->kx);
}

static G_GNUC_UNUSED struct kx_verdict kt_verify(struct kt_world *w)
{
	struct kx_verdict v;
	GError *err = NULL;
	ck_assert_msg(kx_verify(w->kx, &v, &err), "%s", err ? err->message : "");
	return v;
}

/* Bytes [off, off+len) of file @name in the world's directory, read around the executor. */
static G_GNUC_UNUSED uint8_t *kt_read(struct kt_world *w, const char *name, uint64_t off, uint64_t len)
{
	char *p = g_build_filename(w->dir, name, NULL);
	int fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	uint8_t *b = g_malloc(len);
	ck_assert_int_eq(pread(fd, b, len, (off_t)off), (ssize_t)len);
	close(fd);
	g_free(p);
	return b;
}

static G_GNUC_UNUSED void kt_write_raw(struct kt_world *w, const char *name, uint64_t off, const void *b, size_t len)
{
	char *p = g_build_filename(w->dir, name, NULL);
	int fd = open(p, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, b, len, (off_t)off), (ssize_t)len);
	/* A direct write of the run that could not invalidate a cached page leaves -EIO
	 * in the file's errseq (dio_warn_stale_pagecache) for the first fsync after it,
	 * even from a descriptor opened later; the second one reports only its own. */
	if (fsync(fd) != 0)
		ck_assert_msg(errno == EIO && fsync(fd) == 0, "fsync: %s", g_strerror(errno));
	close(fd);
	g_free(p);
}

/* Does every byte of @b (file positions [pos, pos+len)) carry op @op's pattern? */
static G_GNUC_UNUSED bool kt_is_op(const uint8_t *b, uint64_t pos, uint64_t len, uint32_t op)
{
	uint64_t w = kx_pattern(op);
	for (uint64_t i = 0; i < len; i++)
		if (b[i] != kx_byte(w, pos + i))
			return false;
	return true;
}

#endif
