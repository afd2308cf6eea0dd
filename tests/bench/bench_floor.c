/*
 * bench_floor — what this machine's memory allows a random buffered write over a big
 * file, before any simulation: the least any sparse page cache must touch.  The page
 * index is the model's (64-way leaves of 640 bytes), blocks are 96 bytes allocated in
 * first-touch order (random, as random writes allocate them), and each "write" reads
 * the leaf slot, then the block it points to, then sets the leaf's dirty tag bit and
 * the block's content: two dependent random reads and one more line.
 *
 * Two loops over the same memory:
 *   independent  each write's page comes from the RNG alone, so the out-of-order core
 *                overlaps the misses of many writes: a ceiling no simulator reaches,
 *                because its writes are thousands of instructions apart;
 *   serial       each write's page also depends on what the previous write read, so
 *                its misses cannot start early: what a discrete-event simulator, whose
 *                out-of-order window cannot reach the next operation, pays at least.
 *
 *     bench_floor [pages] [writes]
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

struct leaf {
	uint64_t tags[6];
	void *owner, *parent;
	uint64_t offset;
	struct blk *slots[64];
} __attribute__((aligned(64)));

struct blk {
	uint64_t w[12];                 /* 96 bytes, like struct blk with its first page */
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t next_rand(void)
{
	/* xorshift64*: cheap and good enough to pick pages */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *huge_zalloc(size_t bytes)
{
	size_t huge = 2u << 20;
	bytes = (bytes + huge - 1) & ~(huge - 1);
	void *mem = NULL;
	if (posix_memalign(&mem, huge, bytes)) {
		fprintf(stderr, "bench_floor: out of memory\n");
		exit(2);
	}
#ifdef MADV_HUGEPAGE
	madvise(mem, bytes, MADV_HUGEPAGE);      /* as the model's chunks are */
#endif
	memset(mem, 0, bytes);
	return mem;
}

static uint64_t run(struct leaf *leaves, uint64_t pages, uint64_t writes, int serial,
		    double *ns_per_write)
{
	uint64_t sum = 0, dep = 0;
	double t0 = now_s();
	for (uint64_t k = 0; k < writes; k++) {
		uint64_t i = (next_rand() ^ dep) % pages;
		struct leaf *l = &leaves[i / 64];
		struct blk *b = l->slots[i % 64];
		l->tags[1] |= 1ull << (i % 64);
		b->w[1] = k;
		sum += b->w[0];
		if (serial)
			dep = b->w[0] & 1;      /* 0 or 1, but the CPU cannot know that early */
	}
	*ns_per_write = (now_s() - t0) * 1e9 / (double)writes;
	return sum;
}

int main(int argc, char **argv)
{
	uint64_t pages = argc > 1 ? strtoull(argv[1], NULL, 0) : 1u << 20;
	uint64_t writes = argc > 2 ? strtoull(argv[2], NULL, 0) : 10000000;
	if (pages < 64 || writes == 0) {
		fprintf(stderr, "usage: bench_floor [pages >= 64] [writes > 0]\n");
		return 2;
	}
	pages -= pages % 64;
	struct leaf *leaves = huge_zalloc(pages / 64 * sizeof(struct leaf));
	struct blk *blks = huge_zalloc(pages * sizeof(struct blk));
	uint32_t *order = malloc(pages * sizeof(*order));
	if (!order)
		return 2;
	for (uint64_t i = 0; i < pages; i++)
		order[i] = (uint32_t)i;
	for (uint64_t i = pages - 1; i > 0; i--) {      /* random first-touch order */
		uint64_t j = next_rand() % (i + 1);
		uint32_t t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (uint64_t i = 0; i < pages; i++) {
		leaves[i / 64].slots[i % 64] = &blks[order[i]];
		blks[order[i]].w[0] = i;
	}
	free(order);

	double ind, ser;
	uint64_t check = run(leaves, pages, writes / 10, 0, &ind);     /* warm up */
	check += run(leaves, pages, writes, 0, &ind);
	check += run(leaves, pages, writes, 1, &ser);
	printf("pages=%-9" PRIu64 " writes=%-9" PRIu64 " independent %6.1f ns/write %6.2f M writes/s  "
	       "serial %6.1f ns/write %6.2f M writes/s  (checksum %" PRIu64 ")\n",
	       pages, writes, ind, 1e3 / ind, ser, 1e3 / ser, check % 1000);
	free(leaves);
	free(blks);
	return 0;
}
