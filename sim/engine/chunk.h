/*
 * chunk — memory for millions of small fixed-size objects.  Chunks grow by doubling
 * up to 2 MiB; the large ones are 2 MiB aligned and advised for transparent huge
 * pages, because a simulation touching a million pages at random spends much of its
 * time in TLB misses otherwise.
 */
#ifndef WBSIM_CHUNK_H
#define WBSIM_CHUNK_H

#include <stddef.h>

struct chunk_pool {
	void **chunks;
	size_t nr_chunks, cap_chunks;
	char *bump;                     /* next free byte of the newest chunk */
	size_t left;                    /* bytes left in it */
	size_t next_size;               /* size of the next chunk */
	size_t bytes;                   /* total held */
};

/* Zeroed and 16-byte aligned; chunks start on a cache line, so objects whose size
 * is a multiple of 64 bytes never straddle one more line than they must. */
void *chunk_alloc(struct chunk_pool *p, size_t size);
void chunk_pool_free(struct chunk_pool *p);

/* A zeroed array, in huge pages when it is large enough to hold one (PTE arrays of
 * big mappings, indexed at random like the blocks they map).  Free with free(). */
void *huge_calloc(size_t nmemb, size_t size);

/*
 * Address space for a large array that is mostly never touched: zero-filled, and
 * materialized by the kernel a page at a time where written, so a sparse array costs
 * the pages it uses.  NULL when the address space cannot be had.  Not in huge pages:
 * one touched index must not cost 2 MiB.
 */
void *vm_reserve(size_t bytes);
void vm_release(void *mem, size_t bytes);

#endif
