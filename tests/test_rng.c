/* Named streams: reproducible, independent of each other, and of reasonable quality. */
#include "engine/rng.h"
#include "lua_util.h"

#include <string.h>

#include <math.h>

/*
 * The numbers of a seed must not change between builds or machines: committed results
 * depend on them.  So the generator is pinned to its published definitions, not to
 * its own earlier output.  xoshiro256** from the state {1, 2, 3, 4}: the first output
 * is rotl(2 * 5, 7) * 9 = 11520; the update leaves s[1] = 0, so the second is 0; the
 * rest are the reference implementation's (Blackman & Vigna, xoshiro256starstar.c).
 */
START_TEST(xoshiro256starstar_reference_vectors)
{
	struct rng r = { .s = { 1, 2, 3, 4 } };
	static const uint64_t want[] = { 11520, 0, 1509978240, 1215971899390074240ull,
					 1216172134540287360ull, 607988272756665600ull };
	for (unsigned i = 0; i < G_N_ELEMENTS(want); i++)
		ck_assert_uint_eq(rng_next(&r), want[i]);
}
END_TEST

/* The seeding of rng.h, written out again: FNV-1a of the name, xor splitmix64 of the
 * seed, then four splitmix64 outputs.  Each piece is checked against its published
 * vectors first, so this copy is right by itself. */
static uint64_t ref_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t ref_fnv1a64(const char *p)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	return h;
}

START_TEST(streams_are_seeded_as_documented)
{
	uint64_t x = 0;         /* splitmix64's reference outputs from state 0 */
	ck_assert_uint_eq(ref_splitmix64(&x), 0xe220a8397b1dcdafull);
	ck_assert_uint_eq(ref_splitmix64(&x), 0x6e789e6aa1b965f4ull);
	ck_assert_uint_eq(ref_splitmix64(&x), 0x06c45d188009454full);
	ck_assert_uint_eq(ref_fnv1a64(""), 0xcbf29ce484222325ull);     /* FNV's test suite */
	ck_assert_uint_eq(ref_fnv1a64("a"), 0xaf63dc4c8601ec8cull);
	ck_assert_uint_eq(ref_fnv1a64("foobar"), 0x85944171f73967e8ull);

	const struct { uint64_t seed; const char *name; } streams[] = {
		{ 42, "task:writer" }, { 1, "device" }, { 1, "scheduler" }, { 0, "" },
	};
	for (unsigned k = 0; k < G_N_ELEMENTS(streams); k++) {
		uint64_t sx = streams[k].seed;
		uint64_t st = ref_fnv1a64(streams[k].name) ^ ref_splitmix64(&sx);
		struct rng r;
		rng_init(&r, streams[k].seed, streams[k].name);
		for (int i = 0; i < 4; i++)
			ck_assert_uint_eq(r.s[i], ref_splitmix64(&st));
	}
}
END_TEST

START_TEST(different_names_or_seeds_differ)
{
	struct rng a, b, c;
	rng_init(&a, 42, "task:writer");
	rng_init(&b, 42, "task:reader");
	rng_init(&c, 43, "task:writer");
	int same_ab = 0, same_ac = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_next(&a);
		same_ab += x == rng_next(&b);
		same_ac += x == rng_next(&c);
	}
	ck_assert_int_eq(same_ab, 0);
	ck_assert_int_eq(same_ac, 0);
}
END_TEST

/*
 * Inside a run: a task's numbers come from its own stream, named after it, so other
 * tasks, the device's jitter and the reorder scheduler drawing from theirs (and when)
 * change none of them.  A task "writer" draws four numbers, writes and fsyncs, draws
 * four more, and logs them; alone on a plain device, and again after a task "noise"
 * doing the same on a jittery, reordering one.
 */
static const char draws_scenario[] =
	"local noisy = sim.param('noisy', 0)\n"
	"sim.device{ jitter = noisy == 1 and 0.5 or 0, scheduler = noisy == 1 and 'reorder' or 'none' }\n"
	"local f = sim.file{ name = 'data', size = '1MiB' }\n"
	"local function drawer(name)\n"
	"  return function()\n"
	"    local got = {}\n"
	"    for i = 1, 4 do got[#got + 1] = sim.randint(0, 1 << 40) end\n"
	"    f:pwrite(0, 8 * 4096); f:fsync()\n"
	"    for i = 1, 4 do got[#got + 1] = sim.randint(0, 1 << 40) end\n"
	"    sim.log('%s %s', name, table.concat(got, ' '))\n"
	"  end\n"
	"end\n"
	"if noisy == 1 then sim.spawn('noise', drawer('noise')) end\n"
	"sim.spawn('writer', drawer('writer'), { start = '1us' })\n";

/* The numbers the task @name logged, as text. */
static char *logged(const char *trace, const char *name)
{
	char *key = g_strdup_printf("sim_log: %s ", name);
	const char *at = strstr(trace, key);
	ck_assert_msg(at, "no line of %s in the trace", name);
	at += strlen(key);
	g_free(key);
	return g_strndup(at, strcspn(at, "\n"));
}

static void writer_draws(bool noisy, char **writer, char **noise)
{
	GHashTable *sets = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(sets, "noisy", noisy ? "1" : "0");
	GString *trace = g_string_new(NULL);
	struct scenario_opts o = { .policy_spec = "unrestricted", .seed = 9, .sets = sets,
				   .trace = lt_trace_line, .trace_data = trace };
	GError *err = NULL;
	struct run_result *r = lt_run_opts(draws_scenario, &o, &err);
	ck_assert_msg(r, "%s", err ? err->message : "?");
	*writer = logged(trace->str, "writer");
	*noise = noisy ? logged(trace->str, "noise") : NULL;
	run_result_free(r);
	g_string_free(trace, TRUE);
	g_hash_table_destroy(sets);
}

START_TEST(task_stream_independent_of_the_rest_of_the_run)
{
	char *quiet, *noisy, *none, *noise;
	writer_draws(false, &quiet, &none);
	writer_draws(true, &noisy, &noise);
	ck_assert_str_eq(quiet, noisy);
	ck_assert_str_ne(noise, noisy);         /* the other task has a stream of its own */
	/* and the stream is the one named after the task, from the run's seed */
	struct rng r;
	rng_init(&r, 9, "task:writer");
	GString *want = g_string_new(NULL);
	for (int i = 0; i < 8; i++)
		g_string_append_printf(want, "%s%" G_GINT64_FORMAT, i ? " " : "",
				       rng_range(&r, 0, (int64_t)1 << 40));
	ck_assert_str_eq(quiet, want->str);
	g_string_free(want, TRUE);
	g_free(quiet);
	g_free(noisy);
	g_free(noise);
}
END_TEST

START_TEST(distributions)
{
	struct rng r;
	rng_init(&r, 1, "dist");
	int n = 200000;
	double sum = 0, sumsq = 0, esum = 0, jsum = 0, jsq = 0;
	int counts[10] = { 0 };
	for (int i = 0; i < n; i++) {
		double u = rng_double(&r);
		ck_assert(u >= 0 && u < 1);
		sum += u;
		sumsq += u * u;
		counts[rng_below(&r, 10)]++;
		int64_t k = rng_range(&r, -3, 3);
		ck_assert(k >= -3 && k <= 3);
		esum += rng_exponential(&r, 5.0);
		double j = rng_jitter(&r, 0.2);
		ck_assert(j > 0);
		jsum += j;
		jsq += j * j;
	}
	/* Uniform: mean 1/2, variance 1/12; tolerances are several standard errors. */
	ck_assert_double_eq_tol(sum / n, 0.5, 0.005);
	ck_assert_double_eq_tol(sumsq / n - (sum / n) * (sum / n), 1.0 / 12, 0.002);
	for (int i = 0; i < 10; i++)
		ck_assert_int_lt(abs(counts[i] - n / 10), n / 100);
	ck_assert_double_eq_tol(esum / n, 5.0, 0.1);
	/* Jitter: mean 1, coefficient of variation 0.2. */
	double jm = jsum / n, jcv = sqrt(jsq / n - jm * jm) / jm;
	ck_assert_double_eq_tol(jm, 1.0, 0.005);
	ck_assert_double_eq_tol(jcv, 0.2, 0.01);
	ck_assert_double_eq(rng_jitter(&r, 0), 1.0);
}
END_TEST

static Suite *rng_suite(void)
{
	Suite *s = suite_create("rng");
	TCase *tc = tcase_create("streams");
	tcase_add_test(tc, xoshiro256starstar_reference_vectors);
	tcase_add_test(tc, streams_are_seeded_as_documented);
	tcase_add_test(tc, different_names_or_seeds_differ);
	tcase_add_test(tc, task_stream_independent_of_the_rest_of_the_run);
	tcase_add_test(tc, distributions);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(rng_suite)
