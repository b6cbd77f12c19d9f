/*
 * A confined child's mounts, in the mount namespace it has just entered
 * (namespaces.c): first made private, so that nothing mounted here is
 * seen outside and nothing outside changes here; then a read-only view
 * of every mount (filesystem = "read-only" where Landlock is missing)
 * and an empty tmpfs on /tmp and /var/tmp (private_tmp), which goes
 * with the namespace when its last process ends.  System calls only,
 * like namespaces.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>

#include "child/confine_int.h"

int
mounts_private(void)
{
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

/*
 * One call for the whole tree (Linux 5.12): MS_REMOUNT takes one mount
 * at a time, and what is mounted under / differs from host to host.
 */
int
mounts_read_only(void)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };

	return mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &a, sizeof(a));
}

/* /var/tmp may be missing (a chroot): then there is nothing to hide. */
int
mounts_tmp(void)
{
	static const char *const dirs[] = { "/tmp", "/var/tmp" };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mount("tmpfs", dirs[i], "tmpfs", MS_NOSUID | MS_NODEV,
		    "mode=1777") < 0 && !(errno == ENOENT && i > 0))
			return -1;
	return 0;
}
