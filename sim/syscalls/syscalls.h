/*
 * syscalls — what tasks do: write(2) and read(2) through the page cache, stores and
 * loads through a mapping, get_user_pages pins and their holders' writes, the
 * data-integrity calls (fsync, fdatasync, msync, sync(2), sync_file_range) and
 * O_DIRECT.  Each is a resumable state machine over struct op: it runs as far as it
 * can and returns OP_DONE, or OP_BLOCKED after putting its task to sleep (on a wait
 * queue, or until its CPU time is paid), to be called again when the task's wakeup
 * fires.  The machine (model/) dispatches on op->type.
 */
#ifndef WBSIM_SYSCALLS_H
#define WBSIM_SYSCALLS_H

#include <glib.h>

#include "block/block.h"
#include "check/oracle.h"
#include "engine/config.h"
#include "mm/mm.h"
#include "writeback/writeback.h"

/* Every layer of the machine, as the system calls use them. */
struct kernel {
	struct engine *eng;
	struct metrics *m;
	const struct tracer *tr;
	const struct sim_config *cfg;
	struct policy *policy;
	struct sim *owner;              /* handed to the policy's hooks */
	struct sched *sched;
	struct mm *mm;
	struct device *dev;
	struct bdi_writeback *wb;
	struct oracle *oracle;
	GPtrArray *all_files;           /* sync(2) goes through them: mm->files */
	struct kiocb *iocbs;            /* direct I/O in flight or not yet waited for */
	struct kiocb *free_iocbs;
};

/*
 * One direct I/O call (the kernel's kiocb with its iomap_dio): its requests in
 * flight and its result.  A synchronous call waits for it and finishes it in the
 * caller; an asynchronous one (io_submit, io_uring) returns it as a handle, is
 * finished by its last completion, and is freed once io:wait has returned its result.
 */
struct kiocb {
	struct kiocb *next, *prev;      /* k->iocbs, or the free list */
	struct kernel *k;
	struct task *t;                 /* who issued it */
	struct file *file;
	uint64_t first, last;           /* pages of the file */
	struct pin *src_pin;            /* a mapping as the source, pinned for the I/O */
	struct anon *buf;               /* a Buffer as the source or the destination */
	uint64_t buf_first, buf_pages;  /* the pages of it the I/O covers */
	uint64_t len;                   /* bytes */
	simtime_t started;
	unsigned pending;               /* requests still in flight */
	int result;                     /* 0 or -EIO */
	bool write, async, done;
	bool bounce;                    /* through bounce pages (op->bounce) */
};

enum op_type {
	OP_NONE,
	OP_SLEEP,
	OP_PWRITE,
	OP_PREAD,
	OP_STORE,
	OP_LOAD,
	OP_PIN,
	OP_PIN_WRITE,
	OP_PIN_RELEASE,
	OP_FSYNC,
	OP_MSYNC,
	OP_SYNC_RANGE,
	OP_SYNC,
	OP_DIO_WRITE,
	OP_DIO_READ,
	OP_IO_WAIT,
	OP_BUF_STORE,
	OP_BUF_LOAD,
	OP_WAIT_KEY,
	OP_FINAL_SYNC,
};

/* The state of a task's system call in progress. */
struct op {
	enum op_type type;
	int phase;
	simtime_t started;
	uint64_t arg_ns;
	struct file *file;
	struct mapping *map;
	struct pin *pin;
	uint64_t off, len;              /* bytes, relative to file / mapping / pin */
	uint64_t first, last;           /* page range being worked on */
	uint64_t cursor;                /* next page of the range */
	unsigned how;                   /* sync_file_range flags, fsync datasync */
	struct mapping *src_map;        /* dio source buffer */
	uint64_t src_off;
	struct anon *buf;               /* dio: a Buffer as the source or destination */
	uint64_t buf_off;
	bool async;                     /* dio: return at submission with out_io */
	struct kiocb *iocb;             /* dio in progress; io_wait: the one waited for */
	struct kiocb *out_io;
	struct wbc wbc;
	GArray *snapshot;               /* oracle: what must be durable when a sync returns */
	GPtrArray *files;               /* sync targets */
	guint file_i;
	struct pin *src_pin;
	struct fault_state fault;
	int result;                     /* 0 or -EIO */
	const void *wait_key;
	struct pin *out_pin;
	bool longterm;                  /* pin: FOLL_LONGTERM */
	unsigned pending;               /* requests of this op still in flight */
	bool bounce;                    /* its user pages go through bounce pages */
	/* set once, when the task is made */
	struct kernel *k;
	struct task *t;
};

/* read_write.c */
enum op_status op_pwrite(struct kernel *k, struct task *t, struct op *op);
enum op_status op_pread(struct kernel *k, struct task *t, struct op *op);
/* memory.c */
enum op_status op_store(struct kernel *k, struct task *t, struct op *op);
enum op_status op_load(struct kernel *k, struct task *t, struct op *op);
/* pin.c */
enum op_status op_pin(struct kernel *k, struct task *t, struct op *op);
enum op_status op_pin_write(struct kernel *k, struct task *t, struct op *op);
enum op_status op_pin_release(struct kernel *k, struct task *t, struct op *op);
/* sync.c: fsync, fdatasync, msync and the final sync of a run; sync(2); sync_file_range */
enum op_status op_fsync(struct kernel *k, struct task *t, struct op *op);
enum op_status op_sync(struct kernel *k, struct task *t, struct op *op);
enum op_status op_sync_range(struct kernel *k, struct task *t, struct op *op);
/* direct_io.c */
enum op_status op_dio_write(struct kernel *k, struct task *t, struct op *op);
enum op_status op_dio_read(struct kernel *k, struct task *t, struct op *op);
/* io:wait: until @op->iocb is done; its result becomes the op's, and it is freed. */
enum op_status op_io_wait(struct kernel *k, struct task *t, struct op *op);
/* The end of the machine: free every kiocb, finished or not. */
void dio_destroy(struct kernel *k);
/* memory.c: CPU stores and loads of a Buffer */
enum op_status op_buf_store(struct kernel *k, struct task *t, struct op *op);
enum op_status op_buf_load(struct kernel *k, struct task *t, struct op *op);
/* dio_bounce.c: a direct I/O's CPU time before submission (its requests, checksums,
 * bounce pages), and the bounce pages themselves */
unsigned dio_max_pages(const struct kernel *k);
void dio_cpu_cost(struct kernel *k, struct task *t, struct op *op, bool write);
struct page *dio_bounce_write_page(struct kernel *k, struct bvec *v);
void dio_bounce_read_submit(struct kernel *k, unsigned nr);
void dio_bounce_read_end(struct kernel *k, unsigned nr);
void dio_bounce_read_copy(struct kernel *k, struct task *t, uint64_t pages);

/* Phases shared by the per-page loops (read_write.c, memory.c, pin.c). */
enum { PH_ENTRY, PH_PAGE, PH_THROTTLE, PH_DONE };

/* Helpers of the per-page loops. */
static inline uint64_t copy_cost(const struct kernel *k, uint64_t bytes)
{
	return (k->cfg->cost.copy_page * bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* Bytes of page @idx covered by [off, off+len). */
static inline uint64_t bytes_in_page(uint64_t off, uint64_t len, uint64_t idx)
{
	uint64_t lo = idx << PAGE_SHIFT, hi = lo + PAGE_SIZE;
	uint64_t a = off > lo ? off : lo, b = off + len < hi ? off + len : hi;
	return b - a;
}

static inline void range_init(struct op *op)
{
	uint64_t n = pages_of(op->off, op->len, &op->first);
	op->last = op->first + n - 1;
	op->cursor = op->first;
}

#endif
