/*
 * The master.  It binds, then loops: wait in ppoll() for a listener or a
 * signal, accept, fork.  Signals stay blocked except inside ppoll(), so
 * the handlers only set flags and every real reaction (reaping, reload,
 * stop) happens here in the loop, never in a handler.  A service's
 * listeners are polled only while it has fewer than max_children live
 * children: when it is full, new clients wait in the kernel's backlog
 * instead of being accepted and dropped.  The master never reads from a
 * client and never runs handler code.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "admit.h"
#include "child.h"
#include "daemon.h"
#include "kids.h"
#include "listen.h"
#include "log.h"
#include "rate.h"
#include "server.h"

/* How long children may finish after SIGTERM, then after our SIGTERM. */
#define STOP_GRACE	5
#define STOP_KILL	2
/* Connections taken from one listener per wake-up, for fairness. */
#define ACCEPT_BURST	16

struct server {
	struct conf			*conf;
	const struct server_opts	*opts;
	struct kids			 kids;
	sigset_t			 waitmask;	/* mask inside ppoll */
	int				 stopping;	/* 0, then 1..3 */
	struct timespec			 deadline;
	unsigned long			 reloads, forkfail;
};

static volatile sig_atomic_t got_chld, got_hup, got_term, got_usr1;

static void
on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_chld = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static void
signals_init(struct server *s)
{
	static const int sigs[] = { SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGUSR1 };
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &s->waitmask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigdelset(&s->waitmask, sigs[i]);
	/* A client that goes away must not kill the master. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static long
ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 +
	    (now.tv_nsec - t->tv_nsec) / 1000000;
}

static void
spawn(struct server *s, struct service *svc, int fd, const struct srckey *src,
    const struct timespec *now)
{
	struct kid *k;
	pid_t pid;

	if ((k = kids_add(&s->kids)) == NULL) {
		log_msg(LOG_ERR, "%s: out of memory", svc->name);
		close(fd);
		return;
	}
	pid = fork();
	if (pid == 0)
		child_forked(svc, fd);
	close(fd);
	if (pid > 0)
		setpgid(pid, pid);	/* as the child does: no race */
	if (pid < 0) {
		kids_remove(&s->kids, k);
		s->forkfail++;
		log_msg(LOG_ERR, "%s: fork: %s", svc->name, strerror(errno));
		return;
	}
	k->pid = pid;
	k->svc = svc;
	k->src = *src;
	k->start = *now;
	svc->active++;
	svc->stats.accepted++;
}

static void
accept_some(struct server *s, struct service *svc, struct listener *l)
{
	struct sockaddr_storage ss;
	struct timespec now;
	struct srckey src;
	enum admit why;
	socklen_t len;
	int i, fd;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < ACCEPT_BURST && svc->active < svc->max_children; i++) {
		if (svc->rate > 0 &&
		    bucket_wait_ms(&svc->bucket, svc->rate, &now) > 0)
			break;
		len = sizeof(ss);
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_msg(LOG_ERR, "%s: accept: %s", svc->name,
				    strerror(errno));
			break;
		}
		if (svc->rate > 0)
			bucket_take(&svc->bucket, svc->rate, &now);
		srckey_make(&src, (struct sockaddr *)&ss,
		    svc->per_source_prefix6);
		why = admit_check(svc, &s->kids, (struct sockaddr *)&ss, &src,
		    &now);
		if (why != ADMIT_OK)
			admit_refuse(svc, fd, why, (struct sockaddr *)&ss);
		else
			spawn(s, svc, fd, &src, &now);
	}
}

static void
log_exit(const struct kid *k, int status)
{
	const char *name = k->svc ? k->svc->name : "(removed)";
	long ms = ms_since(&k->start);

	if (WIFEXITED(status))
		log_msg(LOG_INFO, "%s: child %ld exited with status %d after "
		    "%ld ms", name, (long)k->pid, WEXITSTATUS(status), ms);
	else if (WIFSIGNALED(status))
		log_msg(LOG_INFO, "%s: child %ld killed by signal %d after "
		    "%ld ms", name, (long)k->pid, WTERMSIG(status), ms);
}

static void
reap(struct server *s)
{
	struct kid *k;
	pid_t pid;
	int st;

	got_chld = 0;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if ((k = kids_find(&s->kids, pid)) == NULL)
			continue;
		log_exit(k, st);
		if (k->svc != NULL) {
			k->svc->active--;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
				k->svc->stats.served++;
			else
				k->svc->stats.failed++;
		}
		kids_remove(&s->kids, k);
	}
}

/*
 * session_timeout: a child past it gets SIGTERM, and SIGKILL STOP_KILL
 * seconds later.  Returns the milliseconds until the next such step
 * (-1: none pending).
 */
static long
expire(struct server *s)
{
	long next = -1, age, limit;
	size_t i;

	for (i = 0; i < s->kids.n; i++) {
		struct kid *k = &s->kids.v[i];

		if (k->svc == NULL || k->svc->session_timeout == 0 ||
		    k->signalled == SIGKILL)
			continue;
		age = ms_since(&k->start);
		limit = k->svc->session_timeout * 1000L +
		    (k->signalled ? STOP_KILL * 1000L : 0);
		if (age >= limit) {
			k->signalled = k->signalled ? SIGKILL : SIGTERM;
			kill(-k->pid, k->signalled);
			if (k->signalled == SIGTERM)
				k->svc->stats.expired++;
			log_msg(LOG_NOTICE, "%s: child %ld past session_timeout "
			    "(%d s): sent %s", k->svc->name, (long)k->pid,
			    k->svc->session_timeout,
			    k->signalled == SIGTERM ? "SIGTERM" : "SIGKILL");
			if (k->signalled == SIGTERM &&
			    (next < 0 || next > STOP_KILL * 1000L))
				next = STOP_KILL * 1000L;
		} else if (next < 0 || limit - age < next)
			next = limit - age;
	}
	return next;
}

/* Load a configuration, logging every problem found in it. */
struct conf *
server_load(const char *path, int port)
{
	struct conf_opts co = { .port = port, .as_root = geteuid() == 0 };
	struct conf_errors errs = { 0 };
	struct conf *c;
	size_t i;

	c = conf_load(path, &co, &errs);
	for (i = 0; i < errs.n; i++)
		log_msg(LOG_ERR, "%s", errs.msg[i]);
	conf_errors_free(&errs);
	return c;
}

/*
 * SIGHUP: the new file replaces the old one only if it is valid and all
 * its listeners could be had.  Unchanged listeners are handed over, not
 * reopened; children keep running and are counted against the service
 * of the same name in the new configuration.
 */
static void
reload(struct server *s)
{
	struct conf *c;
	size_t i;

	got_hup = 0;
	if ((c = server_load(s->opts->config, s->opts->port)) == NULL) {
		log_msg(LOG_ERR, "reload failed: keeping the old configuration");
		return;
	}
	if (listen_conf_open(c, s->conf) < 0) {
		log_msg(LOG_ERR, "reload failed: keeping the old configuration");
		conf_free(c);
		return;
	}
	for (i = 0; i < c->nsvc; i++) {
		struct service *old = conf_service(s->conf, c->svc[i].name);

		/* Counters and rate buckets live on across reloads. */
		if (old != NULL) {
			c->svc[i].stats = old->stats;
			c->svc[i].bucket = old->bucket;
		}
	}
	kids_remap(&s->kids, c);
	listen_conf_close(s->conf);
	conf_free(s->conf);
	s->conf = c;
	s->reloads++;
	log_msg(LOG_NOTICE, "reloaded %s: %zu service%s", c->path, c->nsvc,
	    c->nsvc == 1 ? "" : "s");
}

static void
counters(struct server *s)
{
	size_t i;

	got_usr1 = 0;
	for (i = 0; i < s->conf->nsvc; i++) {
		const struct service *v = &s->conf->svc[i];

		log_msg(LOG_NOTICE, "%s: counters: accepted %lu, served %lu, "
		    "failed %lu, denied %lu, busy %lu, rate-limited %lu, "
		    "expired %lu, active %d", v->name, v->stats.accepted,
		    v->stats.served, v->stats.failed, v->stats.denied,
		    v->stats.busy, v->stats.limited, v->stats.expired,
		    v->active);
	}
	log_msg(LOG_NOTICE, "counters: children %zu, reloads %lu, fork "
	    "failures %lu", s->kids.n, s->reloads, s->forkfail);
}

/*
 * SIGTERM/SIGINT: stop accepting, give children STOP_GRACE seconds, then
 * SIGTERM them, then SIGKILL after STOP_KILL more.  Returns the ms until
 * the next step.
 */
static long
stop_step(struct server *s)
{
	struct timespec now;
	size_t i;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (s->stopping == 0) {
		log_msg(LOG_NOTICE, "stopping: %zu children to finish",
		    s->kids.n);
		listen_conf_close(s->conf);
		s->stopping = 1;
		s->deadline = now;
		s->deadline.tv_sec += STOP_GRACE;
	} else if (ms_since(&s->deadline) >= 0) {
		s->stopping++;
		for (i = 0; i < s->kids.n; i++)
			kill(-s->kids.v[i].pid,
			    s->stopping == 2 ? SIGTERM : SIGKILL);
		log_msg(LOG_NOTICE, "stopping: sent %s to %zu children",
		    s->stopping == 2 ? "SIGTERM" : "SIGKILL", s->kids.n);
		s->deadline = now;
		s->deadline.tv_sec += STOP_KILL;
	}
	ms = -ms_since(&s->deadline);
	return ms > 0 ? ms : 0;
}

/* The sooner of two waits in ms, -1 meaning none. */
static long
sooner(long a, long b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/*
 * The listeners to wait on: those of services with room for a child and,
 * with rate set, a token.  *wake is when a paused service gets one.
 */
static size_t
poll_set(struct server *s, struct pollfd *pfd, struct service **svc,
    struct listener **ls, size_t max, long *wake)
{
	struct timespec now;
	size_t i, j, n = 0;
	long ms;

	if (s->stopping)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < s->conf->nsvc; i++) {
		struct service *v = &s->conf->svc[i];

		if (v->active >= v->max_children)
			continue;
		if (v->rate > 0 &&
		    (ms = bucket_wait_ms(&v->bucket, v->rate, &now)) > 0) {
			*wake = sooner(*wake, ms);
			continue;
		}
		for (j = 0; j < v->nls && n < max; j++, n++) {
			pfd[n].fd = v->ls[j].fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			svc[n] = v;
			ls[n] = &v->ls[j];
		}
	}
	return n;
}

#define MAX_POLL 256

static void
serve_loop(struct server *s)
{
	struct pollfd pfd[MAX_POLL];
	struct service *svc[MAX_POLL];
	struct listener *ls[MAX_POLL];
	struct timespec ts;
	size_t n, i;
	long wake;

	for (;;) {
		if (got_chld)
			reap(s);
		if (got_hup && !s->stopping)
			reload(s);
		if (got_usr1)
			counters(s);
		wake = expire(s);
		if (got_term || s->stopping) {
			if (s->kids.n == 0)
				return;
			wake = sooner(wake, stop_step(s));
		}
		n = poll_set(s, pfd, svc, ls, MAX_POLL, &wake);
		ts.tv_sec = wake / 1000;
		ts.tv_nsec = wake % 1000 * 1000000L;
		if (ppoll(pfd, n, wake >= 0 ? &ts : NULL, &s->waitmask) <= 0)
			continue;
		for (i = 0; i < n; i++)
			if (pfd[i].revents & POLLIN)
				accept_some(s, svc[i], ls[i]);
	}
}

int
server_run(struct conf *c, const struct server_opts *o)
{
	struct server s = { .conf = c, .opts = o };
	int rc = EX_OSERR;

	listen_inherit();
	if (listen_conf_open(c, NULL) < 0)
		goto out;
	listen_inherit_done();
	if (!o->foreground && daemon_detach() < 0) {
		log_msg(LOG_ERR, "cannot daemonize: %s", strerror(errno));
		goto out;
	}
	if (o->pidfile != NULL && daemon_pidfile(o->pidfile) < 0) {
		log_msg(LOG_ERR, "cannot write %s: %s", o->pidfile,
		    strerror(errno));
		goto out;
	}
	if (!o->foreground)
		daemon_ready();
	signals_init(&s);
	log_tag_pid(1);
	serve_loop(&s);
	log_msg(LOG_NOTICE, "stopped");
	if (o->pidfile != NULL)
		unlink(o->pidfile);
	rc = 0;
out:
	listen_conf_close(s.conf);
	conf_free(s.conf);
	free(s.kids.v);
	return rc;
}
