/*
 * kcal_profile — the calibration as a Lua profile, and beside the model's
 * defaults.  Durations are written as whole nanoseconds ("850ns") and the
 * bandwidth in whole MiB/s, forms units.c parses exactly.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engine/config.h"
#include "linux/kcal_int.h"
#include "engine/units.h"

struct row {
	const char *table, *key, *how;
	uint64_t value, model;          /* ns, or bytes/s for the bandwidth */
};

#define MIB (1024.0 * 1024.0)

static void rows(const struct kcal *k, struct row r[10])
{
	struct sim_config d;
	sim_config_defaults(&d);
	struct row all[] = {
		{ "costs", "syscall", "getppid(2) in a loop: median of 9 rounds of 100000",
		  k->syscall, d.cost.syscall },
		/* how: written by table(), with the warm figure in it */
		{ "costs", "copy_page", NULL, k->copy_page_cold, d.cost.copy_page },
		{ "costs", "fault", "first store to each of 4096 clean pages of a shared ext4 "
		  "mapping, PTEs present read-only: write-protect fault + page_mkwrite + "
		  "dirtying (no copy involved); median of 9 rounds", k->fault, d.cost.fault },
		{ "costs", "pte_update", "mprotect over 4096 present anonymous pages, to read-only "
		  "and back: per PTE, one TLB flush per call amortised", k->pte_update,
		  d.cost.pte_update },
		{ "device", "write_latency", "4 KiB O_DIRECT pwrite to the loop device, one in "
		  "flight: median of 2000", k->write_qd1, d.dev.write_latency },
		{ "device", "read_latency", "4 KiB O_DIRECT pread, one in flight: median of 2000",
		  k->read_qd1, d.dev.read_latency },
		{ "device", "flush_latency", "fsync(2) of the device after a 4 KiB write: "
		  "median of 30", k->flush, d.dev.flush_latency },
		{ "device", "bandwidth", "1 MiB O_DIRECT sequential writes over 64 MiB: median "
		  "of 3 passes", k->bandwidth, d.dev.bandwidth },
		{ "device", "queue_depth", "requests served at once: 4 KiB writes per second at "
		  "32 in flight (Linux AIO) times the one-in-flight latency", k->queue_depth,
		  d.dev.queue_depth },
		{ "device", "jitter", "coefficient of variation of the one-in-flight write "
		  "latencies", 0, 0 },
	};
	memcpy(r, all, sizeof all);
}

static char *value_text(const struct row *r, const struct kcal *k, bool model)
{
	uint64_t v = model ? r->model : r->value;
	if (!strcmp(r->key, "bandwidth"))
		return v >= (uint64_t)MIB ? g_strdup_printf("\"%" PRIu64 "MiB/s\"", (uint64_t)(v / MIB))
					  : g_strdup_printf("\"%" PRIu64 "B/s\"", v);
	if (!strcmp(r->key, "queue_depth"))
		return g_strdup_printf("%" PRIu64, v);
	if (!strcmp(r->key, "jitter")) {
		struct sim_config d;
		sim_config_defaults(&d);
		return g_strdup_printf("%.2f", model ? d.dev.jitter : k->jitter);
	}
	return g_strdup_printf("\"%" PRIu64 "ns\"", v);
}

static void table(GString *s, const struct kcal *k, const struct row *r, const char *name)
{
	g_string_append_printf(s, "sim.%s{\n", name);
	for (int i = 0; i < 10; i++) {
		if (strcmp(r[i].table, name))
			continue;
		char *v = value_text(&r[i], k, false);
		const char *how = r[i].how;
		char *warm = NULL;
		if (!how) {
			char *w = units_format_duration(k->copy_page_warm);
			how = warm = g_strdup_printf("memcpy of 4 KiB streaming through two 64 MiB "
						     "buffers: cache-cold (warm, in L1: %s)", w);
			g_free(w);
		}
		g_string_append_printf(s, "  -- %s\n  %s = %s,\n", how, r[i].key, v);
		g_free(warm);
		g_free(v);
	}
	g_string_append(s, "}\n");
}

char *kcal_profile_text(const struct kcal *k)
{
	struct row r[10];
	rows(k, r);
	GString *s = g_string_new(NULL);
	g_string_append_printf(s,
		"-- wbsim calibrate: this machine (%s, Linux %s), measured, as model values.\n"
		"-- Load with --profile FILE: each value here replaces the scenario's, declared\n"
		"-- or default (run/profile.h); what it does not set stays the scenario's.\n"
		"-- The device is a buffered loop device on an image file, the one linux: runs use.\n"
		"-- 32 in flight: 4 KiB writes %.0f/s (median %" PRIu64 "ns), reads %.0f/s "
		"(median %" PRIu64 "ns).\n",
		k->host, k->kernel, k->write_iops_qd32, k->write_qd32, k->read_iops_qd32,
		k->read_qd32);
	table(s, k, r, "costs");
	table(s, k, r, "device");
	return g_string_free(s, FALSE);
}

char *kcal_compare_text(const struct kcal *k)
{
	struct row r[10];
	rows(k, r);
	GString *s = g_string_new(NULL);
	g_string_append_printf(s, "%-22s %14s %14s\n", "value", "calibrated", "model default");
	for (int i = 0; i < 10; i++) {
		char *a = value_text(&r[i], k, false), *b = value_text(&r[i], k, true);
		char *key = g_strdup_printf("%s.%s", r[i].table, r[i].key);
		g_string_append_printf(s, "%-22s %14s %14s\n", key, a, b);
		g_free(key);
		g_free(a);
		g_free(b);
	}
	return g_string_free(s, FALSE);
}
