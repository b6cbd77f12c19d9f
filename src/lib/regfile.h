/*
 * Opening a file that must be a regular file (a configuration, a module,
 * replyd-import's input) without ever blocking on what is not one.
 */
#ifndef REPLYD_LIB_REGFILE_H
#define REPLYD_LIB_REGFILE_H

#include <stddef.h>

/*
 * Open path read-only and close-on-exec without waiting (a FIFO opens at
 * once) and keep it only if it is a regular file: the fd, or -1 with why
 * in err ("a FIFO, not a regular file", or strerror's text).
 */
int	regfile_open(const char *path, char *err, size_t errsz);

#endif
