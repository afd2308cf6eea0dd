/*
 * policy — finding, loading and instantiating writeback policies.  Every module in
 * the build's policy directory and in the directories of WBSIM_POLICY_PATH is loaded
 * once per process; its registration function returns a constant table.  A spec
 * "name:key=value,..." picks one and sets its options, each checked against the
 * table's list of accepted values.
 */
#include "policy.h"

#include <gmodule.h>
#include <string.h>

G_DEFINE_QUARK(wbsim-policy-error-quark, policy_error)

struct policy_args {
	const struct wb_policy_ops *ops;
	GHashTable *values;             /* option name -> value */
};

const char *policy_arg(const struct policy_args *a, const char *name)
{
	const char *v = g_hash_table_lookup(a->values, name);
	g_return_val_if_fail(v != NULL, "");
	return v;
}

static GPtrArray *registry;             /* of const struct wb_policy_ops * */
static GString *registry_errors;
static GMutex registry_lock;

static gint by_name(gconstpointer a, gconstpointer b)
{
	const struct wb_policy_ops *x = *(const struct wb_policy_ops *const *)a;
	const struct wb_policy_ops *y = *(const struct wb_policy_ops *const *)b;
	return strcmp(x->name, y->name);
}

static void load_dir(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	if (!d)
		return;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	while ((n = g_dir_read_name(d)))
		if (g_str_has_suffix(n, "." G_MODULE_SUFFIX))
			g_ptr_array_add(names, g_strdup(n));
	g_dir_close(d);
	/* Load in name order so errors and duplicates are reported the same way
	 * on every machine. */
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	for (guint i = 0; i < names->len; i++) {
		char *path = g_build_filename(dir, names->pdata[i], NULL);
		GModule *m = g_module_open(path, G_MODULE_BIND_LOCAL);
		wbsim_policy_register_fn reg = NULL;
		if (!m) {
			g_string_append_printf(registry_errors, "%s: cannot load: %s\n", path,
					       g_module_error());
		} else if (!g_module_symbol(m, WBSIM_POLICY_SYMBOL, (gpointer *)&reg) || !reg) {
			g_string_append_printf(registry_errors, "%s: no %s() in it: not a wbsim policy\n",
					       path, WBSIM_POLICY_SYMBOL);
			g_module_close(m);
		} else {
			const struct wb_policy_ops *ops = reg();
			bool dup = false;
			for (guint k = 0; ops && k < registry->len; k++)
				if (!strcmp(((const struct wb_policy_ops *)registry->pdata[k])->name, ops->name))
					dup = true;
			if (!ops || !ops->name || !ops->page_modify) {
				g_string_append_printf(registry_errors,
						       "%s: incomplete policy table (a name and the "
						       "page_modify hook are required)\n", path);
				g_module_close(m);
			} else if (dup) {
				g_string_append_printf(registry_errors,
						       "%s: a policy named \"%s\" is already loaded\n",
						       path, ops->name);
				g_module_close(m);
			} else {
				g_module_make_resident(m);
				g_ptr_array_add(registry, (gpointer)ops);
			}
		}
		g_free(path);
	}
	g_ptr_array_free(names, TRUE);
}

static const char *policy_dir(void)
{
	const char *d = g_getenv("WBSIM_POLICY_DIR");
	return d && *d ? d : WBSIM_POLICY_DIR;
}

GPtrArray *policy_registry(GError **err)
{
	g_mutex_lock(&registry_lock);
	if (!registry) {
		registry = g_ptr_array_new();
		registry_errors = g_string_new(NULL);
		load_dir(policy_dir());
		const char *path = g_getenv("WBSIM_POLICY_PATH");
		if (path) {
			char **dirs = g_strsplit(path, G_SEARCHPATH_SEPARATOR_S, -1);
			for (char **d = dirs; *d; d++)
				if (**d)
					load_dir(*d);
			g_strfreev(dirs);
		}
		g_ptr_array_sort(registry, by_name);
	}
	g_mutex_unlock(&registry_lock);
	if (registry_errors->len) {
		g_set_error(err, POLICY_ERROR, 1, "%s", registry_errors->str);
		return NULL;
	}
	if (!registry->len) {
		g_set_error(err, POLICY_ERROR, 1, "no policy modules found in %s (set WBSIM_POLICY_DIR?)",
			    policy_dir());
		return NULL;
	}
	return registry;
}

static char *registry_names(void)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; registry && i < registry->len; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "",
				       ((const struct wb_policy_ops *)registry->pdata[i])->name);
	return g_string_free(s, FALSE);
}

const struct wb_policy_ops *policy_find(const char *name, GError **err)
{
	GPtrArray *r = policy_registry(err);
	if (!r)
		return NULL;
	for (guint i = 0; i < r->len; i++) {
		const struct wb_policy_ops *ops = r->pdata[i];
		if (!strcmp(ops->name, name))
			return ops;
	}
	char *names = registry_names();
	g_set_error(err, POLICY_ERROR, 2, "unknown policy \"%s\"; the policies are: %s", name, names);
	g_free(names);
	return NULL;
}

static const struct wb_policy_option *find_option(const struct wb_policy_ops *ops, const char *k)
{
	for (const struct wb_policy_option *o = ops->options; o && o->name; o++)
		if (!strcmp(o->name, k))
			return o;
	return NULL;
}

static bool value_ok(const struct wb_policy_option *o, const char *v)
{
	if (!o->values)
		return *v != '\0';
	char **vals = g_strsplit(o->values, "|", -1);
	bool ok = g_strv_contains((const char *const *)vals, v);
	g_strfreev(vals);
	return ok;
}

static char *option_list(const struct wb_policy_ops *ops)
{
	GString *s = g_string_new(NULL);
	for (const struct wb_policy_option *o = ops->options; o && o->name; o++)
		g_string_append_printf(s, "%s%s=%s", s->len ? ", " : "", o->name,
				       o->values ? o->values : "<value>");
	if (!s->len)
		g_string_append(s, "none");
	return g_string_free(s, FALSE);
}

struct policy *policy_new_from_ops(const struct wb_policy_ops *ops, const char *options,
				   GError **err)
{
	struct policy_args *a = g_new0(struct policy_args, 1);
	a->ops = ops;
	a->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (const struct wb_policy_option *o = ops->options; o && o->name; o++)
		g_hash_table_insert(a->values, g_strdup(o->name), g_strdup(o->def));

	char **kvs = options && *options ? g_strsplit(options, ",", -1) : g_new0(char *, 1);
	bool ok = true;
	for (char **kv = kvs; ok && *kv; kv++) {
		char *eq = strchr(*kv, '=');
		char *key = g_strndup(*kv, eq ? (gsize)(eq - *kv) : strlen(*kv));
		const struct wb_policy_option *o = find_option(ops, key);
		char *opts = option_list(ops);
		if (!eq) {
			g_set_error(err, POLICY_ERROR, 3, "policy %s: option \"%s\" needs a value "
				    "(key=value); its options are: %s", ops->name, *kv, opts);
			ok = false;
		} else if (!o) {
			g_set_error(err, POLICY_ERROR, 3, "policy %s has no option \"%s\"; its options "
				    "are: %s", ops->name, key, opts);
			ok = false;
		} else if (!value_ok(o, eq + 1)) {
			g_set_error(err, POLICY_ERROR, 3, "policy %s: bad value \"%s\" for %s; "
				    "accepted: %s", ops->name, eq + 1, key, o->values ? o->values : "non-empty");
			ok = false;
		} else {
			g_hash_table_insert(a->values, g_strdup(key), g_strdup(eq + 1));
		}
		g_free(opts);
		g_free(key);
	}
	g_strfreev(kvs);
	if (!ok) {
		g_hash_table_destroy(a->values);
		g_free(a);
		return NULL;
	}

	struct policy *p = g_new0(struct policy, 1);
	p->ops = ops;
	p->args = a;
	p->priv = ops->init ? ops->init(a) : NULL;
	/* The canonical spec names only options that differ from the default, so
	 * "page-fork" and "page-fork:pins=wait" are the same run. */
	GString *spec = g_string_new(ops->name);
	char sep = ':';
	for (const struct wb_policy_option *o = ops->options; o && o->name; o++) {
		const char *v = g_hash_table_lookup(a->values, o->name);
		if (strcmp(v, o->def)) {
			g_string_append_printf(spec, "%c%s=%s", sep, o->name, v);
			sep = ',';
		}
	}
	p->spec = g_string_free(spec, FALSE);
	return p;
}

struct policy *policy_new(const char *spec, GError **err)
{
	if (!spec || !*spec) {
		g_set_error(err, POLICY_ERROR, 2, "empty policy spec; expected name[:key=value,...]");
		return NULL;
	}
	const char *colon = strchr(spec, ':');
	char *name = g_strndup(spec, colon ? (gsize)(colon - spec) : strlen(spec));
	const struct wb_policy_ops *ops = policy_find(name, err);
	g_free(name);
	if (!ops)
		return NULL;
	return policy_new_from_ops(ops, colon ? colon + 1 : NULL, err);
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	if (p->ops->destroy)
		p->ops->destroy(p->priv);
	g_hash_table_destroy(p->args->values);
	g_free(p->args);
	g_free(p->spec);
	g_free(p);
}

enum modify_action policy_page_modify(struct policy *p, struct sim *s, const struct page *pg,
				      enum modify_source src)
{
	return p->ops->page_modify(p->priv, s, pg, src);
}

enum submit_action policy_page_submit(struct policy *p, struct sim *s, const struct page *pg)
{
	return p->ops->page_submit ? p->ops->page_submit(p->priv, s, pg) : SUBMIT_PAGE;
}

void policy_end_writeback(struct policy *p, struct sim *s, const struct page *pg)
{
	if (p->ops->end_writeback)
		p->ops->end_writeback(p->priv, s, pg);
}

enum dio_action policy_dio_submit(struct policy *p, struct sim *s)
{
	return p->ops->dio_submit ? p->ops->dio_submit(p->priv, s) : DIO_DIRECT;
}

unsigned policy_sync_waits(struct policy *p, struct sim *s)
{
	return p->ops->sync_waits ? p->ops->sync_waits(p->priv, s) : SYNC_WAIT_INDEX;
}

bool policy_longterm_pin(struct policy *p, struct sim *s)
{
	return p->ops->longterm_pin && p->ops->longterm_pin(p->priv, s);
}
