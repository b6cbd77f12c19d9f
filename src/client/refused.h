/*
 * Connections closed gracefully: what was sent them (a refused client's
 * busy_reply, the answer of a handler that left its request unread) is
 * not lost to a reset.
 */
#ifndef REPLYD_CLIENT_REFUSED_H
#define REPLYD_CLIENT_REFUSED_H

#include <stddef.h>
#include <time.h>

/* At most this many at once, each for at most REFUSED_MS. */
#define REFUSED_MAX	64
#define REFUSED_MS	2000

struct refused_clients {
	int		fd[REFUSED_MAX];
	struct timespec	until[REFUSED_MAX];
	size_t		n;
};

void	refused_close(struct refused_clients *lg, int fd, const struct timespec *now);
void	refused_ready(struct refused_clients *lg, int fd);
long	refused_expire(struct refused_clients *lg, const struct timespec *now);
void	refused_end(struct refused_clients *lg);

#endif
