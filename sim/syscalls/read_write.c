/*
 * read_write — write(2) and read(2) through the page cache.  Each is a per-page loop
 * that can stop at any page (a read from the device, a policy wait, dirty
 * throttling, CPU time) and resume.
 */
#include "syscalls/syscalls.h"

enum op_status op_pwrite(struct kernel *k, struct task *t, struct op *op)
{
	struct mm *mm = k->mm;
	struct file *f = op->file;

	if (op->phase == PH_ENTRY) {
		range_init(op);
		task_cost(t, k->cfg->cost.syscall, M_NR_COUNTERS);
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
				p = page_alloc(mm, b);
				p->flags |= PG_uptodate;
				p->content = b->disk;
				b->page = p;
				task_cost(t, k->cfg->cost.page_alloc, M_NR_COUNTERS);
			} else if (read_page(mm, t, b, &p) == OP_BLOCKED) {
				return OP_BLOCKED;
			}
			p = prepare_modify(mm, t, p, MODIFY_WRITE, NULL, 0);
			if (!p)
				return OP_BLOCKED;
			page_modify(mm, t, p, whole, ORIGIN_WRITE);
			set_page_dirty(mm, p);
			task_cost(t, copy_cost(k, bytes), M_CPU_COPY);
			op->phase = PH_THROTTLE;
		}
		if (!balance_dirty_pages(k->wb, t))
			return OP_BLOCKED;
		op->phase = PH_PAGE;
		op->cursor++;
		if (!task_pay(t))
			return OP_BLOCKED;
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

enum op_status op_pread(struct kernel *k, struct task *t, struct op *op)
{
	if (op->phase == PH_ENTRY) {
		range_init(op);
		task_cost(t, k->cfg->cost.syscall, M_NR_COUNTERS);
		op->phase = PH_PAGE;
	}
	while (op->cursor <= op->last) {
		struct blk *b = blk_get(op->file, op->cursor);
		struct page *p;
		if (read_page(k->mm, t, b, &p) == OP_BLOCKED)
			return OP_BLOCKED;
		oracle_read(k->oracle, t, b, p->content);
		task_cost(t, copy_cost(k, bytes_in_page(op->off, op->len, op->cursor)), M_CPU_COPY);
		op->cursor++;
		if (!task_pay(t))
			return OP_BLOCKED;
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}
