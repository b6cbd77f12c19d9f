/*
 * I/O on the client descriptors for the built-in handlers: nothing
 * blocks longer than `timeout` seconds without progress, whether the
 * descriptor is blocking or not.
 */
#ifndef REPLYD_LIB_IO_H
#define REPLYD_LIB_IO_H

#include <sys/types.h>
#include <time.h>

/* A deadline `timeout` seconds from now; none for timeout <= 0. */

/* -1 with errno ETIMEDOUT when nothing arrived for timeout seconds. */
ssize_t	io_read(int fd, void *buf, size_t n, int timeout);
/*
 * The same against a deadline that progress does not push back: several
 * reads of one request share it, so a client that trickles a byte at a
 * time holds a child no longer than one that sends nothing.
 */
ssize_t	io_read_by(int fd, void *buf, size_t n,
	    const struct timespec *deadline);
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
/* Connections waiting in a TCP listener's queue, or -1. */
long	io_listen_queue(int fd);
/* A TCP socket's bytes in and out so far: 0, or -1 if not known. */
int	io_tcp_bytes(int fd, unsigned long long *in, unsigned long long *out);

#endif
