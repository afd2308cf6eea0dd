/*
 * bench_floor — what this machine's memory allows a random buffered write over a big
 * file, before any simulation: the least the model's layout must touch.  As in the
 * model, blocks are 64-byte lines in one flat array indexed by page index, and the
 * index's marks are one 64-byte node per 64 pages; each "write" reads its block, sets
 * the node's dirty bit and writes the block's content: one random miss for the block
 * and one for the node (independent of each other: both addresses are arithmetic).
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

struct node {
	uint64_t tags[8];               /* struct xarray's node: a word per mark */
};

struct blk {
	uint64_t w[8];                  /* 64 bytes, like struct blk with its first page */
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

/* Zeroed, in 4 KiB pages, as the model reserves its arrays. */
static void *zalloc(size_t bytes)
{
	void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		fprintf(stderr, "bench_floor: out of memory\n");
		exit(2);
	}
#ifdef MADV_NOHUGEPAGE
	madvise(mem, bytes, MADV_NOHUGEPAGE);
#endif
	memset(mem, 0, bytes);
	return mem;
}

static uint64_t __attribute__((noinline)) run(struct node *nodes, struct blk *blks,
					      uint64_t pages, uint64_t writes, int serial,
					      double *ns_per_write)
{
	uint64_t sum = 0, dep = 0;
	double t0 = now_s();
	for (uint64_t k = 0; k < writes; k++) {
		uint64_t i = (next_rand() ^ dep) % pages;
		struct blk *b = &blks[i];
		nodes[i / 64].tags[1] |= 1ull << (i % 64);
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
	struct node *nodes = zalloc(pages / 64 * sizeof(struct node));
	struct blk *blks = zalloc(pages * sizeof(struct blk));
	for (uint64_t i = 0; i < pages; i++)
		blks[i].w[0] = i;

	double ind, ser;
	uint64_t check = run(nodes, blks, pages, writes / 10, 0, &ind);     /* warm up */
	check += run(nodes, blks, pages, writes, 0, &ind);
	check += run(nodes, blks, pages, writes, 1, &ser);
	printf("pages=%-9" PRIu64 " writes=%-9" PRIu64 " independent %6.1f ns/write %6.2f M writes/s  "
	       "serial %6.1f ns/write %6.2f M writes/s  (checksum %" PRIu64 ")\n",
	       pages, writes, ind, 1e3 / ind, ser, 1e3 / ser, check % 1000);
	munmap(nodes, pages / 64 * sizeof(struct node));
	munmap(blks, pages * sizeof(struct blk));
	return 0;
}
