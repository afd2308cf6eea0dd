/*
 * strace_state — the kernel state the strace importer follows (import_strace.c):
 * open file descriptions and descriptor tables, address spaces and their shared
 * file mappings, tasks; and the calls that change it (strace_calls.c).
 */
#ifndef WBSIM_STRACE_STATE_H
#define WBSIM_STRACE_STATE_H

#include "oplog/import_int.h"

struct ofd {                    /* an open file description */
	int refs;
	uint32_t file;          /* 0: not replayed, for @why */
	const char *why;
	char *path;             /* for openat relative to a directory fd */
	uint64_t pos;
	bool direct, sync, append;
};

struct sfd {
	struct ofd *ofd;
	bool cloexec;
};

struct fdtab {
	int refs;
	GHashTable *fds;        /* fd -> struct sfd * */
};

struct smap { uint64_t addr, len; uint32_t id, file; uint64_t off; };

struct sproc {
	int refs;
	uint32_t id;
	GArray *maps;           /* of struct smap */
};

struct stask {
	uint32_t pid, id;
	struct sproc *proc;
	struct fdtab *fds;
	uint64_t last_end, last_issue;
	bool has_unf;
	char unf_name[32];
	char *unf_args;
	uint64_t unf_t;
};

struct pend { uint64_t line; char *text; };

struct st {
	struct importer *imp;
	const struct import_opts *o;
	GHashTable *tasks;      /* pid -> struct stask * */
	GHashTable *done;       /* pid -> task id, of tasks that exited */
	GHashTable *pending;    /* pid -> GPtrArray of struct pend * */
	GArray *pending_order;  /* pids, in order of their first pending line */
	bool t0_set;
	uint64_t t0;
	char **dirs;
	GError **err;
};


struct call {
	struct st *s;
	struct stask *t;
	const char *name;
	GPtrArray *a;           /* the arguments */
	int64_t ret;
	uint64_t issue, dur;
};

#define OP(...) (&(struct oplog_op){ .cpu = -1, __VA_ARGS__ })

void ofd_put(struct ofd *o);
struct fdtab *fdtab_new(void);
struct fdtab *fdtab_copy(struct fdtab *t);
void fdtab_put(struct fdtab *t);
/* fd now names @o (taking a reference), replacing what it named. */
void fd_install(struct fdtab *t, int64_t fd, struct ofd *o, bool cloexec);
struct sproc *sproc_new(struct st *s);
void sproc_put(struct sproc *p);
struct stask *task_new(struct st *s, uint32_t pid, struct sproc *proc, struct fdtab *fds,
		       uint64_t start);
/* A task the trace never showed being created: a header task with a process. */
struct stask *task_root(struct st *s, uint32_t pid, uint64_t start);
void stask_free(void *p);
/* Write @op as @t's, issued at @issue (ns since the trace began), lasting @dur. */
void emit(struct st *s, struct stask *t, struct oplog_op *op, uint64_t issue, uint64_t dur);
/* Replay the lines that waited for @pid to be claimed by a clone (import_strace.c). */
void pending_flush(struct st *s, uint32_t pid);
/* What one successful call becomes (strace_calls.c). */
void strace_call(struct call *c);

#endif
