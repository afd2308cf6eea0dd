/*
 * import — op logs from the I/O records programs leave: strace output, fio iologs,
 * fsx operation logs (scenarios/OPLOG.md "Importing").  Each importer reads its
 * input unchanged, writes OUT atomically (nothing at OUT on any error), and counts
 * what it could not replay, by call or reason.
 */
#ifndef WBSIM_IMPORT_H
#define WBSIM_IMPORT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct import_opts {
	char **dirs;            /* strace: keep files under these directories (NULL: all) */
	bool shared_stores;     /* strace: a store over each msync'd range (off by default) */
	bool direct;            /* fio, fsx: reads and writes were O_DIRECT */
	const char *file_name;  /* fsx: the name of the file (default: from IN) */
};

struct import_stats {
	uint64_t ops;                   /* op lines written */
	uint64_t tasks, processes, files;
	/* What was not replayed: "ftruncate", "failed calls", "outside --dir", ...
	 * -> count (GUINT_TO_POINTER is too small: values are uint64_t *). */
	GHashTable *skipped;
};

void import_stats_init(struct import_stats *s);
void import_stats_clear(struct import_stats *s);
/* "ftruncate 3, failed calls 2" sorted by name; "" when nothing was skipped. */
char *import_stats_skipped(const struct import_stats *s);

bool import_strace(const char *in, const char *out, const struct import_opts *o,
		   struct import_stats *st, GError **err);
bool import_fio(const char *in, const char *out, const struct import_opts *o,
		struct import_stats *st, GError **err);
bool import_fsx(const char *in, const char *out, const struct import_opts *o,
		struct import_stats *st, GError **err);

#endif
