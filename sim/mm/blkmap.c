#include "mm/blkmap.h"
#include "engine/chunk.h"

#include <glib.h>
#include <sys/mman.h>

#define GRANULE (1ull << BLKMAP_SHIFT)

struct file *blkmap_dir[1ull << (BLKMAP_ADDR_BITS - BLKMAP_SHIFT)];

void *blkmap_reserve(struct file *owner, uint64_t nr, size_t size, size_t *bytes)
{
	if (nr > (SIZE_MAX - 2 * GRANULE) / size)
		return NULL;
	size_t len = (nr * size + GRANULE - 1) & ~(GRANULE - 1);
	if (!len)
		len = GRANULE;
	/* Over-reserve by a granule, then give back what lies outside the aligned part. */
	char *raw = vm_reserve(len + GRANULE);
	if (!raw)
		return NULL;
	char *mem = (char *)(((uintptr_t)raw + GRANULE - 1) & ~(uintptr_t)(GRANULE - 1));
	if (mem > raw)
		munmap(raw, (size_t)(mem - raw));
	if (raw + GRANULE > mem)
		munmap(mem + len, (size_t)(raw + GRANULE - mem));
	if (((uintptr_t)mem + len - 1) >> BLKMAP_ADDR_BITS) {
		munmap(mem, len);
		return NULL;
	}
	for (uintptr_t g = (uintptr_t)mem >> BLKMAP_SHIFT; g < ((uintptr_t)mem + len) >> BLKMAP_SHIFT; g++)
		blkmap_dir[g] = owner;
	*bytes = len;
	return mem;
}

void blkmap_release(void *blocks, size_t bytes)
{
	if (!blocks)
		return;
	for (uintptr_t g = (uintptr_t)blocks >> BLKMAP_SHIFT;
	     g < ((uintptr_t)blocks + bytes) >> BLKMAP_SHIFT; g++)
		blkmap_dir[g] = NULL;
	munmap(blocks, bytes);
}
