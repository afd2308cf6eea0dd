#include "xarray.h"

#include <glib.h>
#include <string.h>

/*
 * The first cache line holds what a page-cache operation touches besides its slot:
 * the tag words and the owner.  Nodes are whole lines (chunk memory is line aligned),
 * so a lookup can fetch that line alongside the slot's (xa_load).
 */
struct xa_node {
	uint64_t tags[XA_NR_TAGS];
	struct xarray *xa;              /* lets an entry holding its node find its owner */
	struct xa_node *parent;
	uint8_t offset;                 /* slot in the parent */
	void *slots[XA_CHUNK_SIZE];     /* children, or entries at the bottom level */
} __attribute__((aligned(64)));

void xa_init(struct xarray *xa, uint64_t nr_indices)
{
	xa->root = NULL;
	memset(&xa->pool, 0, sizeof(xa->pool));
	xa->limit = nr_indices ? nr_indices : 1;
	xa->height = 1;
	while (xa->height < 11 && (xa->limit - 1) >> (XA_CHUNK_SHIFT * xa->height))
		xa->height++;
	xa->nr_nodes = 0;
}

void xa_destroy(struct xarray *xa)
{
	chunk_pool_free(&xa->pool);
	xa->root = NULL;
	xa->nr_nodes = 0;
}

static inline unsigned slot_of(uint64_t index, unsigned level)
{
	return (index >> (XA_CHUNK_SHIFT * (level - 1))) & (XA_CHUNK_SIZE - 1);
}

/* The bottom node holding @index, or NULL. */
static struct xa_node *leaf(const struct xarray *xa, uint64_t index)
{
	struct xa_node *n = xa->root;
	for (unsigned level = xa->height; n && level > 1; level--)
		n = n->slots[slot_of(index, level)];
	return n;
}

void *xa_load(const struct xarray *xa, uint64_t index)
{
	if (index >= xa->limit)
		return NULL;
	struct xa_node *n = leaf(xa, index);
	if (!n)
		return NULL;
	/* Whoever looks a page up is about to tag it or find its file: start fetching
	 * the tag line now, in parallel with the slot's line and the entry's. */
	__builtin_prefetch(n, 1);
	return n->slots[index & (XA_CHUNK_SIZE - 1)];
}

static struct xa_node *node_new(struct xarray *xa, struct xa_node *parent, unsigned offset)
{
	struct xa_node *n = chunk_alloc(&xa->pool, sizeof(*n));
	n->parent = parent;
	n->xa = xa;
	n->offset = (uint8_t)offset;
	xa->nr_nodes++;
	return n;
}

/* Set @tag on slot @off of @n and on the path above it. */
static void tag_up(struct xa_node *n, unsigned off, enum xa_tag tag)
{
	while (n) {
		uint64_t bit = 1ull << off;
		if (n->tags[tag] & bit)
			return;                 /* already set from here up */
		n->tags[tag] |= bit;
		off = n->offset;
		n = n->parent;
	}
}

/* Clear @tag on slot @off of @n and, where a node has no tagged slot left, above. */
static void untag_up(struct xa_node *n, unsigned off, enum xa_tag tag)
{
	while (n) {
		n->tags[tag] &= ~(1ull << off);
		if (n->tags[tag])
			return;
		off = n->offset;
		n = n->parent;
	}
}

struct xa_node *xa_store(struct xarray *xa, uint64_t index, void *entry)
{
	g_assert(index < xa->limit && entry);
	if (!xa->root)
		xa->root = node_new(xa, NULL, 0);
	struct xa_node *n = xa->root;
	for (unsigned level = xa->height; level > 1; level--) {
		unsigned s = slot_of(index, level);
		if (!n->slots[s])
			n->slots[s] = node_new(xa, n, s);
		n = n->slots[s];
	}
	unsigned off = index & (XA_CHUNK_SIZE - 1);
	n->slots[off] = entry;
	tag_up(n, off, XA_PRESENT);
	return n;
}

struct xarray *xa_node_array(const struct xa_node *n)
{
	return n->xa;
}

void xa_node_set_tag(struct xa_node *n, unsigned slot, enum xa_tag tag)
{
	tag_up(n, slot, tag);
}

void xa_node_clear_tag(struct xa_node *n, unsigned slot, enum xa_tag tag)
{
	if (n->tags[tag] & (1ull << slot))
		untag_up(n, slot, tag);
}

bool xa_node_get_tag(const struct xa_node *n, unsigned slot, enum xa_tag tag)
{
	return n->tags[tag] >> slot & 1;
}

void xa_erase(struct xarray *xa, uint64_t index)
{
	struct xa_node *n = index < xa->limit ? leaf(xa, index) : NULL;
	if (!n)
		return;
	unsigned off = index & (XA_CHUNK_SIZE - 1);
	n->slots[off] = NULL;
	for (int t = 0; t < XA_NR_TAGS; t++)
		if (n->tags[t] & (1ull << off))
			untag_up(n, off, t);
	/* Empty nodes are kept: files are small compared to their touched pages, and
	 * a block once touched is usually touched again. */
}

void xa_set_tag(struct xarray *xa, uint64_t index, enum xa_tag tag)
{
	struct xa_node *n = leaf(xa, index);
	g_assert(n && n->slots[index & (XA_CHUNK_SIZE - 1)]);
	tag_up(n, index & (XA_CHUNK_SIZE - 1), tag);
}

void xa_clear_tag(struct xarray *xa, uint64_t index, enum xa_tag tag)
{
	struct xa_node *n = leaf(xa, index);
	if (n && (n->tags[tag] & (1ull << (index & (XA_CHUNK_SIZE - 1)))))
		untag_up(n, index & (XA_CHUNK_SIZE - 1), tag);
}

bool xa_get_tag(const struct xarray *xa, uint64_t index, enum xa_tag tag)
{
	if (index >= xa->limit)
		return false;
	struct xa_node *n = leaf(xa, index);
	return n && (n->tags[tag] >> (index & (XA_CHUNK_SIZE - 1)) & 1);
}

bool xa_tagged(const struct xarray *xa, enum xa_tag tag)
{
	return xa->root && xa->root->tags[tag];
}

/*
 * The walk both lookups share: down from the root, at each level the first tagged slot
 * at or after i's; when a node has none, resume in its parent after it rather than
 * from the root again, so a sparse tag costs a climb of one level, not a fresh walk.
 * Stops at level @stop and returns the slot's content there: an entry at level 1, a
 * bottom node at level 2 (whose parent says it holds a tagged entry).  *index becomes
 * the first index under that slot at or after where it was.
 */
static void *walk_tagged(const struct xarray *xa, uint64_t *index, uint64_t last,
			 enum xa_tag tag, unsigned stop)
{
	uint64_t i = *index;
	struct xa_node *n = xa->root;
	unsigned level = xa->height;
	while (i <= last) {
		unsigned shift = XA_CHUNK_SHIFT * (level - 1);
		unsigned s = (i >> shift) & (XA_CHUNK_SIZE - 1);
		uint64_t bits = n->tags[tag] & (~0ull << s);
		if (!bits) {
			for (;;) {
				if (!n->parent)
					return NULL;    /* the root has nothing further */
				unsigned off = n->offset;
				n = n->parent;
				level++;
				shift += XA_CHUNK_SHIFT;
				if (off < XA_CHUNK_SIZE - 1) {
					/* i becomes the first index of the next slot: keep the
					 * bits above this node's digit. */
					unsigned up = shift + XA_CHUNK_SHIFT;
					uint64_t above = up >= 64 ? 0 : (i >> up) << up;
					i = above | ((uint64_t)(off + 1) << shift);
					break;
				}
			}
			continue;
		}
		unsigned t = (unsigned)__builtin_ctzll(bits);
		if (t != s) {
			unsigned up = shift + XA_CHUNK_SHIFT;
			uint64_t above = up >= 64 ? 0 : (i >> up) << up;
			i = above | ((uint64_t)t << shift);
			if (i > last)
				return NULL;
		}
		if (level == stop) {
			*index = i;
			return n->slots[t];
		}
		n = n->slots[t];
		level--;
	}
	return NULL;
}

void *xa_find_tag(const struct xarray *xa, uint64_t *index, uint64_t last, enum xa_tag tag)
{
	if (!xa->root || *index >= xa->limit)
		return NULL;
	if (last >= xa->limit)
		last = xa->limit - 1;
	return walk_tagged(xa, index, last, tag, 1);
}

/*
 * The first bottom node at or after *index that its parent's tags say holds an entry
 * with @tag, without touching the node itself; *index moves to the node's first index
 * if it was before it.  NULL when there is none up to @last.
 */
static struct xa_node *next_tagged_leaf(const struct xarray *xa, uint64_t *index,
					uint64_t last, enum xa_tag tag)
{
	if (xa->height == 1)
		return *index <= last && (xa->root->tags[tag] >> (*index & (XA_CHUNK_SIZE - 1)))
			? xa->root : NULL;
	return walk_tagged(xa, index, last, tag, 2);
}

/*
 * Gathering entry by entry would wait for a leaf, then a slot, one entry at a time.
 * Instead go in waves, each one's loads independent of each other so the memory
 * system serves them together: the leaves that the level above says are tagged; their
 * tag words, giving the slots; the slots, giving the entries.
 */
unsigned xa_gather_tag(const struct xarray *xa, uint64_t *index, uint64_t last,
		       enum xa_tag tag, void **out, uint64_t *indices, unsigned n)
{
	struct xa_node *leaves[64], *on[64];
	uint64_t from[64];
	unsigned slot[64];
	uint64_t at[64];
	unsigned got = 0;
	uint64_t i = *index;
	if (n > 64)
		n = 64;
	if (!xa->root || i >= xa->limit || n == 0)
		return 0;
	if (last >= xa->limit)
		last = xa->limit - 1;
	while (got < n) {
		/* Wave 1: up to n - got leaves, each holding at least one tagged entry
		 * (at or after i in the first one: from[]). */
		unsigned nl = 0;
		bool exhausted = false;
		uint64_t j = i;
		while (nl < n - got) {
			struct xa_node *leaf = next_tagged_leaf(xa, &j, last, tag);
			if (!leaf) {
				exhausted = true;
				break;
			}
			__builtin_prefetch(leaf);
			leaves[nl] = leaf;
			from[nl++] = j;
			uint64_t next = (j | (XA_CHUNK_SIZE - 1)) + 1;
			if (next == 0 || next > last) {
				exhausted = true;
				break;
			}
			j = next;
		}
		/* Wave 2: their tag words give the slots to read. */
		unsigned ne = 0;
		uint64_t last_found = 0;
		for (unsigned k = 0; k < nl && got + ne < n; k++) {
			uint64_t base = from[k] & ~(uint64_t)(XA_CHUNK_SIZE - 1);
			uint64_t bits = leaves[k]->tags[tag] & (~0ull << (from[k] - base));
			while (bits && got + ne < n) {
				unsigned t = (unsigned)__builtin_ctzll(bits);
				bits &= bits - 1;
				if (base + t > last)
					break;
				__builtin_prefetch(&leaves[k]->slots[t]);
				on[ne] = leaves[k];
				at[ne] = base + t;
				slot[ne++] = t;
				last_found = base + t;
			}
		}
		/* Wave 3: the entries. */
		for (unsigned k = 0; k < ne; k++) {
			if (indices)
				indices[got] = at[k];
			out[got++] = on[k]->slots[slot[k]];
		}
		if (got == n) {
			i = last_found + 1;
			break;
		}
		if (exhausted) {
			i = last < UINT64_MAX ? last + 1 : last;
			break;
		}
		i = j;          /* every entry of those leaves taken: go on after them */
	}
	*index = i;
	return got;
}

size_t xa_bytes(const struct xarray *xa)
{
	return xa->pool.bytes;
}
