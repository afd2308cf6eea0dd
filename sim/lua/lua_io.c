/*
 * lua_io — the I/O calls of a task: a file's pwrite, pread, fsync, fdatasync,
 * sync_range, dio_write and dio_read (with a mapping or a Buffer, synchronous or not);
 * a mapping's store, load, msync, unmap and pin; a pin's write and release.  Each checks its arguments (a range outside its object,
 * a mapping of another process, O_DIRECT alignment: Lua errors naming file:line),
 * then issues the operation on the target.  These are the hot paths of a tight loop:
 * the checks are pointer compares and the task comes from the thread's extra space.
 */
#include "lua/lua_op.h"

#include <string.h>

/* ---- files ------------------------------------------------------------------------------ */

#define CHECK_FILE(L, call) ((struct lfile *)lobj_check((L), 1, LT_FILE, (call)))

static int f_pwrite(lua_State *L)
{
	struct lfile *f = CHECK_FILE(L, "f:pwrite");
	struct ltask *lt = ltask_current(L, "f:pwrite", true);
	uint64_t off = larg_bytes(L, 2, "f:pwrite: offset");
	uint64_t len = larg_bytes(L, 3, "f:pwrite: length");
	larg_range(L, off, len, f->size, "f:pwrite", "file", f->name);
	return lop_result(L, lt, OPS(lt)->pwrite(lt->t, f->f, off, len), RES_BOOL);
}

static int f_pread(lua_State *L)
{
	struct lfile *f = CHECK_FILE(L, "f:pread");
	struct ltask *lt = ltask_current(L, "f:pread", true);
	uint64_t off = larg_bytes(L, 2, "f:pread: offset");
	uint64_t len = larg_bytes(L, 3, "f:pread: length");
	larg_range(L, off, len, f->size, "f:pread", "file", f->name);
	return lop_result(L, lt, OPS(lt)->pread(lt->t, f->f, off, len), RES_BOOL);
}

static int f_fsync(lua_State *L)
{
	struct lfile *f = CHECK_FILE(L, "f:fsync");
	struct ltask *lt = ltask_current(L, "f:fsync", true);
	return lop_result(L, lt, OPS(lt)->fsync(lt->t, f->f, false), RES_BOOL);
}

static int f_fdatasync(lua_State *L)
{
	struct lfile *f = CHECK_FILE(L, "f:fdatasync");
	struct ltask *lt = ltask_current(L, "f:fdatasync", true);
	return lop_result(L, lt, OPS(lt)->fsync(lt->t, f->f, true), RES_BOOL);
}

/*
 * how: "write" starts writeback of the dirty pages (SYNC_FILE_RANGE_WRITE); "wait"
 * waits for writeback already in flight in the range (WAIT_AFTER: nothing new is
 * written); "write_wait" is WAIT_BEFORE | WRITE | WAIT_AFTER, the combination that
 * writes everything dirty in the range and waits for it.  A length of 0 means "to
 * the end of the file", as in sync_file_range(2).
 */
static int f_sync_range(lua_State *L)
{
	static const char *const hows[] = { "write", "wait", "write_wait", NULL };
	static const unsigned flags[] = {
		SYNC_FILE_RANGE_WRITE,
		SYNC_FILE_RANGE_WAIT_AFTER,
		SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER,
	};
	struct lfile *f = CHECK_FILE(L, "f:sync_range");
	struct ltask *lt = ltask_current(L, "f:sync_range", true);
	uint64_t off = larg_bytes(L, 2, "f:sync_range: offset");
	uint64_t len = larg_bytes(L, 3, "f:sync_range: length");
	if (len)
		larg_range(L, off, len, f->size, "f:sync_range", "file", f->name);
	else if (off >= f->size)
		larg_range_fail(L, off, 1, f->size, "f:sync_range", "file", f->name);
	const char *how = lua_tostring(L, 4);
	int k = -1;
	for (int i = 0; how && hows[i]; i++)
		if (!strcmp(how, hows[i]))
			k = i;
	if (k < 0)
		lerror(L, "f:sync_range: how must be \"write\", \"wait\" or \"write_wait\", got %s",
		       how ? how : luaL_typename(L, 4));
	return lop_result(L, lt, OPS(lt)->sync_range(lt->t, f->f, off, len, flags[k]), RES_BOOL);
}

#define DIO_ALIGN 512u

static void check_map_use(lua_State *L, struct lmap *m, struct ltask *lt, const char *call)
{
	if (G_UNLIKELY(m->unmapped_at))
		lerror(L, "%s: the mapping of file '%s' was unmapped at %s", call, m->file->name,
		       m->unmapped_at);
	if (G_UNLIKELY(lt->proc != m->proc))
		lerror(L, "%s: task '%s' runs in %s%s%s, but this mapping belongs to process "
		       "'%s' (give the task process = ... in sim.spawn)", call, lt->name,
		       lt->proc ? "process '" : "no process", lt->proc ? lt->proc->name : "",
		       lt->proc ? "'" : "", m->proc->name);
}

/* The target lacks a version-2 operation: say so, naming it. */
void lio_need(lua_State *L, struct ltask *lt, bool has, const char *call)
{
	if (G_UNLIKELY(!has))
		lerror(L, "%s: not supported by target '%s'", call, OPS(lt)->name);
}

/* Memory of process @owner used by @lt: a task of another process cannot touch it. */
void lio_check_proc(lua_State *L, struct lproc *owner, struct ltask *lt, const char *call,
		    const char *what)
{
	if (G_UNLIKELY(lt->proc != owner))
		lerror(L, "%s: task '%s' runs in %s%s%s, but this %s belongs to process "
		       "'%s' (give the task process = ... in sim.spawn)", call, lt->name,
		       lt->proc ? "process '" : "no process", lt->proc ? lt->proc->name : "",
		       lt->proc ? "'" : "", what, owner->name);
}

/* The options table of a direct I/O: the buffer ('from' a mapping or a Buffer for a
 * write, 'to' a Buffer for a read), 'at' an offset into it, 'async'. */
struct dio_opts {
	struct lmap *map;
	struct lbuf *buf;
	uint64_t at;
	bool async;
};

static void dio_options(lua_State *L, bool write, uint64_t len, struct ltask *lt,
			struct dio_opts *o)
{
	static const char *const fields[] = { "from", "to", "at", "async", NULL };
	const char *call = write ? "f:dio_write" : "f:dio_read";
	const char *key = write ? "from" : "to", *other = write ? "to" : "from";
	if (!lua_istable(L, 4))
		lerror(L, "%s: argument 3 must be a table {%s, at = offset, async = true}, got %s",
		       call, write ? "from = mapping or buffer" : "to = buffer", luaL_typename(L, 4));
	larg_fields(L, 4, call, fields);
	if (lua_getfield(L, 4, other) != LUA_TNIL)
		lerror(L, "%s: the buffer of %s is '%s', not '%s'", call, call, key, other);
	if (lua_getfield(L, 4, key) != LUA_TNIL) {
		if (write && !(o->map = lobj_test(L, -1, LT_MAP)) && !(o->buf = lobj_test(L, -1, LT_BUF)))
			lerror(L, "f:dio_write: from: expected a Mapping or a Buffer, got %s",
			       lobj_typename(L, -1));
		else if (!write)
			o->buf = lobj_check(L, -1, LT_BUF, "f:dio_read: to");
	}
	if (lua_getfield(L, 4, "at") != LUA_TNIL) {
		if (!o->map && !o->buf)
			lerror(L, "%s: 'at' is an offset into the %s given as '%s', and there is none",
			       call, write ? "mapping or Buffer" : "Buffer", key);
		o->at = larg_bytes(L, -1, write ? "f:dio_write: at" : "f:dio_read: at");
	}
	if (lua_getfield(L, 4, "async") != LUA_TNIL)
		o->async = larg_bool(L, -1, write ? "f:dio_write: async" : "f:dio_read: async");
	lua_pop(L, 4);
	if (o->map) {
		check_map_use(L, o->map, lt, call);
		larg_range(L, o->at, len, o->map->size, "f:dio_write: from", "mapping of file",
			   o->map->file->name);
	}
	if (o->buf) {
		lio_check_proc(L, o->buf->proc, lt, call, "Buffer");
		larg_range(L, o->at, len, o->buf->size, write ? "f:dio_write: from" : "f:dio_read: to",
			   "Buffer of process", o->buf->proc->name);
	}
}

static int f_dio(lua_State *L, bool write)
{
	const char *call = write ? "f:dio_write" : "f:dio_read";
	struct lfile *f = CHECK_FILE(L, call);
	struct ltask *lt = ltask_current(L, call, true);
	uint64_t off = larg_bytes(L, 2, write ? "f:dio_write: offset" : "f:dio_read: offset");
	uint64_t len = larg_bytes(L, 3, write ? "f:dio_write: length" : "f:dio_read: length");
	larg_range(L, off, len, f->size, call, "file", f->name);
	struct dio_opts o = { 0 };
	if (!lua_isnoneornil(L, 4))
		dio_options(L, write, len, lt, &o);
	bool buffer = o.map || o.buf;
	if (off % DIO_ALIGN || len % DIO_ALIGN || o.at % DIO_ALIGN) {
		char at_s[48] = "";
		if (buffer)
			g_snprintf(at_s, sizeof(at_s), ", at %" G_GUINT64_FORMAT, o.at);
		lerror(L, "%s: O_DIRECT needs the offset, the length%s aligned to %u bytes (got "
		       "offset %" G_GUINT64_FORMAT ", length %" G_GUINT64_FORMAT "%s)", call,
		       buffer ? " and the buffer offset" : "", DIO_ALIGN, off, len, at_s);
	}
	if (o.buf || o.async) {
		/* Version 2: a Buffer, or an Io handle to wait on. */
		lio_need(L, lt, OPS(lt)->dio != NULL, o.async ? (write ? "f:dio_write{async = true}" :
				"f:dio_read{async = true}") : call);
		struct target_dio d = {
			.write = write, .async = o.async, .f = f->f, .off = off, .len = len,
			.map = o.map ? o.map->m : NULL, .buf = o.buf ? o.buf->b : NULL, .at = o.at,
		};
		lt->io_file = f;
		lt->io_write = write;
		return lop_result(L, lt, OPS(lt)->dio(lt->t, &d), o.async ? RES_IO : RES_BOOL);
	}
	enum op_status s = write ? OPS(lt)->dio_write(lt->t, f->f, off, len, o.map ? o.map->m : NULL,
						       o.map ? o.at : 0)
				 : OPS(lt)->dio_read(lt->t, f->f, off, len);
	return lop_result(L, lt, s, RES_BOOL);
}

static int f_dio_write(lua_State *L)
{
	return f_dio(L, true);
}

static int f_dio_read(lua_State *L)
{
	return f_dio(L, false);
}

static int f_size(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)CHECK_FILE(L, "f:size")->size);
	return 1;
}

static int f_name(lua_State *L)
{
	lua_pushstring(L, CHECK_FILE(L, "f:name")->name);
	return 1;
}

/* ---- mappings ------------------------------------------------------------------------------ */

#define CHECK_MAP(L, call) ((struct lmap *)lobj_check((L), 1, LT_MAP, (call)))

static int m_store(lua_State *L)
{
	struct lmap *m = CHECK_MAP(L, "m:store");
	struct ltask *lt = ltask_current(L, "m:store", true);
	uint64_t off = larg_bytes(L, 2, "m:store: offset");
	uint64_t len = larg_bytes(L, 3, "m:store: length");
	check_map_use(L, m, lt, "m:store");
	larg_range(L, off, len, m->size, "m:store", "mapping of file", m->file->name);
	return lop_result(L, lt, OPS(lt)->store(lt->t, m->m, off, len), RES_BOOL);
}

static int m_load(lua_State *L)
{
	struct lmap *m = CHECK_MAP(L, "m:load");
	struct ltask *lt = ltask_current(L, "m:load", true);
	uint64_t off = larg_bytes(L, 2, "m:load: offset");
	uint64_t len = larg_bytes(L, 3, "m:load: length");
	check_map_use(L, m, lt, "m:load");
	larg_range(L, off, len, m->size, "m:load", "mapping of file", m->file->name);
	return lop_result(L, lt, OPS(lt)->load(lt->t, m->m, off, len), RES_BOOL);
}

static int m_msync(lua_State *L)
{
	struct lmap *m = CHECK_MAP(L, "m:msync");
	struct ltask *lt = ltask_current(L, "m:msync", true);
	uint64_t off = 0, len = m->size;
	if (!lua_isnoneornil(L, 2)) {
		off = larg_bytes(L, 2, "m:msync: offset");
		len = lua_isnoneornil(L, 3) ? (off < m->size ? m->size - off : 1)
					   : larg_bytes(L, 3, "m:msync: length");
	}
	check_map_use(L, m, lt, "m:msync");
	larg_range(L, off, len, m->size, "m:msync", "mapping of file", m->file->name);
	return lop_result(L, lt, OPS(lt)->msync(lt->t, m->m, off, len), RES_BOOL);
}

static int m_unmap(lua_State *L)
{
	struct lmap *m = CHECK_MAP(L, "m:unmap");
	struct ltask *lt = ltask_current(L, "m:unmap", true);
	check_map_use(L, m, lt, "m:unmap");
	m->unmapped_at = lstate_where(lt->ctx.st, L, 1);
	return lop_result(L, lt, OPS(lt)->munmap(lt->t, m->m), RES_NOTHING);
}

/* m:pin(off, len, {longterm = true}?): FOLL_LONGTERM asks for a pin that may last as
 * long as its holder likes; on a file mapping the kernel refuses it (nil, "EFAULT")
 * unless the policy makes it safe. */
static int m_pin(lua_State *L)
{
	static const char *const fields[] = { "longterm", NULL };
	struct lmap *m = CHECK_MAP(L, "m:pin");
	struct ltask *lt = ltask_current(L, "m:pin", true);
	uint64_t off = larg_bytes(L, 2, "m:pin: offset");
	uint64_t len = larg_bytes(L, 3, "m:pin: length");
	bool longterm = false;
	if (!lua_isnoneornil(L, 4)) {
		if (!lua_istable(L, 4))
			lerror(L, "m:pin: argument 3 must be a table {longterm = true}, got %s",
			       luaL_typename(L, 4));
		larg_fields(L, 4, "m:pin", fields);
		if (lua_getfield(L, 4, "longterm") != LUA_TNIL)
			longterm = larg_bool(L, -1, "m:pin: longterm");
		lua_pop(L, 1);
	}
	check_map_use(L, m, lt, "m:pin");
	larg_range(L, off, len, m->size, "m:pin", "mapping of file", m->file->name);
	lt->pin_map = m;
	lt->pin_len = len;
	if (longterm) {
		lio_need(L, lt, OPS(lt)->pin_longterm != NULL, "m:pin{longterm = true}");
		return lop_result(L, lt, OPS(lt)->pin_longterm(lt->t, m->m, off, len), RES_PIN);
	}
	return lop_result(L, lt, OPS(lt)->pin(lt->t, m->m, off, len), RES_PIN);
}

static int m_size(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)CHECK_MAP(L, "m:size")->size);
	return 1;
}

/* ---- pins ------------------------------------------------------------------------------------ */

static struct lpin *check_pin(lua_State *L, const char *call)
{
	struct lpin *p = lobj_check(L, 1, LT_PIN, call);
	if (G_UNLIKELY(p->released_at))
		lerror(L, "%s: the pin was released at %s", call, p->released_at);
	return p;
}

static int pin_write(lua_State *L)
{
	struct lpin *p = check_pin(L, "pin:write");
	struct ltask *lt = ltask_current(L, "pin:write", true);
	uint64_t off = larg_bytes(L, 2, "pin:write: offset");
	uint64_t len = larg_bytes(L, 3, "pin:write: length");
	larg_range(L, off, len, p->size, "pin:write", "pin of file", p->map->file->name);
	return lop_result(L, lt, OPS(lt)->pin_write(lt->t, p->p, off, len), RES_BOOL);
}

static int pin_release(lua_State *L)
{
	struct lpin *p = check_pin(L, "pin:release");
	struct ltask *lt = ltask_current(L, "pin:release", true);
	p->released_at = lstate_where(lt->ctx.st, L, 1);
	return lop_result(L, lt, OPS(lt)->pin_release(lt->t, p->p), RES_BOOL);
}

static int pin_size_l(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)((struct lpin *)lobj_check(L, 1, LT_PIN, "pin:size"))->size);
	return 1;
}

void lio_register(lua_State *L)
{
	static const luaL_Reg file_methods[] = {
		{ "pwrite", f_pwrite }, { "pread", f_pread }, { "fsync", f_fsync },
		{ "fdatasync", f_fdatasync }, { "sync_range", f_sync_range },
		{ "dio_write", f_dio_write }, { "dio_read", f_dio_read }, { "size", f_size },
		{ "name", f_name }, { NULL, NULL },
	};
	static const luaL_Reg map_methods[] = {
		{ "store", m_store }, { "load", m_load }, { "msync", m_msync },
		{ "unmap", m_unmap }, { "pin", m_pin }, { "size", m_size }, { NULL, NULL },
	};
	static const luaL_Reg pin_methods[] = {
		{ "write", pin_write }, { "release", pin_release }, { "size", pin_size_l },
		{ NULL, NULL },
	};
	lobj_register(L, LT_FILE, file_methods);
	lobj_register(L, LT_MAP, map_methods);
	lobj_register(L, LT_PIN, pin_methods);
	lbuf_register(L);
}
