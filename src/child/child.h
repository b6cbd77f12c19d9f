/*
 * What happens in a new child, and to one connection once it is on fd 0
 * and 1: the part a child of the master and `replyd -i` share.
 */
#ifndef REPLYD_CHILD_CHILD_H
#define REPLYD_CHILD_CHILD_H

struct conf;
struct conn;

struct spawn_fds;

void	child_forked(struct conn *c, const struct spawn_fds *f)
	    __attribute__((noreturn));
int	child_setup_exec(const struct conn *c, int fd, int err);
int	child_serve_conn(struct conn *c);
void	child_exit(int status) __attribute__((noreturn));
/*
 * For each service of c, not disabled, that asks for more than a
 * system call filter (confine.c): a child that confines itself as the
 * service's children will, so that a service this host cannot confine
 * never starts.  0, or -1 with each failure logged, naming its service.
 * Its filters must be prepared (sandbox_prepare_all).
 */
int	child_probe_all(const struct conf *c);

#endif
