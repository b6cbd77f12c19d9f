/*
 * What happens to one connection once it is on fd 0 and 1: the part a
 * forked child and `replyd -i` share.
 */
#ifndef REPLYD_CHILD_H
#define REPLYD_CHILD_H

#include <sys/types.h>

#include "conf.h"

struct conn;

void	child_forked(const struct service *svc, int in, int out,
	    struct conn *udp)
	    __attribute__((noreturn));
pid_t	child_spawn(const struct service *svc, int fd);
int	child_inetd(const struct conf *c);
int	child_serve(const struct service *svc);
int	child_serve_conn(struct conn *c);

#endif
