/*
 * Blocking I/O on the client descriptors with an idle timeout, for the
 * built-in handlers.
 */
#ifndef REPLYD_IO_H
#define REPLYD_IO_H

#include <sys/types.h>

/* -1 with errno ETIMEDOUT when nothing arrived for timeout seconds. */
ssize_t	io_read(int fd, void *buf, size_t n, int timeout);
int	io_write_all(int fd, const void *buf, size_t n, int timeout);

#endif
