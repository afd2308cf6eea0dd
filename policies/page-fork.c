/*
 * page-fork — Tux3's answer (Daniel Phillips, LSFMM 2013): a write to a page under
 * writeback gets a copy; the index and the PTEs move to the copy, the old copy stays
 * with its I/O.  Each option is one of the shortcuts debated at LSFMM, so its hazard
 * can be measured:
 *   pins=wait|ignore        a pinned page is never forked (the writer waits for the
 *                           pin) | it is forked and the pin holder keeps writing into
 *                           the old copy
 *   refork=serialize|allow  a copy is not submitted while an older copy of the block
 *                           is in flight | it is, and the two may complete in any order
 *   sync=track|naive        fsync and direct-I/O invalidation also wait for forked
 *                           copies in flight | they see only the index
 */
#include "policy.h"

#include <string.h>

struct fork_policy {
	bool pins_wait;
	bool serialize;
	bool track;
};

static void *init(const struct policy_args *a)
{
	struct fork_policy *p = g_new0(struct fork_policy, 1);
	p->pins_wait = !strcmp(policy_arg(a, "pins"), "wait");
	p->serialize = !strcmp(policy_arg(a, "refork"), "serialize");
	p->track = !strcmp(policy_arg(a, "sync"), "track");
	return p;
}

static enum modify_action modify(void *priv, struct sim *s, const struct page *pg,
				 enum modify_source src)
{
	(void)s; (void)src;
	struct fork_policy *p = priv;
	if (p->pins_wait && page_is_pinned(pg))
		return MODIFY_WAIT_PIN;
	return MODIFY_FORK;
}

static enum submit_action submit(void *priv, struct sim *s, const struct page *pg)
{
	(void)s;
	struct fork_policy *p = priv;
	if (p->serialize && page_has_older_inflight(pg))
		return SUBMIT_WAIT_OLDER;
	return SUBMIT_PAGE;
}

static unsigned sync_waits(void *priv, struct sim *s)
{
	(void)s;
	struct fork_policy *p = priv;
	return SYNC_WAIT_INDEX | (p->track ? SYNC_WAIT_FORKED : 0);
}

static const struct wb_policy_option options[] = {
	{ "pins", "wait|ignore", "wait", "a pinned page under writeback: wait for the pin, or fork it anyway" },
	{ "refork", "serialize|allow", "serialize",
	  "a new copy while an older one is in flight: hold it back, or submit it" },
	{ "sync", "track|naive", "track",
	  "fsync and direct-I/O invalidation: also wait for forked copies, or only the index" },
	{ .name = NULL },
};

static const struct wb_policy_ops ops = {
	.name = "page-fork",
	.description = "copy a page under writeback instead of waiting (Tux3's page forking)",
	.options = options,
	.init = init,
	.destroy = g_free,
	.page_modify = modify,
	.page_submit = submit,
	.sync_waits = sync_waits,
};

const struct wb_policy_ops *wbsim_policy_register(void)
{
	return &ops;
}
