/*
 * xarray — the marks of a file's page-cache index, in the manner of the kernel's XArray
 * marks (tags): for each mark a bit per page index, and above those a summary bit per
 * 64 indices, per 64^2 and so on, so finding the next marked index skips unmarked
 * ranges a word at a time.
 *
 * The entries are not here.  A file's blocks sit in a flat array indexed by page index
 * (blkmap.h), so finding an entry is arithmetic, and a scan in index order walks
 * memory in address order.  Which entries exist is the XA_PRESENT mark.
 *
 * Each level is a flat array of 64-byte nodes (one cache line: every mark of 64
 * children), node j of level L covering indices [j * 64^(L+1), (j + 1) * 64^(L+1)).
 * No pointers, so a lookup is a fixed computation.  Levels are reserved address space
 * that the kernel materializes only where written: memory follows the indices marked.
 */
#ifndef WBSIM_XARRAY_H
#define WBSIM_XARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XA_CHUNK_SHIFT 6
#define XA_CHUNK_SIZE (1u << XA_CHUNK_SHIFT)
#define XA_NODE_WORDS 8                 /* one 64-byte line per node */
#define XA_MAX_HEIGHT 6                 /* 64^6 = 2^36 indices: files have at most 2^32 */

enum xa_tag {
	XA_PRESENT,             /* the entry exists (never cleared) */
	XA_DIRTY,               /* PAGECACHE_TAG_DIRTY */
	XA_TOWRITE,             /* PAGECACHE_TAG_TOWRITE */
	XA_WRITEBACK,           /* PAGECACHE_TAG_WRITEBACK */
	XA_OLDER_INFLIGHT,      /* an older copy of the block is still under I/O */
	XA_UNSYNCED,            /* oracle: the block's durable content lags its shadow */
	XA_DIVERGED,            /* oracle: a modification was applied to a stale copy */
	XA_BRANCHED,            /* oracle: the block's writes are not one line (its heads) */
	XA_NR_TAGS
};

_Static_assert(XA_NR_TAGS <= XA_NODE_WORDS, "a node holds one word per mark");

struct xarray {
	uint64_t *level[XA_MAX_HEIGHT];
	size_t level_bytes[XA_MAX_HEIGHT];      /* reserved */
	unsigned height;                        /* the top level has one node */
	uint64_t limit;                         /* number of indices */
	uint64_t nr_live[XA_MAX_HEIGHT];        /* nodes holding a present index */
};

/* false when the address space for the levels cannot be reserved. */
bool xa_init(struct xarray *xa, uint64_t nr_indices);
void xa_destroy(struct xarray *xa);

static inline uint64_t *xa_node(const struct xarray *xa, unsigned level, uint64_t j)
{
	return xa->level[level] + j * XA_NODE_WORDS;
}

/* The word of level 0 holding @index's @tag bit. */
static inline uint64_t *xa_leaf_word(const struct xarray *xa, uint64_t index, enum xa_tag tag)
{
	return xa_node(xa, 0, index >> XA_CHUNK_SHIFT) + tag;
}

static inline bool xa_get_tag(const struct xarray *xa, uint64_t index, enum xa_tag tag)
{
	return index < xa->limit && (*xa_leaf_word(xa, index, tag) >> (index & (XA_CHUNK_SIZE - 1)) & 1);
}

void xa_tag_up(struct xarray *xa, uint64_t index, enum xa_tag tag);
void xa_untag_up(struct xarray *xa, uint64_t index, enum xa_tag tag);

/* @index < limit.  Setting a mark other than XA_PRESENT needs the entry present. */
static inline void xa_set_tag(struct xarray *xa, uint64_t index, enum xa_tag tag)
{
	uint64_t w = *xa_leaf_word(xa, index, tag);
	uint64_t bit = 1ull << (index & (XA_CHUNK_SIZE - 1));
	if (w & bit)
		return;
	if (w) {
		/* The node already had the mark: the levels above say so already. */
		*xa_leaf_word(xa, index, tag) = w | bit;
		return;
	}
	xa_tag_up(xa, index, tag);
}

/* Clearing XA_PRESENT is not allowed: entries, once they exist, stay. */
static inline void xa_clear_tag(struct xarray *xa, uint64_t index, enum xa_tag tag)
{
	uint64_t w = *xa_leaf_word(xa, index, tag);
	uint64_t bit = 1ull << (index & (XA_CHUNK_SIZE - 1));
	if (!(w & bit))
		return;         /* no write: an untouched node stays unmaterialized */
	if (w != bit) {
		*xa_leaf_word(xa, index, tag) = w & ~bit;
		return;
	}
	xa_untag_up(xa, index, tag);
}

/* The first index with @tag in [*index, last]: true and *index set to it, or false. */
bool xa_find_tag_climb(const struct xarray *xa, uint64_t *index, uint64_t last, enum xa_tag tag);

/*
 * xa_find_tag_climb, whose first step is inline: the rest of *index's leaf word.
 * A writeback scan finds most of its pages there (the next dirty page of a random
 * writer is a few indices on), and a loop over the levels was the largest part of
 * its cost.  Marks exist only below limit, so a marked bit is a valid index.
 */
static inline bool xa_find_tag(const struct xarray *xa, uint64_t *index, uint64_t last,
			       enum xa_tag tag)
{
	uint64_t i = *index;
	if (i < xa->limit) {
		uint64_t bits = *xa_leaf_word(xa, i, tag) & (~0ull << (i & (XA_CHUNK_SIZE - 1)));
		if (bits) {
			uint64_t j = (i & ~(uint64_t)(XA_CHUNK_SIZE - 1)) + (unsigned)__builtin_ctzll(bits);
			if (j > last)
				return false;
			*index = j;
			return true;
		}
	}
	return xa_find_tag_climb(xa, index, last, tag);
}
/* Up to @n indices with @tag in [*index, last], in order, into @out; *index moves past
 * the last one found (or past @last when fewer were found).  Returns how many. */
unsigned xa_gather_tag(const struct xarray *xa, uint64_t *index, uint64_t last,
		       enum xa_tag tag, uint64_t *out, unsigned n);
bool xa_tagged(const struct xarray *xa, enum xa_tag tag);     /* any index at all */
/* Memory the levels occupy: the pages of them the kernel has materialized, which are
 * those holding a present index's node. */
size_t xa_bytes(const struct xarray *xa);

#endif
