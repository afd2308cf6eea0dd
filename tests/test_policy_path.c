/*
 * Policies are plugins: one built from a source file outside the tree, found through
 * WBSIM_POLICY_PATH, loads and runs; broken modules are reported by file name.
 * (Each test runs in its own process, so each sees a fresh registry.)
 */
#include "model_util.h"

#include <glib/gstdio.h>
#include <stdlib.h>

static const char *policy_src =
	"#include \"policy.h\"\n"
	"static enum modify_action m(void *p, struct sim *s, const struct page *pg,\n"
	"                            enum modify_source src)\n"
	"{ (void)p; (void)s; (void)pg; (void)src; return MODIFY_FORK; }\n"
	"static enum submit_action sb(void *p, struct sim *s, const struct page *pg)\n"
	"{ (void)p; (void)s; (void)pg; return SUBMIT_PAGE; }\n"
	"static enum dio_action d(void *p, struct sim *s) { (void)p; (void)s; return DIO_DIRECT; }\n"
	"static unsigned w(void *p, struct sim *s) { (void)p; (void)s; return SYNC_WAIT_INDEX | SYNC_WAIT_FORKED; }\n"
	"static const struct wb_policy_ops ops = { .name = \"always-fork\",\n"
	"  .description = \"a policy from outside the tree\", .page_modify = m,\n"
	"  .page_submit = sb, .dio_submit = d, .sync_waits = w };\n"
	"const struct wb_policy_ops *wbsim_policy_register(void) { return &ops; }\n";

static char *build_module(const char *dir, const char *name, const char *src)
{
	char *c = g_build_filename(dir, "p.c", NULL);
	char *so = g_strdup_printf("%s/%s.so", dir, name);
	ck_assert(g_file_set_contents(c, src, -1, NULL));
	char *cmd = g_strdup_printf("cc -shared -fPIC -o '%s' '%s' -I'%s/sim' "
				    "$(pkg-config --cflags glib-2.0)", so, c, WBSIM_SOURCE_DIR);
	ck_assert_msg(system(cmd) == 0, "compiling the policy failed: %s", cmd);
	g_unlink(c);
	g_free(cmd);
	g_free(c);
	return so;
}

START_TEST(external_policy_loads_and_runs)
{
	char *dir = g_dir_make_tmp("wbsim-policy-XXXXXX", NULL);
	char *so = build_module(dir, "always-fork", policy_src);
	g_setenv("WBSIM_POLICY_PATH", dir, TRUE);

	GError *err = NULL;
	struct policy *p = policy_new("always-fork", &err);
	ck_assert_msg(p != NULL, "%s", err ? err->message : "");
	ck_assert_str_eq(p->ops->description, "a policy from outside the tree");
	/* The built-in ones are still there. */
	ck_assert_ptr_nonnull(policy_find("page-fork", NULL));

	struct sim_config c;
	test_config(&c);
	struct sim *s = sim_new(&c, p);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step st[] = { PWRITE(f, 0, 4096), SYNC_RANGE(f, 0, 4096, W_WRITE),
			     SLEEP(10000), PWRITE(f, 0, 4096), FSYNC(f), END };
	struct script *sc = script_spawn(s, "w", NULL, -1, 0, st);
	sim_run(s);
	ck_assert_uint_eq(M(s, M_FORKS), 1);
	ck_assert_uint_eq(M(s, M_LOST_WRITES), 0);
	g_free(sc);
	sim_free(s);
	g_unlink(so);
	g_rmdir(dir);
	g_free(so);
	g_free(dir);
}
END_TEST

START_TEST(broken_modules_are_named)
{
	char *dir = g_dir_make_tmp("wbsim-policy-XXXXXX", NULL);
	char *junk = g_build_filename(dir, "junk.so", NULL);
	ck_assert(g_file_set_contents(junk, "not an ELF file", -1, NULL));
	char *nosym = build_module(dir, "nosym", "int wbsim_nothing_here;\n");
	g_setenv("WBSIM_POLICY_PATH", dir, TRUE);

	GError *err = NULL;
	ck_assert_ptr_null(policy_registry(&err));
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->message, junk) && strstr(err->message, "cannot load"),
		      "%s", err->message);
	ck_assert_msg(strstr(err->message, nosym) && strstr(err->message, "not a wbsim policy"),
		      "%s", err->message);
	g_error_free(err);
	g_unlink(junk);
	g_unlink(nosym);
	g_rmdir(dir);
	g_free(junk);
	g_free(nosym);
	g_free(dir);
}
END_TEST

static Suite *path_suite(void)
{
	Suite *s = suite_create("policy_path");
	TCase *tc = tcase_create("plugins");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, external_policy_loads_and_runs);
	tcase_add_test(tc, broken_modules_are_named);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(path_suite)
