/*
 * SIGUSR2: the master executes the binary on disk in place, handing over
 * its listeners, children and counters (upgrade.c).
 */
#ifndef REPLYD_MASTER_UPGRADE_H
#define REPLYD_MASTER_UPGRADE_H

#include <stddef.h>

struct kids;
struct master_stats;
struct run;

/* What the old image hands over, and how to run the new one. */
struct upgrade_from {
	const char			*self;		/* the binary's path */
	const char			*config;
	int				 port;		/* -p, or -1 */
	const char			*pidfile;
	int				 daemonized;
	const char			*notify;	/* NOTIFY_SOCKET */
	const struct run		*run;
	const struct kids		*kids;
	const struct master_stats	*stats;
};

void	upgrade_exec(const struct upgrade_from *u);
int	upgrade_adopt(int *daemonized, char *notify, size_t notifysz);
size_t	upgrade_restore(struct run *r, struct kids *k,
	    struct master_stats *m);

#endif
