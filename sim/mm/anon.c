/*
 * anon — anonymous private memory (proc:alloc): what a program mallocs and hands to
 * O_DIRECT.  Its pages have content and nothing else: no block, no index, no dirty
 * bit, no writeback.  A direct write reads them at its DMA instant like any page, so
 * a store into the buffer while the write is in flight changes what the device gets
 * (xfstests' dio-writeback-race with a malloc'd buffer).
 */
#include "mm/mm.h"

#include <stdlib.h>

struct anon *mm_anon_new(struct mm *mm, struct process *p, uint64_t size)
{
	g_return_val_if_fail(size > 0, NULL);
	uint64_t n = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	struct page *pages = huge_calloc(n, sizeof(struct page));
	if (!pages)
		return NULL;
	/* Zero-filled pages all hold version 0, as untouched file blocks do; the first
	 * store gives a page a version of its own. */
	for (uint64_t i = 0; i < n; i++) {
		pages[i].flags = PG_anon | PG_uptodate;
		pages[i].refcount = 1;
	}
	struct anon *a = g_new0(struct anon, 1);
	a->proc = p;
	a->size = size;
	a->nr_pages = n;
	a->pages = pages;
	a->id = (int)mm->anons->len + 1;
	g_ptr_array_add(mm->anons, a);
	return a;
}

void anon_modify(struct mm *mm, struct page *p)
{
	g_assert(p->flags & PG_anon);
	p->content = ++mm->version;
}
