/*
 * dio_bounce — what a direct I/O costs on the CPU besides the system call: the block
 * layer's and driver's work for each request (cost.dio_request), the guard checksums
 * of an integrity device, and, when the policy bounces user pages (IOMAP_DIO_BOUNCE,
 * for devices that need stable pages), a kernel page allocated for each page and the
 * data copied into it before a write, or out of it after a read.  With one CPU
 * driving 4 KiB I/O the bounce is about a tenth more CPU time per request, the whole
 * difference once the CPU is the bottleneck; from 64 KiB the device's bandwidth is,
 * and the copies hide behind it (scenarios/dio-bounce.lua).
 */
#include "syscalls/syscalls.h"

unsigned dio_max_pages(const struct kernel *k)
{
	unsigned max = (unsigned)(k->cfg->dev.max_request / PAGE_SIZE);
	return max ? max : 1;
}

void dio_cpu_cost(struct kernel *k, struct task *t, struct op *op, bool write)
{
	const struct cost_cfg *c = &k->cfg->cost;
	uint64_t pages = op->last - op->first + 1;
	uint64_t requests = (pages + dio_max_pages(k) - 1) / dio_max_pages(k);
	task_cost(t, requests * c->dio_request, M_NR_COUNTERS);
	if (write && k->cfg->dev.integrity)
		task_cost(t, pages * c->checksum_page, M_CPU_CHECKSUM);
	if (op->bounce) {
		task_cost(t, pages * c->page_alloc, M_NR_COUNTERS);
		if (write)
			task_cost(t, pages * c->copy_page, M_CPU_COPY);
	}
}

struct page *dio_bounce_write_page(struct kernel *k, struct bvec *v)
{
	struct page *bp = page_alloc(k->mm, v->dst);
	bp->flags |= PG_bounce | PG_orphan | PG_uptodate;
	bp->content = v->page ? v->page->content : 0;
	metrics_inc(k->m, M_BOUNCES);
	metrics_gauge_bounce(k->m, +1);
	return bp;
}

/* A bounced read lands in kernel pages, which hold nothing the model follows: only
 * their number (the bounce gauge) and their cost matter. */
void dio_bounce_read_submit(struct kernel *k, unsigned nr)
{
	metrics_gauge_bounce(k->m, nr);
}

void dio_bounce_read_end(struct kernel *k, unsigned nr)
{
	metrics_gauge_bounce(k->m, -(int64_t)nr);
}

/* The copy to the user's buffer once the data is in. */
void dio_bounce_read_copy(struct kernel *k, struct task *t, uint64_t pages)
{
	task_cost(t, pages * k->cfg->cost.copy_page, M_CPU_COPY);
}
