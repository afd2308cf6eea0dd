/*
 * oplog_write — writing an op log: one line per call into a temporary file beside
 * the destination, renamed over it by commit, so that a reader never sees half a
 * log and a failed import or recording leaves nothing behind.
 *
 * The first line names the lowest format version that has every line written: a
 * log with no version-2 line is a version-1 log, byte for byte what a version-1
 * writer wrote.  The header is written before the recorder's ops, so the digit is
 * rewritten in place at commit when a later op needed a newer version.
 *
 * A writer that has ops before it knows its header (an importer learns the files'
 * sizes at the end of its input) spools them into an unlinked file and copies them
 * after the header once it comes; memory stays one line's worth either way.
 */
#include "oplog/oplog_int.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct oplog_writer {
	char *path, *tmp;
	FILE *out;                      /* the temporary file */
	FILE *spool;                    /* ops written before the header, or NULL */
	bool header_done;
	unsigned version;               /* the lowest that has every line so far */
	unsigned version_written;       /* what the first line says */
	int error;                      /* first errno of a failed write */
	uint64_t ops;
	GString *line;
};

static FILE *open_temp(const char *path, char **tmp, GError **err)
{
	char *t = g_strconcat(path, ".tmp.XXXXXX", NULL);
	int fd = g_mkstemp_full(t, O_RDWR | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
	if (!f) {
		g_set_error(err, OPLOG_ERROR, OPLOG_ERROR_IO, "%s: cannot write: %s", path,
			    g_strerror(errno));
		if (fd >= 0) {
			close(fd);
			g_unlink(t);
		}
		g_free(t);
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	*tmp = t;
	return f;
}

struct oplog_writer *oplog_writer_open(const char *path, GError **err)
{
	struct oplog_writer *w = g_new0(struct oplog_writer, 1);
	w->path = g_strdup(path);
	w->out = open_temp(path, &w->tmp, err);
	if (!w->out) {
		g_free(w->path);
		g_free(w);
		return NULL;
	}
	w->line = g_string_sized_new(256);
	w->version = 1;
	return w;
}

static void put(struct oplog_writer *w, FILE *f, const char *s, size_t n)
{
	if (!w->error && fwrite(s, 1, n, f) != n)
		w->error = errno ? errno : EIO;
}

/* Where lines go now: the log itself, or the spool until the header is written. */
static FILE *sink(struct oplog_writer *w)
{
	if (w->header_done)
		return w->out;
	if (!w->spool) {
		char *t = NULL;
		w->spool = open_temp(w->path, &t, NULL);
		if (!w->spool) {
			w->error = errno ? errno : EIO;
			return NULL;
		}
		g_unlink(t);            /* anonymous from now on */
		g_free(t);
	}
	return w->spool;
}

void oplog_writer_header(struct oplog_writer *w, const struct oplog_header *h)
{
	g_return_if_fail(!w->header_done);
	unsigned need = oplog_header_needs(h);
	if (need > w->version)
		w->version = need;
	struct oplog_header named = *h;
	named.version = w->version_written = w->version;
	GString *s = g_string_new(NULL);
	oplog_header_append(s, &named);
	put(w, w->out, s->str, s->len);
	g_string_free(s, TRUE);
	w->header_done = true;
	if (!w->spool)
		return;
	char buf[64 << 10];
	size_t n;
	if (fflush(w->spool) != 0 || fseek(w->spool, 0, SEEK_SET) != 0)
		w->error = errno ? errno : EIO;
	while (!w->error && (n = fread(buf, 1, sizeof(buf), w->spool)) > 0)
		put(w, w->out, buf, n);
	if (ferror(w->spool) && !w->error)
		w->error = EIO;
	fclose(w->spool);
	w->spool = NULL;
}

void oplog_writer_op(struct oplog_writer *w, const struct oplog_op *op)
{
	FILE *f = sink(w);
	if (!f)
		return;
	unsigned need = oplog_op_version(op);
	if (G_UNLIKELY(need > w->version))
		w->version = need;
	g_string_truncate(w->line, 0);
	oplog_append_op(w->line, op);
	g_string_append_c(w->line, '\n');
	put(w, f, w->line->str, w->line->len);
	w->ops++;
}

void oplog_writer_comment(struct oplog_writer *w, const char *text)
{
	FILE *f = sink(w);
	if (!f)
		return;
	/* One comment line per line of @text, so a newline cannot start a bogus op. */
	char **lines = g_strsplit(text, "\n", -1);
	g_string_truncate(w->line, 0);
	for (char **l = lines; *l; l++)
		g_string_append_printf(w->line, "# %s\n", *l);
	g_strfreev(lines);
	put(w, f, w->line->str, w->line->len);
}

uint64_t oplog_writer_ops(const struct oplog_writer *w)
{
	return w->ops;
}

static void writer_free(struct oplog_writer *w)
{
	if (w->spool)
		fclose(w->spool);
	if (w->out)
		fclose(w->out);
	g_string_free(w->line, TRUE);
	g_free(w->path);
	g_free(w->tmp);
	g_free(w);
}

bool oplog_writer_commit(struct oplog_writer *w, GError **err)
{
	if (!w->header_done) {
		g_set_error(err, OPLOG_ERROR, OPLOG_ERROR_IO, "%s: no header was written", w->path);
		oplog_writer_abort(w);
		return false;
	}
	if (fflush(w->out) != 0 && !w->error)
		w->error = errno ? errno : EIO;
	if (!w->error && w->version != w->version_written) {
		/* "wbsim-oplog N": one digit, rewritten in place (versions stay below 10) */
		G_STATIC_ASSERT(OPLOG_VERSION < 10);
		char digit = (char)('0' + w->version);
		if (pwrite(fileno(w->out), &digit, 1, sizeof(OPLOG_MAGIC)) != 1)
			w->error = errno ? errno : EIO;
	}
	if (!w->error && fclose(w->out) != 0)
		w->error = errno ? errno : EIO;
	else if (w->error)
		fclose(w->out);
	w->out = NULL;
	if (!w->error && g_rename(w->tmp, w->path) != 0)
		w->error = errno;
	if (w->error) {
		g_set_error(err, OPLOG_ERROR, OPLOG_ERROR_IO, "%s: cannot write: %s", w->path,
			    g_strerror(w->error));
		g_unlink(w->tmp);
		writer_free(w);
		return false;
	}
	writer_free(w);
	return true;
}

void oplog_writer_abort(struct oplog_writer *w)
{
	if (!w)
		return;
	if (w->out) {
		fclose(w->out);
		w->out = NULL;
	}
	g_unlink(w->tmp);
	writer_free(w);
}
