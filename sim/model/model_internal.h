/*
 * model_internal — the machine's parts as sim.c and task_api.c assemble and run them.
 */
#ifndef WBSIM_MODEL_INTERNAL_H
#define WBSIM_MODEL_INTERNAL_H

#include "model/model.h"
#include "syscalls/syscalls.h"

/* A task as the machine runs it: on the clock and queues (struct task), in the middle
 * of a system call (struct op), driven by its driver. */
struct ktask {
	struct task t;                  /* first: the wakeup event is the task's */
	struct op op;
	const struct task_driver *drv;
	void *drv_data;
};

static inline struct ktask *ktask_of(const struct task *t)
{
	return (struct ktask *)t;
}

struct sim {
	struct kernel k;                /* what the system calls see */
	struct engine *eng;
	struct metrics *m;
	struct tracer tr;
	struct sim_config cfg;
	struct policy *policy;
	struct sched sched;
	struct mm mm;
	struct device *dev;
	struct bdi_writeback wb;
	struct oracle oracle;
	GPtrArray *tasks;               /* of struct ktask *: the workload's and the final sync */
	int nr_tasks;                   /* ids handed out, the flusher's included */
	int nr_live_tasks;              /* workload tasks not yet done */
	bool final_phase;
	enum sim_end end;
	simtime_t workload_end;
	struct sim_event sampler;
	sim_sample_fn sample_fn;
	void *sample_data;
};

/* task_api.c */
struct ktask *ktask_new(struct sim *s, const char *name, struct process *p, int cpu,
			simtime_t start, const struct task_driver *drv, void *drv_data);
enum op_status task_kernel_op(struct task *t, enum op_type type);

/* sim.c */
void sim_check_quiescent(struct sim *s);

#endif
