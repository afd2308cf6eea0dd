/*
 * oracle — see oracle.h.  Every function reads the model and writes only the oracle's
 * own data (shadows, the XA_UNSYNCED and XA_DIVERGED marks) and the counters.
 */
#include "check/oracle.h"

void oracle_init(struct oracle *o, const struct mm *mm)
{
	o->m = mm->m;
	o->tr = mm->tr;
	o->mm = mm;
}

/* Copy @p was modified.  If it did not hold the latest content (@old), the result
 * lacks somebody's update: the block has diverged, unless the whole page was
 * overwritten. */
void oracle_modified(void *o, struct page *p, uint64_t old, bool whole_page)
{
	(void)o;
	struct blk *b = p->blk;
	if (whole_page)
		blk_clear_tag(b, XA_DIVERGED);
	else if (old != b->shadow)
		blk_set_tag(b, XA_DIVERGED);
	b->shadow = p->content;
	blk_set_tag(b, XA_UNSYNCED);
}

void oracle_dio_write(struct oracle *o, struct blk *b, uint64_t version)
{
	(void)o;
	b->shadow = version;
	blk_clear_tag(b, XA_DIVERGED);
	blk_set_tag(b, XA_UNSYNCED);
}

void oracle_durable(void *o, struct blk *b)
{
	(void)o;
	if (b->durable == b->shadow)
		blk_clear_tag(b, XA_UNSYNCED);
}

void oracle_landed(void *obs, const struct request *rq, const struct bvec *v, uint64_t landed)
{
	(void)rq;
	struct oracle *o = obs;
	const struct blk *b = v->dst;
	if (landed == b->disk) {
		metrics_inc(o->m, M_REDUNDANT_WRITES);
		TRACE(o->tr, NULL, "redundant_write", "ino=%d index=%" G_GUINT64_FORMAT " version=%" G_GUINT64_FORMAT,
		      blk_file(b)->ino, blk_index(b), landed);
	} else if (landed < b->disk) {
		metrics_inc(o->m, M_STALE_OVERWRITES);
		TRACE(o->tr, NULL, "stale_overwrite", "ino=%d index=%" G_GUINT64_FORMAT " landed=%" G_GUINT64_FORMAT
		      " held=%" G_GUINT64_FORMAT, blk_file(b)->ino, blk_index(b), landed, b->disk);
	}
}

void oracle_read(struct oracle *o, struct task *t, const struct blk *b, uint64_t content)
{
	if (content == b->shadow)
		return;
	metrics_inc(o->m, M_STALE_READS);
	TRACE(o->tr, t, "stale_read", "ino=%d index=%" G_GUINT64_FORMAT " got=%" G_GUINT64_FORMAT
	      " latest=%" G_GUINT64_FORMAT, blk_file(b)->ino, blk_index(b), content, b->shadow);
}

struct sync_check {
	const struct blk *b;
	uint64_t version;
};

/* What must be durable when this sync returns: the not-yet-durable blocks' latest
 * content as of the call. */
void oracle_sync_begin(struct oracle *o, GArray **snapshot, const struct file *f,
		       uint64_t first, uint64_t last)
{
	(void)o;
	if (!*snapshot)
		*snapshot = g_array_new(FALSE, FALSE, sizeof(struct sync_check));
	uint64_t idx = first;
	while (xa_find_tag(&f->xa, &idx, last, XA_UNSYNCED)) {
		const struct blk *b = &f->blocks[idx];
		struct sync_check c = { b, b->shadow };
		g_array_append_val(*snapshot, c);
		idx++;
	}
}

void oracle_sync_end(struct oracle *o, struct task *t, const GArray *snapshot)
{
	if (!snapshot)
		return;
	for (guint i = 0; i < snapshot->len; i++) {
		const struct sync_check *c = &g_array_index(snapshot, struct sync_check, i);
		if (c->b->durable < c->version) {
			metrics_inc(o->m, M_FSYNC_VIOLATIONS);
			TRACE(o->tr, t, "fsync_violation", "ino=%d index=%" G_GUINT64_FORMAT " durable=%" G_GUINT64_FORMAT
			      " expected=%" G_GUINT64_FORMAT, blk_file(c->b)->ino, blk_index(c->b),
			      c->b->durable, c->version);
			return;         /* one violation per call */
		}
	}
}

void oracle_final(struct oracle *o)
{
	for (guint i = 0; i < o->mm->files->len; i++) {
		const struct file *f = o->mm->files->pdata[i];
		uint64_t idx = 0;
		while (xa_find_tag(&f->xa, &idx, UINT64_MAX, XA_PRESENT)) {
			const struct blk *b = &f->blocks[idx];
			bool diverged = xa_get_tag(&f->xa, idx, XA_DIVERGED);
			if (b->durable != b->shadow || diverged) {
				metrics_inc(o->m, M_LOST_WRITES);
				TRACE(o->tr, NULL, "lost_write", "ino=%d index=%" G_GUINT64_FORMAT " durable=%" G_GUINT64_FORMAT
				      " latest=%" G_GUINT64_FORMAT "%s", f->ino, idx, b->durable, b->shadow,
				      diverged ? " diverged" : "");
			}
			const struct page *p = b->page;
			if (p && (p->flags & PG_uptodate) && !(p->flags & (PG_dirty | PG_writeback)) &&
			    p->content != b->disk) {
				metrics_inc(o->m, M_STALE_CACHE_PAGES);
				TRACE(o->tr, NULL, "stale_cache_page", "ino=%d index=%" G_GUINT64_FORMAT " cached=%" G_GUINT64_FORMAT
				      " disk=%" G_GUINT64_FORMAT, f->ino, idx, p->content, b->disk);
			}
			idx++;
		}
	}
}
