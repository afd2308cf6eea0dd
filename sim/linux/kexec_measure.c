/*
 * kexec_measure — which of the model's metrics a run on the kernel measures, and why
 * not the others.  A metric marked "not measured" must be reported as absent ("n/a"),
 * never as 0: a zero would claim the hazard did not happen.
 */
#include "linux/kexec_priv.h"

#include <string.h>

struct measure {
	const char *name;
	enum kx_measure how;
	const char *why;
};

static const struct measure table[] = {
	{ "writes", KX_MEASURED, "pwrite calls" },
	{ "stores", KX_MEASURED, "m:store calls" },
	{ "pin_writes", KX_MEASURED, "pin:write calls" },
	{ "dio_writes", KX_MEASURED, "O_DIRECT write calls" },
	{ "fsyncs", KX_MEASURED, "fsync, fdatasync, msync and syncfs calls" },
	{ "eio_returned", KX_MEASURED, "operations that returned EIO" },
	{ "lost_at_end", KX_MEASURED, "pages read back after the remount holding bytes of no "
	  "acceptable write" },
	{ "stale_reads", KX_MEASURED, "reads that returned bytes of no write they could have seen" },
	{ "stale_cache_pages", KX_MEASURED, "cached pages differing from the disk at the end" },
	{ "sim_time", KX_MEASURED, "elapsed time of the run" },
	{ "disk_writes", KX_MEASURED_BY_ENV, "the loop device's sectors written (/sys/block/loopN/stat)" },
	{ "disk_requests", KX_MEASURED_BY_ENV, "the loop device's write I/Os (/sys/block/loopN/stat)" },
	{ "stable_waits", KX_MEASURED_BY_ENV, "writeback:folio_wait_writeback events (tracefs)" },
	{ "stall.stable", KX_MEASURED_BY_ENV, "writeback:folio_wait_writeback to the wakeup that "
	  "ends the sleep it caused (tracefs, sched events of the run's threads)" },
	{ "stall.throttle", KX_MEASURED_BY_ENV, "writeback:balance_dirty_pages pauses (tracefs)" },
	{ "faults", KX_NOT_MEASURED, "write faults happen inside a store and are not counted apart" },
	{ "redundant_writes", KX_NOT_MEASURED, "needs the content of every write the device "
	  "received, which the loop device does not show" },
	{ "checksum_errors", KX_NOT_MEASURED, "no integrity device (no device-mapper here)" },
	{ "stale_overwrites", KX_NOT_MEASURED, "needs the order in which blocks reached the disk, "
	  "which only a crash would show" },
	{ "fsync_violations", KX_NOT_MEASURED, "needs a crash right after the sync returned" },
	{ "lost_writes", KX_NOT_MEASURED, "needs the moment a write lost its last way to the "
	  "disk, which the kernel does not show; the end-of-run count is lost_at_end" },
	{ "forks", KX_NOT_MEASURED, "the kernel has no page forking" },
	{ "bounces", KX_NOT_MEASURED, "buffered writeback has no bounce buffers to count" },
	{ "forked_pages_peak", KX_NOT_MEASURED, "the kernel has no page forking" },
	{ "bounce_pages_peak", KX_NOT_MEASURED, "buffered writeback has no bounce buffers to count" },
	{ "pte_updates", KX_NOT_MEASURED, "not visible from user space" },
	{ "tlb_shootdowns", KX_NOT_MEASURED, "not attributed to the run from user space" },
	{ "stall.pin", KX_NOT_MEASURED, "user space cannot hold a get_user_pages pin across calls" },
	{ "stall.refork", KX_NOT_MEASURED, "the kernel has no page forking" },
	{ "cpu.copy", KX_NOT_MEASURED, "the kernel's CPU time is not split by cause" },
	{ "cpu.checksum", KX_NOT_MEASURED, "no integrity device" },
	{ "cpu.pte", KX_NOT_MEASURED, "the kernel's CPU time is not split by cause" },
	{ "cpu.tlb", KX_NOT_MEASURED, "the kernel's CPU time is not split by cause" },
	{ "dio_write_bw", KX_NOT_MEASURED, "not computed from the worker's O_DIRECT timings yet" },
};

enum kx_measure kx_metric_measure(const char *name, const char **why)
{
	const char *dot = name ? strchr(name, '.') : NULL;
	/* Latencies: every kind is timed in the worker, except a fault, which happens
	 * inside a store, and a dirty-throttling pause, inside a write. */
	if (dot && metric_name_valid(name) && strncmp(name, "stall.", 6) && strncmp(name, "cpu.", 4)) {
		bool fault = !strncmp(name, "fault.", 6), pause = !strncmp(name, "throttle.", 9);
		if (why)
			*why = fault ? "a fault happens inside a store and is not timed apart"
			     : pause ? "a pause happens inside a write; the balance_dirty_pages "
				       "tracepoint's pause field is not read yet"
				     : "timed in the worker around the system call(s)";
		return fault || pause ? KX_NOT_MEASURED : KX_MEASURED;
	}
	for (size_t i = 0; name && i < G_N_ELEMENTS(table); i++)
		if (!strcmp(table[i].name, name)) {
			if (why)
				*why = table[i].why;
			return table[i].how;
		}
	if (why)
		*why = "not a metric";
	return KX_NOT_MEASURED;
}
