/*
 * Describing one client: the peer and the local end of its socket, as
 * handlers, logs and exec'd programs see them, and the source it counts
 * as for per_source.
 */
#ifndef REPLYD_CLIENT_CONN_H
#define REPLYD_CLIENT_CONN_H

struct conn;
struct service;
struct sockaddr;
struct srckey;

int	conn_describe(struct conn *c, const struct service *svc, int fd,
	    const struct sockaddr *peer);
void	conn_srckey(struct srckey *k, int fd, const struct sockaddr *peer,
	    int bits6);

#endif
