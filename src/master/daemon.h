/*
 * Becoming a daemon, the pidfile, and a sane fd 0-2 at start-up.
 */
#ifndef REPLYD_MASTER_DAEMON_H
#define REPLYD_MASTER_DAEMON_H

int	daemon_sane_fds(void);
int	daemon_detach(void);
void	daemon_ready(void);
void	daemon_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int	daemon_pidfile(const char *path);

#endif
