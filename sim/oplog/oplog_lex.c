/*
 * oplog_lex — reading and writing the pieces of one op-log line: numbers, ids with
 * their type prefix, words, key=value fields with quoted values, and the exact
 * unit forms of sizes and durations.  The op line's hot path (numbers, ids) is
 * plain pointer walking; fields are for declarations and the header, which are few.
 */
#include "oplog/oplog_int.h"

#include <stdarg.h>
#include <string.h>

#include "engine/units.h"

G_DEFINE_QUARK(wbsim-oplog-error-quark, oplog_error)

bool lex_fail(const struct lex *x, GError **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* Line 0: not a line of a file (a command-line option's text). */
	if (x->line)
		g_set_error(err, OPLOG_ERROR, OPLOG_ERROR_PARSE, "%s:%" G_GUINT64_FORMAT ": %s",
			    x->path, x->line, msg);
	else
		g_set_error(err, OPLOG_ERROR, OPLOG_ERROR_PARSE, "%s: %s", x->path, msg);
	g_free(msg);
	return false;
}

bool lex_u64_slow(struct lex *x, uint64_t *v, const char *what, GError **err)
{
	lex_blank(x);
	const char *p = x->p;
	uint64_t n = 0;
	while (p < x->end && (unsigned)(*p - '0') < 10) {
		if (G_UNLIKELY(__builtin_mul_overflow(n, 10u, &n) ||
			       __builtin_add_overflow(n, (unsigned)(*p - '0'), &n)))
			return lex_fail(x, err, "%s does not fit in 64 bits", what);
		p++;
	}
	if (G_UNLIKELY(p == x->p || (p < x->end && !lex_is_blank(*p) && *p != '#'))) {
		const char *w;
		size_t len;
		if (!lex_word(x, &w, &len))
			return lex_fail(x, err, "%s is missing", what);
		return lex_fail(x, err, "%s must be a decimal number, got \"%.*s\"", what, (int)len, w);
	}
	x->p = p;
	*v = n;
	return true;
}

bool lex_word(struct lex *x, const char **w, size_t *n)
{
	lex_blank(x);
	const char *p = x->p;
	while (p < x->end && !lex_is_blank(*p) && *p != '#')
		p++;
	if (p == x->p)
		return false;
	*w = x->p;
	*n = (size_t)(p - x->p);
	x->p = p;
	return true;
}

bool lex_id_slow(struct lex *x, const char *prefix, uint32_t *id, const char *what,
		 GError **err)
{
	lex_blank(x);
	size_t pl = strlen(prefix);
	const char *p = x->p;
	uint64_t n = 0;
	if ((size_t)(x->end - p) > pl && !memcmp(p, prefix, pl)) {
		p += pl;
		const char *digits = p;
		while (p < x->end && (unsigned)(*p - '0') < 10 && n <= UINT32_MAX)
			n = n * 10 + (unsigned)(*p++ - '0');
		if (p > digits && n >= 1 && n <= UINT32_MAX &&
		    (p == x->end || lex_is_blank(*p) || *p == '#')) {
			x->p = p;
			*id = (uint32_t)n;
			return true;
		}
	}
	const char *w;
	size_t len;
	if (!lex_word(x, &w, &len))
		return lex_fail(x, err, "%s is missing (%s<N>)", what, prefix);
	return lex_fail(x, err, "%s must be %s<N> with N from 1 to 4294967295, got \"%.*s\"", what,
			prefix, (int)len, w);
}

/* ---- fields ----------------------------------------------------------------------- */

static void field_clear(void *p)
{
	struct lex_field *f = p;
	g_free(f->key);
	g_free(f->value);
}

static bool lex_quoted(struct lex *x, char **out, GError **err)
{
	const char *start = ++x->p;
	while (x->p < x->end && *x->p != '"') {
		if (*x->p == '\\' && x->p + 1 < x->end)
			x->p++;
		x->p++;
	}
	if (x->p >= x->end)
		return lex_fail(x, err, "a quoted value has no closing '\"'");
	char *raw = g_strndup(start, (gsize)(x->p - start));
	x->p++;
	*out = g_strcompress(raw);
	g_free(raw);
	return true;
}

GArray *lex_fields(struct lex *x, GError **err)
{
	GArray *a = g_array_new(FALSE, TRUE, sizeof(struct lex_field));
	g_array_set_clear_func(a, field_clear);
	while (!lex_at_end(x)) {
		const char *k = x->p;
		while (x->p < x->end && (g_ascii_isalnum(*x->p) || *x->p == '_'))
			x->p++;
		if (x->p == k || x->p >= x->end || *x->p != '=') {
			const char *w;
			size_t n;
			x->p = k;
			lex_word(x, &w, &n);
			lex_fail(x, err, "expected key=value, got \"%.*s\"", (int)n, w);
			g_array_unref(a);
			return NULL;
		}
		struct lex_field f = { .key = g_strndup(k, (gsize)(x->p - k)) };
		x->p++;
		if (x->p < x->end && *x->p == '"') {
			if (!lex_quoted(x, &f.value, err)) {
				g_free(f.key);
				g_array_unref(a);
				return NULL;
			}
		} else {
			const char *w = x->p;
			while (x->p < x->end && !lex_is_blank(*x->p) && *x->p != '#')
				x->p++;
			f.value = g_strndup(w, (gsize)(x->p - w));
		}
		for (guint i = 0; i < a->len; i++) {
			if (!strcmp(g_array_index(a, struct lex_field, i).key, f.key)) {
				lex_fail(x, err, "%s= is given twice", f.key);
				field_clear(&f);
				g_array_unref(a);
				return NULL;
			}
		}
		g_array_append_val(a, f);
	}
	return a;
}

const char *lex_field_get(GArray *fields, const char *key)
{
	for (guint i = 0; i < fields->len; i++) {
		struct lex_field *f = &g_array_index(fields, struct lex_field, i);
		if (!strcmp(f->key, key)) {
			f->used = true;
			return f->value;
		}
	}
	return NULL;
}

bool lex_fields_done(const struct lex *x, GArray *fields, const char *call, const char *accepted,
		     GError **err)
{
	for (guint i = 0; i < fields->len; i++) {
		struct lex_field *f = &g_array_index(fields, struct lex_field, i);
		if (!f->used)
			return lex_fail(x, err, "%s: unknown field %s= (it takes %s)", call, f->key,
					accepted);
	}
	return true;
}

bool lex_field_size(const struct lex *x, const char *key, const char *v, uint64_t *out,
		    GError **err)
{
	GError *e = NULL;
	if (units_parse_size(v, out, &e))
		return true;
	lex_fail(x, err, "%s=: %s", key, e->message);
	g_error_free(e);
	return false;
}

bool lex_field_duration(const struct lex *x, const char *key, const char *v, uint64_t *out,
			GError **err)
{
	GError *e = NULL;
	if (units_parse_duration(v, out, &e))
		return true;
	lex_fail(x, err, "%s=: %s", key, e->message);
	g_error_free(e);
	return false;
}

bool lex_field_id(const struct lex *x, const char *key, const char *v, const char *prefix,
		  uint32_t *out, GError **err)
{
	struct lex y = { v, v + strlen(v), x->path, x->line };
	char what[64];
	g_snprintf(what, sizeof(what), "%s=", key);
	return lex_id(&y, prefix, out, what, err) && lex_at_end(&y);
}

/* ---- writing ------------------------------------------------------------------------ */

void lex_append_u64(GString *out, uint64_t v)
{
	char buf[24];
	char *p = buf + sizeof(buf);
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	g_string_append_len(out, p, buf + sizeof(buf) - p);
}

void lex_append_value(GString *out, const char *s)
{
	bool bare = *s != '\0';
	for (const char *p = s; *p && bare; p++)
		bare = (unsigned char)*p > ' ' && *p != '"' && *p != '#' && *p != '\\' &&
		       (unsigned char)*p < 0x7f;
	if (bare) {
		g_string_append(out, s);
		return;
	}
	/* UTF-8 stays readable: only control characters, quotes and backslashes are
	 * escaped (g_strcompress reverses it). */
	static char high[129];
	if (!high[0])
		for (int i = 0; i < 128; i++)
			high[i] = (char)(0x80 + i);
	char *esc = g_strescape(s, high);
	g_string_append_c(out, '"');
	g_string_append(out, esc);
	g_string_append_c(out, '"');
	g_free(esc);
}

void lex_append_size(GString *out, uint64_t bytes)
{
	static const struct { const char *unit; unsigned shift; } units[] = {
		{ "TiB", 40 }, { "GiB", 30 }, { "MiB", 20 }, { "KiB", 10 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
		uint64_t u = 1ull << units[i].shift;
		if (bytes && bytes % u == 0) {
			lex_append_u64(out, bytes / u);
			g_string_append(out, units[i].unit);
			return;
		}
	}
	lex_append_u64(out, bytes);
	g_string_append_c(out, 'B');
}

void lex_append_duration(GString *out, uint64_t ns)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "s", 1000000000ull }, { "ms", 1000000ull }, { "us", 1000ull },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
		if (ns && ns % units[i].ns == 0) {
			lex_append_u64(out, ns / units[i].ns);
			g_string_append(out, units[i].unit);
			return;
		}
	}
	lex_append_u64(out, ns);
	g_string_append(out, "ns");
}
