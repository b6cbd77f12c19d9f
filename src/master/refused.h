/*
 * Refused connections, closed gracefully: what the master sent them
 * (busy_reply) is not lost to a reset.
 */
#ifndef REPLYD_MASTER_REFUSED_H
#define REPLYD_MASTER_REFUSED_H

#include <stddef.h>
#include <time.h>

/* At most this many at once, each for at most LINGER_MS. */
#define LINGER_MAX	64
#define LINGER_MS	2000

struct lingering {
	int		fd[LINGER_MAX];
	struct timespec	until[LINGER_MAX];
	size_t		n;
};

void	linger_close(struct lingering *lg, int fd, const struct timespec *now);
void	linger_ready(struct lingering *lg, int fd);
long	linger_expire(struct lingering *lg, const struct timespec *now);
void	linger_end(struct lingering *lg);

#endif
