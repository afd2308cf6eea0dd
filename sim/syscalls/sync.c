/*
 * sync — the data-integrity calls.  fsync, fdatasync and msync follow
 * file_write_and_wait_range + a cache flush: tag DIRTY pages TOWRITE, write them
 * (waiting for those already under writeback and writing them again), wait for every
 * page tagged WRITEBACK (and, if the policy tracks them, for forked copies in flight),
 * flush a volatile device cache, then report a write error once (errseq).  sync(2)
 * does the same over every file; sync_file_range does the parts it is asked for.
 */
#include "syscalls/syscalls.h"

/* S_EXIT: the work is done and judged; only the syscall's CPU time is left to pay,
 * and paying may sleep, so what came before must not run again on the way out. */
enum { S_ENTRY, S_WRITE, S_WAIT, S_FLUSH, S_FLUSH_WAIT, S_REPORT, S_EXIT };

struct sync_target {
	struct file *f;
	uint64_t first, last;
};

static void end_flush(struct request *rq)
{
	struct op *op = rq->private;
	op->pending--;
	wake_up_key(op->k->sched, op);
	request_free(rq);
}

static bool sync_waits_forked(struct kernel *k)
{
	return policy_sync_waits(k->policy, k->owner) & SYNC_WAIT_FORKED;
}

/*
 * The machine shared by fsync, msync, sync(2) and the final sync: op->files holds
 * struct sync_target pointers.
 */
static enum op_status sync_targets(struct kernel *k, struct task *t, struct op *op,
				   bool report_errors, bool check)
{
	bool forked_too = op->type == OP_FINAL_SYNC || sync_waits_forked(k);

	switch (op->phase) {
	case S_ENTRY:
		for (guint i = 0; i < op->files->len; i++) {
			struct sync_target *st = op->files->pdata[i];
			if (check)
				oracle_sync_begin(k->oracle, &op->snapshot, st->f, st->first, st->last);
			tag_pages_for_writeback(st->f, st->first, st->last);
		}
		op->file_i = 0;
		op->phase = S_WRITE;
		if (op->files->len) {
			struct sync_target *st = op->files->pdata[0];
			wbc_init(&op->wbc, st->f, st->first, st->last, WB_SYNC_ALL, XA_TOWRITE,
				 INT64_MAX);
		}
		/* fall through */
	case S_WRITE:
		while (op->file_i < op->files->len) {
			if (write_cache_pages(k->wb, t, &op->wbc) == WB_BLOCKED)
				return OP_BLOCKED;
			if (++op->file_i < op->files->len) {
				struct sync_target *st = op->files->pdata[op->file_i];
				wbc_init(&op->wbc, st->f, st->first, st->last, WB_SYNC_ALL,
					 XA_TOWRITE, INT64_MAX);
			}
		}
		op->file_i = 0;
		op->cursor = op->files->len ? ((struct sync_target *)op->files->pdata[0])->first : 0;
		op->phase = S_WAIT;
		/* fall through */
	case S_WAIT:
		while (op->file_i < op->files->len) {
			struct sync_target *st = op->files->pdata[op->file_i];
			if (!wait_on_writeback_range(t, st->f, &op->cursor, st->first, st->last, forked_too))
				return OP_BLOCKED;
			if (++op->file_i < op->files->len)
				op->cursor = ((struct sync_target *)op->files->pdata[op->file_i])->first;
		}
		op->phase = S_FLUSH;
		/* fall through */
	case S_FLUSH:
		op->phase = S_FLUSH_WAIT;
		if (k->cfg->dev.write_cache) {
			struct request *rq = device_flush_request(k->dev);
			rq->end_io = end_flush;
			rq->private = op;
			op->pending++;
			TRACE(k->tr, t, "block_rq_insert", "FLUSH");
			submit_request(k->dev, rq);
		}
		/* fall through */
	case S_FLUSH_WAIT:
		if (op->pending) {
			task_wait(t, op, STALL_IO);
			return OP_BLOCKED;
		}
		op->phase = S_REPORT;
		/* fall through */
	case S_REPORT:
		if (report_errors) {
			for (guint i = 0; i < op->files->len; i++) {
				struct file *f = ((struct sync_target *)op->files->pdata[i])->f;
				if (f->wb_err != f->wb_err_seen) {
					f->wb_err_seen = f->wb_err;
					op->result = -WBSIM_EIO;
				}
			}
		}
		if (check && !op->result)
			oracle_sync_end(k->oracle, t, op->snapshot);
		op->phase = S_EXIT;
		return OP_DONE;
	case S_EXIT:
		return OP_DONE;
	}
	g_assert_not_reached();
}

static void add_target(struct op *op, struct file *f, uint64_t off, uint64_t len)
{
	struct sync_target *st = g_new(struct sync_target, 1);
	uint64_t n = pages_of(off, len ? len : 1, &st->first);
	st->f = f;
	st->last = st->first + n - 1;
	if (st->last >= f->nr_pages)
		st->last = f->nr_pages - 1;
	g_ptr_array_add(op->files, st);
}

static void add_all_files(struct kernel *k, struct op *op)
{
	for (guint i = 0; i < k->all_files->len; i++) {
		struct file *f = k->all_files->pdata[i];
		add_target(op, f, 0, f->size);
	}
}

/* fsync, fdatasync, msync, and the final sync of a run. */
enum op_status op_fsync(struct kernel *k, struct task *t, struct op *op)
{
	if (op->phase == S_ENTRY && !op->files) {
		op->files = g_ptr_array_new_with_free_func(g_free);
		if (op->type == OP_FINAL_SYNC)
			add_all_files(k, op);
		else
			add_target(op, op->file, op->off, op->len);
		task_cost(t, k->cfg->cost.syscall, M_NR_COUNTERS);
		TRACE(k->tr, t, op->type == OP_MSYNC ? "msync_enter" : "ext4_sync_file_enter",
		      "ino=%d", op->file ? op->file->ino : 0);
	}
	if (op->phase != S_EXIT) {
		bool user = op->type != OP_FINAL_SYNC;
		if (sync_targets(k, t, op, user, user) == OP_BLOCKED)
			return OP_BLOCKED;
		TRACE(k->tr, t, "ext4_sync_file_exit", "ret=%d", op->result);
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

/* sync(2): every file; errors are not reported (as sync(2) does not). */
enum op_status op_sync(struct kernel *k, struct task *t, struct op *op)
{
	if (op->phase == S_ENTRY && !op->files) {
		op->files = g_ptr_array_new_with_free_func(g_free);
		add_all_files(k, op);
		task_cost(t, k->cfg->cost.syscall, M_NR_COUNTERS);
	}
	if (sync_targets(k, t, op, false, !t->kernel) == OP_BLOCKED)
		return OP_BLOCKED;
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}

/* sync_file_range(2): not a data-integrity operation, so the oracle does not judge it. */
enum op_status op_sync_range(struct kernel *k, struct task *t, struct op *op)
{
	struct file *f = op->file;
	enum { R_ENTRY, R_WAIT_BEFORE, R_WRITE, R_WAIT_AFTER, R_EXIT };

	if (op->phase == R_ENTRY) {
		uint64_t n = pages_of(op->off, op->len ? op->len : f->size - op->off, &op->first);
		op->last = op->first + n - 1;
		if (op->last >= f->nr_pages)
			op->last = f->nr_pages - 1;
		op->cursor = op->first;
		task_cost(t, k->cfg->cost.syscall, M_NR_COUNTERS);
		op->phase = R_WAIT_BEFORE;
	}
	if (op->phase == R_WAIT_BEFORE) {
		if ((op->how & SYNC_FILE_RANGE_WAIT_BEFORE) &&
		    !wait_on_writeback_range(t, f, &op->cursor, op->first, op->last, false))
			return OP_BLOCKED;
		bool all = (op->how & SYNC_FILE_RANGE_WAIT_BEFORE) &&
			   (op->how & SYNC_FILE_RANGE_WAIT_AFTER);
		if (all)
			tag_pages_for_writeback(f, op->first, op->last);
		wbc_init(&op->wbc, f, op->first, op->last, all ? WB_SYNC_ALL : WB_SYNC_NONE,
			 all ? XA_TOWRITE : XA_DIRTY, INT64_MAX);
		op->phase = R_WRITE;
	}
	if (op->phase == R_WRITE) {
		if ((op->how & SYNC_FILE_RANGE_WRITE) && write_cache_pages(k->wb, t, &op->wbc) == WB_BLOCKED)
			return OP_BLOCKED;
		op->cursor = op->first;
		op->phase = R_WAIT_AFTER;
	}
	if (op->phase == R_WAIT_AFTER) {
		if ((op->how & SYNC_FILE_RANGE_WAIT_AFTER) &&
		    !wait_on_writeback_range(t, f, &op->cursor, op->first, op->last, false))
			return OP_BLOCKED;
		/* Waited once: writeback started during the exit below is not ours. */
		op->phase = R_EXIT;
	}
	return task_pay(t) ? OP_DONE : OP_BLOCKED;
}
