/*
 * Reading a configuration's files before libconfig parses them.
 *
 * libconfig 1.5 opens files itself: a directory makes its scanner call
 * exit(2), a FIFO blocks it in open(2) (a reloading master, deaf to
 * SIGTERM), and it has no include hook to stop either.  So replyd reads
 * every file itself, each opened non-blocking and refused unless fstat
 * says it is a regular file, expands each @include line in place (as
 * libconfig would have: an include is purely lexical), and hands
 * libconfig one string with no @include left.  Each line of that string
 * remembers the file and line it came from, for messages.
 *
 * The same pass sees every integer literal outside strings and comments,
 * so that a literal libconfig wraps into 32 bits (4294967376 reads as
 * 80) is caught wherever it stands: several settings on a line, lists,
 * included files.  And a string or comment still open at the end of a
 * file is reported at the line where it starts, which libconfig cannot.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/keys.h"
#include "conf/text.h"
#include "lib/regfile.h"

/* Where the lexer is, carried from line to line of one file. */
enum lex { IN_CODE, IN_STRING, IN_COMMENT };

struct reader {
	struct conf_text	*t;
	unsigned		 file;
	unsigned		 line;		/* of the file being read */
	enum lex		 lex;
	unsigned		 opened;	/* where the string or comment began */
	unsigned		 assign;	/* joined line of the last '=' */
};

static void
text_err(struct conf_text *t, const char *file, unsigned line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
text_err(struct conf_text *t, const char *file, unsigned line,
    const char *fmt, ...)
{
	char what[512], *msg, **grown;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if ((line > 0 ? asprintf(&msg, "%s:%u: %s", file, line, what) :
	    asprintf(&msg, "%s: %s", file, what)) < 0)
		return;
	if ((grown = realloc(t->errs, (t->nerrs + 1) * sizeof(*grown))) ==
	    NULL) {
		free(msg);
		return;
	}
	t->errs = grown;
	t->errs[t->nerrs++] = msg;
}

int
conf_open_regular(const char *path, char *err, size_t errsz)
{
	return regfile_open(path, err, errsz);
}

/* The whole file, NUL-terminated; NULL with why in err. */
static char *
slurp(const char *path, size_t room, size_t *len, char *err, size_t errsz)
{
	char *buf = NULL, *grown;
	size_t size = 0, n = 0;
	ssize_t r = -1;
	int fd;

	if ((fd = conf_open_regular(path, err, errsz)) < 0)
		return NULL;
	for (;;) {
		if (n + 1 >= size) {
			size = size ? size * 2 : 4096;
			if ((grown = realloc(buf, size)) == NULL) {
				r = -1;
				break;
			}
			buf = grown;
		}
		r = read(fd, buf + n, size - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (n += r) > room)
			break;
	}
	close(fd);
	if (r == 0) {
		buf[n] = '\0';
		*len = n;
		return buf;
	}
	snprintf(err, errsz, "%s", r < 0 ? strerror(errno) :
	    "too large (all files together may hold 16 MiB)");
	free(buf);
	return NULL;
}

/* Append one line (with its newline) to the joined text. */
static int
put_line(struct reader *r, const char *s, size_t n)
{
	struct conf_text *t = r->t;
	struct conf_origin *lines;
	char *buf;

	if ((buf = realloc(t->buf, t->len + n + 2)) == NULL)
		return -1;
	t->buf = buf;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len++] = '\n';
	t->buf[t->len] = '\0';
	if ((lines = realloc(t->lines, (t->nlines + 1) * sizeof(*lines))) ==
	    NULL)
		return -1;
	t->lines = lines;
	t->lines[t->nlines].file = r->file;
	t->lines[t->nlines++].line = r->line;
	return 0;
}

static int
ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/*
 * Record the integer literal tok (len bytes) as libconfig 1.5 reads it:
 * decimals through atoll and hex through strtoull (both saturate), then
 * cut to 32 bits unless written with L.  Anything else (a float) is not
 * recorded.
 */
/*
 * A literal without L as libconfig 1.5 stores it: strtol() (strtoul()
 * for hex) cast to int.  Where long has 64 bits that wraps into 32;
 * where it has 32 (i386), strtol() saturates first.
 */
static long long
as_int(int hex, unsigned long long u, long long v)
{
#if LONG_MAX == INT_MAX
	if (hex)
		return (int)(unsigned)(u > ULONG_MAX ? ULONG_MAX : u);
	return (int)(v > LONG_MAX ? LONG_MAX : v < LONG_MIN ? LONG_MIN : v);
#else
	return (long long)(int)(unsigned)((hex ? (long long)u : v) &
	    0xffffffffULL);
#endif
}

static void
literal(struct reader *r, const char *tok, size_t len)
{
	struct conf_literal *l, *grown;
	size_t n = len, sign = *tok == '-' || *tok == '+', pre;
	int hex = strncasecmp(tok + sign, "0x", 2) == 0, is64;
	char buf[64];
	unsigned long long u = 0;
	long long v;

	if (len >= sizeof(buf) || (hex && sign))
		return;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	is64 = buf[n - 1] == 'L';
	if (is64 && --n > 0 && buf[n - 1] == 'L')
		n--;
	buf[n] = '\0';
	pre = sign + 2 * hex;
	if (n <= pre || strspn(buf + pre, hex ? "0123456789abcdefABCDEF" :
	    "0123456789") != n - pre)
		return;
	if ((grown = realloc(r->t->lits, (r->t->nlits + 1) *
	    sizeof(*grown))) == NULL)
		return;
	r->t->lits = grown;
	l = &grown[r->t->nlits++];
	errno = 0;
	if (hex) {
		u = strtoull(buf, NULL, 16);
		v = (long long)u;
		l->wrapped = errno == ERANGE || u > (is64 ? (unsigned long long)
		    LLONG_MAX : (unsigned long long)INT_MAX);
	} else {
		v = strtoll(buf, NULL, 10);
		l->wrapped = errno == ERANGE || (!is64 &&
		    (v < INT_MIN || v > INT_MAX));
	}
	l->value = is64 ? v : as_int(hex, u, v);
	l->is64 = is64;
	l->line = r->t->nlines + 1;	/* the line about to be put */
	l->assign = r->assign;
	snprintf(l->text, sizeof(l->text), "%.*s", (int)len, tok);
}

/* Follow strings, comments and literals through one line of code. */
static void
scan_line(struct reader *r, const char *s, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		char c = s[i], d = i + 1 < n ? s[i + 1] : '\0';

		if (r->lex == IN_STRING) {
			if (c == '\\')
				i++;
			else if (c == '"')
				r->lex = IN_CODE;
		} else if (r->lex == IN_COMMENT) {
			if (c == '*' && d == '/') {
				r->lex = IN_CODE;
				i++;
			}
		} else if (c == '=' || c == ':')
			r->assign = r->t->nlines + 1;
		else if (c == '"') {
			r->lex = IN_STRING;
			r->opened = r->line;
		} else if (c == '#' || (c == '/' && d == '/'))
			return;
		else if (c == '/' && d == '*') {
			r->lex = IN_COMMENT;
			r->opened = r->line;
			i++;
		} else if ((isdigit((unsigned char)c) || ((c == '-' ||
		    c == '+') && isdigit((unsigned char)d))) &&
		    (i == 0 || !ident_char(s[i - 1]))) {
			for (j = i + 1; j < n && (ident_char(s[j]) ||
			    ((s[j] == '-' || s[j] == '+') &&
			    (s[j - 1] == 'e' || s[j - 1] == 'E'))); j++)
				;
			literal(r, s + i, j - i);
			i = j - 1;
		}
	}
}

static int	read_file(struct conf_text *t, const char *path,
		    const char *name, const char *from, unsigned fromline,
		    int depth);

/* A directory's *.conf names, hidden ones (".x.conf") left out. */
static int
is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 &&
	    strcmp(d->d_name + n - 5, ".conf") == 0;
}

/* Name order in every locale: bytes, as ls does with LC_ALL=C. */
static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/*
 * "@include "dir"": its regular *.conf files in name order, each read
 * as if included on its own (so each counts against CONF_INCLUDE_MAX and
 * messages name it).  Anything else there is left alone: a package's
 * README, a .dpkg-old copy, a subdirectory.
 */
static int
read_dir(struct conf_text *t, const char *path, const char *name,
    const char *from, unsigned fromline, int depth)
{
	struct dirent **ents;
	struct stat st;
	char full[PATH_MAX], shown[PATH_MAX], q[CONF_QUOTE_MAX];
	int i, n, rc = 0;

	if ((n = scandir(path, &ents, is_conf, by_name)) < 0) {
		text_err(t, from, fromline, "cannot include %s: %s",
		    conf_quote(q, sizeof(q), name), strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", path, ents[i]->d_name);
		snprintf(shown, sizeof(shown), "%s/%s", name, ents[i]->d_name);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
			rc |= read_file(t, full, shown, from, fromline, depth);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/*
 * "@include "name"" at the start of a line (libconfig's own rule):
 * returns 1 and reads the file in its place, else 0.
 */
static int
include(struct reader *r, const char *s, size_t n, int depth)
{
	const char *from = r->t->files[r->file], *p = s, *q, *slash;
	char *path, name[256];
	struct stat st;
	int rc;

	p += strspn(p, " \t");
	if (r->lex != IN_CODE || strncmp(p, "@include", 8) != 0 ||
	    (p[8] != ' ' && p[8] != '\t'))
		return 0;
	p += 8 + strspn(p + 8, " \t");
	if (*p != '"' || (q = memchr(p + 1, '"', s + n - p - 1)) == NULL)
		return 0;	/* libconfig says what is wrong */
	p++;
	slash = strrchr(from, '/');
	if ((*p == '/' || slash == NULL ? asprintf(&path, "%.*s",
	    (int)(q - p), p) : asprintf(&path, "%.*s/%.*s",
	    (int)(slash - from), from, (int)(q - p), p)) < 0)
		return 1;
	snprintf(name, sizeof(name), "%.*s", (int)(q - p), p);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		rc = read_dir(r->t, path, name, from, r->line, depth + 1);
	else
		rc = read_file(r->t, path, name, from, r->line, depth + 1);
	free(path);
	/* What follows the name on the line is read after the file. */
	q++;
	q += strspn(q, " \t");
	if (rc == 0 && q < s + n)
		put_line(r, q, s + n - q);
	return 1;
}

static int
add_name(struct conf_text *t, const char *path)
{
	char **grown;

	if ((grown = realloc(t->files, (t->nfiles + 1) * sizeof(*grown))) ==
	    NULL || (grown[t->nfiles] = strdup(path)) == NULL) {
		if (grown != NULL)
			t->files = grown;
		return -1;
	}
	t->files = grown;
	return t->nfiles++;
}

/*
 * Read path into t; name is how the including file (from, at fromline)
 * wrote it, or NULL for the configuration itself.
 */
static int
read_file(struct conf_text *t, const char *path, const char *name,
    const char *from, unsigned fromline, int depth)
{
	struct reader r = { .t = t, .lex = IN_CODE };
	char err[256], q[CONF_QUOTE_MAX], *buf, *s, *nl;
	size_t len;
	int file;

	if (from != NULL && ++t->nincludes > CONF_INCLUDE_MAX) {
		if (t->nincludes == CONF_INCLUDE_MAX + 1)
			text_err(t, from, fromline, "more than %d @include "
			    "lines in one configuration (each counts, however "
			    "often it includes the same file)",
			    CONF_INCLUDE_MAX);
		return -1;
	}
	if (depth > CONF_INCLUDE_DEPTH) {
		text_err(t, from, fromline, "@include nested more than %d deep "
		    "(does a file include itself?)", CONF_INCLUDE_DEPTH);
		return -1;
	}
	if ((buf = slurp(path, CONF_TEXT_MAX - t->len, &len, err,
	    sizeof(err))) == NULL) {
		if (from == NULL)
			text_err(t, path, 0, "cannot read: %s", err);
		else
			text_err(t, from, fromline, "cannot include %s: %s",
			    conf_quote(q, sizeof(q), name), err);
		return -1;
	}
	if ((file = add_name(t, path)) < 0) {
		free(buf);
		return -1;
	}
	r.file = file;
	for (s = buf; s < buf + len; s = nl + 1) {
		if ((nl = memchr(s, '\n', buf + len - s)) == NULL)
			nl = buf + len;
		r.line++;
		if (memchr(s, '\0', nl - s) != NULL)
			text_err(t, path, r.line, "a NUL byte: this is not a "
			    "text file");
		else if (!include(&r, s, nl - s, depth)) {
			scan_line(&r, s, nl - s);
			put_line(&r, s, nl - s);
		}
	}
	free(buf);
	if (r.lex != IN_CODE)
		text_err(t, path, r.opened, r.lex == IN_STRING ? "a string "
		    "starts here and is never closed (a \" is missing)" :
		    "a comment starts here and is never closed (*/ is missing)");
	return r.lex == IN_CODE ? 0 : -1;
}

/* 0, or -1 with the problems in t->errs (the text is then incomplete). */
int
conf_text_read(struct conf_text *t, const char *path)
{
	memset(t, 0, sizeof(*t));
	read_file(t, path, NULL, NULL, 0, 0);
	if (t->buf == NULL && t->nerrs == 0)
		t->buf = strdup("");	/* an empty file */
	return t->nerrs > 0 || t->buf == NULL ? -1 : 0;
}

void
conf_text_free(struct conf_text *t)
{
	size_t i;

	for (i = 0; i < t->nfiles; i++)
		free(t->files[i]);
	for (i = 0; i < t->nerrs; i++)
		free(t->errs[i]);
	free(t->files);
	free(t->errs);
	free(t->buf);
	free(t->lines);
	free(t->lits);
	memset(t, 0, sizeof(*t));
}

const char *
conf_text_where(const struct conf_text *t, unsigned n, unsigned *line)
{
	if (n == 0 || t->nlines == 0) {
		*line = 0;
		return t->nfiles > 0 ? t->files[0] : "";
	}
	/* libconfig counts the end of the text as a line of its own. */
	if (n > t->nlines) {
		*line = t->lines[t->nlines - 1].line + (n - t->nlines);
		return t->files[t->lines[t->nlines - 1].file];
	}
	*line = t->lines[n - 1].line;
	return t->files[t->lines[n - 1].file];
}

/*
 * libconfig gives a setting's line (where its name is), not its column.
 * The literals that may be its value: those of settings named on line n
 * (or standing on it) that read as v.  The k-th of them, or with k < 0
 * any, if it is a wrapped one: its text, else NULL.
 */
const char *
conf_text_wrapped(const struct conf_text *t, unsigned n, long long v,
    int is64, int k)
{
	const struct conf_literal *l, *last = NULL;
	size_t i;

	for (i = 0; i < t->nlits; i++) {
		l = &t->lits[i];
		if ((l->line != n && l->assign != n) || l->value != v ||
		    l->is64 != is64)
			continue;
		last = l;
		if (k < 0 && l->wrapped)
			return l->text;
		if (k-- == 0)
			return l->wrapped ? l->text : NULL;
	}
	/* More settings than literals: refuse rather than let one pass. */
	return k >= 0 && last != NULL && last->wrapped ? last->text : NULL;
}

/* Whether the literals that may be a setting's disagree (see above). */
int
conf_text_mixed(const struct conf_text *t, unsigned n, long long v, int is64)
{
	const struct conf_literal *l;
	int seen[2] = { 0, 0 };
	size_t i;

	for (i = 0; i < t->nlits; i++) {
		l = &t->lits[i];
		if ((l->line == n || l->assign == n) && l->value == v &&
		    l->is64 == is64)
			seen[l->wrapped] = 1;
	}
	return seen[0] && seen[1];
}

/* Where line n of the joined text starts. */
static const char *
line_start(const struct conf_text *t, unsigned n)
{
	const char *s = t->buf;

	while (s != NULL && n-- > 1)
		if ((s = strchr(s, '\n')) != NULL)
			s++;
	return s;
}

/* Line n of the joined text, without its newline. */
static void
line_text(const struct conf_text *t, unsigned n, char *out, size_t outsz)
{
	const char *s = line_start(t, n);

	snprintf(out, outsz, "%.*s", s ? (int)(strchrnul(s, '\n') - s) : 0,
	    s ? s : "");
}

/*
 * The "name = value" at s, its value cut at the first ';', ',' or
 * blank: 0, or -1 if s holds none.
 */
static int
setting_of(const char *s, char *name, size_t namesz, char *value,
    size_t valuesz)
{
	size_t n;

	s += strspn(s, " \t");
	if ((n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-*")) == 0 || n >= namesz)
		return -1;
	snprintf(name, namesz, "%.*s", (int)n, s);
	s += n + strspn(s + n, " \t");
	if (*s != '=' && *s != ':')
		return -1;
	s++;
	s += strspn(s, " \t");
	snprintf(value, valuesz, "%.*s", (int)strcspn(s, ";, \t\n"), s);
	return 0;
}

/* Past the string that starts at s (its opening quote), on *line. */
static const char *
skip_string(const char *s, unsigned *line)
{
	for (s++; *s != '\0' && *s != '"'; s++)
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '\n')
			(*line)++;
	return *s == '\0' ? s - 1 : s;
}

/* The last character of the comment that starts at s, on *line. */
static const char *
skip_comment(const char *s, unsigned *line)
{
	for (s += 2; *s != '\0' && !(s[0] == '*' && s[1] == '/'); s++)
		*line += *s == '\n';
	return *s == '\0' ? s - 1 : s + 1;
}

/*
 * The joined line of the ',' that a list closed on line n ends with
 * (libconfig allows none: its "syntax error" lands on the ')' or ']'),
 * or 0.  Strings and comments are stepped over.
 */
static unsigned
trailing_comma(const struct conf_text *t, unsigned n)
{
	const char *s;
	unsigned line = 1, comma = 0;
	char last = '\0';

	for (s = t->buf; *s != '\0' && line <= n; s++) {
		if (*s == '\n')
			line++;
		else if (*s == '"')
			s = skip_string(s, &line), last = '"';
		else if (*s == '#' || (s[0] == '/' && s[1] == '/'))
			s = strchrnul(s, '\n') - 1;
		else if (s[0] == '/' && s[1] == '*')
			s = skip_comment(s, &line);
		else if (isspace((unsigned char)*s))
			continue;
		else if ((*s == ')' || *s == ']') && last == ',' && line == n)
			return comma;
		else {
			if (*s == ',')
				comma = line;
			last = *s;
		}
	}
	return 0;
}

/* What a syntax error on a line "name = value" most likely is. */
static void
syntax_hint(const struct conf_text *t, unsigned n, char *out, size_t outsz)
{
	char line[512], prev[512], name[64], value[128], *end;
	const struct conf_key *k;
	const char *file, *here;
	unsigned c, cl, hl;
	size_t v;

	if ((c = trailing_comma(t, n)) > 0) {
		file = conf_text_where(t, c, &cl);
		here = conf_text_where(t, n, &hl);
		snprintf(out, outsz, ": a list ends with a comma (the ',' on "
		    "%s%s%u): remove it, or the entry after it is missing",
		    strcmp(file, here) == 0 ? "line " : file,
		    strcmp(file, here) == 0 ? "" : ":", cl);
		return;
	}
	line_text(t, n, line, sizeof(line));
	if (setting_of(line, name, sizeof(name), value, sizeof(value)) < 0)
		return;
	v = strlen(value);
	k = conf_key_find(name);
	if (v > 0 && strspn(value, "0123456789abcdefABCDEF:./") == v &&
	    (strchr(value, ':') || strchr(value, '.') != strrchr(value, '.')))
		snprintf(out, outsz, ": an address is a string, in double "
		    "quotes: %s = \"%s\";", name, value);
	else if (isdigit((unsigned char)value[0]) &&
	    (strtod(value, &end), isalpha((unsigned char)*end)))
		snprintf(out, outsz, ": %s is a plain number%s%s, without a "
		    "unit: %s = %.*s;", name, k && k->unit ? " of " : "",
		    k && k->unit ? k->unit : "", name, (int)(end - value),
		    value);
	else if (isalpha((unsigned char)value[0]) &&
	    strcasecmp(value, "true") != 0 && strcasecmp(value, "false") != 0)
		snprintf(out, outsz, ": a string goes in double quotes: "
		    "%s = \"%s\";", name, value);
	else if (n > 1) {
		line_text(t, n - 1, prev, sizeof(prev));
		v = strlen(prev);
		while (v > 0 && isspace((unsigned char)prev[v - 1]))
			v--;
		if (v > 0 && strchr(";,{[(", prev[v - 1]) == NULL &&
		    prev[strspn(prev, " \t")] != '#')
			snprintf(out, outsz, " (is the ';' missing at the end "
			    "of the line before?)");
	}
}

/* Whether "name =" stands somewhere in [s, end). */
static int
named_before(const char *s, const char *end, const char *name)
{
	size_t n = strlen(name);
	const char *p, *q;

	for (p = s; (p = strstr(p, name)) != NULL && p < end; p += n) {
		if (p > s && (ident_char(p[-1]) || p[-1] == '-'))
			continue;
		q = p + n + strspn(p + n, " \t\n");
		if (*q == '=' || *q == ':')
			return 1;
	}
	return 0;
}

/*
 * Whether a setting may begin at p of a line: first, or after a
 * separator or the end of a comment.
 */
static int
setting_may_start(const char *line, const char *p)
{
	return p == line || strchr(";{(,", p[-1]) != NULL ||
	    (p - line >= 2 && p[-2] == '*' && p[-1] == '/');
}

/*
 * Which setting of line n repeats an earlier one: the last on the line
 * whose name was set before (libconfig says only the line).
 */
static void
duplicate_hint(const struct conf_text *t, unsigned n, char *out,
    size_t outsz)
{
	const char *start = line_start(t, n), *p, *eol;
	char name[64], value[128], found[64] = "";

	if (start == NULL)
		return;
	eol = strchrnul(start, '\n');
	for (p = start; p < eol; p++)
		if (setting_may_start(start, p) &&
		    setting_of(p, name, sizeof(name), value,
		    sizeof(value)) == 0 && named_before(t->buf, p, name))
			snprintf(found, sizeof(found), "%s", name);
	if (found[0] != '\0')
		snprintf(out, outsz, ": \"%s\" is set twice in the same group",
		    found);
}

void
conf_text_explain(const struct conf_text *t, unsigned n, const char *what,
    char *out, size_t outsz)
{
	char hint[256] = "";

	if (t->buf == NULL)
		;
	else if (strcmp(what, "syntax error") == 0)
		syntax_hint(t, n, hint, sizeof(hint));
	else if (strcmp(what, "duplicate setting name") == 0)
		duplicate_hint(t, n, hint, sizeof(hint));
	snprintf(out, outsz, "%s%s", what, hint);
}
