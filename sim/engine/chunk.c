#include "engine/chunk.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_SIZE (2u << 20)
#define FIRST_SIZE (16u << 10)

static void *chunk_new(size_t size)
{
	void *mem = NULL;
	if (size >= HUGE_SIZE) {
		if (posix_memalign(&mem, HUGE_SIZE, size))
			g_error("out of memory (%zu bytes)", size);
#ifdef MADV_HUGEPAGE
		madvise(mem, size, MADV_HUGEPAGE);
#endif
	} else if (posix_memalign(&mem, 64, size)) {
		/* cache-line aligned: objects sized in whole lines stay on their lines */
		g_error("out of memory (%zu bytes)", size);
	}
	memset(mem, 0, size);
	return mem;
}

void *huge_calloc(size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		g_error("out of memory (%zu x %zu bytes)", nmemb, size);
	size_t bytes = nmemb * size;
	if (bytes < HUGE_SIZE) {
		void *mem = calloc(1, bytes ? bytes : 1);
		if (!mem)
			g_error("out of memory (%zu bytes)", bytes);
		return mem;
	}
	return chunk_new((bytes + HUGE_SIZE - 1) & ~(size_t)(HUGE_SIZE - 1));
}

void *chunk_alloc(struct chunk_pool *p, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (p->left < size) {
		size_t csize = p->next_size ? p->next_size : FIRST_SIZE;
		while (csize < size)
			csize *= 2;
		p->next_size = csize < HUGE_SIZE ? csize * 2 : HUGE_SIZE;
		if (p->nr_chunks == p->cap_chunks) {
			p->cap_chunks = p->cap_chunks ? p->cap_chunks * 2 : 8;
			p->chunks = g_renew(void *, p->chunks, p->cap_chunks);
		}
		p->bump = chunk_new(csize);
		p->chunks[p->nr_chunks++] = p->bump;
		p->left = csize;
		p->bytes += csize;
	}
	void *obj = p->bump;
	p->bump += size;
	p->left -= size;
	return obj;
}

void chunk_pool_free(struct chunk_pool *p)
{
	for (size_t i = 0; i < p->nr_chunks; i++)
		free(p->chunks[i]);
	g_free(p->chunks);
	memset(p, 0, sizeof(*p));
}

void *vm_reserve(size_t bytes)
{
	void *mem = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return NULL;
#ifdef MADV_NOHUGEPAGE
	madvise(mem, bytes ? bytes : 1, MADV_NOHUGEPAGE);
#endif
	return mem;
}

void vm_release(void *mem, size_t bytes)
{
	if (mem)
		munmap(mem, bytes ? bytes : 1);
}
