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

#include "child.h"
#include "daemon.h"
#include "listen.h"
#include "log.h"
#include "server.h"

/* How long children may finish after SIGTERM, then after our SIGTERM. */
#define STOP_GRACE	5
#define STOP_KILL	2
/* Connections taken from one listener per wake-up, for fairness. */
#define ACCEPT_BURST	16

struct child {
	pid_t		 pid;
	struct service	*svc;		/* NULL once its service is gone */
	struct timespec	 start;
};

struct server {
	struct conf			*conf;
	const struct server_opts	*opts;
	struct child			*kids;
	size_t				 nkids, cap;
	sigset_t			 waitmask;	/* mask inside ppoll */
	int				 stopping;	/* 0, then 1..3 */
	struct timespec			 deadline;
	unsigned long			 accepted, failed, reloads, forkfail;
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

/* A listener of the old configuration that fits, not yet claimed. */
static struct listener *
find_old(struct conf *old, const char *spec, const struct service *svc)
{
	size_t i, j;

	for (i = 0; old != NULL && i < old->nsvc; i++)
		for (j = 0; j < old->svc[i].nls; j++) {
			struct listener *l = &old->svc[i].ls[j];

			if (!l->claimed && l->fd >= 0 && listen_same(l, spec,
			    svc->port, svc->proto, svc->reuse_port))
				return l;
		}
	return NULL;
}

static int
claimed_fd(const struct conf *old, int fd)
{
	size_t i, j;

	for (i = 0; fd >= 0 && old != NULL && i < old->nsvc; i++)
		for (j = 0; j < old->svc[i].nls; j++)
			if (old->svc[i].ls[j].claimed &&
			    old->svc[i].ls[j].fd == fd)
				return 1;
	return 0;
}

/*
 * Give every service of c its listeners: the old configuration's where
 * they fit (claimed, not yet moved), new sockets otherwise.  On failure
 * nothing of old has changed.
 */
static int
open_listeners(struct conf *c, struct conf *old)
{
	size_t i, j, n;

	for (i = 0; i < c->nsvc; i++) {
		struct service *svc = &c->svc[i];

		for (n = 0; svc->listen != NULL && svc->listen[n] != NULL; n++)
			;
		svc->nls = n > 0 ? n : 1;
		if ((svc->ls = calloc(svc->nls, sizeof(*svc->ls))) == NULL)
			goto fail;
		for (j = 0; j < svc->nls; j++)
			svc->ls[j].fd = -1;
		for (j = 0; j < svc->nls; j++) {
			const char *spec = n > 0 ? svc->listen[j] : NULL;
			struct listener *o = find_old(old, spec, svc);

			if (o != NULL) {
				o->claimed = 1;
				svc->ls[j] = *o;
				svc->ls[j].claimed = 0;
				svc->ls[j].spec = spec ? strdup(spec) : NULL;
			} else if (listen_open(&svc->ls[j], spec, svc->port,
			    svc->proto, svc->reuse_port) < 0) {
				log_msg(LOG_ERR, "cannot listen on %s: %s",
				    svc->ls[j].name, strerror(errno));
				goto fail;
			} else
				log_msg(LOG_NOTICE, "%s: listening on %s (%s)",
				    svc->name, svc->ls[j].name,
				    listen_proto(svc->proto));
		}
	}
	return 0;
fail:
	for (i = 0; i < c->nsvc; i++) {
		for (j = 0; j < c->svc[i].nls && c->svc[i].ls; j++) {
			struct listener *l = &c->svc[i].ls[j];

			if (claimed_fd(old, l->fd))
				l->fd = -1;	/* still old's */
			listen_close(l);
		}
		free(c->svc[i].ls);
		c->svc[i].ls = NULL;
		c->svc[i].nls = 0;
	}
	for (i = 0; old != NULL && i < old->nsvc; i++)
		for (j = 0; j < old->svc[i].nls; j++)
			old->svc[i].ls[j].claimed = 0;
	return -1;
}

/* Close the listeners of c, except those a newer configuration claimed. */
static void
close_listeners(struct conf *c)
{
	size_t i, j;

	for (i = 0; c != NULL && i < c->nsvc; i++) {
		for (j = 0; j < c->svc[i].nls; j++) {
			if (c->svc[i].ls[j].claimed)
				c->svc[i].ls[j].fd = -1;
			listen_close(&c->svc[i].ls[j]);
		}
		free(c->svc[i].ls);
		c->svc[i].ls = NULL;
		c->svc[i].nls = 0;
	}
}

static void
spawn(struct server *s, struct service *svc, int fd)
{
	struct child *k;
	pid_t pid;

	if (s->nkids == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;

		if ((k = realloc(s->kids, cap * sizeof(*k))) == NULL) {
			log_msg(LOG_ERR, "%s: out of memory", svc->name);
			close(fd);
			return;
		}
		s->kids = k;
		s->cap = cap;
	}
	pid = fork();
	if (pid == 0)
		child_forked(svc, fd);
	close(fd);
	if (pid < 0) {
		s->forkfail++;
		log_msg(LOG_ERR, "%s: fork: %s", svc->name, strerror(errno));
		return;
	}
	k = &s->kids[s->nkids++];
	k->pid = pid;
	k->svc = svc;
	clock_gettime(CLOCK_MONOTONIC, &k->start);
	svc->active++;
	s->accepted++;
}

static void
accept_some(struct server *s, struct service *svc, struct listener *l)
{
	int i, fd;

	for (i = 0; i < ACCEPT_BURST && svc->active < svc->max_children; i++) {
		fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			spawn(s, svc, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			log_msg(LOG_ERR, "%s: accept: %s", svc->name,
			    strerror(errno));
		break;
	}
}

static void
log_exit(const struct child *k, int status)
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
	pid_t pid;
	size_t i;
	int st;

	got_chld = 0;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < s->nkids && s->kids[i].pid != pid; i++)
			;
		if (i == s->nkids)
			continue;
		log_exit(&s->kids[i], st);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			s->failed++;
		if (s->kids[i].svc != NULL)
			s->kids[i].svc->active--;
		s->kids[i] = s->kids[--s->nkids];
	}
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
	if (open_listeners(c, s->conf) < 0) {
		log_msg(LOG_ERR, "reload failed: keeping the old configuration");
		conf_free(c);
		return;
	}
	for (i = 0; i < s->nkids; i++) {
		if (s->kids[i].svc != NULL)
			s->kids[i].svc = conf_service(c, s->kids[i].svc->name);
		if (s->kids[i].svc != NULL)
			s->kids[i].svc->active++;
	}
	close_listeners(s->conf);
	conf_free(s->conf);
	s->conf = c;
	s->reloads++;
	log_msg(LOG_NOTICE, "reloaded %s: %zu service%s", c->path, c->nsvc,
	    c->nsvc == 1 ? "" : "s");
}

static void
counters(struct server *s)
{
	got_usr1 = 0;
	log_msg(LOG_NOTICE, "counters: accepted %lu, failed %lu, active %zu, "
	    "reloads %lu, fork failures %lu", s->accepted, s->failed,
	    s->nkids, s->reloads, s->forkfail);
}

/*
 * SIGTERM/SIGINT: stop accepting, give children STOP_GRACE seconds, then
 * SIGTERM them, then SIGKILL after STOP_KILL more.  Returns the ppoll
 * timeout until the next step.
 */
static void
stop_step(struct server *s, struct timespec *wait)
{
	struct timespec now;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (s->stopping == 0) {
		log_msg(LOG_NOTICE, "stopping: %zu children to finish", s->nkids);
		close_listeners(s->conf);
		s->stopping = 1;
		s->deadline = now;
		s->deadline.tv_sec += STOP_GRACE;
	} else if (now.tv_sec > s->deadline.tv_sec ||
	    (now.tv_sec == s->deadline.tv_sec &&
	    now.tv_nsec >= s->deadline.tv_nsec)) {
		s->stopping++;
		for (i = 0; i < s->nkids; i++)
			kill(s->kids[i].pid, s->stopping == 2 ? SIGTERM : SIGKILL);
		log_msg(LOG_NOTICE, "stopping: sent %s to %zu children",
		    s->stopping == 2 ? "SIGTERM" : "SIGKILL", s->nkids);
		s->deadline = now;
		s->deadline.tv_sec += STOP_KILL;
	}
	wait->tv_sec = s->deadline.tv_sec - now.tv_sec;
	wait->tv_nsec = s->deadline.tv_nsec - now.tv_nsec;
	if (wait->tv_nsec < 0) {
		wait->tv_sec--;
		wait->tv_nsec += 1000000000L;
	}
	if (wait->tv_sec < 0)
		wait->tv_sec = wait->tv_nsec = 0;
}

/* The listeners to wait on: those of services with room for a child. */
static size_t
poll_set(struct server *s, struct pollfd *pfd, struct service **svc,
    struct listener **ls, size_t max)
{
	size_t i, j, n = 0;

	if (s->stopping)
		return 0;
	for (i = 0; i < s->conf->nsvc; i++) {
		struct service *v = &s->conf->svc[i];

		if (v->active >= v->max_children)
			continue;
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
	struct timespec wait;
	size_t n, i;

	for (;;) {
		if (got_chld)
			reap(s);
		if (got_hup && !s->stopping)
			reload(s);
		if (got_usr1)
			counters(s);
		if (got_term || s->stopping) {
			if (s->nkids == 0)
				return;
			stop_step(s, &wait);
		}
		n = poll_set(s, pfd, svc, ls, MAX_POLL);
		if (ppoll(pfd, n, s->stopping ? &wait : NULL, &s->waitmask) <= 0)
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

	if (open_listeners(c, NULL) < 0) {
		conf_free(c);
		return EX_OSERR;
	}
	if (!o->foreground && daemon_detach() < 0) {
		log_msg(LOG_ERR, "cannot daemonize: %s", strerror(errno));
		return EX_OSERR;
	}
	if (o->pidfile != NULL && daemon_pidfile(o->pidfile) < 0) {
		log_msg(LOG_ERR, "cannot write %s: %s", o->pidfile,
		    strerror(errno));
		return EX_OSERR;
	}
	if (!o->foreground)
		daemon_ready();
	signals_init(&s);
	log_tag_pid(1);
	serve_loop(&s);
	log_msg(LOG_NOTICE, "stopped");
	if (o->pidfile != NULL)
		unlink(o->pidfile);
	close_listeners(s.conf);
	conf_free(s.conf);
	free(s.kids);
	return 0;
}
