/*
 * oplog_read — opening a log (the header, parsed at once) and per-task cursors over
 * its op lines.
 *
 * Why a cursor per task, each with its own read position and buffer, rather than
 * one reader handing lines out: a replay moves each task at its own pace (closed
 * loop, under another policy), so the task that lags could force a shared reader
 * to hold everything the others have run ahead through.  A cursor skips the other
 * tasks' lines by their first few bytes, so memory is one buffer per task whatever
 * the log's length; the price is that each cursor reads the whole file.
 */
#include "oplog/oplog_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

struct oplog {
	char *path;
	int fd;
	struct oplog_header *h;
	uint64_t ops_pos;               /* offset of the first line after the header */
	uint64_t ops_line;              /* the number of lines before it */
};

/* ---- lines from a file ------------------------------------------------------------ */

#define LINES_BUF (64u << 10)

struct lines {
	int fd;
	const char *path;
	char *buf;
	size_t cap, start, end;
	uint64_t buf_pos;               /* file offset of buf[0] */
	uint64_t line;                  /* number of the line last returned */
	bool eof;
};

static void lines_init(struct lines *r, int fd, const char *path, uint64_t pos, uint64_t line)
{
	*r = (struct lines){ .fd = fd, .path = path, .cap = LINES_BUF, .buf_pos = pos,
			     .line = line };
	r->buf = g_malloc(r->cap);
}

static void lines_clear(struct lines *r)
{
	g_free(r->buf);
	r->buf = NULL;
}

static bool lines_fail(struct lines *r, GError **err, const char *what)
{
	g_set_error(err, OPLOG_ERROR, OPLOG_ERROR_IO, "%s:%" G_GUINT64_FORMAT ": %s", r->path,
		    r->line + 1, what);
	return false;
}

/* 1: a line (without its newline) in @s, @n; 0: end of file; -1: error. */
static int lines_next(struct lines *r, const char **s, size_t *n, GError **err)
{
	for (;;) {
		char *nl = r->end > r->start ? memchr(r->buf + r->start, '\n', r->end - r->start)
					     : NULL;
		if (G_LIKELY(nl)) {
			*s = r->buf + r->start;
			*n = (size_t)(nl - *s);
			r->start = (size_t)(nl - r->buf) + 1;
			r->line++;
			return 1;
		}
		if (r->eof) {
			if (r->start == r->end)
				return 0;
			*s = r->buf + r->start;
			*n = r->end - r->start;
			r->start = r->end;
			r->line++;
			return 1;
		}
		if (r->start) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->buf_pos += r->start;
			r->end -= r->start;
			r->start = 0;
		}
		if (r->end == r->cap) {
			if (r->cap >= OPLOG_MAX_LINE) {
				lines_fail(r, err, "line longer than 1 MiB");
				return -1;
			}
			r->cap *= 2;
			r->buf = g_realloc(r->buf, r->cap);
		}
		ssize_t got = pread(r->fd, r->buf + r->end, r->cap - r->end,
				    (off_t)(r->buf_pos + r->end));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			char *msg = g_strdup_printf("cannot read: %s", g_strerror(errno));
			lines_fail(r, err, msg);
			g_free(msg);
			return -1;
		}
		if (got == 0)
			r->eof = true;
		r->end += (size_t)got;
	}
}

/* File offset of the line after the one last returned. */
static uint64_t lines_pos(const struct lines *r)
{
	return r->buf_pos + r->start;
}

/* ---- opening: the header -------------------------------------------------------------- */

static bool is_op_line(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	return n >= 2 && s[0] == 't' && (unsigned)(s[1] - '0') < 10;
}

static bool parse_magic(struct lex *x, unsigned *version, GError **err)
{
	static const char magic[] = OPLOG_MAGIC " ";
	size_t ml = sizeof(magic) - 1;
	if ((size_t)(x->end - x->p) < ml || memcmp(x->p, magic, ml))
		return lex_fail(x, err, "not an op log: the first line must be \"%s VERSION\"",
				OPLOG_MAGIC);
	x->p += ml;
	uint64_t v;
	if (!lex_u64(x, &v, "the format version", err))
		return false;
	if (!lex_at_end(x))
		return lex_fail(x, err, "the first line is \"%s VERSION\" and nothing else",
				OPLOG_MAGIC);
	if (v == 0 || v > OPLOG_VERSION)
		return lex_fail(x, err, "format version %" G_GUINT64_FORMAT " is %s (this wbsim "
				"reads versions 1 to %u)", v, v ? "newer than this wbsim" : "not a "
				"version", OPLOG_VERSION);
	*version = (unsigned)v;
	return true;
}

bool oplog_sniff(const char *path)
{
	char buf[sizeof(OPLOG_MAGIC) + 1] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n == (ssize_t)sizeof(buf) - 1 && !memcmp(buf, OPLOG_MAGIC " ", sizeof(buf) - 1);
}

struct oplog *oplog_open(const char *path, GError **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		g_set_error(err, OPLOG_ERROR, OPLOG_ERROR_IO, "%s: cannot open: %s", path,
			    g_strerror(errno));
		return NULL;
	}
	struct oplog *log = g_new0(struct oplog, 1);
	log->path = g_strdup(path);
	log->fd = fd;
	log->h = oplog_header_new();
	struct lines r;
	lines_init(&r, fd, log->path, 0, 0);
	bool ok = true;
	const char *s;
	size_t n;
	int got;
	uint64_t before = 0;            /* offset of the line lines_next returns */
	while (ok && (before = lines_pos(&r), got = lines_next(&r, &s, &n, err)) > 0) {
		struct lex x = { s, s + n, log->path, r.line };
		if (r.line == 1) {
			ok = parse_magic(&x, &log->h->version, err);
			continue;
		}
		if (is_op_line(s, n)) {
			/* The ops begin: cursors start at this line. */
			log->ops_pos = before;
			log->ops_line = r.line - 1;
			break;
		}
		if (lex_at_end(&x))
			continue;
		const char *w;
		size_t wn;
		lex_word(&x, &w, &wn);
		if (!oplog_header_keyword(w, wn) && w[0] == 't')
			ok = lex_fail(&x, err, "bad task \"%.*s\": an op line starts with t<N>, N "
				      "from 1 to 4294967295, and a blank", (int)wn, w);
		else if (!oplog_header_keyword(w, wn))
			ok = lex_fail(&x, err, "unknown header line \"%.*s\" (header lines are "
				      "scenario, policy, seed, device, writeback, costs, param, "
				      "expect, file, process, mmap, task and event; op lines start "
				      "with t<N>)", (int)wn, w);
		else
			ok = oplog_header_parse_line(log->h, &x, w, wn, err);
	}
	if (ok && got < 0)
		ok = false;
	if (ok && r.line == 0) {
		g_set_error(err, OPLOG_ERROR, OPLOG_ERROR_PARSE, "%s:1: not an op log: the file is "
			    "empty", path);
		ok = false;
	}
	if (ok && !log->ops_line) {
		/* A log with no ops at all: cursors find nothing past the header. */
		log->ops_pos = lines_pos(&r);
		log->ops_line = r.line;
	}
	lines_clear(&r);
	if (!ok) {
		oplog_close(log);
		return NULL;
	}
	sim_config_finish(&log->h->cfg, log->h->stable_writes_set, log->h->bandwidth_set,
			  log->h->flush_set);
	return log;
}

void oplog_close(struct oplog *log)
{
	if (!log)
		return;
	close(log->fd);
	oplog_header_free(log->h);
	g_free(log->path);
	g_free(log);
}

const struct oplog_header *oplog_header(const struct oplog *log)
{
	return log->h;
}

const char *oplog_path(const struct oplog *log)
{
	return log->path;
}

/* ---- cursors ------------------------------------------------------------------------------ */

struct oplog_cursor {
	struct oplog *log;
	uint32_t task;
	struct lines r;
	GString *scratch;
	uint64_t last_issue;
	bool done;
};

struct oplog_cursor *oplog_cursor_new(struct oplog *log, uint32_t task, uint64_t pos,
				      uint64_t line)
{
	struct oplog_cursor *c = g_new0(struct oplog_cursor, 1);
	c->log = log;
	c->task = task;
	if (!pos) {
		pos = log->ops_pos;
		line = log->ops_line;
	}
	lines_init(&c->r, log->fd, log->path, pos, line);
	c->scratch = g_string_new(NULL);
	return c;
}

void oplog_cursor_free(struct oplog_cursor *c)
{
	if (!c)
		return;
	lines_clear(&c->r);
	g_string_free(c->scratch, TRUE);
	g_free(c);
}

/* "t<N>" at the start of an op line, digits only; 0 when malformed. */
static inline uint32_t line_task(const char *s, size_t n)
{
	uint64_t v = 0;
	size_t i = 1;
	for (; i < n && (unsigned)(s[i] - '0') < 10 && v <= UINT32_MAX; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (i == n || (s[i] != ' ' && s[i] != '\t') || v > UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

static bool timing(struct lex *x, char mark, uint64_t *v, const char *what, GError **err)
{
	lex_blank(x);
	if (x->p >= x->end || *x->p != mark)
		return lex_fail(x, err, "expected %s as %c<ns> after the task", what, mark);
	x->p++;
	return lex_u64(x, v, what, err);
}

static int bad_line(struct oplog_cursor *c, const char *s, size_t n, GError **err)
{
	struct lex x = { s, s + n, c->log->path, c->r.line };
	const char *w;
	size_t wn;
	lex_word(&x, &w, &wn);
	if (oplog_header_keyword(w, wn))
		lex_fail(&x, err, "header line \"%.*s\" after the first op line (the header comes "
			 "first)", (int)wn, w);
	else if (n && s[0] == 't')
		lex_fail(&x, err, "bad task \"%.*s\": an op line starts with t<N>, N from 1 to "
			 "4294967295, and a blank", (int)wn, w);
	else
		lex_fail(&x, err, "expected an op line (t<N> @ISSUE +THINK OP ARGS...), got \"%.*s\"",
			 (int)wn, w);
	return -1;
}

int oplog_cursor_next(struct oplog_cursor *c, struct oplog_op *op, GError **err)
{
	if (c->done)
		return 0;
	const char *s;
	size_t n;
	int got;
	while ((got = lines_next(&c->r, &s, &n, err)) > 0) {
		if (G_UNLIKELY(!n || s[0] != 't')) {
			/* Blank lines, comments, and op lines indented by hand. */
			struct lex x = { s, s + n, c->log->path, c->r.line };
			if (lex_at_end(&x))
				continue;
			if (*x.p != 't')
				return bad_line(c, s, n, err);
			n -= (size_t)(x.p - s);
			s = x.p;
		}
		uint32_t task = line_task(s, n);
		if (G_UNLIKELY(!task))
			return bad_line(c, s, n, err);
		if (c->task && task != c->task)
			continue;
		struct lex x = { s, s + n, c->log->path, c->r.line };
		while (x.p < x.end && *x.p != ' ' && *x.p != '\t')
			x.p++;
		op->task = task;
		if (!timing(&x, '@', &op->issue, "the issue time", err) ||
		    !timing(&x, '+', &op->think, "the think time", err) ||
		    !oplog_parse_op(&x, c->log->h->version, op, c->scratch, err))
			return -1;
		if (c->task) {
			if (G_UNLIKELY(op->issue < c->last_issue)) {
				lex_fail(&x, err, "t%u's issue time goes back: @%" G_GUINT64_FORMAT
					 " after @%" G_GUINT64_FORMAT, task, op->issue, c->last_issue);
				return -1;
			}
			c->last_issue = op->issue;
			if (op->kind == OPL_EXIT)
				c->done = true;
		}
		op->line = c->r.line;
		op->next_pos = lines_pos(&c->r);
		return 1;
	}
	if (got == 0)
		c->done = true;
	return got;
}
