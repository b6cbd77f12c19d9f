/*
 * The descriptors may be blocking (inetd hands us whatever it has), so
 * every wait goes through poll() with the service's timeout: a client
 * that stops reading or writing can hold a child only that long.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "io.h"

static int
io_wait(int fd, short events, int timeout)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do
		r = poll(&p, 1, timeout > 0 ? timeout * 1000 : -1);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

ssize_t
io_read(int fd, void *buf, size_t n, int timeout)
{
	ssize_t r;

	for (;;) {
		if (io_wait(fd, POLLIN, timeout) < 0)
			return -1;
		r = read(fd, buf, n);
		if (r >= 0 || (errno != EINTR && errno != EAGAIN))
			return r;
	}
}

int
io_write_all(int fd, const void *buf, size_t n, int timeout)
{
	const char *p = buf;
	ssize_t r;

	while (n > 0) {
		if (io_wait(fd, POLLOUT, timeout) < 0)
			return -1;
		r = write(fd, p, n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}
