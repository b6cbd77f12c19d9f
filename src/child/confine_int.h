/*
 * The mechanisms confine.c puts together, one file each: namespaces
 * (namespaces.c), mounts (mounts.c), Landlock (landlock.c).  Each is
 * system calls only, returning 0 or -1 with errno set.
 */
#ifndef REPLYD_CHILD_CONFINE_INT_H
#define REPLYD_CHILD_CONFINE_INT_H

struct service;

/* unshare() flags; with a user namespace for an unprivileged child. */
int	ns_unshare(int flags, int userns);
/* In a new user namespace: the child's own ids, mapped to themselves. */
int	ns_map_ids(unsigned uid, unsigned gid);
/* No capability left (those a new user namespace gave). */
int	ns_drop_caps(void);

/* Mounts made in this namespace stay in it. */
int	mounts_private(void);
/* Every mount read-only (where Landlock is missing). */
int	mounts_read_only(void);
/* An empty tmpfs on /tmp and on /var/tmp (if it exists). */
int	mounts_tmp(void);

/* Landlock's ABI version here, 0 without it; asked once. */
int	landlock_abi(void);
/* svc's file system ruleset on this process. */
int	landlock_enter(const struct service *svc);

#endif
