/*
 * A syslog client of our own.  libc's syslog() writes to /dev/log on a
 * blocking socket, so a syslog daemon that stops reading (stuck, or
 * being restarted) would stop the master and with it every service.
 * Here each line is one datagram sent without waiting (RFC 3164 form,
 * daemon facility, as syslog(3) sends it): when the reader is behind, the
 * line is dropped and counted, and the next line that goes through says
 * how many were lost.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "lib/logsock.h"

#define LOGSOCK_PATH	"/dev/log"

static int sock = -1;
static unsigned long dropped;

/*
 * i386's C library makes socket() a socketcall(2), whose arguments sit
 * in memory a seccomp filter cannot read; the direct call (Linux 4.3)
 * lets the children's filter allow exactly this socket and no other
 * (child/sandbox.c).
 */
static int
log_socket(void)
{
	const int type = SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK;

#if defined(SYS_socketcall) && defined(SYS_socket)
	return (int)syscall(SYS_socket, AF_UNIX, type, 0);
#else
	return socket(AF_UNIX, type, 0);
#endif
}

static int
connect_log(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (sock >= 0)
		return 0;
	sock = log_socket();
	if (sock < 0)
		return -1;
	strcpy(sun.sun_path, LOGSOCK_PATH);
	if (connect(sock, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(sock);
		sock = -1;
		return -1;
	}
	return 0;
}

/* One datagram; -1 with errno when it could not be sent now. */
static int
send_line(int prio, const char *msg, size_t len)
{
	char buf[2300], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
		strcpy(stamp, "-");
	n = snprintf(buf, sizeof(buf), "<%d>%s replyd[%ld]: %.*s",
	    LOG_DAEMON | prio, stamp, (long)getpid(), (int)len, msg);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (connect_log() < 0)
		return -1;
	if (send(sock, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) == n)
		return 0;
	/* The daemon restarted: a new socket, one more try. */
	if (errno == ECONNREFUSED || errno == ENOTCONN) {
		logsock_forget();
		if (connect_log() == 0 &&
		    send(sock, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) == n)
			return 0;
	}
	return -1;
}

void
logsock_send(int prio, const char *msg, size_t len)
{
	char note[96];
	int n;

	if (dropped > 0) {
		n = snprintf(note, sizeof(note), "%lu log line%s dropped: the "
		    "syslog daemon was not reading", dropped,
		    dropped == 1 ? "" : "s");
		if (send_line(LOG_WARNING, note, (size_t)n) == 0)
			dropped = 0;
	}
	if (send_line(prio, msg, len) < 0)
		dropped++;
}

/*
 * A datagram made by the caller, from a signal handler: no time stamp
 * (the daemon adds one), nothing but system calls.
 */
void
logsock_send_raw(const char *buf, size_t len)
{
	if (connect_log() == 0)
		(void)send(sock, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* In a new child: the socket is the master's (and closed with the rest). */
void
logsock_forget(void)
{
	if (sock >= 0)
		close(sock);
	sock = -1;
}
