/*
 * record_int — what the recorder's two files share: record.c (the target that
 * logs and forwards) and record_log.c (the log: its header, from what the source
 * declared and the configuration the run has, and its temporary file).
 */
#ifndef WBSIM_RECORD_INT_H
#define WBSIM_RECORD_INT_H

#include "oplog/oplog.h"
#include "replay/replay.h"

struct recorder {
	char *path;
	char *command;                  /* for a comment line; may be NULL */
	struct oplog_writer *w;
	struct oplog_header *h;         /* filled while the world is declared */
	bool used;                      /* a target was made on it: one run per log */
	bool header_written;
};

/* A new header for @r from the run's configuration and what its source declared. */
void record_header_begin(struct recorder *r, const struct target_config *c,
			 const char *spec);

#endif
