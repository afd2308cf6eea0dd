/*
 * gup — get_user_pages pins: the pages a pin holds, whatever the index says later,
 * and their release, which dirties them (unpin_user_pages_dirty_lock) unless the pin
 * only fed a direct write.  A FOLL_LONGTERM pin counts PIN_LONGTERM_BIAS, so one page
 * can hold both kinds and still say which.
 */
#include "mm/mm.h"

struct pin *pin_new(struct mm *mm, struct mapping *m, uint64_t first, uint64_t n)
{
	struct pin *pin = g_new0(struct pin, 1);
	pin->map = m;
	pin->first = first;
	pin->nr_pages = n;
	pin->pages = g_new0(struct page *, n);
	g_ptr_array_add(mm->pins, pin);
	return pin;
}

void pin_page(struct pin *pin, uint64_t k, struct page *p)
{
	pin->pages[k] = p;
	p->pincount += pin->longterm ? PIN_LONGTERM_BIAS : 1;
	page_get(p);
}

void pin_release(struct mm *mm, struct pin *pin)
{
	if (pin->released)
		return;
	pin->released = true;
	for (uint64_t k = 0; k < pin->nr_pages; k++) {
		struct page *p = pin->pages[k];
		if (!p)
			continue;       /* GUP was still faulting pages in when the workload stopped */
		if (!pin->for_dio)
			set_page_dirty(mm, p);
		p->pincount -= pin->longterm ? PIN_LONGTERM_BIAS : 1;
		wake_up_key(mm->sched, p);      /* writers waiting for the pin to go */
		page_put(mm, p);
		pin->pages[k] = NULL;
	}
}
