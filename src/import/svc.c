/*
 * The services replyd-import builds: notes and reasons, the mapping
 * pieces both formats share (ports, built-in handlers, programs and
 * the tcpd wrapper), and the last pass over all of them: what this
 * host lacks (users, programs), two services on one port, and unique
 * names.  What it cannot carry is said in a comment, never dropped
 * silently.
 */
#include "config.h"

#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import/import.h"

/* The internal services of both inetds that replyd has built in. */
static const struct {
	const char	*name;
	int		 port;		/* if /etc/services lacks it */
} builtins[] = {
	{ "echo",	7 },
	{ "discard",	9 },
	{ "daytime",	13 },
	{ "chargen",	19 },
	{ "time",	37 },
};

struct svc *
svc_new(const char *file, int line, const char *origin)
{
	struct svc *s = xmalloc(sizeof(*s));

	s->file = xstrdup(file);
	s->line = line;
	s->origin = xstrdup(origin);
	s->port = -1;
	s->max_children = -1;
	s->per_source = -1;
	s->rate = -1;
	s->groups = -1;
	s->rlimit_as = s->rlimit_cpu = s->rlimit_files = -1;
	s->keepalive = s->nodelay = -1;
	return s;
}

void
svc_add(struct svclist *l, struct svc *s)
{
	if (l->tail == NULL)
		l->tail = &l->head;
	*l->tail = s;
	l->tail = &s->next;
}

/* Add the text to v unless it is there: the text, or NULL. */
static const char *
add_text(struct strv *v, const char *fmt, va_list ap)
{
	char *t;

	if (vasprintf(&t, fmt, ap) < 0)
		return NULL;
	if (strv_has(v, t)) {
		free(t);
		return NULL;
	}
	strv_add(v, t);
	free(t);
	return v->v[v->n - 1];
}

void
svc_note(struct svc *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_text(&s->notes, fmt, ap);
	va_end(ap);
}

void
svc_disable(struct svc *s, const char *fmt, ...)
{
	va_list ap;

	s->disabled = 1;
	va_start(ap, fmt);
	add_text(&s->why, fmt, ap);
	va_end(ap);
}

void
svc_off(struct svc *s, const char *why)
{
	svc_disable(s, "%s", why);
	s->off = 1;
}

/*
 * Never written enabled and open: a service whose source restricted
 * who or when (access_times, max_load, tcp-wrappers rules, a host name
 * in only_from) is disabled, and the reason goes to stderr as well,
 * where an operator who does not read the output sees it.
 */
void
svc_restrict(struct svc *s, const char *fmt, ...)
{
	const char *t;
	va_list ap;

	s->disabled = 1;
	va_start(ap, fmt);
	t = add_text(&s->why, fmt, ap);
	va_end(ap);
	if (t != NULL)
		fprintf(stderr, "replyd-import: %s:%d: service %s disabled: "
		    "%s\n", s->file, s->line, s->name, t);
}

/* Whether file has a line that is neither blank nor a comment. */
static int
has_rule(const char *file)
{
	char *buf = NULL, *line;
	const char *why;
	struct stat st;
	size_t cap = 0;
	int any = 0;
	FILE *fp;

	if ((fp = input_fopen(file, &st, &why)) == NULL)
		return 0;
	while (!any && (line = input_line(fp, NULL, &buf, &cap)) != NULL) {
		line += strspn(line, " \t");
		any = *line != '\0' && *line != '#';
	}
	free(buf);
	fclose(fp);
	return any;
}

int
svc_hosts_rules(void)
{
	static int rules = -1;
	const char *allow = getenv("REPLYD_IMPORT_HOSTS_ALLOW");
	const char *deny = getenv("REPLYD_IMPORT_HOSTS_DENY");

	if (rules < 0)
		rules = has_rule(allow ? allow : "/etc/hosts.allow") ||
		    has_rule(deny ? deny : "/etc/hosts.deny");
	return rules;
}

/* replyd's handler for an internal service, or NULL. */
const char *
svc_builtin(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(name, builtins[i].name) == 0)
			return builtins[i].name;
	return NULL;
}

/* A decimal number from lo to hi: 0, or -1. */
int
svc_number(const char *text, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (*text < '0' || *text > '9')
		return -1;
	v = strtol(text, &end, 10);
	if (*end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/*
 * The port of a service given by number or by name (/etc/services, as
 * both inetds look it up); a name it cannot find disables the service.
 */
int
svc_port(struct svc *s, const char *service, const char *proto)
{
	struct servent *se;
	long port;
	size_t i;

	if (svc_number(service, 0, 65535, &port) == 0) {
		s->port = (int)port;
		return 0;
	}
	if ((se = getservbyname(service, proto)) != NULL) {
		s->port = ntohs((unsigned short)se->s_port);
		return 0;
	}
	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(service, builtins[i].name) == 0) {
			s->port = builtins[i].port;
			return 0;
		}
	svc_disable(s, "\"%s\" is not a %s service in /etc/services: "
	    "write its port number", service, proto);
	return -1;
}

/*
 * The program and its arguments.  argv0 is what the source passed as
 * argv[0] (NULL: the program's name); replyd passes the program's path
 * there.  tcpd is unwrapped to the program it guards, which it finds
 * in /usr/sbin when argv[0] is no path (Debian's REAL_DAEMON_DIR).
 */
void
svc_unwrap(struct svc *s, const char *server, const char *argv0,
    char **args, size_t nargs)
{
	const char *base = strrchr(server, '/') ? strrchr(server, '/') + 1 :
	    server;
	size_t i;

	s->handler = "exec";
	if (strcmp(base, "tcpd") == 0) {
		if (argv0 == NULL || strcmp(argv0, "tcpd") == 0) {
			svc_disable(s, "%s without the program it guards "
			    "(xinetd needs flags = NAMEINARGS for it)", server);
			s->program = xstrdup(server);
			return;
		}
		s->program = argv0[0] == '/' ? xstrdup(argv0) :
		    xprintf("/usr/sbin/%s", argv0);
		svc_note(s, "%s unwrapped: replyd runs %s itself and does not "
		    "read /etc/hosts.allow or /etc/hosts.deny; write their "
		    "rules as allow and deny", server, s->program);
		if (svc_hosts_rules())
			svc_restrict(s, "%s checked the rules of "
			    "/etc/hosts.allow and /etc/hosts.deny, which "
			    "replyd does not read", server);
	} else {
		s->program = xstrdup(server);
		if (argv0 != NULL && strcmp(argv0, base) != 0 &&
		    strcmp(argv0, server) != 0)
			svc_note(s, "argv[0] was \"%s\"; replyd passes the "
			    "program's path, so a program that looks at its "
			    "argv[0] needs a link of that name", argv0);
	}
	if (s->program[0] != '/')
		svc_disable(s, "the server %s is not an absolute path",
		    s->program);
	for (i = 0; i < nargs; i++)
		strv_add(&s->args, args[i]);
}
