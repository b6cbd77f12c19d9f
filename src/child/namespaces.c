/*
 * A confined child's namespaces: one unshare() for a network of its own
 * (sandbox.network = false: only a loopback interface, down) and the
 * mount namespace its mounts need (mounts.c).  Root makes them as it
 * is; anyone else makes a user namespace with them, keeps its own uid
 * and gid in it (each mapped to itself), and gives up the capabilities
 * it got there once its mounts are made.  The invariant: system calls
 * only, on the stack, nothing that locks or allocates, since the exec
 * start's child runs this in the master's memory (spawn.c).
 */
#include "config.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child/confine_int.h"

int
ns_unshare(int flags, int userns)
{
	return unshare(flags | (userns ? CLONE_NEWUSER : 0));
}

/* Write text to the file at path, all of it at once (as /proc wants). */
static int
put(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd, rc;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	rc = write(fd, text, len) == (ssize_t)len ? 0 : -1;
	close(fd);
	return rc;
}

/* "ID ID 1\n" in buf (32 bytes): id mapped to itself, without stdio. */
static const char *
map_line(char *buf, unsigned id)
{
	char digits[12];
	size_t n = 0, at = 0, k;
	int twice;

	do
		digits[n++] = '0' + id % 10;
	while ((id /= 10) > 0);
	for (twice = 0; twice < 2; twice++) {
		for (k = n; k > 0; k--)
			buf[at++] = digits[k - 1];
		buf[at++] = ' ';
	}
	memcpy(buf + at, "1\n", 3);
	return buf;
}

int
ns_map_ids(unsigned uid, unsigned gid)
{
	char line[32];

	/* An unprivileged map of gids needs setgroups() off for good. */
	if (put("/proc/self/setgroups", "deny") < 0 ||
	    put("/proc/self/uid_map", map_line(line, uid)) < 0 ||
	    put("/proc/self/gid_map", map_line(line, gid)) < 0)
		return -1;
	return 0;
}

int
ns_drop_caps(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3
	};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	return syscall(SYS_capset, &h, d) < 0 ? -1 : 0;
}
