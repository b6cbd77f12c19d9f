/*
 * Unix domain listeners and their files.
 *
 * bind() creates the socket file and fails if anything is at the path.
 * A socket file nobody listens on any more (left by a replyd that was
 * killed) is stale: a connect() that is refused says so, and only then
 * is the file removed.  Any other file at the path is never touched; the
 * caller reports EEXIST.
 *
 * The file gets its permission bits as bind() creates it, through the
 * umask, so that it never has wider ones, then its owners; nobody can
 * connect before listen(), which comes last.  replyd removes the file
 * when it closes the listener, if the file is still the one it made.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "master/unix_socket.h"

static socklen_t
fill(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	strncpy(sun->sun_path, path, sizeof(sun->sun_path) - 1);
	return sizeof(*sun);
}

/*
 * Make room at path: 0 if nothing is there or a stale socket was
 * removed; -1 with EADDRINUSE if a server answers there, EEXIST if the
 * file is no socket.
 */
static int
clear_stale(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc, e;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = connect(fd, (struct sockaddr *)&sun, fill(&sun, path));
	e = errno;
	close(fd);
	if (rc < 0 && e == ECONNREFUSED)
		return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
	if (rc < 0 && e == ENOENT)
		return 0;
	/* Accepted, a full backlog, or a datagram socket: somebody's. */
	errno = rc == 0 || e == EAGAIN || e == EPROTOTYPE ? EADDRINUSE : e;
	return -1;
}

/*
 * A listening stream socket at path, non-blocking and close-on-exec,
 * its file with permission bits mode and owners uid and gid (-1: as
 * made).  Returns the fd, or -1 with errno set and nothing left behind.
 */
int
unixsock_listen(const char *path, int mode, uid_t uid, gid_t gid,
    struct unixsock_file *f)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t mask;
	int fd, rc, e;

	memset(f, 0, sizeof(*f));
	if (clear_stale(path) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	mask = umask(~mode & 0777);
	rc = bind(fd, (struct sockaddr *)&sun, fill(&sun, path));
	umask(mask);
	if (rc < 0 || lstat(path, &st) < 0)
		goto fail;
	f->made = 1;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (unixsock_own(path, mode, uid, gid, f) < 0 ||
	    listen(fd, SOMAXCONN) < 0)
		goto fail;
	return fd;
fail:
	e = errno;
	unixsock_remove(path, f);
	close(fd);
	errno = e;
	return -1;
}

/*
 * Give the file replyd made its permission bits and owners (again, on
 * a reload that keeps the listener).  A socket replyd did not make (an
 * activated one) is left as its maker set it up.
 */
int
unixsock_own(const char *path, int mode, uid_t uid, gid_t gid,
    struct unixsock_file *f)
{
	struct stat st;

	if (!f->made)
		return 0;
	if (lstat(path, &st) < 0)
		return -1;
	if (!S_ISSOCK(st.st_mode) || st.st_dev != f->dev ||
	    st.st_ino != f->ino) {
		errno = ESTALE;		/* replaced behind our back */
		return -1;
	}
	if (((uid != (uid_t)-1 && st.st_uid != uid) ||
	    (gid != (gid_t)-1 && st.st_gid != gid)) &&
	    lchown(path, uid, gid) < 0)
		return -1;
	if ((int)(st.st_mode & 07777) != mode && chmod(path, mode) < 0)
		return -1;
	return 0;
}

/* Remove the file at path if it is still the socket replyd made. */
void
unixsock_remove(const char *path, struct unixsock_file *f)
{
	struct stat st;

	if (f->made && lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == f->dev && st.st_ino == f->ino)
		unlink(path);
	f->made = 0;
}

/* The same, for a listener known by its fd alone: the path it is bound to. */
void
unixsock_remove_fd(int fd, struct unixsock_file *f)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	char path[sizeof(sun.sun_path) + 1];

	memset(&sun, 0, sizeof(sun));
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == 0 &&
	    sun.sun_family == AF_UNIX && sun.sun_path[0] != '\0') {
		snprintf(path, sizeof(path), "%.*s", (int)sizeof(sun.sun_path),
		    sun.sun_path);
		unixsock_remove(path, f);
	}
}
