/*
 * import_fio — fio's iologs (write_iolog=FILE), versions 2 and 3, as fio's own
 * reader takes them (iolog.c, read_iolog):
 *
 *   fio version 2 iolog              fio version 3 iolog
 *   FILE add|open|close              USEC FILE add|open|close
 *   FILE ACTION OFFSET LENGTH        USEC FILE ACTION OFFSET LENGTH
 *
 * ACTION is read, write, sync, datasync, trim, or (version 2 only) wait, whose
 * OFFSET is the time, in ms since fio started, to wait until.  One log is one job,
 * so one task.  fio records when it issued an I/O, not when the I/O completed, so
 * the think times are written as 0 (fio issues back to back unless thinktime= is
 * set); --timing issue replays fio's own pacing from the issue times.  Where fio
 * skips a line it does not understand, the importer refuses it with its line.
 */
#include "oplog/import_int.h"

#include <string.h>

static bool number(struct importer *imp, const char *s, uint64_t *v, const char *what,
		   GError **err)
{
	guint64 x;
	if (!g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT64, &x, NULL))
		return importer_fail(imp, err, "%s must be a decimal number, got \"%s\"", what, s);
	*v = x;
	return true;
}

static bool fio_line(struct importer *imp, unsigned version, GHashTable *added, uint64_t *now,
		     const struct import_opts *o, GError **err)
{
	char **tok = g_strsplit_set(imp->buf, " \t", -1);
	char *w[6];
	int n = 0;
	for (char **t = tok; *t; t++)
		if (**t) {
			if (n == 6)
				break;
			w[n++] = *t;
		}
	bool ok = true;
	int base = version == 3;
	if (n == 0)
		goto out;       /* a blank line */
	if (version == 3) {
		uint64_t t = 0;
		if (!(ok = number(imp, w[0], &t, "the time (us)", err)))
			goto out;
		if (t > G_MAXUINT64 / 1000 || t < *now) {
			ok = importer_fail(imp, err, "the time %s us %s", w[0],
					   t < *now ? "goes back" : "is absurd");
			goto out;
		}
		*now = t;
	}
	int fields = n - base;
	if (fields != 2 && fields != 4) {
		ok = importer_fail(imp, err, "expected %sFILE ACTION [OFFSET LENGTH], got %d fields",
				   version == 3 ? "USEC " : "", n);
		goto out;
	}
	const char *file = w[base], *act = w[base + 1];
	if (fields == 2) {
		if (!strcmp(act, "add"))
			g_hash_table_add(added, g_strdup(file));
		else if (strcmp(act, "open") && strcmp(act, "close"))
			ok = importer_fail(imp, err, "unknown file action \"%s\" (add, open or close)",
					   act);
		goto out;
	}
	uint64_t off = 0, len = 0;
	if (!(ok = number(imp, w[base + 2], &off, "the offset", err) &&
		   number(imp, w[base + 3], &len, "the length", err)))
		goto out;
	struct oplog_op op = { .task = 1, .issue = version == 3 ? *now * 1000 : *now, .cpu = -1 };
	if (!strcmp(act, "wait")) {
		if (version == 3) {
			importer_skip(imp, "wait (fio ignores it in version 3)");
		} else if (off > G_MAXUINT64 / 1000000) {
			ok = importer_fail(imp, err, "wait %s ms is absurd", w[base + 2]);
		} else if (off * 1000000 > *now) {
			*now = off * 1000000;
		}
		goto out;
	}
	if (!g_hash_table_contains(added, file)) {
		ok = importer_fail(imp, err, "%s: the file was not added (\"%s add\" comes first)",
				   act, file);
		goto out;
	}
	op.file = importer_file(imp, file)->id;
	if (!strcmp(act, "read") || !strcmp(act, "write")) {
		bool write = act[0] == 'w';
		if (len == 0) {
			ok = importer_fail(imp, err, "%s of 0 bytes", act);
			goto out;
		}
		if (o->direct && (off % 512 || len % 512)) {
			ok = importer_fail(imp, err, "%s at %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
					   " bytes is not aligned to 512 bytes, as O_DIRECT "
					   "(--direct) needs", act, off, len);
			goto out;
		}
		op.kind = o->direct ? (write ? OPL_DIO_WRITE : OPL_DIO_READ)
				    : (write ? OPL_PWRITE : OPL_PREAD);
		op.off = off;
		op.len = len;
	} else if (!strcmp(act, "sync") || !strcmp(act, "datasync")) {
		op.kind = act[0] == 's' ? OPL_FSYNC : OPL_FDATASYNC;
	} else if (!strcmp(act, "trim")) {
		importer_skip(imp, "trim");
		goto out;
	} else {
		ok = importer_fail(imp, err, "unknown action \"%s\" (read, write, sync, datasync, "
				   "trim%s)", act, version == 2 ? ", wait" : "");
		goto out;
	}
	importer_op(imp, &op);
out:
	g_strfreev(tok);
	return ok;
}

bool import_fio(const char *in, const char *out, const struct import_opts *o,
		struct import_stats *st, GError **err)
{
	struct importer *imp = importer_new(in, out, st, err);
	if (!imp)
		return false;
	unsigned version = 0;
	GError *rerr = NULL;
	if (!importer_line(imp, &rerr)) {
		if (!rerr)
			importer_fail(imp, &rerr, "empty: not a fio iolog");
		g_propagate_error(err, rerr);
		importer_abort(imp);
		return false;
	}
	if (!strcmp(imp->buf, "fio version 2 iolog"))
		version = 2;
	else if (!strcmp(imp->buf, "fio version 3 iolog"))
		version = 3;
	if (!version) {
		importer_fail(imp, err, "not a fio iolog of version 2 or 3 (the first line is "
			      "\"fio version 2 iolog\" or \"fio version 3 iolog\")");
		importer_abort(imp);
		return false;
	}
	GHashTable *added = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	uint64_t now = 0;
	bool ok = true;
	while (ok && importer_line(imp, &rerr))
		ok = fio_line(imp, version, added, &now, o, err);
	g_hash_table_destroy(added);
	if (ok && rerr) {
		g_propagate_error(err, rerr);
		ok = false;
	}
	if (!ok) {
		importer_abort(imp);
		return false;
	}
	struct oplog_op ex = { .kind = OPL_EXIT, .task = 1, .cpu = -1,
			       .issue = version == 3 ? now * 1000 : now };
	importer_op(imp, &ex);
	oplog_header_add_task(imp->h, 1, "fio", 0, -1, 0);
	imp->next_task = 2;
	char *c = g_strdup_printf("imported by wbsim import fio from %s (iolog version %u%s)",
				  in, version, o->direct ? ", --direct" : "");
	g_ptr_array_add(imp->h->comments, c);
	return importer_finish(imp, err);
}
