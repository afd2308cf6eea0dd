/*
 * strace_line — one line of `strace -f -tt -T` output taken apart: who, when, which
 * call, its arguments split at the top level, its result, errno and duration; or
 * the "<unfinished ...>" and "<... resumed>" halves of an interrupted call; or a
 * "+++ exited +++" / "--- SIGNAL ---" line.
 */
#ifndef WBSIM_STRACE_LINE_H
#define WBSIM_STRACE_LINE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

enum sline_kind {
	SL_CALL,                /* name(args) = ret <dur> */
	SL_UNFINISHED,          /* name(args <unfinished ...> */
	SL_RESUMED,             /* <... name resumed>rest) = ret <dur> */
	SL_EXIT,                /* +++ exited with N +++, +++ killed by SIG +++ */
	SL_SIGNAL,              /* --- SIGCHLD {...} --- */
	SL_OTHER,               /* strace's own messages ("Process N attached") */
};

struct sline {
	enum sline_kind kind;
	uint32_t pid;           /* 0: the line had none (strace without -f or -o) */
	uint64_t t_ns;          /* -tt: ns since midnight; -ttt: ns since the epoch */
	char name[32];
	char *args;             /* unfinished: the arguments so far; resumed: the rest */
	bool failed;            /* = -1 ERRNO, or = ? */
	int64_t ret;
	uint64_t dur_ns;        /* -T; 0 when absent */
};

/* Parse @s (modified in place: args point into it); false with a reason. */
bool sline_parse(char *s, struct sline *l, const char **why);

/* Split @args at its top-level commas (quotes, brackets, braces and parentheses
 * respected) into @out, each piece trimmed; pieces point into @args (modified). */
void sline_split(char *args, GPtrArray *out);

/* A C-escaped strace string "..." (maybe followed by "...") decoded; NULL when
 * @arg is not a string. */
char *sline_string(const char *arg);

/* Numbers as strace prints them: decimal, 0x hex, or an expression it did not
 * resolve; false when @arg is not a plain number. */
bool sline_number(const char *arg, int64_t *v);

/* Whether the flags expression @arg ("O_RDWR|O_CREAT|O_CLOEXEC") has @flag. */
bool sline_has_flag(const char *arg, const char *flag);

#endif
