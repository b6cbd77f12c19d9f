/*
 * Running the new binary in a child, before an upgrade commits to it:
 * how it ended and the end of what it wrote to stderr.
 */
#ifndef REPLYD_MASTER_UPGRADE_TRY_H
#define REPLYD_MASTER_UPGRADE_TRY_H

#include <stddef.h>

/* How long `replyd -t` or the trial of the new binary may take. */
#define UPGRADE_TRY_MS	10000

struct upgrade_try {
	int	 error;		/* errno: it could not be started */
	int	 timedout;	/* killed after UPGRADE_TRY_MS */
	int	 stopped;	/* killed: SIGTERM or SIGINT came meanwhile */
	int	 status;	/* waitpid's */
	size_t	 len;
	char	 tail[1024];	/* the last bytes of its stderr */
};

/* 0 if path ran and exited 0 within UPGRADE_TRY_MS. */
int	upgrade_try(struct upgrade_try *t, const char *path,
	    char *const argv[], char *const envp[]);
const char *upgrade_try_end(const struct upgrade_try *t, char *buf, size_t n);
void	upgrade_try_log(const struct upgrade_try *t, const char *what);
/* Whether SIGTERM or SIGINT waits (blocked, as the master keeps them). */
int	upgrade_stop_pending(void);

#endif
