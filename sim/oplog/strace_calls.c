/*
 * strace_calls — what each system call in a trace becomes (OPLOG.md "strace"): the
 * opens, dups, closes and seeks that move descriptors and offsets; reads and
 * writes in all their forms; the syncs; shared file mappings; fork, vfork, clone
 * and clone3; execve; wait4.  Any other call is counted by name and skipped.
 */
#include "oplog/strace_state.h"

#include <string.h>

#include "engine/uapi.h"
#include "oplog/strace_line.h"

static const char *arg(const struct call *c, guint i)
{
	return i < c->a->len ? c->a->pdata[i] : "";
}

static bool num(const struct call *c, guint i, int64_t *v)
{
	return sline_number(arg(c, i), v);
}

static struct ofd *fd_ofd(const struct call *c, guint i, const char **why)
{
	int64_t fd;
	struct sfd *f = num(c, i, &fd) ? g_hash_table_lookup(c->t->fds->fds,
							     GINT_TO_POINTER((int)fd)) : NULL;
	if (!f) {
		*why = "untracked fd (stdin, pipe, socket...)";
		return NULL;
	}
	if (!f->ofd->file) {
		*why = f->ofd->why;
		return NULL;
	}
	return f->ofd;
}

static char *kept_name(struct st *s, const char *path)
{
	if (!s->dirs)
		return g_strdup(path);
	for (char **d = s->dirs; *d; d++) {
		size_t n = strlen(*d);
		if (!strncmp(path, *d, n) && path[n] == '/' && path[n + 1])
			return g_strdup(path + n + 1);
	}
	return NULL;
}

static void do_open(struct call *c, int path_i, const char *flags)
{
	struct st *s = c->s;
	char *path = sline_string(arg(c, (guint)path_i));
	if (!path) {
		importer_skip(s->imp, "open of a path strace did not show");
		return;
	}
	if (path[0] != '/' && path_i == 1) {
		int64_t dfd;
		struct sfd *d = num(c, 0, &dfd) ? g_hash_table_lookup(c->t->fds->fds,
								      GINT_TO_POINTER((int)dfd)) : NULL;
		if (d && d->ofd->path) {
			char *full = g_build_filename(d->ofd->path, path, NULL);
			g_free(path);
			path = full;
		}
	}
	char *canon = g_canonicalize_filename(path, "/");
	struct ofd *o = g_new0(struct ofd, 1);
	o->path = path[0] == '/' ? g_strdup(canon) : NULL;
	char *name = path[0] == '/' || !s->dirs ? kept_name(s, path[0] == '/' ? canon : path)
						: NULL;
	if (sline_has_flag(flags, "O_DIRECTORY") || sline_has_flag(flags, "O_PATH")) {
		o->why = "directory or O_PATH fd";
	} else if (!name) {
		o->why = "outside --dir";
	} else {
		o->file = importer_file(s->imp, name)->id;
		o->direct = sline_has_flag(flags, "O_DIRECT");
		o->sync = sline_has_flag(flags, "O_SYNC") || sline_has_flag(flags, "O_DSYNC");
		o->append = sline_has_flag(flags, "O_APPEND");
	}
	fd_install(c->t->fds, c->ret, o, sline_has_flag(flags, "O_CLOEXEC"));
	g_free(name);
	g_free(canon);
	g_free(path);
}

/* read, write and their p, v and v2 forms: @off_i the offset argument (-1: none). */
static void do_rw(struct call *c, bool write, int off_i)
{
	const char *why;
	struct ofd *o = fd_ofd(c, 0, &why);
	if (!o) {
		importer_skip(c->s->imp, why);
		return;
	}
	uint64_t len = (uint64_t)c->ret;
	int64_t off = -1;
	if (off_i >= 0 && !num(c, (guint)off_i, &off)) {
		importer_skip(c->s->imp, "read or write at an offset strace did not show");
		return;
	}
	bool moves = off < 0;           /* pwrite/pread keep the file position */
	if (moves) {
		if (write && o->append)
			o->pos = ((struct ifile *)c->s->imp->file_list->pdata[o->file - 1])->end;
		off = (int64_t)o->pos;
		o->pos += len;
	}
	if (len == 0) {
		importer_skip(c->s->imp, "zero-byte read or write");
		return;
	}
	bool direct = o->direct;
	if (direct && ((uint64_t)off % 512 || len % 512)) {
		importer_skip(c->s->imp, "unaligned O_DIRECT call (replayed buffered)");
		direct = false;
	}
	enum oplog_kind k = direct ? (write ? OPL_DIO_WRITE : OPL_DIO_READ)
				   : (write ? OPL_PWRITE : OPL_PREAD);
	emit(c->s, c->t, OP(.kind = k, .file = o->file, .off = (uint64_t)off, .len = len),
	     c->issue, c->dur);
	if (write && o->sync)   /* O_SYNC / O_DSYNC: the write waits as fdatasync would */
		emit(c->s, c->t, OP(.kind = OPL_FDATASYNC, .file = o->file), c->issue + c->dur, 0);
}

static void do_fsync(struct call *c, enum oplog_kind k)
{
	const char *why;
	struct ofd *o = fd_ofd(c, 0, &why);
	if (!o) {
		importer_skip(c->s->imp, why);
		return;
	}
	struct oplog_op *op = OP(.kind = k, .file = o->file);
	if (k == OPL_SYNC_RANGE) {
		int64_t off, n, flags = 0;
		const char *f = arg(c, 3);
		if (!num(c, 1, &off) || !num(c, 2, &n) || off < 0 || n < 0) {
			importer_skip(c->s->imp, "sync_file_range with a range strace did not show");
			return;
		}
		bool w = sline_has_flag(f, "SYNC_FILE_RANGE_WRITE") ||
			 (num(c, 3, &flags) && (flags & SYNC_FILE_RANGE_WRITE));
		bool after = sline_has_flag(f, "SYNC_FILE_RANGE_WAIT_AFTER") ||
			     (flags & SYNC_FILE_RANGE_WAIT_AFTER);
		op->how = w && after ? SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				       SYNC_FILE_RANGE_WAIT_AFTER
			: w ? SYNC_FILE_RANGE_WRITE : SYNC_FILE_RANGE_WAIT_AFTER;
		op->off = (uint64_t)off;
		op->len = (uint64_t)n;
	}
	emit(c->s, c->t, op, c->issue, c->dur);
}

static struct smap *find_map(struct sproc *p, uint64_t addr, guint *idx)
{
	for (guint i = 0; i < p->maps->len; i++) {
		struct smap *m = &g_array_index(p->maps, struct smap, i);
		if (addr >= m->addr && addr < m->addr + m->len) {
			if (idx)
				*idx = i;
			return m;
		}
	}
	return NULL;
}

static void do_mmap(struct call *c)
{
	const char *flags = arg(c, 3), *why;
	int64_t len, off;
	if (!sline_has_flag(flags, "MAP_SHARED") && !sline_has_flag(flags, "MAP_SHARED_VALIDATE")) {
		importer_skip(c->s->imp, "mmap (private or anonymous)");
		return;
	}
	if (sline_has_flag(flags, "MAP_ANONYMOUS") || sline_has_flag(flags, "MAP_ANON")) {
		importer_skip(c->s->imp, "mmap (private or anonymous)");
		return;
	}
	struct ofd *o = fd_ofd(c, 4, &why);
	if (!o) {
		importer_skip(c->s->imp, why);
		return;
	}
	if (!num(c, 1, &len) || !num(c, 5, &off) || len <= 0 || off < 0 || off % PAGE_SIZE) {
		importer_skip(c->s->imp, "mmap with a range strace did not show");
		return;
	}
	struct smap m = { (uint64_t)c->ret, (uint64_t)len, c->s->imp->next_map++, o->file,
			  (uint64_t)off };
	g_array_append_val(c->t->proc->maps, m);
	emit(c->s, c->t, OP(.kind = OPL_MMAP, .map = m.id, .process = c->t->proc->id,
			    .file = m.file, .off = m.off, .len = m.len), c->issue, c->dur);
}

static void unmap_at(struct call *c, guint i)
{
	struct smap *m = &g_array_index(c->t->proc->maps, struct smap, i);
	emit(c->s, c->t, OP(.kind = OPL_UNMAP, .map = m->id), c->issue, c->dur);
	g_array_remove_index(c->t->proc->maps, i);
}

static void do_munmap(struct call *c)
{
	int64_t addr, len;
	if (!num(c, 0, &addr) || !num(c, 1, &len)) {
		importer_skip(c->s->imp, "munmap of a range strace did not show");
		return;
	}
	uint64_t a = (uint64_t)addr, e = a + (uint64_t)len;
	bool any = false, part = false;
	for (guint i = c->t->proc->maps->len; i-- > 0;) {
		struct smap *m = &g_array_index(c->t->proc->maps, struct smap, i);
		if (m->addr >= a && m->addr + m->len <= e) {
			unmap_at(c, i);
			any = true;
		} else if (m->addr < e && a < m->addr + m->len) {
			part = true;
		}
	}
	if (part)
		importer_skip(c->s->imp, "munmap of part of a shared mapping");
	else if (!any)
		importer_skip(c->s->imp, "munmap (not a shared file mapping)");
}

static void do_msync(struct call *c)
{
	int64_t addr, len;
	struct smap *m = num(c, 0, &addr) ? find_map(c->t->proc, (uint64_t)addr, NULL) : NULL;
	if (!m || !num(c, 1, &len) || len <= 0) {
		importer_skip(c->s->imp, "msync outside a shared file mapping");
		return;
	}
	if (sline_has_flag(arg(c, 2), "MS_ASYNC")) {
		importer_skip(c->s->imp, "msync(MS_ASYNC), which starts nothing");
		return;
	}
	uint64_t off = (uint64_t)addr - m->addr, n = MIN((uint64_t)len, m->len - off);
	if (c->s->o->shared_stores)     /* the approximation: what is synced was stored */
		emit(c->s, c->t, OP(.kind = OPL_STORE, .map = m->id, .off = off, .len = n),
		     c->issue, 0);
	emit(c->s, c->t, OP(.kind = OPL_MSYNC, .map = m->id, .off = off, .len = n), c->issue,
	     c->dur);
}


static void do_clone(struct call *c)
{
	struct st *s = c->s;
	uint32_t pid = (uint32_t)c->ret;
	GString *joined = g_string_new(NULL);
	for (guint i = 0; i < c->a->len; i++)
		g_string_append_printf(joined, "%s,", (const char *)c->a->pdata[i]);
	char *all = g_string_free(joined, FALSE);
	bool fork = !strcmp(c->name, "fork") || !strcmp(c->name, "vfork");
	/* vfork shares the memory only until the child's execve or exit, which is
	 * what nearly every vfork child does at once: a process of its own. */
	bool vm = !fork && (sline_has_flag(all, "CLONE_VM") || sline_has_flag(all, "CLONE_THREAD"));
	bool files = !fork && sline_has_flag(all, "CLONE_FILES");
	g_free(all);
	struct sproc *proc = c->t->proc;
	bool new_proc = !vm;
	if (new_proc) {
		proc = sproc_new(s);
		char *name = g_strdup_printf("pid %u", pid);
		emit(s, c->t, OP(.kind = OPL_PROCESS, .process = proc->id, .name = name), c->issue, 0);
		g_free(name);
	}
	struct fdtab *fds = files ? c->t->fds : fdtab_copy(c->t->fds);
	if (files)
		fds->refs++;
	g_hash_table_remove(s->done, GUINT_TO_POINTER(pid));
	struct stask *child = task_new(s, pid, proc, fds, c->issue);
	char *name = g_strdup_printf("pid %u", pid);
	emit(s, c->t, OP(.kind = OPL_SPAWN, .target = child->id, .name = name,
			 .process = proc->id), c->issue, c->dur);
	g_free(name);
	if (new_proc) {
		/* A forked child has the parent's shared mappings at the same addresses. */
		for (guint i = 0; i < c->t->proc->maps->len; i++) {
			struct smap m = g_array_index(c->t->proc->maps, struct smap, i);
			m.id = s->imp->next_map++;
			g_array_append_val(proc->maps, m);
			emit(s, child, OP(.kind = OPL_MMAP, .map = m.id, .process = proc->id,
					  .file = m.file, .off = m.off, .len = m.len), c->issue, 0);
		}
		sproc_put(proc);
	}
	pending_flush(s, pid);
}

static void do_execve(struct call *c)
{
	/* The new program keeps the descriptors without O_CLOEXEC and no mapping. */
	GHashTableIter it;
	void *k, *v;
	g_hash_table_iter_init(&it, c->t->fds->fds);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (((struct sfd *)v)->cloexec)
			g_hash_table_iter_remove(&it);
	while (c->t->proc->maps->len)
		unmap_at(c, c->t->proc->maps->len - 1);
}

static void do_dup(struct call *c)
{
	int64_t old;
	struct sfd *f = num(c, 0, &old) ? g_hash_table_lookup(c->t->fds->fds,
							      GINT_TO_POINTER((int)old)) : NULL;
	if (f) {
		struct ofd *o = f->ofd;
		o->refs++;      /* keep it while fd_set replaces the target */
		fd_install(c->t->fds, c->ret, o, sline_has_flag(arg(c, 2), "O_CLOEXEC") ||
					     sline_has_flag(arg(c, 1), "F_DUPFD_CLOEXEC"));
		ofd_put(o);
	} else {
		g_hash_table_remove(c->t->fds->fds, GINT_TO_POINTER((int)c->ret));
	}
}

void strace_call(struct call *c)
{
	const char *n = c->name;
	struct st *s = c->s;
	int64_t fd;
#define IS(x) (!strcmp(n, x))
	if (IS("open") || IS("creat"))
		do_open(c, 0, IS("creat") ? "O_CREAT|O_WRONLY|O_TRUNC" : arg(c, 1));
	else if (IS("openat") || IS("openat2"))
		do_open(c, 1, arg(c, 2));
	else if (IS("close")) {
		if (num(c, 0, &fd))
			g_hash_table_remove(c->t->fds->fds, GINT_TO_POINTER((int)fd));
	}
	else if (IS("dup") || IS("dup2") || IS("dup3"))
		do_dup(c);
	else if (IS("fcntl") && g_str_has_prefix(arg(c, 1), "F_DUPFD"))
		do_dup(c);
	else if (IS("read") || IS("readv"))
		do_rw(c, false, -1);
	else if (IS("write") || IS("writev"))
		do_rw(c, true, -1);
	else if (IS("pread64") || IS("preadv") || IS("preadv2"))
		do_rw(c, false, 3);
	else if (IS("pwrite64") || IS("pwritev") || IS("pwritev2"))
		do_rw(c, true, 3);
	else if (IS("lseek")) {
		const char *why;
		struct ofd *o = fd_ofd(c, 0, &why);
		if (o)
			o->pos = (uint64_t)c->ret;
	} else if (IS("fsync"))
		do_fsync(c, OPL_FSYNC);
	else if (IS("fdatasync"))
		do_fsync(c, OPL_FDATASYNC);
	else if (IS("sync_file_range") || IS("sync_file_range2"))
		do_fsync(c, OPL_SYNC_RANGE);
	else if (IS("sync"))
		emit(s, c->t, OP(.kind = OPL_SYNC), c->issue, c->dur);
	else if (IS("syncfs")) {
		const char *why;
		if (fd_ofd(c, 0, &why) || strcmp(why, "outside --dir"))
			emit(s, c->t, OP(.kind = OPL_SYNC), c->issue, c->dur);
		else
			importer_skip(s->imp, why);
	} else if (IS("mmap") || IS("mmap2"))
		do_mmap(c);
	else if (IS("munmap"))
		do_munmap(c);
	else if (IS("msync"))
		do_msync(c);
	else if (IS("fork") || IS("vfork") || IS("clone") || IS("clone3"))
		do_clone(c);
	else if (IS("execve") || IS("execveat"))
		do_execve(c);
	else if (IS("wait4") || IS("waitpid")) {
		gpointer id = g_hash_table_lookup(s->done, GUINT_TO_POINTER((uint32_t)c->ret));
		if (c->ret == 0)
			importer_skip(s->imp, "wait4 that reaped nothing (WNOHANG)");
		else if (id && GPOINTER_TO_UINT(id) != c->t->id)
			emit(s, c->t, OP(.kind = OPL_JOIN, .target = GPOINTER_TO_UINT(id)), c->issue,
			     c->dur);
		else
			importer_skip(s->imp, "wait for a task that has not exited in the trace");
	} else if (IS("exit") || IS("exit_group"))
		;       /* the "+++ exited" line ends the task */
	else
		importer_skip(s->imp, n);
#undef IS
}
