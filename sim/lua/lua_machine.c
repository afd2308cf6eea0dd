/*
 * lua_machine — sim.device, sim.writeback and sim.costs: the machine a scenario
 * declares, field by field into struct sim_config, each field checked for its kind
 * (duration, size, rate, ...) and bounds, with a suggestion for a misspelt name.
 */
#include "lua/lua_binding.h"

#include <math.h>
#include <string.h>

enum fkind { F_DURATION, F_SIZE, F_RATE, F_BOOL, F_UINT, F_DOUBLE, F_MODEL, F_SCHED };

struct field {
	const char *name;
	enum fkind kind;
	size_t off;                     /* in struct sim_config */
	double min, max;
};

#define DEV(f) offsetof(struct sim_config, dev.f)
#define WB(f) offsetof(struct sim_config, wb.f)
#define COST(f) offsetof(struct sim_config, cost.f)

static const struct field device_fields[] = {
	{ "model", F_MODEL, DEV(model), 0, 0 },
	{ "write_latency", F_DURATION, DEV(write_latency), 0, 0 },
	{ "read_latency", F_DURATION, DEV(read_latency), 0, 0 },
	{ "flush_latency", F_DURATION, DEV(flush_latency), 0, 0 },
	{ "bandwidth", F_RATE, DEV(bandwidth), 1, 0 },
	{ "jitter", F_DOUBLE, DEV(jitter), 0, 10 },
	{ "queue_depth", F_UINT, DEV(queue_depth), 1, 65536 },
	{ "scheduler", F_SCHED, DEV(scheduler), 0, 0 },
	{ "max_request", F_SIZE, DEV(max_request), PAGE_SIZE, 32 << 20 },
	{ "integrity", F_BOOL, DEV(integrity), 0, 0 },
	{ "stable_writes", F_BOOL, DEV(stable_writes), 0, 0 },
	{ "write_cache", F_BOOL, DEV(write_cache), 0, 0 },
	{ "dma_at", F_DOUBLE, DEV(dma_at), 0, 1 },
	{ "seek", F_DURATION, DEV(seek), 0, 0 },
	{ "rotation", F_DURATION, DEV(rotation), 0, 0 },
	{ NULL, 0, 0, 0, 0 },
};

static const struct field writeback_fields[] = {
	{ "memory", F_SIZE, WB(memory), 1 << 20, (double)(1ull << 50) },
	{ "dirty_background_ratio", F_UINT, WB(dirty_background_ratio), 0, 100 },
	{ "dirty_ratio", F_UINT, WB(dirty_ratio), 1, 100 },
	{ "interval", F_DURATION, WB(interval), 1000, 0 },
	{ "expire", F_DURATION, WB(expire), 0, 0 },
	{ "chunk", F_UINT, WB(chunk), 1, 1 << 20 },
	{ NULL, 0, 0, 0, 0 },
};

static const struct field cost_fields[] = {
	{ "syscall", F_DURATION, COST(syscall), 0, 0 },
	{ "copy_page", F_DURATION, COST(copy_page), 0, 0 },
	{ "checksum_page", F_DURATION, COST(checksum_page), 0, 0 },
	{ "fault", F_DURATION, COST(fault), 0, 0 },
	{ "pte_update", F_DURATION, COST(pte_update), 0, 0 },
	{ "tlb_shootdown", F_DURATION, COST(tlb_shootdown), 0, 0 },
	{ "page_alloc", F_DURATION, COST(page_alloc), 0, 0 },
	{ "dio_request", F_DURATION, COST(dio_request), 0, 0 },
	{ NULL, 0, 0, 0, 0 },
};

static int pick(lua_State *L, int idx, const char *what, const char *const *names)
{
	if (lua_type(L, idx) == LUA_TSTRING)
		for (int i = 0; names[i]; i++)
			if (!strcmp(names[i], lua_tostring(L, idx)))
				return i;
	char *list = g_strjoinv("\", \"", (char **)names);
	char buf[512];
	g_snprintf(buf, sizeof(buf), "%s", list);
	g_free(list);
	return lerror(L, "%s: expected one of \"%s\", got %s%s%s", what, buf,
		      lua_type(L, idx) == LUA_TSTRING ? "\"" : "",
		      lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx)
						      : luaL_typename(L, idx),
		      lua_type(L, idx) == LUA_TSTRING ? "\"" : "");
}

static void check_bounds(lua_State *L, const char *what, const struct field *f, double v,
			 const char *shown)
{
	if (v < f->min || (f->max > 0 && v > f->max)) {
		if (f->max > 0)
			lerror(L, "%s: must be between %.17g and %.17g (got %s)", what, f->min,
			       f->max, shown);
		lerror(L, "%s: must be at least %.17g (got %s)", what, f->min, shown);
	}
}

static void parse_fields(lua_State *L, struct lstate *st, const char *call,
			 const struct field *fields)
{
	const char *names[32];
	size_t n = 0;
	for (const struct field *f = fields; f->name; f++)
		names[n++] = f->name;
	names[n] = NULL;
	ldecl_check_table(L, 1, call);
	larg_fields(L, 1, call, names);
	char *base = (char *)&st->cfg;
	for (const struct field *f = fields; f->name; f++) {
		if (lua_getfield(L, 1, f->name) == LUA_TNIL) {
			lua_pop(L, 1);
			continue;
		}
		char what[128];
		g_snprintf(what, sizeof(what), "%s: %s", call, f->name);
		void *p = base + f->off;
		char shown[64];
		switch (f->kind) {
		case F_DURATION:
			*(uint64_t *)p = larg_duration(L, -1, what);
			g_snprintf(shown, sizeof(shown), "%" G_GUINT64_FORMAT "ns", *(uint64_t *)p);
			check_bounds(L, what, f, (double)*(uint64_t *)p, shown);
			break;
		case F_SIZE:
		case F_RATE:
			*(uint64_t *)p = f->kind == F_SIZE ? larg_size(L, -1, what)
							   : larg_rate(L, -1, what);
			g_snprintf(shown, sizeof(shown), "%" G_GUINT64_FORMAT, *(uint64_t *)p);
			check_bounds(L, what, f, (double)*(uint64_t *)p, shown);
			break;
		case F_BOOL:
			*(bool *)p = larg_bool(L, -1, what);
			break;
		case F_UINT: {
			double v = larg_number(L, -1, what);
			g_snprintf(shown, sizeof(shown), "%g", v);
			/* floor, not a cast to an integer: 1e300 and NaN must not overflow one */
			if (!lua_isinteger(L, -1) && v != floor(v))
				lerror(L, "%s: expected a whole number, got %s", what, shown);
			check_bounds(L, what, f, v, shown);
			*(unsigned *)p = (unsigned)v;
			break;
		}
		case F_DOUBLE: {
			double v = larg_number(L, -1, what);
			g_snprintf(shown, sizeof(shown), "%g", v);
			if (!(v >= f->min && v <= f->max))
				lerror(L, "%s: must be between %g and %g (got %s)", what, f->min,
				       f->max, shown);
			*(double *)p = v;
			break;
		}
		case F_MODEL: {
			static const char *const models[] = { "ssd", "hdd", NULL };
			*(enum device_model *)p = (enum device_model)pick(L, -1, what, models);
			break;
		}
		case F_SCHED: {
			static const char *const scheds[] = { "none", "reorder", "elevator", NULL };
			*(enum sched_kind *)p = (enum sched_kind)pick(L, -1, what, scheds);
			break;
		}
		}
		lua_pop(L, 1);
	}
}

static bool has_field(lua_State *L, const char *name)
{
	bool has = lua_getfield(L, 1, name) != LUA_TNIL;
	lua_pop(L, 1);
	return has;
}

static int l_device(lua_State *L)
{
	struct lstate *st = ldecl_top_only(L, "sim.device");
	parse_fields(L, st, "sim.device", device_fields);
	ldecl_once(L, st, &st->device_at, "sim.device");
	st->stable_set = has_field(L, "stable_writes");
	st->bandwidth_set = has_field(L, "bandwidth");
	st->flush_set = has_field(L, "flush_latency");
	return 0;
}

static int l_writeback(lua_State *L)
{
	struct lstate *st = ldecl_top_only(L, "sim.writeback");
	parse_fields(L, st, "sim.writeback", writeback_fields);
	ldecl_once(L, st, &st->writeback_at, "sim.writeback");
	return 0;
}

static int l_costs(lua_State *L)
{
	struct lstate *st = ldecl_top_only(L, "sim.costs");
	parse_fields(L, st, "sim.costs", cost_fields);
	ldecl_once(L, st, &st->costs_at, "sim.costs");
	return 0;
}


void lmachine_register(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "device", l_device }, { "writeback", l_writeback }, { "costs", l_costs },
		{ NULL, NULL },
	};
	luaL_setfuncs(L, fns, 0);
}
