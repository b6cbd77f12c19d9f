/*
 * Describing one client: the peer and the local end of its socket, as
 * handlers, logs and exec'd programs see them, and the source it counts
 * as for per_source.
 */
#ifndef REPLYD_CLIENT_CONN_H
#define REPLYD_CLIENT_CONN_H

#include <sys/types.h>

#include "lib/addr.h"

struct service;
struct sockaddr;
struct srckey;

/* One connection as a handler, a log line and an exec'd program see it. */
struct conn {
	const struct service	*svc;
	int			 is_socket;	/* 0: stdin was a pipe or tty */
	int			 announced;	/* the master logged the connect */
	struct addr_text	 local;
	struct addr_text	 remote;
	char			 peer[ADDR_STRLEN];	/* for log lines */
	char			 via[ADDR_STRLEN];	/* PROXY: the balancer */
	/* A Unix domain client: SO_PEERCRED's, and the socket's path. */
	int			 is_unix;
	pid_t			 unix_pid;
	uid_t			 unix_uid;
	gid_t			 unix_gid;
	char			 unix_path[ADDR_UNIX_PATH_MAX];
};

int	conn_describe(struct conn *c, const struct service *svc, int fd,
	    const struct sockaddr *peer);
void	conn_srckey(struct srckey *k, int fd, const struct sockaddr *peer,
	    int bits6);

#endif
