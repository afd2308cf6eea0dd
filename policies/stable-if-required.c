/*
 * stable-if-required — Linux 3.9 and later: writers wait for writeback only when the
 * device asks for stable pages (BDI_CAP_STABLE_WRITES, later QUEUE_FLAG_STABLE_WRITES
 * / AS_STABLE_WRITES), e.g. because it checksums data.  Option dio=bounce models Linux
 * 7.0's bounce of direct-I/O user pages for such devices (IOMAP_DIO_BOUNCE).
 */
#include "policy.h"

#include <string.h>

struct sir {
	bool dio_bounce;
};

static void *init(const struct policy_args *a)
{
	struct sir *p = g_new0(struct sir, 1);
	p->dio_bounce = !strcmp(policy_arg(a, "dio"), "bounce");
	return p;
}

static enum modify_action modify(void *priv, struct sim *s, const struct page *pg,
				 enum modify_source src)
{
	(void)priv; (void)pg; (void)src;
	return sim_device_stable_writes(s) ? MODIFY_WAIT : MODIFY_PROCEED;
}

static enum dio_action dio(void *priv, struct sim *s)
{
	struct sir *p = priv;
	return p->dio_bounce && sim_device_stable_writes(s) ? DIO_BOUNCE : DIO_DIRECT;
}

static const struct wb_policy_option options[] = {
	{ "dio", "direct|bounce", "direct",
	  "direct writes on a stable-writes device: send user pages as they are, or bounce them" },
	{ .name = NULL },
};

static const struct wb_policy_ops ops = {
	.name = "stable-if-required",
	.description = "wait for writeback only if the device needs stable pages (3.9+)",
	.options = options,
	.init = init,
	.destroy = g_free,
	.page_modify = modify,
	.dio_submit = dio,
};

const struct wb_policy_ops *wbsim_policy_register(void)
{
	return &ops;
}
