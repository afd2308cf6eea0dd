/*
 * `wbsim calibrate` (sim/linux/kcal*.c): one real measurement of this machine,
 * whose profile must load as Lua through sim.costs{} and sim.device{} with every
 * key, each value in a form the scenario API parses and equal to what was
 * measured.
 */
#include <lauxlib.h>
#include <lualib.h>

#include "cli/cli.h"
#include "linux/kcal.h"
#include "linux_util.h"
#include "engine/units.h"

static const char *const cost_keys[] = { "syscall", "copy_page", "fault", "pte_update" };
static const char *const device_keys[] = { "write_latency", "read_latency", "flush_latency",
					   "bandwidth", "queue_depth", "jitter" };

/* sim.costs / sim.device: keep the table they were called with in sim._costs
 * and sim._device, as the scenario binding would read it. */
static int keep(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getglobal(L, "sim");
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, lua_tostring(L, lua_upvalueindex(1)));
	return 0;
}

static lua_State *load_profile(const char *text)
{
	lua_State *L = luaL_newstate();
	lua_newtable(L);
	const char *names[][2] = { { "costs", "_costs" }, { "device", "_device" } };
	for (int i = 0; i < 2; i++) {
		lua_pushstring(L, names[i][1]);
		lua_pushcclosure(L, keep, 1);
		lua_setfield(L, -2, names[i][0]);
	}
	lua_setglobal(L, "sim");
	if (luaL_loadbuffer(L, text, strlen(text), "=profile") != LUA_OK ||
	    lua_pcall(L, 0, 0, 0) != LUA_OK)
		ck_abort_msg("profile does not run as Lua: %s\n%s", lua_tostring(L, -1), text);
	return L;
}

/* The table sim.<field> left on the stack; the value of @key on top of it. */
static void get(lua_State *L, const char *field, const char *key)
{
	lua_settop(L, 0);
	lua_getglobal(L, "sim");
	lua_getfield(L, 1, field);
	ck_assert_msg(lua_istable(L, 2), "sim.%s{} not called", field);
	lua_getfield(L, 2, key);
	ck_assert_msg(!lua_isnil(L, 3), "sim.%s has no %s", field, key);
}

static uint64_t duration(lua_State *L, const char *field, const char *key)
{
	get(L, field, key);
	uint64_t ns;
	GError *err = NULL;
	ck_assert_msg(lua_type(L, 3) == LUA_TSTRING, "%s.%s is not a string", field, key);
	if (!units_parse_duration(lua_tostring(L, 3), &ns, &err))
		ck_abort_msg("%s.%s: %s", field, key, err->message);
	return ns;
}

START_TEST(test_profile_has_every_key_as_measured)
{
	struct kcal k;
	GError *err = NULL;
	if (!kcal_measure(&k, &err))
		ck_abort_msg("kcal_measure: %s", err->message);
	char *text = kcal_profile_text(&k), *cmp = kcal_compare_text(&k);
	printf("%s%s", text, cmp);
	lua_State *L = load_profile(text);

	/* Every value is what was measured, in whole nanoseconds. */
	ck_assert_uint_eq(duration(L, "_costs", "syscall"), k.syscall);
	ck_assert_uint_eq(duration(L, "_costs", "copy_page"), k.copy_page_cold);
	ck_assert_uint_eq(duration(L, "_costs", "fault"), k.fault);
	ck_assert_uint_eq(duration(L, "_costs", "pte_update"), k.pte_update);
	ck_assert_uint_eq(duration(L, "_device", "write_latency"), k.write_qd1);
	ck_assert_uint_eq(duration(L, "_device", "read_latency"), k.read_qd1);
	ck_assert_uint_eq(duration(L, "_device", "flush_latency"), k.flush);
	get(L, "_device", "bandwidth");
	uint64_t rate;
	ck_assert(units_parse_rate(lua_tostring(L, 3), &rate, NULL));
	/* Written in whole MiB/s: the measurement rounded down to one. */
	ck_assert_uint_eq(rate, k.bandwidth / (1 << 20) * (1 << 20));
	get(L, "_device", "queue_depth");
	ck_assert_int_eq(lua_tointeger(L, 3), k.queue_depth);
	ck_assert(k.queue_depth >= 1 && k.queue_depth <= 32);
	get(L, "_device", "jitter");
	ck_assert(lua_isnumber(L, 3) && lua_tonumber(L, 3) >= 0);

	/* Each is a real measurement: nothing is free, and an L1-resident copy is
	 * no slower than one streaming through memory. */
	const uint64_t measured[] = { k.syscall, k.copy_page_warm, k.fault, k.pte_update,
				      k.write_qd1, k.read_qd1, k.flush, k.write_qd32, k.read_qd32 };
	for (size_t i = 0; i < G_N_ELEMENTS(measured); i++)
		ck_assert_msg(measured[i] > 0, "measurement %zu is 0", i);
	ck_assert_uint_le(k.copy_page_warm, k.copy_page_cold);

	/* Every key has its comment line right above it. */
	for (size_t i = 0; i < G_N_ELEMENTS(cost_keys) + G_N_ELEMENTS(device_keys); i++) {
		const char *key = i < G_N_ELEMENTS(cost_keys) ? cost_keys[i]
			: device_keys[i - G_N_ELEMENTS(cost_keys)];
		char *needle = g_strdup_printf("\n  %s = ", key);
		const char *at = strstr(text, needle);
		ck_assert_msg(at, "no %s in the profile", key);
		/* @at is the newline that ends the line above the key's. */
		const char *prev = at;
		while (prev > text && prev[-1] != '\n')
			prev--;
		ck_assert_msg(g_str_has_prefix(prev, "  -- "), "%s has no comment above it", key);
		g_free(needle);
	}
	lua_close(L);
	g_free(text);
	g_free(cmp);
}
END_TEST

/* Bad usage is exit 2 before anything is measured or made. */
START_TEST(test_cli_bad_usage)
{
	char *argv1[] = { (char *)"calibrate", (char *)"extra", NULL };
	ck_assert_int_eq(cli_calibrate(2, argv1), 2);
	char *argv2[] = { (char *)"calibrate", (char *)"--bogus", NULL };
	ck_assert_int_eq(cli_calibrate(2, argv2), 2);
}
END_TEST

static Suite *kcal_suite(void)
{
	Suite *s = suite_create("kcal");
	TCase *tc = tcase_create("kcal");
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_profile_has_every_key_as_measured);
	tcase_add_test(tc, test_cli_bad_usage);
	suite_add_tcase(s, tc);
	return s;
}

LINUX_TEST_MAIN(kcal_suite)
