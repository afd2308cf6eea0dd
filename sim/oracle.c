/*
 * oracle — the shadow of every block's logical content and the hazard counters.
 *
 * Content is a version number from one clock shared by every modification, so
 * "older" and "newer" are comparisons of integers.  blk->shadow is the latest
 * version any program wrote (by write(2), a store, a pin holder, or a direct write);
 * blk->disk and blk->durable are what the device holds.  Each hazard is counted at
 * the moment it happens; lost writes and stale cache pages after the final sync.
 */
#include "model.h"

/* A modification of copy @p.  If @p did not hold the latest content, the result lacks
 * somebody's update: the block has diverged, unless the whole page is overwritten. */
void oracle_modified(struct sim *s, struct page *p, bool whole_page)
{
	struct blk *b = p->blk;
	if (whole_page)
		blk_clear_tag(b, XA_DIVERGED);
	else if (p->content != b->shadow)
		blk_set_tag(b, XA_DIVERGED);
	p->content = ++s->version;
	b->shadow = p->content;
	blk_set_tag(b, XA_UNSYNCED);
}

void oracle_dio_write(struct sim *s, struct blk *b, uint64_t version)
{
	(void)s;
	b->shadow = version;
	blk_clear_tag(b, XA_DIVERGED);
	blk_set_tag(b, XA_UNSYNCED);
}

void oracle_durable(struct sim *s, struct blk *b)
{
	(void)s;
	if (b->durable == b->shadow)
		blk_clear_tag(b, XA_UNSYNCED);
}

void oracle_landed(struct sim *s, struct request *rq, struct bvec *v, uint64_t landed)
{
	struct blk *b = v->dst;
	if (landed == b->disk) {
		metrics_inc(s->m, M_REDUNDANT_WRITES);
		TRACE(s, NULL, "redundant_write", "ino=%d index=%" G_GUINT64_FORMAT " version=%" G_GUINT64_FORMAT,
		      blk_file(b)->ino, blk_index(b), landed);
	} else if (landed < b->disk) {
		metrics_inc(s->m, M_STALE_OVERWRITES);
		TRACE(s, NULL, "stale_overwrite", "ino=%d index=%" G_GUINT64_FORMAT " landed=%" G_GUINT64_FORMAT
		      " held=%" G_GUINT64_FORMAT, blk_file(b)->ino, blk_index(b), landed, b->disk);
	}
	b->disk = landed;
	if (s->cfg.dev.write_cache) {
		device_note_volatile(s->dev, b);
	} else {
		b->durable = landed;
		oracle_durable(s, b);
	}
	(void)rq;
}

void oracle_read(struct sim *s, struct task *t, struct blk *b, uint64_t content)
{
	if (content == b->shadow)
		return;
	metrics_inc(s->m, M_STALE_READS);
	TRACE(s, t, "stale_read", "ino=%d index=%" G_GUINT64_FORMAT " got=%" G_GUINT64_FORMAT
	      " latest=%" G_GUINT64_FORMAT, blk_file(b)->ino, blk_index(b), content, b->shadow);
}

struct sync_check {
	struct blk *b;
	uint64_t version;
};

/* What must be durable when this sync returns: the not-yet-durable blocks' latest
 * content as of the call. */
void oracle_sync_begin(struct sim *s, struct op *op, struct file *f, uint64_t first, uint64_t last)
{
	(void)s;
	if (!op->snapshot)
		op->snapshot = g_array_new(FALSE, FALSE, sizeof(struct sync_check));
	uint64_t idx = first;
	while (xa_find_tag(&f->xa, &idx, last, XA_UNSYNCED)) {
		struct blk *b = &f->blocks[idx];
		struct sync_check c = { b, b->shadow };
		g_array_append_val(op->snapshot, c);
		idx++;
	}
}

void oracle_sync_end(struct sim *s, struct task *t, struct op *op)
{
	if (!op->snapshot)
		return;
	for (guint i = 0; i < op->snapshot->len; i++) {
		struct sync_check *c = &g_array_index(op->snapshot, struct sync_check, i);
		if (c->b->durable < c->version) {
			metrics_inc(s->m, M_FSYNC_VIOLATIONS);
			TRACE(s, t, "fsync_violation", "ino=%d index=%" G_GUINT64_FORMAT " durable=%" G_GUINT64_FORMAT
			      " expected=%" G_GUINT64_FORMAT, blk_file(c->b)->ino, blk_index(c->b),
			      c->b->durable, c->version);
			return;         /* one violation per call */
		}
	}
}

void oracle_final(struct sim *s)
{
	for (guint i = 0; i < s->files->len; i++) {
		struct file *f = s->files->pdata[i];
		uint64_t idx = 0;
		while (xa_find_tag(&f->xa, &idx, UINT64_MAX, XA_PRESENT)) {
			struct blk *b = &f->blocks[idx];
			bool diverged = xa_get_tag(&f->xa, idx, XA_DIVERGED);
			if (b->durable != b->shadow || diverged) {
				metrics_inc(s->m, M_LOST_WRITES);
				TRACE(s, NULL, "lost_write", "ino=%d index=%" G_GUINT64_FORMAT " durable=%" G_GUINT64_FORMAT
				      " latest=%" G_GUINT64_FORMAT "%s", f->ino, idx, b->durable, b->shadow,
				      diverged ? " diverged" : "");
			}
			struct page *p = b->page;
			if (p && (p->flags & PG_uptodate) && !(p->flags & (PG_dirty | PG_writeback)) &&
			    p->content != b->disk) {
				metrics_inc(s->m, M_STALE_CACHE_PAGES);
				TRACE(s, NULL, "stale_cache_page", "ino=%d index=%" G_GUINT64_FORMAT " cached=%" G_GUINT64_FORMAT
				      " disk=%" G_GUINT64_FORMAT, f->ino, idx, p->content, b->disk);
			}
			idx++;
		}
	}
}
