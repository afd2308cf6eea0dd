/*
 * wait-on-writeback — "stable pages" for every device (Linux 3.0 to 3.8): a write or
 * a write fault on a page under writeback sleeps until the I/O completes.  Safe for
 * write(2) and mmap stores, costly in latency, and powerless against writes through
 * get_user_pages pins, which never ask.
 */
#include "policy.h"

static enum modify_action modify(void *priv, struct sim *s, const struct page *p,
				 enum modify_source src)
{
	(void)priv; (void)s; (void)p; (void)src;
	return MODIFY_WAIT;
}

static const struct wb_policy_ops ops = {
	.name = "wait-on-writeback",
	.description = "writers wait until writeback of the page completes (stable pages, 3.0-3.8)",
	.page_modify = modify,
};

const struct wb_policy_ops *wbsim_policy_register(void)
{
	return &ops;
}
