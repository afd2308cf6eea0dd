/*
 * lua_op — how a task's call hands back what its operation produced (lua_task.c,
 * lua_io.c): at once when it finished (OP_DONE: the fast path, inline), or by
 * yielding until the target resumes the task, whose driver then pushes the results.
 * Results: true on success; nil, "EIO" when the operation failed at the I/O level; a
 * Pin for m:pin.
 */
#ifndef WBSIM_LUA_OP_H
#define WBSIM_LUA_OP_H

#include "lua/lua_binding.h"

/* The target every operation of a task goes to. */
#define OPS(lt) ((lt)->ctx.st->ops)

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
		lua_pushnil(L);
		lua_pushliteral(L, "EIO");
		return 2;
	case RES_PIN: {
		if (lt->ctx.st->ops->result(lt->t)) {
			lua_pushnil(L);
			lua_pushliteral(L, "EIO");
			return 2;
		}
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
