/*
 * fuzz_policy_spec — libFuzzer target: the input is a policy spec
 * ("name[:key=value,...]") given to policy_new, as --policy and --policies are.
 * Any GError is a fine answer; a crash or a sanitizer report is a bug.  Built with
 * libFuzzer when WBSIM_FUZZ=ON; in every build it is also linked with replay.c to
 * replay tests/fuzz/regress/policy_spec/ under ctest.
 */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = g_strndup((const char *)data, size);     /* stops at a NUL, as argv */
	GError *err = NULL;
	struct policy *p = policy_new(spec, &err);
	if (p) {
		/* The canonical spec must read back as the same policy. */
		struct policy *again = policy_new(p->spec, &err);
		if (!again || strcmp(again->spec, p->spec))
			abort();
		policy_free(again);
		policy_free(p);
	}
	g_clear_error(&err);
	g_free(spec);
	return 0;
}
