/*
 * lua_binding.h — what the parts of the Lua binding share; not a public interface.
 *
 *   lua_state.c     the state: allocator with a limit, the instruction budget, errors,
 *                   the objects scenarios hold, running the top level
 *   lua_sandbox.c   the libraries a scenario gets: load, require, pairs, math.random
 *   lua_args.c      arguments: units, byte ranges, declaration tables, error messages
 *   lua_decl.c      declaring the world: sim.scenario, param, file, process, mmap,
 *                   spawn; and instantiating it on the target
 *   lua_machine.c   declaring the machine: sim.device, sim.writeback, sim.costs
 *   lua_task.c      tasks as coroutines, and their calls about tasks, events and time
 *   lua_io.c        the I/O calls of a task on files, mappings and pins
 *   lua_buf.c       Buffers (proc:alloc) and their stores and loads; Io handles
 *   lua_expect.c    sim.expect: parsing at declaration, judging at the end
 *   lua_scenario.c  the Lua scenario as a workload source (run/workload.h)
 *
 * Every Lua thread carries, in its extra space, a pointer to the struct lctx that
 * runs it: the main thread (never runs scenario code), the top level of the scenario
 * (a coroutine, so that a limit can stop it for good), or one task.  Coroutines the
 * scenario makes itself inherit the main thread's context, which is how a blocking
 * call knows it must not yield them.
 */
#ifndef WBSIM_LUA_BINDING_H
#define WBSIM_LUA_BINDING_H

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "engine/engine.h"
#include "engine/rng.h"
#include "run/expect.h"
#include "run/run.h"
#include "run/target.h"
#include "run/workload.h"

struct lstate;

enum lctx_kind { CTX_MAIN, CTX_TOP, CTX_TASK };

struct lctx {
	enum lctx_kind kind;
	struct lstate *st;
	uint64_t instr;                 /* instructions since simulated time last moved */
	simtime_t instr_time;
	char *fatal;                    /* a limit was hit: the message; never resumed again */
};

static inline struct lctx *lctx_of(lua_State *L)
{
	return *(struct lctx **)lua_getextraspace(L);
}

struct lstate;
/* The context a call runs in: coroutines the scenario made count as their creator's. */
struct lctx *lctx_effective(lua_State *L);

/* ---- the objects scenarios hold (full userdata, one metatable per type) ---------- */

enum ltype { LT_FILE, LT_PROC, LT_MAP, LT_TASK, LT_PIN, LT_EVENT, LT_BUF, LT_IO, LT_NR };

struct lfile {
	struct target_file *f;          /* NULL until the target exists */
	const char *name;
	uint64_t size;
	const char *where;              /* file:line of the declaration */
};

struct lproc {
	struct target_proc *p;
	const char *name;
	const char *where;              /* file:line of sim.process */
};

struct lmap {
	struct target_map *m;
	struct lproc *proc;
	struct lfile *file;
	uint64_t offset, size;          /* bytes of the file, as declared */
	const char *unmapped_at;        /* "x.lua:12" once unmapped */
};

struct lpin {
	struct target_pin *p;
	struct lmap *map;
	uint64_t size;
	const char *released_at;
};

struct lbuf {                   /* anonymous memory: proc:alloc */
	struct target_buf *b;           /* NULL until the target exists */
	struct lproc *proc;
	uint64_t size;
	const char *where;              /* file:line of proc:alloc */
};

struct lio {                    /* an asynchronous direct I/O */
	struct target_io *io;           /* the target's until waited for, then NULL */
	struct lfile *file;
	bool write;
	bool waited;
	int result;                     /* once waited: 0 or -WBSIM_EIO */
	struct ltask *waiter;           /* the task in io:wait, or NULL */
};

struct levent {
	bool set;
	const char *name;               /* NULL: anonymous */
	const char *where;              /* where sim.event() was called */
};

/* The shape of the results a blocked operation hands back when it finishes. */
enum lres { RES_NOTHING, RES_BOOL, RES_PIN, RES_IO, RES_IO_WAIT };

enum lwait { WAIT_NONE, WAIT_EVENT, WAIT_JOIN };

struct ltask {
	struct lctx ctx;                /* first: the coroutine's extra space points here */
	struct target_task *t;          /* NULL until instantiated */
	lua_State *co;
	const char *name;
	const char *where;              /* where sim.spawn was called */
	struct lproc *proc;
	int cpu;
	uint64_t start;
	bool started;
	bool op_pending;                /* yielded inside an operation */
	enum lres res;
	struct lmap *pin_map;           /* RES_PIN: the mapping being pinned */
	uint64_t pin_len;
	struct lfile *io_file;          /* RES_IO: the file of the I/O being submitted */
	bool io_write;
	struct lio *io_wait;            /* RES_IO_WAIT: the I/O waited for */
	enum lwait wait;
	const void *wait_on;            /* struct levent * or struct ltask * */
	struct rng rng;                 /* sim.rand, sim.randint, math.random */
};

/* ---- the state of one load ------------------------------------------------------- */


struct lstate {
	lua_State *L;
	const struct scenario_opts *o;
	char *path;
	char *dir;                      /* the scenario's directory, for require */
	/* memory */
	size_t mem, mem_limit;
	bool mem_exceeded;
	bool mem_unlimited;             /* reporting an error: allocate freely */
	/* limits */
	uint64_t budget;
	int hook_every;
	struct lctx mainctx, top;
	struct lctx *running;           /* the context being resumed, or NULL */
	struct rng top_rng;             /* math.random at the top level */
	const void *mt[LT_NR];          /* metatable identities */
	GStringChunk *strings;          /* names and locations, freed with the state */
	/* declarations */
	char *name, *description;
	GPtrArray *policies;            /* of char * */
	const char *scenario_at, *device_at, *writeback_at, *costs_at;
	struct sim_config cfg;
	bool stable_set, bandwidth_set, flush_set;
	GPtrArray *params;              /* of struct param_value * */
	GPtrArray *decls;               /* of struct ldecl *, in declaration order */
	GPtrArray *expects;             /* of struct expect_decl * */
	unsigned expect_calls;
	/* the run: the target the world is declared on, once it exists */
	struct target *t;
	const struct target_ops *ops;
	/* the first error, as reported */
	char *error;
	int error_code;
};

struct ldecl {
	enum ltype type;
	void *obj;
};

/* lua_state.c */
struct lstate *lstate_new(const struct scenario_opts *o, GError **err);
void lstate_free(struct lstate *st);
/* Load and run the scenario file's top level. */
bool lstate_run_file(struct lstate *st, GError **err);
/* Record the first error; later ones are dropped. */
void lstate_fail(struct lstate *st, int code, const char *msg);
char *lstate_strdup(struct lstate *st, const char *s);     /* lives as long as @st */
/* "file.lua:12" of the Lua function @level levels up, or "?" */
const char *lstate_where(struct lstate *st, lua_State *L, int level);
/* A message for an error value on top of @co's stack, with a traceback of @co. */
char *lstate_describe_error(struct lstate *st, lua_State *co, bool traceback);
struct rng *lstate_rng(struct lstate *st);

/* lua_sandbox.c: the libraries (on the registry's globals); loading source text with
 * luaL_loadfilex's courtesies; require for scenarios/lib only. */
void lsandbox_open(lua_State *L);
int lsandbox_load_text(lua_State *L, const char *buf, size_t len, const char *path);
int lsandbox_require_lib(lua_State *L);

/* Userdata of our types.  lobj_check raises a Lua error naming @what when @idx is
 * not an object of @type. */
void *lobj_new(lua_State *L, enum ltype type, size_t size, int nuv);
void *lobj_test(lua_State *L, int idx, enum ltype type);
void *lobj_check(lua_State *L, int idx, enum ltype type, const char *what);
/* "File", "Buffer", ... for our objects, else Lua's name of the value's type. */
const char *lobj_typename(lua_State *L, int idx);
const char *ltype_name(enum ltype type);
void lobj_register(lua_State *L, enum ltype type, const luaL_Reg *methods);

/* lua_args.c */
/* luaL_error with the scenario's file:line found from the nearest Lua frame. */
int lerror(lua_State *L, const char *fmt, ...) G_GNUC_PRINTF(2, 3) G_GNUC_NORETURN;
uint64_t larg_duration(lua_State *L, int idx, const char *what);
uint64_t larg_size(lua_State *L, int idx, const char *what);
uint64_t larg_rate(lua_State *L, int idx, const char *what);
double larg_number(lua_State *L, int idx, const char *what);
bool larg_bool(lua_State *L, int idx, const char *what);
/* Byte offsets and lengths of operations: integers, or sizes with units. */
uint64_t larg_bytes_slow(lua_State *L, int idx, const char *what);
static inline uint64_t larg_bytes(lua_State *L, int idx, const char *what)
{
	int ok;
	lua_Integer v = lua_tointegerx(L, idx, &ok);
	if (ok && v >= 0)
		return (uint64_t)v;
	return larg_bytes_slow(L, idx, what);
}
/* [off, off+len) inside an object of @size bytes (a @kind named @name), len > 0. */
void larg_range_fail(lua_State *L, uint64_t off, uint64_t len, uint64_t size,
		     const char *call, const char *kind, const char *name);
static inline void larg_range(lua_State *L, uint64_t off, uint64_t len, uint64_t size,
			      const char *call, const char *kind, const char *name)
{
	if (G_UNLIKELY(len == 0 || off >= size || len > size - off))
		larg_range_fail(L, off, len, size, call, kind, name);
}
/* Every key of the table at @idx is a string in @accepted (NULL-terminated). */
void larg_fields(lua_State *L, int idx, const char *call, const char *const *accepted);
/* The closest of @names to @s by edit distance, if close enough; else NULL. */
const char *larg_suggest(const char *s, const char *const *names);

/* lua_decl.c; its helpers for the other declarations: a call allowed at the top level
 * only (the state), made at most once (where it was), with a table of fields. */
struct lstate *ldecl_top_only(lua_State *L, const char *call);
const char *ldecl_once(lua_State *L, struct lstate *st, const char **at, const char *call);
void ldecl_check_table(lua_State *L, int idx, const char *call);
/* lua_machine.c: sim.device, sim.writeback, sim.costs into the table on the stack. */
void lmachine_register(lua_State *L);
void ldecl_register(lua_State *L);              /* fills the table on the stack */
void ldecl_instantiate_all(struct lstate *st);
void ldecl_instantiate(struct lstate *st, struct ldecl *d);
/* The context of a declaration: top level, or a task (instantiated at once). */
bool ldecl_at_top(lua_State *L);

/* lua_io.c: the methods of files, mappings and pins */
void lio_register(lua_State *L);
/* A Lua error when the target lacks a version-2 operation (!@has). */
void lio_need(lua_State *L, struct ltask *lt, bool has, const char *call);
void lio_check_proc(lua_State *L, struct lproc *owner, struct ltask *lt, const char *call,
		    const char *what);

/* lua_buf.c: the methods of Buffers and Io handles */
void lbuf_register(lua_State *L);

/* lua_task.c */
void ltask_register(lua_State *L);
/* struct workload_ops' resume: the target says task @data may continue. */
void ltask_resume(void *data);
/* The task running @L's code for a call named @call: blocking calls need the task's
 * own coroutine, in a place that can yield. */
struct ltask *ltask_current(lua_State *L, const char *call, bool block);
char *ltask_describe_wait(struct ltask *lt);

/* lua_expect.c */
void lexpect_register(lua_State *L);

#endif
