/* wbsim — the command line.  Grows with the CLI issue; for now it names itself. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
		printf("wbsim 0.1\n");
		return 0;
	}
	fprintf(stderr, "usage: wbsim --version\n");
	return 2;
}
