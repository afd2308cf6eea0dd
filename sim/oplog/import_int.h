/*
 * import_int — what the importers share: input lines with their numbers, the
 * files seen so far and how far into each the ops reach (a log declares a file's
 * size before its ops, an importer knows it only at the end), the ids it hands
 * out, the skipped-call counts, and the writer.
 */
#ifndef WBSIM_IMPORT_INT_H
#define WBSIM_IMPORT_INT_H

#include <stdio.h>

#include "oplog/import.h"
#include "oplog/oplog.h"

struct importer {
	const char *in;                 /* for messages */
	FILE *f;
	char *buf;                      /* the current line, without its newline */
	size_t cap;
	uint64_t line;
	struct oplog_writer *w;
	struct oplog_header *h;
	GHashTable *files;              /* name -> struct ifile * */
	GPtrArray *file_list;           /* of struct ifile *, by id - 1 */
	uint32_t next_map, next_task, next_process, next_event;
	struct import_stats *st;
};

struct ifile {
	uint32_t id;
	char *name;
	uint64_t end;                   /* the furthest byte any op reaches */
};

/* Open IN and a writer for OUT; NULL with @err set. */
struct importer *importer_new(const char *in, const char *out, struct import_stats *st,
			      GError **err);
/* The next input line in imp->buf; false at the end (or on a read error, @err). */
bool importer_line(struct importer *imp, GError **err);
/* "IN:LINE: problem" (the current line); returns false. */
bool importer_fail(struct importer *imp, GError **err, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

struct ifile *importer_file(struct importer *imp, const char *name);
/* Write an op; the files it touches grow to cover it. */
void importer_op(struct importer *imp, const struct oplog_op *op);
void importer_skip(struct importer *imp, const char *what);

/* Declare the files (each rounded up to whole pages) in imp->h, write the header,
 * rename OUT into place, free.  The caller filled the rest of imp->h. */
bool importer_finish(struct importer *imp, GError **err);
/* Free without writing anything. */
void importer_abort(struct importer *imp);

#endif
