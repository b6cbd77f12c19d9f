/*
 * The master.  It binds, then loops: wait in poll() for a listener or a
 * signal, accept, fork.  Signals are blocked and read from a signalfd
 * in that same poll, so every reaction (reaping, reload, stop) happens
 * here in the loop; with no handler installed, a child has only to
 * unblock them.  A service's
 * listeners are polled only while it has fewer than max_children live
 * children: when it is full, new clients wait in the kernel's backlog
 * instead of being accepted and dropped.  The master never reads from a
 * client and never runs handler code.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#ifdef HAVE_SYS_RSEQ_H
#include <sys/rseq.h>
#endif
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "admit.h"
#include "child.h"
#include "daemon.h"
#include "hot.h"
#include "kids.h"
#include "listen.h"
#include "log.h"
#include "rate.h"
#include "server.h"
#include "udp.h"

/* How long children may finish after SIGTERM, then after our SIGTERM. */
#define STOP_GRACE	5
#define STOP_KILL	2
/*
 * Datagrams taken from one listener per wake-up, for fairness.  TCP
 * takes one connection per wake-up: accepting until EAGAIN would write
 * errno, and after a fork that write costs the master a page fault,
 * more than the extra poll() does.
 */
#define ACCEPT_BURST	16

struct server {
	struct conf			*conf;
	const struct server_opts	*opts;
	struct kids			 kids;
	struct udp_req			 req;		/* UDP receive buffer */
	struct pollfd			*pfd;		/* the poll set ... */
	struct slot {
		struct service	*svc;
		struct listener	*l;
		pid_t		 kid;		/* a UDP relay of this child */
	}				*slot;		/* ... and what each is */
	size_t				 cap;
	int				 sigfd;		/* signalfd */
	int				 stopping;	/* 0, then 1..3 */
	struct timespec			 deadline;
	unsigned long			 reloads, forkfail;
	int				 got_chld, got_hup, got_term,
					 got_usr1;
};

/*
 * Signals are blocked before the first socket is bound: from the moment
 * "listening on" is logged, a SIGHUP or SIGTERM waits for the loop
 * instead of killing the master with the default action.  set is what
 * the signalfd reports.  SIGPIPE is blocked too, not read: a client
 * that goes away must not kill the master, and a blocked signal (unlike
 * an ignored one) needs nothing undone in a child but the mask.
 */
static void
signals_block(sigset_t *set)
{
	static const int sigs[] = { SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGUSR1 };
	sigset_t block;
	size_t i;

	sigemptyset(set);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(set, sigs[i]);
	block = *set;
	sigaddset(&block, SIGPIPE);
	sigprocmask(SIG_BLOCK, &block, NULL);
}

/*
 * Use the fds the hard limit allows: every live UDP exchange holds two
 * in the master.
 */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * glibc registers a restartable-sequences area in each thread's TLS, and
 * the kernel writes to it whenever the thread resumes after being
 * preempted.  After a fork that write is a copy-on-write fault, in the
 * master and again in the child, on every connection.  replyd uses no
 * restartable sequences (in glibc only sched_getcpu does, and it falls
 * back to the system call), so the master unregisters the area, and its
 * children inherit that.  Where this cannot be done, nothing changes.
 */
static void
rseq_off(void)
{
#if defined(HAVE_SYS_RSEQ_H) && defined(RSEQ_SIG) && \
    __has_builtin(__builtin_thread_pointer)
	void *area = (char *)__builtin_thread_pointer() + __rseq_offset;

	/*
	 * The kernel wants the length glibc registered: the size of its
	 * struct rseq, or in some versions __rseq_size.
	 */
	if (__rseq_size > 0 &&
	    syscall(SYS_rseq, area, sizeof(struct rseq), RSEQ_FLAG_UNREGISTER,
	    RSEQ_SIG) < 0)
		(void)syscall(SYS_rseq, area, __rseq_size,
		    RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
#endif
}

/* One read takes every pending signal (one of each kind at most). */
static void
signals_read(struct server *s)
{
	struct signalfd_siginfo si[8];
	ssize_t n, i;

	if ((n = read(s->sigfd, si, sizeof(si))) <= 0)
		return;
	for (i = 0; i < n / (ssize_t)sizeof(si[0]); i++) {
		if (si[i].ssi_signo == SIGCHLD)
			s->got_chld = 1;
		else if (si[i].ssi_signo == SIGHUP)
			s->got_hup = 1;
		else if (si[i].ssi_signo == SIGUSR1)
			s->got_usr1 = 1;
		else
			s->got_term = 1;
	}
}

static long
ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 +
	    (now.tv_nsec - t->tv_nsec) / 1000000;
}

/*
 * Fork a child for fd[0] and fd[1] (a TCP connection twice, or the ends
 * of a UDP relay), the client described by c.  The master keeps neither
 * fd.  The master logs a TCP connect itself, before the fork, so that
 * the line comes before the child's own; a PROXY service's child says
 * it once it knows the real client.
 */
static struct kid *
spawn(struct server *s, struct service *svc, const int fd[2],
    const struct srckey *src, const struct timespec *now, struct conn *c)
{
	/* TCP whose client the master knows: no PROXY header to read. */
	int plain = svc->proto == PROTO_TCP && !svc->proxy_protocol;
	struct kid *k;
	pid_t pid;

	c->announced = plain;
	if (plain)
		log_msg(LOG_INFO, "%s: connect from %s", svc->name, c->peer);
	if ((k = kids_add(&s->kids)) == NULL) {
		log_msg(LOG_ERR, "%s: out of memory", svc->name);
		pid = -1;
	} else if (svc->handler->spawn && plain)
		pid = child_spawn(c, fd[0]);
	else
		pid = child_start(c, fd[0], fd[1]);
	close(fd[0]);
	if (fd[1] != fd[0])
		close(fd[1]);
	if (k == NULL)
		return NULL;
	if (pid < 0) {
		kids_remove(&s->kids, k);
		s->forkfail++;
		log_msg(LOG_ERR, "%s: fork: %s", svc->name, strerror(errno));
		return NULL;
	}
	k->pid = pid;
	k->svc = svc;
	k->session_timeout = svc->session_timeout;
	k->src = *src;
	k->start = *now;
	svc->run->active++;
	svc->run->stats.accepted++;
	return k;
}

/*
 * Out of fds or memory (EMFILE, ENFILE, ENOBUFS...): the pending client
 * stays in the backlog, and polling its listener again at once would
 * spin.  Rest the service PAUSE_MS, logging once per pause.
 */
#define PAUSE_MS 500

static void
pause_service(struct service *svc, const struct timespec *now,
    const char *what)
{
	log_msg(LOG_ERR, "%s: %s: %s; pausing %d ms", svc->name, what,
	    strerror(errno), PAUSE_MS);
	svc->run->paused_until = *now;
	svc->run->paused_until.tv_nsec += PAUSE_MS * 1000000L;
	if (svc->run->paused_until.tv_nsec >= 1000000000L) {
		svc->run->paused_until.tv_sec++;
		svc->run->paused_until.tv_nsec -= 1000000000L;
	}
}

/* Milliseconds the service still rests (0: none). */
static long
paused_ms(const struct service *svc, const struct timespec *now)
{
	long ms = (svc->run->paused_until.tv_sec - now->tv_sec) * 1000 +
	    (svc->run->paused_until.tv_nsec - now->tv_nsec) / 1000000;

	return ms > 0 ? ms : 0;
}

/* Room for one more child now: max_children and the rate bucket. */
static int
has_room(struct service *svc, const struct timespec *now)
{
	return svc->run->active < svc->max_children &&
	    paused_ms(svc, now) == 0 && (svc->rate <= 0 ||
	    bucket_wait_ms(&svc->run->bucket, svc->rate, now) == 0);
}

static void
accept_tcp(struct server *s, struct service *svc, struct listener *l,
    const struct timespec *now)
{
	struct sockaddr_storage ss;
	struct srckey src;
	struct conn c;
	enum admit why;
	socklen_t len = sizeof(ss);
	int fd;

	if (!has_room(svc, now))
		return;
	fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EINTR && errno != ECONNABORTED &&
		    errno != EAGAIN && errno != EWOULDBLOCK)
			pause_service(svc, now, "accept");
		return;
	}
	if (svc->rate > 0)
		bucket_take(&svc->run->bucket, svc->rate, now);
	srckey_make(&src, (struct sockaddr *)&ss, svc->per_source_prefix6);
	why = admit_check(svc, &s->kids, (struct sockaddr *)&ss, &src, now);
	if (why != ADMIT_OK) {
		admit_refuse(svc, fd, why, (struct sockaddr *)&ss);
		return;
	}
	child_describe(&c, svc, fd, (struct sockaddr *)&ss);
	spawn(s, svc, (int[2]){ fd, fd }, &src, now, &c);
}

static void
accept_udp(struct server *s, struct service *svc, struct listener *l,
    const struct timespec *now)
{
	struct udp_relay relay;
	struct srckey src;
	struct conn c;
	struct kid *k;
	enum admit why;
	int i, r, cfd[2];

	for (i = 0; i < ACCEPT_BURST && has_room(svc, now); i++) {
		if ((r = udp_recv(svc, l->fd, &s->req)) == 0)
			break;
		if (r < 0)
			continue;
		if (svc->rate > 0)
			bucket_take(&svc->run->bucket, svc->rate, now);
		srckey_make(&src, (struct sockaddr *)&s->req.peer,
		    svc->per_source_prefix6);
		why = admit_check(svc, &s->kids,
		    (struct sockaddr *)&s->req.peer, &src, now);
		if (why != ADMIT_OK) {
			admit_log(svc, why, (struct sockaddr *)&s->req.peer);
			continue;
		}
		if (udp_start(svc, &s->req, l->fd, &relay, cfd) < 0) {
			pause_service(svc, now, "socketpair");
			break;
		}
		child_describe(&c, svc, l->fd,
		    (struct sockaddr *)&s->req.peer);
		if ((k = spawn(s, svc, cfd, &src, now, &c)) != NULL)
			k->relay = relay;
		else
			udp_end(&relay);
	}
}

/*
 * A child's whole process group (what an exec'd program started too);
 * the child itself if it has not made its group yet.
 */
static void
kill_child(pid_t pid, int sig)
{
	if (kill(-pid, sig) < 0 && errno == ESRCH)
		kill(pid, sig);
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

	s->got_chld = 0;
	/*
	 * Stop once no known child is left rather than at ECHILD: that
	 * would write errno, a page fault after each fork (accept_tcp).
	 */
	do {
		if ((pid = waitpid(-1, &st, WNOHANG)) <= 0)
			break;
		if ((k = kids_find(&s->kids, pid)) == NULL)
			continue;
		log_exit(k, st);
		if (k->relay.fd >= 0) {
			udp_pump(&k->relay);	/* what it wrote before exiting */
			udp_end(&k->relay);
		}
		if (k->svc != NULL) {
			k->svc->run->active--;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
				k->svc->run->stats.served++;
			else
				k->svc->run->stats.failed++;
		}
		kids_remove(&s->kids, k);
	} while (s->kids.n > 0);
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

		if (k->session_timeout == 0 || k->signalled == SIGKILL)
			continue;
		age = ms_since(&k->start);
		limit = k->session_timeout * 1000L +
		    (k->signalled ? STOP_KILL * 1000L : 0);
		if (age >= limit) {
			k->signalled = k->signalled ? SIGKILL : SIGTERM;
			kill_child(k->pid, k->signalled);
			if (k->signalled == SIGTERM && k->svc != NULL)
				k->svc->run->stats.expired++;
			log_msg(LOG_NOTICE, "%s: child %ld past session_timeout "
			    "(%d s): sent %s", k->svc ? k->svc->name :
			    "(removed)", (long)k->pid, k->session_timeout,
			    k->signalled == SIGTERM ? "SIGTERM" : "SIGKILL");
			if (k->signalled == SIGTERM &&
			    (next < 0 || next > STOP_KILL * 1000L))
				next = STOP_KILL * 1000L;
		} else if (next < 0 || limit - age < next)
			next = limit - age;
	}
	return next;
}

/*
 * After each (re)load, the master's memory as children should find it
 * (hot.c).  Its stack stays out of them (see child_start) unless a
 * service runs a module: module children fork() on that stack.  The
 * program's code goes into children with its page tables (hot_text),
 * but in sanitizer builds.  And the shared code that only loading ran
 * is let go.
 */
static void
settle_memory(const struct conf *c)
{
	size_t i;
	int foreign = 0;

	for (i = 0; i < c->nsvc; i++)
		foreign |= c->svc[i].handler->foreign;
	hot_stack(!foreign && CHILD_OWN_STACK);
	hot_text();
	hot_drop_code();
}

/* Load a configuration, logging every problem found in it. */
struct conf *
server_load(const char *path, int port)
{
	struct conf_opts co = { .port = port, .as_root = geteuid() == 0 };
	struct conf_errors errs = { 0 };
	struct conf *c;
	size_t i;

	/* The modules load here, in the process that serves with them. */
	if ((c = conf_load(path, &co, &errs)) != NULL &&
	    module_conf_load(c, &errs) < 0) {
		conf_free(c);
		c = NULL;
	}
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

	s->got_hup = 0;
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
			c->svc[i].run->stats = old->run->stats;
			c->svc[i].run->bucket = old->run->bucket;
		}
	}
	kids_remap(&s->kids, c);
	listen_conf_close(s->conf);
	conf_free(s->conf);
	s->conf = c;
	settle_memory(c);
	s->reloads++;
	log_msg(LOG_NOTICE, "reloaded %s: %zu service%s", c->path, c->nsvc,
	    c->nsvc == 1 ? "" : "s");
}

static void
counters(struct server *s)
{
	size_t i;

	s->got_usr1 = 0;
	for (i = 0; i < s->conf->nsvc; i++) {
		const struct service *v = &s->conf->svc[i];
		const struct svc_stats *st = &v->run->stats;

		log_msg(LOG_NOTICE, "%s: counters: accepted %lu, served %lu, "
		    "failed %lu, denied %lu, busy %lu, rate-limited %lu, "
		    "expired %lu, active %d", v->name, st->accepted,
		    st->served, st->failed, st->denied, st->busy, st->limited,
		    st->expired, v->run->active);
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
			kill_child(s->kids.v[i].pid,
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

static int
poll_add(struct server *s, size_t n, int fd, struct service *svc,
    struct listener *l, pid_t kid)
{
	if (n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct pollfd *p = hot_realloc(s->pfd, s->cap * sizeof(*p),
		    cap * sizeof(*p));
		struct slot *t;

		if (p == NULL)
			return -1;
		s->pfd = p;
		if ((t = hot_realloc(s->slot, s->cap * sizeof(*t),
		    cap * sizeof(*t))) == NULL)
			return -1;
		s->slot = t;
		s->cap = cap;
	}
	s->pfd[n].fd = fd;
	s->pfd[n].events = POLLIN;
	s->pfd[n].revents = 0;
	s->slot[n].svc = svc;
	s->slot[n].l = l;
	s->slot[n].kid = kid;
	return 0;
}

/*
 * What to wait on: the listeners of services with room for a child (and,
 * with rate set, a token: *wake is when a paused service gets one), and
 * the UDP relays of live children.
 */
static size_t
poll_set(struct server *s, long *wake)
{
	struct timespec now;
	size_t i, j, n = 0;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (poll_add(s, n, s->sigfd, NULL, NULL, 0) == 0)
		n++;
	for (i = 0; i < s->kids.n; i++)
		if (s->kids.v[i].relay.fd >= 0 && poll_add(s, n,
		    s->kids.v[i].relay.fd, NULL, NULL, s->kids.v[i].pid) == 0)
			n++;
	for (i = 0; !s->stopping && i < s->conf->nsvc; i++) {
		struct service *v = &s->conf->svc[i];

		if (v->run->active >= v->max_children)
			continue;
		if ((ms = paused_ms(v, &now)) > 0) {
			*wake = sooner(*wake, ms);
			continue;
		}
		if (v->rate > 0 &&
		    (ms = bucket_wait_ms(&v->run->bucket, v->rate, &now)) > 0) {
			*wake = sooner(*wake, ms);
			continue;
		}
		for (j = 0; j < v->nls; j++)
			if (poll_add(s, n, v->ls[j].fd, v, &v->ls[j], 0) == 0)
				n++;
	}
	return n;
}

static void
serve_loop(struct server *s)
{
	struct timespec now;
	struct kid *k;
	size_t n, i;
	long wake;

	for (;;) {
		if (s->got_chld)
			reap(s);
		if (s->got_hup && !s->stopping)
			reload(s);
		if (s->got_usr1)
			counters(s);
		wake = expire(s);
		if (s->got_term || s->stopping) {
			if (s->kids.n == 0)
				return;
			wake = sooner(wake, stop_step(s));
		}
		n = poll_set(s, &wake);
		if (poll(s->pfd, n, wake > INT_MAX ? INT_MAX : (int)wake) <= 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		for (i = 0; i < n; i++) {
			struct slot *t = &s->slot[i];

			if (s->pfd[i].revents == 0)
				continue;
			if (t->svc == NULL && t->kid == 0)
				signals_read(s);
			else if (t->svc == NULL) {
				if ((k = kids_find(&s->kids, t->kid)) != NULL)
					udp_pump(&k->relay);
			} else if (t->svc->proto == PROTO_UDP)
				accept_udp(s, t->svc, t->l, &now);
			else
				accept_tcp(s, t->svc, t->l, &now);
		}
	}
}

int
server_run(struct conf *c, const struct server_opts *o)
{
	struct server s = { .conf = c, .opts = o, .sigfd = -1 };
	sigset_t sigs;
	int rc = EX_OSERR;

	signals_block(&sigs);
	raise_nofile();
	rseq_off();
	listen_inherit();
	if (listen_conf_open(c, NULL) < 0)
		goto out;
	listen_inherit_done();
	if ((s.sigfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		log_msg(LOG_ERR, "signalfd: %s", strerror(errno));
		goto out;
	}
	if (!o->foreground && daemon_detach() < 0) {
		log_msg(LOG_ERR, "cannot daemonize: %s", strerror(errno));
		goto out;
	}
	if (o->pidfile != NULL && daemon_pidfile(o->pidfile) < 0) {
		daemon_fail("cannot write %s: %s", o->pidfile, strerror(errno));
		goto out;
	}
	if (!o->foreground)
		daemon_ready();
	log_tag_pid(1);
	settle_memory(c);
	serve_loop(&s);
	log_msg(LOG_NOTICE, "stopped");
	if (o->pidfile != NULL)
		unlink(o->pidfile);
	rc = 0;
out:
	if (s.sigfd >= 0)
		close(s.sigfd);
	kids_free(&s.kids);
	hot_free(s.pfd, s.cap * sizeof(*s.pfd));
	hot_free(s.slot, s.cap * sizeof(*s.slot));
	free(s.req.data);
	listen_conf_close(s.conf);
	conf_free(s.conf);
	return rc;
}
