/*
 * engine — the discrete-event core: a clock in integer nanoseconds, one queue of
 * pending events ordered by (time, insertion sequence), and a run loop.
 *
 * Events are intrusive: the owner (a task, a request, a timer) embeds a struct
 * sim_event and gets a callback when it fires.  The queue keeps the event's
 * position inside the event itself, so cancel and reschedule never search.
 */
#ifndef WBSIM_ENGINE_H
#define WBSIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

typedef uint64_t simtime_t;             /* nanoseconds since the start of the run */
#define SIMTIME_MAX UINT64_MAX

#define NSEC_PER_USEC 1000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_SEC  1000000000ull

struct engine;
struct sim_event;
typedef void (*sim_event_fn)(struct engine *e, struct sim_event *ev);

struct sim_event {
	simtime_t time;
	uint64_t seq;           /* insertion order: ties at equal time run FIFO */
	sim_event_fn fn;
	uint32_t pos;           /* slot in the queue; EVQ_NONE when not queued */
	uint32_t aux;           /* owned by the queue implementation */
};

#define EVQ_NONE UINT32_MAX

static inline void sim_event_init(struct sim_event *ev, sim_event_fn fn)
{
	ev->time = 0;
	ev->seq = 0;
	ev->fn = fn;
	ev->pos = EVQ_NONE;
	ev->aux = 0;
}

static inline bool sim_event_pending(const struct sim_event *ev)
{
	return ev->pos != EVQ_NONE;
}

enum engine_stop_reason {
	ENGINE_EMPTY,           /* nothing left to do */
	ENGINE_TIME_LIMIT,      /* the next event lies beyond the limit */
	ENGINE_STOPPED,         /* somebody called engine_stop() */
};

struct engine *engine_new(void);
void engine_free(struct engine *e);

simtime_t engine_now(const struct engine *e);
uint64_t engine_events_processed(const struct engine *e);
size_t engine_pending_count(const struct engine *e);

/* Schedule @ev at absolute time @when (never earlier than now).  An event that is
 * already pending is moved, keeping the guarantee that it runs after every event
 * already scheduled for the same instant. */
void engine_schedule(struct engine *e, struct sim_event *ev, simtime_t when);
static inline void engine_schedule_in(struct engine *e, struct sim_event *ev, simtime_t delay);
void engine_cancel(struct engine *e, struct sim_event *ev);

/* Time of the earliest pending event, SIMTIME_MAX when none. */
simtime_t engine_next_time(const struct engine *e);

/*
 * Let the currently running code consume CPU time without a round trip through the
 * queue: succeeds (and moves the clock to @when) only when no pending event is due at
 * or before @when and @when is within the run's limit, so nothing could have happened
 * in between.  This is what makes tight loops of cheap operations fast.
 */
bool engine_try_advance(struct engine *e, simtime_t when);

/* Run events until the queue is empty, the next event lies after @limit, or
 * engine_stop() is called from a callback. */
enum engine_stop_reason engine_run(struct engine *e, simtime_t limit);
void engine_stop(struct engine *e);

static inline void engine_schedule_in(struct engine *e, struct sim_event *ev, simtime_t delay)
{
	engine_schedule(e, ev, engine_now(e) + delay);
}

#endif
