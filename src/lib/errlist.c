/*
 * The error list: messages in the order they were found.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/errlist.h"
#include "lib/log.h"

void
errlist_add(struct errlist *e, const char *fmt, ...)
{
	char *msg, **grown;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((grown = realloc(e->msg, (e->n + 1) * sizeof(*grown))) == NULL) {
		free(msg);
		return;
	}
	e->msg = grown;
	e->msg[e->n++] = msg;
}

void
errlist_log(const struct errlist *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		log_msg(LOG_ERR, "%s", e->msg[i]);
}

void
errlist_free(struct errlist *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->msg[i]);
	free(e->msg);
	e->msg = NULL;
	e->n = 0;
}
