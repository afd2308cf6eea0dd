/* Shared scaffolding for the Check programs: one suite per file, run by CTest. */
#ifndef WBSIM_WBTEST_H
#define WBSIM_WBTEST_H

#include <check.h>
#include <stdlib.h>

#define WBTEST_MAIN(suite_fn)                                           \
	int main(void)                                                  \
	{                                                               \
		SRunner *sr = srunner_create(suite_fn());               \
		srunner_run_all(sr, CK_NORMAL);                         \
		int failed = srunner_ntests_failed(sr);                 \
		srunner_free(sr);                                       \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;            \
	}

#endif
