/*
 * oracle — the shadow of every block's logical content, and the hazard counters.  It
 * only observes: the layers below call it through the hooks the machine installs
 * (a page was modified, a copy settled, a write landed, a block became durable) or
 * directly from the system calls (a read returned, a sync began and ended, a direct
 * write completed), and it changes nothing but its own data — the blocks' shadows,
 * the XA_UNSYNCED, XA_DIVERGED and XA_BRANCHED marks, its tables of heads — and the
 * counters.
 *
 * Content is a version number from one clock shared by every modification, so
 * "older" and "newer" are comparisons of integers.  blk->shadow is the latest version
 * any program wrote (by write(2), a store, a pin holder, or a direct write); blk->disk
 * and blk->durable are what the device holds.  Each hazard is counted at the moment
 * it happens.
 *
 * Lost writes.  A version carries the bytes of the version it was made from (a
 * partial modification of a copy) or of every earlier one (a whole-page modification,
 * a direct write); a block's heads are its versions that no later version carries —
 * one, the shadow, while its writes form one line, more once a copy without the latest
 * content is modified (a fork's old copy written by a pin holder, say).  A head still
 * has a way to the disk when the device holds it, when the page in the index holds it
 * and is dirty, under writeback or pinned (an unpin dirties it), or while an older
 * copy of the block is in flight (decided when that ends).  A head that has none left
 * is a lost write, counted then — when a copy's write ended without it, when it was
 * written into a copy nobody writes back — and never
 * again, whatever later writes do to the block.  Ordinary coalescing loses nothing:
 * the later version carries the earlier one.  After the final sync, lost_at_end counts
 * the blocks whose durable content is not the latest or that diverged (the old
 * end-of-run measure), and any head still without a way to the disk joins lost_writes,
 * so lost_writes always includes what lost_at_end finds.
 */
#ifndef WBSIM_ORACLE_H
#define WBSIM_ORACLE_H

#include <glib.h>

#include "block/block.h"
#include "mm/mm.h"

struct oracle {
	struct metrics *m;
	const struct tracer *tr;
	const struct mm *mm;
	/* The heads of blocks marked XA_BRANCHED (struct blk * -> GArray of struct head);
	 * an unmarked block's one head is its shadow. */
	GHashTable *heads;
	/* With a trace only: who wrote an unmarked block's shadow (struct blk * ->
	 * struct origin), so a lost write names its writer. */
	GHashTable *origins;
};

void oracle_init(struct oracle *o, const struct mm *mm);
void oracle_destroy(struct oracle *o);

/* Hooks (struct mm_hooks, struct blk_hooks). */
void oracle_modified(void *o, struct task *t, struct page *p, uint64_t old, bool whole_page,
		     enum modify_origin origin);
void oracle_settled(void *o, struct page *p);
void oracle_landed(void *o, const struct request *rq, const struct bvec *v, uint64_t landed);
void oracle_durable(void *o, struct blk *b);

/* A direct write of @b by @t completed: @version is the content it stands for. */
void oracle_dio_write(struct oracle *o, struct task *t, struct blk *b, uint64_t version);
/* A read by @t returned @content for @b. */
void oracle_read(struct oracle *o, struct task *t, const struct blk *b, uint64_t content);
/* A data-integrity sync of [first, last] of @f begins: remember what must be durable
 * when it returns, in *@snapshot (created as needed; the caller frees it). */
void oracle_sync_begin(struct oracle *o, GArray **snapshot, const struct file *f,
		       uint64_t first, uint64_t last);
/* ... and returned success: was it?  One violation per call; the trace names every
 * block that was not durable. */
void oracle_sync_end(struct oracle *o, struct task *t, const GArray *snapshot);
/* After the final sync: lost_at_end, the heads still lost, stale cache pages. */
void oracle_final(struct oracle *o);

#endif
