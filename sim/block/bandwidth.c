/*
 * bandwidth — the device's link.  A request past its latency transfers its bytes at
 * an equal share of the bandwidth with every other request transferring at the same
 * time (processor sharing), so together they never move more than `bandwidth` bytes
 * per second, and a request's transfer stretches when others join and shrinks back
 * when they leave.
 *
 * Kept cheap with a virtual clock: vtime counts the bytes each transferring request
 * has been given since the link was last idle, and grows at bandwidth / n per second
 * while n requests share it.  A request that joins at vtime V with W bytes leaves
 * when vtime reaches V + W, its finish tag, whatever joins or leaves meanwhile; so
 * the requests wait in a heap by finish tag and only the smallest has an event,
 * moved (engine_schedule moves a pending event) whenever n changes.
 */
#include "block/blk_internal.h"

static void xfer_event(struct engine *e, struct sim_event *ev);

void xfer_init(struct device *d)
{
	sim_event_init(&d->xfer_ev, xfer_event);
}

void xfer_destroy(struct device *d)
{
	g_free(d->xfer);
}

/* Heap order: the smaller finish tag, and between equal tags the earlier to join,
 * so that equal requests leave in the order they came. */
static bool before(const struct request *a, const struct request *b)
{
	return a->finish < b->finish || (a->finish == b->finish && a->xfer_seq < b->xfer_seq);
}

static void sift_up(struct request **h, unsigned i)
{
	struct request *rq = h[i];
	while (i && before(rq, h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = rq;
}

static void sift_down(struct request **h, unsigned n, unsigned i)
{
	struct request *rq = h[i];
	for (;;) {
		unsigned c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && before(h[c + 1], h[c]))
			c++;
		if (!before(h[c], rq))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = rq;
}

/* Bring vtime up to @now: each of the nr_xfer requests was given its share. */
static void advance(struct device *d, simtime_t now)
{
	if (d->nr_xfer)
		d->vtime += (double)(now - d->vtime_at) * (double)d->cfg->bandwidth * 1e-9 /
			    (double)d->nr_xfer;
	d->vtime_at = now;
}

/* The smallest finish tag is reached at the current share: (re)schedule it, to the
 * nearest nanosecond (the request leaves then whatever fraction of a byte is left:
 * it is the one with the smallest tag). */
static void resched(struct device *d)
{
	if (!d->nr_xfer) {
		d->vtime = 0;   /* idle: start the next busy period from 0 (precision) */
		return;
	}
	double left = d->xfer[0]->finish - d->vtime;
	double ns = left > 0 ? left * (double)d->nr_xfer * 1e9 / (double)d->cfg->bandwidth : 0;
	simtime_t when = d->vtime_at + round_ns(ns);
	if (!sim_event_pending(&d->xfer_ev) || d->xfer_ev.time != when)
		engine_schedule(d->eng, &d->xfer_ev, when);
}

void xfer_join(struct device *d, struct request *rq)
{
	advance(d, engine_now(d->eng));
	rq->finish = d->vtime + rq->work;
	rq->xfer_seq = d->xfer_seq++;
	if (d->nr_xfer == d->xfer_cap) {
		d->xfer_cap = d->xfer_cap ? 2 * d->xfer_cap : 8;
		d->xfer = g_renew(struct request *, d->xfer, d->xfer_cap);
	}
	d->xfer[d->nr_xfer] = rq;
	sift_up(d->xfer, d->nr_xfer++);
	resched(d);
}

/* The request with the smallest finish tag has had all its bytes. */
static void xfer_event(struct engine *e, struct sim_event *ev)
{
	struct device *d = (struct device *)((char *)ev - offsetof(struct device, xfer_ev));
	advance(d, engine_now(e));
	struct request *rq = d->xfer[0];
	d->xfer[0] = d->xfer[--d->nr_xfer];
	if (d->nr_xfer)
		sift_down(d->xfer, d->nr_xfer, 0);
	resched(d);
	device_transfer_done(d, rq);
}
