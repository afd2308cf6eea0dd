/* The page-cache index: sparse storage and tag iteration in index order. */
#include "xarray.h"
#include "wbtest.h"

#include <glib.h>

static int dummy[1];
#define E(i) ((void *)((char *)dummy + (i)))   /* distinct non-NULL entries */

START_TEST(store_load_erase)
{
	struct xarray xa;
	xa_init(&xa, 1 << 20);
	ck_assert_ptr_null(xa_load(&xa, 5));
	xa_store(&xa, 5, E(1));
	xa_store(&xa, (1 << 20) - 1, E(2));
	ck_assert_ptr_eq(xa_load(&xa, 5), E(1));
	ck_assert_ptr_eq(xa_load(&xa, (1 << 20) - 1), E(2));
	ck_assert_ptr_null(xa_load(&xa, 6));
	ck_assert_ptr_null(xa_load(&xa, 1 << 20));      /* beyond the end */
	xa_erase(&xa, 5);
	ck_assert_ptr_null(xa_load(&xa, 5));
	/* Sparse: two entries 1M apart need two root-to-leaf paths, not 1M slots. */
	ck_assert_uint_le(xa.nr_nodes, 2 * 4);
	xa_destroy(&xa);
}
END_TEST

START_TEST(tag_iteration_in_order_skipping_untouched)
{
	struct xarray xa;
	xa_init(&xa, 10000000);
	uint64_t idx[] = { 3, 64, 65, 4095, 4096, 262143, 262144, 9999999 };
	for (unsigned i = 0; i < G_N_ELEMENTS(idx); i++) {
		xa_store(&xa, idx[i], E(i + 1));
		if (i % 2 == 0)
			xa_set_tag(&xa, idx[i], XA_DIRTY);
	}
	/* DIRTY on 3, 65, 4096, 262144 */
	uint64_t want[] = { 3, 65, 4096, 262144 };
	uint64_t at = 0;
	for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
		void *e = xa_find_tag(&xa, &at, UINT64_MAX, XA_DIRTY);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(at, want[i]);
		ck_assert_ptr_eq(e, xa_load(&xa, want[i]));
		at++;
	}
	ck_assert_ptr_null(xa_find_tag(&xa, &at, UINT64_MAX, XA_DIRTY));
	/* A bounded range stops at its end. */
	at = 66;
	ck_assert_ptr_null(xa_find_tag(&xa, &at, 4095, XA_DIRTY));
	/* Clearing the tag on the only tagged entry of a subtree hides the subtree. */
	xa_clear_tag(&xa, 4096, XA_DIRTY);
	at = 66;
	ck_assert_ptr_nonnull(xa_find_tag(&xa, &at, UINT64_MAX, XA_DIRTY));
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
	/* Erasing drops the entry's tags too. */
	xa_erase(&xa, 3);
	ck_assert(!xa_get_tag(&xa, 3, XA_DIRTY));
	ck_assert(xa_tagged(&xa, XA_DIRTY));
	xa_destroy(&xa);
}
END_TEST

/* One, two and four levels of nodes. */
static const uint64_t reference_sizes[] = { 50, 3000, 300000 };

START_TEST(random_against_reference)
{
	const uint64_t n = reference_sizes[_i];
	struct xarray xa;
	xa_init(&xa, n);
	guint8 *present = g_new0(guint8, n), *tag = g_new0(guint8, n);
	GRand *g = g_rand_new_with_seed(3);
	for (int step = 0; step < 200000; step++) {
		uint64_t i = (uint64_t)g_rand_int_range(g, 0, (gint32)n);
		switch (g_rand_int_range(g, 0, 6)) {
		case 0:
		case 1:
			xa_store(&xa, i, E(1));
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
			void *e = xa_find_tag(&xa, &at, end, XA_TOWRITE);
			if (ref <= end && ref < n) {
				ck_assert_ptr_nonnull(e);
				ck_assert_uint_eq(at, ref);
			} else {
				ck_assert_ptr_null(e);
			}
			break;
		}
		case 5: {
			/* The gang lookup returns the next 16 tagged entries to the end,
			 * however far apart, and moves the index past the last. */
			void *out[16];
			uint64_t idx[16];
			uint64_t at = i, ref = i;
			unsigned got = xa_gather_tag(&xa, &at, UINT64_MAX, XA_TOWRITE, out, idx, 16);
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
	tcase_add_test(tc, store_load_erase);
	tcase_add_test(tc, tag_iteration_in_order_skipping_untouched);
	tcase_add_loop_test(tc, random_against_reference, 0, G_N_ELEMENTS(reference_sizes));
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(xarray_suite)
