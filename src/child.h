/*
 * What happens in a new child, and to one connection once it is on fd 0
 * and 1: the part a child of the master and `replyd -i` share.
 */
#ifndef REPLYD_CHILD_H
#define REPLYD_CHILD_H

struct conn;

void	child_forked(struct conn *c, int in, int out)
	    __attribute__((noreturn));
int	child_setup_exec(const struct conn *c, int fd);
int	child_serve_conn(struct conn *c);
void	child_exit(int status) __attribute__((noreturn));

#endif
