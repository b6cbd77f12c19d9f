/*
 * What happens in a new child, and to one connection once it is on fd 0
 * and 1: the part a child of the master and `replyd -i` share.
 */
#ifndef REPLYD_CHILD_CHILD_H
#define REPLYD_CHILD_CHILD_H

struct conn;

struct spawn_fds;

void	child_forked(struct conn *c, const struct spawn_fds *f)
	    __attribute__((noreturn));
int	child_setup_exec(const struct conn *c, int fd, int err);
int	child_serve_conn(struct conn *c);
void	child_exit(int status) __attribute__((noreturn));

#endif
