/*
 * pagecache — files and their blocks, page copies, the index with its DIRTY /
 * TOWRITE / WRITEBACK marks and the dirty accounting that goes with them.  Also the
 * two things that put a second copy of a block in memory: forking a page under
 * writeback, and invalidation leaving a copy behind.
 */
#include "mm/mm.h"

#include <stdlib.h>
#include <string.h>

void mm_init(struct mm *mm, struct sched *sched, const struct cost_cfg *cost,
	     struct policy *policy, struct sim *owner)
{
	memset(mm, 0, sizeof(*mm));
	mm->sched = sched;
	mm->m = sched->m;
	mm->tr = sched->tr;
	mm->cost = cost;
	mm->policy = policy;
	mm->owner = owner;
	mm->files = g_ptr_array_new();
	mm->procs = g_ptr_array_new();
	mm->maps = g_ptr_array_new();
	mm->pins = g_ptr_array_new();
	mm->anons = g_ptr_array_new();
	mm->older_inflight = g_hash_table_new(NULL, NULL);
	g_queue_init(&mm->dirty_files);
}

void mm_destroy(struct mm *mm)
{
	for (guint i = 0; i < mm->files->len; i++) {
		struct file *f = mm->files->pdata[i];
		xa_destroy(&f->xa);
		blkmap_release(f->blocks, f->blocks_bytes);
		g_ptr_array_free(f->mappings, TRUE);
		g_free(f->name);
		g_free(f);
	}
	for (guint i = 0; i < mm->procs->len; i++) {
		struct process *p = mm->procs->pdata[i];
		g_ptr_array_free(p->mappings, TRUE);
		g_free(p->name);
		g_free(p);
	}
	for (guint i = 0; i < mm->maps->len; i++) {
		struct mapping *m = mm->maps->pdata[i];
		free(m->ptes);
		g_free(m);
	}
	for (guint i = 0; i < mm->pins->len; i++) {
		struct pin *p = mm->pins->pdata[i];
		g_free(p->pages);
		g_free(p);
	}
	for (guint i = 0; i < mm->anons->len; i++) {
		struct anon *a = mm->anons->pdata[i];
		free(a->pages);
		g_free(a);
	}
	g_ptr_array_free(mm->anons, TRUE);
	g_ptr_array_free(mm->files, TRUE);
	g_ptr_array_free(mm->procs, TRUE);
	g_ptr_array_free(mm->maps, TRUE);
	g_ptr_array_free(mm->pins, TRUE);
	g_queue_clear(&mm->dirty_files);
	g_hash_table_destroy(mm->older_inflight);
	chunk_pool_free(&mm->pool);
}

struct file *mm_file_new(struct mm *mm, const char *name, uint64_t size)
{
	g_return_val_if_fail(size > 0 && (size + PAGE_SIZE - 1) / PAGE_SIZE <= MAX_FILE_PAGES, NULL);
	struct file *f = g_new0(struct file, 1);
	f->ino = (int)mm->files->len + 1;
	f->size = size;
	f->nr_pages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	f->blocks = blkmap_reserve(f, f->nr_pages, sizeof(struct blk), &f->blocks_bytes);
	if (!f->blocks || !xa_init(&f->xa, f->nr_pages)) {
		blkmap_release(f->blocks, f->blocks_bytes);
		g_free(f);
		return NULL;
	}
	f->name = g_strdup(name);
	f->base_sector = mm->next_sector;
	mm->next_sector += f->nr_pages;
	f->mappings = g_ptr_array_new();
	g_ptr_array_add(mm->files, f);
	return f;
}

/* Fixed-size objects come from chunks (no per-object malloc header) and are
 * recycled through a free list threaded through the objects themselves. */
static void *slab_alloc(struct mm *mm, void **free_list, size_t size)
{
	void *obj = *free_list;
	if (!obj)
		return chunk_alloc(&mm->pool, size);
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

struct page *page_alloc(struct mm *mm, struct blk *b)
{
	struct page *p;
	if (!b->first.refcount) {
		p = &b->first;
		memset(p, 0, sizeof(*p));
		p->flags = PG_inline;
	} else {
		p = slab_alloc(mm, &mm->free_pages, sizeof(*p));
	}
	p->blk = b;
	p->refcount = 1;
	mm->pages_alive++;
	return p;
}

void page_get(struct page *p)
{
	p->refcount++;
}

void page_put(struct mm *mm, struct page *p)
{
	g_assert(p->refcount > 0);
	if (--p->refcount)
		return;
	g_assert(!(p->flags & PG_writeback) && !p->pincount && !p->mapcount);
	if (p->flags & PG_forked)
		metrics_gauge_forked(mm->m, -1);
	if (p->flags & PG_bounce)
		metrics_gauge_bounce(mm->m, -1);
	mm->pages_alive--;
	if (!(p->flags & PG_inline))
		slab_free(&mm->free_pages, p);
}

bool page_in_index(const struct page *p)
{
	return p->blk->page == p;
}

/* __mark_inode_dirty: the file joins the dirty list, oldest first. */
static void file_mark_dirty(struct mm *mm, struct file *f)
{
	if (f->on_dirty_list)
		return;
	f->on_dirty_list = true;
	f->dirtied_when = engine_now(mm->sched->eng);
	g_queue_push_tail(&mm->dirty_files, f);
}

void file_maybe_clean(struct mm *mm, struct file *f)
{
	if (!f->on_dirty_list || f->nr_dirty)
		return;
	f->on_dirty_list = false;
	g_queue_remove(&mm->dirty_files, f);
}

void set_page_dirty(struct mm *mm, struct page *p)
{
	if (p->flags & PG_dirty)
		return;
	p->flags |= PG_dirty;
	if (!page_in_index(p))
		return;         /* an orphan: nobody will ever write it back */
	struct file *f = blk_file(p->blk);
	blk_set_tag(p->blk, XA_DIRTY);
	f->nr_dirty++;
	mm->nr_dirty++;
	mm->nr_dirtied++;
	file_mark_dirty(mm, f);
	TRACE(mm->tr, NULL, "writeback_dirty_folio", "ino=%d index=%" G_GUINT64_FORMAT,
	      f->ino, blk_index(p->blk));
}

void clear_page_dirty(struct mm *mm, struct page *p)
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
	mm->nr_dirty--;
}

void page_set_writeback(struct mm *mm, struct page *p)
{
	g_assert(!(p->flags & PG_writeback));
	p->flags |= PG_writeback;
	page_get(p);
	mm->nr_writeback++;
	if (page_in_index(p))
		blk_set_tag(p->blk, XA_WRITEBACK);
}

/* A forked copy of @b finished its I/O: one fewer older copy in flight. */
static void older_inflight_put(struct mm *mm, struct blk *b)
{
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(mm->older_inflight, b));
	g_assert(n > 0);
	if (--n) {
		g_hash_table_insert(mm->older_inflight, b, GUINT_TO_POINTER(n));
		return;
	}
	g_hash_table_remove(mm->older_inflight, b);
	blk_clear_tag(b, XA_OLDER_INFLIGHT);
}

static void older_inflight_get(struct mm *mm, struct blk *b)
{
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(mm->older_inflight, b));
	g_hash_table_insert(mm->older_inflight, b, GUINT_TO_POINTER(n + 1));
	blk_set_tag(b, XA_OLDER_INFLIGHT);
}

void page_end_writeback(struct mm *mm, struct page *p)
{
	g_assert(p->flags & PG_writeback);
	p->flags &= ~PG_writeback;
	mm->nr_writeback--;
	mm->nr_written++;
	struct blk *b = p->blk;
	if (page_in_index(p))
		blk_clear_tag(b, XA_WRITEBACK);
	else if (p->flags & PG_forked)
		older_inflight_put(mm, b);
	policy_end_writeback(mm->policy, mm->owner, p);
	mm->hooks.settled(mm->hooks.observer, p);
	wake_up_key(mm->sched, p);
	wake_up_key(mm->sched, b);      /* waiters for every older copy of the block */
}

void page_modify(struct mm *mm, struct task *t, struct page *p, bool whole_page,
		 enum modify_origin origin)
{
	if (p->dma_slot)
		mm->hooks.before_modify(mm->hooks.io, p);
	uint64_t old = p->content;
	p->content = ++mm->version;
	mm->hooks.modified(mm->hooks.observer, t, p, old, whole_page, origin);
}

/*
 * Fork @old, which is under writeback: the copy takes its place in the index and in
 * every PTE, the old copy stays with its I/O, counted in mm->older_inflight and marked
 * XA_OLDER_INFLIGHT in the index for whoever must wait for it (waiters sleep on the
 * block).  CPU costs go to @t's debt.
 */
struct page *page_fork(struct mm *mm, struct task *t, struct page *old,
		       struct mapping *fault_map, uint64_t fault_idx)
{
	struct blk *b = old->blk;
	struct file *f = blk_file(b);
	g_assert(page_in_index(old) && (old->flags & PG_writeback));

	struct page *new = page_alloc(mm, b);   /* its reference is the index's */
	new->content = old->content;
	new->flags |= PG_uptodate;
	task_cost(t, mm->cost->page_alloc, M_NR_COUNTERS);
	task_cost(t, mm->cost->copy_page, M_CPU_COPY);

	bool was_dirty = old->flags & PG_dirty;
	clear_page_dirty(mm, old);
	blk_clear_tag(b, XA_WRITEBACK);
	b->page = new;
	old->flags |= PG_forked | PG_orphan;
	older_inflight_get(mm, b);
	if (was_dirty)
		set_page_dirty(mm, new);

	mm_repoint(mm, t, old, new, fault_map, fault_idx);
	page_put(mm, old);                      /* the index's reference */

	metrics_inc(mm->m, M_FORKS);
	metrics_gauge_forked(mm->m, +1);
	TRACE(mm->tr, t, "page_fork", "ino=%d index=%" G_GUINT64_FORMAT " old=%" G_GUINT64_FORMAT,
	      f->ino, blk_index(b), old->content);
	return new;
}

struct page *prepare_modify(struct mm *mm, struct task *t, struct page *p,
			    enum modify_source src, struct mapping *fault_map, uint64_t fault_idx)
{
	if (!(p->flags & PG_writeback))
		return p;
	switch (policy_page_modify(mm->policy, mm->owner, p, src)) {
	case MODIFY_PROCEED:
		return p;
	case MODIFY_WAIT:
		TRACE(mm->tr, t, "folio_wait_writeback", "ino=%d index=%" G_GUINT64_FORMAT,
		      blk_file(p->blk)->ino, blk_index(p->blk));
		metrics_inc(mm->m, M_STABLE_WAITS);
		task_wait(t, p, STALL_STABLE);
		return NULL;
	case MODIFY_WAIT_PIN:
		if (!p->pincount)
			metrics_inc(mm->m, M_STABLE_WAITS);
		task_wait(t, p, p->pincount ? STALL_PIN : STALL_STABLE);
		return NULL;
	case MODIFY_FORK:
		return page_fork(mm, t, p, fault_map, fault_idx);
	}
	g_assert_not_reached();
}

/*
 * invalidate_inode_pages2 for one page: unmap it and drop it from the index, unless
 * something still needs this copy (a pin, dirty data, I/O, a read in progress).
 */
bool remove_from_page_cache(struct mm *mm, struct page *p)
{
	if (p->pincount || (p->flags & (PG_dirty | PG_writeback | PG_locked)))
		return false;
	if (p->mapcount)
		mm_zap_page(mm, NULL, p);
	struct blk *b = p->blk;
	blk_clear_tag(b, XA_DIRTY);
	blk_clear_tag(b, XA_TOWRITE);
	blk_clear_tag(b, XA_WRITEBACK);
	b->page = NULL;
	p->flags |= PG_orphan;
	page_put(mm, p);
	return true;
}

enum op_status read_page(struct mm *mm, struct task *t, struct blk *b, struct page **out)
{
	struct page *p = b->page;
	if (p && !(p->flags & PG_locked)) {
		*out = p;
		return OP_DONE;
	}
	if (!p) {
		p = page_alloc(mm, b);
		p->flags |= PG_locked;
		b->page = p;
		task_cost(t, mm->cost->page_alloc, M_NR_COUNTERS);
		page_get(p);
		mm->hooks.read_page(mm->hooks.io, p);
	}
	task_wait(t, p, STALL_IO);
	return OP_BLOCKED;
}

uint64_t mm_cached_pages(const struct mm *mm)
{
	uint64_t n = 0;
	for (guint i = 0; i < mm->files->len; i++) {
		struct file *f = mm->files->pdata[i];
		uint64_t idx = 0;
		while (xa_find_tag(&f->xa, &idx, UINT64_MAX, XA_PRESENT)) {
			n += f->blocks[idx].page != NULL;
			idx++;
		}
	}
	return n;
}

/*
 * The model's memory for pages: the copies beyond blocks' first, and for each file its
 * index's marks and its blocks.  A file's blocks are materialized 64 at a time (a 4 KiB
 * page of the array) exactly where a node at the bottom of the index is live.
 */
size_t mm_model_bytes(const struct mm *mm)
{
	size_t n = mm->pool.bytes;
	for (guint i = 0; i < mm->anons->len; i++)
		n += ((struct anon *)mm->anons->pdata[i])->nr_pages * sizeof(struct page);
	for (guint i = 0; i < mm->files->len; i++) {
		struct file *f = mm->files->pdata[i];
		n += xa_bytes(&f->xa) + f->xa.nr_live[0] * XA_CHUNK_SIZE * sizeof(struct blk);
	}
	return n;
}

/* ---- facts for policies ---------------------------------------------------------- */

bool page_is_pinned(const struct page *p)
{
	return p->pincount > 0;
}

bool page_is_mapped(const struct page *p)
{
	return p->mapcount > 0;
}

bool page_under_writeback(const struct page *p)
{
	return p->flags & PG_writeback;
}

bool page_has_older_inflight(const struct page *p)
{
	return blk_get_tag(p->blk, XA_OLDER_INFLIGHT);
}
