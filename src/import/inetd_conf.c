/*
 * inetd.conf, as openbsd-inetd (Debian's inetd) reads it: one entry a
 * line, "service socket-type protocol wait/nowait[.max] user[.group]
 * server argv[0] argv[1]...", where a line that starts with a blank
 * continues the entry before it, "#" starts a comment only at the
 * start of a line, and "addr:" or "addr:service" names the addresses
 * to listen on.  A line update-inetd switched off ("#<off>#") or one
 * commented out that still reads as an entry becomes a disabled
 * service: written, but commented out.
 */
#include "config.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"	/* replyd's limits, no more */
#include "import/import.h"

/* One entry, its fields checked but not yet mapped. */
struct entry {
	const char	*file;
	int		 line;
	struct strv	 f;		/* the fields */
	char		*hosts;		/* before the ':' of field 1, or NULL */
	char		*service;
	char		*proto;		/* "tcp", "udp", "unix", other */
	char		*family;	/* "", "4", "6", "46" */
	int		 rpc;
	char		*options;	/* ",sndbuf=..." */
	int		 wait;
	long		 max;		/* nowait.max, or -1 */
	long		 lim[3];	/* nowait/N/M/P (FreeBSD, NetBSD), or -1 */
	const char	*off;		/* why it is disabled, or NULL */
};

static const char *const socktypes[] = {
	"stream", "dgram", "raw", "rdm", "seqpacket", NULL
};

static int
one_of(const char *s, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

/* "rpc/tcp6,rcvbuf=64k" into rpc, "tcp", "6" and ",rcvbuf=64k". */
static int
parse_proto(struct entry *e, const char *field)
{
	static const char *const fams[] = { "4", "6", "46", NULL };
	size_t n = strcspn(field, ",");

	e->options = xstrdup(field + n);
	if ((e->rpc = strncmp(field, "rpc/", 4) == 0)) {
		field += 4;
		n -= 4;
	}
	e->proto = xstrdup(field);
	e->proto[n] = '\0';
	e->family = xstrdup("");
	if ((strncmp(e->proto, "tcp", 3) == 0 ||
	    strncmp(e->proto, "udp", 3) == 0) && one_of(e->proto + 3, fams)) {
		free(e->family);
		e->family = xstrdup(e->proto + 3);
		e->proto[3] = '\0';
	}
	if (n == 0)
		return -1;
	return strcmp(e->proto, "tcp") == 0 || strcmp(e->proto, "udp") == 0 ||
	    strcmp(e->proto, "unix") == 0 ||
	    getprotobyname(e->proto) != NULL ? 0 : -1;
}

/*
 * FreeBSD's and NetBSD's "/N/M/P" after wait or nowait: children at
 * once, connections a minute per client address, children per client
 * address; 0 is no limit.  0, or -1.
 */
static int
parse_limits(struct entry *e, const char *field)
{
	char *copy = xstrdup(field), *p = copy, *num;
	int i, rc = 0;

	for (i = 0; rc == 0 && (num = strsep(&p, "/")) != NULL; i++)
		if (i >= 3 || svc_number(num, 0, 1000000000, &e->lim[i]) < 0)
			rc = -1;
	free(copy);
	return rc;
}

/* "wait", "nowait", "nowait.400", "nowait/3/10": 0, or -1. */
static int
parse_wait(struct entry *e, const char *field)
{
	size_t n = strcspn(field, "./");

	e->max = e->lim[0] = e->lim[1] = e->lim[2] = -1;
	if (n == 4 && strncmp(field, "wait", 4) == 0)
		e->wait = 1;
	else if (n == 6 && strncmp(field, "nowait", 6) == 0)
		e->wait = 0;
	else
		return -1;
	if (field[n] == '.')
		return svc_number(field + n + 1, 0, 1000000000, &e->max);
	if (field[n] == '/')
		return parse_limits(e, field + n + 1);
	return 0;
}

/* In a live entry, report what is wrong; in a comment, keep quiet. */
static int
bad(const struct entry *e, int strict, char *msg)
{
	if (strict)
		diag_error(e->file, e->line, "%s", msg);
	free(msg);
	return -1;
}

/* "[::1]:echo", "127.0.0.1,::1:echo" or "echo" */
static int
parse_service(struct entry *e, int strict)
{
	const char *field = e->f.v[0], *colon = strrchr(field, ':');

	if (strcmp(e->proto, "unix") == 0 || colon == NULL) {
		e->service = xstrdup(field);
		return 0;
	}
	e->hosts = xstrdup(field);
	e->hosts[colon - field] = '\0';
	e->service = xstrdup(colon + 1);
	if (*e->hosts == '\0' || *e->service == '\0')
		return bad(e, strict, xprintf("\"%s\" must be ADDRESS:SERVICE "
		    "or SERVICE", field));
	return 0;
}

static int
parse_entry(struct entry *e, int strict)
{
	char **f = e->f.v;

	if (e->f.n < 6)
		return bad(e, strict, xprintf("an entry needs at least 6 "
		    "fields: service, socket type, protocol, wait or nowait, "
		    "user, server (got %zu)", e->f.n));
	if (!one_of(f[1], socktypes))
		return bad(e, strict, xprintf("unknown socket type \"%s\" "
		    "(allowed: stream, dgram, raw, rdm, seqpacket)", f[1]));
	if (parse_proto(e, f[2]) < 0)
		return bad(e, strict, xprintf("unknown protocol \"%s\" (such "
		    "as tcp, udp, tcp6, udp4, rpc/tcp or unix)", f[2]));
	if (parse_wait(e, f[3]) < 0)
		return bad(e, strict, xprintf("\"%s\" must be wait or nowait, "
		    "with an optional .max such as nowait.400 or /N/M/P such "
		    "as nowait/3/10", f[3]));
	return parse_service(e, strict);
}

/* Addresses before the ':' ("*" is every address). */
static void
map_hosts(struct svc *s, const struct entry *e)
{
	struct strv hosts = { 0 };
	size_t i, n;
	char *h;

	h = xstrdup(e->hosts);
	for (i = 0; h[i] != '\0'; i++)
		if (h[i] == ',')
			h[i] = ' ';
	strv_split(&hosts, h);
	free(h);
	for (i = 0; i < hosts.n; i++) {
		h = hosts.v[i];
		n = strlen(h);
		if (n > 2 && h[0] == '[' && h[n - 1] == ']') {
			h[n - 1] = '\0';
			h++;
		}
		if (strcmp(h, "*") == 0)
			continue;
		if (addr_numeric(h) != 0)
			strv_add(&s->listen, h);
		else
			svc_disable(s, "\"%s\" %s; write its address in "
			    "listen", h, addr_why(h));
	}
	strv_clear(&hosts);
}

static void
map_socket(struct svc *s, const struct entry *e)
{
	const char *type = e->f.v[1];

	if (strcmp(e->proto, "unix") == 0) {
		svc_disable(s, "a Unix-domain socket: replyd listens on one "
		    "with listen = \"unix:%s\" (see socket_mode)", e->service);
		return;
	}
	if (e->rpc)
		svc_disable(s, "an RPC service: replyd does not register "
		    "services with rpcbind");
	if (strcmp(e->proto, "tcp") != 0 && strcmp(e->proto, "udp") != 0) {
		svc_disable(s, "protocol %s: replyd serves tcp and udp",
		    e->proto);
		return;
	}
	s->proto = strcmp(e->proto, "udp") == 0 ? SVC_UDP : SVC_TCP;
	if (strcmp(type, s->proto == SVC_UDP ? "dgram" : "stream") != 0)
		svc_disable(s, "socket type %s over %s: replyd serves stream "
		    "over tcp and dgram over udp", type, e->proto);
	if (!e->rpc)
		svc_port(s, e->service, e->proto);
	if (e->hosts != NULL)
		map_hosts(s, e);
	if (s->listen.n == 0 && strcmp(e->family, "4") == 0)
		strv_add(&s->listen, "0.0.0.0");
	if (s->listen.n == 0 && strcmp(e->family, "6") == 0) {
		strv_add(&s->listen, "::");
		addr_v6only(s, e->f.v[2]);
	}
	if (*e->options != '\0')
		svc_note(s, "%s not carried: replyd keeps the kernel's socket "
		    "buffer sizes", e->options + 1);
}

static void
map_user(struct svc *s, const char *field)
{
	size_t n = strcspn(field, ":");

	if (field[n] == '\0')
		n = strcspn(field, ".");
	s->user = xstrdup(field);
	s->user[n] = '\0';
	if (field[n] != '\0' && field[n + 1] != '\0')
		s->group = xstrdup(field + n + 1);
}

static void
map_program(struct svc *s, const struct entry *e)
{
	const struct strv *f = &e->f;
	size_t i;

	map_user(s, f->v[4]);
	if (strcmp(f->v[5], "internal") == 0) {
		if ((s->handler = svc_builtin(e->service)) == NULL)
			svc_disable(s, "replyd has no built-in \"%s\" (it has "
			    "echo, discard, daytime, time and chargen)",
			    e->service);
		return;
	}
	svc_unwrap(s, f->v[5], f->n > 6 ? f->v[6] : NULL, f->v + 7,
	    f->n > 7 ? f->n - 7 : 0);
	for (i = 6; i < f->n; i++)
		if (f->v[i][0] == '#')
			svc_note(s, "\"%s\" is no comment in the middle of an "
			    "entry: inetd passed it on as an argument, and so "
			    "does replyd", f->v[i]);
	if (e->wait)
		s->wait = 1;
	else if (s->proto == SVC_UDP)
		svc_note(s, "a datagram service: replyd gives the program "
		    "each datagram on standard input and sends back what it "
		    "writes; a program that reads the socket itself "
		    "(recvfrom) does not work so");
}

/*
 * nowait.N: N starts a minute, as a rate a second, within what replyd
 * accepts; above its highest rate inetd's limit never bites anyway.
 */
static void
map_max(struct svc *s, const struct entry *e)
{
	s->rate = e->max / 60.0;
	if (s->rate > CONF_MAX_RATE) {
		s->rate = CONF_MAX_RATE;
		svc_note(s, "%s: more than replyd's highest rate; rate = %d "
		    "a second, which no fork-per-connection server reaches",
		    e->f.v[3], CONF_MAX_RATE);
		return;
	}
	svc_note(s, "%s: inetd started it at most %ld times a minute, then "
	    "stopped it for ten minutes; replyd's rate = %ld/60 a second "
	    "pauses accepting instead", e->f.v[3], e->max, e->max);
}

/* nowait/N/M/P: max_children, per_source_rate (a minute) and per_source. */
static void
map_limits(struct svc *s, const struct entry *e)
{
	if (e->lim[0] > 0)
		s->max_children = e->lim[0] > 65536 ? 65536 : e->lim[0];
	if (e->lim[1] > 0) {
		s->per_source_rate = e->lim[1] / 60.0;
		svc_note(s, "%s: inetd refused a client address more than "
		    "%ld connections a minute; replyd's per_source_rate = "
		    "%ld/60 a second closes its connections over that rate",
		    e->f.v[3], e->lim[1], e->lim[1]);
	}
	if (e->lim[2] > 0)
		s->per_source = e->lim[2] > 65536 ? 65536 : e->lim[2];
}

static void
map(struct svclist *l, struct entry *e)
{
	struct svc *s;
	char *origin;
	size_t i;

	origin = xstrdup(e->f.v[0]);
	for (i = 1; i < e->f.n; i++) {
		char *t = xprintf("%s %s", origin, e->f.v[i]);

		free(origin);
		origin = t;
	}
	s = svc_new(e->file, e->line, origin);
	free(origin);
	s->name = xstrdup(e->service);
	if (e->off != NULL)
		svc_off(s, e->off);
	map_socket(s, e);
	map_program(s, e);
	if (e->max > 0)
		map_max(s, e);
	map_limits(s, e);
	svc_add(l, s);
}

static void
entry_free(struct entry *e)
{
	strv_clear(&e->f);
	free(e->hosts);
	free(e->service);
	free(e->proto);
	free(e->family);
	free(e->options);
}

/*
 * One entry (off: NULL for a live one).  A lone "ADDRESS:" sets the
 * addresses of the entries after it, as in openbsd-inetd.
 */
static void
process(struct svclist *l, const char *file, int line, const char *text,
    const char *off, char **defhost)
{
	struct entry e;
	size_t n;

	memset(&e, 0, sizeof(e));
	e.file = file;
	e.line = line;
	e.off = off;
	strv_split(&e.f, text);
	n = e.f.n == 1 ? strlen(e.f.v[0]) : 0;
	if (off == NULL && n > 0 && e.f.v[0][n - 1] == ':') {
		free(*defhost);
		e.f.v[0][n - 1] = '\0';
		*defhost = xstrdup(e.f.v[0]);
	} else if (e.f.n > 0 && parse_entry(&e, off == NULL) == 0) {
		if (e.hosts == NULL && *defhost != NULL)
			e.hosts = xstrdup(*defhost);
		map(l, &e);
	}
	entry_free(&e);
}

/* A comment that still reads as an entry is a disabled service. */
static void
comment(struct svclist *l, const char *file, int line, const char *text,
    char **defhost)
{
	if (strncmp(text, "#<off>#", 7) == 0)
		process(l, file, line, text + 7, "switched off by update-inetd "
		    "(#<off>#)", defhost);
	else if (text[1] != ':')
		process(l, file, line, text + 1, "commented out", defhost);
}

int
inetd_read(struct svclist *l, const char *file)
{
	char *buf = NULL, *entry = NULL, *line, *defhost = NULL;
	size_t cap = 0;
	int rc, n = 0, first = 0;
	FILE *fp;

	if ((rc = input_open(file, &fp)) != 0)
		return rc < 0 ? -1 : 0;
	strv_add(&l->inputs, file);
	while ((line = input_line(fp, file, &buf, &cap)) != NULL) {
		n++;
		if ((line[0] == ' ' || line[0] == '\t') && entry != NULL) {
			char *t = xprintf("%s %s", entry, line);

			free(entry);
			entry = t;
			continue;
		}
		if (entry != NULL)
			process(l, file, first, entry, NULL, &defhost);
		free(entry);
		entry = NULL;
		if (line[0] == '#')
			comment(l, file, n, line, &defhost);
		else if (line[strspn(line, " \t")] != '\0') {
			entry = xstrdup(line);
			first = n;
		}
	}
	if (entry != NULL)
		process(l, file, first, entry, NULL, &defhost);
	free(entry);
	free(defhost);
	free(buf);
	fclose(fp);
	return 0;
}
