/*
 * Daemonizing.  The parent waits until the daemon says it is ready (its
 * listeners bound, its pidfile written) before it exits, so that whoever
 * started replyd can rely on both once the command returns; a daemon
 * that fails before that sends its error line up the same pipe, and the
 * parent prints it and exits 71, since the daemon's stderr is gone.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cov.h"
#include "lib/log.h"
#include "master/daemon.h"

static int ready_fd = -1;

/*
 * fds 0, 1 and 2 must be open, so that no socket we open can land on
 * them and be mistaken for stdin, stdout or the log.
 */
int
daemon_sane_fds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			return -1;
	}
	return 0;
}

static void __attribute__((noreturn))
parent_wait(int fd)
{
	char msg[512];
	ssize_t n = read(fd, msg, sizeof(msg) - 1);

	if (n == 1 && msg[0] == '\0')
		cov_exit(0);
	if (n > 0) {
		msg[n] = '\0';
		fprintf(stderr, "replyd: %s\n", msg);
	}
	cov_exit(71);
}

int
daemon_detach(void)
{
	int p[2], fd;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	switch (fork()) {
	case -1:
		return -1;
	case 0:
		break;
	default:
		close(p[1]);
		parent_wait(p[0]);
	}
	close(p[0]);
	ready_fd = p[1];
	if (setsid() < 0 || chdir("/") < 0)
		return -1;
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return -1;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
	log_use_syslog(1);
	return 0;
}

void
daemon_ready(void)
{
	if (ready_fd >= 0) {
		(void)!write(ready_fd, "", 1);
		close(ready_fd);
		ready_fd = -1;
	}
}

/* An error before the daemon is ready: to the log and to the parent. */
void
daemon_fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg(LOG_ERR, "%s", msg);
	if (ready_fd >= 0) {
		(void)!write(ready_fd, msg, strlen(msg));
		close(ready_fd);
		ready_fd = -1;
	}
}

/*
 * The pid file is written where root may write and others may place
 * links: never through an existing name.  A new file of our own in the
 * same directory (O_EXCL: a link or file already there under that name
 * is refused, not followed) is filled, then renamed over the path, which
 * replaces a link itself and never what it points to; a reader sees the
 * old file or the whole new one.
 */
static int
pidfile_fill(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (fchmod(fd, 0644) < 0 || write(fd, buf, n) != n)
		return -1;
	return 0;
}

int
daemon_pidfile(const char *path)
{
	char tmp[PATH_MAX];
	int fd, rc, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	rc = pidfile_fill(fd);
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) == 0)
		return 0;
	saved = errno;
	unlink(tmp);
	errno = saved;
	return -1;
}
