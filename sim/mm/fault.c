/*
 * fault — a fault on a page of a shared file mapping: find or read the page, and for
 * a write, page_mkwrite: the policy decides about a page under writeback, the page is
 * dirtied, and the PTE becomes writable.
 */
#include "mm/mm.h"

/*
 * Handle a fault on page @i of @m, for writing when @write.  Re-entrant: after
 * OP_BLOCKED the caller calls again and the fault is retried from the start, as the
 * kernel retries a fault that had to sleep.  The fault's cost and count are taken
 * once, on the first attempt (@fs remembers it).
 */
enum op_status fault_in(struct mm *mm, struct task *t, struct fault_state *fs,
			struct mapping *m, uint64_t i, bool write, enum modify_source src)
{
	struct pte *pte = &m->ptes[i];
	if ((pte->bits & PTE_PRESENT) && (!write || (pte->bits & PTE_WRITE)))
		return OP_DONE;

	if (!fs->taken) {
		fs->taken = true;
		fs->started = engine_now(t->sched->eng);
		task_cost(t, mm->cost->fault, M_NR_COUNTERS);
		if (write)
			metrics_inc(mm->m, M_FAULTS);
	}

	struct page *p;
	if (pte->bits & PTE_PRESENT) {
		p = pte->page;
	} else {
		struct blk *b = blk_get(m->file, m->pgoff + i);
		if (read_page(mm, t, b, &p) == OP_BLOCKED)
			return OP_BLOCKED;
	}

	if (write) {
		p = prepare_modify(mm, t, p, src, m, i);
		if (!p)
			return OP_BLOCKED;
		set_page_dirty(mm, p);
	}

	if (pte->page != p) {
		if (pte->page) {        /* a stale translation: drop it */
			pte->page->mapcount--;
			page_put(mm, pte->page);
		}
		pte->page = p;
		p->mapcount++;
		page_get(p);
	}
	pte->bits = PTE_PRESENT | (write ? PTE_WRITE | PTE_DIRTY : 0);
	if (write)
		metrics_latency(mm->m, OPK_FAULT, engine_now(t->sched->eng) - fs->started + t->debt);
	fs->taken = false;
	return OP_DONE;
}
