/*
 * import_fsx — the operation logs fsx (xfstests ltp/fsx.c) writes with
 * --record-ops: one op per line,
 *
 *   [skip ]NAME 0xARG 0xARG 0xARG[ 0xARG][ keep_size][ close_open][ unshare][ *]
 *
 * in the layout of the fsx whose log entries carry nr_args (three arguments, the
 * last the file size before the op; four for clone_range, dedupe_range,
 * copy_range and exchange_range).  Logs of the older fsx, three arguments for
 * every op, read the same way.  read and write are offset, length; mapread and
 * mapwrite are what fsx does for them: mmap of the pages covering the range, the
 * loads or the stores, for mapwrite an msync(MS_SYNC), then munmap.  fsync is
 * fsync.  Calls with no op in the model (truncate, fallocate, punch_hole,
 * zero_range, collapse_range, insert_range, clone_range, dedupe_range, copy_range,
 * exchange_range, allocsp) are counted and skipped, and so are the entries fsx
 * marked "skip".  fsx keeps no times: every op is issued back to back.
 */
#include "oplog/import_int.h"

#include <string.h>

#include "engine/config.h"

static const char *const unmodelled[] = {
	"truncate", "fallocate", "punch_hole", "zero_range", "collapse_range",
	"insert_range", "clone_range", "dedupe_range", "copy_range", "exchange_range",
	"xchg_range", "allocsp",
};

static bool hex(struct importer *imp, const char *s, uint64_t *v, GError **err)
{
	guint64 x;
	if (!g_str_has_prefix(s, "0x") || !s[2] ||
	    !g_ascii_string_to_unsigned(s + 2, 16, 0, G_MAXUINT32, &x, NULL))
		return importer_fail(imp, err, "expected a hexadecimal argument (0x...), got \"%s\"",
				     s);
	*v = x;
	return true;
}

static void mapped(struct importer *imp, uint32_t file, uint64_t off, uint64_t len, bool write)
{
	/* fsx maps from the page holding the first byte, up to the last byte. */
	uint64_t pg = off % PAGE_SIZE;
	struct oplog_op op = { .kind = OPL_MMAP, .task = 1, .cpu = -1, .map = imp->next_map++,
			       .process = 1, .file = file, .off = off - pg, .len = pg + len };
	importer_op(imp, &op);
	uint32_t m = op.map;
	op = (struct oplog_op){ .kind = write ? OPL_STORE : OPL_LOAD, .task = 1, .cpu = -1,
				.map = m, .off = pg, .len = len };
	importer_op(imp, &op);
	if (write) {
		op = (struct oplog_op){ .kind = OPL_MSYNC, .task = 1, .cpu = -1, .map = m, .off = 0,
					.len = pg + len };
		importer_op(imp, &op);
	}
	op = (struct oplog_op){ .kind = OPL_UNMAP, .task = 1, .cpu = -1, .map = m };
	importer_op(imp, &op);
}

static bool fsx_line(struct importer *imp, uint32_t file, const struct import_opts *o,
		     GError **err)
{
	char **tok = g_strsplit_set(imp->buf, " \t", -1);
	GPtrArray *w = g_ptr_array_new();
	for (char **t = tok; *t; t++)
		if (**t)
			g_ptr_array_add(w, *t);
	bool ok = true, skip = false;
	guint i = 0;
	uint64_t arg[4] = { 0 };
	guint nargs = 0;
	if (w->len == 0)
		goto out;
	if (!strcmp(w->pdata[0], "skip")) {
		skip = true;
		i++;
	}
	if (i >= w->len) {
		ok = importer_fail(imp, err, "\"skip\" without an op");
		goto out;
	}
	const char *name = w->pdata[i++];
	for (; i < w->len && g_str_has_prefix(w->pdata[i], "0x"); i++) {
		if (nargs == 4) {
			ok = importer_fail(imp, err, "%s: more than 4 arguments", name);
			goto out;
		}
		if (!(ok = hex(imp, w->pdata[i], &arg[nargs++], err)))
			goto out;
	}
	for (; i < w->len; i++) {
		const char *flag = w->pdata[i];
		if (strcmp(flag, "keep_size") && strcmp(flag, "close_open") &&
		    strcmp(flag, "unshare") && strcmp(flag, "*")) {
			ok = importer_fail(imp, err, "%s: unknown flag \"%s\" (keep_size, close_open, "
					   "unshare, *)", name, flag);
			goto out;
		}
	}
	bool rw = !strcmp(name, "read") || !strcmp(name, "write") || !strcmp(name, "mapread") ||
		  !strcmp(name, "mapwrite");
	bool other = !strcmp(name, "fsync");
	for (size_t k = 0; k < G_N_ELEMENTS(unmodelled) && !other; k++)
		other = !strcmp(name, unmodelled[k]);
	if (!rw && !other) {
		ok = importer_fail(imp, err, "unknown fsx op \"%s\"", name);
		goto out;
	}
	if (nargs < (rw ? 2u : 1u)) {
		ok = importer_fail(imp, err, "%s: expected offset and length (0x...), got %u "
				   "arguments", name, nargs);
		goto out;
	}
	/* The file grows to every size fsx saw, done or skipped. */
	struct ifile *f = imp->file_list->pdata[file - 1];
	for (guint k = 0; k < nargs; k++)
		if (arg[k] > f->end && (k == nargs - 1 || !strcmp(name, "truncate")))
			f->end = arg[k];
	if (skip) {
		importer_skip(imp, "skip (fsx did not run it)");
		goto out;
	}
	if (!rw) {
		if (!strcmp(name, "fsync")) {
			struct oplog_op op = { .kind = OPL_FSYNC, .task = 1, .cpu = -1, .file = file };
			importer_op(imp, &op);
		} else {
			importer_skip(imp, name);
		}
		goto out;
	}
	if (arg[1] == 0) {
		importer_skip(imp, "zero-length read or write");
		goto out;
	}
	if (name[0] == 'm') {
		mapped(imp, file, arg[0], arg[1], !strcmp(name, "mapwrite"));
		goto out;
	}
	bool write = name[0] == 'w';
	struct oplog_op op = { .task = 1, .cpu = -1, .file = file, .off = arg[0], .len = arg[1] };
	if (o->direct && (op.off % 512 || op.len % 512)) {
		ok = importer_fail(imp, err, "%s at 0x%" G_GINT64_MODIFIER "x of 0x%" G_GINT64_MODIFIER
				   "x bytes is not aligned to 512 bytes, as O_DIRECT (--direct) "
				   "needs", name, op.off, op.len);
		goto out;
	}
	op.kind = o->direct ? (write ? OPL_DIO_WRITE : OPL_DIO_READ)
			    : (write ? OPL_PWRITE : OPL_PREAD);
	importer_op(imp, &op);
out:
	g_ptr_array_unref(w);
	g_strfreev(tok);
	return ok;
}

bool import_fsx(const char *in, const char *out, const struct import_opts *o,
		struct import_stats *st, GError **err)
{
	struct importer *imp = importer_new(in, out, st, err);
	if (!imp)
		return false;
	char *name;
	if (o->file_name) {
		name = g_strdup(o->file_name);
	} else {
		/* fsx names its log <file>.fsxops. */
		name = g_path_get_basename(in);
		if (g_str_has_suffix(name, ".fsxops"))
			name[strlen(name) - 7] = '\0';
	}
	uint32_t file = importer_file(imp, name)->id;
	GError *rerr = NULL;
	bool ok = true;
	while (ok && importer_line(imp, &rerr))
		ok = fsx_line(imp, file, o, err);
	if (ok && rerr) {
		g_propagate_error(err, rerr);
		ok = false;
	}
	if (ok && imp->line == 0)
		ok = importer_fail(imp, err, "empty: no fsx operations");
	if (!ok) {
		g_free(name);
		importer_abort(imp);
		return false;
	}
	struct oplog_op ex = { .kind = OPL_EXIT, .task = 1, .cpu = -1 };
	importer_op(imp, &ex);
	oplog_header_add_process(imp->h, 1, "fsx");
	oplog_header_add_task(imp->h, 1, "fsx", 1, -1, 0);
	imp->next_task = imp->next_process = 2;
	g_ptr_array_add(imp->h->comments,
			g_strdup_printf("imported by wbsim import fsx from %s (file \"%s\"%s)", in,
					name, o->direct ? ", --direct" : ""));
	g_free(name);
	return importer_finish(imp, err);
}
