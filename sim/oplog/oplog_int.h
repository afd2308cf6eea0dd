/*
 * oplog_int — what the op-log files share and nobody else needs: the lexer of one
 * line, the op table, and the header's line parser and formatter.
 */
#ifndef WBSIM_OPLOG_INT_H
#define WBSIM_OPLOG_INT_H

#include "oplog/oplog.h"

#include <stddef.h>

/* Longest line a reader accepts; a longer one is an error, not a memory hog. */
#define OPLOG_MAX_LINE (1u << 20)

/* ---- one line (oplog_lex.c) --------------------------------------------------------- */

/* A cursor over one line, for messages: "path:line: ..." */
struct lex {
	const char *p, *end;
	const char *path;
	uint64_t line;
};

bool lex_fail(const struct lex *x, GError **err, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/*
 * The pieces every op line is made of are inline: a replay reads each line twice
 * (oplog_check, then the task's cursor), and a call per number was most of the cost
 * of a line.  Anything unusual (a long number, a bad character, an error to report)
 * goes to the *_slow function, which handles every case.
 */
static inline bool lex_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Spaces and tabs. */
static inline void lex_blank(struct lex *x)
{
	while (x->p < x->end && lex_is_blank(*x->p))
		x->p++;
}

/* The line has nothing more but blanks and maybe a comment. */
static inline bool lex_at_end(struct lex *x)
{
	lex_blank(x);
	return x->p == x->end || *x->p == '#';
}

/* Where a number or an id may end: a blank, a comment, the end of the line. */
static inline bool lex_is_end(const struct lex *x, const char *p)
{
	return p == x->end || lex_is_blank(*p) || *p == '#';
}

bool lex_u64_slow(struct lex *x, uint64_t *v, const char *what, GError **err);
/* Decimal digits, no sign; false (message naming @what) when absent or too big. */
static inline bool lex_u64(struct lex *x, uint64_t *v, const char *what, GError **err)
{
	lex_blank(x);
	const char *p = x->p;
	uint64_t n = 0;
	unsigned d;
	while (p < x->end && (d = (unsigned)(unsigned char)*p - '0') < 10) {
		n = n * 10 + d;
		p++;
	}
	/* Up to 19 digits always fit in 64 bits. */
	if (G_LIKELY(p > x->p && p - x->p <= 19 && lex_is_end(x, p))) {
		x->p = p;
		*v = n;
		return true;
	}
	return lex_u64_slow(x, v, what, err);
}

/* A bare word: letters, digits, '_', '-', '.', ':', ',', '=', '/' ... up to a blank. */
bool lex_word(struct lex *x, const char **w, size_t *n);

bool lex_id_slow(struct lex *x, const char *prefix, uint32_t *id, const char *what,
		 GError **err);
/* An id with its type prefix ("f3", "pin2"); the message names @what. */
static inline bool lex_id(struct lex *x, const char *prefix, uint32_t *id, const char *what,
			  GError **err)
{
	lex_blank(x);
	const char *p = x->p;
	/* One-letter prefixes (f, m, t, p) with up to 9 digits: no overflow possible. */
	if (prefix[1] == '\0' && p < x->end && *p == prefix[0]) {
		uint32_t n = 0;
		unsigned d;
		const char *digits = ++p;
		while (p < x->end && p - digits < 9 && (d = (unsigned)(unsigned char)*p - '0') < 10) {
			n = n * 10 + d;
			p++;
		}
		if (G_LIKELY(n && lex_is_end(x, p))) {
			x->p = p;
			*id = n;
			return true;
		}
	}
	return lex_id_slow(x, prefix, id, what, err);
}

/* key=value fields (declarations, header lines): value bare or "quoted\n". */
struct lex_field {
	char *key;
	char *value;
	bool used;
};
/* The rest of the line as fields; g_array_unref frees them (a clear func is set). */
GArray *lex_fields(struct lex *x, GError **err);
/* Find a field; marks it used.  NULL when absent. */
const char *lex_field_get(GArray *fields, const char *key);
/* Every field used, else an error naming the first unknown one and what @call takes. */
bool lex_fields_done(const struct lex *x, GArray *fields, const char *call,
		     const char *accepted, GError **err);
/* Values of fields, with messages naming the field and the line. */
bool lex_field_size(const struct lex *x, const char *key, const char *v, uint64_t *out,
		    GError **err);
bool lex_field_duration(const struct lex *x, const char *key, const char *v, uint64_t *out,
			GError **err);
bool lex_field_id(const struct lex *x, const char *key, const char *v, const char *prefix,
		  uint32_t *out, GError **err);

/* Append @s quoted when it needs to be (blanks, quotes, '#', empty), else bare. */
void lex_append_value(GString *out, const char *s);
void lex_append_u64(GString *out, uint64_t v);
/* Exact unit forms: "16MiB" when whole, else bytes; "5ms" when whole, else "ns". */
void lex_append_size(GString *out, uint64_t bytes);
void lex_append_duration(GString *out, uint64_t ns);

/* ---- ops (oplog_ops.c) ------------------------------------------------------------------- */

/* Parse an op line from the op name on (the task, issue and think are filled
 * already); @version is the header's.  @scratch holds a declaration's name. */
bool oplog_parse_op(struct lex *x, unsigned version, struct oplog_op *op, GString *scratch,
		    GError **err);
/* The arguments of an op of kind @k, after its name (header declarations reuse the
 * declaring ops' syntax: "file f1 name=... size=..."). */
bool oplog_parse_args(struct lex *x, enum oplog_kind k, struct oplog_op *o, GString *scratch,
		      GError **err);
/* Append an op's line, without a newline. */
void oplog_append_op(GString *out, const struct oplog_op *op);
/* Only its arguments, each after a blank (header declarations). */
void oplog_append_args(GString *out, const struct oplog_op *op);

/* ---- the header (oplog_header.c) ------------------------------------------------------- */

/* Whether a line starting with @word is a header line (a keyword of the header). */
bool oplog_header_keyword(const char *word, size_t n);
/* One header line, its keyword in @word; updates @h. */
bool oplog_header_parse_line(struct oplog_header *h, struct lex *x, const char *word, size_t n,
			     GError **err);
/* The header, every line with its newline, from the magic line on. */
void oplog_header_append(GString *out, const struct oplog_header *h);

#endif
