/*
 * kexec_pattern — the bytes every writing op puts down, and compact summaries of the
 * bytes a read got back.
 *
 * A summary is a list of runs: [from, to) of file positions whose byte p is byte
 * (p mod 8) of one word.  Data written by ops is a handful of runs whatever its
 * length (one per op whose bytes it holds), so a worker in another process can hand
 * the loop what it read through a fixed slot of shared memory.
 */
#include "linux/kexec_priv.h"

#include <string.h>

uint64_t kx_pattern(uint32_t op)
{
	/* splitmix64: neighbouring op ids get unrelated words, so a byte that happens to
	 * equal another op's byte is a 1-in-256 accident, not a rule. */
	uint64_t z = (uint64_t)op + 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	for (unsigned k = 0; k < 8; k++)
		if (!((z >> (8 * k)) & 0xff))
			z |= (uint64_t)(0x5au ^ k) << (8 * k);
	return z;
}

static inline uint64_t load_word(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return GUINT64_FROM_LE(w);
}

void kx_fill(void *dst, uint64_t pos, uint64_t len, uint64_t word)
{
	uint8_t *d = dst;
	uint64_t i = 0;
	while (i < len && ((pos + i) & 7)) {
		d[i] = kx_byte(word, pos + i);
		i++;
	}
	uint64_t le = GUINT64_TO_LE(word);
	for (; i + 8 <= len; i += 8)
		memcpy(d + i, &le, 8);
	for (; i < len; i++)
		d[i] = kx_byte(word, pos + i);
}

/* Do bytes [p, p+n) (within one aligned word) of @s equal those of @word? */
static bool window_matches(uint64_t word, const uint8_t *s, uint64_t p, uint64_t n)
{
	if (n == 8)
		return load_word(s) == word;
	for (uint64_t j = 0; j < n; j++)
		if (s[j] != kx_byte(word, p + j))
			return false;
	return true;
}

/* A word whose bytes at [p, p+n) are those of @s; the rest borrowed from @fill. */
static uint64_t window_word(const uint8_t *s, uint64_t p, uint64_t n, uint64_t fill)
{
	if (n == 8)
		return load_word(s);
	uint64_t w = fill;
	for (uint64_t j = 0; j < n; j++) {
		unsigned sh = 8 * ((p + j) & 7);
		w = (w & ~(0xffull << sh)) | (uint64_t)s[j] << sh;
	}
	return w;
}

bool kx_summarise(const void *src, uint64_t pos, uint64_t len, struct kx_run *runs, uint32_t max,
		  uint32_t *n)
{
	const uint8_t *s = src;
	uint32_t k = 0;
	struct kx_run cur = { 0, 0, 0 };
	bool open = false;
	uint64_t i = 0;
	while (i < len) {
		uint64_t p = pos + i;
		uint64_t chunk = MIN(((p & ~7ull) + 8) - p, len - i);
		if (open) {
			if (window_matches(cur.word, s + i, p, chunk)) {
				cur.to = p + chunk;
				i += chunk;
				continue;
			}
			/* Two ops meet inside this word: the run goes on up to the first byte
			 * that differs, and the next one starts there. */
			uint64_t j = 0;
			while (j < chunk && s[i + j] == kx_byte(cur.word, p + j))
				j++;
			cur.to = p + j;
			if (k == max)
				return false;
			runs[k++] = cur;
			i += j;
			p += j;
			chunk -= j;
		}
		/* A partial word borrows its other bytes from the next full word when they
		 * agree, so the run it starts can go on through it. */
		uint64_t fill = 0;
		if (chunk < 8 && i + chunk + 8 <= len) {
			uint64_t next = load_word(s + i + chunk);
			if (window_matches(next, s + i, p, chunk))
				fill = next;
		}
		cur.from = p;
		cur.to = p + chunk;
		cur.word = window_word(s + i, p, chunk, fill);
		open = true;
		i += chunk;
	}
	if (open) {
		if (k == max)
			return false;
		runs[k++] = cur;
	}
	*n = k;
	return true;
}

void kx_materialise(const struct kx_run *runs, uint32_t n, uint64_t pos, uint64_t len, void *dst)
{
	uint8_t *d = dst;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = MAX(runs[i].from, pos), b = MIN(runs[i].to, pos + len);
		if (a < b)
			kx_fill(d + (a - pos), a, b - a, runs[i].word);
	}
}

uint64_t kx_hash(const void *p, size_t len)
{
	const uint8_t *s = p;
	uint64_t h = 0xcbf29ce484222325ull ^ len;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		h ^= load_word(s + i);
		h *= 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return h ^ (h >> 31);
}
