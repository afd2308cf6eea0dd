/*
 * kcal — `wbsim calibrate`: this machine's costs and loop device, measured, as
 * a Lua profile of sim.costs{} and sim.device{} values.
 *
 * Every figure is the median over repetitions (robust to the odd preemption on
 * a shared machine); each value's comment in the profile says how it was taken.
 * The device figures are those of a loop device made for the purpose (kenv,
 * KENV_FS_NONE, the same buffered loop the linux: target runs on), the write
 * fault that of an ext4 file on another.  The whole measurement takes a few
 * seconds.
 *
 * The profile's rule (`--profile FILE`, run/profile.h): each value it sets replaces
 * the scenario's, whether the scenario declared it or took the default of
 * DOMAIN.md §5 (the scenario's 20 us device is a fiction next to a loop device);
 * what the profile does not set stays the scenario's.
 */
#ifndef WBSIM_KCAL_H
#define WBSIM_KCAL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct kcal {
	/* CPU (ns) */
	uint64_t syscall;          /* getppid(2) round trip */
	uint64_t copy_page_warm;   /* memcpy of 4 KiB within L1 */
	uint64_t copy_page_cold;   /* memcpy of 4 KiB streaming through 2 x 64 MiB */
	uint64_t fault;            /* first store to a clean, mapped page of a shared
				    * file mapping: write-protect fault, page_mkwrite,
				    * dirtying */
	uint64_t pte_update;       /* per PTE, mprotect over 4096 present pages */
	/* loop device (ns unless said) */
	uint64_t write_qd1, read_qd1;       /* 4 KiB O_DIRECT, one in flight */
	uint64_t write_qd32, read_qd32;     /* the same, 32 in flight (Linux AIO) */
	double write_iops_qd32, read_iops_qd32;
	uint64_t bandwidth;        /* bytes/s, 1 MiB O_DIRECT sequential writes */
	uint64_t flush;            /* fsync of the device after a 4 KiB write */
	double jitter;             /* coefficient of variation of the QD1 writes */
	unsigned queue_depth;      /* requests served at once: QD32 IOPS x QD1 latency */
	char kernel[128];          /* uname -r */
	char host[128];
};

/* Measure; false with a message when the machine lacks what kenv_check() names
 * or a step fails.  Runs set up and removed by kenv; nothing else is touched. */
bool kcal_measure(struct kcal *out, GError **err);

/* The Lua profile (g_free): sim.costs{...} and sim.device{...}, a comment on
 * each value. */
char *kcal_profile_text(const struct kcal *k);

/* The model's defaults (DOMAIN.md §5) beside these values, one line each, for a
 * person to read (g_free). */
char *kcal_compare_text(const struct kcal *k);


#endif
