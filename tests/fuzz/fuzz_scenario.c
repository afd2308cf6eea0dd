/*
 * fuzz_scenario — libFuzzer target: the input is the text of a scenario.  It is
 * written to a file and loaded twice, as `wbsim compare` does: scenario_probe, then
 * scenario_run under "unrestricted", with small limits so that no input runs long.
 * Any GError is a fine answer; a crash, an abort, a leak or a sanitizer report is a
 * bug.  Built with libFuzzer when WBSIM_FUZZ=ON; in every build it is also linked
 * with replay.c to replay tests/fuzz/regress/scenario/ under ctest.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>

#include "cli/wbsim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dir, *path;

static void cleanup(void)
{
	if (path)
		g_unlink(path);
	if (dir)
		g_rmdir(dir);
	g_free(path);
	g_free(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path) {
		dir = g_dir_make_tmp("wbsim-fuzz-XXXXXX", NULL);
		if (!dir)
			abort();
		path = g_build_filename(dir, "fuzz.lua", NULL);
		atexit(cleanup);
	}
	if (!g_file_set_contents(path, (const char *)data, (gssize)size, NULL))
		abort();
	struct scenario_opts o = {
		.path = path,
		.policy_spec = "unrestricted",
		.seed = 1,
		.mem_limit = 16u << 20,
		.instr_budget = 200000,
		.duration_cap = 20 * 1000 * 1000,       /* 20 ms of simulated time */
	};
	GError *err = NULL;
	struct scenario_info *info = scenario_probe(wbsim_opts(&o), &err);
	scenario_info_free(info);
	g_clear_error(&err);
	struct run_result *r = scenario_run(wbsim_opts(&o), &err);
	run_result_free(r);
	g_clear_error(&err);
	return 0;
}
