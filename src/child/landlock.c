/*
 * sandbox.filesystem with Landlock: a ruleset made by each child for
 * itself, next to its seccomp filter.  "read-only" handles every right
 * that changes the tree (write, truncate, make, remove, link, rename,
 * device ioctls) and grants none, so reading and executing stay as
 * the user's permissions have them; "empty" handles every right and
 * grants only what the handler needs: nothing for a built-in handler or
 * a module (both loaded before the fork), for an exec'd program
 * reading and executing its program and the dynamic loader's files
 * (loader_paths).  A private /tmp (mounts.c) stays the child's to use.
 * The invariant: system calls only (the exec start's child runs this),
 * and only the rights this kernel's Landlock knows are asked for.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child/confine_int.h"
#include "conf/conf.h"
#include "handlers/handler.h"

/* Rights of later ABIs than the headers of the build may know. */
#define LL_REFER	(1ULL << 13)	/* ABI 2 */
#define LL_TRUNCATE	(1ULL << 14)	/* ABI 3 */
#define LL_IOCTL_DEV	(1ULL << 15)	/* ABI 5 */
#define LL_V1_ALL	((1ULL << 13) - 1)
#define LL_READ		(LANDLOCK_ACCESS_FS_EXECUTE | \
	LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* The rights a rule on a file (not a directory) may hold. */
#define LL_FILE		(LANDLOCK_ACCESS_FS_EXECUTE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
	LL_TRUNCATE | LL_IOCTL_DEV)

/*
 * What a dynamically linked program's loader opens: its cache, its
 * preload list and the libraries' directories (Debian's multiarch
 * directories are under them).  A script's interpreter is not here:
 * such a program wants "read-only".
 */
static const char *const loader_paths[] = {
	"/etc/ld.so.cache", "/etc/ld.so.preload", "/lib", "/lib32", "/lib64",
	"/libx32", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libx32",
	NULL
};

static const char *const tmp_paths[] = { "/tmp", "/var/tmp", NULL };

/* A coverage build's children write gcov's counters at their end. */
static const char *const build_paths[] = {
#ifdef REPLYD_BUILDDIR
	REPLYD_BUILDDIR,
#endif
	NULL
};

int
landlock_abi(void)
{
	static int abi = -1;
	long v;

	if (abi < 0) {
		v = syscall(SYS_landlock_create_ruleset, NULL, 0,
		    LANDLOCK_CREATE_RULESET_VERSION);
		abi = v > 0 ? (int)v : 0;
	}
	return abi;
}

/* Every file system right this kernel's Landlock handles. */
static uint64_t
all_rights(int abi)
{
	uint64_t r = LL_V1_ALL;

	if (abi >= 2)
		r |= LL_REFER;
	if (abi >= 3)
		r |= LL_TRUNCATE;
	if (abi >= 5)
		r |= LL_IOCTL_DEV;
	return r;
}

/*
 * rights beneath each path of v that exists (others are no error), or
 * on it for a file, which may only hold a file's rights.
 */
static int
grant(int ruleset, const char *const *v, uint64_t rights)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int rc;

	for (; *v != NULL; v++) {
		if ((pb.parent_fd = open(*v, O_PATH | O_CLOEXEC)) < 0) {
			if (errno == ENOENT)
				continue;
			return -1;
		}
		pb.allowed_access = rights;
		if (fstat(pb.parent_fd, &st) == 0 && !S_ISDIR(st.st_mode))
			pb.allowed_access &= LL_FILE;
		rc = syscall(SYS_landlock_add_rule, ruleset,
		    LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
		close(pb.parent_fd);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* The program itself, not its directory. */
static int
rules(int ruleset, const struct service *svc, uint64_t handled)
{
	const char *program[] = { svc->exec.program, NULL };

	if ((svc->sandbox.private_tmp &&
	    grant(ruleset, tmp_paths, handled) < 0) ||
	    grant(ruleset, build_paths, handled) < 0)
		return -1;
	if (svc->sandbox.filesystem != SB_FS_EMPTY ||
	    !(svc->handler->flags & HANDLER_EXECS))
		return 0;
	if (grant(ruleset, program, LL_READ & handled) < 0)
		return -1;
	return grant(ruleset, loader_paths, LL_READ & handled);
}

int
landlock_enter(const struct service *svc)
{
	struct landlock_ruleset_attr attr = { 0 };
	int abi = landlock_abi(), fd, rc;

	if (abi == 0) {
		errno = ENOSYS;
		return -1;
	}
	attr.handled_access_fs = all_rights(abi);
	if (svc->sandbox.filesystem == SB_FS_READ_ONLY)
		attr.handled_access_fs &= ~LL_READ;
	fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return -1;
	rc = rules(fd, svc, attr.handled_access_fs) < 0 ? -1 :
	    (int)syscall(SYS_landlock_restrict_self, fd, 0);
	close(fd);
	return rc < 0 ? -1 : 0;
}
