/*
 * json_valid FILE... — exit 0 when every file holds one complete JSON document
 * (json-glib's parser; an empty file is not one), else name the bad ones and exit 1.
 * Used by tests/kill9/compare.sh on the results a killed `wbsim compare` left.
 */
#include <json-glib/json-glib.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	int bad = 0;
	for (int i = 1; i < argc; i++) {
		JsonParser *p = json_parser_new();
		GError *err = NULL;
		if (!json_parser_load_from_file(p, argv[i], &err)) {
			fprintf(stderr, "%s: %s\n", argv[i], err->message);
			g_error_free(err);
			bad = 1;
		} else if (!json_parser_get_root(p)) {
			fprintf(stderr, "%s: empty\n", argv[i]);
			bad = 1;
		}
		g_object_unref(p);
	}
	return bad;
}
