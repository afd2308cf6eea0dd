/*
 * bounce — writeback always writes from a private snapshot taken at submission (the
 * ext3 snapshot band-aid, and direct-I/O bouncing for stable-page devices): writers
 * never wait and the device never sees data change under it, at the price of a copy
 * per page written and the memory the snapshots hold while in flight.
 */
#include "policy.h"

static enum modify_action modify(void *priv, struct sim *s, const struct page *p,
				 enum modify_source src)
{
	(void)priv; (void)s; (void)p; (void)src;
	return MODIFY_PROCEED;
}

static enum submit_action submit(void *priv, struct sim *s, const struct page *p)
{
	(void)priv; (void)s; (void)p;
	return SUBMIT_BOUNCE;
}

static enum dio_action dio(void *priv, struct sim *s)
{
	(void)priv; (void)s;
	return DIO_BOUNCE;
}

/* Writeback never hands the device a page its holder may be writing, so a
 * FOLL_LONGTERM pin of a file page cannot corrupt an I/O; the core keeps such a page
 * dirty while it is pinned, so what its holder writes is written back. */
static bool longterm(void *priv, struct sim *s)
{
	(void)priv; (void)s;
	return true;
}

static const struct wb_policy_ops ops = {
	.name = "bounce",
	.description = "write back from a snapshot taken at submission; writers never wait; "
		       "grants FOLL_LONGTERM pins of file pages",
	.page_modify = modify,
	.page_submit = submit,
	.dio_submit = dio,
	.longterm_pin = longterm,
};

const struct wb_policy_ops *wbsim_policy_register(void)
{
	return &ops;
}
