/*
 * `replyd -i`: inetd, xinetd or systemd (Accept=yes) started us with the
 * client on fd 0 and 1, or (inetd's "wait" services) with the service's
 * own socket on fd 0.  The same handlers run as under the master.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "child.h"
#include "conn.h"
#include "handler.h"
#include "inetd.h"
#include "log.h"
#include "udp.h"

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

/* The client on fd 0 and 1, described from the socket. */
static int
serve_stdin(const struct service *svc)
{
	struct conn c;

	conn_describe(&c, svc, 0, NULL);
	return child_serve_conn(&c);
}

/*
 * inetd, xinetd or systemd (Accept=yes) accepted the connection and put
 * it on fd 0 and 1.  With several services, the one with the port and
 * protocol the connection came in on is served, else the first.
 */
int
inetd_serve(const struct conf *c)
{
	const struct service *svc = &c->svc[0];
	struct sockaddr_storage ss;
	struct addr_text t;
	socklen_t len = sizeof(ss);
	size_t i;
	int type;

	len = sizeof(type);
	if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		type = SOCK_STREAM;
	len = sizeof(ss);
	if (getsockname(0, (struct sockaddr *)&ss, &len) == 0 &&
	    addr_text((struct sockaddr *)&ss, &t) == 0)
		for (i = 0; i < c->nsvc; i++)
			if (c->svc[i].port == strtol(t.port, NULL, 10) &&
			    (c->svc[i].proto == PROTO_UDP) ==
			    (type == SOCK_DGRAM)) {
				svc = &c->svc[i];
				break;
			}
	signal(SIGPIPE, SIG_DFL);
	if (type == SOCK_DGRAM)
		return udp_inetd(svc);
	/* No master watches the clock here: SIGALRM ends the session. */
	if (svc->session_timeout > 0)
		alarm(svc->session_timeout);
	return serve_stdin(svc);
}
