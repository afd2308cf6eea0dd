/*
 * strace_line — taking one line of strace output apart (strace_line.h).  strace
 * prints arguments as C-like expressions: strings in quotes with escapes, arrays
 * in brackets, structures in braces, flags joined by '|'; a call interrupted by
 * another task's output is split over an "<unfinished ...>" line and a
 * "<... NAME resumed>" line.  Nothing here knows what a call means.
 */
#include "oplog/strace_line.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *skip_blank(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* The ')' that closes the call, from inside its parentheses; NULL if none. */
static char *find_close(char *p)
{
	int depth = 0;
	for (; *p; p++) {
		switch (*p) {
		case '"':
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return NULL;
			break;
		case '(': case '[': case '{':
			depth++;
			break;
		case ')': case ']': case '}':
			if (depth == 0)
				return *p == ')' ? p : NULL;
			depth--;
			break;
		}
	}
	return NULL;
}

static bool parse_time(char *tok, uint64_t *ns)
{
	uint64_t secs = 0, frac = 0, scale = 1000000000ull;
	char *p = tok;
	for (int part = 0;; part++) {
		if (!g_ascii_isdigit(*p))
			return false;
		uint64_t v = 0;
		while (g_ascii_isdigit(*p) && v < UINT64_MAX / 100)
			v = v * 10 + (uint64_t)(*p++ - '0');
		secs = part ? secs * 60 + v : v;
		if (*p != ':')
			break;
		if (part == 2)
			return false;
		p++;
	}
	if (*p == '.') {
		for (p++; g_ascii_isdigit(*p); p++)
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
	}
	if (*p || secs > UINT64_MAX / 1000000000ull - 1)
		return false;
	*ns = secs * 1000000000ull + frac;
	return true;
}

/* "= RET [ERRNO (text)] [<DUR>]" after the closing parenthesis. */
static bool parse_result(char *p, struct sline *l, const char **why)
{
	p = skip_blank(p);
	if (*p != '=') {
		*why = "expected \"= RESULT\" after the call's arguments";
		return false;
	}
	p = skip_blank(p + 1);
	char *end = p;
	while (*end && *end != ' ')
		end++;
	char save = *end;
	*end = '\0';
	if (!strcmp(p, "?")) {
		l->failed = true;
	} else if (!sline_number(p, &l->ret)) {
		*why = "the result is not a number";
		return false;
	}
	*end = save;
	if (l->ret < 0)
		l->failed = true;
	char *lt = strrchr(end, '<');
	if (lt) {
		char *gt = strchr(lt, '>');
		if (gt && !gt[1 + strspn(gt + 1, " \t")]) {
			*gt = '\0';
			uint64_t ns;
			if (parse_time(lt + 1, &ns))
				l->dur_ns = ns;
			else if (strcmp(lt + 1, "unavailable"))
				return *why = "bad duration <...> at the end", false;
		}
	}
	return true;
}

static bool call_name(char **pp, char *name, size_t cap)
{
	char *p = *pp;
	size_t n = 0;
	while (g_ascii_isalnum(p[n]) || p[n] == '_')
		n++;
	if (n == 0 || n >= cap)
		return false;
	memcpy(name, p, n);
	name[n] = '\0';
	*pp = p + n;
	return true;
}

bool sline_parse(char *s, struct sline *l, const char **why)
{
	memset(l, 0, sizeof(*l));
	char *p = skip_blank(s);
	if (g_str_has_prefix(p, "strace: ")) {
		l->kind = SL_OTHER;
		return true;
	}
	if (g_str_has_prefix(p, "[pid ")) {
		p = skip_blank(p + 5);
		l->pid = (uint32_t)strtoul(p, &p, 10);
		if (*p != ']')
			return *why = "bad \"[pid N]\" prefix", false;
		p = skip_blank(p + 1);
	} else if (g_ascii_isdigit(*p)) {
		char *q = p;
		while (g_ascii_isdigit(*q))
			q++;
		if (*q == ' ') {                /* a pid, then the time */
			l->pid = (uint32_t)strtoul(p, NULL, 10);
			p = skip_blank(q);
		}
	}
	char *tok = p;
	while (*p && *p != ' ')
		p++;
	if (!*p)
		return *why = "expected a time (strace -tt or -ttt) and a call", false;
	*p++ = '\0';
	if (!parse_time(tok, &l->t_ns))
		return *why = "expected a time as HH:MM:SS.USEC (-tt) or SECONDS.USEC (-ttt)", false;
	p = skip_blank(p);
	if (g_str_has_prefix(p, "+++ ")) {
		l->kind = SL_EXIT;
		return true;
	}
	if (g_str_has_prefix(p, "--- ")) {
		l->kind = SL_SIGNAL;
		return true;
	}
	if (g_str_has_prefix(p, "<... ")) {
		p += 5;
		if (!call_name(&p, l->name, sizeof(l->name)) || !g_str_has_prefix(p, " resumed>"))
			return *why = "expected \"<... NAME resumed>\"", false;
		p += 9;
		char *close = find_close(p);
		if (!close)
			return *why = "the resumed call has no closing parenthesis", false;
		*close = '\0';
		l->kind = SL_RESUMED;
		l->args = p;
		return parse_result(close + 1, l, why);
	}
	if (!call_name(&p, l->name, sizeof(l->name)) || *p != '(')
		return *why = "expected a system call NAME(ARGS)", false;
	p++;
	char *unf = strstr(p, "<unfinished ...>");
	if (unf && !unf[16 + strspn(unf + 16, " \t")]) {
		while (unf > p && (unf[-1] == ' ' || unf[-1] == '\t'))
			unf--;
		*unf = '\0';
		l->kind = SL_UNFINISHED;
		l->args = p;
		return true;
	}
	char *close = find_close(p);
	if (!close)
		return *why = "the call's arguments have no closing parenthesis", false;
	*close = '\0';
	l->kind = SL_CALL;
	l->args = p;
	return parse_result(close + 1, l, why);
}

void sline_split(char *args, GPtrArray *out)
{
	char *start = args, *p = args;
	int depth = 0;
	g_ptr_array_set_size(out, 0);
	if (!*skip_blank(args))
		return;
	for (;; p++) {
		char c = *p;
		if (c == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				break;
			continue;
		}
		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if ((c == ')' || c == ']' || c == '}') && depth)
			depth--;
		if ((c == ',' && depth == 0) || c == '\0') {
			*p = '\0';
			char *a = skip_blank(start);
			char *e = a + strlen(a);
			while (e > a && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
			g_ptr_array_add(out, a);
			if (c == '\0')
				return;
			start = p + 1;
		}
	}
	g_ptr_array_add(out, skip_blank(start));
}

char *sline_string(const char *arg)
{
	if (*arg != '"')
		return NULL;
	GString *s = g_string_new(NULL);
	const char *p = arg + 1;
	for (; *p && *p != '"'; p++) {
		if (*p != '\\' || !p[1]) {
			g_string_append_c(s, *p);
			continue;
		}
		p++;
		switch (*p) {
		case 'n': g_string_append_c(s, '\n'); break;
		case 't': g_string_append_c(s, '\t'); break;
		case 'r': g_string_append_c(s, '\r'); break;
		case 'v': g_string_append_c(s, '\v'); break;
		case 'f': g_string_append_c(s, '\f'); break;
		case 'x': {
			int v = 0, n = 0;
			while (n < 2 && g_ascii_isxdigit(p[1]))
				v = v * 16 + g_ascii_xdigit_value(*++p), n++;
			g_string_append_c(s, (char)v);
			break;
		}
		default:
			if (*p >= '0' && *p <= '7') {
				int v = *p - '0', n = 1;
				while (n < 3 && p[1] >= '0' && p[1] <= '7')
					v = v * 8 + (*++p - '0'), n++;
				g_string_append_c(s, (char)v);
			} else {
				g_string_append_c(s, *p);
			}
		}
	}
	if (*p != '"') {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

bool sline_number(const char *arg, int64_t *v)
{
	if (!*arg)
		return false;
	char *end;
	errno = 0;
	long long x;
	if (arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X'))
		x = (long long)strtoull(arg, &end, 16);
	else
		x = strtoll(arg, &end, 10);
	if (*end || errno)
		return false;
	*v = x;
	return true;
}

bool sline_has_flag(const char *arg, const char *flag)
{
	size_t n = strlen(flag);
	for (const char *p = arg; (p = strstr(p, flag)); p += n) {
		bool start = p == arg || p[-1] == '|' || p[-1] == ' ' || p[-1] == '=' || p[-1] == '{';
		char e = p[n];
		if (start && (e == '\0' || e == '|' || e == ' ' || e == ',' || e == '}'))
			return true;
	}
	return false;
}
