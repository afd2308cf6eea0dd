/*
 * sweep_emit — jobs.txt and sweep.sbatch.  Paths are quoted for the shell (GNU
 * parallel runs each line through one; sbatch runs the script with bash), so
 * directories with spaces survive.
 */
#include "sweep/sweep_emit.h"

static char *task_command(const char *wbsim, const char *out, const char *point)
{
	char *w = g_shell_quote(wbsim);
	char *o = g_shell_quote(out);
	char *cmd = g_strdup_printf("%s sweep --out %s --point %s", w, o, point);
	g_free(w);
	g_free(o);
	return cmd;
}

char *sweep_emit_parallel(const struct sweep_plan *p, const char *wbsim, const char *out)
{
	GString *s = g_string_new(NULL);
	guint n = sweep_plan_npoints(p);
	for (guint k = 0; k < n; k++) {
		char *num = g_strdup_printf("%u", k);
		char *cmd = task_command(wbsim, out, num);
		g_string_append_printf(s, "%s\n", cmd);
		g_free(cmd);
		g_free(num);
	}
	return g_string_free(s, FALSE);
}

char *sweep_emit_slurm(const struct sweep_plan *p, const char *wbsim, const char *out,
		       guint throttle)
{
	guint n = sweep_plan_npoints(p);
	char *logs = g_build_filename(out, SWEEP_SLURM_LOG_DIR, "%A_%a.out", NULL);
	char *cmd = task_command(wbsim, out, "\"$SLURM_ARRAY_TASK_ID\"");
	char *name = g_strdup(p->scenario_name);
	g_strcanon(name, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "._-", '_');
	GString *s = g_string_new("#!/bin/bash\n");
	g_string_append_printf(s, "# wbsim sweep of %s: %u points, one per array task; each "
			       "writes its own\n# directory under %s.  When all are done:\n"
			       "#   %s sweep --collect %s\n", p->scenario, n, out, wbsim, out);
	g_string_append(s, "# (Slurm's MaxArraySize, 1001 by default, caps the array: a "
			"larger sweep needs\n# several submissions with --array ranges of "
			"their own, given on the sbatch command line.)\n");
	g_string_append_printf(s, "#SBATCH --job-name=wbsim-sweep-%s\n", name);
	g_string_append_printf(s, "#SBATCH --array=0-%u", n - 1);
	if (throttle)
		g_string_append_printf(s, "%%%u", throttle);
	g_string_append(s, "\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n");
	g_string_append_printf(s, "#SBATCH --output=%s\n", logs);
	g_string_append_printf(s, "exec %s\n", cmd);
	g_free(name);
	g_free(cmd);
	g_free(logs);
	return g_string_free(s, FALSE);
}
