/*
 * policy.h — what a writeback policy is.  A policy is one C file in policies/, built as
 * a loadable module exporting
 *
 *     const struct wb_policy_ops *wbsim_policy_register(void);
 *
 * The core calls the hooks at the decision points (only page_modify is required) and
 * does all the mechanics (waiting, forking, re-pointing PTEs, bouncing, accounting);
 * a policy only decides.
 */
#ifndef WBSIM_POLICY_H
#define WBSIM_POLICY_H

#include <glib.h>
#include <stdbool.h>

struct sim;
struct page;

/* Somebody wants to modify a page that is under writeback. */
enum modify_source {
	MODIFY_WRITE,           /* write(2) through the page cache (write_begin) */
	MODIFY_FAULT,           /* a store through a mapping (page_mkwrite) */
	MODIFY_GUP,             /* get_user_pages(FOLL_WRITE) faulting the page in */
};

enum modify_action {
	MODIFY_PROCEED,         /* modify the page in place, now */
	MODIFY_WAIT,            /* sleep until its writeback ends, then ask again */
	MODIFY_FORK,            /* copy it; the writer gets the copy, the I/O keeps the old */
	MODIFY_WAIT_PIN,        /* sleep until it is unpinned or its writeback ends */
};

/* Writeback is about to submit a page. */
enum submit_action {
	SUBMIT_PAGE,            /* the device reads the page itself */
	SUBMIT_BOUNCE,          /* the device reads a private snapshot taken now */
	SUBMIT_SKIP,            /* leave it dirty for a later pass */
	SUBMIT_WAIT_OLDER,      /* an older copy of the block is in flight: wait for it
				   (data-integrity writeback) or skip (background) */
};

/* A direct write or read is about to submit user pages. */
enum dio_action { DIO_DIRECT, DIO_BOUNCE };

/* What fsync and direct-I/O invalidation wait for. */
#define SYNC_WAIT_INDEX  1u     /* pages tagged WRITEBACK in the index */
#define SYNC_WAIT_FORKED 2u     /* older copies of the blocks still in flight */

struct wb_policy_option {
	const char *name;
	const char *values;     /* accepted values, '|' separated */
	const char *def;
	const char *help;
};

struct policy_args;             /* option values, validated against the table */
const char *policy_arg(const struct policy_args *a, const char *name);

struct wb_policy_ops {
	const char *name;
	const char *description;
	const struct wb_policy_option *options;         /* { NULL } terminated, or NULL */
	/* Turn the option strings into private state; NULL means "no state". */
	void *(*init)(const struct policy_args *args);
	void (*destroy)(void *priv);
	/* Required. */
	enum modify_action (*page_modify)(void *priv, struct sim *s, const struct page *p,
					  enum modify_source src);
	/* Optional; the defaults are the kernel's plain behaviour: SUBMIT_PAGE,
	 * nothing, DIO_DIRECT and SYNC_WAIT_INDEX. */
	enum submit_action (*page_submit)(void *priv, struct sim *s, const struct page *p);
	void (*end_writeback)(void *priv, struct sim *s, const struct page *p);
	enum dio_action (*dio_submit)(void *priv, struct sim *s);
	unsigned (*sync_waits)(void *priv, struct sim *s);
	/* Optional, added with the scenario API's version 2 (members are only ever
	 * appended: a module's source keeps compiling; rebuild it to use them).  May
	 * get_user_pages(FOLL_LONGTERM | FOLL_WRITE) pin a shared file mapping?  The
	 * kernel says no (writable_file_mapping_allowed: EFAULT), because nothing keeps
	 * such a page stable or dirty while its holder writes it whenever it likes.  A
	 * policy that answers true says it makes that safe; the core then writes a
	 * long-term pinned page from a snapshot and keeps it dirty until it is unpinned.
	 * Default: false. */
	bool (*longterm_pin)(void *priv, struct sim *s);
};

typedef const struct wb_policy_ops *(*wbsim_policy_register_fn)(void);
#define WBSIM_POLICY_SYMBOL "wbsim_policy_register"

/* Facts a policy may ask about. */
bool page_is_pinned(const struct page *p);
bool page_is_mapped(const struct page *p);
bool page_under_writeback(const struct page *p);
bool page_has_older_inflight(const struct page *p);
bool sim_device_stable_writes(const struct sim *s);
bool sim_device_integrity(const struct sim *s);

/* ---- for the core and drivers ---- */

struct policy {
	const struct wb_policy_ops *ops;
	void *priv;
	char *spec;             /* canonical "name:key=value,..." with every option */
	struct policy_args *args;
};

/* The hooks as the core calls them: a missing optional hook is its default. */
enum modify_action policy_page_modify(struct policy *p, struct sim *s, const struct page *pg,
				      enum modify_source src);
enum submit_action policy_page_submit(struct policy *p, struct sim *s, const struct page *pg);
void policy_end_writeback(struct policy *p, struct sim *s, const struct page *pg);
enum dio_action policy_dio_submit(struct policy *p, struct sim *s);
unsigned policy_sync_waits(struct policy *p, struct sim *s);
bool policy_longterm_pin(struct policy *p, struct sim *s);

#define POLICY_ERROR (policy_error_quark())
GQuark policy_error_quark(void);

/* Every policy module found in the build's policy directory and WBSIM_POLICY_PATH,
 * sorted by name.  Loading errors (a module that fails to load, lacks the symbol, or
 * duplicates a name) are reported through @err; modules load once per process. */
GPtrArray *policy_registry(GError **err);               /* of const struct wb_policy_ops * */
const struct wb_policy_ops *policy_find(const char *name, GError **err);
/* Parse "name[:key=value,...]" and instantiate it. */
struct policy *policy_new(const char *spec, GError **err);
void policy_free(struct policy *p);
/* A policy from a table directly (tests). */
struct policy *policy_new_from_ops(const struct wb_policy_ops *ops, const char *options,
				   GError **err);

#endif
