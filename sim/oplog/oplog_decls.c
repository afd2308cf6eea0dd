/*
 * oplog_decls — what a writer declares in a header (files, processes, mappings,
 * tasks, events, buffers) and the format version its lines need.
 */
#include "oplog/oplog_int.h"

void oplog_header_add_file(struct oplog_header *h, uint32_t id, const char *name, uint64_t size)
{
	struct oplog_file f = { id, g_strdup(name), size, 0 };
	g_array_append_val(h->files, f);
}

void oplog_header_add_process(struct oplog_header *h, uint32_t id, const char *name)
{
	struct oplog_process p = { id, g_strdup(name), 0 };
	g_array_append_val(h->processes, p);
}

void oplog_header_add_map(struct oplog_header *h, uint32_t id, uint32_t process, uint32_t file,
			  uint64_t offset, uint64_t size)
{
	struct oplog_map m = { id, process, file, offset, size, 0 };
	g_array_append_val(h->maps, m);
}

void oplog_header_add_task(struct oplog_header *h, uint32_t id, const char *name,
			   uint32_t process, int cpu, uint64_t start)
{
	struct oplog_task t = { id, g_strdup(name), process, cpu, start, 0 };
	g_array_append_val(h->tasks, t);
}

void oplog_header_add_event(struct oplog_header *h, uint32_t id, const char *name)
{
	struct oplog_event e = { id, g_strdup(name), 0 };
	g_array_append_val(h->events, e);
}

void oplog_header_add_buffer(struct oplog_header *h, uint32_t id, uint32_t process,
			     uint64_t size)
{
	struct oplog_buffer b = { id, process, size, 0 };
	g_array_append_val(h->buffers, b);
}

unsigned oplog_header_needs(const struct oplog_header *h)
{
	return h->buffers->len ? 2 : 1;         /* "buffer" lines are version 2 */
}
