/*
 * The "status" handler: every service's counters in the Prometheus text
 * exposition format (version 0.0.4), so that a monitoring system can
 * scrape replyd directly.  A request that begins with "GET " is answered
 * as HTTP/1.0 (what Prometheus sends); anything else gets the bare text.
 *
 * The child was forked from the master, so it reads the master's
 * counters as they were at the fork (run_published()); the master never
 * formats anything for it.  Under `replyd -i` there is no master: only
 * replyd_up is answered.  Without `allow`, only loopback clients are
 * served (admit.c), since the counters describe the host's traffic.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "handlers/handler.h"
#include "lib/deadline.h"
#include "lib/io.h"
#include "state/service_state.h"

/*
 * A metric per row: name, type, help (NULL on the further rows of one
 * metric), and which counter of each service it shows.
 */
struct metric {
	const char	*name, *type, *help;
	size_t		 offset;	/* into struct svc_stats */
	const char	*reason;	/* refused_total's label, or NULL */
};

#define STAT(f)	offsetof(struct svc_stats, f)

static const struct metric metrics[] = {
	{ "replyd_accepted_total", "counter",
	  "Connections (TCP) or datagrams (UDP) a child was started for.",
	  STAT(accepted), NULL },
	{ "replyd_served_total", "counter",
	  "Children that exited with status 0.", STAT(served), NULL },
	{ "replyd_failed_total", "counter",
	  "Children that exited otherwise or were killed.", STAT(failed),
	  NULL },
	{ "replyd_refused_total", "counter",
	  "Clients refused, by reason.", STAT(denied),
	  "denied" },
	{ "replyd_refused_total", NULL, NULL, STAT(busy), "busy" },
	{ "replyd_refused_total", NULL, NULL, STAT(limited), "rate-limited" },
	{ "replyd_expired_total", "counter",
	  "Children ended by session_timeout.", STAT(expired), NULL },
	{ "replyd_fork_failures_total", "counter",
	  "Children that could not be started.", STAT(forkfail), NULL },
	{ "replyd_waited_total", "counter",
	  "Clients that waited in the backlog (TCP), by what was full.",
	  STAT(waited_children), "max_children" },
	{ "replyd_waited_total", NULL, NULL, STAT(waited_rate), "rate" },
};

/* A label value as the format wants it: \\, \" and \n escaped. */
static void
put_label(FILE *f, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void
put_metric(FILE *f, const struct metric *m, const struct run_state *r)
{
	size_t i;

	if (m->help != NULL)
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help,
		    m->name, m->type);
	for (i = 0; i < r->n; i++) {
		const unsigned char *st = (const void *)&r->svc[i].stats;

		fprintf(f, "%s{service=\"", m->name);
		put_label(f, r->svc[i].svc->name);
		if (m->reason != NULL)
			fprintf(f, "\",reason=\"%s", m->reason);
		fprintf(f, "\"} %lu\n",
		    *(const unsigned long *)(st + m->offset));
	}
}

static long
active(const struct svc_state *r)
{
	return r->active;
}

static long
service_up(const struct svc_state *r)
{
	return r->ndown == 0;
}

static long
listeners_down(const struct svc_state *r)
{
	return (long)r->ndown;
}

/* A gauge with a sample per service. */
static void
put_gauge(FILE *f, const char *name, const char *help,
    const struct run_state *r, long (*value)(const struct svc_state *))
{
	size_t i;

	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
	for (i = 0; i < r->n; i++) {
		fprintf(f, "%s{service=\"", name);
		put_label(f, r->svc[i].svc->name);
		fprintf(f, "\"} %ld\n", value(&r->svc[i]));
	}
}

static void
put_body(FILE *f)
{
	const struct master_stats *ms;
	const struct run_state *r = run_published(&ms);
	struct timespec now;
	size_t i;

	fputs("# HELP replyd_up Whether replyd answers.\n"
	    "# TYPE replyd_up gauge\nreplyd_up 1\n"
	    "# HELP replyd_build_info The version that answers.\n"
	    "# TYPE replyd_build_info gauge\n"
	    "replyd_build_info{version=\"" PACKAGE_VERSION "\"} 1\n", f);
	if (r == NULL)
		return;
	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		put_metric(f, &metrics[i], r);
	put_gauge(f, "replyd_active", "Live children.", r, active);
	put_gauge(f, "replyd_service_up", "1 while every listener of the "
	    "service is bound, 0 while one is retried.", r, service_up);
	put_gauge(f, "replyd_listeners_down", "Listeners of the service that "
	    "could not be bound, retried with a back-off.", r,
	    listeners_down);
	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(f, "# HELP replyd_uptime_seconds Seconds since the master "
	    "started.\n# TYPE replyd_uptime_seconds gauge\n"
	    "replyd_uptime_seconds %ld\n"
	    "# HELP replyd_reloads_total Configuration reloads.\n"
	    "# TYPE replyd_reloads_total counter\nreplyd_reloads_total %lu\n"
	    "# HELP replyd_reloads_failed_total Reloads that kept the old "
	    "configuration.\n# TYPE replyd_reloads_failed_total counter\n"
	    "replyd_reloads_failed_total %lu\n",
	    (long)(now.tv_sec - ms->started.tv_sec), ms->reloads,
	    ms->reloads_failed);
}

/* 1 once buf holds the blank line that ends an HTTP header. */
static int
header_ends(const char *buf, size_t len)
{
	return memmem(buf, len, "\r\n\r\n", 4) != NULL ||
	    memmem(buf, len, "\n\n", 2) != NULL;
}

/*
 * The request: for HTTP, until the blank line that ends its header (or
 * max_request bytes, or timeout); otherwise whatever came first, once
 * it cannot be the start of "GET ".  The timeout is one deadline for the
 * whole request, so a client trickling a byte at a time gets no more
 * than a silent one; the header is searched as bytes, so a NUL in it
 * does not hide its end.
 * Returns 1 for an HTTP GET, 0 otherwise.
 */
static int
read_request(const struct conn *c)
{
	const struct service *s = c->svc;
	char buf[4096];
	size_t len = 0, max = s->max_request < sizeof(buf) ?
	    s->max_request : sizeof(buf);
	struct timespec deadline;
	ssize_t n;

	deadline_in(&deadline, s->timeout);
	while (len < max) {
		n = io_read_by(0, buf + len, max - len, &deadline);
		if (n <= 0)
			break;
		len += (size_t)n;
		/* Wait for more only while this may still be a GET. */
		if (memcmp(buf, "GET ", len < 4 ? len : 4) != 0)
			break;
		if (header_ends(buf, len) || s->proto == PROTO_UDP)
			break;
	}
	// cppcheck-suppress uninitvar ; len >= 4 only after reads filled buf[0..len)
	return len >= 4 && memcmp(buf, "GET ", 4) == 0;
}

int
handler_status(const struct conn *c)
{
	char *body = NULL, *out = NULL;
	size_t blen = 0;
	FILE *f;
	int http, n, rc;

	http = read_request(c);
	if ((f = open_memstream(&body, &blen)) == NULL)
		return EX_OSERR;
	put_body(f);
	if (fclose(f) != 0) {
		free(body);
		return EX_OSERR;
	}
	if (http) {
		n = asprintf(&out, "HTTP/1.0 200 OK\r\nContent-Type: text/plain; "
		    "version=0.0.4; charset=utf-8\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n\r\n%s", blen, body);
		free(body);
		if (n < 0)
			return EX_OSERR;
		body = out;
		blen = (size_t)n;
	}
	rc = handler_answer(c, body, blen);
	free(body);
	return rc;
}
