/*
 * unrestricted — writers never wait for writeback (Linux before 3.0, and today on
 * devices that do not ask for stable pages).  Cheap, but a page changed between
 * submission and DMA is written twice, and an integrity device rejects it.
 * Everything else is the core's default: submit the page itself, send direct I/O
 * as it is, let sync wait for what the index says is under writeback.
 */
#include "policy.h"

static enum modify_action modify(void *priv, struct sim *s, const struct page *p,
				 enum modify_source src)
{
	(void)priv; (void)s; (void)p; (void)src;
	return MODIFY_PROCEED;
}

static const struct wb_policy_ops ops = {
	.name = "unrestricted",
	.description = "writers proceed while a page is under writeback (pre-3.0 Linux)",
	.page_modify = modify,
};

const struct wb_policy_ops *wbsim_policy_register(void)
{
	return &ops;
}
