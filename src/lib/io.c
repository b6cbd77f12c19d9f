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
#include <linux/tcp.h>	/* struct tcp_info with the byte counts */
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
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

/*
 * What a finished TCP connection carried, from the kernel's count
 * (TCP_INFO, Linux 4.19): bytes received, and bytes the handler wrote
 * (sent once, or still queued).  0, or -1 when fd is no TCP socket or
 * the kernel keeps no such count.  One getsockopt(2) in the master per
 * connection, where the alternative is a report from every handler
 * (exec'd programs cannot make one).
 */
int
io_tcp_bytes(int fd, unsigned long long *in, unsigned long long *out)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_retrans) +
	    sizeof(ti.tcpi_bytes_retrans))
		return -1;
	*in = ti.tcpi_bytes_received;
	/*
	 * The kernel counts the client's FIN as a byte: in the states that
	 * follow one (TIME_WAIT 6, CLOSE 7, CLOSE_WAIT 8, LAST_ACK 9,
	 * CLOSING 11 in the kernel's numbering, which no user header names),
	 * take it off.  CLOSE follows a reset too, which carries no byte; a
	 * client that sent data and then a reset is counted one byte low.
	 */
	if (*in > 0 && ti.tcpi_state < 32 && ((1u << ti.tcpi_state) &
	    (1u << 6 | 1u << 7 | 1u << 8 | 1u << 9 | 1u << 11)))
		(*in)--;
	*out = ti.tcpi_bytes_sent - ti.tcpi_bytes_retrans +
	    ti.tcpi_notsent_bytes;
	return 0;
}

long
io_listen_queue(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	/* A listener's tcpi_unacked is its accept queue (LISTEN is 10). */
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    ti.tcpi_state != 10)
		return -1;
	return ti.tcpi_unacked;
}
