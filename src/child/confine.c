/*
 * sandbox.network, sandbox.filesystem and sandbox.private_tmp: which
 * mechanism gives each (namespaces.c, mounts.c, landlock.c), in which
 * order, and what to say when the host cannot.  A child makes its
 * namespaces and mounts after chroot, while it may still be root, and
 * its Landlock ruleset where its seccomp filter goes on (child.c).
 * The invariant: a child that asked for confinement either has all of
 * it or ends; nothing here falls back to less than was asked.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "child/confine.h"
#include "child/confine_int.h"
#include "conf/conf.h"

void
confine_prepare(void)
{
	(void)landlock_abi();
}

int
confine_wanted(const struct service *svc)
{
	const struct sandbox_spec *sb = &svc->sandbox;

	return !sb->network || sb->filesystem != SB_FS_FULL || sb->private_tmp;
}

/*
 * Without Landlock, "read-only" is a mount namespace whose mounts are
 * all read-only (root, or in a user namespace); "empty" has no such
 * fallback.
 */
static int
read_only_by_mounts(const struct sandbox_spec *sb)
{
	return sb->filesystem == SB_FS_READ_ONLY && landlock_abi() == 0;
}

enum confine_step
confine_enter(const struct service *svc)
{
	const struct sandbox_spec *sb = &svc->sandbox;
	int ro = read_only_by_mounts(sb), mounts = ro || sb->private_tmp;
	int flags = (sb->network ? 0 : CLONE_NEWNET) | (mounts ? CLONE_NEWNS : 0);
	int userns = !svc->as_root;
	unsigned uid = geteuid(), gid = getegid();

	if (sb->filesystem == SB_FS_EMPTY && landlock_abi() == 0) {
		errno = ENOSYS;
		return CF_NO_LANDLOCK;
	}
	if (flags == 0)
		return CF_OK;
	if (ns_unshare(flags, userns) < 0)
		return userns ? CF_USERNS : CF_UNSHARE;
	if (userns && ns_map_ids(uid, gid) < 0)
		return CF_MAP;
	if (mounts && mounts_private() < 0)
		return CF_PRIVATE;
	if (ro && mounts_read_only() < 0)
		return CF_READ_ONLY;
	if (sb->private_tmp && mounts_tmp() < 0)
		return CF_TMP;
	return userns && ns_drop_caps() < 0 ? CF_CAPS : CF_OK;
}

enum confine_step
confine_files(const struct service *svc)
{
	if (svc->sandbox.filesystem == SB_FS_FULL || landlock_abi() == 0)
		return CF_OK;
	return landlock_enter(svc) < 0 ? CF_LANDLOCK : CF_OK;
}

/* By enum confine_step. */
static const char *const steps[] = {
	"", "cannot make a user namespace with them (are unprivileged user "
	"namespaces off? sysctl user.max_user_namespaces)",
	"cannot make new namespaces (unshare)",
	"cannot map its user in its user namespace",
	"cannot make its mounts private", "cannot mount / read-only",
	"cannot mount a tmpfs on /tmp or /var/tmp",
	"cannot give up the capabilities of its user namespace",
	"filesystem = \"empty\" needs Landlock (Linux 5.13 with lsm=landlock)",
	"cannot enter its Landlock ruleset",
};

void
confine_why(const struct service *svc, enum confine_step step,
    const char *err, char *buf, size_t n)
{
	const struct sandbox_spec *sb = &svc->sandbox;
	char asked[96] = "";

	if (!sb->network)
		strcat(asked, ", network = false");
	if (sb->filesystem != SB_FS_FULL)
		strcat(asked, sb->filesystem == SB_FS_EMPTY ?
		    ", filesystem = \"empty\"" : ", filesystem = \"read-only\"");
	if (sb->private_tmp)
		strcat(asked, ", private_tmp = true");
	snprintf(buf, n, "sandbox (%s) cannot be had here: %s: %s; refusing "
	    "to serve unconfined", asked + 2, steps[step], err);
}
