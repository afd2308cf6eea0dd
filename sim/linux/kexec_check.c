/*
 * kexec_check — judging bytes against the history (kexec_history.c has the rule).
 *
 * A byte passes if one of the records that may be what it holds put that byte value
 * at that position.  The check is made word by word: a word passes when every byte
 * of it is accounted for by some acceptable record (bytes of one word may come from
 * two ops whose ranges end inside it).
 *
 * Reads (pread, load, O_DIRECT read) are judged against the records as of their own
 * interval [s, e]: a record passes if it began before the read ended and no record
 * that ended before the read began started after it ended.  A read cannot be judged
 * before every write that began before it ended is known, so reads wait in a pending
 * list until no write dispatched before their end is still in flight.
 *
 * A dio_write from a mapping carries the source's bytes.  The worker read them just
 * before the call; the record of the destination gets that content at once.  Anybody
 * who wrote the source between that moment and the end of the call may have changed
 * what the device read, so once those writes are known (the same wait as a read's)
 * each of them adds an alternative: a record with the same op and interval whose
 * content is that write's, moved to the destination.  A read waits for every copy
 * that began before it ended, since it may have seen one of those alternatives.  Two
 * copies that each read the other's destination while both run are the one case this
 * does not follow (the alternative of an alternative).
 */
#include "linux/kexec_priv.h"

#include <string.h>

#define CHUNK (1u << 20)
#define MAX_NOTES 16

enum pkind { P_READ, P_COPY };

struct kx_pending {
	enum pkind kind;
	bool done;
	bool weak;
	uint32_t task, op;
	enum kx_opkind opkind;
	struct kx_file *f;              /* what was read; the copy's destination */
	uint64_t lo, hi;
	struct kx_file *src;            /* the copy's source */
	uint64_t src_lo;
	int64_t s, e;                   /* the window the bytes were taken in */
	int64_t start, end;             /* the copy's own interval */
	struct kx_run *runs;            /* what the read returned */
	uint32_t n;
	struct kx_file *into;           /* a read into a Buffer: that Buffer's shell, */
	uint64_t into_lo;               /* where in it, */
	int64_t after;                  /* and when its bytes had been summarised */
};

static void pending_free(struct kx_pending *p)
{
	g_free(p->runs);
	g_free(p);
}

void kx_check_pending_free(struct kx_history *h)
{
	for (guint i = 0; i < h->pending->len; i++)
		pending_free(h->pending->pdata[i]);
	g_ptr_array_set_size(h->pending, 0);
}

int64_t kx_pending_min_start(struct kx *kx)
{
	int64_t m = INT64_MAX;
	GPtrArray *a = kx->hist->pending;
	for (guint i = 0; i < a->len; i++) {
		const struct kx_pending *p = a->pdata[i];
		if (!p->done && p->s < m)
			m = p->s;
	}
	return m;
}

void kx_note(struct kx *kx, char *msg)
{
	struct kx_history *h = kx->hist;
	if (h->notes->len < MAX_NOTES)
		g_ptr_array_add(h->notes, msg);
	else {
		h->notes_dropped++;
		g_free(msg);
	}
}

/* ---- descriptions -------------------------------------------------------------------- */

static char *describe_record(struct kx *kx, const struct kx_record *r)
{
	if (r->task == KX_NONE && (r->file & KX_BUFREC))
		return g_strdup_printf("zeroes (the initial content of %s)", kx_owner(kx, r->file)->name);
	if (r->task == KX_NONE)
		return g_strdup_printf("op %u (the initial content of file '%s')", r->op,
				       kx_owner(kx, r->file)->name);
	const struct kx_task *t = kx->tasks->pdata[r->task];
	return g_strdup_printf("op %u (%s by task '%s', %.3f-%.3f ms)", r->op,
			       kx_op_name((enum kx_opkind)r->kind), t->name, (double)r->start / 1e6,
			       (double)r->end / 1e6);
}

char *kx_describe_word(struct kx *kx, uint64_t word)
{
	struct kx_history *h = kx->hist;
	if (!h->words || h->words_upto != h->records->len) {
		if (h->words)
			g_hash_table_destroy(h->words);
		h->words = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
		for (guint i = 0; i < h->records->len; i++) {
			const struct kx_record *r = kx_record_get(h, i);
			if (r->copy)
				continue;
			uint64_t w = kx_pattern(r->op);
			if (!g_hash_table_contains(h->words, &w))
				g_hash_table_insert(h->words, g_memdup2(&w, sizeof(w)), GUINT_TO_POINTER(i + 1));
		}
		h->words_upto = h->records->len;
	}
	guint id = GPOINTER_TO_UINT(g_hash_table_lookup(h->words, &word));
	if (!id)
		return g_strdup_printf("bytes of no op (%016" G_GINT64_MODIFIER "x)", word);
	return describe_record(kx, kx_record_get(h, id - 1));
}

/* ---- judging ------------------------------------------------------------------------------ */

/* Which bytes of [x0, x1) (one aligned word) @act matches @word at: bit (p mod 8). */
static unsigned match_word(uint64_t word, uint64_t x0, uint64_t x1, const uint8_t *act)
{
	if (x1 - x0 == 8) {
		uint64_t a;
		memcpy(&a, act, 8);
		if (GUINT64_FROM_LE(a) == word)
			return 0xff;
	}
	unsigned m = 0;
	for (uint64_t p = x0; p < x1; p++)
		if (act[p - x0] == kx_byte(word, p))
			m |= 1u << (p & 7);
	return m;
}

/* The first run of @r that ends after @x. */
static uint32_t run_after(const struct kx_record *r, uint64_t x)
{
	uint32_t lo = 0, hi = r->nruns;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (r->runs[mid].to <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static unsigned match_record(const struct kx_record *r, uint64_t x0, uint64_t x1, const uint8_t *act)
{
	if (r->unknown)
		return 0xff;
	if (!r->runs)
		return match_word(kx_pattern(r->op), x0, x1, act);
	unsigned m = 0;
	for (uint32_t i = run_after(r, x0); i < r->nruns && r->runs[i].from < x1; i++) {
		uint64_t y0 = MAX(x0, r->runs[i].from), y1 = MIN(x1, r->runs[i].to);
		m |= match_word(r->runs[i].word, y0, y1, act + (y0 - x0));
	}
	return m;
}

struct judge {
	struct kx *kx;
	struct kx_file *f;
	const uint8_t *buf;
	uint64_t lo;
	int64_t s, e;
	GString *why;
	uint64_t bad, last_page;
};

static void explain(struct judge *j, uint64_t p, uint64_t x0, uint64_t x1,
		    const struct kx_record *const *acc, uint32_t k)
{
	struct kx *kx = j->kx;
	const uint8_t *act = j->buf + (x0 - j->lo);
	char *held;
	if (x1 - x0 == 8) {
		uint64_t w;
		memcpy(&w, act, 8);
		held = kx_describe_word(kx, GUINT64_FROM_LE(w));
	} else {
		held = g_strdup_printf("byte %02x", act[p - x0]);
	}
	bool buf = j->f->idx & KX_BUFREC;
	g_string_append_printf(j->why, "%s%s%s offset %" G_GUINT64_FORMAT " (page %" G_GUINT64_FORMAT
			       ") holds %s; acceptable:", buf ? "" : "file '", j->f->name, buf ? "" : "'",
			       p, p / KX_PAGE, held);
	g_free(held);
	for (uint32_t i = 0; i < MIN(k, 3u); i++) {
		char *d = describe_record(kx, acc[i]);
		g_string_append_printf(j->why, "%s %s", i ? " or" : "", d);
		g_free(d);
	}
	if (k > 3)
		g_string_append_printf(j->why, " or %u more", k - 3);
	if (!k)
		g_string_append(j->why, " none");
}

static void judge_seg(void *data, uint64_t a, uint64_t b, const uint32_t *rec, uint32_t n)
{
	struct judge *j = data;
	struct kx_history *h = j->kx->hist;
	const struct kx_record *small[64];
	const struct kx_record **acc = n <= 64 ? small : g_new(const struct kx_record *, n);
	int64_t latest = INT64_MIN;
	for (uint32_t i = 0; i < n; i++) {
		const struct kx_record *r = kx_record_get(h, rec[i]);
		if (r->start <= j->e && !r->weak && r->end < j->s && r->start > latest)
			latest = r->start;
	}
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct kx_record *r = kx_record_get(h, rec[i]);
		if (r->start <= j->e && r->end >= latest)
			acc[k++] = r;
	}
	for (uint64_t q = a & ~7ull; q < b; q += 8) {
		uint64_t x0 = MAX(q, a), x1 = MIN(q + 8, b);
		unsigned need = 0;
		for (uint64_t p = x0; p < x1; p++)
			need |= 1u << (p & 7);
		unsigned got = 0;
		const uint8_t *act = j->buf + (x0 - j->lo);
		for (uint32_t i = 0; i < k && (got & need) != need; i++)
			got |= match_record(acc[i], x0, x1, act);
		if ((got & need) == need)
			continue;
		uint64_t p = x0;
		while (!((need & ~got) >> (p & 7) & 1))
			p++;
		if (p / KX_PAGE != j->last_page) {
			j->last_page = p / KX_PAGE;
			j->bad++;
		}
		if (j->why && !j->why->len)
			explain(j, p, x0, x1, acc, k);
	}
	if (acc != small)
		g_free(acc);
}

uint64_t kx_judge(struct kx *kx, struct kx_file *f, uint64_t lo, uint64_t hi, const uint8_t *buf,
		  int64_t s, int64_t e, GString *why)
{
	struct judge j = { kx, f, buf, lo, s, e, why, 0, UINT64_MAX };
	kx_segs_foreach(f, lo, hi, judge_seg, &j);
	return j.bad;
}

/* ---- reads ---------------------------------------------------------------------------------- */

void kx_check_read(struct kx *kx, struct kx_task *t, struct kx_file *f, uint64_t lo, uint64_t hi,
		   int64_t start, int64_t end, const struct kx_run *runs, uint32_t n, bool overflow)
{
	kx_check_read_op(kx, t->idx, t->op, t->req.kind, f, lo, hi, start, end, runs, n, overflow,
			 NULL, 0, 0);
}

void kx_check_read_op(struct kx *kx, uint32_t task, uint32_t op, enum kx_opkind kind,
		      struct kx_file *f, uint64_t lo, uint64_t hi, int64_t start, int64_t end,
		      const struct kx_run *runs, uint32_t n, bool overflow, struct kx_file *into,
		      uint64_t into_lo, int64_t after)
{
	if (overflow) {
		kx->hist->unchecked_reads++;
		return;
	}
	struct kx_pending *p = g_new0(struct kx_pending, 1);
	p->kind = P_READ;
	p->task = task;
	p->op = op;
	p->opkind = kind;
	p->into = into;
	p->into_lo = into_lo;
	p->after = MAX(after, end);
	p->f = f;
	p->lo = lo;
	p->hi = hi;
	p->s = start;
	p->e = end;
	p->runs = g_memdup2(runs, n * sizeof(*runs));
	p->n = n;
	g_ptr_array_add(kx->hist->pending, p);
}

/* Did a write other than the read itself touch [lo, hi) of the Buffer a read went
 * into while it ran or was summarised?  Then the summary may hold that write's bytes
 * where the file's were, and the read is not judged. */
struct disturbed {
	struct kx *kx;
	const struct kx_pending *p;
	bool yes;
};

static void find_disturbance(void *data, uint64_t a, uint64_t b, const uint32_t *rec, uint32_t n)
{
	(void)a;
	(void)b;
	struct disturbed *d = data;
	for (uint32_t i = 0; i < n; i++) {
		const struct kx_record *r = kx_record_get(d->kx->hist, rec[i]);
		if (r->task != KX_NONE && r->op != d->p->op && r->start <= d->p->after &&
		    r->end >= d->p->s)
			d->yes = true;
	}
}

static void judge_read(struct kx *kx, struct kx_pending *p)
{
	if (p->into) {
		struct disturbed d = { kx, p, false };
		kx_segs_foreach(p->into, p->into_lo, p->into_lo + (p->hi - p->lo), find_disturbance, &d);
		if (d.yes) {
			kx->hist->unchecked_reads++;
			return;
		}
	}
	GString *why = g_string_new(NULL);
	uint8_t *buf = g_malloc(MIN(p->hi - p->lo, (uint64_t)CHUNK) + CHUNK);
	uint64_t bad = 0;
	/* Chunks end on CHUNK boundaries of the file, so no page straddles two. */
	for (uint64_t a = p->lo; a < p->hi;) {
		uint64_t b = MIN(p->hi, (a / CHUNK + 1) * CHUNK);
		memset(buf, 0, b - a);
		kx_materialise(p->runs, p->n, a, b - a, buf);
		bad += kx_judge(kx, p->f, a, b, buf, p->s, p->e, why);
		a = b;
	}
	g_free(buf);
	if (bad) {
		kx->hist->stale_reads += bad;
		const struct kx_task *t = kx->tasks->pdata[p->task];
		kx_note(kx, g_strdup_printf("stale read: task '%s', %s of [%" G_GUINT64_FORMAT ", +%"
					    G_GUINT64_FORMAT ") at %.3f-%.3f ms: %s", t->name,
					    kx_op_name(p->opkind), p->lo, p->hi - p->lo,
					    (double)p->s / 1e6, (double)p->e / 1e6, why->str));
	}
	g_string_free(why, TRUE);
}

/* ---- dio_write from a mapping ------------------------------------------------------------- */

void kx_check_copy(struct kx *kx, struct kx_task *t, struct kx_file *dst, uint64_t lo, uint64_t hi,
		   struct kx_file *src, uint64_t src_lo, int64_t snap, int64_t start, int64_t end,
		   const struct kx_run *runs, uint32_t n, bool overflow, bool weak)
{
	kx_check_copy_op(kx, t->idx, t->op, dst, lo, hi, src, src_lo, snap, start, end, runs, n,
			 overflow, weak);
}

void kx_check_copy_op(struct kx *kx, uint32_t task, uint32_t op, struct kx_file *dst, uint64_t lo,
		      uint64_t hi, struct kx_file *src, uint64_t src_lo, int64_t snap, int64_t start,
		      int64_t end, const struct kx_run *runs, uint32_t n, bool overflow, bool weak)
{
	/* Pending first: the horizon must protect the source's records from the moment
	 * the destination record below can prune anything. */
	struct kx_pending *p = g_new0(struct kx_pending, 1);
	p->kind = P_COPY;
	p->task = task;
	p->op = op;
	p->weak = weak;
	p->f = dst;
	p->lo = lo;
	p->hi = hi;
	p->src = src;
	p->src_lo = src_lo;
	p->s = snap;
	p->e = end;
	p->start = start;
	p->end = end;
	g_ptr_array_add(kx->hist->pending, p);
	struct kx_record r = {
		.op = op, .file = dst->idx, .task = task, .kind = KX_OP_DIO_WRITE, .weak = weak,
		.copy = true, .start = start, .end = end, .lo = lo, .hi = hi,
	};
	if (overflow) {
		r.unknown = true;
		kx->hist->unchecked_reads++;
	} else {
		r.runs = g_memdup2(runs, n * sizeof(*runs));
		r.nruns = n;
	}
	kx_record_add(kx, &r);
}

struct alt {
	bool unknown;
	GArray *runs;                   /* in destination positions */
};

struct alts {
	struct kx *kx;
	struct kx_pending *p;
	uint64_t delta;                 /* destination - source, modulo 2^64 */
	GHashTable *by_rec;             /* record id + 1 -> struct alt * */
};

static void alt_free(gpointer a)
{
	g_array_free(((struct alt *)a)->runs, TRUE);
	g_free(a);
}

static void alt_push(struct alt *al, uint64_t from, uint64_t to, uint64_t word)
{
	if (al->runs->len) {
		struct kx_run *last = &g_array_index(al->runs, struct kx_run, al->runs->len - 1);
		if (last->to == from && last->word == word) {
			last->to = to;
			return;
		}
	}
	struct kx_run r = { from, to, word };
	g_array_append_val(al->runs, r);
}

static void collect_alts(void *data, uint64_t a, uint64_t b, const uint32_t *rec, uint32_t n)
{
	struct alts *c = data;
	struct kx_history *h = c->kx->hist;
	for (uint32_t i = 0; i < n; i++) {
		const struct kx_record *r = kx_record_get(h, rec[i]);
		/* Only writes of the source that overlapped the window; never the copy itself
		 * (source and destination may be the same file). */
		if (r->op == c->p->op || r->start > c->p->e || r->end < c->p->s || r->task == KX_NONE)
			continue;
		struct alt *al = g_hash_table_lookup(c->by_rec, GUINT_TO_POINTER(rec[i] + 1));
		if (!al) {
			al = g_new0(struct alt, 1);
			al->runs = g_array_new(FALSE, FALSE, sizeof(struct kx_run));
			g_hash_table_insert(c->by_rec, GUINT_TO_POINTER(rec[i] + 1), al);
		}
		if (r->unknown) {
			al->unknown = true;
			alt_push(al, a + c->delta, b + c->delta, 0);
		} else if (!r->runs) {
			alt_push(al, a + c->delta, b + c->delta, kx_pattern(r->op));
		} else {
			for (uint32_t k = run_after(r, a); k < r->nruns && r->runs[k].from < b; k++)
				alt_push(al, MAX(a, r->runs[k].from) + c->delta,
					 MIN(b, r->runs[k].to) + c->delta, r->runs[k].word);
		}
	}
}

static void copy_alternatives(struct kx *kx, struct kx_pending *p)
{
	struct alts c = { kx, p, p->lo - p->src_lo,
			  g_hash_table_new_full(NULL, NULL, NULL, alt_free) };
	kx_segs_foreach(p->src, p->src_lo, p->src_lo + (p->hi - p->lo), collect_alts, &c);
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, c.by_rec);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct alt *al = v;
		struct kx_record r = {
			.op = p->op, .file = p->f->idx, .task = p->task, .kind = KX_OP_DIO_WRITE,
			.weak = p->weak, .copy = true, .start = p->start, .end = p->end,
		};
		if (al->unknown) {
			/* Content not known: each piece passes anything. */
			for (guint k = 0; k < al->runs->len; k++) {
				const struct kx_run *u = &g_array_index(al->runs, struct kx_run, k);
				r.unknown = true;
				r.lo = u->from;
				r.hi = u->to;
				kx_record_add(kx, &r);
			}
			continue;
		}
		r.nruns = al->runs->len;
		r.lo = g_array_index(al->runs, struct kx_run, 0).from;
		r.hi = g_array_index(al->runs, struct kx_run, r.nruns - 1).to;
		r.runs = (struct kx_run *)g_array_steal(al->runs, NULL);
		kx_record_add(kx, &r);
	}
	g_hash_table_destroy(c.by_rec);
}

/* ---- when -------------------------------------------------------------------------------- */

/* A Buffer is written by its stores and by a direct read into it. */
static bool op_writes(const struct kx_req *q)
{
	enum kx_opkind k = q->kind;
	return k == KX_OP_PWRITE || k == KX_OP_STORE || k == KX_OP_DIO_WRITE || k == KX_OP_PIN_WRITE ||
	       k == KX_OP_BUF_STORE || (k == KX_OP_DIO_READ && q->map.id != KX_NONE);
}

static gint by_end(gconstpointer a, gconstpointer b)
{
	const struct kx_pending *x = *(struct kx_pending *const *)a, *y = *(struct kx_pending *const *)b;
	return x->e < y->e ? -1 : x->e > y->e;
}

void kx_check_pending(struct kx *kx, bool all)
{
	GPtrArray *pend = kx->hist->pending;
	if (!pend->len)
		return;
	/* Every write that may have begun before an item ended must be known first. */
	int64_t due = INT64_MAX;
	for (guint i = 0; !all && i < kx->tasks->len; i++) {
		const struct kx_task *t = kx->tasks->pdata[i];
		if (t->state == KX_T_INFLIGHT && op_writes(&t->req) && t->dispatched < due)
			due = t->dispatched;
	}
	if (!all)
		due = MIN(due, kx_ios_first(kx, false));
	/* Copies first: a read that overlapped a copy may have seen one of its
	 * alternatives, so it also waits for every copy that began before it ended. */
	int64_t copy_start = INT64_MAX;
	for (int pass = 0; pass < 2; pass++) {
		enum pkind kind = pass ? P_READ : P_COPY;
		int64_t limit = pass ? MIN(due, copy_start) : due;
		GPtrArray *now = g_ptr_array_new();
		for (guint i = 0; i < pend->len; i++) {
			struct kx_pending *p = pend->pdata[i];
			if (p->kind == kind && MAX(p->e, p->after) < limit)
				g_ptr_array_add(now, p);
		}
		g_ptr_array_sort(now, by_end);
		/* Items stay in the pending list (so in the horizon) until judged. */
		for (guint i = 0; i < now->len; i++) {
			struct kx_pending *p = now->pdata[i];
			if (kind == P_READ)
				judge_read(kx, p);
			else
				copy_alternatives(kx, p);
			p->done = true;
		}
		g_ptr_array_free(now, TRUE);
		for (guint i = 0; i < pend->len; i++) {
			const struct kx_pending *p = pend->pdata[i];
			if (p->kind == P_COPY && !p->done && p->start < copy_start)
				copy_start = p->start;
		}
	}
	guint k = 0;
	for (guint i = 0; i < pend->len; i++) {
		struct kx_pending *p = pend->pdata[i];
		if (p->done)
			pending_free(p);
		else
			pend->pdata[k++] = p;
	}
	g_ptr_array_set_size(pend, k);
}

GPtrArray *kx_take_notes(struct kx *kx)
{
	struct kx_history *h = kx->hist;
	GPtrArray *a = h->notes;
	if (h->notes_dropped)
		g_ptr_array_add(a, g_strdup_printf("... and %" G_GUINT64_FORMAT " more", h->notes_dropped));
	h->notes = g_ptr_array_new_with_free_func(g_free);
	h->notes_dropped = 0;
	return a;
}

uint64_t kx_stale_reads(struct kx *kx)
{
	return kx->hist->stale_reads;
}

uint64_t kx_unchecked_reads(struct kx *kx)
{
	return kx->hist->unchecked_reads;
}
