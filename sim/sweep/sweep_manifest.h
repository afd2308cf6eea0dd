/*
 * sweep_manifest — OUT/<point dir>/manifest.json: the fingerprint of the inputs a
 * point's results were made from, and those inputs in readable form.  It is written
 * after the results and atomically (temporary + rename), and removed before a point
 * is run again, so a manifest exists only beside complete results of the inputs it
 * names: "complete" means the manifest is there and its fingerprint matches.
 */
#ifndef WBSIM_SWEEP_MANIFEST_H
#define WBSIM_SWEEP_MANIFEST_H

#include <stdbool.h>

#include "sweep/sweep_plan.h"

#define SWEEP_MANIFEST_FILE "manifest.json"

char *sweep_manifest_json(const struct sweep_plan *p, guint k);
bool sweep_manifest_write(const char *dir, const struct sweep_plan *p, guint k, GError **err);
/* Before a point runs again: its old results must not look complete meanwhile. */
bool sweep_manifest_remove(const char *dir, GError **err);
/* The fingerprint recorded in @dir's manifest, or NULL (none, or unreadable). */
char *sweep_manifest_fingerprint(const char *dir);
/* @dir holds complete results whose inputs have @fingerprint. */
bool sweep_point_complete(const char *dir, const char *fingerprint);

#endif
