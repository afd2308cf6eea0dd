/*
 * oplog_check — one pass over a whole log for the rules that need more than one
 * task's lines (OPLOG.md "Rules"): every id declared once and before its use, in
 * file order; ranges inside their file, mapping or pin; mappings used only by
 * tasks of their process, never after their unmap; pins never after their release;
 * no op of a task before its spawn or after its exit; issue times that never go
 * back within a task.  A replay runs it first, so a bad line anywhere stops the
 * run before anything has happened.  Memory: one entry per declared object, none
 * per op.
 */
#include "oplog/oplog_int.h"

#include <stdarg.h>

#define MAX_FILE_SIZE (1ull << 44)      /* as sim.file: 2^32 pages */
#define DIO_ALIGN 512u
#define MAX_BUF_SIZE (64ull << 30)     /* as proc:alloc */

struct obj {
	uint64_t line;                  /* where declared; 0: in the header */
	uint64_t size;                  /* file, mapping, pin */
	uint32_t process;               /* mapping, task: the process it belongs to */
	uint64_t gone;                  /* line of its unmap / release / exit; 0: alive */
	uint64_t last_issue;            /* task */
};

enum { T_FILE, T_PROC, T_MAP, T_PIN, T_EVENT, T_TASK, T_BUF, T_IO, T__COUNT };
static const char *const prefix[T__COUNT] = { "f", "p", "m", "pin", "ev", "t", "b", "io" };

struct checker {
	const char *path;
	uint64_t line;
	const char *op;
	GHashTable *objs[T__COUNT];     /* id -> struct obj */
	/* The object of each type found last: most lines name the task and the file of
	 * the line before (objects never leave their table, so the pointer stays good). */
	uint32_t last_id[T__COUNT];
	struct obj *last[T__COUNT];
	GError **err;
};

static bool fail(struct checker *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool fail(struct checker *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(c->err, OPLOG_ERROR, OPLOG_ERROR_CHECK, "%s:%" G_GUINT64_FORMAT ": %s: %s",
		    c->path, c->line, c->op, msg);
	g_free(msg);
	return false;
}

static struct obj *find(struct checker *c, int type, uint32_t id)
{
	if (G_LIKELY(c->last[type] && c->last_id[type] == id))
		return c->last[type];
	struct obj *o = g_hash_table_lookup(c->objs[type], GUINT_TO_POINTER(id));
	if (o) {
		c->last_id[type] = id;
		c->last[type] = o;
	}
	return o;
}

static struct obj *declare(struct checker *c, int type, uint32_t id)
{
	struct obj *o = find(c, type, id);
	if (o) {
		char where[48] = "in the header";
		if (o->line)
			g_snprintf(where, sizeof(where), "at line %" G_GUINT64_FORMAT, o->line);
		fail(c, "%s%u is declared twice (first %s)", prefix[type], id, where);
		return NULL;
	}
	o = g_new0(struct obj, 1);
	o->line = c->line;
	g_hash_table_insert(c->objs[type], GUINT_TO_POINTER(id), o);
	return o;
}

static const char *const gone_verb[T__COUNT] = {
	"", "", "unmapped", "released", "", "exited", "", "waited for",
};

/* A declared object that is still alive. */
static struct obj *use(struct checker *c, int type, uint32_t id)
{
	struct obj *o = find(c, type, id);
	if (!o) {
		fail(c, "%s%u is not declared before this line", prefix[type], id);
		return NULL;
	}
	if (o->gone) {
		fail(c, "%s%u was %s at line %" G_GUINT64_FORMAT, prefix[type], id, gone_verb[type],
		     o->gone);
		return NULL;
	}
	return o;
}

static bool in_range(struct checker *c, uint64_t off, uint64_t len, uint64_t size,
		     const char *what, int type, uint32_t id)
{
	if (len == 0)
		return fail(c, "the length must be positive");
	if (off > size || len > size - off)
		return fail(c, "bytes %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT " lie outside %s "
			    "%s%u (%" G_GUINT64_FORMAT " bytes)", off, off + len, what,
			    prefix[type], id, size);
	return true;
}

/* Memory the issuing task may use (a mapping, a Buffer): alive, and of the task's
 * process. */
static struct obj *own(struct checker *c, int type, uint32_t id, const struct obj *task,
		       uint32_t task_id)
{
	struct obj *m = use(c, type, id);
	if (m && m->process != task->process) {
		fail(c, "%s%u belongs to p%u, but t%u runs in %s%.0u", prefix[type], id, m->process,
		     task_id, task->process ? "p" : "no process", task->process);
		return NULL;
	}
	return m;
}

#define own_map(c, map, task, task_id) own((c), T_MAP, (map), (task), (task_id))

/* A direct I/O's buffer (a mapping or a Buffer, at= into it) and its Io handle. */
static bool dio_buffer(struct checker *c, const struct oplog_op *o, const struct obj *t)
{
	struct obj *x;
	if (o->map && !((x = own_map(c, o->map, t, o->task)) &&
			in_range(c, o->at, o->len, x->size, "mapping", T_MAP, o->map)))
		return false;
	if (o->buf && !((x = own(c, T_BUF, o->buf, t, o->task)) &&
			in_range(c, o->at, o->len, x->size, "buffer", T_BUF, o->buf)))
		return false;
	return !o->io || declare(c, T_IO, o->io) != NULL;
}

static bool dio_aligned(struct checker *c, const struct oplog_op *o)
{
	if (o->off % DIO_ALIGN || o->len % DIO_ALIGN || o->at % DIO_ALIGN)
		return fail(c, "O_DIRECT needs offsets and lengths aligned to %u bytes", DIO_ALIGN);
	return true;
}

static bool check_op(struct checker *c, const struct oplog_op *o)
{
	struct obj *t = find(c, T_TASK, o->task), *x;
	if (!t)
		return fail(c, "t%u has not been spawned before this line (a task's ops follow the "
			    "line that spawns it)", o->task);
	if (t->gone)
		return fail(c, "t%u already exited at line %" G_GUINT64_FORMAT, o->task, t->gone);
	if (o->issue < t->last_issue)
		return fail(c, "t%u's issue time goes back: @%" G_GUINT64_FORMAT " after @%"
			    G_GUINT64_FORMAT, o->task, o->issue, t->last_issue);
	t->last_issue = o->issue;
	switch (o->kind) {
	case OPL_PWRITE:
	case OPL_PREAD:
		return (x = use(c, T_FILE, o->file)) &&
		       in_range(c, o->off, o->len, x->size, "file", T_FILE, o->file);
	case OPL_DIO_READ:
	case OPL_DIO_WRITE:
		return (x = use(c, T_FILE, o->file)) &&
		       in_range(c, o->off, o->len, x->size, "file", T_FILE, o->file) &&
		       dio_aligned(c, o) && dio_buffer(c, o, t);
	case OPL_FSYNC:
	case OPL_FDATASYNC:
		return use(c, T_FILE, o->file) != NULL;
	case OPL_SYNC_RANGE:
		if (!(x = use(c, T_FILE, o->file)))
			return false;
		if (o->len == 0)        /* to the end of the file */
			return o->off < x->size || fail(c, "offset %" G_GUINT64_FORMAT " lies outside "
						       "f%u (%" G_GUINT64_FORMAT " bytes)", o->off,
						       o->file, x->size);
		return in_range(c, o->off, o->len, x->size, "file", T_FILE, o->file);
	case OPL_STORE:
	case OPL_LOAD:
	case OPL_MSYNC:
		return (x = own_map(c, o->map, t, o->task)) &&
		       in_range(c, o->off, o->len, x->size, "mapping", T_MAP, o->map);
	case OPL_UNMAP:
		if (!(x = own_map(c, o->map, t, o->task)))
			return false;
		x->gone = c->line;
		return true;
	case OPL_PIN: {
		if (!(x = own_map(c, o->map, t, o->task)) ||
		    !in_range(c, o->off, o->len, x->size, "mapping", T_MAP, o->map))
			return false;
		struct obj *p = declare(c, T_PIN, o->pin);
		if (p)
			p->size = o->len;
		return p != NULL;
	}
	case OPL_PIN_WRITE:
		return (x = use(c, T_PIN, o->pin)) &&
		       in_range(c, o->off, o->len, x->size, "pin", T_PIN, o->pin);
	case OPL_PIN_RELEASE:
		if (!(x = use(c, T_PIN, o->pin)))
			return false;
		x->gone = c->line;
		return true;
	case OPL_EVENT:
		return declare(c, T_EVENT, o->event) != NULL;
	case OPL_EVENT_SET:
	case OPL_EVENT_WAIT:
		return use(c, T_EVENT, o->event) != NULL;
	case OPL_SPAWN:
		if (o->process && !use(c, T_PROC, o->process))
			return false;
		if (!(x = declare(c, T_TASK, o->target)))
			return false;
		x->process = o->process;
		x->last_issue = o->issue;
		return true;
	case OPL_JOIN:
		if (o->target == o->task)
			return fail(c, "t%u cannot wait for itself to finish", o->task);
		return find(c, T_TASK, o->target) ||
		       fail(c, "t%u is not declared before this line", o->target);
	case OPL_EXIT:
		t->gone = c->line;
		return true;
	case OPL_MMAP:
		if (!use(c, T_PROC, o->process) || !(x = use(c, T_FILE, o->file)))
			return false;
		if (o->off % PAGE_SIZE)
			return fail(c, "offset %" G_GUINT64_FORMAT " is not a multiple of the page "
				    "size (%u)", o->off, PAGE_SIZE);
		if (!in_range(c, o->off, o->len, x->size, "file", T_FILE, o->file))
			return false;
		if (!(x = declare(c, T_MAP, o->map)))
			return false;
		x->size = o->len;
		x->process = o->process;
		return true;
	case OPL_FILE:
		if (o->len == 0 || o->len > MAX_FILE_SIZE)
			return fail(c, "size %" G_GUINT64_FORMAT " must be from 1 byte to 16 TiB",
				    o->len);
		if (!(x = declare(c, T_FILE, o->file)))
			return false;
		x->size = o->len;
		return true;
	case OPL_PROCESS:
		return declare(c, T_PROC, o->process) != NULL;
	case OPL_ALLOC:
		if (!use(c, T_PROC, o->process))
			return false;
		if (o->len == 0 || o->len > MAX_BUF_SIZE)
			return fail(c, "size %" G_GUINT64_FORMAT " must be from 1 byte to 64 GiB",
				    o->len);
		if (!(x = declare(c, T_BUF, o->buf)))
			return false;
		x->size = o->len;
		x->process = o->process;
		return true;
	case OPL_BUF_STORE:
	case OPL_BUF_LOAD:
		return (x = own(c, T_BUF, o->buf, t, o->task)) &&
		       in_range(c, o->off, o->len, x->size, "buffer", T_BUF, o->buf);
	case OPL_IO_WAIT:
		/* Any task may wait for an I/O, once: a second wait needs no line (the
		 * scenario API answers it at once). */
		if (!(x = use(c, T_IO, o->io)))
			return false;
		x->gone = c->line;
		return true;
	case OPL_SYNC:
	case OPL_SLEEP:
	case OPL_YIELD:
		return true;
	case OPL__COUNT:
		break;
	}
	return true;
}

/* The header's declarations, by the same rules, as if they were ops at line 0. */
static bool check_header(struct checker *c, const struct oplog_header *h)
{
	struct oplog_op o = { .task = 0 };
	struct obj boot = { 0 };
	g_hash_table_insert(c->objs[T_TASK], GUINT_TO_POINTER(0), &boot);
	bool ok = true;
	c->op = "header";
	for (guint i = 0; ok && i < h->files->len; i++) {
		const struct oplog_file *f = &g_array_index(h->files, struct oplog_file, i);
		o = (struct oplog_op){ .kind = OPL_FILE, .file = f->id, .len = f->size };
		c->op = "file";
		c->line = f->line;
		ok = check_op(c, &o);
	}
	for (guint i = 0; ok && i < h->processes->len; i++) {
		const struct oplog_process *p = &g_array_index(h->processes, struct oplog_process, i);
		o = (struct oplog_op){ .kind = OPL_PROCESS, .process = p->id };
		c->op = "process";
		c->line = p->line;
		ok = check_op(c, &o);
	}
	for (guint i = 0; ok && i < h->maps->len; i++) {
		const struct oplog_map *m = &g_array_index(h->maps, struct oplog_map, i);
		o = (struct oplog_op){ .kind = OPL_MMAP, .map = m->id, .process = m->process,
				       .file = m->file, .off = m->offset, .len = m->size };
		c->op = "mmap";
		c->line = m->line;
		ok = check_op(c, &o);
	}
	for (guint i = 0; ok && i < h->events->len; i++) {
		const struct oplog_event *e = &g_array_index(h->events, struct oplog_event, i);
		o = (struct oplog_op){ .kind = OPL_EVENT, .event = e->id };
		c->op = "event";
		c->line = e->line;
		ok = check_op(c, &o);
	}
	for (guint i = 0; ok && i < h->buffers->len; i++) {
		const struct oplog_buffer *b = &g_array_index(h->buffers, struct oplog_buffer, i);
		o = (struct oplog_op){ .kind = OPL_ALLOC, .buf = b->id, .process = b->process,
				       .len = b->size };
		c->op = "buffer";
		c->line = b->line;
		ok = check_op(c, &o);
	}
	for (guint i = 0; ok && i < h->tasks->len; i++) {
		const struct oplog_task *t = &g_array_index(h->tasks, struct oplog_task, i);
		o = (struct oplog_op){ .kind = OPL_SPAWN, .target = t->id, .process = t->process };
		c->op = "task";
		c->line = t->line;
		ok = check_op(c, &o);
	}
	g_hash_table_steal(c->objs[T_TASK], GUINT_TO_POINTER(0));
	c->last[T_TASK] = NULL;         /* it may have been the boot task, on the stack */
	return ok;
}

bool oplog_check(struct oplog *log, uint64_t *nops, GError **err)
{
	struct checker c = { .path = oplog_path(log), .err = err };
	for (int i = 0; i < T__COUNT; i++)
		c.objs[i] = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	bool ok = check_header(&c, oplog_header(log));
	uint64_t n = 0;
	struct oplog_cursor *cur = oplog_cursor_new(log, 0, 0, 0);
	struct oplog_op op;
	int got = 0;
	while (ok && (got = oplog_cursor_next(cur, &op, err)) > 0) {
		c.line = op.line;
		c.op = oplog_kind_name(op.kind);
		ok = check_op(&c, &op);
		n++;
	}
	ok = ok && got == 0;
	oplog_cursor_free(cur);
	for (int i = 0; i < T__COUNT; i++)
		g_hash_table_destroy(c.objs[i]);
	if (ok && nops)
		*nops = n;
	return ok;
}
