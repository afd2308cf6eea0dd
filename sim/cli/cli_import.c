/*
 * cli_import — `wbsim import strace|fio|fsx IN -o OUT`: an op log from a record a
 * program left (scenarios/OPLOG.md "Importing").  OUT appears only when the whole
 * input was read and the log it makes passes the format's checks; what could not
 * be replayed is counted on stdout.
 */
#include "cli/cli.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "oplog/import.h"
#include "oplog/oplog.h"

#define CMD "import"

static const char import_description[] =
	"KIND is one of\n"
	"  strace  the output of strace -f -tt -T -o IN (README \"Op logs\" has the\n"
	"          command): every thread a task, every address space a process\n"
	"  fio     an iolog written by fio's write_iolog=, version 2 or 3: one task\n"
	"  fsx     the operation log xfstests' fsx writes with --record-ops: one task\n"
	"\n"
	"OUT is written to a temporary name and renamed when the import is complete,\n"
	"so a malformed input (reported as IN:LINE: problem) leaves no OUT at all.\n"
	"Calls with no op in the model (ftruncate, fallocate, ...), failed calls, and\n"
	"files outside --dir are counted and skipped; the counts are printed.\n"
	"\n"
	"strace cannot see stores through shared mappings; --shared-stores assumes\n"
	"every msync'd range was stored to just before the msync (off by default).\n"
	"\n"
	"Exit status: 0 imported, 2 bad usage or bad input.";

static int print_result(const char *out, const struct import_stats *st)
{
	printf("wrote %s: %" G_GUINT64_FORMAT " ops, %" G_GUINT64_FORMAT " tasks, %"
	       G_GUINT64_FORMAT " processes, %" G_GUINT64_FORMAT " files\n", out, st->ops,
	       st->tasks, st->processes, st->files);
	GList *keys = g_list_sort(g_hash_table_get_keys(st->skipped), (GCompareFunc)strcmp);
	if (keys)
		printf("skipped:\n");
	for (GList *k = keys; k; k = k->next)
		printf("  %-48s %" G_GUINT64_FORMAT "\n", (const char *)k->data,
		       *(const uint64_t *)g_hash_table_lookup(st->skipped, k->data));
	g_list_free(keys);
	return CLI_OK;
}

/* The log must read back: a failure here is the importer's bug, not the input's. */
static bool verify(const char *out)
{
	GError *err = NULL;
	struct oplog *log = oplog_open(out, &err);
	bool ok = log && oplog_check(log, NULL, &err);
	oplog_close(log);
	if (!ok) {
		cli_usage_error(CMD, "internal error: the imported log does not check: %s",
				err->message);
		g_error_free(err);
		g_unlink(out);
	}
	return ok;
}

int cli_import(int argc, char **argv)
{
	char *out = NULL, *file_name = NULL;
	char **dirs = NULL;
	gboolean shared_stores = FALSE, direct = FALSE;
	GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, "The op log to write (required)",
		  "OUT" },
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dirs,
		  "strace: keep only files under PATH (repeatable; default: every file)", "PATH" },
		{ "shared-stores", 0, 0, G_OPTION_ARG_NONE, &shared_stores,
		  "strace: a store over each msync'd range, just before the msync", NULL },
		{ "direct", 0, 0, G_OPTION_ARG_NONE, &direct,
		  "fio, fsx: the reads and writes were O_DIRECT", NULL },
		{ "file-name", 0, 0, G_OPTION_ARG_STRING, &file_name,
		  "fsx: the file's name (default: IN without .fsxops)", "NAME" },
		G_OPTION_ENTRY_NULL
	};
	GOptionContext *ctx = g_option_context_new("strace|fio|fsx IN -o OUT");
	g_option_context_set_summary(ctx, "Make an op log from strace output, a fio iolog or "
				     "an fsx operation log.");
	g_option_context_set_description(ctx, import_description);
	g_option_context_add_main_entries(ctx, entries, NULL);
	int status = CLI_USAGE;
	struct import_stats st;
	import_stats_init(&st);
	if (!cli_parse(ctx, CMD, &argc, &argv))
		goto out;
	if (argc != 3) {
		cli_usage_error(CMD, "expected KIND IN (see 'wbsim import --help')");
		goto out;
	}
	bool (*fn)(const char *, const char *, const struct import_opts *,
		   struct import_stats *, GError **) = NULL;
	const char *kind = argv[1];
	if (!strcmp(kind, "strace"))
		fn = import_strace;
	else if (!strcmp(kind, "fio"))
		fn = import_fio;
	else if (!strcmp(kind, "fsx"))
		fn = import_fsx;
	if (!fn) {
		cli_usage_error(CMD, "unknown kind \"%s\" (strace, fio or fsx)", kind);
		goto out;
	}
	if (!out) {
		cli_usage_error(CMD, "where to? -o OUT is required");
		goto out;
	}
	if ((dirs || shared_stores) && fn != import_strace) {
		cli_usage_error(CMD, "--dir and --shared-stores are for strace");
		goto out;
	}
	if ((direct && fn == import_strace) || (file_name && fn != import_fsx)) {
		cli_usage_error(CMD, "%s is not for %s", direct ? "--direct" : "--file-name", kind);
		goto out;
	}
	for (char **d = dirs; d && *d; d++)
		if (!g_file_test(*d, G_FILE_TEST_IS_DIR) && !g_path_is_absolute(*d)) {
			cli_usage_error(CMD, "--dir %s: give a directory (absolute, as the trace "
					"shows paths)", *d);
			goto out;
		}
	struct import_opts o = { .dirs = dirs, .shared_stores = shared_stores, .direct = direct,
				 .file_name = file_name };
	GError *err = NULL;
	if (!fn(argv[2], out, &o, &st, &err)) {
		fprintf(stderr, "wbsim import: %s\n", err->message);
		g_error_free(err);
		goto out;
	}
	if (verify(out))
		status = print_result(out, &st);
out:
	import_stats_clear(&st);
	g_option_context_free(ctx);
	g_free(out);
	g_free(file_name);
	g_strfreev(dirs);
	return status;
}
