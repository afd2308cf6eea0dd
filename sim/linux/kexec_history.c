/*
 * kexec_history — which writes may still be what a byte holds.
 *
 * Every completed writing op is a record: its file range, its content (its pattern,
 * or what a dio_write copied from a mapping), and the interval [start, end] around its
 * system call, inside which its effect on the file happened.  Each file is cut into
 * segments (a GTree by offset) over which the same records are candidates.
 *
 * The rule a byte is judged by (kexec_check.c) is:
 *   a record R may be what the byte finally holds unless some other record covering
 *   it started after R ended (that one certainly wrote later).
 * That is "the last op that completed on it, or one that overlapped it in time",
 * made exact: the op that finished last (L) passes, and so does every op that
 * overlapped L, unless a third op began after it ended, in which case its data was
 * certainly covered.  Equivalently, with S the latest start among the candidates,
 * those that ended at or after S pass.
 *
 * So a candidate can be dropped as soon as another started after it ended: pruning
 * keeps the lists as short as the number of writers that overlap in time, however
 * long the run.  One care: a read still to be judged may have seen bytes that were
 * later covered, so a record only prunes others if it ended before the horizon, the
 * earliest moment a read or a dio_write source not yet judged may have begun
 * (kx_horizon).  Records may arrive out of order (completions from different workers
 * race to the pipe); the rule does not depend on the order.
 */
#include "linux/kexec_priv.h"

#include <string.h>

struct kx_seg {
	uint64_t lo, hi;
	uint32_t n, cap;
	uint32_t *rec;                  /* candidate record ids, ascending */
};

struct kx_segs {
	GTree *tree;                    /* &seg->lo -> seg */
	uint64_t size;
};

struct kx_history *kx_history_new(void)
{
	struct kx_history *h = g_new0(struct kx_history, 1);
	h->records = g_array_new(FALSE, TRUE, sizeof(struct kx_record));
	h->pending = g_ptr_array_new();
	h->notes = g_ptr_array_new_with_free_func(g_free);
	return h;
}

void kx_history_free(struct kx_history *h)
{
	if (!h)
		return;
	for (guint i = 0; i < h->records->len; i++)
		g_free(g_array_index(h->records, struct kx_record, i).runs);
	g_array_free(h->records, TRUE);
	kx_check_pending_free(h);
	g_ptr_array_free(h->pending, TRUE);
	g_ptr_array_free(h->notes, TRUE);
	if (h->words)
		g_hash_table_destroy(h->words);
	g_free(h);
}

struct kx_record *kx_record_get(struct kx_history *h, uint32_t id)
{
	return &g_array_index(h->records, struct kx_record, id);
}

uint32_t kx_record_count(const struct kx_history *h)
{
	return h->records->len;
}

/* Ops whose result is judged against the history: reads, and a dio_write's source. */
static bool op_reads(const struct kx_req *q)
{
	return q->kind == KX_OP_PREAD || q->kind == KX_OP_LOAD || q->kind == KX_OP_DIO_READ ||
	       q->kind == KX_OP_BUF_LOAD || (q->kind == KX_OP_DIO_WRITE && q->map.id != KX_NONE);
}

int64_t kx_horizon(struct kx *kx)
{
	int64_t h = kx_pending_min_start(kx);
	for (guint i = 0; i < kx->tasks->len; i++) {
		const struct kx_task *t = kx->tasks->pdata[i];
		/* A read in flight: dispatched before it began, a safe bound for its start. */
		if (t->state == KX_T_INFLIGHT && op_reads(&t->req) && t->dispatched < h)
			h = t->dispatched;
	}
	return MIN(h, kx_ios_first(kx, true));
}

/* ---- segments -------------------------------------------------------------------------- */

static gint key_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
	(void)data;
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static struct kx_seg *seg_new(uint64_t lo, uint64_t hi, const uint32_t *rec, uint32_t n)
{
	struct kx_seg *g = g_new(struct kx_seg, 1);
	g->lo = lo;
	g->hi = hi;
	g->n = n;
	g->cap = MAX(n, 4u);
	g->rec = g_new(uint32_t, g->cap);
	if (n)
		memcpy(g->rec, rec, n * sizeof(*rec));
	return g;
}

static void seg_free(gpointer p)
{
	struct kx_seg *g = p;
	g_free(g->rec);
	g_free(g);
}

/* The segment holding @x (< the file size).  Looked up afresh each time: the tree
 * changes under every split and merge. */
static struct kx_seg *seg_at(struct kx_segs *s, uint64_t x)
{
	GTreeNode *n = g_tree_upper_bound(s->tree, &x);
	n = n ? g_tree_node_previous(n) : g_tree_node_last(s->tree);
	return g_tree_node_value(n);
}

static void hold(struct kx_history *h, uint32_t id)
{
	kx_record_get(h, id)->refs++;
}

/* A record no segment lists any more can never be judged again: drop its content. */
static void release(struct kx_history *h, uint32_t id)
{
	struct kx_record *r = kx_record_get(h, id);
	if (--r->refs == 0 && r->runs) {
		g_free(r->runs);
		r->runs = NULL;
		r->nruns = 0;
		r->unknown = true;      /* its bytes are not its op's pattern */
	}
}

void kx_segs_init(struct kx_file *f)
{
	struct kx_history *h = f->kx->hist;
	struct kx_segs *s = g_new0(struct kx_segs, 1);
	s->tree = g_tree_new_full(key_cmp, NULL, NULL, seg_free);
	s->size = f->size;
	f->segs = s;
	uint32_t id = h->records->len;
	struct kx_record init = {
		.op = f->init_op, .file = f->idx, .task = KX_NONE, .kind = KX_OP_NONE,
		.start = -1, .end = -1, .lo = 0, .hi = f->size,
	};
	g_array_append_val(h->records, init);
	hold(h, id);
	struct kx_seg *g = seg_new(0, f->size, &id, 1);
	g_tree_insert(s->tree, &g->lo, g);
}

void kx_segs_free(struct kx_file *f)
{
	if (!f->segs)
		return;
	g_tree_destroy(f->segs->tree);
	g_free(f->segs);
	f->segs = NULL;
}

static void split(struct kx_history *h, struct kx_segs *s, uint64_t x)
{
	if (x == 0 || x >= s->size)
		return;
	struct kx_seg *g = seg_at(s, x);
	if (g->lo == x)
		return;
	struct kx_seg *r = seg_new(x, g->hi, g->rec, g->n);
	g->hi = x;
	for (uint32_t i = 0; i < r->n; i++)
		hold(h, r->rec[i]);
	g_tree_insert(s->tree, &r->lo, r);
}

/* Drop the candidates another candidate certainly wrote after (see the top). */
static void prune(struct kx_history *h, struct kx_seg *g, int64_t horizon)
{
	int64_t latest = INT64_MIN;
	for (uint32_t i = 0; i < g->n; i++) {
		const struct kx_record *r = kx_record_get(h, g->rec[i]);
		if (!r->weak && r->end < horizon && r->start > latest)
			latest = r->start;
	}
	uint32_t k = 0;
	for (uint32_t i = 0; i < g->n; i++) {
		if (kx_record_get(h, g->rec[i])->end >= latest)
			g->rec[k++] = g->rec[i];
		else
			release(h, g->rec[i]);
	}
	g->n = k;
}

static bool same_candidates(const struct kx_seg *a, const struct kx_seg *b)
{
	return a->n == b->n && !memcmp(a->rec, b->rec, a->n * sizeof(*a->rec));
}

/* Neighbours left with the same candidates become one segment again, so the tree
 * stays as small as the distinct histories of the file. */
static void merge(struct kx_history *h, struct kx_segs *s, uint64_t lo, uint64_t hi)
{
	struct kx_seg *g = seg_at(s, lo ? lo - 1 : 0);
	while (g->hi < s->size && g->hi <= hi) {
		struct kx_seg *nx = seg_at(s, g->hi);
		if (!same_candidates(g, nx)) {
			g = nx;
			continue;
		}
		g->hi = nx->hi;
		for (uint32_t i = 0; i < nx->n; i++)
			release(h, nx->rec[i]);
		g_tree_remove(s->tree, &nx->lo);
	}
}

uint32_t kx_record_add(struct kx *kx, const struct kx_record *r)
{
	struct kx_history *h = kx->hist;
	uint32_t id = h->records->len;
	g_array_append_val(h->records, *r);
	kx_record_get(h, id)->refs = 0;
	struct kx_segs *s = kx_owner(kx, r->file)->segs;
	if (r->lo >= r->hi)
		return id;
	int64_t horizon = kx_horizon(kx);
	split(h, s, r->hi);
	split(h, s, r->lo);
	for (uint64_t x = r->lo; x < r->hi;) {
		struct kx_seg *g = seg_at(s, x);
		if (g->n == g->cap) {
			g->cap *= 2;
			g->rec = g_renew(uint32_t, g->rec, g->cap);
		}
		g->rec[g->n++] = id;    /* the newest id: the list stays ascending */
		hold(h, id);
		prune(h, g, horizon);
		x = g->hi;
	}
	merge(h, s, r->lo, r->hi);
	return id;
}

void kx_segs_foreach(struct kx_file *f, uint64_t lo, uint64_t hi, kx_seg_fn fn, void *data)
{
	for (uint64_t x = lo; x < hi;) {
		struct kx_seg *g = seg_at(f->segs, x);
		fn(data, MAX(g->lo, lo), MIN(g->hi, hi), g->rec, g->n);
		x = g->hi;
	}
}
