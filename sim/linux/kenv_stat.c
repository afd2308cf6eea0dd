/*
 * kenv_stat — what the run's device did, from /sys/block/loopN/stat
 * (Documentation/block/stat.rst): the counters behind disk_requests and
 * disk_writes.
 */
#include <errno.h>
#include <stdio.h>

#include "linux/kenv_int.h"

bool kenv_disk_stat(const struct kenv *e, struct kenv_disk_stat *st, GError **err)
{
	char *path = g_strdup_printf("/sys/block/%s/stat", e->loop_name);
	char *text = NULL;
	bool ok = g_file_get_contents(path, &text, NULL, err);
	if (ok) {
		/* Fields 1, 3, 5, 7 and 16: read I/Os, read sectors, write I/Os, write
		 * sectors, flush I/Os (flushes exist since Linux 5.5). */
		char **f = g_strsplit_set(g_strstrip(text), " ", 0);
		guint n = 0;
		guint64 v[17] = { 0 };
		for (char **p = f; *p && n < 17; p++)
			if (**p)
				v[n++] = g_ascii_strtoull(*p, NULL, 10);
		g_strfreev(f);
		if (n < 11) {
			ok = false;
			g_set_error(err, KENV_ERROR, KENV_ERROR_SYSTEM, "%s: %u fields", path, n);
		}
		*st = (struct kenv_disk_stat){ .read_ios = v[0], .read_sectors = v[2],
					       .write_ios = v[4], .write_sectors = v[6],
					       .flush_ios = v[15] };
	}
	g_free(text);
	g_free(path);
	return ok;
}

void kenv_disk_delta(const struct kenv_disk_stat *before, const struct kenv_disk_stat *after,
		     uint64_t *disk_requests, uint64_t *disk_writes)
{
	*disk_requests = after->write_ios - before->write_ios;
	uint64_t sectors = after->write_sectors - before->write_sectors;
	*disk_writes = (sectors + 7) / 8;     /* 8 sectors of 512 bytes to a 4 KiB page */
}
