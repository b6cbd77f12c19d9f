/*
 * `replyd -i`: inetd, xinetd or systemd (Accept=yes) started us with the
 * client on fd 0 and 1, or (inetd's "wait" services) with the service's
 * own socket on fd 0, a UDP one or a listening stream socket.  Either
 * way the master's loop (loop.c) serves it, for the one service the
 * socket belongs to: a mode is only where the clients come from.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/log.h"
#include "master/inetd.h"
#include "master/master.h"

/*
 * inetd and xinetd put the connection on fd 2 as well.  Then stderr is
 * no log channel: the log goes to syslog, and fd 2 to /dev/null, so no
 * log line and no handler's complaint ever reaches the client.
 */
void
inetd_prepare(void)
{
	struct stat a, b;
	int fd;

	if (fstat(0, &a) < 0 || fstat(2, &b) < 0 || !S_ISSOCK(a.st_mode) ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return;
	log_use_syslog(1);
	if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) >= 0) {
		dup2(fd, 2);
		close(fd);
	}
}

/* Whether svc listens where fd 0 is bound (at ss, a socket of type). */
static int
serves(const struct service *svc, const struct sockaddr_storage *ss,
    int type)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;
	struct addr_text t;
	const char *path;
	size_t i;

	if (ss->ss_family == AF_UNIX) {
		for (i = 0; svc->listen != NULL && svc->listen[i] != NULL; i++)
			if ((path = addr_unix_path(svc->listen[i])) != NULL &&
			    strncmp(path, sun->sun_path,
			    sizeof(sun->sun_path)) == 0)
				return 1;
		return 0;
	}
	return addr_text((const struct sockaddr *)ss, &t) == 0 &&
	    svc->port == strtol(t.port, NULL, 10) &&
	    (svc->proto == PROTO_UDP) == (type == SOCK_DGRAM);
}

/* fd 0 is a listening stream socket (inetd's "wait"), not a client. */
static int
listening(void)
{
	socklen_t len;
	int on = 0;

	len = sizeof(on);
	return getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

/*
 * inetd, xinetd or systemd (Accept=yes) accepted the connection and put
 * it on fd 0 and 1, or handed over the service's socket itself (inetd's
 * "wait").  Either way the master's loop serves it, for one service:
 * the one with the port and protocol (or the Unix socket's path) the
 * socket has, else the first.  Fills o for master_run(), or returns the
 * exit status of a socket replyd cannot serve (logged).
 */
int
inetd_opts(const struct conf *c, struct master_opts *o)
{
	const struct service *svc = &c->svc[0];
	struct sockaddr_storage ss;
	socklen_t len;
	size_t i;
	int type;

	len = sizeof(type);
	if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		type = SOCK_STREAM;
	len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getsockname(0, (struct sockaddr *)&ss, &len) == 0)
		for (i = 0; i < c->nsvc; i++)
			if (serves(&c->svc[i], &ss, type)) {
				svc = &c->svc[i];
				break;
			}
	log_tag_pid(1);
	if (type == SOCK_DGRAM && ss.ss_family == AF_UNIX) {
		log_msg(LOG_ERR, "%s: standard input is a Unix datagram "
		    "socket, which replyd does not serve", svc->name);
		return EX_OSERR;
	}
	*o = (struct master_opts){ .config = c->path, .port = -1,
	    .foreground = 1, .only = svc, .adopt = 0,
	    .conn = type != SOCK_DGRAM && !listening() };
	return 0;
}
