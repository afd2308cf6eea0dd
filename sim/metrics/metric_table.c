/*
 * metric_table — every metric, written once: its name, unit, kind, which direction is
 * better, where the comparison shows it, which chart draws it, and what it counts.
 * summary.json, the comparison tables, `wbsim plot` and README's metric table all
 * come from here (tests/test_metric_table.c checks README against it).  Adding a
 * metric is a row here plus the code that counts it.
 */
#include "metrics/metric_table.h"

#include <glib.h>
#include <string.h>

#define SEC_STALLS  "stalls: time blocked, by cause"
#define SEC_HAZARDS "hazards"
#define SEC_COPIES  "forks, bounces and mappings"
#define SEC_CPU     "CPU time, by cause"
#define SEC_MEMORY  "extra memory: peak pages"
#define SEC_DISK    "disk"
#define SEC_OPS     "operations"
#define SEC_RUN     "run"

/* The order the comparison shows its sections in, after the latencies. */
static const char *const section_order[] = {
	SEC_STALLS, SEC_HAZARDS, SEC_COPIES, SEC_CPU, SEC_MEMORY, SEC_DISK, SEC_OPS, SEC_RUN, NULL,
};

#define C(n, u, b, s, def) { .name = n, .kind = MK_COUNTER, .unit = u, .better = b, .section = s, .definition = def }
#define H(n, u, def) { .name = n, .kind = MK_COUNTER, .unit = u, .better = BETTER_LOWER, .section = SEC_HAZARDS, .chart = "hazards", .definition = def }
#define T(n, s, ch, lab, def) { .name = n, .kind = MK_TIME, .unit = "ns", .better = BETTER_LOWER, .section = s, .chart = ch, .label = lab, .definition = def }
/* The same, for a target that cannot measure it (absent_on). */
#define CA(a, n, u, b, s, def) { .name = n, .kind = MK_COUNTER, .unit = u, .better = b, .section = s, .absent_on = a, .definition = def }
#define HA(a, n, u, def) { .name = n, .kind = MK_COUNTER, .unit = u, .better = BETTER_LOWER, .section = SEC_HAZARDS, .chart = "hazards", .absent_on = a, .definition = def }
#define TA(a, n, s, ch, lab, def) { .name = n, .kind = MK_TIME, .unit = "ns", .better = BETTER_LOWER, .section = s, .chart = ch, .label = lab, .absent_on = a, .definition = def }
#define PA(a, n, def) { .name = n, .kind = MK_PEAK, .unit = "pages", .better = BETTER_LOWER, .section = SEC_MEMORY, .absent_on = a, .definition = def }
#define P(n, def) { .name = n, .kind = MK_PEAK, .unit = "pages", .better = BETTER_LOWER, .section = SEC_MEMORY, .definition = def }

static const struct metric_def counters[M_NR_COUNTERS] = {
	[M_WRITES] = C("writes", "calls", BETTER_NONE, SEC_OPS, "calls of write(2)"),
	[M_STORES] = C("stores", "calls", BETTER_NONE, SEC_OPS, "calls of `m:store`"),
	[M_FAULTS] = CA("linux", "faults", "faults", BETTER_LOWER, SEC_OPS,
		       "write faults taken (the page_mkwrite path), including GUP's"),
	[M_PIN_WRITES] = C("pin_writes", "calls", BETTER_NONE, SEC_OPS, "calls of `pin:write`"),
	[M_DIO_WRITES] = C("dio_writes", "calls", BETTER_NONE, SEC_OPS, "O_DIRECT write calls"),
	[M_FSYNCS] = C("fsyncs", "calls", BETTER_NONE, SEC_OPS,
		       "calls of fsync, fdatasync, msync and sync(2)"),
	[M_DISK_WRITES] = C("disk_writes", "pages", BETTER_LOWER, SEC_DISK,
			    "pages carried by write requests the device completed or rejected"),
	[M_DISK_REQUESTS] = C("disk_requests", "requests", BETTER_LOWER, SEC_DISK,
			      "write requests dispatched to the device"),
	[M_DIO_WRITE_BW] = { .name = "dio_write_bw", .kind = MK_RATE, .unit = "MiB/s",
			     .better = BETTER_HIGHER, .section = SEC_DISK,
			     .absent_on = "linux",
			     .definition = "bytes of O_DIRECT writes that completed without error, "
					   "per second of `sim_time`, in MiB/s (rounded)" },
	[M_REDUNDANT_WRITES] = HA("linux", "redundant_writes", "pages",
				 "a page write completed whose content the block already held: the data "
				 "was written twice"),
	[M_CHECKSUM_ERRORS] = HA("linux", "checksum_errors", "requests",
				"write requests the device rejected because a page's content at DMA "
				"differed from its content at submission (guard tag mismatch)"),
	[M_EIO_RETURNED] = C("eio_returned", "calls", BETTER_LOWER, SEC_HAZARDS,
			     "operations that returned EIO to the program (a rejected write is "
			     "reported once, by the next fsync of the file; an asynchronous "
			     "direct I/O's EIO, by the `io:wait` that returns it, on every target)"),
	[M_STALE_OVERWRITES] = HA("linux", "stale_overwrites", "pages",
				 "a page write completed whose content is older than what the block "
				 "held (an older copy landed after a newer one)"),
	[M_LOST_WRITES] = { .name = "lost_writes", .kind = MK_COUNTER, .unit = "blocks",
			    .better = BETTER_LOWER, .section = SEC_HAZARDS, .chart = "hazards",
			    .absent_on = "linux",
			    .definition = "a block's write whose bytes lost their last way to the disk, "
			    "counted at that moment even if a later write covers the block again: the "
			    "device got a version without them and no copy that will be written holds "
			    "them, their only copy was cleaned after a rejected write, or they were "
			    "written into a copy nobody writes back (a later version that carries them "
			    "is no loss); includes every block `lost_at_end` finds" },
	[M_LOST_AT_END] = H("lost_at_end", "blocks",
			    "after the final sync: blocks whose durable content is not the latest a "
			    "program wrote, or that were modified through a stale copy (an update "
			    "applied to a copy that lacked a later one)"),
	[M_FSYNC_VIOLATIONS] = HA("linux", "fsync_violations", "calls",
				 "fsync, fdatasync, msync or sync(2) calls that returned success while "
				 "a block written before the call began was not durable (one per call)"),
	[M_STALE_READS] = H("stale_reads", "reads",
			    "reads (read(2), loads, direct reads) that returned content older than "
			    "the latest written"),
	[M_STALE_CACHE_PAGES] = H("stale_cache_pages", "pages",
				  "after the final sync: clean cached pages whose content differs from "
				  "the disk"),
	[M_FORKS] = CA("linux", "forks", "pages", BETTER_LOWER, SEC_COPIES, "page copies made by forking"),
	[M_BOUNCES] = CA("linux", "bounces", "pages", BETTER_LOWER, SEC_COPIES,
			"pages written from a bounce buffer"),
	[M_PTE_UPDATES] = CA("linux", "pte_updates", "PTEs", BETTER_LOWER, SEC_COPIES,
			    "PTEs write-protected or re-pointed"),
	[M_TLB_SHOOTDOWNS] = CA("linux", "tlb_shootdowns", "IPIs", BETTER_LOWER, SEC_COPIES,
			       "remote TLB-flush IPIs sent"),
	[M_FORKED_PAGES_PEAK] = PA("linux", "forked_pages_peak",
				  "most forked-off copies alive at once (extra memory)"),
	[M_BOUNCE_PAGES_PEAK] = PA("linux", "bounce_pages_peak",
				  "most bounce buffers alive at once (extra memory)"),
	[M_STABLE_WAITS] = { .name = "stable_waits", .kind = MK_COUNTER, .unit = "waits",
			     .better = BETTER_LOWER, .section = SEC_STALLS,
			     .definition = "times a task waited for a page's writeback to end before "
			     "modifying it (stable pages; a wait for a pin is not one).  Under "
			     "`linux:` the `writeback:folio_wait_writeback` events of the run's "
			     "device, which also fire where fsync, msync or sync waits for a page "
			     "in flight (filemap_fdatawait), under either stable_writes setting" },
	[M_STALL_STABLE] = T("stall.stable", SEC_STALLS, "stalls", "stable-page wait",
			     "time tasks spent blocked waiting for writeback to end before "
			     "modifying a page"),
	[M_STALL_PIN] = TA("linux", "stall.pin", SEC_STALLS, "stalls", "pin wait",
			  "time tasks spent blocked waiting for a pin to go"),
	[M_STALL_REFORK] = TA("linux", "stall.refork", SEC_STALLS, "stalls", "refork wait",
			     "time data-integrity writeback spent waiting for an older copy in "
			     "flight before submitting a newer one"),
	[M_STALL_THROTTLE] = T("stall.throttle", SEC_STALLS, "stalls", "dirty throttling",
			       "time tasks spent in dirty-throttling pauses (balance_dirty_pages; the "
			       "sum of the `throttle` latencies)"),
	[M_CPU_COPY] = TA("linux", "cpu.copy", SEC_CPU, "cpu", "page copies",
			 "CPU time of kernel copies (write/read(2) copies, forks, bounces)"),
	[M_CPU_CHECKSUM] = TA("linux", "cpu.checksum", SEC_CPU, "cpu", "checksums",
			     "CPU time computing guard checksums"),
	[M_CPU_PTE] = TA("linux", "cpu.pte", SEC_CPU, "cpu", "PTE updates", "CPU time updating PTEs"),
	[M_CPU_TLB] = TA("linux", "cpu.tlb", SEC_CPU, "cpu", "TLB shootdowns",
			"CPU time sending TLB shootdowns"),
	[M_SIM_TIME] = { .name = "sim_time", .kind = MK_TIME, .unit = "ns", .better = BETTER_NONE,
			 .section = SEC_RUN,
			 .definition = "simulated time when the workload ended (before the final sync)" },
};

#define L(n, def) { .name = n, .kind = MK_LATENCY, .unit = "ns", .better = BETTER_LOWER, .definition = def }
#define LA(a, n, def) { .name = n, .kind = MK_LATENCY, .unit = "ns", .better = BETTER_LOWER, .absent_on = a, .definition = def }

static const struct metric_def latencies[OPK_NR] = {
	[OPK_WRITE] = L("write", "a write(2) call"),
	[OPK_STORE] = L("store", "a whole `m:store`"),
	[OPK_FAULT] = LA("linux", "fault", "one write fault"),
	[OPK_FSYNC] = L("fsync", "an fsync, fdatasync or sync(2) call"),
	[OPK_MSYNC] = L("msync", "an msync call"),
	[OPK_DIO_WRITE] = L("dio_write", "an O_DIRECT write"),
	[OPK_PIN_WRITE] = L("pin_write", "a pin holder's write"),
	[OPK_READ] = L("read", "a read(2), a load or a direct read"),
	[OPK_THROTTLE] = LA("linux", "throttle", "one dirty-throttling pause (balance_dirty_pages: how long "
			   "a dirtier slept, at most 200 ms; `stall.throttle` is their sum)"),
};

const struct metric_def *metric_counter_def(enum metric_counter c)
{
	g_return_val_if_fail((unsigned int)c < M_NR_COUNTERS, NULL);
	return &counters[c];
}

const struct metric_def *metric_latency_def(enum op_kind k)
{
	g_return_val_if_fail((unsigned int)k < OPK_NR, NULL);
	return &latencies[k];
}

const char *const *metric_sections(void)
{
	return section_order;
}

const char *metric_kind_name(enum metric_kind k)
{
	switch (k) {
	case MK_COUNTER: return "counter";
	case MK_TIME:    return "time";
	case MK_PEAK:    return "peak";
	case MK_RATE:    return "rate";
	case MK_LATENCY: return "latency";
	}
	return "?";
}

const char *metric_better_name(enum metric_better b)
{
	switch (b) {
	case BETTER_LOWER:  return "lower";
	case BETTER_HIGHER: return "higher";
	case BETTER_NONE:   return "—";
	}
	return "?";
}

/* A target name in a metric's absent_on list ("linux", "a b"). */
bool metric_absent_on(const struct metric_def *d, const char *target)
{
	if (!d->absent_on || !target)
		return false;
	size_t n = strlen(target);
	for (const char *p = d->absent_on; (p = strstr(p, target)); p += n)
		if ((p == d->absent_on || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

static void md_row(GString *s, const char *name, const struct metric_def *d)
{
	g_string_append_printf(s, "| %s | %s | %s | %s | %s%s%s%s |\n", name,
			       metric_kind_name(d->kind), d->unit, metric_better_name(d->better),
			       d->definition, d->absent_on ? " (n/a on `" : "",
			       d->absent_on ? d->absent_on : "", d->absent_on ? ":`)" : "");
}

char *metric_table_markdown(void)
{
	GString *s = g_string_new("| metric | kind | unit | better | definition |\n"
				  "|---|---|---|---|---|\n");
	for (int c = 0; c < M_NR_COUNTERS; c++) {
		char *name = g_strdup_printf("`%s`", counters[c].name);
		md_row(s, name, &counters[c]);
		g_free(name);
	}
	for (int k = 0; k < OPK_NR; k++) {
		char *name = g_strdup_printf("`%s.*`", latencies[k].name);
		struct metric_def d = latencies[k];
		char *def = g_strdup_printf("latency of %s: `.count`, `.mean`, `.p50`, `.p90`, "
					    "`.p99`, `.p999`, `.max`", d.definition);
		d.definition = def;
		md_row(s, name, &d);
		g_free(def);
		g_free(name);
	}
	return g_string_free(s, FALSE);
}

char *metric_table_charts(void)
{
	GString *s = g_string_new(NULL);
	for (int c = 0; c < M_NR_COUNTERS; c++)
		if (counters[c].chart)
			g_string_append_printf(s, "%s\t%s\t%s\n", counters[c].chart, counters[c].name,
					       counters[c].label ? counters[c].label : counters[c].name);
	return g_string_free(s, FALSE);
}
