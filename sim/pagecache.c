/*
 * pagecache — blocks, page copies, and the index with its DIRTY / TOWRITE / WRITEBACK
 * tags.  Also the two things that put a second copy of a block in memory: forking a
 * page under writeback, and invalidation leaving a copy behind.
 */
#include "model.h"
#include "policy.h"

#include <string.h>

/* Fixed-size objects come from chunks (no per-object malloc header) and are
 * recycled through a free list threaded through the objects themselves. */
static void *slab_alloc(struct sim *s, void **free_list, size_t size)
{
	void *obj = *free_list;
	if (!obj)
		return chunk_alloc(&s->pool, size);
	*free_list = *(void **)obj;
	memset(obj, 0, size);
	return obj;
}

static void slab_free(void **free_list, void *obj)
{
	*(void **)obj = *free_list;
	*free_list = obj;
}

uint64_t pages_of(uint64_t off, uint64_t len, uint64_t *first)
{
	*first = off >> PAGE_SHIFT;
	if (!len)
		return 0;
	return ((off + len - 1) >> PAGE_SHIFT) - *first + 1;
}

struct blk *blk_get(struct file *f, uint64_t index)
{
	struct blk *b = &f->blocks[index];
	blk_prefetch(f, index);
	xa_set_tag(&f->xa, index, XA_PRESENT);
	return b;
}

struct page *page_alloc(struct sim *s, struct blk *b)
{
	struct page *p;
	if (!b->first.refcount) {
		p = &b->first;
		memset(p, 0, sizeof(*p));
		p->flags = PG_inline;
	} else {
		p = slab_alloc(s, &s->free_pages, sizeof(*p));
	}
	p->blk = b;
	p->refcount = 1;
	s->pages_alive++;
	return p;
}

void page_get(struct page *p)
{
	p->refcount++;
}

void page_put(struct sim *s, struct page *p)
{
	g_assert(p->refcount > 0);
	if (--p->refcount)
		return;
	g_assert(!(p->flags & PG_writeback) && !p->pincount && !p->mapcount);
	if (p->flags & PG_forked)
		metrics_gauge_forked(s->m, -1);
	if (p->flags & PG_bounce)
		metrics_gauge_bounce(s->m, -1);
	s->pages_alive--;
	if (!(p->flags & PG_inline))
		slab_free(&s->free_pages, p);
}

bool page_in_index(const struct page *p)
{
	return p->blk->page == p;
}

void set_page_dirty(struct sim *s, struct page *p)
{
	if (p->flags & PG_dirty)
		return;
	p->flags |= PG_dirty;
	if (!page_in_index(p))
		return;         /* an orphan: nobody will ever write it back */
	struct file *f = blk_file(p->blk);
	blk_set_tag(p->blk, XA_DIRTY);
	f->nr_dirty++;
	s->nr_dirty++;
	file_mark_dirty(s, f);
	TRACE(s, NULL, "writeback_dirty_folio", "ino=%d index=%" G_GUINT64_FORMAT,
	      f->ino, blk_index(p->blk));
}

void clear_page_dirty(struct sim *s, struct page *p)
{
	if (!(p->flags & PG_dirty))
		return;
	p->flags &= ~PG_dirty;
	if (!page_in_index(p))
		return;
	struct file *f = blk_file(p->blk);
	blk_clear_tag(p->blk, XA_DIRTY);
	blk_clear_tag(p->blk, XA_TOWRITE);
	f->nr_dirty--;
	s->nr_dirty--;
}

void page_set_writeback(struct sim *s, struct page *p)
{
	g_assert(!(p->flags & PG_writeback));
	p->flags |= PG_writeback;
	page_get(p);
	s->nr_writeback++;
	if (page_in_index(p))
		blk_set_tag(p->blk, XA_WRITEBACK);
}

/* A forked copy of @b finished its I/O: one fewer older copy in flight. */
static void older_inflight_put(struct sim *s, struct blk *b)
{
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(s->older_inflight, b));
	g_assert(n > 0);
	if (--n) {
		g_hash_table_insert(s->older_inflight, b, GUINT_TO_POINTER(n));
		return;
	}
	g_hash_table_remove(s->older_inflight, b);
	blk_clear_tag(b, XA_OLDER_INFLIGHT);
}

static void older_inflight_get(struct sim *s, struct blk *b)
{
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(s->older_inflight, b));
	g_hash_table_insert(s->older_inflight, b, GUINT_TO_POINTER(n + 1));
	blk_set_tag(b, XA_OLDER_INFLIGHT);
}

void page_end_writeback(struct sim *s, struct page *p)
{
	g_assert(p->flags & PG_writeback);
	p->flags &= ~PG_writeback;
	s->nr_writeback--;
	struct blk *b = p->blk;
	if (page_in_index(p))
		blk_clear_tag(b, XA_WRITEBACK);
	else if (p->flags & PG_forked)
		older_inflight_put(s, b);
	policy_end_writeback(s->policy, s, p);
	wake_up_key(s, p);
	wake_up_key(s, b);      /* waiters for every older copy of the block */
	balance_dirty_pages_check(s);
	page_put(s, p);
}

void page_modify(struct sim *s, struct page *p, bool whole_page)
{
	if (p->dma_slot)
		device_before_modify(s->dev, p);
	oracle_modified(s, p, whole_page);
}

/*
 * Fork @old, which is under writeback: the copy takes its place in the index and in
 * every PTE, the old copy stays with its I/O, counted in sim->older_inflight and marked
 * XA_OLDER_INFLIGHT in the index for whoever must wait for it (waiters sleep on the
 * block).  CPU costs go to @t's debt.
 */
struct page *page_fork(struct sim *s, struct task *t, struct page *old,
		       struct mapping *fault_map, uint64_t fault_idx)
{
	struct blk *b = old->blk;
	struct file *f = blk_file(b);
	g_assert(page_in_index(old) && (old->flags & PG_writeback));

	struct page *new = page_alloc(s, b);    /* its reference is the index's */
	new->content = old->content;
	new->flags |= PG_uptodate;
	task_cost(t, costs(s)->page_alloc, M_NR_COUNTERS);
	task_cost(t, costs(s)->copy_page, M_CPU_COPY);

	bool was_dirty = old->flags & PG_dirty;
	clear_page_dirty(s, old);
	blk_clear_tag(b, XA_WRITEBACK);
	b->page = new;
	old->flags |= PG_forked | PG_orphan;
	older_inflight_get(s, b);
	if (was_dirty)
		set_page_dirty(s, new);

	mm_repoint(s, t, old, new, fault_map, fault_idx);
	page_put(s, old);                       /* the index's reference */

	metrics_inc(s->m, M_FORKS);
	metrics_gauge_forked(s->m, +1);
	TRACE(s, t, "page_fork", "ino=%d index=%" G_GUINT64_FORMAT " old=%" G_GUINT64_FORMAT,
	      f->ino, blk_index(b), old->content);
	return new;
}

/*
 * invalidate_inode_pages2 for one page: unmap it and drop it from the index, unless
 * something still needs this copy (a pin, dirty data, I/O, a read in progress).
 */
bool remove_from_page_cache(struct sim *s, struct page *p)
{
	if (p->pincount || (p->flags & (PG_dirty | PG_writeback | PG_locked)))
		return false;
	if (p->mapcount)
		mm_zap_page(s, NULL, p);
	struct blk *b = p->blk;
	blk_clear_tag(b, XA_DIRTY);
	blk_clear_tag(b, XA_TOWRITE);
	blk_clear_tag(b, XA_WRITEBACK);
	b->page = NULL;
	p->flags |= PG_orphan;
	page_put(s, p);
	return true;
}

/* ---- reading a block into the cache ------------------------------------------ */

static void end_read(struct sim *s, struct request *rq)
{
	struct page *p = rq->vec[0].page;
	p->content = rq->vec[0].data;
	p->flags = (p->flags & ~PG_locked) | PG_uptodate;
	wake_up_key(s, p);
	page_put(s, p);         /* the I/O's reference */
	request_free(s, rq);
}

/*
 * Find the cached copy of @b, reading it from the device if needed.  OP_BLOCKED while
 * the read is in flight; call again when woken.
 */
enum op_status read_page(struct task *t, struct blk *b, struct page **out)
{
	struct sim *s = t->sim;
	struct page *p = b->page;
	if (p && !(p->flags & PG_locked)) {
		*out = p;
		return OP_DONE;
	}
	if (!p) {
		p = page_alloc(s, b);
		p->flags |= PG_locked;
		b->page = p;
		task_cost(t, costs(s)->page_alloc, M_NR_COUNTERS);
		struct request *rq = request_alloc(s, 1);
		rq->op = REQ_OP_READ;
		rq->file = blk_file(b);
		rq->sector = blk_file(b)->base_sector + blk_index(b);
		rq->nr = 1;
		rq->vec[0] = (struct bvec){ .page = p, .dst = b };
		rq->end_io = end_read;
		page_get(p);
		submit_request(s, rq);
	}
	task_wait(t, p, STALL_IO);
	return OP_BLOCKED;
}

uint64_t sim_cached_pages(struct sim *s)
{
	uint64_t n = 0;
	for (guint i = 0; i < s->files->len; i++) {
		struct file *f = s->files->pdata[i];
		uint64_t idx = 0;
		while (xa_find_tag(&f->xa, &idx, UINT64_MAX, XA_PRESENT)) {
			n += f->blocks[idx].page != NULL;
			idx++;
		}
	}
	return n;
}
