#include "mm/xarray.h"
#include "engine/chunk.h"

#include <glib.h>
#include <string.h>

#define PAGE_BYTES 4096u                /* the kernel's unit of materialization */
#define NODES_PER_PAGE (PAGE_BYTES / (XA_NODE_WORDS * 8))

_Static_assert(NODES_PER_PAGE == XA_CHUNK_SIZE,
	       "one page of a level holds the 64 children of one node above");

bool xa_init(struct xarray *xa, uint64_t nr_indices)
{
	memset(xa, 0, sizeof(*xa));
	xa->limit = nr_indices ? nr_indices : 1;
	g_assert(xa->limit <= 1ull << (XA_CHUNK_SHIFT * XA_MAX_HEIGHT));
	uint64_t span = XA_CHUNK_SIZE;  /* indices under one node of the level */
	for (unsigned l = 0;; l++) {
		uint64_t nodes = (xa->limit + span - 1) / span;
		xa->level_bytes[l] = nodes * XA_NODE_WORDS * sizeof(uint64_t);
		xa->level[l] = vm_reserve(xa->level_bytes[l]);
		xa->height = l + 1;
		if (!xa->level[l]) {
			xa_destroy(xa);
			return false;
		}
		if (nodes == 1)
			break;
		span <<= XA_CHUNK_SHIFT;
	}
	return true;
}

void xa_destroy(struct xarray *xa)
{
	for (unsigned l = 0; l < xa->height; l++)
		vm_release(xa->level[l], xa->level_bytes[l]);
	memset(xa, 0, sizeof(*xa));
}

/* Set @tag on @index and on the path above it, as far as it was not set. */
void xa_tag_up(struct xarray *xa, uint64_t index, enum xa_tag tag)
{
	g_assert(index < xa->limit);
	uint64_t i = index;
	for (unsigned l = 0; l < xa->height; l++) {
		uint64_t *w = xa_node(xa, l, i >> XA_CHUNK_SHIFT) + tag;
		uint64_t bit = 1ull << (i & (XA_CHUNK_SIZE - 1));
		uint64_t old = *w;
		if (old & bit)
			return;
		*w = old | bit;
		if (old)
			return;                 /* the node was marked: so are those above */
		if (tag == XA_PRESENT)
			xa->nr_live[l]++;
		i >>= XA_CHUNK_SHIFT;
	}
}

/* Clear @tag on @index and, where a node has no marked child left, above. */
void xa_untag_up(struct xarray *xa, uint64_t index, enum xa_tag tag)
{
	g_assert(tag != XA_PRESENT);
	uint64_t i = index;
	for (unsigned l = 0; l < xa->height; l++) {
		uint64_t *w = xa_node(xa, l, i >> XA_CHUNK_SHIFT) + tag;
		uint64_t bit = 1ull << (i & (XA_CHUNK_SIZE - 1));
		if (!(*w & bit))
			return;
		*w &= ~bit;
		if (*w)
			return;
		i >>= XA_CHUNK_SHIFT;
	}
}

bool xa_tagged(const struct xarray *xa, enum xa_tag tag)
{
	return xa_node(xa, xa->height - 1, 0)[tag] != 0;
}

/*
 * From @i's node at the bottom: the first marked child at or after i's; when a node has
 * none, climb to its parent and look after it there, so an unmarked stretch costs one
 * word per level, not one per node; then descend into the first marked child.
 */
bool xa_find_tag_climb(const struct xarray *xa, uint64_t *index, uint64_t last, enum xa_tag tag)
{
	uint64_t i = *index;
	if (last >= xa->limit)
		last = xa->limit - 1;
	unsigned l = 0;
	while (i <= last) {
		unsigned shift = XA_CHUNK_SHIFT * l;
		uint64_t j = i >> (shift + XA_CHUNK_SHIFT);
		unsigned c = (i >> shift) & (XA_CHUNK_SIZE - 1);
		uint64_t bits = xa_node(xa, l, j)[tag] & (~0ull << c);
		if (!bits) {
			if (l + 1 == xa->height)
				return false;
			i = (j + 1) << (shift + XA_CHUNK_SHIFT);        /* the next node */
			l++;
			continue;
		}
		unsigned t = (unsigned)__builtin_ctzll(bits);
		if (t != c)
			i = (j << (shift + XA_CHUNK_SHIFT)) | ((uint64_t)t << shift);
		if (l == 0) {
			if (i > last)
				return false;
			*index = i;
			return true;
		}
		l--;
	}
	return false;
}

unsigned xa_gather_tag(const struct xarray *xa, uint64_t *index, uint64_t last,
		       enum xa_tag tag, uint64_t *out, unsigned n)
{
	uint64_t i = *index;
	unsigned got = 0;
	if (last >= xa->limit)
		last = xa->limit - 1;
	while (got < n && xa_find_tag(xa, &i, last, tag)) {
		/* The rest of i's leaf word holds the next marked indices: take them
		 * from the word, bit by bit, rather than searching from the top of the
		 * function (and up the levels) once per index. */
		uint64_t base = i & ~(uint64_t)(XA_CHUNK_SIZE - 1);
		uint64_t bits = *xa_leaf_word(xa, i, tag) & (~0ull << (i & (XA_CHUNK_SIZE - 1)));
		while (bits && got < n) {
			uint64_t j = base + (unsigned)__builtin_ctzll(bits);
			if (j > last) {
				*index = last + 1;
				return got;
			}
			out[got++] = j;
			i = j + 1;
			bits &= bits - 1;
		}
		if (!bits && got < n)
			i = base + XA_CHUNK_SIZE;       /* the word is done: search from the next */
	}
	if (got < n)
		i = last + 1;
	*index = i;
	return got;
}

size_t xa_bytes(const struct xarray *xa)
{
	/* A page of level l holds the children of one node of level l + 1, and is
	 * written only once one of them holds a present index: it is there exactly
	 * when that node above is live.  The top node's page is there once anything is. */
	size_t pages = 0;
	for (unsigned l = 0; l + 1 < xa->height; l++)
		pages += xa->nr_live[l + 1];
	pages += xa->nr_live[xa->height - 1] ? 1 : 0;
	return pages * PAGE_BYTES;
}
