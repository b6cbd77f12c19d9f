/*
 * SIGUSR2: the master executes the binary on disk in place, handing over
 * everything it holds, once a trial run of it showed it can serve
 * (upgrade.c).
 */
#ifndef REPLYD_MASTER_UPGRADE_H
#define REPLYD_MASTER_UPGRADE_H

#include <stddef.h>

struct children;
struct master_stats;
struct run_state;

/* What the old image hands over, and how to run the new one. */
struct upgrade_from {
	const char			*self;		/* the binary's path */
	const char			*config;
	int				 port;		/* -p, or -1 */
	const char			*pidfile;
	int				 daemonized;
	const char			*notify;	/* NOTIFY_SOCKET */
	const struct run_state		*run;
	const struct children	*children;
	const struct master_stats	*stats;
};

void	upgrade_exec(const struct upgrade_from *u);
int	upgrade_adopt(int *daemonized, char *notify, size_t notifysz);
int	upgrade_trial(void);
void	upgrade_trial_done(struct run_state *r);
size_t	upgrade_restore(struct run_state *r, struct children *k,
	    struct master_stats *m);

#endif
