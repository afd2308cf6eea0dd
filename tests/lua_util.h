/* Scaffolding for the Lua binding's tests: write a small scenario to a temporary
 * directory, run or probe it, and look at the result or the error. */
#ifndef WBSIM_LUA_UTIL_H
#define WBSIM_LUA_UTIL_H

#include <glib/gstdio.h>
#include <string.h>

#include "cli/wbsim.h"
#include "engine/engine.h"
#include "wbtest.h"

/* A scenario file "s.lua" (or @name) with @text in a fresh directory. */
static inline char *lt_write_named(const char *name, const char *text)
{
	char *dir = g_dir_make_tmp("wbsim-lua-XXXXXX", NULL);
	ck_assert_ptr_nonnull(dir);
	char *path = g_build_filename(dir, name, NULL);
	ck_assert(g_file_set_contents(path, text, -1, NULL));
	g_free(dir);
	return path;
}

static inline char *lt_write(const char *text)
{
	return lt_write_named("s.lua", text);
}

/* Another file next to the scenario at @path. */
static inline void lt_write_beside(const char *path, const char *name, const char *text)
{
	char *dir = g_path_get_dirname(path);
	char *p = g_build_filename(dir, name, NULL);
	ck_assert(g_file_set_contents(p, text, -1, NULL));
	g_free(p);
	g_free(dir);
}

/* Remove the scenario's directory and everything in it. */
static inline void lt_remove(char *path)
{
	char *dir = g_path_get_dirname(path);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, n, NULL);
		g_remove(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
	g_free(dir);
	g_free(path);
}

static inline void lt_trace_line(void *data, const char *line)
{
	g_string_append_printf(data, "%s\n", line);
}

static inline struct run_result *lt_run_opts(const char *text, struct scenario_opts *o,
					     GError **err)
{
	char *path = lt_write(text);
	o->path = path;
	struct run_result *r = scenario_run(wbsim_opts(o), err);
	o->path = NULL;
	lt_remove(path);
	return r;
}

static inline struct run_result *lt_run(const char *text, const char *policy, GError **err)
{
	struct scenario_opts o = { .policy_spec = policy, .seed = 1 };
	return lt_run_opts(text, &o, err);
}

/* Run and insist it worked. */
static inline struct run_result *lt_ok(const char *text, const char *policy)
{
	GError *err = NULL;
	struct run_result *r = lt_run(text, policy, &err);
	ck_assert_msg(r != NULL, "run failed: %s", err ? err->message : "?");
	return r;
}

static inline double lt_metric(const struct run_result *r, const char *name)
{
	double v = -1;
	ck_assert_msg(metrics_lookup(r->m, name, &v), "no metric %s", name);
	return v;
}

/* Every expectation of the run passed. */
static inline void lt_all_pass(const struct run_result *r)
{
	for (guint i = 0; i < r->expects->len; i++) {
		const struct expect_result *e = r->expects->pdata[i];
		ck_assert_msg(e->pass, "%s: %s %s failed (got %g)", e->where, e->metric,
			      e->predicate, e->value);
	}
}

/* The run fails with @code and a message holding every string of @subs. */
static inline void lt_fails_opts(const char *text, struct scenario_opts *o, int code,
				 const char *const *subs)
{
	GError *err = NULL;
	struct run_result *r = lt_run_opts(text, o, &err);
	ck_assert_msg(r == NULL, "the run succeeded; expected an error containing \"%s\":\n%s",
		      subs[0], text);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(g_error_matches(err, SCENARIO_ERROR, code), "error code %d, want %d: %s",
		      err->code, code, err->message);
	for (const char *const *s = subs; *s; s++)
		ck_assert_msg(strstr(err->message, *s), "\"%s\" not in the message:\n%s\n"
			      "scenario:\n%s", *s, err->message, text);
	g_error_free(err);
}

#define LT_FAILS(text, code, ...) do { \
	struct scenario_opts o_ = { .policy_spec = "unrestricted", .seed = 1 }; \
	lt_fails_opts((text), &o_, (code), (const char *const[]){ __VA_ARGS__, NULL }); \
} while (0)

#endif
