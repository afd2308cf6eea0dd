/*
 * import_common — the part every importer shares (import_int.h): reading the input
 * line by line, files and their extents, the counts of what was skipped, and the
 * writer that puts OUT in place only when the whole input was read.
 */
#include "oplog/import_int.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "engine/config.h"

void import_stats_init(struct import_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->skipped = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

void import_stats_clear(struct import_stats *s)
{
	if (s->skipped)
		g_hash_table_destroy(s->skipped);
	s->skipped = NULL;
}

char *import_stats_skipped(const struct import_stats *s)
{
	GList *keys = g_list_sort(g_hash_table_get_keys(s->skipped), (GCompareFunc)strcmp);
	GString *out = g_string_new(NULL);
	for (GList *k = keys; k; k = k->next) {
		const uint64_t *n = g_hash_table_lookup(s->skipped, k->data);
		g_string_append_printf(out, "%s%s %" G_GUINT64_FORMAT, out->len ? ", " : "",
				       (const char *)k->data, *n);
	}
	g_list_free(keys);
	return g_string_free(out, FALSE);
}

static void ifile_free(void *p)
{
	struct ifile *f = p;
	g_free(f->name);
	g_free(f);
}

struct importer *importer_new(const char *in, const char *out, struct import_stats *st,
			      GError **err)
{
	FILE *f = fopen(in, "r");
	if (!f) {
		g_set_error(err, OPLOG_ERROR, OPLOG_ERROR_IO, "%s: cannot open: %s", in,
			    g_strerror(errno));
		return NULL;
	}
	struct oplog_writer *w = oplog_writer_open(out, err);
	if (!w) {
		fclose(f);
		return NULL;
	}
	struct importer *imp = g_new0(struct importer, 1);
	imp->in = in;
	imp->f = f;
	imp->w = w;
	imp->h = oplog_header_new();
	imp->files = g_hash_table_new(g_str_hash, g_str_equal);
	imp->file_list = g_ptr_array_new_with_free_func(ifile_free);
	imp->next_map = imp->next_task = imp->next_process = imp->next_event = 1;
	imp->st = st;
	return imp;
}

bool importer_line(struct importer *imp, GError **err)
{
	errno = 0;
	ssize_t n = getline(&imp->buf, &imp->cap, imp->f);
	if (n < 0) {
		if (ferror(imp->f))
			g_set_error(err, OPLOG_ERROR, OPLOG_ERROR_IO, "%s: cannot read: %s", imp->in,
				    g_strerror(errno ? errno : EIO));
		return false;
	}
	imp->line++;
	while (n > 0 && (imp->buf[n - 1] == '\n' || imp->buf[n - 1] == '\r'))
		imp->buf[--n] = '\0';
	return true;
}

bool importer_fail(struct importer *imp, GError **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, OPLOG_ERROR, OPLOG_ERROR_PARSE, "%s:%" G_GUINT64_FORMAT ": %s", imp->in,
		    imp->line, msg);
	g_free(msg);
	return false;
}

struct ifile *importer_file(struct importer *imp, const char *name)
{
	struct ifile *f = g_hash_table_lookup(imp->files, name);
	if (f)
		return f;
	f = g_new0(struct ifile, 1);
	f->id = imp->file_list->len + 1;
	f->name = g_strdup(name);
	g_ptr_array_add(imp->file_list, f);
	g_hash_table_insert(imp->files, f->name, f);
	return f;
}

void importer_op(struct importer *imp, const struct oplog_op *op)
{
	bool ranged = false;
	switch (op->kind) {
	case OPL_PWRITE:
	case OPL_PREAD:
	case OPL_DIO_WRITE:
	case OPL_DIO_READ:
	case OPL_SYNC_RANGE:
	case OPL_MMAP:
		ranged = true;
		break;
	default:
		break;
	}
	if (ranged && op->file) {
		struct ifile *f = imp->file_list->pdata[op->file - 1];
		if (op->off + op->len > f->end)
			f->end = op->off + op->len;
		if (op->kind == OPL_SYNC_RANGE && op->off >= f->end)
			f->end = op->off + 1;   /* "to the end" from here needs a byte */
	}
	oplog_writer_op(imp->w, op);
	imp->st->ops++;
}

void importer_skip(struct importer *imp, const char *what)
{
	uint64_t *n = g_hash_table_lookup(imp->st->skipped, what);
	if (!n) {
		n = g_new0(uint64_t, 1);
		g_hash_table_insert(imp->st->skipped, g_strdup(what), n);
	}
	(*n)++;
}

static void importer_free(struct importer *imp)
{
	fclose(imp->f);
	free(imp->buf);
	oplog_header_free(imp->h);
	g_hash_table_destroy(imp->files);
	g_ptr_array_unref(imp->file_list);
	g_free(imp);
}

bool importer_finish(struct importer *imp, GError **err)
{
	for (guint i = 0; i < imp->file_list->len; i++) {
		const struct ifile *f = imp->file_list->pdata[i];
		uint64_t size = (f->end + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
		oplog_header_add_file(imp->h, f->id, f->name, size ? size : PAGE_SIZE);
	}
	imp->st->files = imp->file_list->len;
	imp->st->tasks = imp->next_task - 1;
	imp->st->processes = imp->next_process - 1;
	oplog_writer_header(imp->w, imp->h);
	bool ok = oplog_writer_commit(imp->w, err);
	imp->w = NULL;
	importer_free(imp);
	return ok;
}

void importer_abort(struct importer *imp)
{
	if (!imp)
		return;
	oplog_writer_abort(imp->w);
	importer_free(imp);
}
