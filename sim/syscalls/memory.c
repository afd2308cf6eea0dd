/*
 * memory — CPU stores and loads through a shared file mapping: each page faults in as
 * needed (a store through a write-protected PTE takes the write fault, where the
 * policy is asked about a page under writeback), then the CPU touches it.  And the
 * same of a Buffer, which has nothing to fault on.
 */
#include "syscalls/syscalls.h"

enum op_status op_store(struct kernel *k, struct task *t, struct op *op)
{
	struct mapping *m = op->map;

	if (op->phase == PH_ENTRY) {
		range_init(op);
		op->phase = PH_PAGE;
		/* The PTE says which copy to touch, but the block holding the usual one
		 * and its marks need not wait for it. */
		blk_prefetch(m->file, m->pgoff + op->first);
	}
	while (op->cursor <= op->last) {
		if (op->phase == PH_PAGE) {
			bool faulted = !(m->ptes[op->cursor].bits & PTE_WRITE);
			if (fault_in(k->mm, t, &op->fault, m, op->cursor, true, MODIFY_FAULT) == OP_BLOCKED)
				return OP_BLOCKED;
			struct page *p = m->ptes[op->cursor].page;
			uint64_t bytes = bytes_in_page(op->off, op->len, op->cursor);
			page_modify(k->mm, t, p, bytes == PAGE_SIZE, ORIGIN_STORE);
			/* The CPU's own stores: time, but not a kernel copy. */
			task_cost(t, copy_cost(k, bytes), M_NR_COUNTERS);
			op->phase = faulted ? PH_THROTTLE : PH_DONE;
		}
		/* Only the fault path dirties pages, so only it throttles. */
		if (op->phase == PH_THROTTLE && !balance_dirty_pages(k->wb, t))
			return OP_BLOCKED;
		op->phase = PH_PAGE;
		op->cursor++;
		if (!task_pay(t))
			return OP_BLOCKED;
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

enum op_status op_load(struct kernel *k, struct task *t, struct op *op)
{
	struct mapping *m = op->map;

	if (op->phase == PH_ENTRY) {
		range_init(op);
		op->phase = PH_PAGE;
	}
	while (op->cursor <= op->last) {
		if (fault_in(k->mm, t, &op->fault, m, op->cursor, false, MODIFY_FAULT) == OP_BLOCKED)
			return OP_BLOCKED;
		struct page *p = m->ptes[op->cursor].page;
		oracle_read(k->oracle, t, p->blk, p->content);
		task_cost(t, copy_cost(k, bytes_in_page(op->off, op->len, op->cursor)), M_NR_COUNTERS);
		op->cursor++;
		if (!task_pay(t))
			return OP_BLOCKED;
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

/*
 * Stores and loads of a Buffer (anonymous private memory): the CPU touches the pages
 * one at a time, as op_store does, with nothing to fault on (the model's anonymous
 * memory is populated when allocated) and no writeback to ask about.  A page a direct
 * write still has to DMA changes under it.
 */
enum op_status op_buf_store(struct kernel *k, struct task *t, struct op *op)
{
	if (op->phase == PH_ENTRY) {
		range_init(op);
		op->phase = PH_PAGE;
	}
	while (op->cursor <= op->last) {
		anon_modify(k->mm, &op->buf->pages[op->cursor]);
		task_cost(t, copy_cost(k, bytes_in_page(op->off, op->len, op->cursor)), M_NR_COUNTERS);
		op->cursor++;
		if (!task_pay(t))
			return OP_BLOCKED;
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

enum op_status op_buf_load(struct kernel *k, struct task *t, struct op *op)
{
	if (op->phase == PH_ENTRY) {
		range_init(op);
		op->phase = PH_PAGE;
	}
	while (op->cursor <= op->last) {
		task_cost(t, copy_cost(k, bytes_in_page(op->off, op->len, op->cursor)), M_NR_COUNTERS);
		op->cursor++;
		if (!task_pay(t))
			return OP_BLOCKED;
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}
