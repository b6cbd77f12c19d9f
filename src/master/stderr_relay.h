/*
 * A handler's stderr, read by the master and logged line by line,
 * escaped and tagged with the service and the child's pid.
 */
#ifndef REPLYD_MASTER_STDERR_RELAY_H
#define REPLYD_MASTER_STDERR_RELAY_H

#include <stddef.h>
#include <sys/types.h>

/* Lines of one child logged at most; the rest is counted, not shown. */
#define STDERR_RELAY_MAX_LINES	100
/*
 * Bytes read past those lines at most, then the pipe is closed: a
 * handler writing without end would otherwise keep the master reading
 * and discarding (a core busy, every service slower).  Its next write
 * fails (EPIPE).
 */
#define STDERR_RELAY_MAX_DROP	65536
/* A longer line is logged in pieces of this size. */
#define STDERR_RELAY_LINE		256

struct stderr_relay {
	int		 fd;		/* the pipe's read end, -1: none */
	size_t		 len;		/* bytes of a line not ended yet */
	unsigned	 lines;		/* logged so far */
	unsigned long	 dropped;	/* bytes past STDERR_RELAY_MAX_LINES */
	char		 buf[STDERR_RELAY_LINE];
};

int	stderr_relay_open(struct stderr_relay *kl, int *child_end);
int	stderr_relay_pump(struct stderr_relay *kl, const char *svc, pid_t pid);
void	stderr_relay_close(struct stderr_relay *kl, const char *svc, pid_t pid);

#endif
