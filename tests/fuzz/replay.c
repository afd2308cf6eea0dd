/*
 * replay — run a fuzz target's LLVMFuzzerTestOneInput on files, without libFuzzer:
 * how ctest replays the inputs the fuzzers once crashed on (tests/fuzz/regress/).
 *
 *     fuzz_scenario_replay FILE...
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		char *buf = NULL;
		gsize len = 0;
		GError *err = NULL;
		if (!g_file_get_contents(argv[i], &buf, &len, &err)) {
			fprintf(stderr, "%s\n", err->message);
			g_error_free(err);
			return 2;
		}
		fprintf(stderr, "replaying %s (%zu bytes)\n", argv[i], (size_t)len);
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		g_free(buf);
	}
	return 0;
}
