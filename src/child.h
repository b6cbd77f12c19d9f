/*
 * What happens to one connection once it is on fd 0 and 1: the part a
 * forked child and `replyd -i` share.
 */
#ifndef REPLYD_CHILD_H
#define REPLYD_CHILD_H

#include <sys/types.h>

#include "conf.h"
#include "hot.h"

struct conn;
struct sockaddr;

int	child_describe(struct conn *c, const struct service *svc, int fd,
	    const struct sockaddr *peer);
/*
 * Whether children of built-in handlers run on a stack of their own, so
 * that the master may keep its stack out of them (child_start).  Not in
 * sanitizer builds (hot.h): AddressSanitizer tracks one stack per
 * thread, and its leak checker reads all of .bss, guard page included.
 */
#define CHILD_OWN_STACK	(!HOT_SANITIZED)

pid_t	child_start(const struct conn *c, int in, int out);
void	child_forked(struct conn *c, int in, int out)
	    __attribute__((noreturn));
pid_t	child_spawn(const struct conn *c, int fd);
int	child_inetd(const struct conf *c);
int	child_serve(const struct service *svc);
int	child_serve_conn(struct conn *c);

#endif
