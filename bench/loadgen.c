/*
 * loadgen: a closed-loop TCP load generator for replyd's benchmark.
 *
 * It keeps C connections in flight from one process (epoll, non-blocking
 * sockets).  Each connection connects to HOST:PORT, sends the request,
 * reads until the server closes, checks that the reply is exactly the
 * expected bytes, closes, and is replaced by a new one, until COUNT
 * connections were started or SECS seconds passed, whichever comes
 * first.  It reports connections per second, latency percentiles (from
 * the start of connect() to EOF) and errors by kind.  Only loopback
 * targets (127.0.0.0/8, ::1) are accepted: this is a benchmark for one
 * machine, never a network tool.  bench/run drives it with -m, which
 * prints one "key=value" line.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONC	10000
#define MAX_COUNT	10000000L
#define MAX_BYTES	65536

enum state { IDLE, CONNECTING, SENDING, READING };
enum err { E_REFUSED, E_RESET, E_TIMEOUT, E_WRONG, E_OTHER, E_KINDS };
enum outcome { DONE, FAILED, WRONG };	/* how a connection ended */

static const char *err_name[E_KINDS] = {
	"refused", "reset", "timeout", "wrong", "other"
};

struct opts {
	long		 conc;
	long		 count;
	double		 secs;
	double		 timeout;
	int		 machine;
	int		 halfclose;
	char		*data;
	size_t		 datalen;
	char		*expect;
	size_t		 expectlen;
	struct sockaddr_storage addr;
	socklen_t	 addrlen;
};

struct conn {
	int		 fd;
	enum state	 state;
	double		 start;
	size_t		 sent;
	size_t		 got;
	char		*buf;
};

struct run {
	struct opts	*o;
	int		 ep;
	struct conn	*conns;
	long		 started;
	long		 ok;
	long		 errs[E_KINDS];
	int		 last_errno;
	double		*lat;
	double		 t0;
	double		 stop_at;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	fprintf(stderr, "%s",
"usage: loadgen [-hmH] [-c conc] [-n count] [-T secs] [-t timeout]\n"
"               [-d data] [-e expect] host port\n"
"       loadgen -F    (print a free loopback port and exit)\n"
"  -c  concurrent connections (1)    -n  connections in all (1000)\n"
"  -T  time limit, seconds (10)      -t  per-connection timeout (5)\n"
"  -d  request (hello\\n)            -e  expected reply (thank you !\\n)\n"
"  -H  half-close after the request  -m  one machine-readable line\n"
"-d and -e take C escapes: \\n \\r \\t \\0 \\\\ \\xHH\n"
"host must be a numeric loopback address: 127.0.0.0/8 or ::1\n");
	exit(2);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* unescape: decode \n \r \t \0 \\ \xHH in place; returns the length. */
static size_t
unescape(char *s)
{
	char *r = s, *w = s;

	while (*r != '\0') {
		if (*r != '\\' || r[1] == '\0') {
			*w++ = *r++;
			continue;
		}
		r++;
		switch (*r) {
		case 'n': *w++ = '\n'; r++; break;
		case 'r': *w++ = '\r'; r++; break;
		case 't': *w++ = '\t'; r++; break;
		case '0': *w++ = '\0'; r++; break;
		case 'x':
			if (hexval(r[1]) >= 0 && hexval(r[2]) >= 0) {
				*w++ = (char)(hexval(r[1]) * 16 + hexval(r[2]));
				r += 3;
				break;
			}
			/* FALLTHROUGH */
		default: *w++ = *r++; break;
		}
	}
	return (size_t)(w - s);
}

static double
num(const char *s, double lo, double hi, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "loadgen: %s must be a number from %g to %g "
		    "(got %s)\n", what, lo, hi, s);
		exit(2);
	}
	return v;
}

static int
is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;
		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return 0;
}

/* target: resolve a numeric host and port, loopback only (no DNS). */
static void
target(struct opts *o, const char *host, const char *port)
{
	struct addrinfo hints, *ai;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	num(port, 1, 65535, "port");
	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
		fprintf(stderr, "loadgen: %s: %s (a numeric loopback address "
		    "is needed)\n", host, gai_strerror(rc));
		exit(2);
	}
	memcpy(&o->addr, ai->ai_addr, ai->ai_addrlen);
	o->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (!is_loopback(&o->addr)) {
		fprintf(stderr, "loadgen: refusing %s: only loopback targets "
		    "(127.0.0.0/8, ::1) are allowed\n", host);
		exit(2);
	}
}

/* free_port: print a port below the ephemeral range that binds now. */
static void
free_port(void)
{
	struct sockaddr_in in;
	int fd, i, port;

	srand((unsigned)(getpid() ^ time(NULL)));
	for (i = 0; i < 200; i++) {
		port = 20000 + rand() % 12000;
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			break;
		memset(&in, 0, sizeof(in));
		in.sin_family = AF_INET;
		in.sin_port = htons((uint16_t)port);
		in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&in, sizeof(in)) == 0 &&
		    listen(fd, 1) == 0) {
			close(fd);
			printf("%d\n", port);
			exit(0);
		}
		close(fd);
	}
	fprintf(stderr, "loadgen: no free loopback port found\n");
	exit(1);
}

static void
parse(struct opts *o, int argc, char **argv)
{
	static char dd[] = "hello\\n", de[] = "thank you !\\n";
	int ch;

	memset(o, 0, sizeof(*o));
	o->conc = 1;
	o->count = 1000;
	o->secs = 10;
	o->timeout = 5;
	o->data = dd;
	o->expect = de;
	while ((ch = getopt(argc, argv, "c:n:T:t:d:e:mHFh")) != -1) {
		switch (ch) {
		case 'c': o->conc = (long)num(optarg, 1, MAX_CONC, "-c"); break;
		case 'n': o->count = (long)num(optarg, 1, MAX_COUNT, "-n");
			break;
		case 'T': o->secs = num(optarg, 0.001, 86400, "-T"); break;
		case 't': o->timeout = num(optarg, 0.001, 3600, "-t"); break;
		case 'd': o->data = optarg; break;
		case 'e': o->expect = optarg; break;
		case 'm': o->machine = 1; break;
		case 'H': o->halfclose = 1; break;
		case 'F': free_port(); break;
		default: usage();
		}
	}
	if (argc - optind != 2)
		usage();
	o->datalen = unescape(o->data);
	o->expectlen = unescape(o->expect);
	if (o->expectlen >= MAX_BYTES) {
		fprintf(stderr, "loadgen: -e is longer than %d bytes\n",
		    MAX_BYTES - 1);
		exit(2);
	}
	target(o, argv[optind], argv[optind + 1]);
}

static enum err
kind(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return E_REFUSED;
	case ECONNRESET:
	case EPIPE:
		return E_RESET;
	case ETIMEDOUT:
		return E_TIMEOUT;
	default:
		return E_OTHER;
	}
}

/* finish: count how c ended (FAILED: with errno e) and free its slot. */
static void
finish(struct run *r, struct conn *c, enum outcome how, int e)
{
	if (how == DONE)
		r->lat[r->ok++] = now() - c->start;
	else if (how == WRONG)
		r->errs[E_WRONG]++;
	else {
		r->errs[kind(e)]++;
		if (kind(e) == E_OTHER)
			r->last_errno = e;
	}
	close(c->fd);	/* also drops it from the epoll set */
	c->fd = -1;
	c->state = IDLE;
}

static int
watch(struct run *r, struct conn *c, int op, uint32_t events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = c;
	return epoll_ctl(r->ep, op, c->fd, &ev);
}

/* do_send: write what is left of the request, then wait for the reply. */
static void
do_send(struct run *r, struct conn *c, int op)
{
	struct opts *o = r->o;
	ssize_t n;

	while (c->sent < o->datalen) {
		n = send(c->fd, o->data + c->sent, o->datalen - c->sent,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EAGAIN) {
			c->state = SENDING;
			if (watch(r, c, op, EPOLLOUT) == -1)
				finish(r, c, FAILED, errno);
			return;
		}
		if (n == -1) {
			finish(r, c, FAILED, errno);
			return;
		}
		c->sent += (size_t)n;
	}
	if (o->halfclose)
		shutdown(c->fd, SHUT_WR);
	c->state = READING;
	if (watch(r, c, op, EPOLLIN) == -1)
		finish(r, c, FAILED, errno);
}

static void
start(struct run *r, struct conn *c)
{
	struct opts *o = r->o;

	r->started++;
	c->start = now();
	c->sent = c->got = 0;
	c->fd = socket(o->addr.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		r->errs[E_OTHER]++;
		r->last_errno = errno;
		return;
	}
	if (connect(c->fd, (struct sockaddr *)&o->addr, o->addrlen) == 0) {
		do_send(r, c, EPOLL_CTL_ADD);
		return;
	}
	if (errno != EINPROGRESS) {
		finish(r, c, FAILED, errno);
		return;
	}
	c->state = CONNECTING;
	if (watch(r, c, EPOLL_CTL_ADD, EPOLLOUT) == -1)
		finish(r, c, FAILED, errno);
}

static void
on_connect(struct run *r, struct conn *c)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	if (e != 0) {
		finish(r, c, FAILED, e);
		return;
	}
	do_send(r, c, EPOLL_CTL_MOD);
}

/* on_read: take what arrived; at EOF the reply must match exactly. */
static void
on_read(struct run *r, struct conn *c)
{
	struct opts *o = r->o;
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->buf + c->got, MAX_BYTES - c->got, 0);
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1) {
			finish(r, c, FAILED, errno);
			return;
		}
		if (n == 0)
			break;
		c->got += (size_t)n;
		if (c->got > o->expectlen) {
			finish(r, c, WRONG, 0);	/* longer than expected */
			return;
		}
	}
	if (c->got == o->expectlen &&
	    memcmp(c->buf, o->expect, o->expectlen) == 0)
		finish(r, c, DONE, 0);
	else
		finish(r, c, WRONG, 0);
}

static void
on_event(struct run *r, struct conn *c, uint32_t events)
{
	switch (c->state) {
	case CONNECTING:
		on_connect(r, c);
		break;
	case SENDING:
		if (events & (EPOLLERR | EPOLLHUP))
			on_connect(r, c);	/* takes SO_ERROR */
		else
			do_send(r, c, EPOLL_CTL_MOD);
		break;
	case READING:
		on_read(r, c);
		break;
	case IDLE:
		break;
	}
}

/* expire: drop the connections that outlived the per-connection timeout. */
static void
expire(struct run *r)
{
	double t = now();
	long i;

	for (i = 0; i < r->o->conc; i++) {
		struct conn *c = &r->conns[i];

		if (c->state != IDLE && c->start + r->o->timeout <= t)
			finish(r, c, FAILED, ETIMEDOUT);
	}
}

/* next_due: milliseconds until the next connection times out. */
static int
next_due(struct run *r)
{
	double t = now(), next = t + 1.0, due;
	long i;

	for (i = 0; i < r->o->conc; i++) {
		if (r->conns[i].state == IDLE)
			continue;
		due = r->conns[i].start + r->o->timeout;
		if (due < next)
			next = due;
	}
	return next <= t ? 0 : (int)((next - t) * 1000) + 1;
}

/* refill: start connections in idle slots while count and time allow. */
static long
refill(struct run *r)
{
	long i, busy = 0;

	for (i = 0; i < r->o->conc; i++) {
		struct conn *c = &r->conns[i];

		/* a start that fails at once leaves the slot idle: retry */
		while (c->state == IDLE && r->started < r->o->count &&
		    now() < r->stop_at)
			start(r, c);
		if (c->state != IDLE)
			busy++;
	}
	return busy;
}

static void
loop(struct run *r)
{
	struct epoll_event evs[256];
	int i, n;

	r->t0 = now();
	r->stop_at = r->t0 + r->o->secs;
	for (expire(r); refill(r) > 0; expire(r)) {
		n = epoll_wait(r->ep, evs, 256, next_due(r));
		if (n == -1 && errno != EINTR) {
			perror("loadgen: epoll_wait");
			exit(1);
		}
		for (i = 0; i < n; i++)
			on_event(r, evs[i].data.ptr, evs[i].events);
	}
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* pct: the p-th percentile (nearest rank) of the sorted latencies, ms. */
static double
pct(const struct run *r, double p)
{
	long k;

	if (r->ok == 0)
		return 0;
	k = (long)(p / 100.0 * r->ok + 0.999999) - 1;
	if (k < 0)
		k = 0;
	if (k >= r->ok)
		k = r->ok - 1;
	return r->lat[k] * 1000;
}

static double
self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static long
errors(const struct run *r)
{
	long n = 0;
	int k;

	for (k = 0; k < E_KINDS; k++)
		n += r->errs[k];
	return n;
}

static void
report_machine(const struct run *r, double secs)
{
	int k;

	printf("ok=%ld err=%ld", r->ok, errors(r));
	for (k = 0; k < E_KINDS; k++)
		printf(" %s=%ld", err_name[k], r->errs[k]);
	printf(" secs=%.3f cps=%.1f p50=%.3f p90=%.3f p99=%.3f max=%.3f "
	    "cpu=%.3f\n", secs, r->ok / secs, pct(r, 50), pct(r, 90),
	    pct(r, 99), pct(r, 100), self_cpu());
}

static void
report_human(const struct run *r, double secs)
{
	int k;

	printf("connections ok  %ld of %ld started, %ld concurrent\n",
	    r->ok, r->started, r->o->conc);
	printf("errors          %ld (", errors(r));
	for (k = 0; k < E_KINDS; k++)
		printf("%s%s %ld", k ? ", " : "", err_name[k], r->errs[k]);
	printf(")\n");
	if (r->errs[E_OTHER] > 0)
		printf("last other      %s\n", strerror(r->last_errno));
	printf("elapsed         %.3f s\n", secs);
	printf("rate            %.1f conn/s\n", r->ok / secs);
	printf("latency ms      p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n",
	    pct(r, 50), pct(r, 90), pct(r, 99), pct(r, 100));
	printf("loadgen cpu     %.3f s\n", self_cpu());
}

static void
setup(struct run *r, struct opts *o)
{
	struct rlimit rl;
	long i;

	memset(r, 0, sizeof(*r));
	r->o = o;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	r->conns = calloc((size_t)o->conc, sizeof(*r->conns));
	r->lat = calloc((size_t)o->count, sizeof(*r->lat));
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	if (r->conns == NULL || r->lat == NULL || r->ep == -1) {
		perror("loadgen");
		exit(1);
	}
	for (i = 0; i < o->conc; i++) {
		r->conns[i].fd = -1;
		r->conns[i].buf = malloc(MAX_BYTES);
		if (r->conns[i].buf == NULL) {
			perror("loadgen");
			exit(1);
		}
	}
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct run r;
	double secs;

	parse(&o, argc, argv);
	setup(&r, &o);
	loop(&r);
	secs = now() - r.t0;
	if (secs <= 0)
		secs = 1e-9;
	qsort(r.lat, (size_t)r.ok, sizeof(*r.lat), cmp);
	if (o.machine)
		report_machine(&r, secs);
	else
		report_human(&r, secs);
	return errors(&r) > 0 ? 1 : 0;
}
