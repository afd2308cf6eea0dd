/*
 * oplog_header — the header of an op log: what the run was configured with (seed,
 * every sim.device / sim.writeback / sim.costs field with the scenario API's units),
 * the scenario's name, description, duration, policies, parameters and
 * expectations, and the world declared before the run.  One table of configuration
 * fields serves both the parser and the writer.
 */
#include "oplog/oplog_int.h"

#include <stddef.h>
#include <string.h>

#include "engine/units.h"

/* ---- the configuration fields -------------------------------------------------------- */

enum ftype { F_DURATION, F_SIZE, F_RATE, F_UINT, F_DOUBLE, F_BOOL, F_MODEL, F_SCHED };

struct cfg_field {
	const char *section;            /* "device", "writeback", "costs" */
	const char *name;
	enum ftype type;
	size_t offset;                  /* in struct sim_config */
	double min, max;                /* max 0: none (the Lua binding's limits) */
};

#define DEV(f) offsetof(struct sim_config, dev.f)
#define WB(f) offsetof(struct sim_config, wb.f)
#define COST(f) offsetof(struct sim_config, cost.f)
static const struct cfg_field fields[] = {
	{ "device", "model", F_MODEL, DEV(model), 0, 0 },
	{ "device", "write_latency", F_DURATION, DEV(write_latency), 0, 0 },
	{ "device", "read_latency", F_DURATION, DEV(read_latency), 0, 0 },
	{ "device", "flush_latency", F_DURATION, DEV(flush_latency), 0, 0 },
	{ "device", "bandwidth", F_RATE, DEV(bandwidth), 1, 0 },
	{ "device", "jitter", F_DOUBLE, DEV(jitter), 0, 10 },
	{ "device", "queue_depth", F_UINT, DEV(queue_depth), 1, 65536 },
	{ "device", "scheduler", F_SCHED, DEV(scheduler), 0, 0 },
	{ "device", "max_request", F_SIZE, DEV(max_request), PAGE_SIZE, 32 << 20 },
	{ "device", "integrity", F_BOOL, DEV(integrity), 0, 0 },
	{ "device", "stable_writes", F_BOOL, DEV(stable_writes), 0, 0 },
	{ "device", "write_cache", F_BOOL, DEV(write_cache), 0, 0 },
	{ "device", "dma_at", F_DOUBLE, DEV(dma_at), 0, 1 },
	{ "device", "seek", F_DURATION, DEV(seek), 0, 0 },
	{ "device", "rotation", F_DURATION, DEV(rotation), 0, 0 },
	{ "writeback", "memory", F_SIZE, WB(memory), 1 << 20, (double)(1ull << 50) },
	{ "writeback", "dirty_background_ratio", F_UINT, WB(dirty_background_ratio), 0, 100 },
	{ "writeback", "dirty_ratio", F_UINT, WB(dirty_ratio), 1, 100 },
	{ "writeback", "interval", F_DURATION, WB(interval), 1000, 0 },
	{ "writeback", "expire", F_DURATION, WB(expire), 0, 0 },
	{ "writeback", "chunk", F_UINT, WB(chunk), 1, 1 << 20 },
	{ "costs", "syscall", F_DURATION, COST(syscall), 0, 0 },
	{ "costs", "copy_page", F_DURATION, COST(copy_page), 0, 0 },
	{ "costs", "checksum_page", F_DURATION, COST(checksum_page), 0, 0 },
	{ "costs", "fault", F_DURATION, COST(fault), 0, 0 },
	{ "costs", "pte_update", F_DURATION, COST(pte_update), 0, 0 },
	{ "costs", "tlb_shootdown", F_DURATION, COST(tlb_shootdown), 0, 0 },
	{ "costs", "page_alloc", F_DURATION, COST(page_alloc), 0, 0 },
	{ "costs", "dio_request", F_DURATION, COST(dio_request), 0, 0 },
};

static const char *const models[] = { "ssd", "hdd" };
static const char *const scheds[] = { "none", "reorder", "elevator" };

static bool in_range(const struct lex *x, const struct cfg_field *f, double v, GError **err)
{
	if (v < f->min || (f->max > 0 && v > f->max)) {
		if (f->max > 0)
			return lex_fail(x, err, "%s %s= must be between %.17g and %.17g (got %.17g)",
					f->section, f->name, f->min, f->max, v);
		return lex_fail(x, err, "%s %s= must be at least %.17g (got %.17g)", f->section,
				f->name, f->min, v);
	}
	return true;
}

static int pick(const char *v, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v, names[i]))
			return (int)i;
	return -1;
}

static bool set_field(struct oplog_header *h, const struct lex *x, const struct cfg_field *f,
		      const char *v, GError **err)
{
	void *p = (char *)&h->cfg + f->offset;
	GError *e = NULL;
	uint64_t u = 0;
	switch (f->type) {
	case F_DURATION:
	case F_SIZE:
	case F_RATE: {
		bool ok = f->type == F_DURATION ? units_parse_duration(v, &u, &e)
			: f->type == F_SIZE ? units_parse_size(v, &u, &e)
					    : units_parse_rate(v, &u, &e);
		if (!ok) {
			lex_fail(x, err, "%s %s=: %s", f->section, f->name, e->message);
			g_error_free(e);
			return false;
		}
		if (!in_range(x, f, (double)u, err))
			return false;
		*(uint64_t *)p = u;
		return true;
	}
	case F_UINT: {
		guint64 n;
		if (!g_ascii_string_to_unsigned(v, 10, 0, UINT32_MAX, &n, NULL))
			return lex_fail(x, err, "%s %s= must be a whole number, got \"%s\"",
					f->section, f->name, v);
		if (!in_range(x, f, (double)n, err))
			return false;
		*(unsigned *)p = (unsigned)n;
		return true;
	}
	case F_DOUBLE: {
		char *end;
		double d = g_ascii_strtod(v, &end);
		if (!*v || *end || d != d)
			return lex_fail(x, err, "%s %s= must be a number, got \"%s\"", f->section,
					f->name, v);
		if (!in_range(x, f, d, err))
			return false;
		*(double *)p = d;
		return true;
	}
	case F_BOOL:
		if (strcmp(v, "true") && strcmp(v, "false"))
			return lex_fail(x, err, "%s %s= must be true or false, got \"%s\"", f->section,
					f->name, v);
		*(bool *)p = !strcmp(v, "true");
		return true;
	case F_MODEL:
	case F_SCHED: {
		bool model = f->type == F_MODEL;
		int i = model ? pick(v, models, G_N_ELEMENTS(models)) : pick(v, scheds,
									     G_N_ELEMENTS(scheds));
		if (i < 0)
			return lex_fail(x, err, "%s %s= must be %s, got \"%s\"", f->section, f->name,
					model ? "ssd or hdd" : "none, reorder or elevator", v);
		if (model)
			*(enum device_model *)p = (enum device_model)i;
		else
			*(enum sched_kind *)p = (enum sched_kind)i;
		return true;
	}
	}
	return false;
}

static bool parse_section(struct oplog_header *h, struct lex *x, const char *section,
			  GError **err)
{
	GArray *a = lex_fields(x, err);
	if (!a)
		return false;
	bool ok = true;
	for (guint i = 0; i < a->len && ok; i++) {
		struct lex_field *lf = &g_array_index(a, struct lex_field, i);
		const struct cfg_field *f = NULL;
		for (size_t j = 0; j < G_N_ELEMENTS(fields) && !f; j++)
			if (!strcmp(fields[j].section, section) && !strcmp(fields[j].name, lf->key))
				f = &fields[j];
		if (!f) {
			GString *names = g_string_new(NULL);
			for (size_t j = 0; j < G_N_ELEMENTS(fields); j++)
				if (!strcmp(fields[j].section, section))
					g_string_append_printf(names, "%s%s", names->len ? ", " : "",
							       fields[j].name);
			ok = lex_fail(x, err, "%s: unknown field %s= (it takes %s)", section, lf->key,
				      names->str);
			g_string_free(names, TRUE);
			break;
		}
		ok = set_field(h, x, f, lf->value, err);
		if (!strcmp(f->name, "stable_writes"))
			h->stable_writes_set = true;
		else if (!strcmp(f->name, "bandwidth"))
			h->bandwidth_set = true;
		else if (!strcmp(f->name, "flush_latency"))
			h->flush_set = true;
	}
	g_array_unref(a);
	return ok;
}

bool oplog_header_override(struct oplog_header *h, const char *section, const char *fields,
			   const char *who, GError **err)
{
	if (strcmp(section, "device") && strcmp(section, "writeback") && strcmp(section, "costs")) {
		g_set_error(err, OPLOG_ERROR, OPLOG_ERROR_PARSE, "%s: no such section \"%s\" "
			    "(device, writeback or costs)", who, section);
		return false;
	}
	/* Commas are blanks here: "write_latency=40us,queue_depth=8" reads as the header
	 * line "device write_latency=40us queue_depth=8". */
	char *text = g_strdelimit(g_strdup(fields), ",", ' ');
	struct lex x = { text, text + strlen(text), who, 0 };
	bool ok = parse_section(h, &x, section, err);
	g_free(text);
	return ok;
}

/* ---- the header's other lines -------------------------------------------------------------- */

static const char *const keywords[] = {
	"scenario", "policy", "seed", "device", "writeback", "costs", "param", "expect",
	"file", "process", "mmap", "task", "event", "buffer",
};

bool oplog_header_keyword(const char *w, size_t n)
{
	for (size_t i = 0; i < G_N_ELEMENTS(keywords); i++)
		if (strlen(keywords[i]) == n && !memcmp(keywords[i], w, n))
			return true;
	return false;
}

static char *take(GArray *a, const char *key)
{
	const char *v = lex_field_get(a, key);
	return v ? g_strdup(v) : NULL;
}

static bool parse_scenario(struct oplog_header *h, struct lex *x, GError **err)
{
	GArray *a = lex_fields(x, err);
	if (!a)
		return false;
	bool ok = true;
	g_free(h->name);
	g_free(h->description);
	h->name = take(a, "name");
	h->description = take(a, "description");
	const char *d = lex_field_get(a, "duration");
	if (d)
		ok = lex_field_duration(x, "duration", d, &h->cfg.duration, err);
	ok = ok && lex_fields_done(x, a, "scenario", "name=, description= and duration=", err);
	g_array_unref(a);
	return ok;
}

static bool parse_strings(struct lex *x, const char *what, const char *const *keys,
			  char **out[], size_t n, GError **err)
{
	GArray *a = lex_fields(x, err);
	if (!a)
		return false;
	GString *acc = g_string_new(NULL);
	for (size_t i = 0; i < n; i++) {
		*out[i] = take(a, keys[i]);
		g_string_append_printf(acc, "%s%s=", i ? (i + 1 == n ? " and " : ", ") : "", keys[i]);
	}
	bool ok = lex_fields_done(x, a, what, acc->str, err);
	for (size_t i = 0; ok && i < n; i++)
		if (!*out[i] && i < 2)
			ok = lex_fail(x, err, "%s: %s= is required", what, keys[i]);
	g_string_free(acc, TRUE);
	g_array_unref(a);
	return ok;
}

static void param_clear(void *p)
{
	struct oplog_param *q = p;
	g_free(q->name);
	g_free(q->value);
	g_free(q->description);
}

static void expect_clear(void *p)
{
	struct oplog_expect *q = p;
	g_free(q->pattern);
	g_free(q->metric);
	g_free(q->predicate);
	g_free(q->where);
}

static bool parse_decl(struct oplog_header *h, struct lex *x, enum oplog_kind k, GError **err)
{
	struct oplog_op o = { 0 };
	GString *scratch = g_string_new(NULL);
	bool ok = oplog_parse_args(x, k, &o, scratch, err);
	if (ok) {
#define LAST(a, type) g_array_index((a), type, (a)->len - 1)
		switch (k) {
		case OPL_FILE:
			oplog_header_add_file(h, o.file, o.name, o.len);
			LAST(h->files, struct oplog_file).line = x->line;
			break;
		case OPL_PROCESS:
			oplog_header_add_process(h, o.process, o.name);
			LAST(h->processes, struct oplog_process).line = x->line;
			break;
		case OPL_MMAP:
			oplog_header_add_map(h, o.map, o.process, o.file, o.off, o.len);
			LAST(h->maps, struct oplog_map).line = x->line;
			break;
		case OPL_SPAWN:
			oplog_header_add_task(h, o.target, o.name, o.process, o.cpu, o.at);
			LAST(h->tasks, struct oplog_task).line = x->line;
			break;
		case OPL_EVENT:
			oplog_header_add_event(h, o.event, o.name);
			LAST(h->events, struct oplog_event).line = x->line;
			break;
		case OPL_ALLOC:
			oplog_header_add_buffer(h, o.buf, o.process, o.len);
			LAST(h->buffers, struct oplog_buffer).line = x->line;
			break;
#undef LAST
		default:
			g_assert_not_reached();
		}
	}
	g_string_free(scratch, TRUE);
	return ok;
}

bool oplog_header_parse_line(struct oplog_header *h, struct lex *x, const char *w, size_t n,
			     GError **err)
{
#define IS(s) (n == sizeof(s) - 1 && !memcmp(w, s, n))
	if (IS("scenario"))
		return parse_scenario(h, x, err);
	if (IS("policy")) {
		const char *spec;
		size_t len;
		if (!lex_word(x, &spec, &len))
			return lex_fail(x, err, "policy: the policy spec is missing");
		g_ptr_array_add(h->policies, g_strndup(spec, len));
		g_array_append_val(h->policy_lines, x->line);
		return lex_at_end(x) || lex_fail(x, err, "policy: one spec per line");
	}
	if (IS("seed"))
		return lex_u64(x, &h->cfg.seed, "seed", err) &&
		       (lex_at_end(x) || lex_fail(x, err, "seed: one number"));
	if (IS("device") || IS("writeback") || IS("costs")) {
		char *section = g_strndup(w, n);
		bool ok = parse_section(h, x, section, err);
		g_free(section);
		return ok;
	}
	if (IS("param")) {
		static const char *const keys[] = { "name", "value", "description" };
		struct oplog_param p = { 0 };
		char **out[] = { &p.name, &p.value, &p.description };
		bool ok = parse_strings(x, "param", keys, out, 3, err);
		g_array_append_val(h->params, p);
		return ok;
	}
	if (IS("expect")) {
		static const char *const keys[] = { "metric", "predicate", "pattern", "where" };
		struct oplog_expect e = { 0 };
		char **out[] = { &e.metric, &e.predicate, &e.pattern, &e.where };
		bool ok = parse_strings(x, "expect", keys, out, 4, err);
		if (ok && !e.pattern)
			e.pattern = g_strdup("*");
		e.line = x->line;
		g_array_append_val(h->expects, e);
		return ok;
	}
	if (IS("file"))
		return parse_decl(h, x, OPL_FILE, err);
	if (IS("process"))
		return parse_decl(h, x, OPL_PROCESS, err);
	if (IS("mmap"))
		return parse_decl(h, x, OPL_MMAP, err);
	if (IS("task"))
		return parse_decl(h, x, OPL_SPAWN, err);
	if (IS("event"))
		return parse_decl(h, x, OPL_EVENT, err);
	if (IS("buffer"))
		return (h->version >= 2 || lex_fail(x, err, "buffer needs format version 2; the "
						    "header says %u", h->version)) &&
		       parse_decl(h, x, OPL_ALLOC, err);
#undef IS
	return lex_fail(x, err, "unknown header line \"%.*s\"", (int)n, w);
}

/* ---- the header as a whole ---------------------------------------------------------------- */

static void file_clear(void *p) { g_free(((struct oplog_file *)p)->name); }
static void process_clear(void *p) { g_free(((struct oplog_process *)p)->name); }
static void task_clear(void *p) { g_free(((struct oplog_task *)p)->name); }
static void event_clear(void *p) { g_free(((struct oplog_event *)p)->name); }

static GArray *decls(size_t size, GDestroyNotify clear)
{
	GArray *a = g_array_new(FALSE, TRUE, (guint)size);
	if (clear)
		g_array_set_clear_func(a, clear);
	return a;
}

struct oplog_header *oplog_header_new(void)
{
	struct oplog_header *h = g_new0(struct oplog_header, 1);
	h->version = OPLOG_VERSION;
	sim_config_defaults(&h->cfg);
	h->policies = g_ptr_array_new_with_free_func(g_free);
	h->policy_lines = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	h->files = decls(sizeof(struct oplog_file), file_clear);
	h->processes = decls(sizeof(struct oplog_process), process_clear);
	h->maps = decls(sizeof(struct oplog_map), NULL);
	h->tasks = decls(sizeof(struct oplog_task), task_clear);
	h->events = decls(sizeof(struct oplog_event), event_clear);
	h->buffers = decls(sizeof(struct oplog_buffer), NULL);
	h->params = decls(sizeof(struct oplog_param), param_clear);
	h->expects = decls(sizeof(struct oplog_expect), expect_clear);
	h->comments = g_ptr_array_new_with_free_func(g_free);
	return h;
}

void oplog_header_free(struct oplog_header *h)
{
	if (!h)
		return;
	g_free(h->name);
	g_free(h->description);
	g_ptr_array_unref(h->policies);
	g_array_unref(h->policy_lines);
	g_array_unref(h->files);
	g_array_unref(h->processes);
	g_array_unref(h->maps);
	g_array_unref(h->tasks);
	g_array_unref(h->events);
	g_array_unref(h->buffers);
	g_array_unref(h->params);
	g_array_unref(h->expects);
	g_ptr_array_unref(h->comments);
	g_free(h);
}

static void append_field(GString *s, const struct sim_config *c, const struct cfg_field *f)
{
	const void *p = (const char *)c + f->offset;
	g_string_append_printf(s, " %s=", f->name);
	switch (f->type) {
	case F_DURATION:
		lex_append_duration(s, *(const uint64_t *)p);
		break;
	case F_SIZE:
		lex_append_size(s, *(const uint64_t *)p);
		break;
	case F_RATE:
		lex_append_size(s, *(const uint64_t *)p);
		g_string_append(s, "/s");
		break;
	case F_UINT:
		lex_append_u64(s, *(const unsigned *)p);
		break;
	case F_DOUBLE: {
		/* The shortest form that reads back as the same double: "0.1", not
		 * "0.10000000000000001". */
		char buf[G_ASCII_DTOSTR_BUF_SIZE];
		double d = *(const double *)p;
		for (int prec = 1; prec <= 17; prec++) {
			char fmt[8];
			g_snprintf(fmt, sizeof(fmt), "%%.%dg", prec);
			g_ascii_formatd(buf, sizeof(buf), fmt, d);
			if (g_ascii_strtod(buf, NULL) == d)
				break;
		}
		g_string_append(s, buf);
		break;
	}
	case F_BOOL:
		g_string_append(s, *(const bool *)p ? "true" : "false");
		break;
	case F_MODEL:
		g_string_append(s, models[*(const enum device_model *)p]);
		break;
	case F_SCHED:
		g_string_append(s, scheds[*(const enum sched_kind *)p]);
		break;
	}
}

static void kv(GString *s, const char *key, const char *v)
{
	if (!v)
		return;
	g_string_append_printf(s, " %s=", key);
	lex_append_value(s, v);
}

void oplog_header_append(GString *s, const struct oplog_header *h)
{
	g_string_append_printf(s, "%s %u\n", OPLOG_MAGIC, h->version);
	for (guint i = 0; i < h->comments->len; i++)
		g_string_append_printf(s, "# %s\n", (const char *)h->comments->pdata[i]);
	if (h->name || h->description || h->cfg.duration) {
		g_string_append(s, "scenario");
		kv(s, "name", h->name);
		kv(s, "description", h->description);
		if (h->cfg.duration) {
			g_string_append(s, " duration=");
			lex_append_duration(s, h->cfg.duration);
		}
		g_string_append_c(s, '\n');
	}
	for (guint i = 0; i < h->policies->len; i++)
		g_string_append_printf(s, "policy %s\n", (const char *)h->policies->pdata[i]);
	g_string_append(s, "seed ");
	lex_append_u64(s, h->cfg.seed);
	g_string_append_c(s, '\n');
	const char *section = NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
		if (!section || strcmp(section, fields[i].section)) {
			if (section)
				g_string_append_c(s, '\n');
			section = fields[i].section;
			g_string_append(s, section);
		}
		append_field(s, &h->cfg, &fields[i]);
	}
	g_string_append_c(s, '\n');
	for (guint i = 0; i < h->params->len; i++) {
		const struct oplog_param *p = &g_array_index(h->params, struct oplog_param, i);
		g_string_append(s, "param");
		kv(s, "name", p->name);
		kv(s, "value", p->value);
		kv(s, "description", p->description);
		g_string_append_c(s, '\n');
	}
	for (guint i = 0; i < h->expects->len; i++) {
		const struct oplog_expect *e = &g_array_index(h->expects, struct oplog_expect, i);
		g_string_append(s, "expect");
		kv(s, "metric", e->metric);
		kv(s, "predicate", e->predicate);
		kv(s, "pattern", e->pattern);
		kv(s, "where", e->where);
		g_string_append_c(s, '\n');
	}
	/* Declarations in the syntax of their ops, minus the task and times. */
	struct oplog_op o;
#define DECL(kw, fill)                                                              \
	do {                                                                        \
		memset(&o, 0, sizeof(o));                                           \
		o.cpu = -1;                                                         \
		fill;                                                               \
		g_string_append(s, kw);                                             \
		oplog_append_args(s, &o);                                           \
		g_string_append_c(s, '\n');                                         \
	} while (0)
	for (guint i = 0; i < h->files->len; i++) {
		const struct oplog_file *f = &g_array_index(h->files, struct oplog_file, i);
		DECL("file", (o.kind = OPL_FILE, o.file = f->id, o.name = f->name, o.len = f->size));
	}
	for (guint i = 0; i < h->processes->len; i++) {
		const struct oplog_process *p = &g_array_index(h->processes, struct oplog_process, i);
		DECL("process", (o.kind = OPL_PROCESS, o.process = p->id, o.name = p->name));
	}
	for (guint i = 0; i < h->maps->len; i++) {
		const struct oplog_map *m = &g_array_index(h->maps, struct oplog_map, i);
		DECL("mmap", (o.kind = OPL_MMAP, o.map = m->id, o.process = m->process,
			      o.file = m->file, o.off = m->offset, o.len = m->size));
	}
	for (guint i = 0; i < h->events->len; i++) {
		const struct oplog_event *e = &g_array_index(h->events, struct oplog_event, i);
		DECL("event", (o.kind = OPL_EVENT, o.event = e->id, o.name = e->name));
	}
	for (guint i = 0; i < h->buffers->len; i++) {
		const struct oplog_buffer *b = &g_array_index(h->buffers, struct oplog_buffer, i);
		DECL("buffer", (o.kind = OPL_ALLOC, o.buf = b->id, o.process = b->process,
				o.len = b->size));
	}
	for (guint i = 0; i < h->tasks->len; i++) {
		const struct oplog_task *t = &g_array_index(h->tasks, struct oplog_task, i);
		DECL("task", (o.kind = OPL_SPAWN, o.target = t->id, o.name = t->name,
			      o.process = t->process, o.cpu = t->cpu, o.at = t->start));
	}
#undef DECL
}
