/* The page-cache index's marks: sparse memory and iteration in index order. */
#include "mm/xarray.h"
#include "wbtest.h"

#include <glib.h>

#include <sys/mman.h>
#include <unistd.h>

/* Pages of [mem, mem + bytes) the kernel has materialized. */
static size_t resident_pages(const void *mem, size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = (bytes + page - 1) / page, got = 0;
	unsigned char *vec = g_malloc(n);
	ck_assert_int_eq(mincore((void *)mem, bytes, vec), 0);
	for (size_t i = 0; i < n; i++)
		got += vec[i] & 1;
	g_free(vec);
	return got;
}

START_TEST(sparse_marks_cost_the_pages_they_use)
{
	struct xarray xa;
	ck_assert(xa_init(&xa, 1ull << 32));    /* the largest file: 16 TiB */
	ck_assert_uint_eq(xa.height, 6);
	ck_assert_uint_eq(xa_bytes(&xa), 0);
	ck_assert(!xa_tagged(&xa, XA_PRESENT));
	xa_set_tag(&xa, 5, XA_PRESENT);
	xa_set_tag(&xa, (1ull << 32) - 1, XA_PRESENT);
	xa_set_tag(&xa, 5, XA_DIRTY);
	ck_assert(xa_get_tag(&xa, 5, XA_PRESENT));
	ck_assert(xa_get_tag(&xa, 5, XA_DIRTY));
	ck_assert(!xa_get_tag(&xa, 6, XA_PRESENT));
	ck_assert(!xa_get_tag(&xa, 1ull << 32, XA_PRESENT));   /* beyond the end */
	/* Two indices at opposite ends: a path of one page per level each, not the
	 * gigabytes the levels span.  The paths meet in the top node, and one level down
	 * in its page: nodes 0 and 3 of level 4 (an index over 2^30) share a page. */
	ck_assert_uint_eq(xa_bytes(&xa), (2 * 4 + 1 + 1) * 4096);
	/* And that is what the kernel holds: the count is not a model of memory but the
	 * memory (only marks were set so far: a read would map the zero page too). */
	size_t resident = 0;
	for (unsigned l = 0; l < xa.height; l++)
		resident += resident_pages(xa.level[l], xa.level_bytes[l]);
	ck_assert_uint_eq(resident * (size_t)sysconf(_SC_PAGESIZE), xa_bytes(&xa));
	xa_destroy(&xa);
}
END_TEST

START_TEST(tag_iteration_in_order_skipping_untouched)
{
	struct xarray xa;
	ck_assert(xa_init(&xa, 10000000));
	uint64_t idx[] = { 3, 64, 65, 4095, 4096, 262143, 262144, 9999999 };
	for (unsigned i = 0; i < G_N_ELEMENTS(idx); i++) {
		xa_set_tag(&xa, idx[i], XA_PRESENT);
		if (i % 2 == 0)
			xa_set_tag(&xa, idx[i], XA_DIRTY);
	}
	/* DIRTY on 3, 65, 4096, 262144 */
	uint64_t want[] = { 3, 65, 4096, 262144 };
	uint64_t at = 0;
	for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
		ck_assert(xa_find_tag(&xa, &at, UINT64_MAX, XA_DIRTY));
		ck_assert_uint_eq(at, want[i]);
		at++;
	}
	ck_assert(!xa_find_tag(&xa, &at, UINT64_MAX, XA_DIRTY));
	/* A bounded range stops at its end. */
	at = 66;
	ck_assert(!xa_find_tag(&xa, &at, 4095, XA_DIRTY));
	/* Clearing the mark on the only marked index of a subtree hides the subtree. */
	xa_clear_tag(&xa, 4096, XA_DIRTY);
	at = 66;
	ck_assert(xa_find_tag(&xa, &at, UINT64_MAX, XA_DIRTY));
	ck_assert_uint_eq(at, 262144);
	ck_assert(xa_get_tag(&xa, 3, XA_DIRTY));
	ck_assert(!xa_get_tag(&xa, 64, XA_DIRTY));
	/* PRESENT finds every entry. */
	at = 0;
	unsigned n = 0;
	while (xa_find_tag(&xa, &at, UINT64_MAX, XA_PRESENT)) {
		ck_assert_uint_eq(at, idx[n]);
		n++;
		at++;
	}
	ck_assert_uint_eq(n, G_N_ELEMENTS(idx));
	/* Clearing every DIRTY mark leaves none anywhere, the top included. */
	xa_clear_tag(&xa, 3, XA_DIRTY);
	xa_clear_tag(&xa, 65, XA_DIRTY);
	ck_assert(xa_tagged(&xa, XA_DIRTY));
	xa_clear_tag(&xa, 262144, XA_DIRTY);
	ck_assert(!xa_tagged(&xa, XA_DIRTY));
	ck_assert(xa_tagged(&xa, XA_PRESENT));
	xa_destroy(&xa);
}
END_TEST

/* One, two and four levels of nodes. */
static const uint64_t reference_sizes[] = { 50, 3000, 300000 };

START_TEST(random_against_reference)
{
	const uint64_t n = reference_sizes[_i];
	struct xarray xa;
	ck_assert(xa_init(&xa, n));
	guint8 *present = g_new0(guint8, n), *tag = g_new0(guint8, n);
	GRand *g = g_rand_new_with_seed(3);
	for (int step = 0; step < 200000; step++) {
		uint64_t i = (uint64_t)g_rand_int_range(g, 0, (gint32)n);
		switch (g_rand_int_range(g, 0, 6)) {
		case 0:
		case 1:
			xa_set_tag(&xa, i, XA_PRESENT);
			present[i] = 1;
			break;
		case 2:
			if (present[i]) {
				xa_set_tag(&xa, i, XA_TOWRITE);
				tag[i] = 1;
			}
			break;
		case 3:
			xa_clear_tag(&xa, i, XA_TOWRITE);
			tag[i] = 0;
			break;
		case 4: {
			uint64_t end = i + (uint64_t)g_rand_int_range(g, 0, 5000);
			uint64_t at = i, ref = i;
			while (ref <= end && ref < n && !tag[ref])
				ref++;
			bool found = xa_find_tag(&xa, &at, end, XA_TOWRITE);
			if (ref <= end && ref < n) {
				ck_assert(found);
				ck_assert_uint_eq(at, ref);
			} else {
				ck_assert(!found);
			}
			break;
		}
		case 5: {
			/* The gang lookup returns the next 16 tagged entries to the end,
			 * however far apart, and moves the index past the last. */
			uint64_t idx[16];
			uint64_t at = i, ref = i;
			unsigned got = xa_gather_tag(&xa, &at, UINT64_MAX, XA_TOWRITE, idx, 16);
			unsigned want = 0;
			uint64_t last_found = 0;
			for (; ref < n && want < 16; ref++)
				if (tag[ref]) {
					if (want < got)
						ck_assert_uint_eq(idx[want], ref);
					want++;
					last_found = ref;
				}
			ck_assert_uint_eq(got, want);
			if (want == 16)
				ck_assert_uint_eq(at, last_found + 1);
			else
				ck_assert_uint_eq(at, n);       /* past the end */
			/* And up to a bound that may cut a leaf word in the middle. */
			uint64_t end = i + (uint64_t)g_rand_int_range(g, 0, 200);
			at = i;
			got = xa_gather_tag(&xa, &at, end, XA_TOWRITE, idx, 16);
			want = 0;
			for (ref = i; ref <= end && ref < n && want < 16; ref++)
				if (tag[ref]) {
					if (want < got)
						ck_assert_uint_eq(idx[want], ref);
					want++;
					last_found = ref;
				}
			ck_assert_uint_eq(got, want);
			if (want == 16)
				ck_assert_uint_eq(at, last_found + 1);
			else
				ck_assert_uint_eq(at, MIN(end, n - 1) + 1);
			break;
		}
		}
	}
	g_rand_free(g);
	g_free(present);
	g_free(tag);
	xa_destroy(&xa);
}
END_TEST

static Suite *xarray_suite(void)
{
	Suite *s = suite_create("xarray");
	TCase *tc = tcase_create("index");
	tcase_add_test(tc, sparse_marks_cost_the_pages_they_use);
	tcase_add_test(tc, tag_iteration_in_order_skipping_untouched);
	tcase_add_loop_test(tc, random_against_reference, 0, G_N_ELEMENTS(reference_sizes));
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(xarray_suite)
