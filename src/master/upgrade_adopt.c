/*
 * SIGUSR2, the new image's side (upgrade.c says the whole of it): read
 * the state the old image wrote, keep the descriptors it names and no
 * other, give its listeners to listeners.c and, once this image has its
 * run state, its children, counters, buckets and waiting clients.  A
 * trial does the same and then stops: it hands the sockets it bound
 * itself back to the old image, and leaves every socket file alone.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/fds.h"
#include "lib/log.h"
#include "master/bind_retry.h"
#include "master/children.h"
#include "master/listeners.h"
#include "master/upgrade.h"
#include "master/upgrade_int.h"
#include "state/per_source.h"

static struct fdlist keep;
static struct fdlist adopted;	/* the listeners handed over */
static FILE *state;
static int trial;		/* this image is a trial */
static int trial_chan = -1;	/* where it sends what it bound */

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
	char name[128], spec[512], hexspec[1024];
	int fd;

	if (sscanf(line, "L %d %127s %d %llu %llu", &fd, name, &file.made,
	    &dev, &ino) >= 2) {
		file.dev = (dev_t)dev;
		file.ino = (ino_t)ino;
		/* A trial must leave the files to the old image. */
		file.made = file.made == 1 && !trial;
		upgrade_fdlist_add(&keep, fd);
		upgrade_fdlist_add(&adopted, fd);
		listen_adopt(fd, name, &file);
	} else if (sscanf(line, "W %127s %1023s", name, hexspec) == 2) {
		unhex(hexspec, spec, sizeof(spec) - 1);
		spec[sizeof(spec) - 1] = '\0';
		bind_was_down(name, spec[0] != '\0' ? spec : NULL);
	} else if (sscanf(line, "P %d", &fd) == 1)
		upgrade_fdlist_add(&keep, fd);
	else if (sscanf(line, "T %d", &fd) == 1) {
		if (per_source_adopt(fd) < 0)
			log_msg(LOG_WARNING, "upgrade: per_source table not "
			    "taken over: %s", strerror(errno));
		else {
			cloexec(fd);
			upgrade_fdlist_add(&keep, fd);
		}
	} else if (sscanf(line, "C %*d %d", &fd) == 1)
		upgrade_fdlist_add(&keep, fd);
	else if (line[0] == 'K' && read_kid(line, &k) == 0) {
		upgrade_fdlist_add(&keep, k.rfd);
		upgrade_fdlist_add(&keep, k.out);
		upgrade_fdlist_add(&keep, k.err);
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
	if ((env = getenv(TRIAL_ENV)) != NULL) {
		trial = 1;
		trial_chan = atoi(env);
		fcntl(trial_chan, F_SETFD, FD_CLOEXEC);
		upgrade_fdlist_add(&keep, trial_chan);
	}
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
	upgrade_fdlist_add(&keep, fd);
	bind_upgrading();
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
	upgrade_fdlist_free(&keep);
	return 1;
}

/* Whether this image only tries whether it could serve (step 2). */
int
upgrade_trial(void)
{
	return trial;
}

static int
was_adopted(int fd)
{
	size_t i;

	for (i = 0; i < adopted.n; i++)
		if (adopted.v[i] == fd)
			return 1;
	return 0;
}

/* One listener the trial bound, to the old image (take_fresh). */
static int
send_fresh(const struct listener *l, const char *service)
{
	union {
		char		b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr	align;
	} u;
	char buf[256];
	struct iovec iov = { buf, 0 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct cmsghdr *c;

	iov.iov_len = (size_t)snprintf(buf, sizeof(buf), "%s %d %llu %llu",
	    service, l->file.made, (unsigned long long)l->file.dev,
	    (unsigned long long)l->file.ino);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &l->fd, sizeof(int));
	return sendmsg(trial_chan, &m, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/*
 * A trial that could serve: the listeners it bound itself go to the old
 * image, for the new one; the socket files it made are theirs now.
 */
void
upgrade_trial_done(struct run_state *r)
{
	struct listener *l;
	size_t i, j;

	for (i = 0; i < r->n; i++)
		for (j = 0; j < r->svc[i].nls; j++) {
			l = &r->svc[i].ls[j];
			if (l->fd >= 0 && !was_adopted(l->fd) &&
			    send_fresh(l, r->svc[i].svc->name) == 0)
				l->file.made = 0;
		}
	upgrade_fdlist_free(&adopted);
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
	if (k->run != NULL) {
		k->run->active++;
		k->relay.log_requests = k->run->svc->log >= CONF_LOG_REQUESTS;
	}
}

/* Who the master's copy of a connection is with, for the end line. */
static void
restore_peer(struct child *k, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct addr_text t;

	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    addr_text((struct sockaddr *)&ss, &t) == 0)
		addr_join(&t, k->peer, sizeof(k->peer));
}

/*
 * The rest of a child: its UDP exchange's log context and count, its
 * stderr line, the master's copy of its connection, the listener it
 * holds.
 */
static void
restore_kid_rest(struct children *ks, const char *line)
{
	char text[2 * STDERR_RELAY_LINE + 2];
	struct child *k;
	long pid;
	unsigned u;
	unsigned long ul;
	size_t z;
	int fd;

	if (sscanf(line, "R %ld %u %zu %513s", &pid, &u, &z, text) == 4 &&
	    (k = children_find(ks, (pid_t)pid)) != NULL) {
		k->relay.failed = u;
		k->relay.free = z;
		unhex(text, k->relay.peertext, sizeof(k->relay.peertext) - 1);
		snprintf(k->peer, sizeof(k->peer), "%s", k->relay.peertext);
	} else if (sscanf(line, "E %ld %u %lu %513s", &pid, &u, &ul,
	    text) == 4 && (k = children_find(ks, (pid_t)pid)) != NULL) {
		k->err.lines = u;
		k->err.dropped = ul;
		k->err.len = unhex(text, k->err.buf, sizeof(k->err.buf));
	} else if (sscanf(line, "C %ld %d %u", &pid, &fd, &u) == 3 &&
	    (k = children_find(ks, (pid_t)pid)) != NULL) {
		cloexec(fd);
		k->conn = fd;
		k->relay.dgrams = u;
		restore_peer(k, fd);
	} else if (sscanf(line, "W %ld %d", &pid, &fd) == 2 &&
	    (k = children_find(ks, (pid_t)pid)) != NULL)
		k->held = fd;	/* a listener, kept by its "L" line */
}

/* The last field of line, which ends in a newline, in place. */
static char *
last_field(char *line)
{
	char *p = strrchr(line, ' ');

	line[strcspn(line, "\n")] = '\0';
	return p != NULL ? p + 1 : line;
}

/* Q: the waited counters, after the service's S line. */
static void
restore_waited(struct run_state *r, const char *line)
{
	unsigned long ch, rate;
	struct svc_state *sr;
	char name[128];

	if (sscanf(line, "Q %127s %lu %lu", name, &ch, &rate) != 3 ||
	    (sr = run_find(r, name)) == NULL)
		return;
	sr->stats.waited_children = ch;
	sr->stats.waited_rate = rate;
}

static void
restore_service(struct run_state *r, char *line)
{
	struct svc_stats st = { 0 };
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
		if (sscanf(line, "M %lu %lu %lld %ld %lu", &m->reloads,
		    &m->forkfail, &sec, &m->started.tv_nsec,
		    &m->reloads_failed) >= 4)
			m->started.tv_sec = (time_t)sec;
		else if (line[0] == 'Q')
			restore_waited(r, line);
		else if (line[0] == 'S')
			restore_service(r, line);
		else if (line[0] == 'B')
			restore_srcrate(r, line);
		else if (line[0] == 'P')
			restore_pending(r, line);
		else if (line[0] == 'K' && read_kid(line, &k) == 0)
			restore_kid(ks, r, &k);
		else if (line[0] == 'R' || line[0] == 'E' || line[0] == 'C' ||
		    line[0] == 'W')
			restore_kid_rest(ks, line);
	}
	free(line);
	fclose(state);
	state = NULL;
	return ks->n;
}
