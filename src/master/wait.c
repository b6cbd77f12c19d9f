/*
 * Wait services (`wait = true`, inetd's "wait"): when a listener of one
 * has a client, the master takes nothing from it; it starts the
 * service's program with the listening or UDP socket itself on fd 0
 * and 1 (spawn.c's exec start, the same set-up as any exec child), and
 * the program takes the clients.  The invariant: a listener a program
 * holds (child.held) is out of the poll set until that child is
 * reaped, in this image or, after SIGUSR2, the next; then it is polled
 * again and the next client starts the program again.
 *
 * The socket goes to the program blocking, as inetd gives it (one open
 * file, so the master's copy is blocking too until it polls it again).
 * A program that ends at once and leaves its client in the socket
 * would be started again at once, forever: the service rests instead,
 * a second, then twice as long for each such end in a row.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>

#include "client/conn.h"
#include "lib/log.h"
#include "master/master_int.h"

#define WAIT_QUICK_MS	1000	/* a program that ends sooner ... */
#define WAIT_REST_MS	1000	/* ... leaving a client rests this */
#define WAIT_REST_MAX	6	/* doubled at most so many times */

static void
set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* Whether a program holds listener fd. */
int
wait_held(const struct children *ks, int fd)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (ks->v[i].held == fd)
			return 1;
	return 0;
}

/*
 * l of wait service r has a client, and r room for a child (accept.c
 * asks): c describes the program's "client", the socket, which goes to
 * it blocking.  Returns -1 if a program holds l already.
 */
int
wait_prepare(const struct children *ks, const struct svc_state *r,
    const struct listener *l, struct conn *c)
{
	if (wait_held(ks, l->fd))
		return -1;
	/* No peer: whoever the program takes from the socket. */
	memset(c, 0, sizeof(*c));
	c->svc = r->svc;
	snprintf(c->peer, sizeof(c->peer), "%.*s", (int)sizeof(c->peer) - 1,
	    l->name);
	set_nonblock(l->fd, 0);
	return 0;
}

/* The program k (NULL: none could start) holds l from now on. */
void
wait_started(const struct svc_state *r, const struct listener *l,
    struct child *k)
{
	if (k == NULL) {
		set_nonblock(l->fd, 1);
		return;
	}
	k->held = l->fd;
	log_msg(LOG_INFO, "%s: a client on %s: %s started, pid %ld; the "
	    "socket is its own until it exits", r->svc->name, l->name,
	    r->svc->exec.program, (long)k->pid);
}

static struct listener *
listener_of(struct svc_state *r, int fd)
{
	size_t j;

	for (j = 0; r != NULL && j < r->nls; j++)
		if (r->ls[j].fd == fd)
			return &r->ls[j];
	return NULL;
}

static int
readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/*
 * Child k, a wait service's program, has been reaped: its listener is
 * the master's again.  One that ended within WAIT_QUICK_MS with a
 * client still waiting rests its service.
 */
void
wait_ended(const struct child *k)
{
	struct svc_state *r = k->run;
	struct listener *l;
	struct timespec now;
	long ms = deadline_since(&k->start), rest;

	if (k->held < 0 || (l = listener_of(r, k->held)) == NULL)
		return;
	set_nonblock(l->fd, 1);
	if (ms >= WAIT_QUICK_MS || !readable(l->fd)) {
		r->quick = 0;
		return;
	}
	rest = (long)WAIT_REST_MS << r->quick;
	if (r->quick < WAIT_REST_MAX)
		r->quick++;
	deadline_now(&now);
	deadline_after(&r->paused_until, &now, rest);
	log_msg(LOG_WARNING, "%s: %s exited after %ld ms and left its client "
	    "on %s waiting: not started again for %ld ms", r->svc->name,
	    r->svc->exec.program, ms, l->name, rest);
}

/*
 * After a reload: a program whose listener the new configuration did
 * not keep holds a socket that is closed for the master; the number
 * may come back as another listener, which it must not hold.
 */
void
wait_remap(struct children *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (ks->v[i].held >= 0 &&
		    listener_of(ks->v[i].run, ks->v[i].held) == NULL)
			ks->v[i].held = -1;
}
