/*
 * The master.  It binds (or adopts sockets: socket activation, an
 * upgrade, `replyd -i` on a service's own socket), then loops: wait in
 * poll() for a listener or a signal, accept, fork.  Signals are blocked
 * and read from a signalfd in that same poll, so every reaction
 * (reaping, reload, stop) happens here in the loop; with no handler
 * installed, a child has only to unblock them.  A service's listeners
 * are polled only while it has room for one more child
 * (accept_room_ms): when it is full, new clients wait in the kernel's
 * backlog instead of being accepted and dropped.  The master never
 * reads from a client and never runs handler code.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "child/child.h"
#include "child/sandbox.h"
#include "handlers/handler.h"
#include "lib/fds.h"
#include "lib/log.h"
#include "lib/ownmem.h"
#include "master/bind_retry.h"
#include "master/daemon.h"
#include "master/master_int.h"
#include "master/notify.h"
#include "master/upgrade.h"
#include "state/per_source.h"

/*
 * The signals the master reads from its signalfd, and SIGPIPE: blocked
 * before any module code runs (a thread a module's constructor starts
 * inherits the mask, and would otherwise take them with their default
 * actions, killing the master or losing a SIGCHLD), and at the latest
 * before the first socket is bound: from the moment "listening on" is
 * logged, a SIGHUP or SIGTERM waits for the loop.  SIGPIPE is blocked,
 * not read: a client that goes away must not kill the master, and a
 * blocked signal (unlike an ignored one) needs nothing undone in a child
 * but the mask.
 */
void
master_sigmask(sigset_t *block)
{
	static const int sigs[] = { SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGUSR1,
	    SIGUSR2, SIGPIPE };
	size_t i;

	sigemptyset(block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(block, sigs[i]);
}

/* Block them; set is what the signalfd reports. */
static void
signals_block(sigset_t *set)
{
	master_sigmask(set);
	sigprocmask(SIG_BLOCK, set, NULL);
	sigdelset(set, SIGPIPE);
	/*
	 * Inherited dispositions: SIG_IGN for SIGCHLD would have the kernel
	 * reap our children; for SIGPIPE (Python, for one, starts programs
	 * so) it would reach every handler, which then never dies of a
	 * closed connection or pipe.
	 */
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
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

/* One read takes every pending signal (one of each kind at most). */
static void
signals_read(struct master *s)
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
		else if (si[i].ssi_signo == SIGUSR2)
			s->got_usr2 = 1;
		else
			s->got_term = 1;
	}
}

/* Load a configuration, logging every problem found in it. */
struct conf *
master_load(const char *path, int port)
{
	struct conf_opts co = { .port = port, .as_root = geteuid() == 0 };
	struct errlist errs = { 0 };
	struct conf *c;

	/* The modules load here, in the process that serves with them. */
	if ((c = handler_conf_load(path, &co, &errs)) != NULL &&
	    module_conf_load(c, &errs) < 0) {
		master_conf_free(c);
		c = NULL;
	}
	errlist_log(&errs);
	errlist_free(&errs);
	return c;
}

void
master_conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	module_conf_unload(c);
	sandbox_release_all(c);
	conf_free(c);
}

/*
 * -t: the sandbox of each service as start would make it (filters
 * built, the rest tried in a child), so that a check passes only where
 * a start would; and a warning for an interface not there now, which a
 * start would wait for.
 */
int
master_check(const struct conf *c)
{
	int rc = sandbox_prepare_all(c) < 0 || child_probe_all(c) < 0 ? -1 : 0;

	sandbox_release_all(c);
	listen_opts_check(c);
	return rc;
}

/*
 * The run state for c.  A PROXY service with per_source needs the table
 * its children count themselves in (per_source.c), mapped before the
 * first of them forks; each service its children's seccomp filter,
 * built once here (sandbox.c), and the rest of its sandbox tried once
 * here (child_probe_all): a service this host cannot confine as asked
 * does not start.
 */
static int
run_start(struct run_state *r, struct conf *c)
{
	size_t i;

	if (run_make(r, c) < 0) {
		log_msg(LOG_ERR, "out of memory");
		return -1;
	}
	if (sandbox_prepare_all(c) < 0 || child_probe_all(c) < 0) {
		run_free(r);
		return -1;
	}
	for (i = 0; i < c->nsvc; i++)
		if (c->svc[i].proxy_protocol && c->svc[i].per_source > 0 &&
		    per_source_init() < 0) {
			log_msg(LOG_ERR, "out of memory");
			run_free(r);
			return -1;
		}
	return 0;
}

static void
reload_failed(struct master *s)
{
	s->stats.reloads_failed++;
	log_msg(LOG_ERR, "reload failed: keeping the old configuration");
}

/*
 * SIGHUP: the new file replaces the old one only if it is valid and all
 * its listeners could be had.  Unchanged listeners are handed over, not
 * reopened; children keep running and are counted against the service
 * of the same name in the new configuration.
 */
static void
reload(struct master *s)
{
	struct conf *c, *oldc = s->run.conf;
	struct run_state r;

	s->got_hup = 0;
	if (s->opts->only != NULL) {
		log_msg(LOG_NOTICE, "SIGHUP: replyd -i keeps its configuration; "
		    "the next one started reads the file");
		return;
	}
	notify_reloading();
	if ((c = master_load(s->opts->config, s->opts->port)) == NULL) {
		reload_failed(s);
		notify_send("READY=1");
		return;
	}
	if (run_start(&r, c) < 0 || listen_run_open(&r, &s->run) < 0) {
		reload_failed(s);
		notify_send("READY=1");
		run_free(&r);
		master_conf_free(c);
		return;
	}
	log_set_facility(c->log_facility);
	run_carry(&r, &s->run);
	children_remap(&s->children, &r);
	wait_remap(&s->children);
	listen_run_close(&s->run);
	run_free(&s->run);
	master_conf_free(oldc);
	s->run = r;
	udp_guard(&s->run);
	s->stats.reloads++;
	run_publish(&s->run, &s->stats);
	s->status[0] = ~0UL;	/* the STATUS line says the new services */
	notify_send("READY=1");
	log_msg(LOG_NOTICE, "reloaded %s: %zu service%s", c->path, c->nsvc,
	    c->nsvc == 1 ? "" : "s");
}

static void
counters(struct master *s)
{
	struct timespec now;
	size_t i;

	s->got_usr1 = 0;
	deadline_now(&now);
	for (i = 0; i < s->run.n; i++) {
		const struct svc_state *r = &s->run.svc[i];
		const struct svc_stats *st = &r->stats;

		log_msg(LOG_NOTICE, "%s: counters: accepted %lu, served %lu, "
		    "failed %lu, denied %lu, busy %lu, rate-limited %lu, "
		    "expired %lu, active %d", r->svc->name, st->accepted,
		    st->served, st->failed, st->denied, st->busy, st->limited,
		    st->expired, r->active);
		bind_dump(r, &now);
	}
	log_msg(LOG_NOTICE, "counters: children %zu, reloads %lu, fork "
	    "failures %lu", s->children.n, s->stats.reloads, s->stats.forkfail);
}

/*
 * SIGTERM/SIGINT: stop accepting, give children STOP_GRACE seconds, then
 * SIGTERM them, then SIGKILL after STOP_KILL more.  Returns the ms until
 * the next step.
 */
static long
stop_step(struct master *s)
{
	struct timespec now;
	size_t i;

	deadline_now(&now);
	if (s->stopping == 0) {
		log_msg(LOG_NOTICE, "stopping: %zu children to finish",
		    s->children.n);
		notify_send("STOPPING=1");
		listen_run_close(&s->run);
		s->stopping = 1;
		deadline_after(&s->deadline, &now, STOP_GRACE * 1000L);
	} else if (deadline_left(&s->deadline, &now) == 0) {
		s->stopping++;
		for (i = 0; i < s->children.n; i++)
			kill_group(s->children.v[i].pid,
			    s->stopping == 2 ? SIGTERM : SIGKILL);
		log_msg(LOG_NOTICE, "stopping: sent %s to %zu children",
		    s->stopping == 2 ? "SIGTERM" : "SIGKILL", s->children.n);
		deadline_after(&s->deadline, &now, STOP_KILL * 1000L);
	}
	return deadline_left(&s->deadline, &now);
}

static int
poll_add(struct master *s, size_t n, int fd, int what, struct svc_state *r,
    struct listener *l, pid_t kid)
{
	if (n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		/* The master's alone (ownmem.h): rewritten at every wake-up. */
		struct pollfd *p = ownmem_resize(s->pfd, s->cap, cap, sizeof(*p));
		struct slot *t;

		if (p == NULL)
			return -1;
		s->pfd = p;
		if ((t = ownmem_resize(s->slot, s->cap, cap, sizeof(*t))) == NULL)
			return -1;
		s->slot = t;
		s->cap = cap;
	}
	s->pfd[n].fd = fd;
	s->pfd[n].events = POLLIN;
	s->pfd[n].revents = 0;
	s->slot[n].what = what;
	s->slot[n].run = r;
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
poll_set(struct master *s, long *wake)
{
	struct timespec now;
	size_t i, j, n = 0;
	long ms;

	deadline_now(&now);
	if (poll_add(s, n, s->sigfd, SLOT_SIGNALS, NULL, NULL, 0) == 0)
		n++;
	for (i = 0; i < s->children.n; i++) {
		const struct child *k = &s->children.v[i];

		if (k->relay.fd >= 0 && poll_add(s, n, k->relay.fd,
		    SLOT_RELAY, NULL, NULL, k->pid) == 0)
			n++;
		if (k->err.fd >= 0 && poll_add(s, n, k->err.fd,
		    SLOT_STDERR, NULL, NULL, k->pid) == 0)
			n++;
	}
	for (i = 0; i < s->refused.n; i++)
		if (poll_add(s, n, s->refused.fd[i], SLOT_REFUSED, NULL, NULL,
		    0) == 0)
			n++;
	for (i = 0; !s->stopping && i < s->run.n; i++) {
		struct svc_state *r = &s->run.svc[i];

		/* A client still waiting for its child goes first. */
		accept_retry(s, r, &now);
		if ((ms = accept_room_ms(r, &now)) != 0) {
			*wake = deadline_sooner(*wake, ms);
			continue;
		}
		for (j = 0; j < r->nls; j++)
			if (r->ls[j].fd >= 0 &&
			    !wait_held(&s->children, r->ls[j].fd) &&
			    poll_add(s, n, r->ls[j].fd, SLOT_LISTENER, r,
			    &r->ls[j], 0) == 0)
				n++;
	}
	return n;
}

/*
 * systemd's STATUS= line: services (and how many are down) and
 * counters, sent when they changed but at most once a second.  Returns
 * the ms until a change may be sent (-1: nothing waits).
 */
static long
status_update(struct master *s)
{
	/* services, active, accepted, served, refused, down */
	unsigned long v[STATUS_VALUES] = { s->run.n, 0, 0, 0, 0, 0 };
	char down[32] = "";
	long ms;
	size_t i;

	if (!notify_enabled())
		return -1;
	for (i = 0; i < s->run.n; i++) {
		const struct svc_state *r = &s->run.svc[i];

		v[1] += (unsigned long)r->active;
		v[2] += r->stats.accepted;
		v[3] += r->stats.served;
		v[4] += r->stats.denied + r->stats.busy + r->stats.limited;
		v[5] += r->ndown > 0;
	}
	if (memcmp(v, s->status, sizeof(v)) == 0)
		return -1;
	if ((ms = 1000 - deadline_since(&s->status_at)) > 0)
		return ms;
	if (v[5] > 0)
		snprintf(down, sizeof(down), " (%lu down)", v[5]);
	notify_send("STATUS=%lu service%s%s, active %lu, accepted %lu, "
	    "served %lu, refused %lu", v[0], v[0] == 1 ? "" : "s", down,
	    v[1], v[2], v[3], v[4]);
	memcpy(s->status, v, sizeof(v));
	deadline_now(&s->status_at);
	return -1;
}

/*
 * SIGUSR2: execute the binary on disk in place (upgrade.c); back here
 * only if that did not happen.
 */
static void
upgrade(struct master *s)
{
	struct upgrade_from u = {
		.self = s->self, .config = s->opts->config,
		.port = s->opts->port, .pidfile = s->opts->pidfile,
		.daemonized = s->daemonized,
		.notify = s->notify[0] ? s->notify : NULL,
		.run = &s->run, .children = &s->children, .stats = &s->stats,
	};

	s->got_usr2 = 0;
	if (s->opts->only != NULL) {
		log_msg(LOG_NOTICE, "SIGUSR2: replyd -i is not upgraded in "
		    "place; the next one started is the new binary");
		return;
	}
	notify_reloading();
	upgrade_exec(&u);
	notify_send("READY=1");
}

/*
 * `replyd -i` on a service's own socket leaves it to the superserver
 * once idle: no child, no client waiting, none come for `timeout`
 * seconds.  Returns the ms until then, 0 once idle, -1 while busy or
 * for the master proper.
 */
static long
idle_left(const struct master *s, const struct timespec *now)
{
	const struct svc_state *r = &s->run.svc[0];
	struct timespec end;

	if (s->opts->only == NULL || s->children.n > 0 || r->pending >= 0)
		return -1;
	if (s->opts->conn)
		return 0;	/* its one client is done */
	deadline_after(&end, &s->idle_since, r->svc->timeout * 1000L);
	return deadline_left(&end, now);
}

/*
 * A listener has a client.  A wait service's program takes it (not
 * under `replyd -i`, which is itself inetd's wait-mode program).
 */
static void
listener_ready(struct master *s, struct slot *t, const struct timespec *now)
{
	if (t->run->svc->wait && s->opts->only == NULL)
		accept_wait(s, t->run, t->l, now);
	else if (t->run->svc->proto == PROTO_UDP)
		accept_udp(s, t->run, t->l, now);
	else
		accept_tcp(s, t->run, t->l, now);
}

static void
serve_loop(struct master *s)
{
	struct timespec now;
	struct child *k;
	size_t n, i;
	long wake, idle;

	for (;;) {
		if (s->got_chld)
			reap_all(s);
		/*
		 * A stop read together with a reload or an upgrade wins: the
		 * exec of an upgrade would forget it.
		 */
		if (s->got_term || s->stopping)
			s->got_hup = s->got_usr2 = 0;
		if (s->got_hup)
			reload(s);
		if (s->got_usr1)
			counters(s);
		if (s->got_usr2)
			upgrade(s);
		deadline_now(&now);
		wake = s->stopping ? -1 : bind_retry(&s->run, &now);
		wake = deadline_sooner(wake, reap_expire(s));
		wake = deadline_sooner(wake, status_update(s));
		wake = deadline_sooner(wake, refused_expire(&s->refused, &now));
		if (s->got_term || s->stopping) {
			wake = deadline_sooner(wake, stop_step(s));
			if (s->children.n == 0)
				return;
		}
		if ((idle = idle_left(s, &now)) == 0) {
			if (!s->opts->conn)
				log_msg(LOG_INFO, "%s: no client for %d s: "
				    "leaving the socket to the superserver",
				    s->run.svc[0].svc->name,
				    s->run.svc[0].svc->timeout);
			return;
		}
		wake = deadline_sooner(wake, idle);
		n = poll_set(s, &wake);
		if (poll(s->pfd, n, wake > INT_MAX ? INT_MAX : (int)wake) <= 0)
			continue;
		deadline_now(&now);
		for (i = 0; i < n; i++) {
			struct slot *t = &s->slot[i];

			if (s->pfd[i].revents == 0)
				continue;
			if (t->what == SLOT_SIGNALS)
				signals_read(s);
			else if (t->what == SLOT_REFUSED)
				refused_ready(&s->refused, s->pfd[i].fd);
			else if (t->what == SLOT_LISTENER) {
				s->idle_since = now;
				listener_ready(s, t, &now);
			}
			else if ((k = children_find(&s->children, t->kid)) == NULL)
				continue;
			else if (t->what == SLOT_RELAY)
				udp_pump(&k->relay);
			else if (!stderr_relay_pump(&k->err, reap_child_name(k), k->pid))
				stderr_relay_close(&k->err, reap_child_name(k), k->pid);
		}
	}
}

/*
 * Before the listeners: what this process keeps of what it was started
 * with.  Nothing but the activated sockets, or after an upgrade what the
 * old image handed over: a daemon holding its starter's pipe would keep
 * `replyd | cat` from ending.
 */
static int
inherit(struct master *s)
{
	const char *env = getenv("NOTIFY_SOCKET");
	int n;

	if (realpath("/proc/self/exe", s->self) == NULL)
		s->self[0] = '\0';
	snprintf(s->notify, sizeof(s->notify), "%s", env ? env : "");
	if ((n = upgrade_adopt(&s->daemonized, s->notify,
	    sizeof(s->notify))) < 0)
		return -1;
	if ((s->upgraded = n > 0) && upgrade_trial()) {
		/* A trial's words go to the old image, not to systemd. */
		s->notify[0] = '\0';
	} else if (s->upgraded) {
		if (s->notify[0] != '\0')
			setenv("NOTIFY_SOCKET", s->notify, 1);
		if (s->daemonized)
			log_use_syslog(1);
	} else {
		if ((n = listen_inherit()) < 0)
			return -1;
		fds_close_from(3 + n);
	}
	if (notify_init() < 0)
		log_msg(LOG_WARNING, "NOTIFY_SOCKET: %s: not notifying systemd",
		    strerror(errno));
	return 0;
}

/*
 * The listeners: under `replyd -i` the one socket the superserver
 * handed over, else those inherited, kept or bound.
 */
static int
listeners(struct master *s)
{
	if (s->opts->only != NULL && s->opts->conn)
		return 0;
	if (s->opts->only != NULL)
		return listen_run_adopt(&s->run, s->opts->adopt);
	if (listen_run_open(&s->run, NULL) < 0 ||
	    bind_start(&s->run, s->upgraded) < 0)
		return -1;
	listen_inherit_done();
	return 0;
}

/*
 * `replyd -i` with one client on fd 0 and 1: it becomes the master's own
 * client, on descriptors of the master's (fd 0 and 1 then read and
 * write /dev/null, so that the connection ends with the child).  A
 * socket on both is one client with its peer; a pipe in and out, a
 * client with no address.  Returns the refusal's exit status, or 0.
 */
static int
take_conn(struct master *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct stat a, b;
	struct timespec now;
	int in, out, null;

	in = fcntl(0, F_DUPFD_CLOEXEC, 3);
	out = fstat(0, &a) == 0 && fstat(1, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino ? in : fcntl(1, F_DUPFD_CLOEXEC, 3);
	if (in < 0 || out < 0 ||
	    (null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		log_msg(LOG_ERR, "standard input: %s", strerror(errno));
		return EX_OSERR;
	}
	dup2(null, 0);
	dup2(null, 1);
	close(null);
	deadline_now(&now);
	return accept_client(s, &s->run.svc[0], in, out,
	    getpeername(in, (struct sockaddr *)&ss, &len) == 0 ?
	    (struct sockaddr *)&ss : NULL, &now);
}

/*
 * Listeners, signals, the daemon: ready to serve, or -1 (logged).
 * `replyd -i` (foreground, no pid file) is no daemon.
 */
static int
start(struct master *s, sigset_t *sigs)
{
	const struct master_opts *o = s->opts;

	if (listeners(s) < 0)
		return -1;
	udp_guard(&s->run);
	if ((s->sigfd = signalfd(-1, sigs, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		log_msg(LOG_ERR, "signalfd: %s", strerror(errno));
		return -1;
	}
	if (!o->foreground && !s->daemonized) {
		if (daemon_detach() < 0) {
			log_msg(LOG_ERR, "cannot daemonize: %s",
			    strerror(errno));
			return -1;
		}
		s->daemonized = 1;
	}
	if (o->pidfile != NULL && daemon_pidfile(o->pidfile) < 0) {
		daemon_fail("cannot write %s: %s", o->pidfile, strerror(errno));
		return -1;
	}
	daemon_ready();
	return 0;
}

int
master_run(struct conf *c, const struct master_opts *o)
{
	struct master s = { .opts = o, .sigfd = -1 };
	/* inetd's "wait" gets its socket back with the blocking mode it had. */
	int fl = o->only != NULL && !o->conn ? fcntl(o->adopt, F_GETFL) : -1;
	sigset_t sigs;
	size_t taken;
	int rc = EX_OSERR;

	/* First, so that an upgrade's per_source table is the one used. */
	if (o->only == NULL && inherit(&s) < 0) {
		master_conf_free(c);
		return EX_OSERR;
	}
	if (run_start(&s.run, c) < 0) {
		master_conf_free(c);
		return EX_OSERR;
	}
	if (o->only != NULL)
		run_keep(&s.run, o->only);
	signals_block(&sigs);
	raise_nofile();
	if (start(&s, &sigs) < 0)
		goto out;
	notify_send("READY=1\nMAINPID=%ld", (long)getpid());
	deadline_now(&s.stats.started);
	s.idle_since = s.stats.started;
	taken = upgrade_restore(&s.run, &s.children, &s.stats);
	wait_remap(&s.children);
	if (upgrade_trial()) {
		upgrade_trial_done(&s.run);
		log_msg(LOG_INFO, "upgrade trial: this image can serve");
		rc = 0;
		goto out;
	}
	if (s.upgraded)
		log_msg(LOG_NOTICE, "upgraded: %s serves, %zu children taken "
		    "over", s.self, taken);
	run_publish(&s.run, &s.stats);
	s.status[0] = ~0UL;
	log_tag_pid(1);
	if (o->conn)
		s.last_status = take_conn(&s);
	serve_loop(&s);
	if (o->only == NULL)
		log_msg(LOG_NOTICE, "stopped");
	if (o->pidfile != NULL)
		unlink(o->pidfile);
	rc = o->conn ? s.last_status : 0;
out:
	if (s.sigfd >= 0)
		close(s.sigfd);
	children_free(&s.children);
	ownmem_free(s.pfd, s.cap, sizeof(*s.pfd));
	ownmem_free(s.slot, s.cap, sizeof(*s.slot));
	free(s.req.data);
	run_publish(NULL, NULL);
	refused_end(&s.refused);
	listen_run_close(&s.run);
	c = s.run.conf;		/* a reload may have replaced it */
	run_free(&s.run);
	master_conf_free(c);
	if (fl >= 0)
		fcntl(o->adopt, F_SETFL, fl);
	return rc;
}
