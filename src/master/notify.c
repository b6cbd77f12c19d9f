/*
 * sd_notify without libsystemd: one datagram of NAME=value lines to the
 * Unix socket named by NOTIFY_SOCKET (a path, or an abstract name after
 * '@'), as systemd documents the protocol.  The variable is taken out of
 * the environment at start, so no handler can talk to systemd in the
 * master's name.  Sending never blocks: systemd reads these at once,
 * and a lost STATUS line is refreshed with the next.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "master/notify.h"

static int sock = -1;
static struct sockaddr_un addr;
static socklen_t addrlen;

/* 0: notifying (or nothing to notify), -1: NOTIFY_SOCKET is unusable. */
int
notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	size_t len;

	if (path == NULL || sock >= 0)
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len < 2 ||
	    len >= sizeof(addr.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, path, len);
	if (path[0] == '@')
		addr.sun_path[0] = '\0';
	addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
	    (path[0] == '/'));
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (sock < 0)
		return -1;
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

int
notify_enabled(void)
{
	return sock >= 0;
}

int
notify_send(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	if (sock < 0)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -1;
	return sendto(sock, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL,
	    (struct sockaddr *)&addr, addrlen) == n ? 0 : -1;
}

/* RELOADING=1 with the CLOCK_MONOTONIC time systemd wants beside it. */
int
notify_reloading(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return notify_send("RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)now.tv_sec * 1000000ULL +
	    (unsigned long long)now.tv_nsec / 1000ULL);
}
