/*
 * record_int — what the recorder's files share: record.c (the target that logs
 * and forwards), record_v2.c (its version-2 operations) and record_log.c (the log: its header, from what the source
 * declared and the configuration the run has, and its temporary file).
 */
#ifndef WBSIM_RECORD_INT_H
#define WBSIM_RECORD_INT_H

#include "oplog/oplog.h"
#include "replay/replay.h"

struct recorder {
	char *path;
	char *command;                  /* for a comment line; may be NULL */
	struct oplog_writer *w;
	struct oplog_header *h;         /* filled while the world is declared */
	bool used;                      /* a target was made on it: one run per log */
	bool header_written;
};

/* ---- the target (record.c, record_v2.c) ---- */

struct rec {
	struct recorder *r;
	const struct target_ops *in;
	struct target *t;
	void (*resume)(void *task_data);        /* the source's */
	struct rec_task *current;               /* whose resume() is running */
	uint32_t nfiles, nprocs, nmaps, ntasks, nevents, npins, nbufs, nios;
	GHashTable *events;                     /* key -> struct rec_event */
	GHashTable *tasks;                      /* the task handles, for telling joins */
	GPtrArray *objs;                        /* files, processes, tasks, buffers: freed at
						   the end */
	GHashTable *live;                       /* mappings, pins and Io handles until
						   unmapped, released or waited for */
};

struct rec_file { struct target_file *in; uint32_t id; };
struct rec_proc { struct target_proc *in; uint32_t id; };
struct rec_map { struct target_map *in; uint32_t id; };
struct rec_pin { struct target_pin *in; uint32_t id; };
struct rec_event { uint32_t id; bool set; };
struct rec_buf { struct target_buf *in; uint32_t id; };
struct rec_io { struct target_io *in; uint32_t id; };

struct rec_task {
	struct target_task *in;
	struct rec *rec;
	void *data;                     /* the source's */
	uint32_t id;
	uint64_t done_at;               /* when its previous op completed */
	uint32_t pin_id;                /* of the pin it is taking */
	uint32_t io_id;                 /* of the asynchronous I/O it is submitting */
};

#define REC(t) ((struct rec *)(t))
#define K(k) ((struct rec_task *)(k))

#define REC(t) ((struct rec *)(t))
#define K(k) ((struct rec_task *)(k))
#define FILE_IN(f) (((struct rec_file *)(f))->in)
#define FILE_ID(f) (((struct rec_file *)(f))->id)
#define MAP_IN(m) (((struct rec_map *)(m))->in)
#define MAP_ID(m) (((struct rec_map *)(m))->id)
#define OP(kind_, ...) ((struct oplog_op){ .kind = (kind_), __VA_ARGS__ })

/* The op line of task @k, issued now. */
void rec_put(struct rec_task *k, struct oplog_op *o);
/* An op that went to the target: finished now, or when resume() says. */
enum op_status rec_done(struct rec_task *k, enum op_status s);
/* The task on whose behalf a declaration is made while the run goes on. */
struct rec_task *rec_declarer(struct rec *rc);

/* The version-2 operations (record_v2.c). */
struct target_buf *r_alloc(struct target *t, struct target_proc *p, uint64_t size);
enum op_status r_buf_store(struct target_task *k, struct target_buf *b, uint64_t off,
			   uint64_t len);
enum op_status r_buf_load(struct target_task *k, struct target_buf *b, uint64_t off,
			  uint64_t len);
enum op_status r_dio(struct target_task *k, const struct target_dio *d);
struct target_io *r_result_io(struct target_task *k);
enum op_status r_io_wait(struct target_task *k, struct target_io *io);
enum op_status r_pin_longterm(struct target_task *k, struct target_map *m, uint64_t off,
			      uint64_t len);

/* ---- the log (record_log.c) ---- */

/* A new header for @r from the run's configuration and what its source declared. */
void record_header_begin(struct recorder *r, const struct target_config *c,
			 const char *spec);

#endif
