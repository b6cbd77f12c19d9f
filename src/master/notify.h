/*
 * systemd's readiness protocol (sd_notify), spoken when NOTIFY_SOCKET is
 * set: READY, RELOADING, STOPPING and a STATUS line.
 */
#ifndef REPLYD_MASTER_NOTIFY_H
#define REPLYD_MASTER_NOTIFY_H

int	notify_init(void);
int	notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int	notify_reloading(void);
int	notify_enabled(void);

#endif
