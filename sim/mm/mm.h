/*
 * mm — memory and the page cache: page copies and the file blocks they belong to,
 * each file's index with its marks, dirty accounting, forking a page under
 * writeback, invalidation; address spaces with their shared file mappings, PTEs and
 * the rmap walks writeback and forking need; write faults; get_user_pages pins.
 * Names follow the kernel's so a kernel engineer reads the code at once.
 *
 * This layer starts no I/O and judges nothing: reading a block from the device, and
 * telling the device and the oracle that a page is about to change or has changed,
 * go through the hooks that whoever builds the machine installs (as a filesystem
 * installs its address_space_operations).
 */
#ifndef WBSIM_MM_H
#define WBSIM_MM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/chunk.h"
#include "engine/config.h"
#include "engine/trace.h"
#include "metrics/metrics.h"
#include "mm/blkmap.h"
#include "mm/xarray.h"
#include "policy.h"
#include "sched/task.h"

struct sim;

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
	PG_anon      = 1u << 9,         /* anonymous memory: no block, no index, no writeback */
};

/*
 * A page copy.  Content is abstracted to a version: every modification of any copy
 * takes the next value of one clock (mm->version), so versions are ordered in time
 * and two copies hold the same data exactly when their versions are equal.
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
 * One block of a file: the slot of the page-cache index, the device's content of the
 * block, and the oracle's shadow, side by side in one cache line because a write
 * touches all three.  Blocks sit in the file's flat array (blkmap.h) at their page
 * index; an untouched block is all zeroes, which is its initial state, and the
 * index's XA_PRESENT mark says it has been touched.  Per-block flags are marks of the
 * index (XA_DIVERGED, XA_OLDER_INFLIGHT) and older copies in flight are counted in
 * mm->older_inflight, so that a block is exactly one cache line.
 */
struct blk {
	struct page *page;              /* the copy in the page cache index, or NULL */
	uint64_t shadow;                /* oracle: latest logical content (what programs wrote) */
	uint64_t disk;                  /* device: what it holds, volatile cache included */
	uint64_t durable;               /* device: what survives a power cut */
	/* The block's first copy lives here, in the block's own line: the common case
	 * (one copy) costs one object and one cache miss, not two. */
	struct page first;
};

_Static_assert(sizeof(struct page) == 32, "a page copy is half a line");
_Static_assert(sizeof(struct blk) == 64, "a block is one cache line");

/* ---- files and address spaces ---------------------------------------------- */

struct file {
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
#define MAX_FILE_PAGES (1ull << 32)

struct process {
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

/*
 * Anonymous private memory of a process (proc:alloc): pages holding content and
 * nothing else — no file, no index, no writeback.  A store gives a page the next
 * version of the one content clock, so what a direct write takes from the memory at
 * submission (its guard) and at DMA compare as they do for file pages.
 */
struct anon {
	struct process *proc;
	uint64_t size, nr_pages;
	struct page *pages;             /* blk NULL, PG_anon; owned here, never freed early */
	int id;
};

/* A FOLL_LONGTERM pin counts this much in a page's pincount (as the kernel biases
 * its refcount by GUP_PIN_COUNTING_BIAS), so writeback can tell one from the short
 * pins below it without a field of its own. */
#define PIN_LONGTERM_BIAS (1u << 16)

struct pin {
	struct mapping *map;
	uint64_t off, len;              /* bytes of the mapping, as pinned */
	uint64_t first;                 /* first page of the mapping covered */
	uint64_t nr_pages;
	struct page **pages;            /* the copies pinned, whatever the index says later */
	bool released;
	bool for_dio;                   /* FOLL_PIN without FOLL_WRITE: a DIO source */
	bool longterm;                  /* FOLL_LONGTERM: counts PIN_LONGTERM_BIAS */
};

/* Who changes a page's content, for the oracle's account of a lost write. */
enum modify_origin { ORIGIN_WRITE, ORIGIN_STORE, ORIGIN_PIN_WRITE, ORIGIN_DIO_WRITE };

/* ---- the layer's state ------------------------------------------------------ */

struct mm_hooks {
	/* The block layer's read_folio: read @p's block from the device into @p, which
	 * is locked (PG_locked) and holds a reference for the I/O; the read's end
	 * unlocks it, wakes its waiters and drops that reference. */
	void (*read_page)(void *io, struct page *p);
	/* The device's: @p, whose writeback awaits its DMA (p->dma_slot), is about to
	 * change, so a DMA instant already past must see the old content. */
	void (*before_modify)(void *io, struct page *p);
	void *io;
	/* The oracle's: @p was modified by @t (NULL: no task) through @origin; @old was
	 * its content. */
	void (*modified)(void *observer, struct task *t, struct page *p, uint64_t old,
			 bool whole_page, enum modify_origin origin);
	/* The oracle's: copy @p's writeback ended (PG_error: rejected), so it may have
	 * stopped being a way for a write to reach the disk.  (A copy that leaves the
	 * index is clean and unpinned: whatever it held that the disk lacks was lost
	 * when it became so.) */
	void (*settled)(void *observer, struct page *p);
	void *observer;
};

struct mm {
	struct sched *sched;
	struct metrics *m;
	const struct tracer *tr;
	const struct cost_cfg *cost;
	struct policy *policy;
	struct sim *owner;              /* handed to the policy's hooks; opaque here */
	struct mm_hooks hooks;
	uint64_t version;               /* the content clock */
	GPtrArray *files, *procs, *maps, *pins, *anons;
	uint64_t next_sector;           /* where the next file's blocks go on the device */
	/* page allocation */
	void *free_pages;               /* free list threaded through the objects */
	struct chunk_pool pool;         /* page copies other than blocks' first */
	uint64_t pages_alive;
	GHashTable *older_inflight;     /* blk -> forked copies of it still under I/O */
	/* dirty accounting */
	uint64_t nr_dirty;
	uint64_t nr_writeback;
	uint64_t nr_dirtied;            /* pages ever dirtied (the bdi's WB_DIRTIED) */
	uint64_t nr_written;            /* pages whose writeback ended (WB_WRITTEN) */
	GQueue dirty_files;             /* b_dirty, oldest dirtied_when first */
};

void mm_init(struct mm *mm, struct sched *sched, const struct cost_cfg *cost,
	     struct policy *policy, struct sim *owner);
void mm_destroy(struct mm *mm);

/* ---- blocks ------------------------------------------------------------------ */

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

/* Count of the pages [off, off+len) overlaps; *first the first of them. */
uint64_t pages_of(uint64_t off, uint64_t len, uint64_t *first);

/* ---- the page cache (pagecache.c) ---------------------------------------------- */

/* NULL when the address space for its blocks cannot be reserved. */
struct file *mm_file_new(struct mm *mm, const char *name, uint64_t size);
struct blk *blk_get(struct file *f, uint64_t index);           /* marks it present */
struct page *page_alloc(struct mm *mm, struct blk *b);
void page_get(struct page *p);
void page_put(struct mm *mm, struct page *p);
bool page_in_index(const struct page *p);
void set_page_dirty(struct mm *mm, struct page *p);
void clear_page_dirty(struct mm *mm, struct page *p);          /* accounting + tags */
void file_maybe_clean(struct mm *mm, struct file *f);
void page_set_writeback(struct mm *mm, struct page *p);
/* The page's I/O ended: flags, tags, the policy's end_writeback and the waiters;
 * the caller then drops the I/O's reference with page_put. */
void page_end_writeback(struct mm *mm, struct page *p);
/* Give @p the next content version (a write, a store, a pin holder's write by @t). */
void page_modify(struct mm *mm, struct task *t, struct page *p, bool whole_page,
		 enum modify_origin origin);
struct page *page_fork(struct mm *mm, struct task *t, struct page *old,
		       struct mapping *fault_map, uint64_t fault_idx);
/* write_begin's and page_mkwrite's question, asked of the policy when @p is under
 * writeback: the page to modify (a fork's copy perhaps), or NULL after putting @t to
 * sleep.  A fault passes the PTE it is for (@fault_map, @fault_idx), which a fork
 * makes writable; other callers pass NULL. */
struct page *prepare_modify(struct mm *mm, struct task *t, struct page *p,
			    enum modify_source src, struct mapping *fault_map, uint64_t fault_idx);
bool remove_from_page_cache(struct mm *mm, struct page *p);     /* invalidation */
/* The cached copy of @b, read from the device if need be: OP_BLOCKED while the read
 * is in flight (call again when woken). */
enum op_status read_page(struct mm *mm, struct task *t, struct blk *b, struct page **out);
uint64_t mm_cached_pages(const struct mm *mm);
size_t mm_model_bytes(const struct mm *mm);

/* ---- address spaces (mm.c) ------------------------------------------------------- */

struct process *mm_process_new(struct mm *mm, const char *name);
/* MAP_SHARED of [offset, offset+size) of @f; both page aligned and inside the file. */
struct mapping *mm_mmap(struct mm *mm, struct process *p, struct file *f,
			uint64_t offset, uint64_t size);
void mm_munmap(struct mm *mm, struct mapping *m);
/* @cpu runs one of @p's tasks: TLB shootdowns for @p go to it from now on. */
void mm_add_cpu(struct process *p, int cpu);
unsigned mm_remote_cpus(const struct process *p, int cpu);
void mm_mkclean(struct mm *mm, struct task *t, struct page *p);
void mm_prefetch_ptes(struct file *f, uint64_t index);
void mm_repoint(struct mm *mm, struct task *t, struct page *old, struct page *new,
		struct mapping *fault_map, uint64_t fault_idx);
void mm_zap_page(struct mm *mm, struct task *t, struct page *p);

/* ---- anonymous memory (anon.c) ---------------------------------------------------- */

/* @size bytes of zeroed private memory of @p; NULL when it cannot be had. */
struct anon *mm_anon_new(struct mm *mm, struct process *p, uint64_t size);
/* The page of @a holding byte @off. */
static inline struct page *anon_page(struct anon *a, uint64_t off)
{
	return &a->pages[off >> PAGE_SHIFT];
}
/* A CPU store into anonymous page @p: the next content version. */
void anon_modify(struct mm *mm, struct page *p);

/* ---- faults (fault.c) --------------------------------------------------------------- */

/* A fault in progress: its cost and count are taken once, on the first attempt. */
struct fault_state {
	bool taken;
	simtime_t started;
};

enum op_status fault_in(struct mm *mm, struct task *t, struct fault_state *fs,
			struct mapping *m, uint64_t i, bool write, enum modify_source src);

/* ---- get_user_pages pins (gup.c) ------------------------------------------------------ */

struct pin *pin_new(struct mm *mm, struct mapping *m, uint64_t first, uint64_t n);
void pin_page(struct pin *pin, uint64_t k, struct page *p);
/* @p is held by a FOLL_LONGTERM pin: its holder may write it at any moment. */
static inline bool page_longterm_pinned(const struct page *p)
{
	return p->pincount >= PIN_LONGTERM_BIAS;
}
/* unpin_user_pages_dirty_lock (the pages are dirtied unless the pin fed a DIO). */
void pin_release(struct mm *mm, struct pin *pin);

#endif
