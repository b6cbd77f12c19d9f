/*
 * The master: listeners, the accept loop, children, signals.  The
 * standalone daemon, `-f`, socket activation, an upgrade and `replyd -i`
 * on a service's own socket all run it; they differ only in where the
 * listeners come from.
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
	/*
	 * `replyd -i` on a service's own socket (inetd "wait"): serve only
	 * this service, on fd `adopt`, until idle for its timeout.  No
	 * daemon, pid file, sd_notify, reload or upgrade.  NULL otherwise.
	 */
	const struct service *only;
	int		 adopt;
	/*
	 * With only: fd 0 (and 1) is one client the superserver accepted,
	 * not a listener.  It is judged and served by one child like any
	 * the master accepts, and the master leaves with that child's exit
	 * status (or the refusal's) once it has ended.
	 */
	int		 conn;
};

/*
 * A configuration, its handlers resolved and its modules loaded in this
 * process; every problem is logged.  master_conf_free() frees what it
 * returned, modules first.
 */
struct conf *master_load(const char *path, int port);
void	master_conf_free(struct conf *c);
/*
 * -t: 0 when every service's sandbox can be had here, or -1 logged;
 * interfaces that do not exist now are warned of.
 */
int	master_check(const struct conf *c);
/* The master's signals: block them before any module code runs. */
void	master_sigmask(sigset_t *block);
/* Takes ownership of c; returns the process exit status. */
int	master_run(struct conf *c, const struct master_opts *o);

#endif
