/*
 * xarray — a sparse index from page index to pointer with per-entry tags, in the
 * manner of the kernel's XArray / radix tree: 64-way nodes, and for each tag a bitmap
 * per node whose bit says "some entry below this slot has the tag".  Finding the next
 * tagged entry therefore skips untouched and untagged ranges a word at a time.
 *
 * The height is fixed when the array is created (files have a size), so nodes never
 * move and lookups are a fixed number of steps.
 */
#ifndef WBSIM_XARRAY_H
#define WBSIM_XARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chunk.h"

#define XA_CHUNK_SHIFT 6
#define XA_CHUNK_SIZE (1u << XA_CHUNK_SHIFT)

enum xa_tag {
	XA_PRESENT,             /* maintained by the array: the slot is occupied */
	XA_DIRTY,               /* PAGECACHE_TAG_DIRTY */
	XA_TOWRITE,             /* PAGECACHE_TAG_TOWRITE */
	XA_WRITEBACK,           /* PAGECACHE_TAG_WRITEBACK */
	XA_OLDER_INFLIGHT,      /* an older copy of the block is still under I/O */
	XA_UNSYNCED,            /* oracle: the block's durable content lags its shadow */
	XA_NR_TAGS
};

struct xa_node;

struct xarray {
	struct xa_node *root;
	unsigned height;        /* levels of nodes; index < 64^height */
	uint64_t limit;         /* number of indices */
	size_t nr_nodes;
	struct chunk_pool pool;         /* nodes live here until xa_destroy */
};

void xa_init(struct xarray *xa, uint64_t nr_indices);
void xa_destroy(struct xarray *xa);                    /* frees nodes, not entries */
void *xa_load(const struct xarray *xa, uint64_t index);
/* Returns the bottom node holding the entry: with its slot (index % 64) it lets
 * the owner change the entry's tags without walking down from the root again. */
struct xa_node *xa_store(struct xarray *xa, uint64_t index, void *entry);  /* entry != NULL */
struct xarray *xa_node_array(const struct xa_node *n);
void xa_node_set_tag(struct xa_node *n, unsigned slot, enum xa_tag tag);
void xa_node_clear_tag(struct xa_node *n, unsigned slot, enum xa_tag tag);
bool xa_node_get_tag(const struct xa_node *n, unsigned slot, enum xa_tag tag);
void xa_erase(struct xarray *xa, uint64_t index);      /* clears every tag */
void xa_set_tag(struct xarray *xa, uint64_t index, enum xa_tag tag);
void xa_clear_tag(struct xarray *xa, uint64_t index, enum xa_tag tag);
bool xa_get_tag(const struct xarray *xa, uint64_t index, enum xa_tag tag);
/* The first entry with @tag at an index in [*index, last]; updates *index.  NULL when
 * there is none.  XA_PRESENT finds every entry. */
void *xa_find_tag(const struct xarray *xa, uint64_t *index, uint64_t last, enum xa_tag tag);
/* Up to @n (at most 64) entries with @tag at indices in [*index, last], in index
 * order, into @out, and their indices into @indices unless it is NULL; *index moves
 * past the last one found (or past @last).  Returns how many.
 * The gang lookup of find_get_pages_range_tag: a caller walking a range can touch
 * the entries of a whole batch at once rather than one cache miss at a time. */
unsigned xa_gather_tag(const struct xarray *xa, uint64_t *index, uint64_t last,
		       enum xa_tag tag, void **out, uint64_t *indices, unsigned n);
bool xa_tagged(const struct xarray *xa, enum xa_tag tag);     /* any entry at all */
size_t xa_bytes(const struct xarray *xa);

#endif
