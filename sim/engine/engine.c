/*
 * The run loop.  Small on purpose: pop the earliest event, move the clock, call it.
 * Everything else in the simulator is a library of event callbacks.
 */
#include "engine/engine.h"
#include "engine/evq.h"

#include <glib.h>

struct engine {
	simtime_t now;
	simtime_t limit;        /* of the current engine_run() */
	uint64_t next_seq;
	uint64_t processed;
	bool stop;
	struct evq *q;
};

struct engine *engine_new(void)
{
	struct engine *e = g_new0(struct engine, 1);
	e->q = evq_new();
	e->limit = SIMTIME_MAX;
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	evq_free(e->q);
	g_free(e);
}

simtime_t engine_now(const struct engine *e)
{
	return e->now;
}

uint64_t engine_events_processed(const struct engine *e)
{
	return e->processed;
}

size_t engine_pending_count(const struct engine *e)
{
	return evq_count(e->q);
}

void engine_schedule(struct engine *e, struct sim_event *ev, simtime_t when)
{
	g_assert(when >= e->now);
	/* A pending event moved within its unsorted bucket (the device's link moves
	 * its completion a little on every join) keeps its place: only its key changes. */
	bool in_place = sim_event_pending(ev) && evq_same_bucket(e->q, ev, when);
	if (sim_event_pending(ev) && !in_place)
		evq_remove(e->q, ev);
	ev->time = when;
	ev->seq = e->next_seq++;
	if (!in_place)
		evq_push(e->q, ev);
}

void engine_cancel(struct engine *e, struct sim_event *ev)
{
	if (sim_event_pending(ev))
		evq_remove(e->q, ev);
}

simtime_t engine_next_time(const struct engine *e)
{
	struct sim_event *ev = evq_peek(e->q);
	return ev ? ev->time : SIMTIME_MAX;
}

bool engine_try_advance(struct engine *e, simtime_t when)
{
	if (when > e->limit || engine_next_time(e) <= when)
		return false;
	e->now = when;
	return true;
}

void engine_stop(struct engine *e)
{
	e->stop = true;
}

enum engine_stop_reason engine_run(struct engine *e, simtime_t limit)
{
	e->stop = false;
	e->limit = limit;
	for (;;) {
		struct sim_event *ev = evq_peek(e->q);
		if (!ev)
			return ENGINE_EMPTY;
		if (ev->time > limit) {
			if (e->now < limit)
				e->now = limit;
			return ENGINE_TIME_LIMIT;
		}
		evq_pop(e->q);
		e->now = ev->time;
		e->processed++;
		ev->fn(e, ev);
		if (e->stop)
			return ENGINE_STOPPED;
	}
}
