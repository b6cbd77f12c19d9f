/*
 * The file of a Unix domain listener: made with the configured mode and
 * owners, a stale one replaced, and removed only if replyd made it.
 */
#ifndef REPLYD_MASTER_UNIX_SOCKET_H
#define REPLYD_MASTER_UNIX_SOCKET_H

#include <sys/types.h>

/* What replyd made at a path, so that it removes that and nothing else. */
struct unixsock_file {
	int	made;
	dev_t	dev;
	ino_t	ino;
};

int	unixsock_listen(const char *path, int mode, uid_t uid, gid_t gid,
	    struct unixsock_file *f);
int	unixsock_own(const char *path, int mode, uid_t uid, gid_t gid,
	    struct unixsock_file *f);
void	unixsock_remove(const char *path, struct unixsock_file *f);
void	unixsock_remove_fd(int fd, struct unixsock_file *f);

#endif
