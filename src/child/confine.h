/*
 * What a service's sandbox asks of its children besides the system call
 * filter (sandbox.c): a network of their own (none), a read-only or
 * empty file system, a /tmp of their own.  Tried once per service by
 * the process that serves, in a probe child, so that a service the host
 * cannot confine as asked never starts; then made by every child.
 */
#ifndef REPLYD_CHILD_CONFINE_H
#define REPLYD_CHILD_CONFINE_H

#include <stddef.h>

struct service;

/* Where a confinement failed, for confine_why(); 0 is none. */
enum confine_step {
	CF_OK, CF_USERNS, CF_UNSHARE, CF_MAP, CF_PRIVATE, CF_READ_ONLY,
	CF_TMP, CF_CAPS, CF_NO_LANDLOCK, CF_LANDLOCK
};

/* Once in the process that serves: what this kernel offers. */
void	confine_prepare(void);
/* Whether svc asks for any of it. */
int	confine_wanted(const struct service *svc);
/*
 * In the child, after chroot, before its ids are dropped: its
 * namespaces and mounts.  System calls only (the exec start's child
 * runs it).  CF_OK, or the step that failed with errno set.
 */
enum confine_step confine_enter(const struct service *svc);
/* The same, with the file system's Landlock ruleset, next to seccomp. */
enum confine_step confine_files(const struct service *svc);
/*
 * One line without the service's name: what svc asked, which step
 * failed and why (err, errno's text).
 */
void	confine_why(const struct service *svc, enum confine_step step,
	    const char *err, char *buf, size_t n);
#endif
