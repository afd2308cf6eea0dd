/*
 * Units of the scenario language.  Numbers are parsed exactly in decimal rather
 * than through strtod: "0.1s" must be 100000000 ns on the nose, and whether
 * "1.5KiB" is a whole number of bytes is a question about the decimal the user
 * wrote, not about its nearest double.
 */
#include "engine/units.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK(units-error-quark, units_error)

__extension__ typedef unsigned __int128 u128;

/* 10^36 < 2^120 keeps the fraction, and 5^36 with it, well inside 128 bits. */
#define MAX_FRAC_DIGITS 36

#define EXPECT_DURATION "expected a number with a unit ns, us, ms or s " \
	"(e.g. \"250ns\", \"1.5ms\") or a number of seconds"
#define EXPECT_SIZE "expected a number of bytes, optionally with a unit " \
	"B, K/KiB, M/MiB, G/GiB or T/TiB (e.g. \"512B\", \"4KiB\", \"1.5MiB\")"
#define EXPECT_RATE "expected a size per second: a number with an optional " \
	"unit B, K/KiB, M/MiB, G/GiB or T/TiB, then \"/s\" (e.g. \"2GiB/s\", \"500MiB/s\")"
#define EXPECT_SECONDS "expected a finite number of seconds from 0 to 1e9 " \
	"or a string with a unit (e.g. \"250ns\", \"1.5ms\")"

/* A parsed "123.4500": ip = 123, frac = 45, fdigits = 2 (trailing zeros dropped). */
struct decimal {
	u128 ip;
	bool ip_big;            /* integer part >= 2^64 (ip saturates): too large */
	u128 frac;
	unsigned int fdigits;
	bool too_precise;       /* more than MAX_FRAC_DIGITS significant fraction digits */
};

/* Why a parse failed: a GError code and a reason that ends in "; " (or is ""). */
struct failure {
	int code;
	char *reason;
};

static bool fail(struct failure *f, int code, char *reason)
{
	f->code = code;
	f->reason = reason;
	return false;
}

static u128 pow10_u128(unsigned int n)
{
	u128 r = 1;
	while (n--)
		r *= 10;
	return r;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static void add_frac_digit(struct decimal *d, unsigned int digit, unsigned int *zeros)
{
	if (digit == 0) {
		(*zeros)++;     /* only counts if a nonzero digit follows */
		return;
	}
	if (d->fdigits + *zeros + 1 > MAX_FRAC_DIGITS) {
		d->too_precise = true;
		return;
	}
	d->frac = d->frac * pow10_u128(*zeros + 1) + digit;
	d->fdigits += *zeros + 1;
	*zeros = 0;
}

/* Digits, optionally "." and more digits; returns the end, or NULL if there is
 * no number at *s. */
static const char *parse_decimal(const char *s, struct decimal *d)
{
	memset(d, 0, sizeof(*d));
	const char *start = s;
	for (; g_ascii_isdigit(*s); s++) {
		d->ip = d->ip * 10 + (unsigned int)(*s - '0');
		if (d->ip > UINT64_MAX) {
			d->ip_big = true;
			d->ip = UINT64_MAX;     /* saturate so the product stays in range */
		}
	}
	bool have_int = s != start;
	if (*s != '.')
		return have_int ? s : NULL;
	s++;
	if (!g_ascii_isdigit(*s))
		return NULL;            /* "1." and "." */
	unsigned int zeros = 0;
	for (; g_ascii_isdigit(*s); s++)
		add_frac_digit(d, (unsigned int)(*s - '0'), &zeros);
	return s;
}

/* The value as the user wrote it, escaped for quoting; UTF-8 stays readable. */
static char *quote_escape(const char *s)
{
	char keep[129];
	for (int i = 0; i < 128; i++)
		keep[i] = (char)(0x80 + i);
	keep[128] = '\0';
	return g_strescape(s, keep);
}

struct unit {
	const char *name;
	unsigned int exp;       /* power of ten (durations) or of two (sizes) */
};

static const struct unit duration_units[] = {
	{ "ns", 0 }, { "us", 3 }, { "\u00b5s", 3 }, { "\u03bcs", 3 },
	{ "ms", 6 }, { "s", 9 }, { NULL, 0 },
};

static const struct unit size_units[] = {
	{ "B", 0 }, { "K", 10 }, { "KiB", 10 }, { "M", 20 }, { "MiB", 20 },
	{ "G", 30 }, { "GiB", 30 }, { "T", 40 }, { "TiB", 40 }, { NULL, 0 },
};

static const struct unit *find_unit(const struct unit *tab, const char *name)
{
	for (; tab->name; tab++)
		if (strcmp(tab->name, name) == 0)
			return tab;
	return NULL;
}

/* Number, blanks, unit: the shared front end of durations and sizes. */
static bool parse_quantity(const char *s, const struct unit *units, bool unitless_ok,
			   struct decimal *d, const struct unit **u, struct failure *f)
{
	const char *end = parse_decimal(s, d);
	if (!end)
		return fail(f, UNITS_ERROR_SYNTAX, g_strdup(""));
	const char *name = skip_blanks(end);
	if (*name == '\0' && (!unitless_ok || name != end))
		return fail(f, UNITS_ERROR_SYNTAX,
			    g_strdup(unitless_ok ? "" : "missing unit; "));
	static const struct unit bytes = { "", 0 };
	*u = *name == '\0' ? &bytes : find_unit(units, name);
	if (!*u) {
		char *q = quote_escape(name);
		fail(f, UNITS_ERROR_SYNTAX, g_strdup_printf("unknown unit \"%s\"; ", q));
		g_free(q);
		return false;
	}
	if (d->too_precise)
		return fail(f, UNITS_ERROR_SYNTAX, g_strdup("too many digits; "));
	return true;
}

static bool duration_core(const char *s, uint64_t *ns, struct failure *f)
{
	struct decimal d;
	const struct unit *u;
	/* A minus is reported as such only when the rest parses: "-3h" is better
	 * told about its unit. */
	if (*s == '-') {
		if (!duration_core(s + 1, ns, f))
			return false;
		return fail(f, UNITS_ERROR_NEGATIVE, g_strdup("must not be negative; "));
	}
	if (!parse_quantity(s, duration_units, false, &d, &u, f))
		return false;
	u128 frac_ns;
	if (d.fdigits <= u->exp) {
		frac_ns = d.frac * pow10_u128(u->exp - d.fdigits);
	} else {
		u128 div = pow10_u128(d.fdigits - u->exp);
		frac_ns = d.frac / div + (d.frac % div * 2 >= div);    /* halves up */
	}
	u128 total = d.ip * pow10_u128(u->exp) + frac_ns;
	if (d.ip_big || total > UINT64_MAX)
		return fail(f, UNITS_ERROR_RANGE,
			    g_strdup("too large (the limit is 2^64-1 ns, about 584 years); "));
	*ns = (uint64_t)total;
	return true;
}

/* frac / 10^k * 2^n as a whole number, if it is one: 10^k = 2^k * 5^k. */
static bool frac_bytes(u128 frac, unsigned int k, unsigned int n, u128 *out)
{
	u128 p5 = 1;
	for (unsigned int i = 0; i < k; i++)
		p5 *= 5;
	if (frac % p5)
		return false;
	u128 q = frac / p5;
	if (k <= n) {
		*out = q << (n - k);
		return true;
	}
	if (q & (((u128)1 << (k - n)) - 1))
		return false;
	*out = q >> (k - n);
	return true;
}

static bool size_core(const char *s, uint64_t *bytes, struct failure *f)
{
	struct decimal d;
	const struct unit *u;
	if (*s == '-') {
		if (!size_core(s + 1, bytes, f))
			return false;
		return fail(f, UNITS_ERROR_NEGATIVE, g_strdup("must not be negative; "));
	}
	if (!parse_quantity(s, size_units, true, &d, &u, f))
		return false;
	u128 fb;
	if (!frac_bytes(d.frac, d.fdigits, u->exp, &fb))
		return fail(f, UNITS_ERROR_INEXACT, g_strdup("not a whole number of bytes; "));
	u128 total = (d.ip << u->exp) + fb;
	if (d.ip_big || total > UINT64_MAX)
		return fail(f, UNITS_ERROR_RANGE,
			    g_strdup("too large (the limit is 2^64-1 bytes, 16EiB); "));
	*bytes = (uint64_t)total;
	return true;
}

static bool report(GError **err, struct failure *f, const char *what, const char *s,
		   const char *expect)
{
	char *q = quote_escape(s);
	g_set_error(err, UNITS_ERROR, f->code, "bad %s \"%s\": %s%s", what, q,
		    f->reason, expect);
	g_free(q);
	g_free(f->reason);
	return false;
}

bool units_parse_duration(const char *s, uint64_t *ns, GError **err)
{
	struct failure f;
	uint64_t v;
	if (!s)
		s = "";
	if (!duration_core(s, &v, &f))
		return report(err, &f, "duration", s, EXPECT_DURATION);
	*ns = v;
	return true;
}

bool units_parse_size(const char *s, uint64_t *bytes, GError **err)
{
	struct failure f;
	uint64_t v;
	if (!s)
		s = "";
	if (!size_core(s, &v, &f))
		return report(err, &f, "size", s, EXPECT_SIZE);
	*bytes = v;
	return true;
}

bool units_parse_rate(const char *s, uint64_t *bytes_per_sec, GError **err)
{
	struct failure f;
	uint64_t v;
	if (!s)
		s = "";
	size_t len = strlen(s);
	if (len < 2 || strcmp(s + len - 2, "/s") != 0) {
		fail(&f, UNITS_ERROR_SYNTAX, g_strdup("missing \"/s\"; "));
		return report(err, &f, "rate", s, EXPECT_RATE);
	}
	char *size = g_strndup(s, len - 2);
	bool ok = size_core(size, &v, &f);
	g_free(size);
	if (!ok)
		return report(err, &f, "rate", s, EXPECT_RATE);
	*bytes_per_sec = v;
	return true;
}

/* The shortest of %.15g and %.17g that reads back as the same double, so the
 * message shows "0.1" rather than "0.10000000000000001". */
static const char *format_double(char *buf, size_t len, double x)
{
	g_ascii_formatd(buf, (int)len, "%.15g", x);
	if (isnan(x) || g_ascii_strtod(buf, NULL) == x)
		return buf;
	return g_ascii_formatd(buf, (int)len, "%.17g", x);
}

bool units_seconds_to_ns(double seconds, uint64_t *ns, GError **err)
{
	struct failure f;
	if (isnan(seconds))
		fail(&f, UNITS_ERROR_RANGE, g_strdup("not a number; "));
	else if (seconds < 0)
		fail(&f, UNITS_ERROR_NEGATIVE, g_strdup("must not be negative; "));
	else if (seconds > 1e9)
		fail(&f, UNITS_ERROR_RANGE, g_strdup("too large; "));
	else {
		*ns = (uint64_t)llround(seconds * 1e9);
		return true;
	}
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	return report(err, &f, "number of seconds", format_double(buf, sizeof(buf), seconds),
		      EXPECT_SECONDS);
}

/* Three significant digits, the decimals chosen from the magnitude. */
static char *format3(double x, const char *unit)
{
	int decimals = x < 9.995 ? 2 : x < 99.95 ? 1 : 0;
	return g_strdup_printf("%.*f%s", decimals, x, unit);
}

char *units_format_duration(uint64_t ns)
{
	static const struct { const char *name; double scale; } u[] = {
		{ "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};
	if (ns < 1000)
		return g_strdup_printf("%" PRIu64 "ns", ns);
	/* Move up a unit when the number would round to 1000 or more; seconds
	 * have nowhere further to go and just grow. */
	for (size_t i = 0; i < G_N_ELEMENTS(u) - 1; i++) {
		double x = (double)ns / u[i].scale;
		if (x < 999.5)
			return format3(x, u[i].name);
	}
	return format3((double)ns / 1e9, "s");
}

char *units_format_size(uint64_t bytes)
{
	static const struct { const char *name; unsigned int shift; } u[] = {
		{ "TiB", 40 }, { "GiB", 30 }, { "MiB", 20 }, { "KiB", 10 },
	};
	for (size_t i = 0; bytes && i < G_N_ELEMENTS(u); i++) {
		uint64_t mask = (1ull << u[i].shift) - 1;
		if (!(bytes & mask))
			return g_strdup_printf("%" PRIu64 "%s", bytes >> u[i].shift, u[i].name);
	}
	return g_strdup_printf("%" PRIu64 "B", bytes);
}
