/*
 * SIGUSR2: replace the running binary without refusing a connection, and
 * without ever leaving the service dead.  An upgrade is a transaction:
 *
 *   1. a child runs `replyd -t` with the binary on disk;
 *   2. the master writes what it holds into a memfd and a second child
 *      runs the new binary as a trial: it reads that state, loads the
 *      configuration and its modules, takes the listeners handed over,
 *      binds the new ones, restores children and counters, sends the
 *      sockets it bound back over a socketpair (so that the new image
 *      takes them, not a port someone took meanwhile), and exits 0 just
 *      before it would serve (upgrade_trial, upgrade_trial_done);
 *   3. only then does the master exec the binary in place: the same pid,
 *      so systemd's MAINPID and the pid file hold, and its children stay
 *      its children.
 *
 * Until 3 the old image has given nothing up: a failure at 1 or 2 (a
 * missing or broken binary, a configuration or a port the new image
 * refuses, too few descriptors, a crash) is logged with the new image's
 * exit status and last words, and the old image goes on serving with
 * its old configuration.  The trial runs beside the old image, not in
 * its place, so that even a crash cannot take the pid down.
 *
 * The state is text, one line per thing, so that another version can
 * read it, and has no fixed limit: "M" the master's totals, "D" daemon
 * mode, "N" the systemd notification socket, "T fd" the per_source
 * table, "S service ..." a service's counters and rate bucket, "L fd
 * service made dev ino" a listener and the socket file replyd made for
 * it, "B service i ..." an entry of its per_source_rate table, "P fd
 * service ..." a client waiting for a child, "K pid service
 * ..." a child with its relay and stderr descriptors, "R", "E" and "C"
 * the rest of that child's UDP exchange, its stderr line and the
 * master's copy of its TCP connection (kept until the child is gone),
 * "W pid fd" the listener a wait service's program holds (an "L" line
 * hands it over; it stays out of the new image's poll set), "Q service
 * ..." the clients that waited for it.  The new image
 * reads it back (upgrade_adopt, upgrade_restore) and closes every
 * descriptor it was not told about.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "master/children.h"
#include "master/listeners.h"
#include "master/upgrade.h"
#include "master/upgrade_int.h"
#include "master/upgrade_try.h"
#include "state/per_source.h"

extern char **environ;

void
upgrade_fdlist_add(struct fdlist *l, int fd)
{
	int *v;
	size_t cap;

	if (fd < 0)
		return;
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		if ((v = reallocarray(l->v, cap, sizeof(*v))) == NULL)
			return;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = fd;
}

void
upgrade_fdlist_free(struct fdlist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
hex(FILE *f, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0)
		fprintf(f, "%02x", *b++);
	if (p == NULL || b == p)
		fputc('-', f);
}

/* fd is handed over: across execve, and named in the state. */
static void
pass(struct fdlist *l, int fd)
{
	if (fd >= 0 && fcntl(fd, F_SETFD, 0) == 0)
		upgrade_fdlist_add(l, fd);
}

static void
write_kid(FILE *f, const struct child *k, struct fdlist *l)
{
	const struct udp_relay *r = &k->relay;

	fprintf(f, "K %ld %s %lld %ld %d %d %d %d %d %zu %zu %d %.17g ",
	    (long)k->pid, k->run ? k->run->svc->name : "-",
	    (long long)k->start.tv_sec, k->start.tv_nsec, k->signalled,
	    k->session_timeout, r->fd, r->out, k->err.fd, r->reqlen, r->sent,
	    r->cut, r->amp);
	hex(f, &r->peer, r->fd >= 0 ? r->peerlen : 0);
	fputc(' ', f);
	hex(f, &k->src, sizeof(k->src));
	fprintf(f, "\nR %ld %u %zu ", (long)k->pid, r->failed, r->free);
	hex(f, r->peertext, strlen(r->peertext));
	fprintf(f, "\nE %ld %u %lu ", (long)k->pid, k->err.lines,
	    k->err.dropped);
	hex(f, k->err.buf, k->err.len);
	fprintf(f, "\nC %ld %d %u\n", (long)k->pid, k->conn, r->dgrams);
	if (k->held >= 0)
		fprintf(f, "W %ld %d\n", (long)k->pid, k->held);
	pass(l, r->fd);
	pass(l, r->out);
	pass(l, k->err.fd);
	pass(l, k->conn);
}

/* The used entries of a service's per_source_rate table. */
static void
write_srcrate(FILE *f, const struct svc_state *r)
{
	static const struct srcbucket none;
	size_t i;

	for (i = 0; r->srcrate != NULL && i < RATE_SOURCES; i++)
		if (memcmp(&r->srcrate[i], &none, sizeof(none)) != 0) {
			fprintf(f, "B %s %zu ", r->svc->name, i);
			hex(f, &r->srcrate[i], sizeof(r->srcrate[i]));
			fputc('\n', f);
		}
}

static void
write_service(FILE *f, const struct svc_state *r, struct fdlist *l)
{
	const struct svc_stats *st = &r->stats;
	const struct listener *ls;
	size_t j;

	fprintf(f, "S %s %lu %lu %lu %lu %lu %lu %lu %lu ", r->svc->name,
	    st->accepted, st->served, st->failed, st->denied, st->busy,
	    st->limited, st->expired, st->forkfail);
	hex(f, &r->bucket, sizeof(r->bucket));
	fprintf(f, "\nQ %s %lu %lu\n", r->svc->name, st->waited_children,
	    st->waited_rate);
	for (j = 0; j < r->nls; j++) {
		if ((ls = &r->ls[j])->fd < 0)
			continue;
		fprintf(f, "L %d %s %d %llu %llu\n", ls->fd, r->svc->name,
		    ls->file.made, (unsigned long long)ls->file.dev,
		    (unsigned long long)ls->file.ino);
		pass(l, ls->fd);
	}
	/* What is down stays down in the new image, and only that. */
	for (j = 0; j < r->nls; j++)
		if ((ls = &r->ls[j])->fd < 0 && ls->err != 0) {
			fprintf(f, "W %s ", r->svc->name);
			hex(f, ls->spec, ls->spec ? strlen(ls->spec) : 0);
			fputc('\n', f);
		}
	if (r->pending >= 0) {
		fprintf(f, "P %d %s %lld %ld ", r->pending, r->svc->name,
		    (long long)r->pending_since.tv_sec,
		    r->pending_since.tv_nsec);
		hex(f, &r->pending_src, sizeof(r->pending_src));
		fputc('\n', f);
		pass(l, r->pending);
	}
	write_srcrate(f, r);
}

/* The state as a memfd (close-on-exec cleared), or -1. */
static int
write_state(const struct upgrade_from *u, struct fdlist *l)
{
	FILE *f;
	size_t i;
	int fd;

	if ((fd = memfd_create("replyd-upgrade", 0)) < 0)
		return -1;
	if ((f = fdopen(dup(fd), "w")) == NULL) {
		close(fd);
		return -1;
	}
	/* Fields past the fourth of M, lines of new letters: older images
	 * skip them. */
	fprintf(f, "%s2\nM %lu %lu %lld %ld %lu\nD %d\nN %s\n",
	    UPGRADE_MAGIC, u->stats->reloads, u->stats->forkfail,
	    (long long)u->stats->started.tv_sec, u->stats->started.tv_nsec,
	    u->stats->reloads_failed, u->daemonized, u->notify ? u->notify : "-");
	if (per_source_fd() >= 0) {
		fprintf(f, "T %d\n", per_source_fd());
		pass(l, per_source_fd());
	}
	for (i = 0; i < u->run->n; i++)
		write_service(f, &u->run->svc[i], l);
	for (i = 0; i < u->children->n; i++)
		write_kid(f, &u->children->v[i], l);
	if (fclose(f) != 0) {
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Everything handed over is ours alone again. */
static void
take_back(struct fdlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		fcntl(l->v[i], F_SETFD, FD_CLOEXEC);
	upgrade_fdlist_free(l);
}

enum run_as { AS_CHECK, AS_TRIAL, AS_SERVER };

/*
 * The new image's command line: `-t`, or the master's own options (the
 * trial writes no pid file).
 */
static void
args(const struct upgrade_from *u, enum run_as as, char **argv, char *port)
{
	int n = 0;

	argv[n++] = (char *)u->self;
	argv[n++] = as == AS_CHECK ? "-t" : "-f";
	argv[n++] = "-c";
	argv[n++] = (char *)u->config;
	if (u->port >= 0) {
		snprintf(port, 16, "%d", u->port);
		argv[n++] = "-p";
		argv[n++] = port;
	}
	if (u->pidfile != NULL && as == AS_SERVER) {
		argv[n++] = "-P";
		argv[n++] = (char *)u->pidfile;
	}
	argv[n] = NULL;
}

/*
 * The trial's environment: ours, the state's descriptor, and no
 * notification socket (a trial must not tell systemd anything).
 */
static char **
trial_env(char *statevar, char *chanvar)
{
	char **env;
	size_t i, n = 0;

	for (i = 0; environ[i] != NULL; i++)
		;
	if ((env = calloc(i + 3, sizeof(*env))) == NULL)
		return NULL;
	for (i = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "NOTIFY_SOCKET=", 14) != 0)
			env[n++] = environ[i];
	env[n++] = statevar;
	env[n++] = chanvar;
	return env;
}

/*
 * Run the new binary as as (a trial reads the state in fd and sends
 * back on chan what it bound); 0 if it passed, else logged.
 */
static int
try_new(const struct upgrade_from *u, enum run_as as, int fd, int chan)
{
	char var[64], cvar[64], port[16], end[128], *argv[10];
	char **env = environ;
	struct upgrade_try t;
	int rc;

	args(u, as, argv, port);
	snprintf(var, sizeof(var), "%s=%d", UPGRADE_ENV, fd);
	snprintf(cvar, sizeof(cvar), "%s=%d", TRIAL_ENV, chan);
	if (as == AS_TRIAL && (env = trial_env(var, cvar)) == NULL) {
		log_msg(LOG_ERR, "upgrade refused: out of memory");
		return -1;
	}
	rc = upgrade_try(&t, u->self, argv, env);
	if (env != environ)
		free(env);
	if (rc == 0)
		return 0;
	upgrade_try_end(&t, end, sizeof(end));
	if (as == AS_CHECK)
		log_msg(LOG_ERR, "upgrade refused: %s -t -c %s failed (%s); "
		    "still running the old binary", u->self, u->config, end);
	else
		log_msg(LOG_ERR, "upgrade refused: the new image cannot serve "
		    "(%s); still running the old binary and configuration",
		    end);
	upgrade_try_log(&t, "upgrade refused: the new image");
	return -1;
}

/*
 * The listeners the trial bound itself, sent back on chan with their
 * service and socket file: named in the state, so that the new image
 * takes them rather than binding again, and a port another program
 * takes between the trial and the exec cannot fail it.
 */
static void
take_fresh(int chan, int statefd, struct fdlist *fresh)
{
	union {
		char		b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr	align;
	} u;
	char buf[256];
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr m;
	struct cmsghdr *c;
	ssize_t n;
	int fd;

	lseek(statefd, 0, SEEK_END);
	for (;;) {
		memset(&m, 0, sizeof(m));
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = u.b;
		m.msg_controllen = sizeof(u.b);
		if ((n = recvmsg(chan, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)) <= 0)
			break;
		if ((c = CMSG_FIRSTHDR(&m)) == NULL ||
		    c->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		buf[n] = '\0';
		if (dprintf(statefd, "L %d %s\n", fd, buf) < 0) {
			close(fd);
			break;
		}
		pass(fresh, fd);
	}
	lseek(statefd, 0, SEEK_SET);
}

/*
 * Steps 1 and 2: `-t`, then the trial, with the state in *fd.  0 once
 * both passed; else logged, and everything is the old image's again.
 */
static int
try_both(const struct upgrade_from *u, int *fd, struct fdlist *handed,
    struct fdlist *fresh)
{
	int chan[2] = { -1, -1 }, rc = -1;

	if (try_new(u, AS_CHECK, -1, -1) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan) < 0 ||
	    (*fd = write_state(u, handed)) < 0) {
		log_msg(LOG_ERR, "upgrade refused: %s", strerror(errno));
		*fd = -1;
	} else if (fcntl(chan[1], F_SETFD, 0) == 0 &&
	    try_new(u, AS_TRIAL, *fd, chan[1]) == 0) {
		take_fresh(chan[0], *fd, fresh);
		rc = 0;
	}
	if (chan[0] >= 0) {
		close(chan[0]);
		close(chan[1]);
	}
	/* A stop read while the new image was tried wins over the upgrade. */
	if (rc == 0 && upgrade_stop_pending()) {
		log_msg(LOG_NOTICE, "upgrade abandoned: told to stop");
		rc = -1;
	}
	return rc;
}

/* Returns only if the upgrade did not happen (logged). */
void
upgrade_exec(const struct upgrade_from *u)
{
	struct fdlist handed = { 0 }, fresh = { 0 };
	char env[32], port[16];
	char *argv[10];
	size_t i;
	int fd = -1;

	if (try_both(u, &fd, &handed, &fresh) == 0) {
		args(u, AS_SERVER, argv, port);
		snprintf(env, sizeof(env), "%d", fd);
		setenv(UPGRADE_ENV, env, 1);
		log_msg(LOG_NOTICE, "upgrading: executing %s", u->self);
		execv(u->self, argv);
		unsetenv(UPGRADE_ENV);
		log_msg(LOG_ERR, "upgrade failed: cannot execute %s: %s; still "
		    "running the old binary", u->self, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	for (i = 0; i < fresh.n; i++)
		close(fresh.v[i]);
	upgrade_fdlist_free(&fresh);
	take_back(&handed);
}

