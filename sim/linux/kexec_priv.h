/*
 * kexec_priv.h — what the parts of the kernel executor share; not a public interface.
 *
 *   kexec_decl.c     declarations, accessors, errors
 *   kexec_pattern.c  the byte patterns ops write, summaries of bytes read (runs)
 *   kexec_files.c    creating the files, their descriptors, reading them back
 *   kexec_spawn.c    kx_start / kx_finish: shared slots, helper processes, threads
 *   kexec_worker.c   a worker: each operation's system calls, timed
 *   kexec_ops.c      the operations as the driver calls them
 *   kexec_buf.c      Buffers (proc:alloc) and direct I/O with every option, async included
 *   kexec_uring.c    a worker's io_uring: asynchronous direct I/O and its reaper thread
 *   kexec_loop.c     kx_run: resuming tasks, timers, events, completions
 *   kexec_history.c  what was written where and when: candidates per byte range
 *   kexec_check.c    judging bytes against the candidates; reads; dio copies
 *   kexec_verify.c   kx_verify: the files read back
 *   kexec_measure.c  which metrics the kernel target measures
 *
 * Between the calling process and a worker (a thread of it or of a helper) there is
 * one slot per task in MAP_SHARED memory made before the fork: the loop writes a
 * request into it and rings the task's doorbell (a socket); the worker performs it,
 * writes the reply and the summary of any bytes read, and posts the task's index on
 * the completion pipe that every worker shares.
 */
#ifndef WBSIM_KEXEC_PRIV_H
#define WBSIM_KEXEC_PRIV_H

#include "linux/kexec.h"

#include <sys/types.h>

#define KX_PAGE 4096u
/* The longest file name (a path below the run's directory) a scenario may declare. */
#define KX_PATH_MAX 1024
#define KX_NONE UINT32_MAX
#define KX_SLOT_RUNS 8192u              /* summary runs a reply can carry */
#define KX_MSG_READY 0x80000000u        /* completion-pipe message: helper i is ready */
#define KX_ESHORT (-1)                  /* reply error: a transfer stopped short, no errno */
#define KX_MSG_IO 0x40000000u           /* completion-pipe message: async I/O slot i completed */
#define KX_BUFREC 0x40000000u           /* file index of a Buffer (records, mapping ids) */
#define KX_IO_PER_TASK 32u              /* asynchronous I/Os a task may have in flight */
#define KX_POSTED_BYTES 64u             /* the shared word kx_posted bumps, alone on its line */
#define KX_IO_RUNS 2048u                /* summary runs an async I/O's slot can carry */

/* ---- patterns and runs (kexec_pattern.c) ---------------------------------------------- */

/*
 * Byte p of a file written by op N holds byte (p mod 8) of the word kx_pattern(N).
 * Every 8-byte-aligned word of an op is the same, so a word copied between a mapping
 * and a file at any 8-aligned distance (O_DIRECT needs 512) still names its op, and
 * the check is an equality of words.  No byte of a pattern is zero, so zeroes (a hole,
 * a lost page) never pass as any op's data.
 */
uint64_t kx_pattern(uint32_t op);
static inline uint8_t kx_byte(uint64_t word, uint64_t pos)
{
	return (uint8_t)(word >> (8 * (pos & 7)));
}
/* Fill @dst, which holds file positions [@pos, @pos+@len), with @word's bytes. */
void kx_fill(void *dst, uint64_t pos, uint64_t len, uint64_t word);

/* Bytes [from, to) of a file each hold byte (p mod 8) of word. */
struct kx_run {
	uint64_t from, to, word;
};
/* Summarise @src (file positions [@pos, @pos+@len)) as runs; false when more than @max
 * were needed (then *@n is meaningless). */
bool kx_summarise(const void *src, uint64_t pos, uint64_t len, struct kx_run *runs, uint32_t max,
		  uint32_t *n);
/* Write the bytes the runs describe, clipped to [@pos, @pos+@len), into @dst. */
void kx_materialise(const struct kx_run *runs, uint32_t n, uint64_t pos, uint64_t len, void *dst);
/* A 64-bit hash of @len bytes (stale cache pages). */
uint64_t kx_hash(const void *p, size_t len);

/* ---- the declared world ------------------------------------------------------------------- */

struct kx_segs;

struct kx_file {
	struct kx *kx;
	uint32_t idx;
	char *name;
	uint64_t size;
	int fd, dfd;                    /* buffered, O_DIRECT */
	uint32_t init_op;               /* the op id of the initial content */
	struct kx_segs *segs;           /* kexec_history.c */
	uint64_t *cache_hash;           /* per page, read through the cache by kx_finish */
};

struct kx_proc {
	struct kx *kx;
	uint32_t idx;
	char *name;
	pid_t pid;                      /* 0 until forked */
	int pidfd;
	bool ready, reaped;
};

struct kx_map {
	uint32_t id;
	struct kx_proc *proc;           /* NULL: the calling process */
	struct kx_file *file;
	uint64_t off, size;
	bool unmapped;
};

struct kx_pin {
	struct kx_map *map;
	uint64_t off, len;
	bool released;
};

enum kx_opkind {
	KX_OP_NONE, KX_OP_PWRITE, KX_OP_PREAD, KX_OP_STORE, KX_OP_LOAD, KX_OP_FSYNC,
	KX_OP_MSYNC, KX_OP_SYNC_RANGE, KX_OP_SYNC, KX_OP_DIO_WRITE, KX_OP_DIO_READ, KX_OP_PIN,
	KX_OP_PIN_WRITE, KX_OP_MUNMAP, KX_OP_BUF_STORE, KX_OP_BUF_LOAD, KX_OP_NR
};
const char *kx_op_name(enum kx_opkind k);

/* A mapping as a worker needs to know it: enough to make it if its process has not.
 * A Buffer is one too: id and file KX_BUFREC | its index, off 0. */
struct kx_mapgeo {
	uint32_t id, file;
	uint64_t off, size;
};

struct kx_req {
	enum kx_opkind kind;
	uint32_t file;                  /* file ops; dio_write's destination */
	uint32_t flags;                 /* fsync: datasync; sync_range: how */
	int fail_errno;                 /* kx_test_fail_next */
	uint64_t off, len;              /* in the file, or in the mapping for mapping ops */
	struct kx_mapgeo map;           /* mapping ops; dio_write's source (id KX_NONE: none) */
	uint64_t src_off;               /* dio_write: offset in the source mapping */
	uint64_t word;                  /* the pattern a writing op writes */
	bool async;                     /* dio: submitted through the worker's io_uring */
	uint32_t ioslot;                /* ... into this async I/O slot */
};

struct kx_reply {
	int err;                        /* 0 or an errno */
	int64_t t_start, t_end;         /* CLOCK_MONOTONIC ns around the system call(s) */
	int64_t t_snap;                 /* dio_write from a mapping: before the source was read */
	int64_t t_after;                /* dio_read into a Buffer: after it was summarised */
	uint32_t nruns;                 /* the bytes read (or a dio_write's source), summarised */
	bool overflow;                  /* ... did not fit in the slot */
	pid_t pid;
	uint64_t addr;
};

/* A worker's doorbell, when the loop busy-waits (kx_set_spin): the worker, done with
 * an op, spins a while in KX_BELL_SPINNING, and the loop hands it the next op by
 * turning that into KX_BELL_RUNG, without the doorbell's system calls and wakeup;
 * otherwise (KX_BELL_IDLE) the loop sends on the doorbell socket. */
enum { KX_BELL_IDLE, KX_BELL_SPINNING, KX_BELL_RUNG };

struct kx_slot {
	uint32_t bell;
	struct kx_req req;
	struct kx_reply rep;
	struct kx_run runs[KX_SLOT_RUNS];
};

/* An asynchronous direct I/O, between the worker that submits it (start, snap and a
 * write's source summary), the reaper that reaps its completion (err, end, a read's
 * summary) and the loop that accounts it once the reaper posted KX_MSG_IO | index. */
struct kx_ioslot {
	int err;
	int64_t t_start, t_end, t_snap, t_after;
	uint32_t nruns;
	bool overflow;
	struct kx_run runs[KX_IO_RUNS];
};

/* What a helper reports if it cannot start (shared memory, after the slots). */
struct kx_pstat {
	char msg[256];
};

enum kx_tstate { KX_T_NEW, KX_T_READY, KX_T_RUNNING, KX_T_INFLIGHT, KX_T_SLEEPING,
		 KX_T_WAITING, KX_T_DONE };

struct kx_task {
	struct kx *kx;
	uint32_t idx;
	char *name;
	struct kx_proc *proc;
	uint64_t start_ns;
	void *data;
	enum kx_tstate state;
	int bell[2];                    /* doorbell socketpair: [0] the loop's end, [1] the worker's */
	GThread *thread;                /* a worker of the calling process */
	/* the operation in flight, as the loop knows it */
	struct kx_req req;
	uint32_t op;                    /* its op id */
	int64_t dispatched;             /* ns since the run's start */
	struct kx_map *map;
	struct kx_pin *pin;
	int fail_next;
	/* after it */
	int result;
	struct kx_pin *result_pin;
	struct kx_io *io;               /* the async I/O being submitted */
	struct kx_io *result_io;
	uint32_t io_busy;               /* its async I/O slots in use, a bit each */
	pid_t last_pid;
	uint64_t last_addr;
	/* sleeping / waiting */
	int64_t deadline;
	uint64_t timer_seq;
	GSequenceIter *timer;
	const void *wait_key;
};

/* A Buffer: its bytes' history is kept like a file's, in @shell (no descriptors, no
 * disk; name "Buffer N of process 'p'", idx KX_BUFREC | N). */
struct kx_buf {
	uint32_t idx;
	struct kx_proc *proc;
	uint64_t size;
	struct kx_file shell;
};

/* An async I/O as the loop knows it, from its dispatch until it was both completed
 * and waited for. */
struct kx_io {
	struct kx_task *t;              /* who submitted it */
	uint32_t slot;                  /* kx->ioslots index */
	uint32_t op;
	struct kx_req req;
	int64_t dispatched;
	bool completed;
	int result;                     /* 0 or -EIO */
	struct kx_task *waiter;
};

struct kx_history;

struct kx {
	char *dir, *scratch_dir;
	int dirfd;
	struct kx_hooks hooks;
	GPtrArray *files, *procs, *maps, *tasks, *pins, *bufs;
	bool prepared, started, running, finished, verified;
	unsigned dio_align;
	struct metrics *m;
	/* shared with the workers */
	struct kx_slot *slots;
	struct kx_pstat *pstat;
	struct kx_ioslot *ioslots;      /* KX_IO_PER_TASK per task */
	struct kx_io **io_by_slot;      /* in flight, by slot */
	GHashTable *ios;                /* every struct kx_io not yet both completed and waited */
	unsigned ios_inflight;
	size_t shared_bytes;
	int done[2];                    /* completion pipe */
	uint32_t *posted;               /* shared: bumped after every message on it */
	int64_t spin_ns;                /* the loop's busy wait before it sleeps (kx_set_spin) */
	uint64_t rung;                  /* ops handed to a spinning worker, not by its socket */
	pid_t parent;
	struct kx_space *local;         /* the calling process's mappings */
	/* the loop */
	int64_t t0;                     /* CLOCK_MONOTONIC at the start of kx_run */
	GSequence *timers;
	uint64_t timer_seq;
	GQueue ready;
	GHashTable *waits;              /* key -> GPtrArray of tasks */
	uint32_t next_op;
	unsigned live, inflight;
	bool stop, stopping;
	GError *error;
	struct kx_history *hist;
};

/* kexec_decl.c */
void kx_fail(struct kx *kx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
int64_t kx_mono_ns(void);
/* After a message is on the completion pipe: tell a loop that busy-waits for it. */
static inline void kx_posted(const struct kx *kx)
{
	__atomic_fetch_add(kx->posted, 1, __ATOMIC_RELEASE);
}

static inline struct kx_slot *kx_slot_of(const struct kx *kx, const struct kx_task *t)
{
	return &kx->slots[t->idx];
}

/* The file or Buffer shell a record or mapping geometry names. */
static inline struct kx_file *kx_owner(const struct kx *kx, uint32_t idx)
{
	if (idx & KX_BUFREC)
		return &((struct kx_buf *)kx->bufs->pdata[idx & ~KX_BUFREC])->shell;
	return kx->files->pdata[idx];
}

/* kexec_files.c */
bool kx_files_create(struct kx *kx, GError **err);
bool kx_files_open(struct kx *kx, GError **err);
void kx_files_close(struct kx *kx);
/* Read every file through the page cache and hash each page. */
void kx_files_snapshot_cache(struct kx *kx);
/* Read [@off, @off+@len) of @f from the disk (O_DIRECT) into @buf (aligned); false with
 * *@direct = false when the filesystem refuses O_DIRECT (then read through the cache). */
bool kx_file_read_back(struct kx *kx, struct kx_file *f, int *fd, bool *direct, uint64_t off,
		       uint64_t len, void *buf, GError **err);
char *kx_scratch_path(const struct kx *kx, uint32_t task);

/* kexec_spawn.c */
struct kx_space;
/* The address of mapping @g in the calling process, made if it is not yet; 0 with errno. */
uintptr_t kx_space_addr(struct kx_space *sp, struct kx *kx, const struct kx_mapgeo *g);
uintptr_t kx_space_lookup(struct kx_space *sp, uint32_t id);
int kx_space_unmap(struct kx_space *sp, uint32_t id);
/* A helper has ended: reap it; why, or NULL if it was reaped already. */
char *kx_reap_helper(struct kx *kx, struct kx_proc *p);

/* kexec_worker.c */
struct kx_worker;
/* The body of a worker thread: serve the task's requests until told to quit. */
gpointer kx_worker_main(gpointer data);
struct kx_worker *kx_worker_new(struct kx *kx, struct kx_task *t, struct kx_space *sp);

/* kexec_uring.c: the worker's ring, made at its first async I/O; submit one (0 or an
 * errno; the slot's times and summary are filled), and free it (after the loop drained
 * every I/O: the reaper is told to quit and joined). */
struct kx_ring;
int kx_ring_submit(struct kx_ring **ring, struct kx *kx, struct kx_task *t,
		   const struct kx_req *q, uint8_t *base);
void kx_ring_free(struct kx_ring *ring);

/* kexec_buf.c */
/* The loop's side of async I/O: the reaper posted slot @slot's completion. */
void kx_io_complete(struct kx *kx, uint32_t slot);
/* A wait hands @io's result to the program: an EIO counts in eio_returned then, as
 * the model counts it (at the wait, not at the completion nobody may wait for). */
void kx_io_result_delivered(struct kx *kx, const struct kx_io *io);
/* The submission of @t's async I/O came back (its worker's reply @rep). */
void kx_io_submitted(struct kx *kx, struct kx_task *t, int err);
/* A helper ended: its tasks' async I/Os will never complete. */
void kx_ios_abandon(struct kx *kx, struct kx_proc *p);
/* The earliest dispatch of an async I/O in flight that reads (a source, a file) or
 * writes (a file, a Buffer); INT64_MAX: none. */
int64_t kx_ios_first(struct kx *kx, bool reads);
void kx_bufs_free(struct kx *kx);
/* What a completed op did to the data (its records, reads to judge): the loop's
 * synchronous ops and the reaped async ones alike. */
void kx_account(struct kx *kx, uint32_t task, uint32_t op, const struct kx_req *q, int err,
		int64_t snap, int64_t start, int64_t end, int64_t after, const struct kx_run *runs,
		uint32_t nruns, bool overflow);

/* kexec_loop.c */
char *kx_describe_req(struct kx *kx, const struct kx_req *q);
int kx_latency_kind(enum kx_opkind k);     /* enum op_kind, or -1: not timed */
void kx_dispatch(struct kx_task *t, enum kx_opkind kind);
void kx_make_ready(struct kx *kx, struct kx_task *t);
void kx_timer_add(struct kx *kx, struct kx_task *t, int64_t deadline);
/* Wait for every operation in flight to finish (kx_finish after an error). */
void kx_loop_drain(struct kx *kx);

/* kexec_history.c */
struct kx_record {
	uint32_t op;                    /* its bytes are kx_pattern(op) where runs is NULL */
	uint32_t file;
	uint32_t task;                  /* KX_NONE: the initial content */
	uint8_t kind;                   /* enum kx_opkind */
	bool weak;                      /* failed: may not have landed, so it overrules nothing */
	bool unknown;                   /* content not known (too fragmented): any byte passes */
	bool copy;                      /* a dio_write from a mapping: carries others' bytes */
	int64_t start, end;             /* ns since the run's start; -1 for the initial content */
	uint64_t lo, hi;                /* file positions */
	struct kx_run *runs;            /* copied content, sorted, disjoint; may leave holes */
	uint32_t nruns;
	uint32_t refs;                  /* segments listing it */
};

struct kx_pending;

struct kx_history {
	GArray *records;                /* of struct kx_record, by record id */
	GPtrArray *pending;             /* of struct kx_pending *: reads and copies to judge */
	GPtrArray *notes;               /* of char *: the first problems found */
	uint64_t notes_dropped;
	uint64_t stale_reads, unchecked_reads;
	GHashTable *words;              /* pattern word -> record id + 1, for descriptions */
	guint words_upto;               /* records->len when it was built */
};

struct kx_history *kx_history_new(void);
void kx_history_free(struct kx_history *h);
void kx_segs_init(struct kx_file *f);
void kx_segs_free(struct kx_file *f);
struct kx_record *kx_record_get(struct kx_history *h, uint32_t id);
uint32_t kx_record_count(const struct kx_history *h);
/* Add a record (its runs, if any, are taken over) and prune the ranges it covers. */
uint32_t kx_record_add(struct kx *kx, const struct kx_record *r);
/* Every segment of @f overlapping [lo, hi): its range and candidate record ids. */
typedef void (*kx_seg_fn)(void *data, uint64_t lo, uint64_t hi, const uint32_t *rec, uint32_t n);
void kx_segs_foreach(struct kx_file *f, uint64_t lo, uint64_t hi, kx_seg_fn fn, void *data);
/* The earliest moment a reader not yet judged may have begun (pruning keeps what it
 * could still have seen). */
int64_t kx_horizon(struct kx *kx);

/* kexec_check.c */
/* A read (or a dio_write's source) to judge once every op that began before it ended
 * is known. */
void kx_check_read(struct kx *kx, struct kx_task *t, struct kx_file *f, uint64_t lo, uint64_t hi,
		   int64_t start, int64_t end, const struct kx_run *runs, uint32_t n, bool overflow);
/* The same for task @task's op @op of @kind; @into (NULL: none) is the Buffer the
 * bytes were read into at [@into_lo, ..), summarised by @after: the read is not judged
 * (unchecked_reads) if another write of that range overlapped [@start, @after]. */
void kx_check_read_op(struct kx *kx, uint32_t task, uint32_t op, enum kx_opkind kind,
		      struct kx_file *f, uint64_t lo, uint64_t hi, int64_t start, int64_t end,
		      const struct kx_run *runs, uint32_t n, bool overflow, struct kx_file *into,
		      uint64_t into_lo, int64_t after);
/* A dio_write from a mapping: [@lo, @hi) of @dst got the bytes of [@src_lo, ..) of @src
 * as they were from @snap (when the worker read them, @runs) to @end. */
void kx_check_copy(struct kx *kx, struct kx_task *t, struct kx_file *dst, uint64_t lo, uint64_t hi,
		   struct kx_file *src, uint64_t src_lo, int64_t snap, int64_t start, int64_t end,
		   const struct kx_run *runs, uint32_t n, bool overflow, bool weak);
void kx_check_copy_op(struct kx *kx, uint32_t task, uint32_t op, struct kx_file *dst, uint64_t lo,
		      uint64_t hi, struct kx_file *src, uint64_t src_lo, int64_t snap, int64_t start,
		      int64_t end, const struct kx_run *runs, uint32_t n, bool overflow, bool weak);
/* Judge what is due: @all at the end of the run. */
void kx_check_pending(struct kx *kx, bool all);
void kx_check_pending_free(struct kx_history *h);
int64_t kx_pending_min_start(struct kx *kx);
/* Count the bytes of @buf (positions [lo, hi) of @f) that no acceptable record wrote,
 * by page: for a read between @s and @e, or (s = e = INT64_MAX) the final content. */
uint64_t kx_judge(struct kx *kx, struct kx_file *f, uint64_t lo, uint64_t hi, const uint8_t *buf,
		  int64_t s, int64_t e, GString *why);
void kx_note(struct kx *kx, char *msg);        /* takes @msg */
GPtrArray *kx_take_notes(struct kx *kx);
uint64_t kx_stale_reads(struct kx *kx);
uint64_t kx_unchecked_reads(struct kx *kx);
/* "op 12 (pwrite by 'writer' at 1.250ms)" or "unknown bytes" */
char *kx_describe_word(struct kx *kx, uint64_t word);

#endif
