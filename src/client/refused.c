/*
 * Closing a socket that still has unread bytes makes the kernel answer
 * with a reset, and a client that gets the reset before it has read the
 * busy_reply loses it (a client that sent its request at once usually
 * has).  So a refused connection is half-closed (FIN after the reply),
 * and the master keeps it a moment, reading and discarding what the
 * client still sends, until the client closes or REFUSED_MS pass.  Never
 * more than REFUSED_MAX at once: past that a connection is closed at
 * once, so a flood of refused clients cannot hold the master's fds.
 */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/refused.h"
#include "lib/deadline.h"

static void
drop(struct refused_clients *lg, size_t i)
{
	close(lg->fd[i]);
	lg->n--;
	lg->fd[i] = lg->fd[lg->n];
	lg->until[i] = lg->until[lg->n];
}

/* Take over fd (a refused client, its reply already sent). */
void
refused_close(struct refused_clients *lg, int fd, const struct timespec *now)
{
	(void)shutdown(fd, SHUT_WR);
	if (lg->n == REFUSED_MAX) {
		close(fd);
		return;
	}
	lg->fd[lg->n] = fd;
	deadline_after(&lg->until[lg->n], now, REFUSED_MS);
	lg->n++;
}

/* Connection fd is readable: discard; closed at EOF or error. */
void
refused_ready(struct refused_clients *lg, int fd)
{
	char sink[4096];
	ssize_t n;
	size_t i;
	int k;

	for (i = 0; i < lg->n && lg->fd[i] != fd; i++)
		;
	if (i == lg->n)
		return;
	for (k = 0; k < 16; k++) {
		n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		break;
	}
	if (k < 16)
		drop(lg, i);
}

/* Close those whose time is up; ms until the next one's (-1: none). */
long
refused_expire(struct refused_clients *lg, const struct timespec *now)
{
	long next = -1, ms;
	size_t i = 0;

	while (i < lg->n) {
		if ((ms = deadline_left(&lg->until[i], now)) == 0) {
			drop(lg, i);
			continue;
		}
		next = deadline_sooner(next, ms);
		i++;
	}
	return next;
}

void
refused_end(struct refused_clients *lg)
{
	while (lg->n > 0)
		drop(lg, 0);
}
