/*
 * oplog — op logs: a run's workload as text, one operation per line
 * (scenarios/OPLOG.md is the specification; this header is its C face).
 *
 * A log is a header (format version, the configuration the run had, the scenario's
 * name and expectations, the files, processes, mappings, tasks and events declared
 * before the run) followed by op lines, each naming the task that issued it:
 *
 *     wbsim-oplog 1
 *     file f1 name="data" size=1MiB
 *     task t1 name="writer"
 *     t1 @0 +0 pwrite f1 0 4096
 *     t1 @20300 +0 fsync f1
 *
 * Writing: oplog_writer_*, one call per line.  Reading: oplog_open() parses the
 * header; then one cursor per task yields that task's ops in order, each cursor
 * scanning the file with its own small buffer, so memory does not grow with the
 * log's length whatever order the tasks' lines interleave in.  oplog_check() reads
 * the whole log once and checks everything a cursor cannot see alone (ids declared
 * before use, ranges inside their file, mapping or pin, ops after a task's exit).
 * Every error is "file:line: problem".
 */
#ifndef WBSIM_OPLOG_H
#define WBSIM_OPLOG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/config.h"

#define OPLOG_MAGIC "wbsim-oplog"
/* The newest format this code reads and writes; a reader takes any version up to
 * it and refuses ops newer than the version its log's header names. */
#define OPLOG_VERSION 2u

#define OPLOG_ERROR (oplog_error_quark())
GQuark oplog_error_quark(void);

enum oplog_error {
	OPLOG_ERROR_IO,         /* cannot open, read or write a file */
	OPLOG_ERROR_PARSE,      /* a malformed line: "file:line: problem" */
	OPLOG_ERROR_CHECK,      /* a well-formed line that breaks a rule of the format */
};

/* Every op of SCENARIO_API.md "Inside a task", and the declarations a task may make
 * (version 1); the "Additions" (version 2): buffers, their accesses, Io handles. */
enum oplog_kind {
	OPL_PWRITE, OPL_PREAD, OPL_STORE, OPL_LOAD, OPL_FSYNC, OPL_FDATASYNC,
	OPL_SYNC_RANGE, OPL_DIO_WRITE, OPL_DIO_READ, OPL_MSYNC, OPL_UNMAP, OPL_PIN,
	OPL_PIN_WRITE, OPL_PIN_RELEASE, OPL_SYNC, OPL_SLEEP, OPL_YIELD, OPL_EVENT,
	OPL_EVENT_SET, OPL_EVENT_WAIT, OPL_SPAWN, OPL_JOIN, OPL_EXIT, OPL_MMAP, OPL_FILE,
	OPL_PROCESS,
	/* version 2 */
	OPL_ALLOC, OPL_BUF_STORE, OPL_BUF_LOAD, OPL_IO_WAIT,
	OPL__COUNT
};

/* An op's name as the log writes it ("pwrite", "sync_range", ...). */
const char *oplog_kind_name(enum oplog_kind k);
/* The format version that introduced it. */
unsigned oplog_kind_since(enum oplog_kind k);
struct oplog_op;
/* The lowest format version that has @op: its kind's, or 2 for a version-1 op with a
 * version-2 field (dio from=bN, to=, async=; pin longterm). */
unsigned oplog_op_version(const struct oplog_op *op);

/*
 * One op.  Ids are positive; 0 means none.  Which fields an op uses:
 *   pwrite pread                     file off len
 *   dio_write                        file off len [map or buf = source, at = offset
 *                                    in it] [io = its handle: async]
 *   dio_read                         file off len [buf = destination, at] [io]
 *   fsync fdatasync                  file
 *   sync_range                       file off len how (SYNC_FILE_RANGE_* of sim.h)
 *   store load msync                 map off len
 *   unmap                            map
 *   pin                              map off len pin (the pin it creates) [longterm]
 *   pin_write                        pin off len
 *   pin_release                      pin
 *   sleep                            len (nanoseconds)
 *   event event_set event_wait       event [name: event only]
 *   spawn                            target (the new task) name process cpu at (start delay ns)
 *   join                             target
 *   mmap                             map (new) process file off len
 *   file                             file (new) name len (size)
 *   process                          process (new) name
 *   sync yield exit                  nothing
 *   alloc                            buf (new) process len (size)
 *   buf_store buf_load               buf off len
 *   io_wait                          io
 */
struct oplog_op {
	enum oplog_kind kind;
	uint32_t task;                  /* who issued it */
	uint64_t issue;                 /* ns since the run began */
	uint64_t think;                 /* ns since the task's previous op completed
					   (or since it started) */
	uint32_t file, map, pin, event, target, process;
	uint32_t buf, io;               /* version 2: a Buffer, an Io handle */
	bool longterm;                  /* pin: FOLL_LONGTERM (version 2) */
	uint64_t off, len, at;
	unsigned how;
	int cpu;                        /* spawn: -1 = a CPU of its own */
	const char *name;               /* declarations; valid until the next read */
	/* Where it was read (0 when written by a program). */
	uint64_t line;
	uint64_t next_pos;              /* byte offset of the next line: spawn passes it
					   to oplog_cursor_new for the new task */
};

/* ---- the header ------------------------------------------------------------------ */

/* Declarations before the run; @line is where a reader found them (0: not read). */
struct oplog_file { uint32_t id; char *name; uint64_t size; uint64_t line; };
struct oplog_process { uint32_t id; char *name; uint64_t line; };
struct oplog_map { uint32_t id, process, file; uint64_t offset, size; uint64_t line; };
struct oplog_task {
	uint32_t id; char *name; uint32_t process; int cpu; uint64_t start; uint64_t line;
};
struct oplog_event { uint32_t id; char *name; uint64_t line; };
struct oplog_buffer { uint32_t id, process; uint64_t size; uint64_t line; };       /* v2 */
struct oplog_param { char *name, *value, *description; };
struct oplog_expect { char *pattern, *metric, *predicate, *where; uint64_t line; };

struct oplog_header {
	unsigned version;
	char *name;                     /* NULL: none */
	char *description;
	GPtrArray *policies;            /* of char *, in order */
	GArray *policy_lines;           /* of uint64_t: where each was read (0: not read) */
	struct sim_config cfg;          /* seed, duration, device, writeback, costs */
	/* Which fields the header set, for sim_config_finish and for overriding. */
	bool stable_writes_set, bandwidth_set, flush_set;
	GArray *files;                  /* of struct oplog_file, declared before the run */
	GArray *processes;              /* of struct oplog_process */
	GArray *maps;                   /* of struct oplog_map */
	GArray *tasks;                  /* of struct oplog_task */
	GArray *events;                 /* of struct oplog_event */
	GArray *buffers;                /* of struct oplog_buffer (version 2) */
	GArray *params;                 /* of struct oplog_param (sim.param, informative) */
	GArray *expects;                /* of struct oplog_expect */
	GPtrArray *comments;            /* of char *: "# " lines written after the magic */
};

/* Defaults everywhere (version OPLOG_VERSION, sim_config_defaults), nothing declared. */
struct oplog_header *oplog_header_new(void);
void oplog_header_free(struct oplog_header *h);
/* Declarations for writers; strings are copied. */
void oplog_header_add_file(struct oplog_header *h, uint32_t id, const char *name, uint64_t size);
void oplog_header_add_process(struct oplog_header *h, uint32_t id, const char *name);
void oplog_header_add_map(struct oplog_header *h, uint32_t id, uint32_t process, uint32_t file,
			  uint64_t offset, uint64_t size);
void oplog_header_add_task(struct oplog_header *h, uint32_t id, const char *name,
			   uint32_t process, int cpu, uint64_t start);
void oplog_header_add_event(struct oplog_header *h, uint32_t id, const char *name);
void oplog_header_add_buffer(struct oplog_header *h, uint32_t id, uint32_t process,
			     uint64_t size);
/* The lowest format version that has every header line of @h. */
unsigned oplog_header_needs(const struct oplog_header *h);
/* Set configuration fields of @section ("device", "writeback" or "costs") as a
 * header line would, from @fields: "KEY=VALUE", several separated by commas or
 * blanks (overriding a log's configuration from the command line).  A message
 * starts with @who. */
bool oplog_header_override(struct oplog_header *h, const char *section, const char *fields,
			   const char *who, GError **err);

/* ---- writing ------------------------------------------------------------------------ */

struct oplog_writer;

/* Lines go to a temporary file beside @path, renamed to @path by commit: an
 * interrupted or failed writer leaves no partial log.  The log's first line names
 * the lowest version that has every line written (h->version is not looked at):
 * commit rewrites its digit if an op written after the header needed a newer one.  Ops may be written before
 * the header (an importer learns file sizes only at the end): they are held in an
 * unlinked spool file and placed after the header when it comes. */
struct oplog_writer *oplog_writer_open(const char *path, GError **err);
void oplog_writer_header(struct oplog_writer *w, const struct oplog_header *h);
void oplog_writer_op(struct oplog_writer *w, const struct oplog_op *op);
/* A comment line among the ops. */
void oplog_writer_comment(struct oplog_writer *w, const char *text);
uint64_t oplog_writer_ops(const struct oplog_writer *w);
/* Flush, rename into place and free; false (and nothing at @path) on a write error
 * or when no header was given. */
bool oplog_writer_commit(struct oplog_writer *w, GError **err);
/* Free and remove the temporary file. */
void oplog_writer_abort(struct oplog_writer *w);

/* One op as its line, without the newline (tests, messages).  g_free it. */
char *oplog_format_op(const struct oplog_op *op);

/* ---- reading ------------------------------------------------------------------------ */

struct oplog;
struct oplog_cursor;

/* Whether @path starts with the op-log magic line (how `wbsim run` tells a log
 * from a scenario). */
bool oplog_sniff(const char *path);

/* Parse the header; the ops are read later, through cursors. */
struct oplog *oplog_open(const char *path, GError **err);
void oplog_close(struct oplog *log);
const struct oplog_header *oplog_header(const struct oplog *log);
const char *oplog_path(const struct oplog *log);

/* Read every line once and check the rules a single task's cursor cannot (see
 * OPLOG.md "Rules"); counts the ops when @nops is not NULL. */
bool oplog_check(struct oplog *log, uint64_t *nops, GError **err);

/* The ops of @task, from byte offset @pos (0: the first op line; a spawned task:
 * the spawn op's next_pos) and line number @line of that offset (0 with pos 0).
 * @task 0 reads every task's ops, in file order. */
struct oplog_cursor *oplog_cursor_new(struct oplog *log, uint32_t task, uint64_t pos,
				      uint64_t line);
/* 1: an op in @op; 0: the task has no more (after its exit op, or at the end of the
 * log); -1: a malformed line, in @err. */
int oplog_cursor_next(struct oplog_cursor *c, struct oplog_op *op, GError **err);
void oplog_cursor_free(struct oplog_cursor *c);

#endif
