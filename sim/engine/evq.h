/*
 * evq — the pending-event set behind the engine.  Ordered by (time, seq); every
 * operation keeps ev->pos current so removal needs no search.
 */
#ifndef WBSIM_EVQ_H
#define WBSIM_EVQ_H

#include "engine/engine.h"

struct evq;

struct evq *evq_new(void);
void evq_free(struct evq *q);
void evq_push(struct evq *q, struct sim_event *ev);     /* ev->time, ev->seq set */
struct sim_event *evq_peek(struct evq *q);              /* NULL when empty */
struct sim_event *evq_pop(struct evq *q);               /* NULL when empty */
void evq_remove(struct evq *q, struct sim_event *ev);   /* ev must be queued */
/* Would queued @ev, given time @when, stay where it is?  Then setting its time and
 * seq is all a move takes. */
bool evq_same_bucket(const struct evq *q, const struct sim_event *ev, simtime_t when);
size_t evq_count(const struct evq *q);
size_t evq_bytes(const struct evq *q);                  /* memory held by the queue */

#endif
