/*
 * replay_int — what the replay's files share (replay/replay.h is the public face):
 *
 *   replay_source.c  the workload source: opening a log, what it declares, errors
 *   replay_world.c   the objects of a replay (files, processes, mappings, pins,
 *                    events, tasks) by their log ids, and declaring them on the target
 *   replay_task.c    driving a task: its cursor, its timing, its ops on the target
 *   replay_v2.c      the ops of format version 2: Buffers, asynchronous direct I/O
 *                    and its Io handles, long-term pins
 */
#ifndef WBSIM_REPLAY_INT_H
#define WBSIM_REPLAY_INT_H

#include "oplog/oplog.h"
#include "replay/replay.h"
#include "run/expect.h"
#include "run/run.h"

struct replay {
	const struct scenario_opts *o;
	struct oplog *log;
	const struct oplog_header *h;
	/* what the log declares, as workload_info hands it on */
	char *name;
	GPtrArray *policies;            /* of char *, NULL-terminated */
	char *policies_at;
	GPtrArray *params;              /* of struct param_value * */
	GPtrArray *expects;             /* of struct expect_decl * */
	struct sim_config cfg;          /* the header's, then the command line's overrides */
	bool stable_set, bandwidth_set, flush_set;
	bool issue_timing;              /* --timing issue: open loop */
	/* the run */
	struct target *t;
	const struct target_ops *ops;
	GHashTable *files;              /* id -> struct target_file * */
	GHashTable *procs;              /* id -> struct target_proc * */
	GHashTable *maps;               /* id -> struct rmap *, while mapped */
	GHashTable *pins;               /* id -> struct rpin *, until released */
	GHashTable *events;             /* id -> struct revent * */
	GHashTable *tasks;              /* id -> struct rtask * */
	GHashTable *bufs;               /* id -> struct rbuf * (version 2) */
	GHashTable *ios;                /* id -> struct rio *, until waited for */
	char *error;                    /* the first error, as reported */
	int error_code;
};

struct rmap {
	struct target_map *m;
	uint32_t process;
};

enum rpin_state { PIN_PENDING, PIN_HELD, PIN_FAILED };

struct rpin {
	struct target_pin *p;
	enum rpin_state state;
};

struct rbuf {
	struct target_buf *b;
	uint32_t process;
};

/* An asynchronous direct I/O: submitted (its submission blocked: no handle yet), in
 * flight with its handle, or failed at submission here (its io_wait is skipped). */
enum rio_state { IO_PENDING, IO_INFLIGHT, IO_FAILED };

struct rio {
	struct target_io *io;
	enum rio_state state;
};

struct revent {
	uint32_t id;
	bool set;
};

/* Where a task is in its current op. */
enum rstate {
	RS_NEXT,                /* read the next op */
	RS_TIMED,               /* its think or issue time has passed: issue it */
	RS_ISSUED,              /* issued and blocked: resume() means it has finished */
};

enum rwait { RW_NONE, RW_EVENT, RW_JOIN, RW_SPAWN };

struct rtask {
	struct replay *rp;
	uint32_t id;
	char *name;
	uint32_t process;
	struct target_task *k;
	struct oplog_cursor *cur;       /* NULL once the task has ended */
	struct oplog_op op;             /* the op being issued */
	enum rstate state;
	enum rwait wait;                /* for a deadlock report */
	uint32_t wait_id;
	bool done;
	/* The file the task used last: most ops name the same one as the op before. */
	uint32_t file_id;
	struct target_file *file;
	/* Declared up front (target_ops.upfront): it waits at its start until its
	 * spawner reaches line @spawn_line (@gate set), then @gate_at as the spawn said. */
	uint64_t pos0, line0;           /* where its cursor began */
	bool gated;
	struct revent gate;
	uint64_t gate_at;
	uint64_t spawn_line;
};

/* replay_source.c: the first error stops the run; later ones are dropped. */
void replay_fail(struct replay *rp, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* The same for a task's op: "LOG:LINE: OP: message (task 'NAME')". */
void replay_op_fail(struct rtask *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* replay_world.c */
void replay_world_init(struct replay *rp);
void replay_world_clear(struct replay *rp);
/* The header's files, processes, mappings, events and tasks, in that order. */
void replay_world_declare(struct replay *rp);
/* The declaring ops of a task (file, process, mmap, event, spawn). */
void replay_declare_op(struct rtask *t);
/* For a target_ops.upfront target: the files, processes and tasks the log's tasks
 * declare while running, declared now, each task gated until its spawn line. */
void replay_world_upfront(struct replay *rp);
struct target_file *replay_file_slow(struct rtask *t, uint32_t id);
static inline struct target_file *replay_file(struct rtask *t, uint32_t id)
{
	return G_LIKELY(id == t->file_id) ? t->file : replay_file_slow(t, id);
}
struct rmap *replay_map(struct rtask *t, uint32_t id);
struct rtask *replay_task(struct rtask *t, uint32_t id);
struct revent *replay_event(struct rtask *t, uint32_t id);
struct rbuf *replay_buf(struct rtask *t, uint32_t id);
/* The target has the version-2 operation @has, else the run stops: "OP: not
 * supported by target 'NAME'". */
bool replay_need(struct rtask *t, bool has);

/* replay_v2.c: the version-2 ops and what they leave when they finish */
enum op_status replay_v2_issue(struct rtask *t);
void replay_v2_done(struct rtask *t);

/* replay_task.c */
struct rtask *rtask_new(struct replay *rp, uint32_t id, const char *name, uint32_t process,
			uint64_t pos, uint64_t line);
void rtask_free(gpointer p);
void replay_resume(void *data);
char *replay_describe_wait(struct rtask *t);

#endif
