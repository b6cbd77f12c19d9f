/*
 * SIGUSR2: replace the running binary without refusing a connection.
 * The master checks the binary on disk against its configuration (a
 * child runs `replyd -t`), writes what it must hand over into a memfd,
 * clears close-on-exec on the descriptors it hands over, and execs the
 * binary in place: the same pid, so systemd's MAINPID and the pid file
 * hold, and its children stay its children.  Meanwhile the listening
 * sockets stay open, and clients wait in their backlogs.
 *
 * The state is text, one line per thing, so that another version can
 * read it: "M" the master's totals, "D" daemon mode, "N" the systemd
 * notification socket, "L fd service" a listener, "S service ..." a
 * service's counters, "K pid service ..." a child with its relay and
 * stderr descriptors.  The new image reads it back (upgrade_adopt,
 * upgrade_restore) and closes every descriptor it was not told about.
 * If the check or the exec fails, the old image goes on serving.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/fds.h"
#include "lib/log.h"
#include "master/children.h"
#include "master/listeners.h"
#include "master/upgrade.h"

#define UPGRADE_ENV	"REPLYD_UPGRADE"
#define UPGRADE_MAGIC	"replyd-upgrade 1"
/* How long `replyd -t` of the new binary may take. */
#define CHECK_MS	10000

/* Descriptors the new image keeps, read from the state (upgrade_adopt). */
static int keep[4 * 4096];
static size_t nkeep;
static FILE *state;

static void
hex(FILE *f, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0)
		fprintf(f, "%02x", *b++);
	if (p == NULL || b == p)
		fputc('-', f);
}

static int
unhex(const char *s, void *p, size_t n)
{
	unsigned char *b = p;
	unsigned v;

	memset(p, 0, n);
	if (strcmp(s, "-") == 0)
		return 0;
	for (; n > 0 && sscanf(s, "%2x", &v) == 1; s += 2, n--)
		*b++ = (unsigned char)v;
	return 0;
}

/* fd is handed over: across execve, and named in the state. */
static void
pass(int fd)
{
	if (fd >= 0)
		fcntl(fd, F_SETFD, 0);
}

static void
write_kid(FILE *f, const struct child *k)
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
	fputc('\n', f);
	pass(r->fd);
	pass(r->out);
	pass(k->err.fd);
}

static void
write_service(FILE *f, const struct svc_state *r)
{
	const struct svc_stats *st = &r->stats;
	size_t j;

	fprintf(f, "S %s %lu %lu %lu %lu %lu %lu %lu %lu\n", r->svc->name,
	    st->accepted, st->served, st->failed, st->denied, st->busy,
	    st->limited, st->expired, st->forkfail);
	for (j = 0; j < r->nls; j++)
		if (r->ls[j].fd >= 0) {
			fprintf(f, "L %d %s\n", r->ls[j].fd, r->svc->name);
			pass(r->ls[j].fd);
		}
}

/* The state as a memfd (close-on-exec cleared), or -1. */
static int
write_state(const struct upgrade_from *u)
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
	fprintf(f, "%s\nM %lu %lu %lld %ld\nD %d\nN %s\n", UPGRADE_MAGIC,
	    u->stats->reloads, u->stats->forkfail,
	    (long long)u->stats->started.tv_sec, u->stats->started.tv_nsec,
	    u->daemonized, u->notify ? u->notify : "-");
	for (i = 0; i < u->run->n; i++)
		write_service(f, &u->run->svc[i]);
	for (i = 0; i < u->children->n; i++)
		write_kid(f, &u->children->v[i]);
	if (fclose(f) != 0) {
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/*
 * The binary at path must accept the configuration: `path -t -c FILE`
 * in a child, waited for at most CHECK_MS.  0 if it did.
 */
static int
check_binary(const struct upgrade_from *u)
{
	char port[16];
	char *argv[] = { (char *)u->self, "-t", "-c", (char *)u->config,
	    u->port >= 0 ? "-p" : NULL, port, NULL };
	struct timespec nap = { 0, 10 * 1000000L };
	sigset_t none;
	int st, ms, null;
	pid_t pid;

	snprintf(port, sizeof(port), "%d", u->port);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if ((null = open("/dev/null", O_WRONLY)) >= 0)
			dup2(null, 1);
		execv(u->self, argv);
		_exit(127);
	}
	for (ms = 0; ms < CHECK_MS; ms += 10) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 :
			    (errno = 0, -1);
		nanosleep(&nap, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	errno = ETIMEDOUT;
	return -1;
}

/* After a failed exec: everything handed over is ours alone again. */
static void
take_back(const struct upgrade_from *u, int fd)
{
	size_t i, j;

	close(fd);
	for (i = 0; i < u->run->n; i++)
		for (j = 0; j < u->run->svc[i].nls; j++)
			if (u->run->svc[i].ls[j].fd >= 0)
				fcntl(u->run->svc[i].ls[j].fd, F_SETFD,
				    FD_CLOEXEC);
	for (i = 0; i < u->children->n; i++) {
		const struct child *k = &u->children->v[i];

		if (k->relay.fd >= 0)
			fcntl(k->relay.fd, F_SETFD, FD_CLOEXEC);
		if (k->relay.out >= 0)
			fcntl(k->relay.out, F_SETFD, FD_CLOEXEC);
		if (k->err.fd >= 0)
			fcntl(k->err.fd, F_SETFD, FD_CLOEXEC);
	}
}

/* Returns only if the upgrade did not happen (logged). */
void
upgrade_exec(const struct upgrade_from *u)
{
	char env[32], port[16];
	char *argv[10];
	int fd, n = 0;

	if (check_binary(u) < 0) {
		log_msg(LOG_ERR, "upgrade refused: %s -t -c %s failed%s%s; "
		    "still running the old binary", u->self, u->config,
		    errno ? ": " : "", errno ? strerror(errno) : "");
		return;
	}
	if ((fd = write_state(u)) < 0) {
		log_msg(LOG_ERR, "upgrade refused: %s", strerror(errno));
		return;
	}
	argv[n++] = (char *)u->self;
	argv[n++] = "-f";
	argv[n++] = "-c";
	argv[n++] = (char *)u->config;
	if (u->port >= 0) {
		snprintf(port, sizeof(port), "%d", u->port);
		argv[n++] = "-p";
		argv[n++] = port;
	}
	if (u->pidfile != NULL) {
		argv[n++] = "-P";
		argv[n++] = (char *)u->pidfile;
	}
	argv[n] = NULL;
	snprintf(env, sizeof(env), "%d", fd);
	setenv(UPGRADE_ENV, env, 1);
	log_msg(LOG_NOTICE, "upgrading: executing %s", u->self);
	execv(u->self, argv);
	unsetenv(UPGRADE_ENV);
	log_msg(LOG_ERR, "upgrade failed: cannot execute %s: %s; still "
	    "running the old binary", u->self, strerror(errno));
	take_back(u, fd);
}

/* One child of the old image, as written by write_kid. */
struct kid_line {
	long		 pid, nsec;
	long long	 sec;
	char		 svc[128], peer[300], src[64];
	int		 signalled, session_timeout, rfd, out, err, cut;
	size_t		 reqlen, sent;
	double		 amp;
};

static int
read_kid(const char *line, struct kid_line *k)
{
	return sscanf(line, "K %ld %127s %lld %ld %d %d %d %d %d %zu %zu %d "
	    "%lf %299s %63s", &k->pid, k->svc, &k->sec, &k->nsec,
	    &k->signalled, &k->session_timeout, &k->rfd, &k->out, &k->err,
	    &k->reqlen, &k->sent, &k->cut, &k->amp, k->peer, k->src) == 15 ?
	    0 : -1;
}

static void
upgrade_keep_kid(const char *line)
{
	struct kid_line k;

	if (read_kid(line, &k) < 0 ||
	    nkeep + 3 > sizeof(keep) / sizeof(keep[0]))
		return;
	if (k.rfd >= 0)
		keep[nkeep++] = k.rfd;
	if (k.out >= 0)
		keep[nkeep++] = k.out;
	if (k.err >= 0)
		keep[nkeep++] = k.err;
}

/*
 * In the new image, first thing: read the state, hand its listeners to
 * listeners.c (as socket activation does), and close every descriptor it
 * does not name.  Returns 1 if this is an upgrade, 0 if not, -1 on a
 * broken state (logged).  *daemonized and *notify are the old image's.
 */
int
upgrade_adopt(int *daemonized, char *notify, size_t notifysz)
{
	const char *env = getenv(UPGRADE_ENV);
	char line[512], name[128], path[256];
	int fd, n;

	if (env == NULL)
		return 0;
	unsetenv(UPGRADE_ENV);
	fd = atoi(env);
	if (fd < 3 || (state = fdopen(fd, "r")) == NULL ||
	    fgets(line, sizeof(line), state) == NULL ||
	    strncmp(line, UPGRADE_MAGIC, strlen(UPGRADE_MAGIC)) != 0) {
		log_msg(LOG_ERR, "upgrade: the state handed over is unreadable");
		return -1;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	keep[nkeep++] = fd;
	notify[0] = '\0';
	while (fgets(line, sizeof(line), state) != NULL) {
		if (sscanf(line, "D %d", daemonized) == 1)
			continue;
		if (sscanf(line, "N %255s", path) == 1 && strcmp(path, "-"))
			snprintf(notify, notifysz, "%s", path);
		else if (sscanf(line, "L %d %127s", &n, name) == 2 &&
		    nkeep < sizeof(keep) / sizeof(keep[0])) {
			keep[nkeep++] = n;
			listen_adopt(n, name);
		} else if (line[0] == 'K')
			upgrade_keep_kid(line);
	}
	fds_close_all_but(keep, nkeep);
	return 1;
}

static void
restore_kid(struct children *ks, struct run_state *r, const struct kid_line *l)
{
	struct child *k;

	if ((k = children_add(ks)) == NULL)
		return;
	k->pid = (pid_t)l->pid;
	k->run = run_find(r, l->svc);
	k->start.tv_sec = (time_t)l->sec;
	k->start.tv_nsec = l->nsec;
	k->signalled = l->signalled;
	k->session_timeout = l->session_timeout;
	k->relay.fd = l->rfd;
	k->relay.out = l->out;
	k->relay.reqlen = l->reqlen;
	k->relay.sent = l->sent;
	k->relay.cut = l->cut;
	k->relay.amp = l->amp;
	unhex(l->peer, &k->relay.peer, sizeof(k->relay.peer));
	k->relay.peerlen = strcmp(l->peer, "-") ? (socklen_t)strlen(l->peer) / 2 :
	    0;
	snprintf(k->relay.name, sizeof(k->relay.name), "%.64s", l->svc);
	unhex(l->src, &k->src, sizeof(k->src));
	k->err.fd = l->err;
	if (l->rfd >= 0)
		fcntl(l->rfd, F_SETFD, FD_CLOEXEC);
	if (l->out >= 0)
		fcntl(l->out, F_SETFD, FD_CLOEXEC);
	if (l->err >= 0)
		fcntl(l->err, F_SETFD, FD_CLOEXEC);
	if (k->run != NULL)
		k->run->active++;
}

static void
restore_service(struct run_state *r, const char *line)
{
	struct svc_stats st;
	struct svc_state *sr;
	char name[128];

	if (sscanf(line, "S %127s %lu %lu %lu %lu %lu %lu %lu %lu", name,
	    &st.accepted, &st.served, &st.failed, &st.denied, &st.busy,
	    &st.limited, &st.expired, &st.forkfail) == 9 &&
	    (sr = run_find(r, name)) != NULL)
		sr->stats = st;
}

/*
 * Once the new image serves: the old one's children (reaped and counted
 * here from now on), its counters and totals.  Returns the number of
 * children taken over.
 */
size_t
upgrade_restore(struct run_state *r, struct children *ks, struct master_stats *m)
{
	struct kid_line k;
	char line[512];
	long long sec;

	if (state == NULL)
		return 0;
	rewind(state);
	while (fgets(line, sizeof(line), state) != NULL) {
		if (sscanf(line, "M %lu %lu %lld %ld", &m->reloads,
		    &m->forkfail, &sec, &m->started.tv_nsec) == 4)
			m->started.tv_sec = (time_t)sec;
		else if (line[0] == 'S')
			restore_service(r, line);
		else if (line[0] == 'K' && read_kid(line, &k) == 0)
			restore_kid(ks, r, &k);
	}
	fclose(state);
	state = NULL;
	return ks->n;
}
