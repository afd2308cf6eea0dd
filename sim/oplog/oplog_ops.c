/*
 * oplog_ops — the op table (name, the version that brought it, the shape of its
 * arguments) and the op part of an op line, read and written from the same table
 * so that the two cannot drift apart.
 */
#include "oplog/oplog_int.h"

#include <string.h>

#include "engine/uapi.h"

enum shape {
	SH_FILE_RANGE,          /* f1 OFF LEN */
	SH_DIO_WRITE,           /* f1 OFF LEN [from=m1|b1 at=N] [async=io1] */
	SH_DIO_READ,            /* f1 OFF LEN [to=b1 at=N] [async=io1] */
	SH_FILE,                /* f1 */
	SH_SYNC_RANGE,          /* f1 OFF LEN write|wait|write_wait */
	SH_MAP_RANGE,           /* m1 OFF LEN */
	SH_MAP,                 /* m1 */
	SH_PIN,                 /* m1 OFF LEN pin1 [longterm] */
	SH_PIN_RANGE,           /* pin1 OFF LEN */
	SH_PIN_ONLY,            /* pin1 */
	SH_NONE,
	SH_NS,                  /* NS */
	SH_EVENT_DECL,          /* ev1 [name=...] */
	SH_EVENT,               /* ev1 */
	SH_SPAWN,               /* t2 name=... [process=p1] [cpu=N] [start=DURATION] */
	SH_TASK,                /* t2 */
	SH_MMAP,                /* m2 process=p1 file=f1 offset=SIZE size=SIZE */
	SH_FILE_DECL,           /* f2 name=... size=SIZE */
	SH_PROC_DECL,           /* p2 [name=...] */
	SH_ALLOC,               /* b1 process=p1 size=SIZE */
	SH_BUF_RANGE,           /* b1 OFF LEN */
	SH_IO,                  /* io1 */
};

static const struct kind_info {
	const char *name;
	unsigned char len;
	unsigned char since;
	unsigned char shape;
} kinds[OPL__COUNT] = {
#define K(k, n, s, sh) [k] = { n, sizeof(n) - 1, s, sh }
	K(OPL_PWRITE, "pwrite", 1, SH_FILE_RANGE),
	K(OPL_PREAD, "pread", 1, SH_FILE_RANGE),
	K(OPL_STORE, "store", 1, SH_MAP_RANGE),
	K(OPL_LOAD, "load", 1, SH_MAP_RANGE),
	K(OPL_FSYNC, "fsync", 1, SH_FILE),
	K(OPL_FDATASYNC, "fdatasync", 1, SH_FILE),
	K(OPL_SYNC_RANGE, "sync_range", 1, SH_SYNC_RANGE),
	K(OPL_DIO_WRITE, "dio_write", 1, SH_DIO_WRITE),
	K(OPL_DIO_READ, "dio_read", 1, SH_DIO_READ),
	K(OPL_MSYNC, "msync", 1, SH_MAP_RANGE),
	K(OPL_UNMAP, "unmap", 1, SH_MAP),
	K(OPL_PIN, "pin", 1, SH_PIN),
	K(OPL_PIN_WRITE, "pin_write", 1, SH_PIN_RANGE),
	K(OPL_PIN_RELEASE, "pin_release", 1, SH_PIN_ONLY),
	K(OPL_SYNC, "sync", 1, SH_NONE),
	K(OPL_SLEEP, "sleep", 1, SH_NS),
	K(OPL_YIELD, "yield", 1, SH_NONE),
	K(OPL_EVENT, "event", 1, SH_EVENT_DECL),
	K(OPL_EVENT_SET, "event_set", 1, SH_EVENT),
	K(OPL_EVENT_WAIT, "event_wait", 1, SH_EVENT),
	K(OPL_SPAWN, "spawn", 1, SH_SPAWN),
	K(OPL_JOIN, "join", 1, SH_TASK),
	K(OPL_EXIT, "exit", 1, SH_NONE),
	K(OPL_MMAP, "mmap", 1, SH_MMAP),
	K(OPL_FILE, "file", 1, SH_FILE_DECL),
	K(OPL_PROCESS, "process", 1, SH_PROC_DECL),
	K(OPL_ALLOC, "alloc", 2, SH_ALLOC),
	K(OPL_BUF_STORE, "buf_store", 2, SH_BUF_RANGE),
	K(OPL_BUF_LOAD, "buf_load", 2, SH_BUF_RANGE),
	K(OPL_IO_WAIT, "io_wait", 2, SH_IO),
#undef K
};

const char *oplog_kind_name(enum oplog_kind k)
{
	return (unsigned)k < OPL__COUNT ? kinds[k].name : "?";
}

unsigned oplog_kind_since(enum oplog_kind k)
{
	return (unsigned)k < OPL__COUNT ? kinds[k].since : 0;
}

/* The version-2 field of a version-1 op, or NULL. */
static const char *v2_field(const struct oplog_op *o)
{
	if (o->kind == OPL_PIN && o->longterm)
		return "longterm";
	if (o->kind != OPL_DIO_WRITE && o->kind != OPL_DIO_READ)
		return NULL;
	if (o->buf)
		return o->kind == OPL_DIO_WRITE ? "from=b<N> (a Buffer)" : "to=";
	return o->io ? "async=" : NULL;
}

unsigned oplog_op_version(const struct oplog_op *o)
{
	unsigned v = oplog_kind_since(o->kind);
	return v < 2 && v2_field(o) ? 2 : v;
}

static const char *const hows[] = { "write", "wait", "write_wait" };
static const unsigned how_flags[] = {
	SYNC_FILE_RANGE_WRITE,
	SYNC_FILE_RANGE_WAIT_AFTER,
	SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER,
};

static int kind_lookup(const char *w, size_t n)
{
	for (int k = 0; k < OPL__COUNT; k++)
		if (kinds[k].len == n && !memcmp(kinds[k].name, w, n))
			return k;
	return -1;
}

/* ---- reading --------------------------------------------------------------------- */

/* Offset and length; the messages are built only when one is wrong (this is the
 * hot path of every read and write op). */
static bool range(struct lex *x, const char *op, struct oplog_op *o, GError **err)
{
	const char *save = x->p;
	if (G_LIKELY(lex_u64(x, &o->off, "offset", NULL) && lex_u64(x, &o->len, "length", NULL)))
		return true;
	char w1[48], w2[48];
	g_snprintf(w1, sizeof(w1), "%s: the offset", op);
	g_snprintf(w2, sizeof(w2), "%s: the length", op);
	x->p = save;
	return lex_u64(x, &o->off, w1, err) && lex_u64(x, &o->len, w2, err);
}

static bool opt_name(struct lex *x, GArray *f, const char *key, struct oplog_op *o,
		     GString *scratch)
{
	(void)x;
	const char *v = lex_field_get(f, key);
	if (v) {
		g_string_assign(scratch, v);
		o->name = scratch->str;
	}
	return true;
}

/* The key=value part of a declaring op. */
static bool decl_fields(struct lex *x, const char *op, struct oplog_op *o, GString *scratch,
			int shape, GError **err)
{
	GArray *f = lex_fields(x, err);
	if (!f)
		return false;
	bool ok = false;
	const char *v;
	switch (shape) {
	case SH_EVENT_DECL:
		opt_name(x, f, "name", o, scratch);
		ok = lex_fields_done(x, f, op, "name=", err);
		break;
	case SH_PROC_DECL:
		opt_name(x, f, "name", o, scratch);
		ok = lex_fields_done(x, f, op, "name=", err);
		break;
	case SH_FILE_DECL:
		opt_name(x, f, "name", o, scratch);
		if (!o->name) {
			lex_fail(x, err, "file: name= is required");
			break;
		}
		if (!(v = lex_field_get(f, "size"))) {
			lex_fail(x, err, "file: size= is required");
			break;
		}
		ok = lex_field_size(x, "size", v, &o->len, err) &&
		     lex_fields_done(x, f, op, "name= and size=", err);
		break;
	case SH_MMAP:
		ok = true;
		if (!(v = lex_field_get(f, "process")))
			ok = lex_fail(x, err, "mmap: process= is required");
		else
			ok = lex_field_id(x, "process", v, "p", &o->process, err);
		if (ok && !(v = lex_field_get(f, "file")))
			ok = lex_fail(x, err, "mmap: file= is required");
		else if (ok)
			ok = lex_field_id(x, "file", v, "f", &o->file, err);
		if (ok && (v = lex_field_get(f, "offset")))
			ok = lex_field_size(x, "offset", v, &o->off, err);
		if (ok && !(v = lex_field_get(f, "size")))
			ok = lex_fail(x, err, "mmap: size= is required");
		else if (ok)
			ok = lex_field_size(x, "size", v, &o->len, err);
		ok = ok && lex_fields_done(x, f, op, "process=, file=, offset= and size=", err);
		break;
	case SH_ALLOC:
		/* "alloc" op or "buffer" header line: the same fields */
		if (!(v = lex_field_get(f, "process")))
			ok = lex_fail(x, err, "%s: process= is required", op);
		else
			ok = lex_field_id(x, "process", v, "p", &o->process, err);
		if (ok && !(v = lex_field_get(f, "size")))
			ok = lex_fail(x, err, "%s: size= is required", op);
		else if (ok)
			ok = lex_field_size(x, "size", v, &o->len, err);
		ok = ok && lex_fields_done(x, f, op, "process= and size=", err);
		break;
	case SH_SPAWN:
		ok = true;
		o->cpu = -1;
		opt_name(x, f, "name", o, scratch);
		if (!o->name)
			ok = lex_fail(x, err, "spawn: name= is required");
		if (ok && (v = lex_field_get(f, "process")))
			ok = lex_field_id(x, "process", v, "p", &o->process, err);
		if (ok && (v = lex_field_get(f, "cpu"))) {
			guint64 c;
			if (!g_ascii_string_to_unsigned(v, 10, 0, 255, &c, NULL))
				ok = lex_fail(x, err, "spawn: cpu= must be a number from 0 to 255, "
					      "got \"%s\"", v);
			o->cpu = (int)c;
		}
		if (ok && (v = lex_field_get(f, "start")))
			ok = lex_field_duration(x, "start", v, &o->at, err);
		ok = ok && lex_fields_done(x, f, op, "name=, process=, cpu= and start=", err);
		break;
	}
	g_array_unref(f);
	return ok;
}

/* The options of a direct I/O: its buffer (from= a mapping or a Buffer for a write,
 * to= a Buffer for a read), at= an offset into it, async= the Io handle it makes. */
static bool dio_fields(struct lex *x, const char *op, bool write, struct oplog_op *o,
		       GError **err)
{
	GArray *f = lex_fields(x, err);
	if (!f)
		return false;
	const char *key = write ? "from" : "to";
	const char *buf = lex_field_get(f, key), *at = lex_field_get(f, "at");
	const char *async = lex_field_get(f, "async");
	/* An unknown field first: "from=" in a read is that, not a missing "to=". */
	bool ok = lex_fields_done(x, f, op, write ? "from=, at= and async=" : "to=, at= and async=",
				  err);
	if (ok && buf && buf[0] == 'b')
		ok = lex_field_id(x, key, buf, "b", &o->buf, err);
	else if (ok && buf && write)
		ok = lex_field_id(x, key, buf, "m", &o->map, err);
	else if (ok && buf)
		ok = lex_fail(x, err, "dio_read: to= must be a Buffer, b<N>, got \"%s\"", buf);
	if (ok && at && !buf)
		ok = lex_fail(x, err, "%s: at= is an offset into the %s given as %s=, and there is "
			      "none", op, write ? "mapping" : "Buffer", key);
	if (ok && at)
		ok = lex_field_size(x, "at", at, &o->at, err);
	if (ok && async)
		ok = lex_field_id(x, "async", async, "io", &o->io, err);
	g_array_unref(f);
	return ok;
}

bool oplog_parse_op(struct lex *x, unsigned version, struct oplog_op *o, GString *scratch,
		    GError **err)
{
	const char *w;
	size_t n;
	if (!lex_word(x, &w, &n))
		return lex_fail(x, err, "the op is missing after the task and times");
	int k = kind_lookup(w, n);
	if (G_UNLIKELY(k < 0))
		return lex_fail(x, err, "unknown op \"%.*s\"", (int)n, w);
	const struct kind_info *ki = &kinds[k];
	if (G_UNLIKELY(ki->since > version))
		return lex_fail(x, err, "op %s needs format version %u; the header says %u", ki->name,
				ki->since, version);
	if (!oplog_parse_args(x, (enum oplog_kind)k, o, scratch, err))
		return false;
	if (G_UNLIKELY(version < 2 && v2_field(o)))
		return lex_fail(x, err, "%s: %s needs format version 2; the header says %u", ki->name,
				v2_field(o), version);
	return true;
}

bool oplog_parse_args(struct lex *x, enum oplog_kind k, struct oplog_op *o, GString *scratch,
		      GError **err)
{
	const struct kind_info *ki = &kinds[k];
	const char *w;
	size_t n;
	o->kind = k;
	o->file = o->map = o->pin = o->event = o->target = o->process = 0;
	o->buf = o->io = 0;
	o->longterm = false;
	o->off = o->len = o->at = 0;
	o->how = 0;
	o->cpu = -1;
	o->name = NULL;
	const char *op = ki->name;
	bool ok = true;
	switch (ki->shape) {
	case SH_FILE_RANGE:
		ok = lex_id(x, "f", &o->file, "the file", err) && range(x, op, o, err);
		break;
	case SH_DIO_WRITE:
	case SH_DIO_READ:
		ok = lex_id(x, "f", &o->file, "the file", err) && range(x, op, o, err);
		if (ok && !lex_at_end(x))
			ok = dio_fields(x, op, ki->shape == SH_DIO_WRITE, o, err);
		break;
	case SH_FILE:
		ok = lex_id(x, "f", &o->file, "the file", err);
		break;
	case SH_SYNC_RANGE: {
		ok = lex_id(x, "f", &o->file, "the file", err) && range(x, op, o, err);
		if (!ok)
			break;
		if (!lex_word(x, &w, &n))
			return lex_fail(x, err, "sync_range: how is missing (write, wait or "
					"write_wait)");
		for (size_t i = 0; i < G_N_ELEMENTS(hows); i++)
			if (strlen(hows[i]) == n && !memcmp(hows[i], w, n))
				o->how = how_flags[i];
		if (!o->how)
			return lex_fail(x, err, "sync_range: how must be write, wait or write_wait, "
					"got \"%.*s\"", (int)n, w);
		break;
	}
	case SH_MAP_RANGE:
		ok = lex_id(x, "m", &o->map, "the mapping", err) && range(x, op, o, err);
		break;
	case SH_MAP:
		ok = lex_id(x, "m", &o->map, "the mapping", err);
		break;
	case SH_PIN:
		ok = lex_id(x, "m", &o->map, "the mapping", err) && range(x, op, o, err) &&
		     lex_id(x, "pin", &o->pin, "pin: the pin it creates", err);
		if (ok && !lex_at_end(x)) {
			const char *save = x->p;
			lex_word(x, &w, &n);
			if (n == 8 && !memcmp(w, "longterm", 8))
				o->longterm = true;
			else
				x->p = save;    /* "unexpected" below */
		}
		break;
	case SH_PIN_RANGE:
		ok = lex_id(x, "pin", &o->pin, "the pin", err) && range(x, op, o, err);
		break;
	case SH_PIN_ONLY:
		ok = lex_id(x, "pin", &o->pin, "the pin", err);
		break;
	case SH_NONE:
		break;
	case SH_NS:
		ok = lex_u64(x, &o->len, "sleep: the nanoseconds", err);
		break;
	case SH_EVENT:
		ok = lex_id(x, "ev", &o->event, "the event", err);
		break;
	case SH_TASK:
		ok = lex_id(x, "t", &o->target, "the task", err);
		break;
	case SH_EVENT_DECL:
		ok = lex_id(x, "ev", &o->event, "the event", err) &&
		     decl_fields(x, op, o, scratch, ki->shape, err);
		break;
	case SH_PROC_DECL:
		ok = lex_id(x, "p", &o->process, "the process", err) &&
		     decl_fields(x, op, o, scratch, ki->shape, err);
		break;
	case SH_FILE_DECL:
		ok = lex_id(x, "f", &o->file, "the file", err) &&
		     decl_fields(x, op, o, scratch, ki->shape, err);
		break;
	case SH_MMAP:
		ok = lex_id(x, "m", &o->map, "the mapping", err) &&
		     decl_fields(x, op, o, scratch, ki->shape, err);
		break;
	case SH_SPAWN:
		ok = lex_id(x, "t", &o->target, "the task", err) &&
		     decl_fields(x, op, o, scratch, ki->shape, err);
		break;
	case SH_ALLOC:
		ok = lex_id(x, "b", &o->buf, "the buffer", err) &&
		     decl_fields(x, op, o, scratch, ki->shape, err);
		break;
	case SH_BUF_RANGE:
		ok = lex_id(x, "b", &o->buf, "the buffer", err) && range(x, op, o, err);
		break;
	case SH_IO:
		ok = lex_id(x, "io", &o->io, "the I/O", err);
		break;
	}
	if (!ok)
		return false;
	if (G_UNLIKELY(!lex_at_end(x))) {
		lex_word(x, &w, &n);
		return lex_fail(x, err, "%s: unexpected \"%.*s\" after its arguments", op, (int)n, w);
	}
	return true;
}

/* ---- writing ---------------------------------------------------------------------- */

static void id(GString *s, const char *prefix, uint32_t v)
{
	g_string_append_c(s, ' ');
	g_string_append(s, prefix);
	lex_append_u64(s, v);
}

static void num(GString *s, uint64_t v)
{
	g_string_append_c(s, ' ');
	lex_append_u64(s, v);
}

static void field(GString *s, const char *key, const char *v)
{
	g_string_append_c(s, ' ');
	g_string_append(s, key);
	g_string_append_c(s, '=');
	lex_append_value(s, v);
}

static void field_id(GString *s, const char *key, const char *prefix, uint32_t v)
{
	g_string_append_c(s, ' ');
	g_string_append(s, key);
	g_string_append_c(s, '=');
	g_string_append(s, prefix);
	lex_append_u64(s, v);
}

static void field_size(GString *s, const char *key, uint64_t v)
{
	g_string_append_c(s, ' ');
	g_string_append(s, key);
	g_string_append_c(s, '=');
	lex_append_size(s, v);
}

void oplog_append_op(GString *s, const struct oplog_op *o)
{
	const struct kind_info *ki = &kinds[o->kind];
	g_string_append_c(s, 't');
	lex_append_u64(s, o->task);
	g_string_append(s, " @");
	lex_append_u64(s, o->issue);
	g_string_append(s, " +");
	lex_append_u64(s, o->think);
	g_string_append_c(s, ' ');
	g_string_append_len(s, ki->name, ki->len);
	oplog_append_args(s, o);
}

void oplog_append_args(GString *s, const struct oplog_op *o)
{
	switch (kinds[o->kind].shape) {
	case SH_FILE_RANGE:
		id(s, "f", o->file);
		num(s, o->off);
		num(s, o->len);
		break;
	case SH_DIO_WRITE:
	case SH_DIO_READ:
		id(s, "f", o->file);
		num(s, o->off);
		num(s, o->len);
		if (o->map || o->buf) {
			const char *key = o->kind == OPL_DIO_WRITE ? "from" : "to";
			if (o->buf)
				field_id(s, key, "b", o->buf);
			else
				field_id(s, key, "m", o->map);
			g_string_append(s, " at=");
			lex_append_u64(s, o->at);
		}
		if (o->io)
			field_id(s, "async", "io", o->io);
		break;
	case SH_FILE:
		id(s, "f", o->file);
		break;
	case SH_SYNC_RANGE:
		id(s, "f", o->file);
		num(s, o->off);
		num(s, o->len);
		for (size_t i = 0; i < G_N_ELEMENTS(hows); i++)
			if (o->how == how_flags[i]) {
				g_string_append_c(s, ' ');
				g_string_append(s, hows[i]);
			}
		break;
	case SH_MAP_RANGE:
		id(s, "m", o->map);
		num(s, o->off);
		num(s, o->len);
		break;
	case SH_MAP:
		id(s, "m", o->map);
		break;
	case SH_PIN:
		id(s, "m", o->map);
		num(s, o->off);
		num(s, o->len);
		id(s, "pin", o->pin);
		if (o->longterm)
			g_string_append(s, " longterm");
		break;
	case SH_PIN_RANGE:
		id(s, "pin", o->pin);
		num(s, o->off);
		num(s, o->len);
		break;
	case SH_PIN_ONLY:
		id(s, "pin", o->pin);
		break;
	case SH_NONE:
		break;
	case SH_NS:
		num(s, o->len);
		break;
	case SH_EVENT:
		id(s, "ev", o->event);
		break;
	case SH_TASK:
		id(s, "t", o->target);
		break;
	case SH_EVENT_DECL:
		id(s, "ev", o->event);
		if (o->name)
			field(s, "name", o->name);
		break;
	case SH_PROC_DECL:
		id(s, "p", o->process);
		if (o->name)
			field(s, "name", o->name);
		break;
	case SH_FILE_DECL:
		id(s, "f", o->file);
		field(s, "name", o->name ? o->name : "");
		field_size(s, "size", o->len);
		break;
	case SH_MMAP:
		id(s, "m", o->map);
		field_id(s, "process", "p", o->process);
		field_id(s, "file", "f", o->file);
		field_size(s, "offset", o->off);
		field_size(s, "size", o->len);
		break;
	case SH_SPAWN:
		id(s, "t", o->target);
		field(s, "name", o->name ? o->name : "");
		if (o->process)
			field_id(s, "process", "p", o->process);
		if (o->cpu >= 0) {
			g_string_append(s, " cpu=");
			lex_append_u64(s, (uint64_t)o->cpu);
		}
		if (o->at) {
			g_string_append(s, " start=");
			lex_append_duration(s, o->at);
		}
		break;
	case SH_ALLOC:
		id(s, "b", o->buf);
		field_id(s, "process", "p", o->process);
		field_size(s, "size", o->len);
		break;
	case SH_BUF_RANGE:
		id(s, "b", o->buf);
		num(s, o->off);
		num(s, o->len);
		break;
	case SH_IO:
		id(s, "io", o->io);
		break;
	}
}

char *oplog_format_op(const struct oplog_op *op)
{
	GString *s = g_string_new(NULL);
	oplog_append_op(s, op);
	return g_string_free(s, FALSE);
}
