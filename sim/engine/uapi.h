/*
 * uapi — the vocabulary every layer and every target shares, as the kernel's
 * include/uapi is shared by the kernel and its users: the page size, the flags of
 * sync_file_range(2), the error a failed I/O returns, whether an operation finished
 * at once or goes on in (simulated or real) time, and how a run ended.
 */
#ifndef WBSIM_UAPI_H
#define WBSIM_UAPI_H

#define PAGE_SIZE 4096u
#define PAGE_SHIFT 12

/* sync_file_range flags, as in the system call */
#define SYNC_FILE_RANGE_WAIT_BEFORE 1u
#define SYNC_FILE_RANGE_WRITE       2u
#define SYNC_FILE_RANGE_WAIT_AFTER  4u

#define WBSIM_EIO 5
#define WBSIM_EFAULT 14         /* a FOLL_LONGTERM pin of a file mapping, refused */

/* An operation either finished now (its result is ready) or blocked: whoever runs
 * the task is told again when it has finished. */
enum op_status { OP_DONE, OP_BLOCKED };

/* How a run's workload ended. */
enum sim_end {
	SIM_END_IDLE,           /* every task finished and writeback went idle */
	SIM_END_DURATION,       /* the scenario's duration elapsed */
	SIM_END_DEADLOCK,       /* tasks wait for something nobody will provide */
	SIM_END_STOPPED,        /* a driver stopped the run (an error) */
};

#endif
