/*
 * The descriptors may be blocking (inetd hands us whatever it has), so
 * every wait goes through poll() with the service's timeout: a client
 * that stops reading or writing can hold a child only that long.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "hot.h"
#include "io.h"
#include "sys.h"

HOT_PATH static int
io_wait(int fd, short events, int timeout)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do
		r = sys_poll(&p, 1, timeout > 0 ? timeout * 1000 : -1);
	while (r == -EINTR);
	if (r == 0)
		r = -ETIMEDOUT;
	return sys_result(r) < 0 ? -1 : 0;
}

HOT_PATH ssize_t
io_read(int fd, void *buf, size_t n, int timeout)
{
	ssize_t r;

	for (;;) {
		if (io_wait(fd, POLLIN, timeout) < 0)
			return -1;
		r = sys_read(fd, buf, n);
		if (r != -EINTR && r != -EAGAIN)
			return sys_result(r);
	}
}

HOT_PATH int
io_write_all(int fd, const void *buf, size_t n, int timeout)
{
	const char *p = buf;
	ssize_t r;

	while (n > 0) {
		if (io_wait(fd, POLLOUT, timeout) < 0)
			return -1;
		r = sys_write(fd, p, n);
		if (r == -EINTR || r == -EAGAIN)
			continue;
		if (r < 0)
			return sys_result(r);
		p += r;
		n -= r;
	}
	return 0;
}
