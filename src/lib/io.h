/*
 * I/O on the client descriptors for the built-in handlers: nothing
 * blocks longer than `timeout` seconds without progress, whether the
 * descriptor is blocking or not.
 */
#ifndef REPLYD_LIB_IO_H
#define REPLYD_LIB_IO_H

#include <sys/types.h>

/* -1 with errno ETIMEDOUT when nothing arrived for timeout seconds. */
ssize_t	io_read(int fd, void *buf, size_t n, int timeout);
/*
 * Writes what the client takes now, at least one byte (or one datagram),
 * waiting at most timeout seconds for room: the count written, or -1
 * with errno ETIMEDOUT, EPIPE...  timeout <= 0 waits for ever.
 */
ssize_t	io_write(int fd, const void *buf, size_t n, int timeout);
/* All of buf: -1 once the client took nothing for timeout seconds. */
int	io_write_all(int fd, const void *buf, size_t n, int timeout);
/* Before closing a TCP client that may have sent more: FIN, not RST. */
void	io_linger(int in, int out);

#endif
