/* Durations, sizes and rates of the scenario language: what parses to what,
 * every way to get it wrong, and the messages that say so. */
#include "engine/units.h"
#include "wbtest.h"

#include <math.h>
#include <string.h>

struct ok_case {
	const char *s;
	uint64_t want;
};

struct bad_case {
	const char *s;
	int code;
	const char *reason;     /* must appear in the message; NULL for none */
};

static void check_ok(bool (*parse)(const char *, uint64_t *, GError **),
		     const struct ok_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		GError *err = NULL;
		uint64_t v = 12345;
		bool ok = parse(c[i].s, &v, &err);
		ck_assert_msg(ok, "\"%s\": %s", c[i].s, err ? err->message : "?");
		ck_assert_ptr_null(err);
		ck_assert_msg(v == c[i].want, "\"%s\": got %" G_GUINT64_FORMAT
			      " want %" G_GUINT64_FORMAT, c[i].s, v, c[i].want);
	}
}

/* Every error names the value in quotes, lists the accepted forms (the
 * "expected ..." tail), and leaves the output untouched. */
static void check_bad(bool (*parse)(const char *, uint64_t *, GError **),
		      const char *what, const struct bad_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		GError *err = NULL;
		uint64_t v = 12345;
		ck_assert_msg(!parse(c[i].s, &v, &err), "\"%s\" parsed", c[i].s);
		ck_assert_uint_eq(v, 12345);
		ck_assert_ptr_nonnull(err);
		ck_assert(g_error_matches(err, UNITS_ERROR, c[i].code));
		char *head = g_strdup_printf("bad %s \"%s\": ", what, c[i].s);
		ck_assert_msg(g_str_has_prefix(err->message, head), "%s", err->message);
		ck_assert_msg(strstr(err->message, "expected "), "%s", err->message);
		if (c[i].reason)
			ck_assert_msg(strstr(err->message, c[i].reason), "%s", err->message);
		g_free(head);
		g_error_free(err);
	}
}

START_TEST(durations)
{
	static const struct ok_case c[] = {
		{ "0ns", 0 }, { "250ns", 250 }, { "20us", 20000 }, { "20\u00b5s", 20000 },
		{ "20\u03bcs", 20000 }, { "1.5ms", 1500000 }, { "2s", 2000000000 },
		{ ".5s", 500000000 }, { "0.1s", 100000000 }, { "1 ms", 1000000 },
		{ "1\t \tms", 1000000 }, { "007ms", 7000000 }, { "1.000000000000s", 1000000000 },
		/* round to nearest, halves up */
		{ "1.4ns", 1 }, { "1.5ns", 2 }, { "0.4999999999ns", 0 }, { "2.0005us", 2001 },
		{ "0.0000000004s", 0 }, { "0.0000000005s", 1 },
		{ "0.123456789123456789123456789123456789s", 123456789 },
		{ "18446744073709551615ns", UINT64_MAX },
		{ "18446744073.709551615s", UINT64_MAX },
		{ "18446744073709551.6149us", UINT64_MAX },
		{ "500000000000ms", 500000000000000000ull },
	};
	check_ok(units_parse_duration, c, G_N_ELEMENTS(c));
}
END_TEST

START_TEST(duration_errors)
{
	static const struct bad_case c[] = {
		{ "", UNITS_ERROR_SYNTAX, NULL },
		{ "ms", UNITS_ERROR_SYNTAX, NULL },
		{ "250", UNITS_ERROR_SYNTAX, "missing unit" },
		{ "250 ", UNITS_ERROR_SYNTAX, "missing unit" },
		{ "3h", UNITS_ERROR_SYNTAX, "unknown unit \"h\"" },
		{ "2min", UNITS_ERROR_SYNTAX, "unknown unit \"min\"" },
		{ "1MS", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ "1sec", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ "1ms ", UNITS_ERROR_SYNTAX, "unknown unit \"ms \"" },
		{ "1ms5", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ "1ms/s", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ " 1ms", UNITS_ERROR_SYNTAX, NULL },
		{ "1.ms", UNITS_ERROR_SYNTAX, NULL },
		{ ".ms", UNITS_ERROR_SYNTAX, NULL },
		{ "1..5ms", UNITS_ERROR_SYNTAX, NULL },
		{ "1,5ms", UNITS_ERROR_SYNTAX, NULL },
		{ "+1ms", UNITS_ERROR_SYNTAX, NULL },
		{ "1e3ns", UNITS_ERROR_SYNTAX, "unknown unit \"e3ns\"" },
		{ "0x10ns", UNITS_ERROR_SYNTAX, NULL },
		{ "-1ms", UNITS_ERROR_NEGATIVE, "negative" },
		{ "-0.5s", UNITS_ERROR_NEGATIVE, "negative" },
		{ "-", UNITS_ERROR_SYNTAX, NULL },
		{ "-3h", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ "18446744073709551616ns", UNITS_ERROR_RANGE, "584 years" },
		{ "18446744073.7095516155s", UNITS_ERROR_RANGE, "too large" },
		{ "18446744074s", UNITS_ERROR_RANGE, "too large" },
		{ "99999999999999999999999999999999999999999s", UNITS_ERROR_RANGE, "too large" },
		{ "0.0000000000000000000000000000000000001s", UNITS_ERROR_SYNTAX, "too many digits" },
	};
	check_bad(units_parse_duration, "duration", c, G_N_ELEMENTS(c));
}
END_TEST

START_TEST(duration_message)
{
	GError *err = NULL;
	uint64_t v;
	ck_assert(!units_parse_duration("3h", &v, &err));
	ck_assert_str_eq(err->message, "bad duration \"3h\": unknown unit \"h\"; expected a "
			 "number with a unit ns, us, ms or s (e.g. \"250ns\", \"1.5ms\") "
			 "or a number of seconds");
	g_clear_error(&err);
	/* Quotes and control characters in the value are escaped, UTF-8 is not. */
	ck_assert(!units_parse_duration("1\"\n\u00b5h", &v, &err));
	ck_assert(g_str_has_prefix(err->message, "bad duration \"1\\\"\\n\u00b5h\": "));
	g_clear_error(&err);
	ck_assert(!units_parse_duration(NULL, &v, &err));
	ck_assert(g_str_has_prefix(err->message, "bad duration \"\": expected"));
	g_clear_error(&err);
	ck_assert(!units_parse_duration("x", &v, NULL));        /* no GError wanted */
}
END_TEST

START_TEST(sizes)
{
	static const struct ok_case c[] = {
		{ "0", 0 }, { "512", 512 }, { "512B", 512 }, { "4K", 4096 },
		{ "4KiB", 4096 }, { "64M", 64ull << 20 }, { "64MiB", 64ull << 20 },
		{ "1G", 1ull << 30 }, { "1GiB", 1ull << 30 }, { "1T", 1ull << 40 },
		{ "1TiB", 1ull << 40 }, { "4 KiB", 4096 }, { "1.5KiB", 1536 },
		{ ".5K", 512 }, { "0.25MiB", 1ull << 18 }, { "2.0B", 2 },
		{ "1.0009765625KiB", 1025 }, { "0.0009765625K", 1 },
		{ "3.000B", 3 }, { "0.00000095367431640625MiB", 1 },
		{ "17592186044415.99999904632568359375MiB", UINT64_MAX },
		{ "18446744073709551615", UINT64_MAX },
	};
	check_ok(units_parse_size, c, G_N_ELEMENTS(c));
}
END_TEST

START_TEST(size_errors)
{
	static const struct bad_case c[] = {
		{ "", UNITS_ERROR_SYNTAX, NULL },
		{ "B", UNITS_ERROR_SYNTAX, NULL },
		{ "KiB", UNITS_ERROR_SYNTAX, NULL },
		{ "4 ", UNITS_ERROR_SYNTAX, NULL },
		{ "4k", UNITS_ERROR_SYNTAX, "unknown unit \"k\"" },
		{ "4kB", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ "4KB", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ "4Ki", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ "4P", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ "4PiB", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ "4b", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ "4KiB/s", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ "4KiBx", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ " 4K", UNITS_ERROR_SYNTAX, NULL },
		{ "4.K", UNITS_ERROR_SYNTAX, NULL },
		{ "+4K", UNITS_ERROR_SYNTAX, NULL },
		{ "-4K", UNITS_ERROR_NEGATIVE, "negative" },
		{ "-1", UNITS_ERROR_NEGATIVE, "negative" },
		{ "0.3B", UNITS_ERROR_INEXACT, "not a whole number of bytes" },
		{ "1.5", UNITS_ERROR_INEXACT, "not a whole number of bytes" },
		{ "0.1KiB", UNITS_ERROR_INEXACT, "not a whole number of bytes" },
		{ "1.00048828125KiB", UNITS_ERROR_INEXACT, "not a whole number of bytes" },
		{ "18446744073709551616", UNITS_ERROR_RANGE, "too large" },
		{ "16777216TiB", UNITS_ERROR_RANGE, "too large" },
		{ "16777215.999999046325683594TiB", UNITS_ERROR_INEXACT, NULL },
		{ "1.0000000000000000000000000000000000001B", UNITS_ERROR_SYNTAX,
		  "too many digits" },
	};
	check_bad(units_parse_size, "size", c, G_N_ELEMENTS(c));
}
END_TEST

START_TEST(size_message)
{
	GError *err = NULL;
	uint64_t v;
	ck_assert(!units_parse_size("0.3B", &v, &err));
	ck_assert_str_eq(err->message, "bad size \"0.3B\": not a whole number of bytes; "
			 "expected a number of bytes, optionally with a unit B, K/KiB, "
			 "M/MiB, G/GiB or T/TiB (e.g. \"512B\", \"4KiB\", \"1.5MiB\")");
	g_error_free(err);
}
END_TEST

START_TEST(rates)
{
	static const struct ok_case c[] = {
		{ "2GiB/s", 2ull << 30 }, { "500MiB/s", 500ull << 20 }, { "100K/s", 102400 },
		{ "1000/s", 1000 }, { "1000B/s", 1000 }, { "1.5 MiB/s", 3ull << 19 },
		{ "0/s", 0 },
	};
	check_ok(units_parse_rate, c, G_N_ELEMENTS(c));
}
END_TEST

START_TEST(rate_errors)
{
	static const struct bad_case c[] = {
		{ "", UNITS_ERROR_SYNTAX, "missing \"/s\"" },
		{ "2GiB", UNITS_ERROR_SYNTAX, "missing \"/s\"" },
		{ "2GiB/ms", UNITS_ERROR_SYNTAX, "missing \"/s\"" },
		{ "2GiB/s ", UNITS_ERROR_SYNTAX, "missing \"/s\"" },
		{ "/s", UNITS_ERROR_SYNTAX, NULL },
		{ "2GiB /s", UNITS_ERROR_SYNTAX, "unknown unit \"GiB \"" },
		{ "2 /s", UNITS_ERROR_SYNTAX, NULL },
		{ "2gb/s", UNITS_ERROR_SYNTAX, "unknown unit \"gb\"" },
		{ "2GiB/s/s", UNITS_ERROR_SYNTAX, "unknown unit" },
		{ "-2GiB/s", UNITS_ERROR_NEGATIVE, "negative" },
		{ "0.5B/s", UNITS_ERROR_INEXACT, "whole number" },
		{ "16777216TiB/s", UNITS_ERROR_RANGE, "too large" },
	};
	check_bad(units_parse_rate, "rate", c, G_N_ELEMENTS(c));
}
END_TEST

START_TEST(seconds)
{
	uint64_t v = 0;
	ck_assert(units_seconds_to_ns(0, &v, NULL));
	ck_assert_uint_eq(v, 0);
	ck_assert(units_seconds_to_ns(-0.0, &v, NULL));
	ck_assert_uint_eq(v, 0);
	ck_assert(units_seconds_to_ns(1.5, &v, NULL));
	ck_assert_uint_eq(v, 1500000000);
	ck_assert(units_seconds_to_ns(0.1, &v, NULL));
	ck_assert_uint_eq(v, 100000000);
	ck_assert(units_seconds_to_ns(2.5e-9, &v, NULL));
	ck_assert_uint_eq(v, 3);
	ck_assert(units_seconds_to_ns(1e9, &v, NULL));
	ck_assert_uint_eq(v, 1000000000000000000ull);

	static const struct { double s; int code; const char *text; } bad[] = {
		{ -1, UNITS_ERROR_NEGATIVE, "\"-1\": must not be negative" },
		{ -1e-300, UNITS_ERROR_NEGATIVE, "negative" },
		{ -INFINITY, UNITS_ERROR_NEGATIVE, "negative" },
		{ NAN, UNITS_ERROR_RANGE, "\"nan\": not a number" },
		{ INFINITY, UNITS_ERROR_RANGE, "\"inf\": too large" },
		{ 1e9 + 1, UNITS_ERROR_RANGE, "\"1000000001\": too large" },
		{ 1e300, UNITS_ERROR_RANGE, "too large" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		GError *err = NULL;
		v = 777;
		ck_assert(!units_seconds_to_ns(bad[i].s, &v, &err));
		ck_assert_uint_eq(v, 777);
		ck_assert(g_error_matches(err, UNITS_ERROR, bad[i].code));
		ck_assert(g_str_has_prefix(err->message, "bad number of seconds \""));
		ck_assert_msg(strstr(err->message, bad[i].text), "%s", err->message);
		ck_assert(strstr(err->message, "expected "));
		g_error_free(err);
	}
}
END_TEST

START_TEST(format_duration)
{
	static const struct { uint64_t ns; const char *want; } c[] = {
		{ 0, "0ns" }, { 1, "1ns" }, { 999, "999ns" }, { 1000, "1.00us" },
		{ 1234, "1.23us" }, { 9994, "9.99us" }, { 9995, "10.0us" },
		{ 20000, "20.0us" }, { 99949, "99.9us" }, { 99950, "100us" },
		{ 999499, "999us" }, { 999500, "1.00ms" }, { 1500000, "1.50ms" },
		{ 2000000000, "2.00s" }, { 999499999999ull, "999s" },
		{ 999500000000ull, "1000s" }, { 12345678900000ull, "12346s" },
		{ UINT64_MAX, "18446744074s" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(c); i++) {
		char *s = units_format_duration(c[i].ns);
		ck_assert_str_eq(s, c[i].want);
		g_free(s);
	}
}
END_TEST

START_TEST(format_size)
{
	static const struct { uint64_t b; const char *want; } c[] = {
		{ 0, "0B" }, { 1, "1B" }, { 512, "512B" }, { 1023, "1023B" },
		{ 1024, "1KiB" }, { 4096, "4KiB" }, { 1536, "1536B" }, { 3 << 19, "1536KiB" },
		{ 64ull << 20, "64MiB" }, { 1ull << 30, "1GiB" }, { 1ull << 40, "1TiB" },
		{ 1ull << 50, "1024TiB" }, { UINT64_MAX, "18446744073709551615B" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(c); i++) {
		char *s = units_format_size(c[i].b);
		ck_assert_str_eq(s, c[i].want);
		g_free(s);
	}
}
END_TEST

START_TEST(format_parses_back)
{
	/* Formatted sizes are exact, so they must parse back to the same bytes. */
	for (uint64_t b = 1; b; b = b * 3 + (b & 1) * 1024) {
		char *s = units_format_size(b);
		uint64_t back;
		ck_assert(units_parse_size(s, &back, NULL));
		ck_assert_uint_eq(back, b);
		g_free(s);
		if (b > UINT64_MAX / 4)
			break;
	}
	/* Formatted durations parse back within their three digits. */
	for (uint64_t ns = 1; ns < UINT64_MAX / 8; ns = ns * 7 + 3) {
		char *s = units_format_duration(ns);
		uint64_t back;
		ck_assert_msg(units_parse_duration(s, &back, NULL), "%s", s);
		ck_assert_msg(fabs((double)back - (double)ns) <= 0.005 * (double)ns, "%s", s);
		g_free(s);
	}
}
END_TEST

static Suite *units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, durations);
	tcase_add_test(tc, duration_errors);
	tcase_add_test(tc, duration_message);
	tcase_add_test(tc, sizes);
	tcase_add_test(tc, size_errors);
	tcase_add_test(tc, size_message);
	tcase_add_test(tc, rates);
	tcase_add_test(tc, rate_errors);
	tcase_add_test(tc, seconds);
	tcase_add_test(tc, format_duration);
	tcase_add_test(tc, format_size);
	tcase_add_test(tc, format_parses_back);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(units_suite)
