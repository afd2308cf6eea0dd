/*
 * oracle — the shadow of every block's logical content, and the hazard counters.  It
 * only observes: the layers below call it through the hooks the machine installs
 * (a page was modified, a write landed, a block became durable) or directly from the
 * system calls (a read returned, a sync began and ended), and it changes nothing but
 * its own data — the blocks' shadows, the XA_UNSYNCED and XA_DIVERGED marks — and the
 * counters.
 *
 * Content is a version number from one clock shared by every modification, so
 * "older" and "newer" are comparisons of integers.  blk->shadow is the latest version
 * any program wrote (by write(2), a store, a pin holder, or a direct write); blk->disk
 * and blk->durable are what the device holds.  Each hazard is counted at the moment
 * it happens; lost writes and stale cache pages after the final sync.
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
};

void oracle_init(struct oracle *o, const struct mm *mm);

/* Hooks (struct mm_hooks, struct blk_hooks). */
void oracle_modified(void *o, struct page *p, uint64_t old, bool whole_page);
void oracle_landed(void *o, const struct request *rq, const struct bvec *v, uint64_t landed);
void oracle_durable(void *o, struct blk *b);

/* A direct write of @b completed: @version is the content it stands for. */
void oracle_dio_write(struct oracle *o, struct blk *b, uint64_t version);
/* A read by @t returned @content for @b. */
void oracle_read(struct oracle *o, struct task *t, const struct blk *b, uint64_t content);
/* A data-integrity sync of [first, last] of @f begins: remember what must be durable
 * when it returns, in *@snapshot (created as needed; the caller frees it). */
void oracle_sync_begin(struct oracle *o, GArray **snapshot, const struct file *f,
		       uint64_t first, uint64_t last);
/* ... and returned success: was it? */
void oracle_sync_end(struct oracle *o, struct task *t, const GArray *snapshot);
/* After the final sync: lost writes and stale cache pages. */
void oracle_final(struct oracle *o);

#endif
