/*
 * Descriptors beyond 0, 1 and 2: what a child must not keep, and what
 * the master must not keep from whoever started it.  close_range() is
 * recent (Linux 5.9, its CLOEXEC flag 5.11) and container sandboxes may
 * refuse it, so each use has fallbacks that allocate no memory (the exec
 * start's child may not allocate: spawn.c).
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/fds.h"

/* Where /proc is missing too, how far a blind loop goes at most. */
#define FD_SCAN_MAX	65536

static void
one(int fd, int cloexec)
{
	if (cloexec)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	else
		close(fd);
}

/*
 * Each open descriptor from lo up as /proc/self/fd lists it, read with
 * getdents64 into the stack.  0 when done, -1 without /proc.
 */
static int
by_proc(int lo, int cloexec)
{
	char buf[2048];
	struct dirent64 *d;
	long n, off, fd;
	int dir;

	if ((dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0)
		for (off = 0; off < n; off += d->d_reclen) {
			d = (struct dirent64 *)(buf + off);
			if (d->d_name[0] == '.')
				continue;
			fd = strtol(d->d_name, NULL, 10);
			if (fd >= lo && fd != dir)
				one((int)fd, cloexec);
		}
	close(dir);
	return n == 0 ? 0 : -1;
}

static int
from(int lo, int cloexec)
{
	struct rlimit rl;
	long fd, max;

#ifdef HAVE_CLOSE_RANGE
	if (close_range((unsigned)lo, ~0U, cloexec ? CLOSE_RANGE_CLOEXEC : 0)
	    == 0)
		return 0;
#endif
	if (by_proc(lo, cloexec) == 0)
		return 0;
	max = getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < FD_SCAN_MAX ? (long)rl.rlim_cur : FD_SCAN_MAX;
	for (fd = lo; fd < max; fd++)
		one((int)fd, cloexec);
	return 0;
}

int
fds_close_from(int lo)
{
	return from(lo, 0);
}

int
fds_cloexec_from(int lo)
{
	return from(lo, 1);
}

static int
kept(int fd, const int *keep, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keep[i] == fd)
			return 1;
	return 0;
}

/*
 * Close every descriptor from 3 up but those in keep: what a new image
 * must not hold after an upgrade (upgrade.c), whatever the old one had.
 */
int
fds_close_all_but(const int *keep, size_t n)
{
	char buf[2048];
	struct dirent64 *d;
	struct rlimit rl;
	long r, off, fd, max;
	int dir;

	if ((dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) >= 0) {
		while ((r = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0)
			for (off = 0; off < r; off += d->d_reclen) {
				d = (struct dirent64 *)(buf + off);
				fd = strtol(d->d_name, NULL, 10);
				if (d->d_name[0] != '.' && fd >= 3 &&
				    fd != dir && !kept((int)fd, keep, n))
					close((int)fd);
			}
		close(dir);
		if (r == 0)
			return 0;
	}
	max = getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < FD_SCAN_MAX ? (long)rl.rlim_cur : FD_SCAN_MAX;
	for (fd = 3; fd < max; fd++)
		if (!kept((int)fd, keep, n))
			close((int)fd);
	return 0;
}
