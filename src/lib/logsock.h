/*
 * The syslog socket: lines for /dev/log that never block the master.
 */
#ifndef REPLYD_LIB_LOGSOCK_H
#define REPLYD_LIB_LOGSOCK_H

#include <stddef.h>

void	logsock_send(int prio, const char *msg, size_t len);
void	logsock_forget(void);
void	logsock_send_raw(const char *buf, size_t len);

#endif
