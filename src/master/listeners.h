/*
 * Listening sockets.  Each remembers how it was configured (address as
 * written, port, protocol) so that a reload can keep the sockets whose
 * configuration did not change instead of closing and reopening them.
 * A "unix:/path" listener is a Unix domain stream socket (unix_socket.c).
 */
#ifndef REPLYD_MASTER_LISTENERS_H
#define REPLYD_MASTER_LISTENERS_H

#include <net/if.h>
#include <time.h>

#include "conf/conf.h"
#include "lib/addr.h"
#include "master/unix_socket.h"
#include "state/service_state.h"

/* "unix:" and a path, or an IP address and port. */
#define LISTEN_NAMELEN	(ADDR_UNIX_PATH_MAX + 8)

/* A listener's socket options: its service's listener keys. */
struct listen_opts {
	int	reuse_port, freebind;	/* set before bind(2) */
	char	interface[IFNAMSIZ];
	int	keepalive, nodelay, backlog;	/* set again on a reload */
};

struct listener {
	int		 fd;		/* -1: down (err), or closed */
	char		*spec;		/* address as configured; NULL: default */
	int		 port;		/* port as configured (0: any) */
	enum conf_proto	 proto;
	struct listen_opts opts;
	int		 claimed;	/* taken over by a new configuration */
	int		 released;	/* closed to let a new one bind its port */
	struct unixsock_file file;	/* unix: what to remove at close */
	char		 name[LISTEN_NAMELEN];	/* bound address, logs */
	/* A listener that could not be bound at start (bind_retry.c). */
	int		 err;		/* errno of the last try; 0: not down */
	int		 err_iface;	/* SO_BINDTODEVICE was what failed */
	int		 backoff;	/* seconds from one try to the next */
	unsigned	 retries;
	struct timespec	 retry_at;
};

void	listen_opts_of(struct listen_opts *o, const struct service *svc);
/* -t: a warning for each interface that does not exist now. */
void	listen_opts_check(const struct conf *c);
int	listen_open(struct listener *l, const char *spec, int port,
	    enum conf_proto proto, const struct listen_opts *o);
int	listen_same(const struct listener *l, const char *spec, int port,
	    enum conf_proto proto, const struct listen_opts *o);
/*
 * A new socket for svc's listener spec (the reload's old run, if not
 * NULL, may give way: release_old): 0, or -1 with errno and l->name.
 */
int	listen_new(struct listener *l, const char *spec,
	    const struct service *svc, struct run_state *old);
/* Options set before bind(2) (fd is not yet bound), and after it. */
int	listen_prepare(int fd, int family, const struct listen_opts *o,
	    int *iface_failed);
int	listen_tune(int fd, const struct listen_opts *o);
void	listen_close(struct listener *l);
const char *listen_proto(enum conf_proto proto);
/* "tcp", "udp" or "unix stream", for "listening on" lines. */
const char *listen_kind(const struct listener *l);

/* listen_inherit.c: sockets from socket activation or an upgrade. */
int	listen_inherit(void);
void	listen_inherit_done(void);
int	listen_adopt(int fd, const char *service,
	    const struct unixsock_file *file);
/*
 * An inherited socket for svc's listener spec, moved into l: 0 if
 * activated, 1 if the image before an upgrade had it; -1 if none fits.
 */
int	listen_take_inherited(struct listener *l, const char *spec,
	    const struct service *svc);

/* Every listener of a run, reusing old's where they fit. */
int	listen_run_open(struct run_state *r, struct run_state *old);
void	listen_run_close(struct run_state *r);
/* Or, under `replyd -i`, fd as the one listener of r's one service. */
int	listen_run_adopt(struct run_state *r, int fd);

#endif
