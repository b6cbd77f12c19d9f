/*
 * The standalone master: listeners, the accept loop, children, signals.
 */
#ifndef REPLYD_MASTER_MASTER_H
#define REPLYD_MASTER_MASTER_H

#include <signal.h>

#include "conf/conf.h"

struct master_opts {
	const char	*config;	/* re-read on SIGHUP */
	int		 port;		/* -p, or -1 */
	const char	*pidfile;	/* or NULL */
	int		 foreground;
};

/*
 * A configuration, its handlers resolved and its modules loaded in this
 * process; every problem is logged.  master_conf_free() frees what it
 * returned, modules first.
 */
struct conf *master_load(const char *path, int port);
void	master_conf_free(struct conf *c);
/* The master's signals: block them before any module code runs. */
void	master_sigmask(sigset_t *block);
/* Takes ownership of c; returns the process exit status. */
int	master_run(struct conf *c, const struct master_opts *o);

#endif
