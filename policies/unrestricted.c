/*
 * unrestricted — writers never wait for writeback (Linux before 3.0, and today on
 * devices that do not ask for stable pages).  Cheap, but a page changed between
 * submission and DMA is written twice, and an integrity device rejects it.
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
	return SUBMIT_PAGE;
}

static enum dio_action dio(void *priv, struct sim *s)
{
	(void)priv; (void)s;
	return DIO_DIRECT;
}

static unsigned sync_waits(void *priv, struct sim *s)
{
	(void)priv; (void)s;
	return SYNC_WAIT_INDEX;
}

static const struct wb_policy_ops ops = {
	.name = "unrestricted",
	.description = "writers proceed while a page is under writeback (pre-3.0 Linux)",
	.page_modify = modify,
	.page_submit = submit,
	.dio_submit = dio,
	.sync_waits = sync_waits,
};

const struct wb_policy_ops *wbsim_policy_register(void)
{
	return &ops;
}
