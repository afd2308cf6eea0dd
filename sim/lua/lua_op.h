/*
 * lua_op — how a task's call hands back what its operation produced (lua_task.c,
 * lua_io.c): at once when it finished (OP_DONE: the fast path, inline), or by
 * yielding until the target resumes the task, whose driver then pushes the results.
 * Results: true on success; nil, "EIO" when the operation failed at the I/O level; a
 * Pin for m:pin (nil, "EFAULT" when a long-term pin is refused); an Io for an
 * asynchronous direct I/O.
 */
#ifndef WBSIM_LUA_OP_H
#define WBSIM_LUA_OP_H

#include "lua/lua_binding.h"

/* The target every operation of a task goes to. */
#define OPS(lt) ((lt)->ctx.st->ops)

/* nil and the error's name: the two results of a failed operation. */
static inline int lop_push_error(lua_State *L, int err)
{
	lua_pushnil(L);
	if (err == -WBSIM_EFAULT)
		lua_pushliteral(L, "EFAULT");
	else
		lua_pushliteral(L, "EIO");
	return 2;
}

static inline int lop_push_result(lua_State *L, struct ltask *lt, enum lres res)
{
	switch (res) {
	case RES_NOTHING:
		return 0;
	case RES_BOOL:
		if (G_LIKELY(lt->ctx.st->ops->result(lt->t) == 0)) {
			lua_pushboolean(L, 1);
			return 1;
		}
		return lop_push_error(L, lt->ctx.st->ops->result(lt->t));
	case RES_IO: {
		int r = lt->ctx.st->ops->result(lt->t);
		if (r)
			return lop_push_error(L, r);
		struct lio *io = lobj_new(L, LT_IO, sizeof(*io), 0);
		io->io = lt->ctx.st->ops->result_io(lt->t);
		io->file = lt->io_file;
		io->write = lt->io_write;
		return 1;
	}
	case RES_IO_WAIT: {
		struct lio *io = lt->io_wait;
		io->result = lt->ctx.st->ops->result(lt->t);
		io->waited = true;
		io->waiter = NULL;
		io->io = NULL;          /* gone: the target freed it */
		lt->io_wait = NULL;
		if (!io->result) {
			lua_pushboolean(L, 1);
			return 1;
		}
		return lop_push_error(L, io->result);
	}
	case RES_PIN: {
		if (lt->ctx.st->ops->result(lt->t))
			return lop_push_error(L, lt->ctx.st->ops->result(lt->t));
		struct lpin *p = lobj_new(L, LT_PIN, sizeof(*p), 0);
		p->p = lt->ctx.st->ops->result_pin(lt->t);
		p->map = lt->pin_map;
		p->size = lt->pin_len;
		return 1;
	}
	}
	return 0;
}

/* The end of every operation call: results now, or yield until the model resumes us. */
static inline int lop_result(lua_State *L, struct ltask *lt, enum op_status s, enum lres res)
{
	if (G_LIKELY(s == OP_DONE))
		return lop_push_result(L, lt, res);
	lt->res = res;
	lt->op_pending = true;
	return lua_yield(L, 0);
}

#endif
