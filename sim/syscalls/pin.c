/*
 * pin — get_user_pages(FOLL_PIN | FOLL_WRITE) as a task calls it, the writes of a pin
 * holder (a device, RDMA, the kernel: no fault, no PTE, no policy), and the release.
 * With FOLL_LONGTERM (RDMA registrations, io_uring's fixed buffers, vfio) a shared
 * file mapping is refused with EFAULT, as check_vma_flags does when
 * writable_file_mapping_allowed() says no, unless the policy grants it.
 */
#include "syscalls/syscalls.h"

enum op_status op_pin(struct kernel *k, struct task *t, struct op *op)
{
	struct mapping *m = op->map;

	if (op->phase == PH_ENTRY) {
		range_init(op);
		task_cost(t, k->cfg->cost.syscall, M_NR_COUNTERS);
		if (op->longterm && !policy_longterm_pin(k->policy, k->owner)) {
			/* Refused before any page is touched, as the VMA check comes first. */
			TRACE(k->tr, t, "pin_user_pages_refused", "ino=%d index=%" G_GUINT64_FORMAT
			      " nr=%" G_GUINT64_FORMAT " longterm", m->file->ino, m->pgoff + op->first,
			      op->last - op->first + 1);
			op->result = -WBSIM_EFAULT;
			op->phase = PH_DONE;
			return task_pay(t) ? OP_DONE : OP_BLOCKED;
		}
		op->out_pin = pin_new(k->mm, m, op->first, op->last - op->first + 1);
		op->out_pin->off = op->off;
		op->out_pin->len = op->len;
		op->out_pin->longterm = op->longterm;
		op->phase = PH_PAGE;
	}
	if (op->phase == PH_DONE)
		return task_pay(t) ? OP_DONE : OP_BLOCKED;
	while (op->cursor <= op->last) {
		/* GUP faults each page in for writing, then takes the page the PTE maps. */
		if (fault_in(k->mm, t, &op->fault, m, op->cursor, true, MODIFY_GUP) == OP_BLOCKED)
			return OP_BLOCKED;
		pin_page(op->out_pin, op->cursor - op->first, m->ptes[op->cursor].page);
		op->cursor++;
		if (op->cursor > op->last)
			TRACE(k->tr, t, "pin_user_pages", "ino=%d index=%" G_GUINT64_FORMAT " nr=%" G_GUINT64_FORMAT,
			      m->file->ino, m->pgoff + op->first, op->last - op->first + 1);
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

enum op_status op_pin_write(struct kernel *k, struct task *t, struct op *op)
{
	struct pin *pin = op->pin;

	if (op->phase == PH_ENTRY) {
		/* Offsets are relative to the pinned range; work in mapping bytes. */
		uint64_t moff = pin->off + op->off;
		uint64_t first, n = pages_of(moff, op->len, &first);
		op->phase = PH_PAGE;
		for (uint64_t i = first; i < first + n; i++) {
			struct page *p = pin->pages[i - pin->first];
			uint64_t bytes = bytes_in_page(moff, op->len, i);
			page_modify(k->mm, t, p, bytes == PAGE_SIZE, ORIGIN_PIN_WRITE);
			task_cost(t, copy_cost(k, bytes), M_NR_COUNTERS);
			TRACE(k->tr, t, "pin_write", "ino=%d index=%" G_GUINT64_FORMAT "%s%s",
			      blk_file(p->blk)->ino, blk_index(p->blk),
			      p->flags & PG_writeback ? " under_writeback" : "",
			      page_in_index(p) ? "" : " orphan");
		}
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

enum op_status op_pin_release(struct kernel *k, struct task *t, struct op *op)
{
	if (op->phase == PH_ENTRY) {
		op->phase = PH_PAGE;
		pin_release(k->mm, op->pin);
		task_cost(t, k->cfg->cost.syscall, M_NR_COUNTERS);
		/* Dirtying may push the writer over the limit like any other. */
	}
	if (op->phase == PH_PAGE) {
		if (!balance_dirty_pages(k->wb, t))
			return OP_BLOCKED;
		op->phase = PH_DONE;    /* paying the syscall below must not throttle twice */
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}
