/*
 * `replyd -i` on a listening stream socket.  inetd's "stream tcp wait"
 * lines, xinetd's `wait = yes` and systemd-socket-activate --inetd
 * without -a hand over the service's own socket on fd 0, not a
 * connection.  It is served as the master serves one listener:
 * admission (allow, deny, per_source, per_source_rate), rate, and
 * max_children (the socket is not polled while the service is full, so
 * clients wait in the backlog); one child per connection, started by
 * spawn_conn(), reaped as it ends and ended at session_timeout.  Once
 * no child is left and no client came for `timeout` seconds, replyd
 * exits and the superserver takes the socket back, as the UDP wait mode
 * (udp_inetd) does.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "child/spawn.h"
#include "client/admit.h"
#include "client/conn.h"
#include "handlers/handler.h"
#include "lib/log.h"
#include "lib/rate.h"
#include "master/inetd.h"
#include "state/children.h"

#define PAUSE_MS	500	/* after EMFILE and the like */
#define KILL_AFTER_MS	2000	/* SIGKILL this long after SIGTERM */

struct waiter {
	struct svc_state	 r;
	struct children	 children;
	int		 sigfd;
	struct timespec	 idle_since;	/* last client or child exit */
};

static long
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 +
	    (b->tv_nsec - a->tv_nsec) / 1000000;
}

static long
sooner(long a, long b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

static void
reap(struct waiter *w)
{
	struct signalfd_siginfo si;
	struct timespec now;
	struct child *k;
	pid_t pid;
	int st;

	while (read(w->sigfd, &si, sizeof(si)) > 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &now);
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if ((k = children_find(&w->children, pid)) == NULL)
			continue;
		log_msg(LOG_INFO, "%s: child %ld %s %d after %ld ms",
		    w->r.svc->name, (long)pid, WIFEXITED(st) ?
		    "exited with status" : "killed by signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
		    ms_between(&k->start, &now));
		w->r.active--;
		children_remove(&w->children, k);
		w->idle_since = now;
	}
}

/*
 * session_timeout: SIGTERM to a child's process group, SIGKILL
 * KILL_AFTER_MS later.  Returns the ms until the next step, -1: none.
 */
static long
expire(struct waiter *w, const struct timespec *now)
{
	long next = -1, age, limit;
	size_t i;

	for (i = 0; i < w->children.n; i++) {
		struct child *k = &w->children.v[i];

		if (k->session_timeout == 0 || k->signalled == SIGKILL)
			continue;
		age = ms_between(&k->start, now);
		limit = k->session_timeout * 1000L +
		    (k->signalled ? KILL_AFTER_MS : 0);
		if (age < limit) {
			next = sooner(next, limit - age);
			continue;
		}
		k->signalled = k->signalled ? SIGKILL : SIGTERM;
		if (kill(-k->pid, k->signalled) < 0)
			kill(k->pid, k->signalled);
		log_msg(LOG_NOTICE, "%s: child %ld past session_timeout "
		    "(%d s): sent %s", w->r.svc->name, (long)k->pid,
		    k->session_timeout, k->signalled == SIGTERM ? "SIGTERM" :
		    "SIGKILL");
		next = sooner(next, KILL_AFTER_MS);
	}
	return next;
}

/* A child for the client on fd, which is closed here on every path. */
static void
start(struct waiter *w, int fd, const struct sockaddr *sa,
    const struct srckey *src, const struct timespec *now)
{
	const struct service *svc = w->r.svc;
	struct conn c;
	struct child *k;
	pid_t pid = -1;

	conn_describe(&c, svc, fd, sa);
	c.announced = !svc->proxy_protocol;
	if (c.announced)
		log_msg(LOG_INFO, "%s: connect from %s", svc->name, c.peer);
	if ((k = children_add(&w->children)) != NULL &&
	    (pid = spawn_conn(&c, spawn_how(svc),
	    &(struct spawn_fds){ fd, fd, -1 })) < 0)
		children_remove(&w->children, k);
	close(fd);
	if (pid < 0) {
		log_msg(LOG_ERR, "%s: fork: %s", svc->name, strerror(errno));
		return;
	}
	k->pid = pid;
	k->run = &w->r;
	k->src = *src;
	k->start = *now;
	k->session_timeout = svc->session_timeout;
	w->r.active++;
}

/* Accept one client; -1 when the socket cannot serve any more. */
static int
take(struct waiter *w, const struct timespec *now)
{
	const struct service *svc = w->r.svc;
	struct sockaddr_storage ss;
	struct sockaddr *sa = (struct sockaddr *)&ss;
	socklen_t len = sizeof(ss);
	struct srckey src;
	enum admit why;
	int fd;

	if ((fd = accept4(0, sa, &len, SOCK_CLOEXEC)) < 0) {
		if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN)
			return 0;
		if (errno == EINVAL || errno == EBADF || errno == ENOTSOCK)
			return -1;
		log_msg(LOG_ERR, "%s: accept: %s; pausing %d ms", svc->name,
		    strerror(errno), PAUSE_MS);
		w->r.paused_until = *now;
		w->r.paused_until.tv_nsec += PAUSE_MS * 1000000L;
		if (w->r.paused_until.tv_nsec >= 1000000000L) {
			w->r.paused_until.tv_sec++;
			w->r.paused_until.tv_nsec -= 1000000000L;
		}
		return 0;
	}
	w->idle_since = *now;
	if (svc->rate > 0)
		bucket_take(&w->r.bucket, svc->rate, now);
	conn_srckey(&src, fd, sa, svc->per_source_prefix6);
	why = admit_check(&w->r, &w->children, sa, &src, now);
	if (why != ADMIT_OK)
		admit_refuse(&w->r, fd, why, sa);
	else
		start(w, fd, sa, &src, now);
	return 0;
}

/* ms until the service may take a client (0: now), for max_children too. */
static long
room(const struct waiter *w, const struct timespec *now)
{
	const struct service *svc = w->r.svc;
	long ms = ms_between(now, &w->r.paused_until);

	if (w->r.active >= svc->max_children)
		return -1;	/* until a child ends */
	if (svc->rate > 0)
		ms = sooner(ms > 0 ? ms : 0,
		    bucket_wait_ms(&w->r.bucket, svc->rate, now));
	return ms > 0 ? ms : 0;
}

static int
serve_loop(struct waiter *w)
{
	const struct service *svc = w->r.svc;
	struct pollfd p[2] = { { .fd = w->sigfd, .events = POLLIN },
	    { .fd = 0, .events = POLLIN } };
	struct timespec now;
	long wait, ms;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		wait = expire(w, &now);
		if (w->children.n == 0) {
			ms = svc->timeout * 1000L - ms_between(&w->idle_since,
			    &now);
			if (ms <= 0)
				return 0;
			wait = sooner(wait, ms);
		}
		ms = room(w, &now);
		if (ms > 0)
			wait = sooner(wait, ms);
		if (poll(p, ms == 0 ? 2 : 1, (int)wait) <= 0)
			continue;
		if (p[0].revents)
			reap(w);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ms == 0 && p[1].revents && take(w, &now) < 0) {
			log_msg(LOG_ERR, "%s: standard input stopped being a "
			    "listening socket: %s", svc->name, strerror(errno));
			return EX_OSERR;
		}
	}
}

int
inetd_wait(const struct service *svc)
{
	struct waiter w = { .sigfd = -1 };
	sigset_t chld;
	int rc;

	w.r.svc = svc;
	/* Children are reaped here: an inherited SIG_IGN would hide them. */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	if ((w.sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		log_msg(LOG_ERR, "signalfd: %s", strerror(errno));
		return EX_OSERR;
	}
	clock_gettime(CLOCK_MONOTONIC, &w.idle_since);
	rc = serve_loop(&w);
	close(w.sigfd);
	children_free(&w.children);
	free(w.r.srcrate);
	return rc;
}
