/*
 * blkmap — where a file's blocks live: one flat array per file indexed by page index,
 * in address space reserved for the whole file and materialized by the kernel 4 KiB
 * (64 blocks) at a time where touched.  Finding a block is arithmetic, and a writeback
 * scan in index order walks memory in address order.
 *
 * A block finds its file through a directory of the address space: each file's array
 * starts on a granule boundary and owns the granules it spans, so the file of a block
 * is one load whatever the number of files.  The directory is process-wide; arrays
 * never overlap, so simulations on different threads never touch the same slot.
 */
#ifndef WBSIM_BLKMAP_H
#define WBSIM_BLKMAP_H

#include <stddef.h>
#include <stdint.h>

#define BLKMAP_SHIFT 26                 /* 64 MiB granules: the blocks of a 4 GiB file */
#define BLKMAP_ADDR_BITS 47             /* user address space without 5-level paging */

struct file;

extern struct file *blkmap_dir[1ull << (BLKMAP_ADDR_BITS - BLKMAP_SHIFT)];

/* Room for @nr blocks of @size bytes owned by @owner, zero-filled; NULL when the
 * address space cannot be had.  *bytes is what to give blkmap_release. */
void *blkmap_reserve(struct file *owner, uint64_t nr, size_t size, size_t *bytes);
void blkmap_release(void *blocks, size_t bytes);

static inline struct file *blkmap_owner(const void *b)
{
	return blkmap_dir[(uintptr_t)b >> BLKMAP_SHIFT];
}

#endif
