/*
 * Listening sockets.  Each remembers how it was configured (address as
 * written, port, protocol) so that a reload can keep the sockets whose
 * configuration did not change instead of closing and reopening them.
 * A "unix:/path" listener is a Unix domain stream socket (unix_socket.c).
 */
#ifndef REPLYD_MASTER_LISTENERS_H
#define REPLYD_MASTER_LISTENERS_H

#include "conf/conf.h"
#include "lib/addr.h"
#include "master/unix_socket.h"
#include "state/service_state.h"

/* "unix:" and a path, or an IP address and port. */
#define LISTEN_NAMELEN	(ADDR_UNIX_PATH_MAX + 8)

struct listener {
	int		 fd;
	char		*spec;		/* address as configured; NULL: default */
	int		 port;		/* port as configured (0: any) */
	enum conf_proto	 proto;
	int		 reuse_port;
	int		 claimed;	/* taken over by a new configuration */
	int		 released;	/* closed to let a new one bind its port */
	struct unixsock_file file;	/* unix: what to remove at close */
	char		 name[LISTEN_NAMELEN];	/* bound address, logs */
};

int	listen_open(struct listener *l, const char *spec, int port,
	    enum conf_proto proto, int reuse_port);
int	listen_same(const struct listener *l, const char *spec, int port,
	    enum conf_proto proto, int reuse_port);
void	listen_close(struct listener *l);
const char *listen_proto(enum conf_proto proto);

int	listen_inherit(void);
void	listen_inherit_done(void);
void	listen_adopt(int fd, const char *service);

/* Every listener of a run, reusing old's where they fit. */
int	listen_run_open(struct run_state *r, struct run_state *old);
void	listen_run_close(struct run_state *r);
/* Or, under `replyd -i`, fd as the one listener of r's one service. */
int	listen_run_adopt(struct run_state *r, int fd);

#endif
