/*
 * Describing one client: the peer and the local end of its socket, as
 * handlers, logs and exec'd programs see them.
 */
#ifndef REPLYD_CONN_H
#define REPLYD_CONN_H

struct conn;
struct service;
struct sockaddr;

int	conn_describe(struct conn *c, const struct service *svc, int fd,
	    const struct sockaddr *peer);

#endif
