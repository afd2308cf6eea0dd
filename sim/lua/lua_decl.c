/*
 * lua_decl — declaring the world: sim.scenario, sim.param, sim.file, sim.process,
 * proc:mmap, proc:alloc and sim.spawn (the machine's own declarations are
 * lua_machine.c's).
 *
 * The top level runs before the machine exists (the device may be declared after the
 * files), so declarations are recorded in order and instantiated together once the
 * configuration is complete; scenario_probe never instantiates them.  A file,
 * process, mapping or task declared from inside a running task is made at once.
 */
#include "lua/lua_binding.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define MAX_FILE_SIZE (1ull << 44)              /* 16 TiB: 2^32 pages, the model's limit */
#define MAX_MAP_SIZE (64ull << 30)              /* 64 GiB: 256 MiB of PTEs */
#define MAX_CPU 255                             /* the model has 256 CPUs; 0 is the flusher's */

bool ldecl_at_top(lua_State *L)
{
	struct lctx *c = lctx_effective(L);
	return c->kind == CTX_TOP;
}

struct lstate *ldecl_top_only(lua_State *L, const char *call)
{
	struct lctx *c = lctx_effective(L);
	if (c->kind != CTX_TOP)
		lerror(L, "%s may only be called at the top level of the scenario, not inside "
		       "a task", call);
	return c->st;
}

const char *ldecl_once(lua_State *L, struct lstate *st, const char **at, const char *call)
{
	if (*at)
		lerror(L, "%s may be called only once (first called at %s)", call, *at);
	*at = lstate_where(st, L, 1);
	return *at;
}

/* Keep a declared object alive for the whole run, whatever the scenario drops. */
static void anchor(lua_State *L, int idx)
{
	static const char key = 0;
	idx = lua_absindex(L, idx);
	if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key) == LUA_TNIL) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_rawsetp(L, LUA_REGISTRYINDEX, &key);
	}
	lua_pushvalue(L, idx);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	lua_pop(L, 1);
}

static void declare(lua_State *L, struct lstate *st, enum ltype type, void *obj)
{
	struct ldecl *d = g_new(struct ldecl, 1);
	d->type = type;
	d->obj = obj;
	anchor(L, -1);
	g_ptr_array_add(st->decls, d);
	if (st->t) {
		ldecl_instantiate(st, d);
		if (st->error)
			luaL_error(L, "%s", st->error);
	}
}

static const char *opt_string(lua_State *L, int t, const char *field, const char *call)
{
	const char *s = NULL;
	switch (lua_getfield(L, t, field)) {
	case LUA_TNIL:
		break;
	case LUA_TSTRING:
		s = lua_tostring(L, -1);
		break;
	default:
		lerror(L, "%s: %s must be a string, got %s", call, field, luaL_typename(L, -1));
	}
	lua_pop(L, 1);          /* the string stays alive in the table */
	return s;
}

void ldecl_check_table(lua_State *L, int idx, const char *call)
{
	if (lua_type(L, idx) != LUA_TTABLE)
		lerror(L, "%s: expected a table of fields ({...}), got %s", call,
		       luaL_typename(L, idx));
}

/* ---- sim.scenario ---------------------------------------------------------------- */

static int l_scenario(lua_State *L)
{
	static const char *const fields[] = { "name", "description", "duration", "policies", NULL };
	struct lstate *st = ldecl_top_only(L, "sim.scenario");
	ldecl_check_table(L, 1, "sim.scenario");
	larg_fields(L, 1, "sim.scenario", fields);
	ldecl_once(L, st, &st->scenario_at, "sim.scenario");
	const char *name = opt_string(L, 1, "name", "sim.scenario");
	if (name && !*name)
		lerror(L, "sim.scenario: name must not be empty");
	const char *desc = opt_string(L, 1, "description", "sim.scenario");
	if (lua_getfield(L, 1, "duration") != LUA_TNIL) {
		st->cfg.duration = larg_duration(L, -1, "sim.scenario: duration");
		if (!st->cfg.duration)
			lerror(L, "sim.scenario: duration must be positive (leave it out to run "
			       "until every task has finished)");
	}
	lua_pop(L, 1);
	if (lua_getfield(L, 1, "policies") != LUA_TNIL) {
		if (!lua_istable(L, -1))
			lerror(L, "sim.scenario: policies must be a list of policy specs, got %s",
			       luaL_typename(L, -1));
		lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
		for (lua_Integer i = 1; i <= n; i++) {
			if (lua_rawgeti(L, -1, i) != LUA_TSTRING || !*lua_tostring(L, -1))
				lerror(L, "sim.scenario: policies[%lld] must be a policy spec "
				       "(\"name[:key=value,...]\"), got %s", (long long)i,
				       luaL_typename(L, -1));
			lua_pop(L, 1);
		}
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, -1, i);
			g_ptr_array_add(st->policies, g_strdup(lua_tostring(L, -1)));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	if (name) {
		g_free(st->name);
		st->name = g_strdup(name);
	}
	if (desc) {
		g_free(st->description);
		st->description = g_strdup(desc);
	}
	return 0;
}

/* ---- sim.param ------------------------------------------------------------------- */

static bool name_ok(const char *s)
{
	if (!g_ascii_isalpha(*s) && *s != '_')
		return false;
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

/* Push --set's text converted to the type of the default at @def. */
static void push_set_value(lua_State *L, int def, const char *name, const char *text)
{
	switch (lua_type(L, def)) {
	case LUA_TBOOLEAN: {
		static const char *const yes[] = { "true", "1", "yes", "on", NULL };
		static const char *const no[] = { "false", "0", "no", "off", NULL };
		if (g_strv_contains(yes, text))
			lua_pushboolean(L, 1);
		else if (g_strv_contains(no, text))
			lua_pushboolean(L, 0);
		else
			lerror(L, "--set %s=%s: expected true or false (the default of %s is a "
			       "boolean)", name, text, name);
		return;
	}
	case LUA_TNUMBER: {
		if (lua_isinteger(L, def)) {
			gint64 v;
			if (!g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, &v, NULL))
				lerror(L, "--set %s=%s: expected an integer (the default of %s is %lld)",
				       name, text, name, (long long)lua_tointeger(L, def));
			lua_pushinteger(L, v);
		} else {
			char *end = NULL;
			double v = g_ascii_strtod(text, &end);
			if (!*text || *end)
				lerror(L, "--set %s=%s: expected a number (the default of %s is %g)",
				       name, text, name, lua_tonumber(L, def));
			lua_pushnumber(L, v);
		}
		return;
	}
	default:
		lua_pushstring(L, text);
	}
}

static int l_param(lua_State *L)
{
	struct lstate *st = ldecl_top_only(L, "sim.param");
	const char *name = luaL_checkstring(L, 1);
	if (!name_ok(name))
		lerror(L, "sim.param: bad name \"%s\": use letters, digits, '_', '-' and '.', "
		       "starting with a letter", name);
	int t = lua_type(L, 2);
	if (t != LUA_TNUMBER && t != LUA_TSTRING && t != LUA_TBOOLEAN)
		lerror(L, "sim.param: the default of %s must be a number, a string or a boolean, "
		       "got %s", name, luaL_typename(L, 2));
	if (!lua_isnoneornil(L, 3) && lua_type(L, 3) != LUA_TSTRING)
		lerror(L, "sim.param: the description of %s must be a string, got %s", name,
		       luaL_typename(L, 3));
	for (guint i = 0; i < st->params->len; i++)
		if (!strcmp(((struct param_value *)st->params->pdata[i])->name, name))
			lerror(L, "sim.param: %s is declared twice", name);
	const char *desc = lua_type(L, 3) == LUA_TSTRING ? lua_tostring(L, 3) : NULL;
	const char *set = st->o->sets ? g_hash_table_lookup(st->o->sets, name) : NULL;
	if (set)
		push_set_value(L, 2, name, set);
	else
		lua_pushvalue(L, 2);
	int v = lua_gettop(L);
	const char *text = luaL_tolstring(L, v, NULL);
	struct param_value *p = g_new0(struct param_value, 1);
	p->name = g_strdup(name);
	p->value = g_strdup(text);
	p->description = g_strdup(desc);
	g_ptr_array_add(st->params, p);
	lua_pop(L, 1);
	return 1;
}

/* ---- files, processes, mappings ---------------------------------------------------- */

static int l_file(lua_State *L)
{
	static const char *const fields[] = { "name", "size", NULL };
	struct lstate *st = lctx_of(L)->st;
	ldecl_check_table(L, 1, "sim.file");
	larg_fields(L, 1, "sim.file", fields);
	const char *name = opt_string(L, 1, "name", "sim.file");
	if (!name || !*name)
		lerror(L, "sim.file: a name is required (sim.file{name = \"data\", size = \"16MiB\"})");
	if (lua_getfield(L, 1, "size") == LUA_TNIL)
		lerror(L, "sim.file: a size is required (e.g. size = \"16MiB\")");
	uint64_t size = larg_size(L, -1, "sim.file: size");
	if (size == 0)
		lerror(L, "sim.file: size must be positive");
	if (size > MAX_FILE_SIZE)
		lerror(L, "sim.file: size %" G_GUINT64_FORMAT " bytes is absurd (at most 16 TiB)",
		       size);
	lua_pop(L, 1);
	struct lfile *f = lobj_new(L, LT_FILE, sizeof(*f), 0);
	f->name = lstate_strdup(st, name);
	f->size = size;
	f->where = lstate_strdup(st, lstate_where(st, L, 1));
	declare(L, st, LT_FILE, f);
	return 1;
}

static int l_process(lua_State *L)
{
	static const char *const fields[] = { "name", NULL };
	struct lstate *st = lctx_of(L)->st;
	const char *name = NULL;
	if (!lua_isnoneornil(L, 1)) {
		ldecl_check_table(L, 1, "sim.process");
		larg_fields(L, 1, "sim.process", fields);
		name = opt_string(L, 1, "name", "sim.process");
	}
	struct lproc *p = lobj_new(L, LT_PROC, sizeof(*p), 0);
	if (name && *name) {
		p->name = lstate_strdup(st, name);
	} else {
		char buf[32];
		unsigned n = 1;
		for (guint i = 0; i < st->decls->len; i++)
			n += ((struct ldecl *)st->decls->pdata[i])->type == LT_PROC;
		g_snprintf(buf, sizeof(buf), "process%u", n);
		p->name = lstate_strdup(st, buf);
	}
	p->where = lstate_where(st, L, 1);
	declare(L, st, LT_PROC, p);
	return 1;
}

static int proc_mmap(lua_State *L)
{
	static const char *const fields[] = { "offset", "size", NULL };
	struct lstate *st = lctx_of(L)->st;
	struct lproc *p = lobj_check(L, 1, LT_PROC, "proc:mmap");
	struct lfile *f = lobj_check(L, 2, LT_FILE, "proc:mmap: argument 1");
	uint64_t offset = 0, size = 0;
	bool size_given = false;
	if (!lua_isnoneornil(L, 3)) {
		ldecl_check_table(L, 3, "proc:mmap");
		larg_fields(L, 3, "proc:mmap", fields);
		if (lua_getfield(L, 3, "offset") != LUA_TNIL)
			offset = larg_size(L, -1, "proc:mmap: offset");
		if (lua_getfield(L, 3, "size") != LUA_TNIL) {
			size = larg_size(L, -1, "proc:mmap: size");
			size_given = true;
		}
		lua_pop(L, 2);
	}
	if (offset % PAGE_SIZE)
		lerror(L, "proc:mmap: offset %" G_GUINT64_FORMAT " is not a multiple of "
		       "sim.PAGE_SIZE (%u)", offset, PAGE_SIZE);
	if (offset >= f->size)
		lerror(L, "proc:mmap: offset %" G_GUINT64_FORMAT " lies outside file '%s' (%"
		       G_GUINT64_FORMAT " bytes)", offset, f->name, f->size);
	if (!size_given)
		size = f->size - offset;
	if (size == 0)
		lerror(L, "proc:mmap: size must be positive");
	if (size > f->size - offset)
		lerror(L, "proc:mmap: offset %" G_GUINT64_FORMAT " + size %" G_GUINT64_FORMAT
		       " lies outside file '%s' (%" G_GUINT64_FORMAT " bytes)", offset, size,
		       f->name, f->size);
	if (size > MAX_MAP_SIZE)
		lerror(L, "proc:mmap: size %" G_GUINT64_FORMAT " bytes is absurd (at most 64 GiB "
		       "per mapping)", size);
	struct lmap *m = lobj_new(L, LT_MAP, sizeof(*m), 0);
	m->proc = p;
	m->file = f;
	m->offset = offset;
	m->size = size;
	declare(L, st, LT_MAP, m);
	return 1;
}

/* proc:alloc(size): anonymous private memory (a Buffer), zero-filled. */
static int proc_alloc(lua_State *L)
{
	struct lstate *st = lctx_of(L)->st;
	struct lproc *p = lobj_check(L, 1, LT_PROC, "proc:alloc");
	if (lua_isnoneornil(L, 2))
		lerror(L, "proc:alloc: a size is required (e.g. proc:alloc(\"1MiB\"))");
	uint64_t size = larg_size(L, 2, "proc:alloc: size");
	if (size == 0)
		lerror(L, "proc:alloc: size must be positive");
	if (size > MAX_MAP_SIZE)
		lerror(L, "proc:alloc: size %" G_GUINT64_FORMAT " bytes is absurd (at most 64 GiB)",
		       size);
	struct lbuf *b = lobj_new(L, LT_BUF, sizeof(*b), 0);
	b->proc = p;
	b->size = size;
	b->where = lstate_where(st, L, 1);
	declare(L, st, LT_BUF, b);
	return 1;
}

static int proc_name(lua_State *L)
{
	struct lproc *p = lobj_check(L, 1, LT_PROC, "proc:name");
	lua_pushstring(L, p->name);
	return 1;
}

/* ---- sim.spawn ------------------------------------------------------------------------ */

static int l_spawn(lua_State *L)
{
	static const char *const fields[] = { "process", "cpu", "start", NULL };
	struct lstate *st = lctx_of(L)->st;
	if (lua_type(L, 1) != LUA_TSTRING || !*lua_tostring(L, 1))
		lerror(L, "sim.spawn: argument 1 must be the task's name, got %s",
		       luaL_typename(L, 1));
	if (lua_type(L, 2) != LUA_TFUNCTION)
		lerror(L, "sim.spawn: argument 2 must be the task's function, got %s",
		       luaL_typename(L, 2));
	struct lproc *proc = NULL;
	int cpu = -1;
	uint64_t start = 0;
	if (!lua_isnoneornil(L, 3)) {
		ldecl_check_table(L, 3, "sim.spawn");
		larg_fields(L, 3, "sim.spawn", fields);
		if (lua_getfield(L, 3, "process") != LUA_TNIL)
			proc = lobj_check(L, -1, LT_PROC, "sim.spawn: process");
		if (lua_getfield(L, 3, "cpu") != LUA_TNIL) {
			if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 ||
			    lua_tointeger(L, -1) > MAX_CPU)
				lerror(L, "sim.spawn: cpu must be an integer from 0 to %d, got %s",
				       MAX_CPU, luaL_tolstring(L, -1, NULL));
			cpu = (int)lua_tointeger(L, -1);
		}
		if (lua_getfield(L, 3, "start") != LUA_TNIL)
			start = larg_duration(L, -1, "sim.spawn: start");
		lua_pop(L, 3);
	}
	struct ltask *lt = lobj_new(L, LT_TASK, sizeof(*lt), 1);
	lt->ctx.kind = CTX_TASK;
	lt->ctx.st = st;
	lt->name = lstate_strdup(st, lua_tostring(L, 1));
	lt->where = lstate_where(st, L, 1);
	lt->proc = proc;
	lt->cpu = cpu;
	lt->start = start;
	lt->co = lua_newthread(L);
	*(struct lctx **)lua_getextraspace(lt->co) = &lt->ctx;
	lua_pushvalue(L, 2);
	lua_xmove(L, lt->co, 1);
	lua_setiuservalue(L, -2, 1);    /* the task holds its coroutine */
	declare(L, st, LT_TASK, lt);
	return 1;
}

/* ---- units for Lua code (extensions: sim.size, sim.duration) ------------------------ */

/* sim.size("4KiB") = 4096: the byte count of a size, as declarations read it. */
static int l_size(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)larg_size(L, 1, "sim.size"));
	return 1;
}

/* sim.duration("1.5ms") = 1500000: nanoseconds, as declarations read a duration. */
static int l_duration(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)larg_duration(L, 1, "sim.duration"));
	return 1;
}

/* ---- instantiation ---------------------------------------------------------------------- */

void ldecl_instantiate(struct lstate *st, struct ldecl *d)
{
	struct target *t = st->t;
	const struct target_ops *ops = st->ops;
	switch (d->type) {
	case LT_FILE: {
		struct lfile *f = d->obj;
		if (!f->f)
			f->f = ops->file(t, f->name, f->size);
		if (!f->f) {
			/* A target that says why (the kernel's, refusing a name) is quoted
			 * after this by the run; the model's only reason is address space:
			 * blocks and marks are reserved for the whole file, and files
			 * declared together can outgrow what the process has. */
			char *msg = ops->error && ops->error(t)
				? g_strdup_printf("%s: sim.file: target '%s' refused file '%s'",
						  f->where, ops->name, f->name)
				: g_strdup_printf("%s: sim.file: cannot reserve address space for "
						  "file '%s' of %" G_GUINT64_FORMAT " bytes (the "
						  "files declared so far use up what this process has)",
						  f->where, f->name, f->size);
			lstate_fail(st, SCENARIO_ERROR_RUNTIME, msg);
			g_free(msg);
		}
		break;
	}
	case LT_PROC: {
		struct lproc *p = d->obj;
		if (!p->p)
			p->p = ops->process(t, p->name);
		if (!p->p) {
			/* Only a target that forks its processes before the tasks start (the
			 * kernel's) refuses one, declared by a task; it says why. */
			char *msg = g_strdup_printf("%s: sim.process: target '%s' refused process '%s'",
						    p->where, ops->name, p->name);
			lstate_fail(st, SCENARIO_ERROR_RUNTIME, msg);
			g_free(msg);
		}
		break;
	}
	case LT_MAP: {
		struct lmap *m = d->obj;
		if (!m->m)
			m->m = ops->mmap(t, m->proc->p, m->file->f, m->offset, m->size);
		break;
	}
	case LT_BUF: {
		struct lbuf *b = d->obj;
		if (b->b)
			break;
		char *msg = NULL;
		if (!ops->alloc)
			msg = g_strdup_printf("%s: proc:alloc: not supported by target '%s'", b->where,
					      ops->name);
		else if (!(b->b = ops->alloc(t, b->proc->p, b->size)))
			msg = g_strdup_printf("%s: proc:alloc: cannot allocate %" G_GUINT64_FORMAT
					      " bytes", b->where, b->size);
		if (msg) {
			lstate_fail(st, ops->alloc ? SCENARIO_ERROR_RUNTIME : SCENARIO_ERROR_INPUT, msg);
			g_free(msg);
		}
		break;
	}
	case LT_TASK: {
		struct ltask *lt = d->obj;
		if (!lt->t) {
			/* The task's own random stream: the same numbers under every policy. */
			char *stream = g_strdup_printf("task:%s", lt->name);
			rng_init(&lt->rng, st->o->seed, stream);
			g_free(stream);
			lt->t = ops->spawn(t, lt->name, lt->proc ? lt->proc->p : NULL, lt->cpu,
					   lt->start, lt);
			if (!lt->t) {
				/* Only a target whose workers start with the run (the kernel's)
				 * refuses a task, spawned by a task; it says why. */
				char *msg = g_strdup_printf("%s: sim.spawn: target '%s' refused task "
							    "'%s'", lt->where, ops->name, lt->name);
				lstate_fail(st, SCENARIO_ERROR_RUNTIME, msg);
				g_free(msg);
			}
		}
		break;
	}
	default:
		break;
	}
}

void ldecl_instantiate_all(struct lstate *st)
{
	for (guint i = 0; i < st->decls->len && !st->error; i++)
		ldecl_instantiate(st, st->decls->pdata[i]);
}

void ldecl_register(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "scenario", l_scenario }, { "param", l_param },
		{ "file", l_file },
		{ "process", l_process }, { "spawn", l_spawn }, { "size", l_size },
		{ "duration", l_duration }, { NULL, NULL },
	};
	static const luaL_Reg proc_methods[] = {
		{ "mmap", proc_mmap }, { "alloc", proc_alloc }, { "name", proc_name },
		{ NULL, NULL },
	};
	luaL_setfuncs(L, fns, 0);
	lmachine_register(L);
	lobj_register(L, LT_PROC, proc_methods);
}
