/*
 * What a direct I/O costs on the CPU (sim/syscalls/dio_bounce.c): the block layer's
 * work per request, and, when the policy bounces, a page allocation and a copy per
 * page, before a write or after a read; and CPU time as a shared resource: workload
 * tasks placed on one CPU take turns (sim/sched/task.c), which is what makes a single
 * CPU driving 32 requests the bottleneck the bounce shows on.
 */
#include "model_util.h"

#define US 1000ull

/* A stable-writes device, no jitter, 10 us per request, transfer ~0. */
static struct sim *dio_sim(const char *policy, struct sim_config *c)
{
	test_config(c);
	c->dev.write_latency = c->dev.read_latency = 10 * US;
	c->dev.stable_writes = true;
	return test_sim_new(c, test_policy(policy));
}

/* One task, one step: run it and return the step's latency. */
static simtime_t one_op(struct sim *s, struct step op, struct metrics **m)
{
	struct step st[] = { op, END };
	struct script *sc = script_spawn(s, "w", NULL, -1, 0, st);
	ck_assert_int_eq(sim_run(s), SIM_END_IDLE);
	simtime_t t = sc->done_at[0];
	ck_assert_int_eq(sc->results[0], 0);
	g_free(sc);
	*m = sim_metrics(s);
	return t;
}

START_TEST(bounced_write_pays_allocation_and_copy_per_page)
{
	/* 16 KiB = 4 pages in one request.  Direct: syscall + one request's work, and
	 * the I/O (10 us).  Bounced: besides, per page an allocation and a copy, paid
	 * before the request goes out, so the write takes that much longer. */
	struct sim_config c;
	struct metrics *m;
	struct file *f;
	struct sim *s = dio_sim("stable-if-required", &c);
	f = sim_file_new(s, "data", 1 << 20);
	simtime_t direct = one_op(s, (struct step)DIO_WRITE(f, 0, 16384), &m);
	ck_assert_uint_eq(m->c[M_BOUNCES], 0);
	ck_assert_uint_eq(m->c[M_CPU_COPY], 0);
	ck_assert_uint_eq(m->c[M_BOUNCE_PAGES_PEAK], 0);
	ck_assert_uint_eq(direct, c.cost.syscall + c.cost.dio_request + 10 * US);
	sim_free(s);

	s = dio_sim("stable-if-required:dio=bounce", &c);
	f = sim_file_new(s, "data", 1 << 20);
	simtime_t bounced = one_op(s, (struct step)DIO_WRITE(f, 0, 16384), &m);
	ck_assert_uint_eq(m->c[M_BOUNCES], 4);
	ck_assert_uint_eq(m->c[M_CPU_COPY], 4 * c.cost.copy_page);
	ck_assert_uint_eq(m->c[M_BOUNCE_PAGES_PEAK], 4);
	ck_assert_uint_eq(bounced - direct, 4 * (c.cost.page_alloc + c.cost.copy_page));
	ck_assert_uint_eq(m->bounce_pages, 0);          /* freed at completion */
	sim_free(s);
}
END_TEST

START_TEST(bounced_read_copies_back_after_the_io)
{
	/* A bounced read allocates at submission and copies to the user after the data
	 * is in; nothing of either when it is not bounced. */
	struct sim_config c;
	struct metrics *m;
	struct sim *s = dio_sim("stable-if-required", &c);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	simtime_t direct = one_op(s, (struct step)DIO_READ(f, 0, 16384), &m);
	ck_assert_uint_eq(direct, c.cost.syscall + c.cost.dio_request + 10 * US);
	ck_assert_uint_eq(m->c[M_CPU_COPY], 0);
	sim_free(s);

	s = dio_sim("stable-if-required:dio=bounce", &c);
	f = sim_file_new(s, "data", 1 << 20);
	simtime_t bounced = one_op(s, (struct step)DIO_READ(f, 0, 16384), &m);
	ck_assert_uint_eq(bounced - direct, 4 * (c.cost.page_alloc + c.cost.copy_page));
	ck_assert_uint_eq(m->c[M_CPU_COPY], 4 * c.cost.copy_page);
	ck_assert_uint_eq(m->c[M_BOUNCE_PAGES_PEAK], 4);
	ck_assert_uint_eq(m->bounce_pages, 0);
	ck_assert_uint_eq(m->c[M_BOUNCES], 0);          /* "pages written from a bounce buffer" */
	sim_free(s);
}
END_TEST

START_TEST(each_request_pays_the_block_layer)
{
	/* 1 MiB with 512 KiB requests is two requests: two dio_request costs. */
	struct sim_config c;
	struct metrics *m;
	struct sim *s = dio_sim("unrestricted", &c);
	struct file *f = sim_file_new(s, "data", 4 << 20);
	simtime_t t = one_op(s, (struct step)DIO_WRITE(f, 0, 1 << 20), &m);
	ck_assert_uint_eq(m->c[M_DISK_REQUESTS], 2);
	ck_assert_uint_eq(t, c.cost.syscall + 2 * c.cost.dio_request + 10 * US);
	sim_free(s);
}
END_TEST

/* @n tasks each do one 4 KiB direct write at t = 0, all on CPU 1 or each on its own;
 * returns when the last one returned. */
static simtime_t writers_on_cpus(int n, bool one_cpu, const char *policy)
{
	struct sim_config c;
	struct sim *s = dio_sim(policy, &c);
	struct file *f = sim_file_new(s, "data", 1 << 20);
	struct step *st = g_new0(struct step, 2 * (size_t)n);
	struct script **sc = g_new0(struct script *, (size_t)n);
	for (int i = 0; i < n; i++) {
		st[2 * i] = (struct step)DIO_WRITE(f, (uint64_t)i * 4096, 4096);
		st[2 * i + 1] = (struct step)END;
		sc[i] = script_spawn(s, "w", NULL, one_cpu ? 1 : i + 1, 0, &st[2 * i]);
	}
	sim_run(s);
	simtime_t last = 0;
	for (int i = 0; i < n; i++) {
		last = MAX(last, sc[i]->done_at[0]);
		g_free(sc[i]);
	}
	g_free(sc);
	g_free(st);
	sim_free(s);
	return last;
}

START_TEST(tasks_on_one_cpu_take_turns)
{
	/* Each write needs syscall + dio_request = 4.3 us of CPU before its 10 us of
	 * I/O.  On their own CPUs eight writers all finish at 14.3 us; on one CPU the
	 * eighth gets the CPU after seven others had it: 8 x 4.3 + 10 us. */
	struct sim_config c;
	sim_config_defaults(&c);
	simtime_t cpu = c.cost.syscall + c.cost.dio_request;
	ck_assert_uint_eq(writers_on_cpus(8, false, "unrestricted"), cpu + 10 * US);
	ck_assert_uint_eq(writers_on_cpus(8, true, "unrestricted"), 8 * cpu + 10 * US);
	/* Bounced, each also allocates and copies one page on that CPU. */
	simtime_t bcpu = cpu + c.cost.page_alloc + c.cost.copy_page;
	ck_assert_uint_eq(writers_on_cpus(8, true, "stable-if-required:dio=bounce"),
			  8 * bcpu + 10 * US);
}
END_TEST

static Suite *dio_bounce_suite(void)
{
	Suite *s = suite_create("dio_bounce");
	TCase *tc = tcase_create("costs");
	tcase_add_test(tc, bounced_write_pays_allocation_and_copy_per_page);
	tcase_add_test(tc, bounced_read_copies_back_after_the_io);
	tcase_add_test(tc, each_request_pays_the_block_layer);
	tcase_add_test(tc, tasks_on_one_cpu_take_turns);
	suite_add_tcase(s, tc);
	return s;
}

WBTEST_MAIN(dio_bounce_suite)
