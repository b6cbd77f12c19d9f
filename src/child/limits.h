/*
 * A service's process settings, applied in its child before the user is
 * dropped to (raising a limit or lowering nice needs root): nice, umask
 * and resource limits.  System calls only: the exec start's child shares
 * the master's memory (spawn.c).
 */
#ifndef REPLYD_CHILD_LIMITS_H
#define REPLYD_CHILD_LIMITS_H

struct service;

/* 0, or -1 with errno set. */
int	child_limits(const struct service *svc);

#endif
