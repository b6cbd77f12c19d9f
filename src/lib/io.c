/*
 * I/O on the client descriptors for the built-in handlers, bounded in
 * time: a client that stops writing, or stops reading, holds a child
 * only `timeout` seconds without progress.
 *
 * The descriptors may be blocking (inetd hands us whatever it has), and
 * a blocking write() of more than the socket buffers hold waits for the
 * client however long it takes.  So no write here ever blocks: on a
 * socket send() with MSG_DONTWAIT, which changes nothing shared; on a
 * pipe or a tty (replyd -i) O_NONBLOCK just around the write(), put
 * back at once, because that flag belongs to the open file, which the
 * shell or the next program in a pipeline shares.  Waits happen only
 * in poll(), against a deadline that progress pushes back.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/deadline.h"
#include "lib/io.h"

/* Until fd is ready for events, or -1 with ETIMEDOUT at the deadline. */
static int
io_wait(int fd, short events, const struct timespec *deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int ms, r;

	for (;;) {
		if ((ms = deadline_ms_left(deadline)) == 0)
			break;
		if ((r = poll(&p, 1, ms)) > 0)
			return 0;	/* errors and hangups: the call says */
		if (r == 0)
			break;
		if (errno != EINTR)
			return -1;
	}
	errno = ETIMEDOUT;
	return -1;
}

ssize_t
io_read(int fd, void *buf, size_t n, int timeout)
{
	struct timespec deadline;

	deadline_in(&deadline, timeout);
	return io_read_by(fd, buf, n, &deadline);
}

ssize_t
io_read_by(int fd, void *buf, size_t n, const struct timespec *deadline)
{
	ssize_t r;

	for (;;) {
		if (io_wait(fd, POLLIN, deadline) < 0)
			return -1;
		r = read(fd, buf, n);
		if (r >= 0 || (errno != EINTR && errno != EAGAIN))
			return r;
	}
}

/*
 * One write that never blocks.  A peer that has gone is EPIPE, not
 * SIGPIPE, on sockets; on a pipe SIGPIPE ends the handler as it ends
 * any filter.
 */
static ssize_t
write_now(int fd, const void *buf, size_t n)
{
	ssize_t r;
	int fl, saved;

	r = send(fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r >= 0 || errno != ENOTSOCK)
		return r;
	if ((fl = fcntl(fd, F_GETFL)) < 0)
		return -1;
	if (fl & O_NONBLOCK)
		return write(fd, buf, n);
	if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	r = write(fd, buf, n);
	saved = errno;
	(void)fcntl(fd, F_SETFL, fl);
	errno = saved;
	return r;
}

ssize_t
io_write(int fd, const void *buf, size_t n, int timeout)
{
	struct timespec deadline;
	int armed = 0;
	ssize_t r;

	/* Nothing to send; on a datagram relay it would read as the end. */
	if (n == 0)
		return 0;
	for (;;) {
		if ((r = write_now(fd, buf, n)) >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		/* The clock starts only when the client is behind. */
		if (!armed)
			deadline_in(&deadline, timeout);
		armed = 1;
		if (io_wait(fd, POLLOUT, &deadline) < 0)
			return -1;
	}
}

int
io_write_all(int fd, const void *buf, size_t n, int timeout)
{
	const char *p = buf;
	ssize_t r;

	while (n > 0) {
		if ((r = io_write(fd, p, n, timeout)) < 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}

/*
 * Closing a TCP socket with unread bytes makes the kernel answer with a
 * reset, and a client that gets the reset before it has read the reply
 * loses the reply.  So when bytes are waiting: FIN first, then swallow
 * what has already arrived, without waiting for more.
 */
void
io_linger(int in, int out)
{
	struct pollfd p = { .fd = in, .events = POLLIN };
	char sink[1024];
	int i;

	if (poll(&p, 1, 0) != 1)
		return;
	(void)shutdown(out, SHUT_WR);
	for (i = 0; i < 64 && poll(&p, 1, 0) == 1 &&
	    recv(in, sink, sizeof(sink), MSG_DONTWAIT) > 0; i++)
		;
}
