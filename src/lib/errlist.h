/*
 * A list of error messages, each a whole line ("FILE:LINE: what is
 * wrong"), collected so that every problem is reported, not only the
 * first.  The configuration, the handler table and the module loader
 * add to the same list; whoever asked logs it.  It owns its strings.
 */
#ifndef REPLYD_LIB_ERRLIST_H
#define REPLYD_LIB_ERRLIST_H

#include <stddef.h>

struct errlist {
	char	**msg;
	size_t	  n;
};

/* Out of memory, the message is dropped: the caller still fails. */
void	errlist_add(struct errlist *e, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Each message at LOG_ERR, in the order they were added. */
void	errlist_log(const struct errlist *e);
void	errlist_free(struct errlist *e);

#endif
