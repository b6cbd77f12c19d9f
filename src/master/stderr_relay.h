/*
 * A handler's stderr, read by the master and logged line by line,
 * escaped and tagged with the service and the child's pid.
 */
#ifndef REPLYD_MASTER_STDERR_RELAY_H
#define REPLYD_MASTER_STDERR_RELAY_H

#include <stddef.h>
#include <sys/types.h>

/* Lines of one child logged at most; the rest is counted, not shown. */
#define KIDLOG_MAX_LINES	100
/* A longer line is logged in pieces of this size. */
#define KIDLOG_LINE		256

struct kidlog {
	int		 fd;		/* the pipe's read end, -1: none */
	size_t		 len;		/* bytes of a line not ended yet */
	unsigned	 lines;		/* logged so far */
	unsigned long	 dropped;	/* bytes past KIDLOG_MAX_LINES */
	char		 buf[KIDLOG_LINE];
};

int	kidlog_open(struct kidlog *kl, int *child_end);
int	kidlog_pump(struct kidlog *kl, const char *svc, pid_t pid);
void	kidlog_close(struct kidlog *kl, const char *svc, pid_t pid);

#endif
