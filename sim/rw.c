/*
 * rw — the data paths that modify or read pages: write(2) and read(2) through the
 * page cache, CPU stores and loads through a mapping, and get_user_pages pins with
 * the writes their holders make.  Each is a per-page loop that can stop at any page
 * (a read from the device, a policy wait, dirty throttling, CPU time) and resume.
 */
#include "model.h"
#include "policy.h"

/* Phases shared by the per-page loops. */
enum { PH_ENTRY, PH_PAGE, PH_THROTTLE, PH_DONE };

static uint64_t copy_cost(struct sim *s, uint64_t bytes)
{
	return (costs(s)->copy_page * bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* Bytes of page @idx covered by [off, off+len). */
static uint64_t bytes_in_page(uint64_t off, uint64_t len, uint64_t idx)
{
	uint64_t lo = idx << PAGE_SHIFT, hi = lo + PAGE_SIZE;
	uint64_t a = off > lo ? off : lo, b = off + len < hi ? off + len : hi;
	return b - a;
}

static void range_init(struct op *op, uint64_t page_base)
{
	uint64_t n = pages_of(op->off, op->len, &op->first);
	op->first += page_base;
	op->last = op->first + n - 1;
	op->cursor = op->first;
}

/*
 * write_begin's question: may this page be modified now?  Returns the page to
 * modify (a fork's copy perhaps), or NULL after putting the task to sleep.
 */
static struct page *prepare_modify(struct task *t, struct page *p, enum modify_source src)
{
	struct sim *s = t->sim;
	if (!(p->flags & PG_writeback))
		return p;
	switch (policy_page_modify(s->policy, s, p, src)) {
	case MODIFY_PROCEED:
		return p;
	case MODIFY_WAIT:
		TRACE(s, t, "folio_wait_writeback", "ino=%d index=%" G_GUINT64_FORMAT,
		      blk_file(p->blk)->ino, blk_index(p->blk));
		task_wait(t, p, STALL_STABLE);
		return NULL;
	case MODIFY_WAIT_PIN:
		task_wait(t, p, p->pincount ? STALL_PIN : STALL_STABLE);
		return NULL;
	case MODIFY_FORK:
		return page_fork(s, t, p, NULL, 0);
	}
	g_assert_not_reached();
}

/* ---- write(2) ------------------------------------------------------------------- */

enum op_status op_pwrite(struct task *t)
{
	struct sim *s = t->sim;
	struct op *op = &t->op;
	struct file *f = op->file;

	if (op->phase == PH_ENTRY) {
		range_init(op, 0);
		task_cost(t, costs(s)->syscall, M_NR_COUNTERS);
		op->phase = PH_PAGE;
	}
	while (op->cursor <= op->last) {
		if (op->phase == PH_PAGE) {
			struct blk *b = blk_get(f, op->cursor);
			uint64_t bytes = bytes_in_page(op->off, op->len, op->cursor);
			bool whole = bytes == PAGE_SIZE;
			struct page *p = b->page;
			if (!p && whole) {
				/* A full overwrite needs no read of the old data. */
				p = page_alloc(s, b);
				p->flags |= PG_uptodate;
				p->content = b->disk;
				b->page = p;
				task_cost(t, costs(s)->page_alloc, M_NR_COUNTERS);
			} else if (read_page(t, b, &p) == OP_BLOCKED) {
				return OP_BLOCKED;
			}
			p = prepare_modify(t, p, MODIFY_WRITE);
			if (!p)
				return OP_BLOCKED;
			page_modify(s, p, whole);
			set_page_dirty(s, p);
			task_cost(t, copy_cost(s, bytes), M_CPU_COPY);
			op->phase = PH_THROTTLE;
		}
		if (!balance_dirty_pages(t))
			return OP_BLOCKED;
		op->phase = PH_PAGE;
		op->cursor++;
		if (!task_pay(t))
			return OP_BLOCKED;
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

/* ---- read(2) ---------------------------------------------------------------------- */

enum op_status op_pread(struct task *t)
{
	struct sim *s = t->sim;
	struct op *op = &t->op;

	if (op->phase == PH_ENTRY) {
		range_init(op, 0);
		task_cost(t, costs(s)->syscall, M_NR_COUNTERS);
		op->phase = PH_PAGE;
	}
	while (op->cursor <= op->last) {
		struct blk *b = blk_get(op->file, op->cursor);
		struct page *p;
		if (read_page(t, b, &p) == OP_BLOCKED)
			return OP_BLOCKED;
		oracle_read(s, t, b, p->content);
		task_cost(t, copy_cost(s, bytes_in_page(op->off, op->len, op->cursor)),
			  M_CPU_COPY);
		op->cursor++;
		if (!task_pay(t))
			return OP_BLOCKED;
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

/* ---- stores and loads through a mapping ---------------------------------------------- */

enum op_status op_store(struct task *t)
{
	struct sim *s = t->sim;
	struct op *op = &t->op;
	struct mapping *m = op->map;

	if (op->phase == PH_ENTRY) {
		range_init(op, 0);
		op->phase = PH_PAGE;
		/* The PTE says which copy to touch, but the block holding the usual one
		 * and its marks need not wait for it. */
		blk_prefetch(m->file, m->pgoff + op->first);
	}
	while (op->cursor <= op->last) {
		if (op->phase == PH_PAGE) {
			bool faulted = !(m->ptes[op->cursor].bits & PTE_WRITE);
			if (fault_in(t, m, op->cursor, true, MODIFY_FAULT) == OP_BLOCKED)
				return OP_BLOCKED;
			struct page *p = m->ptes[op->cursor].page;
			uint64_t bytes = bytes_in_page(op->off, op->len, op->cursor);
			page_modify(s, p, bytes == PAGE_SIZE);
			/* The CPU's own stores: time, but not a kernel copy. */
			task_cost(t, copy_cost(s, bytes), M_NR_COUNTERS);
			op->phase = faulted ? PH_THROTTLE : PH_DONE;
		}
		/* Only the fault path dirties pages, so only it throttles. */
		if (op->phase == PH_THROTTLE && !balance_dirty_pages(t))
			return OP_BLOCKED;
		op->phase = PH_PAGE;
		op->cursor++;
		if (!task_pay(t))
			return OP_BLOCKED;
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

enum op_status op_load(struct task *t)
{
	struct sim *s = t->sim;
	struct op *op = &t->op;
	struct mapping *m = op->map;

	if (op->phase == PH_ENTRY) {
		range_init(op, 0);
		op->phase = PH_PAGE;
	}
	while (op->cursor <= op->last) {
		if (fault_in(t, m, op->cursor, false, MODIFY_FAULT) == OP_BLOCKED)
			return OP_BLOCKED;
		struct page *p = m->ptes[op->cursor].page;
		oracle_read(s, t, p->blk, p->content);
		task_cost(t, copy_cost(s, bytes_in_page(op->off, op->len, op->cursor)),
			  M_NR_COUNTERS);
		op->cursor++;
		if (!task_pay(t))
			return OP_BLOCKED;
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

/* ---- get_user_pages(FOLL_PIN | FOLL_WRITE) ------------------------------------------------ */

struct pin *pin_new(struct sim *s, struct mapping *m, uint64_t first, uint64_t n)
{
	struct pin *pin = g_new0(struct pin, 1);
	pin->map = m;
	pin->first = first;
	pin->nr_pages = n;
	pin->pages = g_new0(struct page *, n);
	g_ptr_array_add(s->pins, pin);
	return pin;
}

void pin_page(struct pin *pin, uint64_t k, struct page *p)
{
	pin->pages[k] = p;
	p->pincount++;
	page_get(p);
}

enum op_status op_pin(struct task *t)
{
	struct sim *s = t->sim;
	struct op *op = &t->op;
	struct mapping *m = op->map;

	if (op->phase == PH_ENTRY) {
		range_init(op, 0);
		task_cost(t, costs(s)->syscall, M_NR_COUNTERS);
		op->out_pin = pin_new(s, m, op->first, op->last - op->first + 1);
		op->out_pin->off = op->off;
		op->out_pin->len = op->len;
		op->phase = PH_PAGE;
	}
	while (op->cursor <= op->last) {
		/* GUP faults each page in for writing, then takes the page the PTE maps. */
		if (fault_in(t, m, op->cursor, true, MODIFY_GUP) == OP_BLOCKED)
			return OP_BLOCKED;
		pin_page(op->out_pin, op->cursor - op->first, m->ptes[op->cursor].page);
		op->cursor++;
		if (op->cursor > op->last)
			TRACE(s, t, "pin_user_pages", "ino=%d index=%" G_GUINT64_FORMAT " nr=%" G_GUINT64_FORMAT,
			      m->file->ino, m->pgoff + op->first, op->last - op->first + 1);
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

/* The pin holder (a device, RDMA, the kernel) writes: no fault, no PTE, no policy. */
enum op_status op_pin_write(struct task *t)
{
	struct sim *s = t->sim;
	struct op *op = &t->op;
	struct pin *pin = op->pin;

	if (op->phase == PH_ENTRY) {
		/* Offsets are relative to the pinned range; work in mapping bytes. */
		uint64_t moff = pin->off + op->off;
		uint64_t first, n = pages_of(moff, op->len, &first);
		op->phase = PH_PAGE;
		for (uint64_t i = first; i < first + n; i++) {
			struct page *p = pin->pages[i - pin->first];
			uint64_t bytes = bytes_in_page(moff, op->len, i);
			page_modify(s, p, bytes == PAGE_SIZE);
			task_cost(t, copy_cost(s, bytes), M_NR_COUNTERS);
			TRACE(s, t, "pin_write", "ino=%d index=%" G_GUINT64_FORMAT "%s%s",
			      blk_file(p->blk)->ino, blk_index(p->blk),
			      p->flags & PG_writeback ? " under_writeback" : "",
			      page_in_index(p) ? "" : " orphan");
		}
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

/* unpin_user_pages_dirty_lock: the holder wrote, so the pages are dirty now. */
void pin_release(struct sim *s, struct pin *pin)
{
	if (pin->released)
		return;
	pin->released = true;
	for (uint64_t k = 0; k < pin->nr_pages; k++) {
		struct page *p = pin->pages[k];
		if (!p)
			continue;       /* GUP was still faulting pages in when the workload stopped */
		if (!pin->for_dio)
			set_page_dirty(s, p);
		p->pincount--;
		wake_up_key(s, p);      /* writers waiting for the pin to go */
		page_put(s, p);
		pin->pages[k] = NULL;
	}
}

enum op_status op_pin_release(struct task *t)
{
	struct sim *s = t->sim;
	if (t->op.phase == PH_ENTRY) {
		t->op.phase = PH_PAGE;
		pin_release(s, t->op.pin);
		task_cost(t, costs(s)->syscall, M_NR_COUNTERS);
		/* Dirtying may push the writer over the limit like any other. */
	}
	if (t->op.phase == PH_PAGE) {
		if (!balance_dirty_pages(t))
			return OP_BLOCKED;
		t->op.phase = PH_DONE;  /* paying the syscall below must not throttle twice */
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

uint64_t pin_size(const struct pin *p)
{
	return p->len;
}

bool pin_is_released(const struct pin *p)
{
	return p->released;
}
