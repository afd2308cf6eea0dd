/*
 * model.h — the simulated kernel's data structures, shared by the parts of the core
 * (pagecache, mm, writeback, blkq, device, oracle, syscalls).  Drivers (the Lua
 * binding, tests) use sim.h; policies use policy.h.  Names follow the kernel's so a
 * kernel engineer can read the code at once.
 */
#ifndef WBSIM_MODEL_H
#define WBSIM_MODEL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "blkmap.h"
#include "chunk.h"
#include "config.h"
#include "engine.h"
#include "metrics.h"
#include "policy.h"
#include "rng.h"
#include "sim.h"
#include "xarray.h"

struct policy;

/* ---- pages and blocks ---------------------------------------------------- */

enum page_flags {
	PG_uptodate  = 1u << 0,
	PG_dirty     = 1u << 1,
	PG_writeback = 1u << 2,
	PG_locked    = 1u << 3,         /* being read from the device */
	PG_forked    = 1u << 4,         /* left the index by forking; still under I/O */
	PG_bounce    = 1u << 5,         /* a private snapshot used as an I/O buffer */
	PG_error     = 1u << 6,         /* the last write of this copy failed */
	PG_orphan    = 1u << 7,         /* not in any index (forked-off, truncated) */
	PG_inline    = 1u << 8,         /* the copy embedded in its struct blk */
};

/*
 * A page copy.  Content is abstracted to a version: every modification of any copy
 * takes the next value of one global counter, so versions are ordered in time and
 * two copies hold the same data exactly when their versions are equal.
 */
struct page {
	struct blk *blk;                /* the file block this is a copy of */
	uint64_t content;
	uint32_t refcount;              /* index + I/O + PTEs + pins */
	uint32_t pincount;              /* FOLL_PIN references */
	uint32_t dma_slot;              /* device: this copy's writeback awaits its DMA */
	uint16_t flags;
	uint16_t mapcount;              /* PTEs mapping this copy */
};

/*
 * One block of a file: the slot of the page-cache index, the oracle's shadow, and the
 * device's content.  Blocks sit in the file's flat array (blkmap.h) at their page
 * index; an untouched block is all zeroes, which is its initial state, and the index's
 * XA_PRESENT mark says it has been touched.  Per-block flags are marks of the index
 * (XA_DIVERGED, XA_OLDER_INFLIGHT) and older copies in flight are counted in
 * sim->older_inflight, so that a block is exactly one cache line.
 */
struct blk {
	struct page *page;              /* the copy in the page cache index, or NULL */
	uint64_t shadow;                /* latest logical content (what programs wrote) */
	uint64_t disk;                  /* what the device holds, volatile cache included */
	uint64_t durable;               /* what survives a power cut */
	/* The block's first copy lives here, in the block's own line: the common case
	 * (one copy) costs one object and one cache miss, not two. */
	struct page first;
};

_Static_assert(sizeof(struct page) == 32, "a page copy is half a line");
_Static_assert(sizeof(struct blk) == 64, "a block is one cache line");

/* ---- files and address spaces ---------------------------------------------- */

struct file {
	struct sim *sim;
	int ino;
	char *name;
	uint64_t size;
	uint64_t nr_pages;
	uint64_t base_sector;           /* first block on the device */
	struct blk *blocks;             /* indexed by page index (blkmap.h) */
	size_t blocks_bytes;            /* reserved for them */
	struct xarray xa;               /* the index's marks */
	GPtrArray *mappings;            /* i_mmap: every mapping of this file */
	/* writeback state (the inode's) */
	uint64_t nr_dirty;
	simtime_t dirtied_when;
	bool on_dirty_list;
	uint64_t writeback_index;       /* where the flusher's cyclic scan resumes */
	/* errseq: write errors since the last sync that reported one */
	uint32_t wb_err;
	uint32_t wb_err_seen;
};

#define MAX_CPUS 256

struct process {
	struct sim *sim;
	int pid;
	char *name;
	uint64_t cpumask[MAX_CPUS / 64];        /* CPUs that ran this address space */
	unsigned nr_cpus;                       /* bits set in cpumask */
	GPtrArray *mappings;
};

enum pte_bits {
	PTE_PRESENT  = 1u << 0,
	PTE_WRITE    = 1u << 1,
	PTE_DIRTY    = 1u << 2,
};

struct pte {
	struct page *page;
	uint32_t bits;
};

struct mapping {
	struct process *proc;
	struct file *file;
	uint64_t pgoff;                 /* first file page mapped */
	uint64_t nr_pages;
	struct pte *ptes;
	bool unmapped;
	int id;
};

struct pin {
	struct mapping *map;
	uint64_t off, len;              /* bytes of the mapping, as pinned */
	uint64_t first;                 /* first page of the mapping covered */
	uint64_t nr_pages;
	struct page **pages;            /* the copies pinned, whatever the index says later */
	bool released;
	bool for_dio;                   /* FOLL_PIN without FOLL_WRITE: a DIO source */
};

/* ---- tasks ---------------------------------------------------------------------- */

enum stall_cause { STALL_NONE, STALL_STABLE, STALL_PIN, STALL_REFORK, STALL_THROTTLE, STALL_IO };

struct waiter {
	struct waiter *next, *prev;
	const void *key;
	struct task *task;
};

struct request;

/* writeback_control: one pass of write_cache_pages over a file range. */
#define WB_BATCH 16                     /* a folio_batch's worth, near the kernel's 15 */
enum wb_sync_mode { WB_SYNC_NONE, WB_SYNC_ALL };

struct wbc {
	struct file *file;
	uint64_t start, end;            /* page index range, inclusive */
	uint64_t cursor;                /* next index to look at */
	uint64_t prefetched;            /* blocks before this index were prefetched */
	uint64_t refill;                /* prefetch more when the cursor gets here */
	enum wb_sync_mode sync_mode;
	enum xa_tag tag;                /* XA_DIRTY or XA_TOWRITE */
	int64_t nr_to_write;            /* pages left in this pass's budget */
	bool done;
};

enum op_type {
	OP_NONE,
	OP_SLEEP,
	OP_PWRITE,
	OP_PREAD,
	OP_STORE,
	OP_LOAD,
	OP_PIN,
	OP_PIN_WRITE,
	OP_PIN_RELEASE,
	OP_FSYNC,
	OP_MSYNC,
	OP_SYNC_RANGE,
	OP_SYNC,
	OP_DIO_WRITE,
	OP_DIO_READ,
	OP_WAIT_KEY,
	OP_FLUSHER,
	OP_FINAL_SYNC,
};

struct op {
	enum op_type type;
	int phase;
	simtime_t started;
	uint64_t arg_ns;
	struct file *file;
	struct mapping *map;
	struct pin *pin;
	uint64_t off, len;              /* bytes, relative to file / mapping / pin */
	uint64_t first, last;           /* page range being worked on */
	uint64_t cursor;                /* next page of the range */
	unsigned how;                   /* sync_file_range flags, fsync datasync */
	struct mapping *src_map;        /* dio source buffer */
	uint64_t src_off;
	struct wbc wbc;
	GArray *snapshot;               /* oracle: (index, shadow) not durable at sync start */
	GPtrArray *files;               /* sync(2): the files to go through */
	guint file_i;
	struct request *rq;             /* dio / read in flight */
	struct pin *src_pin;
	bool fault_taken;
	simtime_t fault_started;
	int result;                     /* 0 or -EIO */
	const void *wait_key;
	bool (*wait_done)(struct task *t);
	struct pin *out_pin;
	uint64_t progress;               /* flusher: pages submitted this round */
	unsigned pending;               /* requests of this op still in flight */
};

struct task {
	struct sim_event ev;            /* wakeup: cpu time consumed, sleep over, woken */
	struct sim *sim;
	int id;
	int cpu;
	char *name;
	struct process *proc;
	const struct task_driver *drv;
	void *drv_data;
	bool kernel;                    /* flusher, final sync: not a workload task */
	bool done;
	bool blocked;                   /* on a wait queue */
	bool started;
	struct waiter wait;
	enum stall_cause stall;
	simtime_t stall_since;
	struct op op;
	struct request *plug;           /* pages being gathered into one request */
	uint64_t debt;                  /* CPU time incurred by the current step, unpaid */
	struct rng rng;
};

/* ---- block layer and device ------------------------------------------------------ */

enum req_op { REQ_OP_WRITE, REQ_OP_READ, REQ_OP_FLUSH };

struct bvec {
	struct page *page;              /* the buffer the device reads (NULL: anonymous) */
	struct blk *dst;
	uint64_t guard;                 /* content at submission (the checksum) */
	uint64_t data;                  /* content the device read at DMA */
	uint64_t intended;              /* direct I/O: the version this write stands for */
	struct page *cache_page;        /* writeback: the page copy whose I/O this is */
	bool captured;                  /* data was taken before a later modification */
};

struct request;
typedef void (*end_io_fn)(struct sim *s, struct request *rq);

struct request {
	struct sim_event ev;
	struct request *next;           /* scheduler queue, or free list */
	struct request *live_next, *live_prev;
	struct device *dev;
	enum req_op op;
	bool dio;
	bool dma_done;
	bool lazy_dma;                  /* data read at completion, or when modified after dma_time */
	simtime_t dma_time;
	struct file *file;
	uint64_t sector;                /* first block on the device */
	simtime_t submitted, dispatched, service;
	int status;
	end_io_fn end_io;
	void *private;
	uint64_t flush_upto;            /* REQ_OP_FLUSH: completions it covers */
	unsigned nr, cap;
	struct bvec vec[];
};

struct device;

/* ---- the simulation ----------------------------------------------------------------- */

#define WAITQ_BITS 12

struct sim {
	struct engine *eng;
	struct sim_config cfg;
	struct metrics *m;
	struct policy *policy;
	struct device *dev;
	GPtrArray *files;
	GPtrArray *procs;
	GPtrArray *tasks;
	GPtrArray *pins;
	GPtrArray *maps;
	uint64_t version;               /* the content version clock */
	uint64_t next_sector;
	/* writeback accounting */
	uint64_t nr_dirty;
	uint64_t nr_writeback;
	uint64_t dirty_thresh, bg_thresh;
	GQueue dirty_files;             /* b_dirty, oldest dirtied_when first */
	struct task *flusher;
	struct sim_event flusher_timer;
	bool flusher_kicked;
	bool flusher_busy;
	bool kupdate_due;
	/* tasks */
	int nr_live_tasks;              /* workload tasks not yet done */
	int nr_stalled;
	int nr_throttled;
	struct waiter waitq[1u << WAITQ_BITS];
	/* page allocation */
	void *free_pages;               /* free lists threaded through the objects */
	struct chunk_pool pool;         /* page copies other than blocks' first */
	GHashTable *older_inflight;     /* blk -> forked copies of it still under I/O */
#define REQ_CLASSES 24
	struct request *free_requests[REQ_CLASSES];
	struct request *live_requests;
	uint64_t pages_alive;
	/* run state */
	bool final_phase;
	enum sim_end end;
	simtime_t workload_end;
	sim_trace_fn trace;
	void *trace_data;
	struct sim_event sampler;
	sim_sample_fn sample_fn;
	void *sample_data;
	GString *errmsg;
};

#define MAX_FILE_PAGES (1ull << 32)

static inline struct file *blk_file(const struct blk *b)
{
	return blkmap_owner(b);
}

static inline uint64_t blk_index(const struct blk *b)
{
	return (uint64_t)(b - blk_file(b)->blocks);
}

static inline void blk_set_tag(struct blk *b, enum xa_tag tag)
{
	struct file *f = blk_file(b);
	xa_set_tag(&f->xa, (uint64_t)(b - f->blocks), tag);
}

static inline void blk_clear_tag(struct blk *b, enum xa_tag tag)
{
	struct file *f = blk_file(b);
	xa_clear_tag(&f->xa, (uint64_t)(b - f->blocks), tag);
}

static inline bool blk_get_tag(const struct blk *b, enum xa_tag tag)
{
	struct file *f = blk_file(b);
	return xa_get_tag(&f->xa, (uint64_t)(b - f->blocks), tag);
}

/*
 * Start fetching what touching page @index of @f needs: its block, and the index node
 * with its marks.  Both addresses are arithmetic, so the two misses overlap, and they
 * can start before whatever else (a PTE) says which copy of the page to touch.
 */
static inline void blk_prefetch(const struct file *f, uint64_t index)
{
	__builtin_prefetch(&f->blocks[index], 1);
	__builtin_prefetch(xa_leaf_word(&f->xa, index, XA_PRESENT), 1);
}

/* ---- internal interfaces between the parts --------------------------------------------- */

/* pagecache.c */
struct blk *blk_get(struct file *f, uint64_t index);           /* marks it present */
struct page *page_alloc(struct sim *s, struct blk *b);
void page_get(struct page *p);
void page_put(struct sim *s, struct page *p);
void set_page_dirty(struct sim *s, struct page *p);
void clear_page_dirty(struct sim *s, struct page *p);          /* accounting + tags */
void page_set_writeback(struct sim *s, struct page *p);
void page_end_writeback(struct sim *s, struct page *p);
struct page *page_fork(struct sim *s, struct task *t, struct page *old, struct mapping *fault_map,
		       uint64_t fault_idx);
bool page_in_index(const struct page *p);
bool remove_from_page_cache(struct sim *s, struct page *p);     /* invalidation */
void page_modify(struct sim *s, struct page *p, bool whole_page);
uint64_t pages_of(uint64_t off, uint64_t len, uint64_t *first);  /* count; first page */

/* task.c */
bool task_charge(struct task *t, uint64_t ns);                 /* false: must yield */
/* Incur CPU time (and account it to @cause unless M_NR_COUNTERS); paid by task_pay. */
static inline void task_cost(struct task *t, uint64_t ns, enum metric_counter cause)
{
	if (!t)
		return;
	t->debt += ns;
	if (cause != M_NR_COUNTERS)
		t->sim->m->c[cause] += ns;
}
static inline bool task_pay(struct task *t)
{
	uint64_t d = t->debt;
	t->debt = 0;
	return task_charge(t, d);
}
enum op_status task_kernel_op(struct task *t, enum op_type type);
void task_wait(struct task *t, const void *key, enum stall_cause cause);
void wake_up_key(struct sim *s, const void *key);
void task_sleep_until(struct task *t, simtime_t when);
void task_plug_flush(struct task *t);
void task_account(struct task *t, enum metric_counter cause, uint64_t ns);

/* mm.c */
void mm_mkclean(struct sim *s, struct task *t, struct page *p);
void mm_prefetch_ptes(struct file *f, uint64_t index);
void mm_repoint(struct sim *s, struct task *t, struct page *old, struct page *new,
		struct mapping *fault_map, uint64_t fault_idx);
void mm_zap_page(struct sim *s, struct task *t, struct page *p);
enum op_status fault_in(struct task *t, struct mapping *m, uint64_t i, bool write,
			enum modify_source src);
unsigned mm_remote_cpus(const struct process *p, int cpu);

/* writeback.c */
void balance_dirty_pages_check(struct sim *s);
bool balance_dirty_pages(struct task *t);                      /* false: blocked */
enum wb_result { WB_DONE, WB_BLOCKED };
enum wb_result write_cache_pages(struct task *t, struct wbc *wbc);
void wbc_init(struct wbc *w, struct file *f, uint64_t start, uint64_t end,
	      enum wb_sync_mode mode, enum xa_tag tag, int64_t nr);
void tag_pages_for_writeback(struct file *f, uint64_t start, uint64_t end);
bool wait_on_writeback_range(struct task *t, struct file *f, uint64_t *cursor, uint64_t start,
			     uint64_t end, bool forked_too);
void flusher_init(struct sim *s);
void flusher_kick(struct sim *s);
void file_mark_dirty(struct sim *s, struct file *f);
void file_maybe_clean(struct sim *s, struct file *f);
enum op_status flusher_step(struct task *t);

/* blkq.c */
struct request *request_alloc(struct sim *s, unsigned nr);
void request_free(struct sim *s, struct request *rq);
void request_pool_destroy(struct sim *s);
void submit_page_write(struct task *t, struct page *p, bool bounce);
void submit_request(struct sim *s, struct request *rq);

/* device.c */
struct device *device_new(struct sim *s);
void device_free(struct device *d);
void device_submit(struct device *d, struct request *rq);
unsigned device_inflight(const struct device *d);
unsigned device_queued(const struct device *d);
bool device_idle(const struct device *d);
void device_note_volatile(struct device *d, struct blk *b);
struct request *device_flush_request(struct device *d);
void device_flush_all(struct device *d);
void device_before_modify(struct device *d, struct page *p);

/* oracle.c */
void oracle_modified(struct sim *s, struct page *p, bool whole_page);
void oracle_landed(struct sim *s, struct request *rq, struct bvec *v, uint64_t landed);
void oracle_durable(struct sim *s, struct blk *b);
void oracle_dio_write(struct sim *s, struct blk *b, uint64_t version);
void oracle_read(struct sim *s, struct task *t, struct blk *b, uint64_t content);
void oracle_sync_begin(struct sim *s, struct op *op, struct file *f, uint64_t first, uint64_t last);
void oracle_sync_end(struct sim *s, struct task *t, struct op *op);
void oracle_final(struct sim *s);

/* syscalls: rw.c, sync.c, dio.c */
struct pin *pin_new(struct sim *s, struct mapping *m, uint64_t first, uint64_t n);
void pin_page(struct pin *pin, uint64_t k, struct page *p);
void pin_release(struct sim *s, struct pin *pin);
enum op_status op_pwrite(struct task *t);
enum op_status op_pread(struct task *t);
enum op_status op_store(struct task *t);
enum op_status op_load(struct task *t);
enum op_status op_pin(struct task *t);
enum op_status op_pin_write(struct task *t);
enum op_status op_pin_release(struct task *t);
enum op_status op_fsync(struct task *t);
enum op_status op_sync_range(struct task *t);
enum op_status op_sync(struct task *t);
enum op_status op_dio_write(struct task *t);
enum op_status op_dio_read(struct task *t);
enum op_status read_page(struct task *t, struct blk *b, struct page **out);

/* sim.c */
void sim_check_quiescent(struct sim *s);
void sim_check_deadlock(struct sim *s);

/* trace.c */
void trace_event(struct sim *s, struct task *t, const char *event, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);
#define TRACE(s, t, ev, ...) do { if ((s)->trace) trace_event((s), (t), (ev), __VA_ARGS__); } while (0)

static inline struct sim *task_sim(struct task *t) { return t->sim; }
static inline simtime_t sim_now(struct sim *s) { return engine_now(s->eng); }
static inline const struct cost_cfg *costs(struct sim *s) { return &s->cfg.cost; }

#endif
