/*
 * New clients: accept a connection (or take a datagram), decide on it
 * (admit.c), and start its child (spawn.c).  A service that has no room
 * (max_children, rate, a rest after EMFILE or a failed fork) is not
 * polled, so its clients wait in the kernel's backlog.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "child/spawn.h"
#include "client/admit.h"
#include "client/conn.h"
#include "handlers/handler.h"
#include "lib/io.h"
#include "lib/log.h"
#include "master/master_int.h"

/*
 * Start a child of r on f for the client c (the one way the master
 * starts children, for a client or a wait service's program): counted
 * before the fork, so that a status child sees itself, and given the
 * stderr relay of a handler that is not ours.  Returns its entry, or
 * NULL (errno set, counted and logged) with f still the caller's.
 */
static struct child *
accept_spawn(struct master *s, struct svc_state *r, struct spawn_fds f,
    const struct timespec *now, const struct conn *c)
{
	const struct service *svc = r->svc;
	struct stderr_relay err = { .fd = -1 };
	struct child *k = NULL;
	pid_t pid = -1;
	int e;

	r->active++;
	r->stats.accepted++;
	if ((svc->handler->flags & HANDLER_STDERR) &&
	    stderr_relay_open(&err, &f.err) < 0)
		;
	else if ((k = children_add(&s->children)) != NULL)
		pid = spawn_conn(c, spawn_how(svc), &f);
	e = errno;
	if (f.err >= 0)
		close(f.err);
	if (pid < 0) {
		r->active--;
		r->stats.accepted--;
		r->stats.forkfail++;
		s->stats.forkfail++;
		if (err.fd >= 0)
			close(err.fd);
		if (k != NULL)
			children_remove(&s->children, k);
		log_msg(LOG_ERR, "%s: cannot start a child for %s: %s",
		    svc->name, c->peer, strerror(e));
		errno = e;
		return NULL;
	}
	k->pid = pid;
	k->run = r;
	k->session_timeout = svc->session_timeout;
	k->start = *now;
	k->err = err;
	return k;
}

/*
 * Start a child for fd[0] and fd[1] (a connection twice, or the ends of
 * a UDP relay), the client described by c.  On success the master keeps
 * a connection until the child is gone (reap.c closes it without a
 * reset) and no relay end; on failure (NULL, errno set, counted and
 * logged) they are still the caller's.  The master logs a TCP connect itself,
 * before the child starts, so that the line comes before the child's
 * own; a PROXY service's child says it once it knows the real client.
 */
static struct child *
start_child(struct master *s, struct svc_state *r, const int fd[2],
    const struct srckey *src, const struct timespec *now, struct conn *c)
{
	const struct service *svc = r->svc;
	/* TCP whose client the master knows: no PROXY header to read. */
	int plain = svc->proto == PROTO_TCP && !svc->proxy_protocol;
	struct child *k;

	c->announced = plain && svc->log >= CONF_LOG_REQUESTS;
	if (c->announced)
		log_msg(svc->log_facility | LOG_INFO, "%s: connect from %s",
		    svc->name, c->peer);
	k = accept_spawn(s, r, (struct spawn_fds){ fd[0], fd[1], -1 }, now, c);
	if (k == NULL)
		return NULL;
	if (fd[1] != fd[0]) {
		close(fd[0]);
		close(fd[1]);
	} else
		k->conn = fd[0];
	k->src = *src;
	/* A PROXY service's child names the client; here, its balancer. */
	snprintf(k->peer, sizeof(k->peer), "%s%s", c->peer,
	    svc->proxy_protocol ? " (balancer)" : "");
	return k;
}

/*
 * Out of fds or memory (EMFILE, ENFILE, ENOBUFS...): the pending client
 * stays in the backlog, and polling its listener again at once would
 * spin.  Rest the service PAUSE_MS, logging once per pause.
 */
#define PAUSE_MS 500

static void
pause_service(struct svc_state *r, const struct timespec *now,
    const char *what)
{
	log_msg(LOG_ERR, "%s: %s: %s; pausing %d ms", r->svc->name, what,
	    strerror(errno), PAUSE_MS);
	deadline_after(&r->paused_until, now, PAUSE_MS);
}

/*
 * Room for one more child of r: 0 if there is now, else the ms until
 * there may be (the rest after a failure, the rate bucket's next
 * token), -1 not before a child ends (max_children).  The poll set
 * (loop.c) and every accept ask this, so a service is polled exactly
 * when it may take a client.
 */
long
accept_room_ms(const struct svc_state *r, const struct timespec *now)
{
	long ms;

	if (r->active >= r->svc->max_children)
		return -1;
	if ((ms = deadline_left(&r->paused_until, now)) > 0)
		return ms;
	return r->svc->rate > 0 ?
	    bucket_wait_ms(&r->bucket, r->svc->rate, now) : 0;
}

/*
 * Clients that wait in the backlog while a service is full are the
 * kernel's, unseen by the master, which stops polling the service.
 * When it stops taking clients, the reason is noted; when it takes one
 * again, the listeners' queues say how many waited (two system calls a
 * time the service fills, none per connection).  Logged at most once a
 * second per service and reason, as refusals are.
 */
static void
note_full(struct svc_state *r, const struct timespec *now)
{
	if (r->full != FULL_NOT || accept_room_ms(r, now) == 0)
		return;
	if (r->active >= r->svc->max_children)
		r->full = FULL_CHILDREN;
	else if (deadline_left(&r->paused_until, now) == 0)
		r->full = FULL_RATE;
}

static void
count_waited(struct svc_state *r)
{
	static const char *const why[] = { "", "max_children", "rate" };
	const struct service *svc = r->svc;
	long q, n = 0;
	size_t i;

	for (i = 0; i < r->nls; i++)
		if (r->ls[i].fd >= 0 && (q = io_listen_queue(r->ls[i].fd)) > 0)
			n += q;
	/* Those counted last time and not taken since are no news. */
	q = n;
	n = n > r->waited_seen ? n - r->waited_seen : 0;
	r->waited_seen = q;
	if (n > 0) {
		if (r->full == FULL_CHILDREN)
			r->stats.waited_children += n;
		else
			r->stats.waited_rate += n;
		admit_note(svc, why[r->full], "%s: %ld client%s waited for "
		    "%s", svc->name, n, n == 1 ? "" : "s", why[r->full]);
	}
	r->full = FULL_NOT;
}

void
accept_tcp(struct master *s, struct svc_state *r, struct listener *l,
    const struct timespec *now)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	if (accept_room_ms(r, now) != 0)
		return;
	if (r->full != FULL_NOT)
		count_waited(r);
	fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EINTR && errno != ECONNABORTED &&
		    errno != EAGAIN && errno != EWOULDBLOCK)
			pause_service(r, now, "accept");
		return;
	}
	if (r->waited_seen > 0)
		r->waited_seen--;
	accept_client(s, r, fd, fd, (struct sockaddr *)&ss, now);
	note_full(r, now);
}

/*
 * A client that came, on in and out (one socket twice; two descriptors
 * only for `replyd -i` on a pipe): judge it (admit.c), then start its
 * child.  peer is NULL for a client with no address (a pipe), which is
 * not judged.  The fds are never the caller's again: handed to a child,
 * closed with the refusal, or kept pending until the service can start
 * a child (a socket; two descriptors are closed).  Returns the exit
 * status that says the client was refused, 0 otherwise.
 */
int
accept_client(struct master *s, struct svc_state *r, int in, int out,
    const struct sockaddr *peer, const struct timespec *now)
{
	const struct service *svc = r->svc;
	struct srckey src = { 0 };
	struct conn c;
	enum admit why;

	if (svc->rate > 0)
		bucket_take(&r->bucket, svc->rate, now);
	if (peer != NULL) {
		conn_srckey(&src, in, peer, svc->per_source_prefix6);
		why = admit_check(r, children_from(&s->children, r, &src),
		    peer, &src, now);
		if (why != ADMIT_OK) {
			admit_refuse(r, in, why, peer, &s->refused, now);
			if (out != in)
				close(out);
			return admit_exit_status(why);
		}
	}
	conn_describe(&c, svc, in, peer);
	if (start_child(s, r, (int[2]){ in, out }, &src, now, &c) != NULL)
		return 0;
	if (out != in) {
		close(in);
		close(out);
		return 0;
	}
	/*
	 * No child (out of processes or memory): the client waits, as those
	 * in the backlog do, and the service rests before trying again.
	 */
	r->pending = in;
	r->pending_src = src;
	r->pending_since = *now;
	pause_service(r, now, "fork");
	return 0;
}

/*
 * A client whose child could not be started, once the service has room
 * again: start it now, or rest again; after `timeout` seconds of that it
 * is closed.  It was described when it came; the socket says it again.
 */
void
accept_retry(struct master *s, struct svc_state *r,
    const struct timespec *now)
{
	int fd = r->pending;
	struct conn c;

	if (fd < 0 || accept_room_ms(r, now) != 0)
		return;
	r->pending = -1;
	conn_describe(&c, r->svc, fd, NULL);
	if (start_child(s, r, (int[2]){ fd, fd }, &r->pending_src, now,
	    &c) != NULL)
		return;
	if (deadline_since(&r->pending_since) >= r->svc->timeout * 1000L) {
		log_msg(LOG_ERR, "%s: %s: no child after %d s: closed",
		    r->svc->name, c.peer, r->svc->timeout);
		close(fd);
		return;
	}
	r->pending = fd;
	pause_service(r, now, "fork");
}

void
accept_udp(struct master *s, struct svc_state *r, struct listener *l,
    const struct timespec *now)
{
	const struct service *svc = r->svc;
	struct udp_relay relay;
	struct srckey src;
	struct conn c;
	struct child *k;
	enum admit why;
	int i, got, cfd[2];

	for (i = 0; i < ACCEPT_BURST && accept_room_ms(r, now) == 0; i++) {
		if ((got = udp_recv(svc, l->fd, &s->req)) == 0)
			break;
		if (got < 0)
			continue;
		if (svc->rate > 0)
			bucket_take(&r->bucket, svc->rate, now);
		srckey_make(&src, (struct sockaddr *)&s->req.peer,
		    svc->per_source_prefix6);
		why = admit_check(r, children_from(&s->children, r, &src),
		    (struct sockaddr *)&s->req.peer, &src, now);
		if (why != ADMIT_OK) {
			admit_log(r, why, (struct sockaddr *)&s->req.peer);
			continue;
		}
		if (!udp_budget(svc, &s->req, now))
			continue;
		if (udp_start(svc, &s->req, l->fd, &relay, cfd) < 0) {
			pause_service(r, now, "socketpair");
			break;
		}
		conn_describe(&c, svc, l->fd,
		    (struct sockaddr *)&s->req.peer);
		if ((k = start_child(s, r, cfd, &src, now, &c)) != NULL) {
			k->relay = relay;
			continue;
		}
		/* UDP may lose a datagram; the service rests all the same. */
		close(cfd[0]);
		close(cfd[1]);
		udp_end(&relay);
		pause_service(r, now, "fork");
		break;
	}
}

/*
 * A listener of a wait service has a client: its program takes the
 * socket itself (wait.c says how), started as any child is.
 */
void
accept_wait(struct master *s, struct svc_state *r, struct listener *l,
    const struct timespec *now)
{
	struct child *k;
	struct conn c;

	if (accept_room_ms(r, now) != 0 ||
	    wait_prepare(&s->children, r, l, &c) < 0)
		return;
	if (r->svc->rate > 0)
		bucket_take(&r->bucket, r->svc->rate, now);
	k = accept_spawn(s, r, (struct spawn_fds){ l->fd, l->fd, -1 }, now, &c);
	wait_started(r, l, k);
	if (k == NULL)
		pause_service(r, now, "fork");
}
