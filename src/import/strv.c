/*
 * Memory and string vectors for replyd-import.  A converter that runs
 * once and exits has no use for recovering from a failed allocation:
 * it says so and exits 71, like replyd for an OS error.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "import/import.h"

static void
nomem(void)
{
	fprintf(stderr, "replyd-import: out of memory\n");
	exit(EX_OSERR);
}

void *
xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p == NULL)
		nomem();
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		nomem();
	return p;
}

char *
xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		nomem();
	va_end(ap);
	return s;
}

static void
push(struct strv *sv, char *s)
{
	if (sv->n + 1 >= sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = realloc(sv->v, sv->cap * sizeof(*sv->v));
		if (sv->v == NULL)
			nomem();
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void
strv_add(struct strv *sv, const char *s)
{
	push(sv, xstrdup(s));
}

void
strv_addf(struct strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		nomem();
	va_end(ap);
	push(sv, s);
}

int
strv_has(const struct strv *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

/* Remove every copy of s (xinetd's "-="). */
void
strv_remove(struct strv *sv, const char *s)
{
	size_t i, j;

	for (i = j = 0; i < sv->n; i++) {
		if (strcmp(sv->v[i], s) == 0)
			free(sv->v[i]);
		else
			sv->v[j++] = sv->v[i];
	}
	sv->n = j;
	if (sv->v != NULL)
		sv->v[j] = NULL;
}

void
strv_clear(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

/* Add the words of s, split at blanks: how both inetds split a line. */
void
strv_split(struct strv *sv, const char *s)
{
	size_t n;

	for (;;) {
		s += strspn(s, " \t\r\n");
		if ((n = strcspn(s, " \t\r\n")) == 0)
			return;
		push(sv, strndup(s, n));
		if (sv->v[sv->n - 1] == NULL)
			nomem();
		s += n;
	}
}
