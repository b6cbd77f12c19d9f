/*
 * Reading xinetd configuration: xinetd.conf and the files of
 * /etc/xinetd.d.  A file is a sequence of "service NAME" and
 * "defaults" entries, each an attribute a line between "{" and "}",
 * and of "include FILE" and "includedir DIR" lines.  "#" starts a
 * comment only as a line's first non-blank character; values are
 * words split at blanks, with quotes and "#" as ordinary characters.
 * Entries are kept as read until every input is in: xinetd's defaults
 * apply to every service, wherever it is.
 */
#include "config.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "import/xinetd_conf.h"

static struct xentry	*entries, **last = &entries;
static struct xentry	*defaults;

/* Whether a file's first entry is xinetd's, not an inetd.conf line. */
int
xinetd_is(const char *file)
{
	struct strv w = { 0 };
	char *buf = NULL, *line;
	const char *why;
	struct stat st;
	size_t cap = 0;
	int is = 0;
	FILE *fp;

	/* What cannot be read is reported by the reader. */
	if ((fp = input_fopen(file, &st, &why)) == NULL)
		return 0;
	while ((line = input_line(fp, NULL, &buf, &cap)) != NULL) {
		line += strspn(line, " \t");
		if (*line == '\0' || *line == '#')
			continue;
		strv_split(&w, line);
		if (w.n == 0)	/* a line of blanks strv_split skips ("\r") */
			continue;
		is = w.n <= 3 && (strcmp(w.v[0], "service") == 0 ||
		    strcmp(w.v[0], "defaults") == 0 ||
		    strcmp(w.v[0], "include") == 0 ||
		    strcmp(w.v[0], "includedir") == 0 || strcmp(w.v[0], "{") == 0);
		break;
	}
	strv_clear(&w);
	free(buf);
	fclose(fp);
	return is;
}

static void
entry_free(struct xentry *e)
{
	size_t i;

	for (i = 0; i < e->nattrs; i++) {
		free(e->attrs[i].name);
		strv_clear(&e->attrs[i].values);
	}
	free(e->attrs);
	free(e->file);
	free(e->name);
	free(e->label);
	free(e);
}

/* "NAME OP VALUE...", with or without blanks around OP. */
static int
split_attr(const char *line, char **name, int *op, struct strv *values)
{
	size_t n = strcspn(line, " \t+-=");
	const char *p = line + n;

	p += strspn(p, " \t");
	if (n == 0 || (*p != '=' && strncmp(p, "+=", 2) != 0 &&
	    strncmp(p, "-=", 2) != 0))
		return -1;
	*op = *p;
	*name = strndup(line, n);
	strv_split(values, p + (*p == '=' ? 1 : 2));
	return *name != NULL ? 0 : -1;
}

static void
add_attr(struct xentry *e, const char *text, int line)
{
	const struct xspec *sp;
	struct xattr a;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.file = e->file;
	a.line = line;
	if (split_attr(text, &a.name, &a.op, &a.values) < 0) {
		diag_error(e->file, line, "\"%s\" must be ATTRIBUTE = VALUES "
		    "(or += or -=)", text);
		goto fail;
	}
	if ((sp = xattr_spec(a.name)) != NULL) {
		if (a.op != '=' && (sp->nvalues != -2 ||
		    (a.op == '-' && strcmp(a.name, "env") == 0))) {
			diag_error(e->file, line, "%s takes =%s, not %c=",
			    a.name, sp->nvalues == -2 ? " and +=" : "", a.op);
			goto fail;
		}
		if (sp->nvalues > 0 && a.values.n != (size_t)sp->nvalues) {
			diag_error(e->file, line, "%s takes %d value%s (got %zu)",
			    a.name, sp->nvalues, sp->nvalues > 1 ? "s" : "",
			    a.values.n);
			goto fail;
		}
		/* xinetd warns, keeps the first and reads on. */
		for (i = 0; sp->nvalues >= -1 && i < e->nattrs; i++)
			if (strcmp(e->attrs[i].name, a.name) == 0) {
				diag_warn(e->file, line, "%s is set twice in %s "
				    "(first on line %d): this one is ignored, as "
				    "xinetd ignores it", a.name, e->label,
				    e->attrs[i].line);
				goto fail;
			}
	}
	e->attrs = realloc(e->attrs, (e->nattrs + 1) * sizeof(*e->attrs));
	if (e->attrs == NULL) {
		perror("replyd-import");
		exit(EX_OSERR);
	}
	e->attrs[e->nattrs++] = a;
	return;
fail:
	free(a.name);
	strv_clear(&a.values);
}

/* An entry is complete: keep it for xinetd_finish. */
static void
close_entry(struct svclist *l, struct xentry *e)
{
	if (e->name != NULL) {
		*last = e;
		last = &e->next;
	} else if (defaults == NULL)
		defaults = e;
	else {
		strv_addf(&l->notes, "%s:%d: a second defaults entry, which "
		    "xinetd ignores (the first is at %s:%d): ignored", e->file,
		    e->line, defaults->file, defaults->line);
		entry_free(e);
	}
}

/* A relative include is taken relative to the including file. */
static char *
beside(const char *file, const char *path)
{
	char *copy, *full;

	if (path[0] == '/')
		return xstrdup(path);
	copy = xstrdup(file);
	full = xprintf("%s/%s", dirname(copy), path);
	free(copy);
	return full;
}

enum state {
	OUT,		/* between entries */
	OPEN,		/* after "service NAME": a "{" line must follow */
	IN,		/* in an entry */
	SKIP		/* in an entry already reported broken */
};

/* A line between entries. */
static enum state
top(struct svclist *l, const char *file, int line, const char *text,
    struct xentry **cur)
{
	struct strv w = { 0 };
	enum state next = OUT;
	char *path;

	strv_split(&w, text);
	if (w.n == 0) {		/* blanks strv_split does not count as text */
		strv_clear(&w);
		return OUT;
	}
	if ((strcmp(w.v[0], "service") == 0 && w.n >= 2) ||
	    strcmp(w.v[0], "defaults") == 0) {
		size_t brace = strcmp(w.v[0], "service") == 0 ? 2 : 1;

		*cur = xmalloc(sizeof(**cur));
		(*cur)->file = xstrdup(file);
		(*cur)->line = line;
		(*cur)->name = brace == 2 ? xstrdup(w.v[1]) : NULL;
		(*cur)->label = brace == 2 ? xprintf("service %s", w.v[1]) :
		    xstrdup("defaults");
		next = w.n == brace + 1 && strcmp(w.v[brace], "{") == 0 ? IN :
		    OPEN;
		if (next == IN)
			(*cur)->rejected = "\"{\" on the line of \"service\": "
			    "xinetd wants it on a line of its own and does not "
			    "serve this entry";
		if (w.n > brace + (next == IN)) {
			diag_error(file, line, "\"%s\" must be \"service NAME\" "
			    "or \"defaults\", then \"{\"", text);
			entry_free(*cur);	/* SKIP keeps no entry */
			*cur = NULL;
			next = SKIP;
		}
	} else if ((strcmp(w.v[0], "include") == 0 ||
	    strcmp(w.v[0], "includedir") == 0) && w.n == 2) {
		path = beside(file, w.v[1]);
		if (strcmp(w.v[0], "include") == 0)
			xinetd_read(l, path);
		else
			xinetd_dir(l, path);
		free(path);
	} else
		diag_error(file, line, "expected service NAME, defaults, "
		    "include FILE or includedir DIR (got \"%s\")", text);
	strv_clear(&w);
	return next;
}

/* A line of an entry. */
static enum state
inside(struct svclist *l, const char *file, int line, const char *text,
    struct xentry **cur)
{
	if (strcmp(text, "}") == 0) {
		close_entry(l, *cur);
		*cur = NULL;
		return OUT;
	}
	if (strcspn(text, "=") == strlen(text) &&
	    (strncmp(text, "service", 7) == 0 ||
	    strncmp(text, "defaults", 8) == 0)) {
		diag_error(file, (*cur)->line, "%s has no closing '}'",
		    (*cur)->label);
		entry_free(*cur);
		*cur = NULL;
		return top(l, file, line, text, cur);
	}
	add_attr(*cur, text, line);
	return IN;
}

static enum state
step(struct svclist *l, const char *file, int line, char *text,
    enum state st, struct xentry **cur)
{
	size_t n = strlen(text);

	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		text[--n] = '\0';
	switch (st) {
	case OPEN:
		if (strcmp(text, "{") == 0)
			return IN;
		diag_error(file, line, "a line with only \"{\" must follow "
		    "\"%s\" (line %d)", (*cur)->label, (*cur)->line);
		entry_free(*cur);
		*cur = NULL;
		return strcmp(text, "}") == 0 ? OUT : SKIP;
	case IN:
		return inside(l, file, line, text, cur);
	case SKIP:
		return strcmp(text, "}") == 0 ? OUT : SKIP;
	case OUT:
		break;
	}
	return top(l, file, line, text, cur);
}

int
xinetd_read(struct svclist *l, const char *file)
{
	struct xentry *cur = NULL;
	enum state st = OUT;
	char *buf = NULL, *line;
	size_t cap = 0;
	int rc, n = 0;
	FILE *fp;

	if ((rc = input_open(file, &fp)) != 0)
		return rc < 0 ? -1 : 0;
	strv_add(&l->inputs, file);
	while ((line = input_line(fp, file, &buf, &cap)) != NULL) {
		n++;
		line += strspn(line, " \t");
		if (*line != '\0' && *line != '#')
			st = step(l, file, n, line, st, &cur);
	}
	if (cur != NULL) {
		diag_error(file, cur->line, "%s has no closing '}'", cur->label);
		entry_free(cur);
	}
	free(buf);
	fclose(fp);
	return 0;
}

/* includedir: every file xinetd would read there. */
int
xinetd_dir(struct svclist *l, const char *dir)
{
	struct strv files = { 0 };
	size_t i;
	int rc;

	if ((rc = input_dir(dir, &files)) == 0)
		for (i = 0; i < files.n; i++)
			if (xinetd_read(l, files.v[i]) < 0)
				rc = -1;
	strv_clear(&files);
	return rc;
}

/* Map every service read, now that the defaults are known. */
void
xinetd_finish(struct svclist *l)
{
	struct xentry *e, *next;

	if (defaults != NULL)
		xattr_defaults(l, defaults);
	for (e = entries; e != NULL; e = next) {
		next = e->next;
		xattr_service(l, e, defaults);
		entry_free(e);
	}
	if (defaults != NULL)
		entry_free(defaults);
	entries = defaults = NULL;
	last = &entries;
}
