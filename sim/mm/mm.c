/*
 * mm — address spaces, shared file mappings and their PTEs, and the rmap operations
 * writeback and forking need: write-protect every PTE of a page (page_mkclean),
 * re-point them to a new copy, or zap them.  The rmap walk goes through the file's
 * list of mappings, as the kernel's i_mmap tree does, so a page carries no per-PTE
 * list.
 */
#include "mm/mm.h"

#include <stdlib.h>

struct process *mm_process_new(struct mm *mm, const char *name)
{
	struct process *p = g_new0(struct process, 1);
	p->pid = (int)mm->procs->len + 1;
	p->name = g_strdup(name);
	p->mappings = g_ptr_array_new();
	g_ptr_array_add(mm->procs, p);
	return p;
}

struct mapping *mm_mmap(struct mm *mm, struct process *p, struct file *f,
			uint64_t offset, uint64_t size)
{
	g_return_val_if_fail(offset % PAGE_SIZE == 0 && size > 0 && offset + size <= f->size,
			     NULL);
	struct mapping *m = g_new0(struct mapping, 1);
	m->proc = p;
	m->file = f;
	m->pgoff = offset >> PAGE_SHIFT;
	m->nr_pages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	m->ptes = huge_calloc(m->nr_pages, sizeof(struct pte));
	m->id = (int)mm->maps->len + 1;
	g_ptr_array_add(p->mappings, m);
	g_ptr_array_add(f->mappings, m);
	g_ptr_array_add(mm->maps, m);
	return m;
}

void mm_munmap(struct mm *mm, struct mapping *m)
{
	if (m->unmapped)
		return;
	for (uint64_t i = 0; i < m->nr_pages; i++) {
		struct pte *pte = &m->ptes[i];
		if (!(pte->bits & PTE_PRESENT))
			continue;
		pte->page->mapcount--;
		page_put(mm, pte->page);
		pte->page = NULL;
		pte->bits = 0;
	}
	m->unmapped = true;
	g_ptr_array_remove(m->file->mappings, m);
}

void mm_add_cpu(struct process *p, int cpu)
{
	if (!(p->cpumask[cpu / 64] >> (cpu % 64) & 1)) {
		p->cpumask[cpu / 64] |= 1ull << (cpu % 64);
		p->nr_cpus++;
	}
}

/* CPUs other than @cpu that may cache translations of @p's address space. */
unsigned mm_remote_cpus(const struct process *p, int cpu)
{
	unsigned n = p->nr_cpus;
	if (cpu >= 0 && (p->cpumask[cpu / 64] >> (cpu % 64) & 1))
		n--;
	return n;
}

/* A PTE of @p's address space changed: one shootdown IPI per remote CPU. */
static void flush_tlb(struct mm *mm, struct task *t, struct process *p)
{
	unsigned n = mm_remote_cpus(p, t && t->proc == p ? t->cpu : -1);
	if (!n)
		return;
	metrics_add(mm->m, M_TLB_SHOOTDOWNS, n);
	if (t)
		task_cost(t, n * mm->cost->tlb_shootdown, M_CPU_TLB);
	else
		metrics_add(mm->m, M_CPU_TLB, n * mm->cost->tlb_shootdown);
}

static void pte_changed(struct mm *mm, struct task *t)
{
	metrics_inc(mm->m, M_PTE_UPDATES);
	if (t)
		task_cost(t, mm->cost->pte_update, M_CPU_PTE);
	else
		metrics_add(mm->m, M_CPU_PTE, mm->cost->pte_update);
}

/* The PTE of @m that maps file page @index, if @m covers it. */
static struct pte *pte_of(struct mapping *m, uint64_t index)
{
	if (m->unmapped || index < m->pgoff || index >= m->pgoff + m->nr_pages)
		return NULL;
	return &m->ptes[index - m->pgoff];
}

/* Start fetching the PTEs that may map file page @index (writeback is about to
 * write-protect them); a file with many mappings gets its first few only. */
void mm_prefetch_ptes(struct file *f, uint64_t index)
{
	GPtrArray *maps = f->mappings;
	for (guint i = 0; i < maps->len && i < 4; i++) {
		struct pte *pte = pte_of(maps->pdata[i], index);
		if (pte)
			__builtin_prefetch(pte, 1);
	}
}

/*
 * Walk every PTE that maps @p.  @fn returns true when it changed the PTE; TLBs are
 * flushed once per address space touched, as the kernel batches them per page.
 */
typedef bool (*rmap_fn)(struct mm *mm, struct mapping *m, struct pte *pte, void *arg);

static void rmap_walk(struct mm *mm, struct task *t, struct page *p, rmap_fn fn, void *arg)
{
	if (!p->mapcount)
		return;
	GPtrArray *maps = blk_file(p->blk)->mappings;
	struct process *flushed = NULL;
	for (guint i = 0; i < maps->len; i++) {
		struct mapping *m = maps->pdata[i];
		struct pte *pte = pte_of(m, blk_index(p->blk));
		if (!pte || pte->page != p || !(pte->bits & PTE_PRESENT))
			continue;
		if (!fn(mm, m, pte, arg))
			continue;
		pte_changed(mm, t);
		/* Mappings of one process are adjacent in practice; flush per change of
		 * process so two mappings of one mm cost one round of IPIs. */
		if (flushed != m->proc) {
			flush_tlb(mm, t, m->proc);
			flushed = m->proc;
		}
	}
}

static bool mkclean_one(struct mm *mm, struct mapping *m, struct pte *pte, void *arg)
{
	(void)mm; (void)m; (void)arg;
	if (!(pte->bits & (PTE_WRITE | PTE_DIRTY)))
		return false;
	pte->bits &= ~(PTE_WRITE | PTE_DIRTY);
	return true;
}

/* page_mkclean: the next store through any mapping must fault. */
void mm_mkclean(struct mm *mm, struct task *t, struct page *p)
{
	rmap_walk(mm, t, p, mkclean_one, NULL);
}

struct repoint_arg {
	struct page *old, *new;
	struct mapping *fault_map;
	uint64_t fault_idx;
};

static bool repoint_one(struct mm *mm, struct mapping *m, struct pte *pte, void *arg)
{
	(void)mm;
	struct repoint_arg *a = arg;
	pte->page = a->new;
	a->old->mapcount--;
	a->old->refcount--;     /* never the last: the I/O holds one */
	a->new->mapcount++;
	a->new->refcount++;
	bool faulting = m == a->fault_map && (uint64_t)(pte - m->ptes) == a->fault_idx;
	/* The faulting PTE gets write access; the others stay read-only so their next
	 * store goes through page_mkwrite on the new copy (Tux3 does the same). */
	pte->bits = faulting ? (PTE_PRESENT | PTE_WRITE | PTE_DIRTY) : PTE_PRESENT;
	return true;
}

void mm_repoint(struct mm *mm, struct task *t, struct page *old, struct page *new,
		struct mapping *fault_map, uint64_t fault_idx)
{
	struct repoint_arg a = { old, new, fault_map, fault_idx };
	rmap_walk(mm, t, old, repoint_one, &a);
}

static bool zap_one(struct mm *mm, struct mapping *m, struct pte *pte, void *arg)
{
	(void)m; (void)arg;
	struct page *p = pte->page;
	pte->page = NULL;
	pte->bits = 0;
	p->mapcount--;
	g_assert(p->refcount > 1);      /* the caller still holds the index's */
	page_put(mm, p);
	return true;
}

void mm_zap_page(struct mm *mm, struct task *t, struct page *p)
{
	rmap_walk(mm, t, p, zap_one, NULL);
}
