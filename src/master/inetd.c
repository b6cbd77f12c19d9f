/*
 * `replyd -i`: inetd, xinetd or systemd (Accept=yes) started us with the
 * client on fd 0 and 1, or (inetd's "wait" services) with the service's
 * own socket on fd 0: a UDP one (udp_relay.c) or a listening stream socket
 * (inetd_wait.c).  The same handlers run as under the master.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include "child/child.h"
#include "child/sandbox.h"
#include "child/spawn.h"
#include "client/conn.h"
#include "handlers/handler.h"
#include "lib/addr.h"
#include "lib/log.h"
#include "master/inetd.h"
#include "master/udp_relay.h"

/* After SIGTERM past session_timeout, how long until SIGKILL. */
#define STOP_KILL	2

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
 * Milliseconds until *end (0 once passed), at most cap; with no end set
 * (no session_timeout), cap.
 */
static long
until(const struct timespec *end, long cap)
{
	struct timespec now;
	long ms;

	if (end->tv_sec == 0)
		return cap;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (end->tv_sec - now.tv_sec) * 1000 +
	    (end->tv_nsec - now.tv_nsec) / 1000000;
	return ms <= 0 ? 0 : ms < cap ? ms : cap;
}

/*
 * Relay the handler's replies until it is gone.  Past the end of the
 * session it gets SIGTERM, its process group too, and SIGKILL STOP_KILL
 * seconds later, as under the master.
 */
static void
exchange_wait(const struct service *svc, struct udp_relay *r, pid_t pid,
    const struct timespec *session_end)
{
	struct pollfd p = { .events = POLLIN };
	struct timespec end = *session_end;
	int st, sig = 0;
	long ms;

	for (;;) {
		udp_pump(r);
		if (waitpid(pid, &st, WNOHANG) != 0) {
			udp_pump(r);	/* what it wrote before exiting */
			return;
		}
		if (until(&end, 1) == 0 && sig != SIGKILL) {
			sig = sig ? SIGKILL : SIGTERM;
			if (kill(-pid, sig) < 0 && errno == ESRCH)
				kill(pid, sig);
			log_msg(LOG_NOTICE, "%s: child %ld past session_timeout "
			    "(%d s): sent %s", svc->name, (long)pid,
			    svc->session_timeout, sig == SIGTERM ? "SIGTERM" :
			    "SIGKILL");
			end.tv_sec += STOP_KILL;
		}
		/* Once the relay is done, a short nap until the exit. */
		p.fd = r->fd;
		ms = until(&end, r->fd >= 0 ? 1000 : 10);
		poll(&p, 1, ms > 0 ? ms : 10);
	}
}

/* One exchange: fork, relay, wait. */
static void
inetd_exchange(const struct service *svc, const struct udp_req *req,
    const struct timespec *end)
{
	struct udp_relay r;
	struct conn c;
	int child[2];
	pid_t pid;

	if (udp_start(svc, req, 0, &r, child) < 0) {
		log_msg(LOG_ERR, "%s: socketpair: %s", svc->name,
		    strerror(errno));
		return;
	}
	conn_describe(&c, svc, 0, (struct sockaddr *)&req->peer);
	pid = spawn_conn(&c, SPAWN_FORK,
	    &(struct spawn_fds){ child[0], child[1], -1 });
	close(child[0]);
	close(child[1]);
	if (pid > 0)
		exchange_wait(svc, &r, pid, end);
	else
		log_msg(LOG_ERR, "%s: fork: %s", svc->name, strerror(errno));
	udp_end(&r);
}

/*
 * inetd's "dgram wait": the service socket itself is on fd 0.  Serve
 * datagrams until none came for `timeout` seconds, or session_timeout
 * seconds after the start, then exit so that inetd takes the socket
 * back.  Datagrams from the ports of any service of the file are not
 * answered (udp_relay.c), nor from fd 0's own.
 */
static int
udp_inetd(const struct conf *c, const struct service *svc)
{
	struct udp_req req = { 0 };
	struct pollfd p = { .fd = 0, .events = POLLIN };
	struct timespec end = { 0, 0 };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct addr_text t;
	long ms;
	size_t i;
	int r;

	for (i = 0; i < c->nsvc; i++)
		if (c->svc[i].proto == PROTO_UDP)
			udp_serve_port(c->svc[i].port);
	if (getsockname(0, (struct sockaddr *)&ss, &len) == 0 &&
	    addr_text((struct sockaddr *)&ss, &t) == 0)
		udp_serve_port((int)strtol(t.port, NULL, 10));
	udp_want_pktinfo(0);
	if (svc->session_timeout > 0) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += svc->session_timeout;
	}
	while ((ms = until(&end, svc->timeout * 1000L)) > 0 &&
	    (r = poll(&p, 1, (int)ms)) != 0) {
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && udp_recv(svc, 0, &req) > 0)
			inetd_exchange(svc, &req, &end);
	}
	if (svc->session_timeout > 0 && until(&end, 1) == 0)
		log_msg(LOG_INFO, "%s: session_timeout (%d s) reached: exiting",
		    svc->name, svc->session_timeout);
	free(req.data);
	return 0;
}

/*
 * inetd, xinetd or systemd (Accept=yes) accepted the connection and put
 * it on fd 0 and 1, or handed over the service's socket itself (inetd's
 * "wait").  With several services, the one with the port and protocol
 * (or the Unix socket's path) the socket has is served, else the first.
 */
int
inetd_serve(const struct conf *c)
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
	signal(SIGPIPE, SIG_DFL);
	log_tag_pid(1);
	if (sandbox_prepare(svc) < 0)
		return EX_OSERR;
	if (type == SOCK_DGRAM && ss.ss_family == AF_UNIX) {
		log_msg(LOG_ERR, "%s: standard input is a Unix datagram "
		    "socket, which replyd does not serve", svc->name);
		return EX_OSERR;
	}
	if (type == SOCK_DGRAM)
		return udp_inetd(c, svc);
	if (listening())
		return inetd_wait(svc);
	/* No master watches the clock here: SIGALRM ends the session. */
	if (svc->session_timeout > 0)
		alarm(svc->session_timeout);
	return serve_stdin(svc);
}
