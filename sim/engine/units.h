/*
 * units — the scenario language's durations and sizes.
 *   durations: "250ns", "20us", "1.5ms", "2s"  (integer nanoseconds inside)
 *   sizes:     "512B", "4KiB", "64MiB", "1GiB", "1TiB"; "4K", "64M", "1G", "1T" are the
 *              same binary units; a bare number string is bytes
 *   rates:     a size followed by "/s", e.g. "2GiB/s" (bytes per second)
 * Errors name the value and the accepted forms.
 *
 * Grammar, strictly: digits with an optional fraction (".5" and "1.5" but not
 * "1."), no sign, no exponent, optional spaces or tabs between the number and
 * the unit, nothing before or after.  Units are case-sensitive.  Durations take
 * ns, us (also "µs", micro sign or Greek mu), ms or s; no minutes or hours, and
 * a unitless string is an error (a plain number of seconds is the scenario
 * API's other form, converted by units_seconds_to_ns).  Durations round to the
 * nearest nanosecond, halves up.  Sizes take B, K/KiB, M/MiB, G/GiB, T/TiB (all
 * binary) or no unit for bytes; a fraction is allowed when the result is a whole
 * number of bytes ("1.5KiB" is 1536, "0.3B" is an error).  Numbers are parsed
 * exactly in decimal, with at most 36 significant fraction digits.
 */
#ifndef WBSIM_UNITS_H
#define WBSIM_UNITS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define UNITS_ERROR (units_error_quark())
GQuark units_error_quark(void);

/* GError codes in the UNITS_ERROR domain. */
enum units_error {
	UNITS_ERROR_SYNTAX,     /* empty, missing or unknown unit, stray characters */
	UNITS_ERROR_NEGATIVE,   /* a minus sign, or a negative number of seconds */
	UNITS_ERROR_RANGE,      /* does not fit in 64 bits (or > 1e9 seconds), NaN, inf */
	UNITS_ERROR_INEXACT,    /* a size that is not a whole number of bytes */
};

bool units_parse_duration(const char *s, uint64_t *ns, GError **err);
bool units_parse_size(const char *s, uint64_t *bytes, GError **err);
bool units_parse_rate(const char *s, uint64_t *bytes_per_sec, GError **err);
/* A number of seconds (the scenario API's plain-number form) to nanoseconds;
 * false for negative, NaN or absurd values. */
bool units_seconds_to_ns(double seconds, uint64_t *ns, GError **err);

/* Human-readable forms for tables: "1.50ms", "20.0us", "64MiB". */
char *units_format_duration(uint64_t ns);
char *units_format_size(uint64_t bytes);

#endif
