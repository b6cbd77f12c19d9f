/*
 * The standalone master: listeners, the accept loop, children, signals.
 */
#ifndef REPLYD_MASTER_MASTER_H
#define REPLYD_MASTER_MASTER_H

#include "conf/conf.h"

struct server_opts {
	const char	*config;	/* re-read on SIGHUP */
	int		 port;		/* -p, or -1 */
	const char	*pidfile;	/* or NULL */
	int		 foreground;
};

struct conf *server_load(const char *path, int port);
/* Takes ownership of c; returns the process exit status. */
int	server_run(struct conf *c, const struct server_opts *o);

#endif
