/*
 * lua_buf — Buffers and Io handles (SCENARIO_API.md, "Additions (version 2)").
 *
 * A Buffer is anonymous private memory of a process (proc:alloc, declared in
 * lua_decl.c): its tasks store into it and load from it, and it may be the source
 * of a direct write or the destination of a direct read (lua_io.c).  An Io is an
 * asynchronous direct I/O in flight: io:wait() blocks until it has completed and
 * returns true, or nil and "EIO"; any task may wait for it, one at a time, and once
 * it has been waited for, waiting again returns the same answer at once.
 */
#include "lua/lua_op.h"

#define CHECK_BUF(L, call) ((struct lbuf *)lobj_check((L), 1, LT_BUF, (call)))

static int buf_access(lua_State *L, bool store)
{
	const char *call = store ? "buf:store" : "buf:load";
	struct lbuf *b = CHECK_BUF(L, call);
	struct ltask *lt = ltask_current(L, call, true);
	uint64_t off = larg_bytes(L, 2, store ? "buf:store: offset" : "buf:load: offset");
	uint64_t len = larg_bytes(L, 3, store ? "buf:store: length" : "buf:load: length");
	lio_check_proc(L, b->proc, lt, call, "Buffer");
	larg_range(L, off, len, b->size, call, "Buffer of process", b->proc->name);
	const struct target_ops *ops = OPS(lt);
	lio_need(L, lt, store ? ops->buf_store != NULL : ops->buf_load != NULL, call);
	enum op_status s = store ? ops->buf_store(lt->t, b->b, off, len)
				 : ops->buf_load(lt->t, b->b, off, len);
	return lop_result(L, lt, s, RES_BOOL);
}

static int buf_store(lua_State *L)
{
	return buf_access(L, true);
}

static int buf_load(lua_State *L)
{
	return buf_access(L, false);
}

static int buf_size(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)CHECK_BUF(L, "buf:size")->size);
	return 1;
}

static int io_wait(lua_State *L)
{
	struct lio *io = lobj_check(L, 1, LT_IO, "io:wait");
	struct ltask *lt = ltask_current(L, "io:wait", true);
	if (io->waited) {
		if (!io->result) {
			lua_pushboolean(L, 1);
			return 1;
		}
		return lop_push_error(L, io->result);
	}
	if (io->waiter)
		lerror(L, "io:wait: task '%s' is already waiting for this I/O (one waiter at a time)",
		       io->waiter->name);
	io->waiter = lt;
	lt->io_wait = io;
	return lop_result(L, lt, OPS(lt)->io_wait(lt->t, io->io), RES_IO_WAIT);
}

static int io_is_write(lua_State *L)
{
	lua_pushboolean(L, ((struct lio *)lobj_check(L, 1, LT_IO, "io:is_write"))->write);
	return 1;
}

void lbuf_register(lua_State *L)
{
	static const luaL_Reg buf_methods[] = {
		{ "store", buf_store }, { "load", buf_load }, { "size", buf_size }, { NULL, NULL },
	};
	static const luaL_Reg io_methods[] = {
		{ "wait", io_wait }, { "is_write", io_is_write }, { NULL, NULL },
	};
	lobj_register(L, LT_BUF, buf_methods);
	lobj_register(L, LT_IO, io_methods);
}
