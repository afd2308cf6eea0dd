/*
 * kexec_priv.h — what the parts of the kernel executor share; not a public interface.
 *
 *   kexec_decl.c     declarations, accessors, errors
 *   kexec_pattern.c  the byte patterns ops write, summaries of bytes read (runs)
 *   kexec_files.c    creating the files, their descriptors, reading them back
 *   kexec_spawn.c    kx_start / kx_finish: shared slots, helper processes, threads
 *   kexec_worker.c   a worker: each operation's system calls, timed
 *   kexec_ops.c      the operations as the driver calls them
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
	KX_OP_PIN_WRITE, KX_OP_MUNMAP, KX_OP_NR
};
const char *kx_op_name(enum kx_opkind k);

/* A mapping as a worker needs to know it: enough to make it if its process has not. */
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
};

struct kx_reply {
	int err;                        /* 0 or an errno */
	int64_t t_start, t_end;         /* CLOCK_MONOTONIC ns around the system call(s) */
	int64_t t_snap;                 /* dio_write from a mapping: before the source was read */
	uint32_t nruns;                 /* the bytes read (or a dio_write's source), summarised */
	bool overflow;                  /* ... did not fit in the slot */
	pid_t pid;
	uint64_t addr;
};

struct kx_slot {
	struct kx_req req;
	struct kx_reply rep;
	struct kx_run runs[KX_SLOT_RUNS];
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
	pid_t last_pid;
	uint64_t last_addr;
	/* sleeping / waiting */
	int64_t deadline;
	uint64_t timer_seq;
	GSequenceIter *timer;
	const void *wait_key;
};

struct kx_history;

struct kx {
	char *dir, *scratch_dir;
	int dirfd;
	struct kx_hooks hooks;
	GPtrArray *files, *procs, *maps, *tasks, *pins;
	bool prepared, started, running, finished, verified;
	unsigned dio_align;
	struct metrics *m;
	/* shared with the workers */
	struct kx_slot *slots;
	struct kx_pstat *pstat;
	size_t shared_bytes;
	int done[2];                    /* completion pipe */
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
static inline struct kx_slot *kx_slot_of(const struct kx *kx, const struct kx_task *t)
{
	return &kx->slots[t->idx];
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

/* kexec_loop.c */
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
/* A dio_write from a mapping: [@lo, @hi) of @dst got the bytes of [@src_lo, ..) of @src
 * as they were from @snap (when the worker read them, @runs) to @end. */
void kx_check_copy(struct kx *kx, struct kx_task *t, struct kx_file *dst, uint64_t lo, uint64_t hi,
		   struct kx_file *src, uint64_t src_lo, int64_t snap, int64_t start, int64_t end,
		   const struct kx_run *runs, uint32_t n, bool overflow, bool weak);
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
