/*
 * The seccomp sandbox of a service's children: built once per service
 * by the process that serves (the master, or `replyd -i`), installed by
 * each child after its privileges are dropped, before any handler code.
 */
#ifndef REPLYD_CHILD_SANDBOX_H
#define REPLYD_CHILD_SANDBOX_H

struct service;

struct conf;

/* Build svc's filter (nothing for "none"): 0, or -1 logged. */
int	sandbox_prepare(const struct service *svc);
void	sandbox_release(const struct service *svc);
/* The same for every service of c that is not disabled. */
int	sandbox_prepare_all(const struct conf *c);
void	sandbox_release_all(const struct conf *c);
/*
 * Install svc's filter in this child: system calls only, so that the
 * exec start's child (spawn.c) may call it.  With report, a refused call
 * is logged by name before the child ends (a SIGSYS handler); without,
 * the kernel's SIGSYS ends it.  0, or -1 with errno set.
 */
int	sandbox_enter(const struct service *svc, int report);
/* A sanitizer build's leak check, now, before any confinement. */
void	sandbox_leak_check(void);

#endif
