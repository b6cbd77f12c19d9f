/*
 * Opening a file that must be a regular file.  open(2) on a FIFO waits
 * for a writer and a device such as /dev/zero never ends, so the file is
 * opened non-blocking and fstat decides before a byte is read; the
 * descriptor stays non-blocking, which changes nothing for a regular
 * file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/regfile.h"

static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "not a regular file";
}

int
regfile_open(const char *path, char *err, size_t errsz)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) <
	    0) {
		snprintf(err, errsz, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s, not a regular file",
		    file_kind(st.st_mode));
		close(fd);
		return -1;
	}
	return fd;
}
