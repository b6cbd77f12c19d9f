/*
 * SIGUSR2: replace the running binary without refusing a connection, and
 * without ever leaving the service dead.  An upgrade is a transaction:
 *
 *   1. a child runs `replyd -t` with the binary on disk;
 *   2. the master writes what it holds into a memfd and a second child
 *      runs the new binary as a trial: it reads that state, loads the
 *      configuration and its modules, takes the listeners handed over,
 *      binds the new ones, restores children and counters, and exits 0
 *      just before it would serve (upgrade_trial);
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
 * ..." a child with its relay and stderr descriptors, "R" and "E" the
 * rest of that child's UDP exchange and stderr line.  The new image
 * reads it back (upgrade_adopt, upgrade_restore) and closes every
 * descriptor it was not told about.
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
#include <time.h>
#include <unistd.h>

#include "lib/fds.h"
#include "lib/log.h"
#include "master/children.h"
#include "master/listeners.h"
#include "master/upgrade.h"
#include "master/upgrade_try.h"
#include "state/per_source.h"

#define UPGRADE_ENV	"REPLYD_UPGRADE"
#define TRIAL_ENV	"REPLYD_UPGRADE_TRIAL"
#define UPGRADE_MAGIC	"replyd-upgrade "

extern char **environ;

/* Descriptors handed over (old image) or to keep (new image). */
struct fdlist {
	int	*v;
	size_t	 n, cap;
};

static struct fdlist keep;
static FILE *state;
static int trial;

static void
fdlist_add(struct fdlist *l, int fd)
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

static void
fdlist_free(struct fdlist *l)
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

/* Decodes s into p (at most n bytes); returns how many. */
static size_t
unhex(const char *s, void *p, size_t n)
{
	unsigned char *b = p;
	unsigned v;

	memset(p, 0, n);
	if (strcmp(s, "-") == 0)
		return 0;
	for (; n > 0 && sscanf(s, "%2x", &v) == 1; s += 2, n--)
		*b++ = (unsigned char)v;
	return (size_t)(b - (unsigned char *)p);
}

/* fd is handed over: across execve, and named in the state. */
static void
pass(struct fdlist *l, int fd)
{
	if (fd >= 0 && fcntl(fd, F_SETFD, 0) == 0)
		fdlist_add(l, fd);
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
	fputc('\n', f);
	pass(l, r->fd);
	pass(l, r->out);
	pass(l, k->err.fd);
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
	fputc('\n', f);
	for (j = 0; j < r->nls; j++) {
		if ((ls = &r->ls[j])->fd < 0)
			continue;
		fprintf(f, "L %d %s %d %llu %llu\n", ls->fd, r->svc->name,
		    ls->file.made, (unsigned long long)ls->file.dev,
		    (unsigned long long)ls->file.ino);
		pass(l, ls->fd);
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
	fprintf(f, "%s2\nM %lu %lu %lld %ld\nD %d\nN %s\n", UPGRADE_MAGIC,
	    u->stats->reloads, u->stats->forkfail,
	    (long long)u->stats->started.tv_sec, u->stats->started.tv_nsec,
	    u->daemonized, u->notify ? u->notify : "-");
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
	fdlist_free(l);
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
trial_env(char *statevar)
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
	env[n++] = TRIAL_ENV "=1";
	return env;
}

/* Run the new binary as as; 0 if it passed, else logged. */
static int
try_new(const struct upgrade_from *u, enum run_as as, int fd)
{
	char var[64], port[16], end[128], *argv[10], **env = environ;
	struct upgrade_try t;
	int rc;

	args(u, as, argv, port);
	snprintf(var, sizeof(var), "%s=%d", UPGRADE_ENV, fd);
	if (as == AS_TRIAL && (env = trial_env(var)) == NULL) {
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

/* A stop read while the new image was tried wins over the upgrade. */
static int
stop_pending(void)
{
	sigset_t p;

	return sigpending(&p) == 0 && (sigismember(&p, SIGTERM) ||
	    sigismember(&p, SIGINT));
}

/* Returns only if the upgrade did not happen (logged). */
void
upgrade_exec(const struct upgrade_from *u)
{
	struct fdlist handed = { 0 };
	char env[32], port[16];
	char *argv[10];
	int fd;

	if (try_new(u, AS_CHECK, -1) < 0)
		return;
	if ((fd = write_state(u, &handed)) < 0) {
		log_msg(LOG_ERR, "upgrade refused: %s", strerror(errno));
		take_back(&handed);
		return;
	}
	if (try_new(u, AS_TRIAL, fd) < 0 || stop_pending()) {
		if (stop_pending())
			log_msg(LOG_NOTICE, "upgrade abandoned: told to stop");
		close(fd);
		take_back(&handed);
		return;
	}
	lseek(fd, 0, SEEK_SET);		/* the trial read it: one offset */
	args(u, AS_SERVER, argv, port);
	snprintf(env, sizeof(env), "%d", fd);
	setenv(UPGRADE_ENV, env, 1);
	log_msg(LOG_NOTICE, "upgrading: executing %s", u->self);
	execv(u->self, argv);
	unsetenv(UPGRADE_ENV);
	log_msg(LOG_ERR, "upgrade failed: cannot execute %s: %s; still "
	    "running the old binary", u->self, strerror(errno));
	close(fd);
	take_back(&handed);
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
cloexec(int fd)
{
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* A line of the state that names descriptors: keep them. */
static void
adopt_line(const char *line)
{
	struct unixsock_file file = { 0 };
	unsigned long long dev, ino;
	struct kid_line k;
	char name[128];
	int fd;

	if (sscanf(line, "L %d %127s %d %llu %llu", &fd, name, &file.made,
	    &dev, &ino) >= 2) {
		file.dev = (dev_t)dev;
		file.ino = (ino_t)ino;
		/* A trial must leave the files to the old image. */
		file.made = file.made == 1 && !trial;
		fdlist_add(&keep, fd);
		listen_adopt(fd, name, &file);
	} else if (sscanf(line, "P %d", &fd) == 1)
		fdlist_add(&keep, fd);
	else if (sscanf(line, "T %d", &fd) == 1) {
		if (per_source_adopt(fd) < 0)
			log_msg(LOG_WARNING, "upgrade: per_source table not "
			    "taken over: %s", strerror(errno));
		else {
			cloexec(fd);
			fdlist_add(&keep, fd);
		}
	} else if (line[0] == 'K' && read_kid(line, &k) == 0) {
		fdlist_add(&keep, k.rfd);
		fdlist_add(&keep, k.out);
		fdlist_add(&keep, k.err);
	}
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
	char *line = NULL, path[256];
	size_t cap = 0;
	int fd;

	if (env == NULL)
		return 0;
	fd = atoi(env);
	trial = getenv(TRIAL_ENV) != NULL;
	unsetenv(UPGRADE_ENV);
	unsetenv(TRIAL_ENV);
	if (fd < 3 || (state = fdopen(fd, "r")) == NULL ||
	    getline(&line, &cap, state) < 0 ||
	    strncmp(line, UPGRADE_MAGIC, strlen(UPGRADE_MAGIC)) != 0) {
		log_msg(LOG_ERR, "upgrade: the state handed over is unreadable");
		free(line);
		return -1;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fdlist_add(&keep, fd);
	notify[0] = '\0';
	while (getline(&line, &cap, state) > 0) {
		if (sscanf(line, "D %d", daemonized) == 1)
			continue;
		if (sscanf(line, "N %255s", path) == 1 && strcmp(path, "-"))
			snprintf(notify, notifysz, "%s", path);
		else
			adopt_line(line);
	}
	free(line);
	fds_close_all_but(keep.v, keep.n);
	fdlist_free(&keep);
	return 1;
}

/* Whether this image only tries whether it could serve (upgrade.c, 2). */
int
upgrade_trial(void)
{
	return trial;
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
	k->relay.peerlen = (socklen_t)unhex(l->peer, &k->relay.peer,
	    sizeof(k->relay.peer));
	snprintf(k->relay.name, sizeof(k->relay.name), "%.64s", l->svc);
	unhex(l->src, &k->src, sizeof(k->src));
	k->err.fd = l->err;
	cloexec(l->rfd);
	cloexec(l->out);
	cloexec(l->err);
	if (k->run != NULL)
		k->run->active++;
}

/* The rest of a child: its UDP exchange's log context, its stderr line. */
static void
restore_kid_rest(struct children *ks, const char *line)
{
	char text[2 * STDERR_RELAY_LINE + 2];
	struct child *k;
	long pid;
	unsigned u;
	unsigned long ul;
	size_t z;

	if (sscanf(line, "R %ld %u %zu %513s", &pid, &u, &z, text) == 4 &&
	    (k = children_find(ks, (pid_t)pid)) != NULL) {
		k->relay.failed = u;
		k->relay.free = z;
		unhex(text, k->relay.peertext, sizeof(k->relay.peertext) - 1);
	} else if (sscanf(line, "E %ld %u %lu %513s", &pid, &u, &ul,
	    text) == 4 && (k = children_find(ks, (pid_t)pid)) != NULL) {
		k->err.lines = u;
		k->err.dropped = ul;
		k->err.len = unhex(text, k->err.buf, sizeof(k->err.buf));
	}
}

/* The last field of line, which ends in a newline, in place. */
static char *
last_field(char *line)
{
	char *p = strrchr(line, ' ');

	line[strcspn(line, "\n")] = '\0';
	return p != NULL ? p + 1 : line;
}

static void
restore_service(struct run_state *r, char *line)
{
	struct svc_stats st;
	struct svc_state *sr;
	char name[128], *b;

	if (sscanf(line, "S %127s %lu %lu %lu %lu %lu %lu %lu %lu", name,
	    &st.accepted, &st.served, &st.failed, &st.denied, &st.busy,
	    &st.limited, &st.expired, &st.forkfail) != 9 ||
	    (sr = run_find(r, name)) == NULL)
		return;
	sr->stats = st;
	/* Another version's bucket may have another size: start afresh. */
	if (strlen(b = last_field(line)) == 2 * sizeof(sr->bucket))
		unhex(b, &sr->bucket, sizeof(sr->bucket));
}

/* One used entry of a service's per_source_rate table. */
static void
restore_srcrate(struct run_state *r, char *line)
{
	struct svc_state *sr;
	char name[128], *b;
	size_t i;

	if (sscanf(line, "B %127s %zu", name, &i) != 2 || i >= RATE_SOURCES ||
	    (sr = run_find(r, name)) == NULL || strlen(b =
	    last_field(line)) != 2 * sizeof(*sr->srcrate))
		return;
	if (sr->srcrate == NULL &&
	    (sr->srcrate = calloc(RATE_SOURCES, sizeof(*sr->srcrate))) == NULL)
		return;
	unhex(b, &sr->srcrate[i], sizeof(sr->srcrate[i]));
}

/* A client that was waiting for a child waits on here (closed if its
 * service is gone). */
static void
restore_pending(struct run_state *r, const char *line)
{
	char name[128], src[64];
	struct svc_state *sr;
	long long sec;
	long nsec;
	int fd;

	if (sscanf(line, "P %d %127s %lld %ld %63s", &fd, name, &sec, &nsec,
	    src) != 5)
		return;
	cloexec(fd);
	if ((sr = run_find(r, name)) == NULL || sr->pending >= 0) {
		close(fd);
		return;
	}
	sr->pending = fd;
	sr->pending_since.tv_sec = (time_t)sec;
	sr->pending_since.tv_nsec = nsec;
	unhex(src, &sr->pending_src, sizeof(sr->pending_src));
}

/*
 * Once the new image serves: the old one's children (reaped and counted
 * here from now on), its counters, buckets, waiting clients and totals.
 * Returns the number of children taken over.
 */
size_t
upgrade_restore(struct run_state *r, struct children *ks, struct master_stats *m)
{
	struct kid_line k;
	char *line = NULL;
	size_t cap = 0;
	long long sec;

	if (state == NULL)
		return 0;
	rewind(state);
	while (getline(&line, &cap, state) > 0) {
		if (sscanf(line, "M %lu %lu %lld %ld", &m->reloads,
		    &m->forkfail, &sec, &m->started.tv_nsec) == 4)
			m->started.tv_sec = (time_t)sec;
		else if (line[0] == 'S')
			restore_service(r, line);
		else if (line[0] == 'B')
			restore_srcrate(r, line);
		else if (line[0] == 'P')
			restore_pending(r, line);
		else if (line[0] == 'K' && read_kid(line, &k) == 0)
			restore_kid(ks, r, &k);
		else if (line[0] == 'R' || line[0] == 'E')
			restore_kid_rest(ks, line);
	}
	free(line);
	fclose(state);
	state = NULL;
	return ks->n;
}
