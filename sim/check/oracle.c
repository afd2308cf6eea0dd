/*
 * oracle — see oracle.h.  Every function reads the model and writes only the oracle's
 * own data (shadows, the XA_UNSYNCED, XA_DIVERGED and XA_BRANCHED marks, the heads and
 * origins tables) and the counters.
 */
#include "check/oracle.h"

/* Who wrote a head, for the trace line of its loss (kept only while tracing). */
struct origin {
	const struct task *t;           /* NULL: unknown */
	enum modify_origin kind;
};

struct head {
	uint64_t version;
	struct origin o;
};

static const char *const origin_names[] = {
	[ORIGIN_WRITE] = "write", [ORIGIN_STORE] = "store", [ORIGIN_PIN_WRITE] = "pin_write",
	[ORIGIN_DIO_WRITE] = "dio_write",
};

void oracle_init(struct oracle *o, const struct mm *mm)
{
	o->m = mm->m;
	o->tr = mm->tr;
	o->mm = mm;
	o->heads = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)g_array_unref);
	o->origins = g_hash_table_new_full(NULL, NULL, NULL, g_free);
}

void oracle_destroy(struct oracle *o)
{
	g_hash_table_destroy(o->heads);
	g_hash_table_destroy(o->origins);
}

static bool tracing(const struct oracle *o)
{
	return o->tr->fn != NULL;
}

/* ---- the origins of unbranched blocks' shadows (tracing only) --------------------- */

static struct origin shadow_origin(struct oracle *o, const struct blk *b)
{
	const struct origin *r = tracing(o) ? g_hash_table_lookup(o->origins, b) : NULL;
	return r ? *r : (struct origin){ NULL, ORIGIN_WRITE };
}

static void set_shadow_origin(struct oracle *o, const struct blk *b, struct origin r)
{
	if (!tracing(o))
		return;
	struct origin *c = g_new(struct origin, 1);
	*c = r;
	g_hash_table_replace(o->origins, (gpointer)b, c);
}

/* ---- heads ------------------------------------------------------------------------------ */

/* A block's heads as an array: its own when it is branched, else one on @one. */
static struct head *heads_of(struct oracle *o, const struct blk *b, struct head *one, guint *n)
{
	if (blk_get_tag(b, XA_BRANCHED)) {
		GArray *a = g_hash_table_lookup(o->heads, b);
		*n = a->len;
		return (struct head *)a->data;
	}
	*one = (struct head){ b->shadow, shadow_origin(o, b) };
	*n = 1;
	return one;
}

/* Mark @b branched with @n heads (a copy: @h may be the block's own array). */
static void set_heads(struct oracle *o, struct blk *b, const struct head *h, guint n)
{
	if (n == 1 && h[0].version == b->shadow) {
		/* One line again: the shadow is the only head, as for an unmarked block. */
		struct origin r = h[0].o;
		g_hash_table_remove(o->heads, b);
		blk_clear_tag(b, XA_BRANCHED);
		set_shadow_origin(o, b, r);
		return;
	}
	GArray *a = g_array_sized_new(FALSE, FALSE, sizeof(struct head), n + 1);
	g_array_append_vals(a, h, n);
	g_hash_table_replace(o->heads, b, a);
	blk_set_tag(b, XA_BRANCHED);
	g_hash_table_remove(o->origins, b);
}

/* Every earlier write is carried by @v (a whole-page write, a direct write). */
static void heads_collapse(struct oracle *o, struct blk *b, struct origin r)
{
	if (blk_get_tag(b, XA_BRANCHED)) {
		g_hash_table_remove(o->heads, b);
		blk_clear_tag(b, XA_BRANCHED);
	}
	set_shadow_origin(o, b, r);
}

/*
 * Can head @h still reach the disk?  The device holds it; or the page in the index
 * does and will be written (dirty, under writeback, or pinned: an unpin dirties it);
 * or an older copy of the block is in flight, which may carry it (whether it did is
 * decided when its write ends, and that settles the block again).
 */
static bool head_has_way(const struct blk *b, uint64_t h)
{
	if (h == b->disk)
		return true;
	const struct page *p = b->page;
	if (p && p->content == h && ((p->flags & (PG_dirty | PG_writeback)) || p->pincount))
		return true;
	return blk_get_tag(b, XA_OLDER_INFLIGHT);
}

static void count_lost(struct oracle *o, struct task *t, const struct blk *b,
		       const struct head *h, const char *cause)
{
	metrics_inc(o->m, M_LOST_WRITES);
	if (!tracing(o))
		return;
	char by[96] = "";
	if (h->o.t)
		g_snprintf(by, sizeof(by), " by=%s-%d op=%s", h->o.t->name, h->o.t->id,
			   origin_names[h->o.kind]);
	TRACE(o->tr, t, "lost_write", "ino=%d index=%" G_GUINT64_FORMAT " version=%" G_GUINT64_FORMAT
	      " cause=%s disk=%" G_GUINT64_FORMAT "%s policy=%s", blk_file(b)->ino, blk_index(b),
	      h->version, cause, b->disk, by, o->mm->policy->spec);
}

/*
 * Count every head of @b that has no way to the disk any more (and forget it, so it is
 * counted once).  @cause names what took the way away; @p, when not NULL, is the copy
 * whose change prompted the look (its own content gets a more precise cause).
 */
static void settle_block(struct oracle *o, struct task *t, struct blk *b, const struct page *p,
			 const char *cause, bool at_end)
{
	struct head one;
	guint n;
	struct head *h = heads_of(o, b, &one, &n);
	guint i = 0;
	while (i < n && (at_end ? h[i].version == b->durable : head_has_way(b, h[i].version)))
		i++;
	if (i == n)
		return;                 /* the usual answer: nothing lost */
	GArray *keep = g_array_sized_new(FALSE, FALSE, sizeof(struct head), n);
	g_array_append_vals(keep, h, i);
	for (; i < n; i++) {
		if (at_end ? h[i].version == b->durable : head_has_way(b, h[i].version)) {
			g_array_append_val(keep, h[i]);
			continue;
		}
		const char *why = cause;
		if (p && p->content == h[i].version) {
			if (p->flags & PG_error)
				why = "rejected";
			else if ((p->flags & PG_orphan) && (p->flags & PG_forked))
				why = "orphan";
		}
		count_lost(o, t, b, &h[i], why);
	}
	set_heads(o, b, (struct head *)keep->data, keep->len);
	g_array_unref(keep);
}

/* ---- hooks ------------------------------------------------------------------------------- */

/* Copy @p was modified.  If it did not hold the latest content (@old), the result
 * lacks somebody's update: the block has diverged, unless the whole page was
 * overwritten.  The heads follow: the new version replaces the one it was made from,
 * or starts a line of its own beside the others. */
void oracle_modified(void *obs, struct task *t, struct page *p, uint64_t old, bool whole_page,
		     enum modify_origin origin)
{
	struct oracle *o = obs;
	struct blk *b = p->blk;
	struct origin r = { tracing(o) ? t : NULL, origin };
	struct head v = { p->content, r };
	if (whole_page) {
		blk_clear_tag(b, XA_DIVERGED);
		heads_collapse(o, b, r);
	} else if (blk_get_tag(b, XA_BRANCHED)) {
		GArray *a = g_hash_table_lookup(o->heads, b);
		guint i = 0;
		while (i < a->len && g_array_index(a, struct head, i).version != old)
			i++;
		if (i < a->len)
			g_array_index(a, struct head, i) = v;
		else
			g_array_append_val(a, v);
		if (old != b->shadow)
			blk_set_tag(b, XA_DIVERGED);
		b->shadow = p->content;
		set_heads(o, b, (struct head *)a->data, a->len);
	} else if (old != b->shadow) {
		/* A copy without the latest content: a second line of writes. */
		blk_set_tag(b, XA_DIVERGED);
		struct head two[2] = { { b->shadow, shadow_origin(o, b) }, v };
		b->shadow = p->content;
		set_heads(o, b, two, 2);
	} else {
		set_shadow_origin(o, b, r);
	}
	b->shadow = p->content;
	blk_set_tag(b, XA_UNSYNCED);
	/* Written into a copy nobody will write back (a fork's old copy whose I/O is
	 * over, held by a pin): those bytes have no way to the disk from the start. */
	if ((p->flags & PG_orphan) && !(p->flags & PG_writeback))
		settle_block(o, t, b, p, "orphan", false);
}

void oracle_settled(void *obs, struct page *p)
{
	struct blk *b = p->blk;
	/* Nearly every writeback ends this way: one line of writes, whose latest
	 * version still has its way.  Decide it before settle_block builds the
	 * block's heads (and, when tracing, looks up their origins). */
	if (!blk_get_tag(b, XA_BRANCHED) && head_has_way(b, b->shadow))
		return;
	settle_block(obs, NULL, b, p, "overwritten", false);
}

void oracle_dio_write(struct oracle *o, struct task *t, struct blk *b, uint64_t version)
{
	b->shadow = version;
	blk_clear_tag(b, XA_DIVERGED);
	heads_collapse(o, b, (struct origin){ tracing(o) ? t : NULL, ORIGIN_DIO_WRITE });
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

/* ---- syncs ------------------------------------------------------------------------------- */

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
	bool violated = false;
	for (guint i = 0; i < snapshot->len; i++) {
		const struct sync_check *c = &g_array_index(snapshot, struct sync_check, i);
		if (c->b->durable >= c->version)
			continue;
		if (!violated)
			metrics_inc(o->m, M_FSYNC_VIOLATIONS);     /* one per call */
		violated = true;
		if (!tracing(o))
			return;
		TRACE(o->tr, t, "fsync_violation", "ino=%d index=%" G_GUINT64_FORMAT " durable=%" G_GUINT64_FORMAT
		      " expected=%" G_GUINT64_FORMAT, blk_file(c->b)->ino, blk_index(c->b),
		      c->b->durable, c->version);
	}
}

/* ---- the end of a run ---------------------------------------------------------------------- */

void oracle_final(struct oracle *o)
{
	for (guint i = 0; i < o->mm->files->len; i++) {
		const struct file *f = o->mm->files->pdata[i];
		uint64_t idx = 0;
		while (xa_find_tag(&f->xa, &idx, UINT64_MAX, XA_PRESENT)) {
			struct blk *b = &f->blocks[idx];
			bool diverged = xa_get_tag(&f->xa, idx, XA_DIVERGED);
			if (b->durable != b->shadow || diverged) {
				metrics_inc(o->m, M_LOST_AT_END);
				TRACE(o->tr, NULL, "lost_at_end", "ino=%d index=%" G_GUINT64_FORMAT " durable=%" G_GUINT64_FORMAT
				      " latest=%" G_GUINT64_FORMAT "%s", f->ino, idx, b->durable, b->shadow,
				      diverged ? " diverged" : "");
			}
			/* Every copy has been written: a head the disk lacks now is lost,
			 * if no moment before this one counted it (an unbranched block
			 * whose disk holds its shadow has nothing to settle). */
			if (b->durable != b->shadow || blk_get_tag(b, XA_BRANCHED))
				settle_block(o, NULL, b, NULL, "end", true);
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
