/*
 * xinetd attributes in replyd's terms: one service entry, with the
 * defaults entry under it, becomes one struct svc.  An attribute the
 * service does not set comes from defaults where xinetd takes it from
 * there; list attributes (only_from, no_access, passenv) start from
 * the defaults' list, which "=" in the service replaces and "+=" and
 * "-=" change.  Attributes replyd has no counterpart for are named in
 * a note with the reason, never dropped silently.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "import/xinetd_conf.h"

#define LOGS	"replyd logs each connection, refusal and exit itself " \
		"(syslog, daemon facility)"
#define LIMITS	"replyd has rlimit_as, rlimit_cpu, rlimit_files, "      \
		"rlimit_nproc and rlimit_core (its systemd unit can set "  \
		"the rest)"
#define BANNER	"replyd sends no banner"
#define LIBWRAP	"xinetd also asked /etc/hosts.allow and /etc/hosts.deny " \
		"(libwrap) about services without flags = NOLIBWRAP; "   \
		"replyd does not: write their rules as allow and deny"

static const struct xspec specs[] = {
	{ "access_times",	-1, 0, "replyd has no access times", 1 },
	{ "banner",		1, 1, BANNER, 0 },
	{ "banner_fail",	1, 1, BANNER, 0 },
	{ "banner_success",	1, 1, BANNER, 0 },
	{ "bind",		1, 1, NULL, 0 },
	{ "cps",		2, 1, NULL, 0 },
	{ "deny_time",		1, 0, "replyd has no sensor", 0 },
	{ "disable",		1, 0, NULL, 0 },
	{ "disabled",		-2, 1, NULL, 0 },
	{ "enabled",		-2, 1, NULL, 0 },
	{ "env",		-2, 0, NULL, 0 },
	{ "flags",		-1, 0, NULL, 0 },
	{ "group",		1, 0, NULL, 0 },
	{ "groups",		1, 1, NULL, 0 },
	{ "id",			1, 0, NULL, 0 },
	{ "instances",		1, 1, NULL, 0 },
	{ "interface",		1, 1, NULL, 0 },
	{ "libwrap",		1, 0, "replyd reads no /etc/hosts.allow", 1 },
	{ "log_on_failure",	-2, 1, LOGS, 0 },
	{ "log_on_success",	-2, 1, LOGS, 0 },
	{ "log_type",		-1, 1, LOGS, 0 },
	{ "max_load",		1, 1, "replyd does not watch the load", 1 },
	{ "mdns",		1, 0, "replyd does not announce services", 0 },
	{ "nice",		1, 0, NULL, 0 },
	{ "no_access",		-2, 1, NULL, 0 },
	{ "only_from",		-2, 1, NULL, 0 },
	{ "passenv",		-2, 1, NULL, 0 },
	{ "per_source",		1, 1, NULL, 0 },
	{ "port",		1, 0, NULL, 0 },
	{ "protocol",		1, 0, NULL, 0 },
	{ "redirect",		2, 0, NULL, 0 },
	{ "rlimit_as",		1, 0, NULL, 0 },
	{ "rlimit_cpu",		1, 0, NULL, 0 },
	{ "rlimit_data",	1, 0, LIMITS, 0 },
	{ "rlimit_files",	1, 0, NULL, 0 },
	{ "rlimit_rss",		1, 0, LIMITS, 0 },
	{ "rlimit_stack",	1, 0, LIMITS, 0 },
	{ "rpc_number",		1, 0, NULL, 0 },
	{ "rpc_version",	1, 0, NULL, 0 },
	{ "server",		1, 0, NULL, 0 },
	{ "server_args",	-1, 0, NULL, 0 },
	{ "socket_type",	1, 0, NULL, 0 },
	{ "type",		-1, 0, NULL, 0 },
	{ "umask",		1, 1, NULL, 0 },
	{ "user",		1, 0, NULL, 0 },
	{ "v6only",		1, 1, NULL, 0 },
	{ "wait",		1, 0, NULL, 0 },
};

const struct xspec *
xattr_spec(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (strcmp(specs[i].name, name) == 0)
			return &specs[i];
	return NULL;
}

/* The last line that sets an attribute in an entry, or NULL. */
static const struct xattr *
find(const struct xentry *e, const char *name)
{
	const struct xattr *a = NULL;
	size_t i;

	for (i = 0; e != NULL && i < e->nattrs; i++)
		if (strcmp(e->attrs[i].name, name) == 0)
			a = &e->attrs[i];
	return a;
}

/* A one-value attribute from the service, else from defaults. */
static const struct xattr *
one(const struct xentry *e, const struct xentry *d, const char *name)
{
	const struct xattr *a = find(e, name);
	const struct xspec *sp = xattr_spec(name);

	if (a == NULL && sp != NULL && sp->defaults)
		a = find(d, name);
	return a != NULL && a->values.n > 0 ? a : NULL;
}

const struct xattr *
xattr_one(const struct xentry *e, const struct xentry *d, const char *name)
{
	return one(e, d, name);
}

static const char *
value(const struct xentry *e, const struct xentry *d, const char *name)
{
	const struct xattr *a = one(e, d, name);

	return a != NULL ? a->values.v[0] : NULL;
}

/* Apply one entry's lines for a list attribute; 1 if it has any. */
static int
apply(const struct xentry *e, const char *name, int replace,
    struct strv *out)
{
	size_t i, j;
	int any = 0;

	for (i = 0; e != NULL && i < e->nattrs; i++) {
		const struct xattr *a = &e->attrs[i];

		if (strcmp(a->name, name) != 0)
			continue;
		if (a->op == '=' && replace)
			strv_clear(out);
		for (j = 0; j < a->values.n; j++)
			if (a->op == '-')
				strv_remove(out, a->values.v[j]);
			else if (!strv_has(out, a->values.v[j]))
				strv_add(out, a->values.v[j]);
		any = 1;
	}
	return any;
}

/* A list attribute: defaults' lines add up, the service's change them. */
static int
list(const struct xentry *e, const struct xentry *d, const char *name,
    struct strv *out)
{
	int any = apply(d, name, 0, out);

	return apply(e, name, 1, out) | any;
}

static char *
joined(const struct strv *v)
{
	char *s = xstrdup(""), *t;
	size_t i;

	for (i = 0; i < v->n; i++) {
		t = xprintf("%s%s%s", s, i ? " " : "", v->v[i]);
		free(s);
		s = t;
	}
	return s;
}

/* "yes" or "no": 1, 0, or -1 (reported). */
static int
yesno(const struct xattr *a)
{
	if (strcmp(a->values.v[0], "yes") == 0)
		return 1;
	if (strcmp(a->values.v[0], "no") == 0)
		return 0;
	diag_error(a->file, a->line, "%s must be yes or no (got \"%s\")",
	    a->name, a->values.v[0]);
	return -1;
}

enum {
	T_INTERNAL = 1 << 0,
	T_RPC = 1 << 1,
	T_UNLISTED = 1 << 2,
	T_TCPMUX = 1 << 3,
	F_IPV4 = 1 << 8,
	F_IPV6 = 1 << 9,
	F_NAMEINARGS = 1 << 10,
	F_SENSOR = 1 << 11,
	F_NOLIBWRAP = 1 << 12,
	F_KEEPALIVE = 1 << 13,
	F_NODELAY = 1 << 14
};

static const struct {
	const char	*name;
	int		 bit;
	const char	*why;		/* for a note, or NULL */
} words[] = {
	{ "INTERNAL",	T_INTERNAL,	NULL },
	{ "RPC",	T_RPC,		NULL },
	{ "UNLISTED",	T_UNLISTED,	NULL },
	{ "TCPMUX",	T_TCPMUX,	NULL },
	{ "TCPMUXPLUS",	T_TCPMUX,	NULL },
	{ "IPv4",	F_IPV4,		NULL },
	{ "IPv6",	F_IPV6,		NULL },
	{ "NAMEINARGS",	F_NAMEINARGS,	NULL },
	{ "SENSOR",	F_SENSOR,	NULL },
	{ "NOLIBWRAP",	F_NOLIBWRAP,	NULL },
	{ "REUSE",	0,		NULL },
	{ "NORETRY",	0,		NULL },
	{ "INTERCEPT",	0,		"replyd checks allow and deny for "
					"each connection before it forks" },
	{ "IDONLY",	0,		"replyd makes no RFC 1413 lookups" },
	{ "KEEPALIVE",	F_KEEPALIVE,	NULL },
	{ "NODELAY",	F_NODELAY,	NULL },
	{ "LABELED",	0,		"replyd sets no SELinux context" },
};

/* type and flags as bits; a word replyd cannot carry gets a note. */
static int
bits(struct svc *s, const struct xentry *e, const char *attr)
{
	const struct xattr *a = find(e, attr);
	size_t i, j;
	int b = 0;

	for (i = 0; a != NULL && i < a->values.n; i++) {
		for (j = 0; j < sizeof(words) / sizeof(words[0]); j++)
			if (strcmp(a->values.v[i], words[j].name) == 0)
				break;
		if (j == sizeof(words) / sizeof(words[0]))
			svc_note(s, "%s %s is unknown: left out", attr,
			    a->values.v[i]);
		else if (words[j].why != NULL)
			svc_note(s, "%s %s not carried: %s", attr,
			    words[j].name, words[j].why);
		else
			b |= words[j].bit;
	}
	return b;
}

/* socket_type and protocol, each implied by the other. */
static void
map_proto(struct svc *s, const struct xentry *e)
{
	const char *type = value(e, NULL, "socket_type");
	const char *proto = value(e, NULL, "protocol");

	if (type == NULL && proto == NULL) {
		svc_disable(s, "neither socket_type nor protocol: xinetd "
		    "ignores such a service");
		return;
	}
	if (proto == NULL)
		proto = strcmp(type, "dgram") == 0 ? "udp" : "tcp";
	if (type == NULL)
		type = strcmp(proto, "udp") == 0 ? "dgram" : "stream";
	if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0) {
		svc_disable(s, "protocol %s: replyd serves tcp and udp", proto);
		return;
	}
	s->proto = strcmp(proto, "udp") == 0 ? SVC_UDP : SVC_TCP;
	if (strcmp(type, s->proto == SVC_UDP ? "dgram" : "stream") != 0)
		svc_disable(s, "socket_type %s over %s: replyd serves stream "
		    "over tcp and dgram over udp", type, proto);
}

static void
map_socket(struct svc *s, const struct xentry *e, const struct xentry *d,
    int b)
{
	const struct xattr *a = one(e, d, "port");
	const char *bind = value(e, d, "bind");
	long port;

	if (bind == NULL)
		bind = value(e, d, "interface");
	map_proto(s, e);
	if (a != NULL && svc_number(a->values.v[0], 0, 65535, &port) < 0)
		diag_error(a->file, a->line, "port must be a number from 0 to "
		    "65535 (got \"%s\")", a->values.v[0]);
	else if (a != NULL)
		s->port = (int)port;
	else if (b & T_UNLISTED)
		svc_disable(s, "UNLISTED without a port: xinetd ignores it");
	else if (!(b & T_RPC))
		svc_port(s, e->name, s->proto == SVC_UDP ? "udp" : "tcp");
	if (bind != NULL && addr_numeric(bind) != 0)
		strv_add(&s->listen, bind);
	else if (bind != NULL)
		svc_disable(s, "bind %s %s; write its address in listen",
		    bind, addr_why(bind));
	if (bind == NULL && (b & F_IPV4))
		strv_add(&s->listen, "0.0.0.0");
	if ((a = one(e, d, "v6only")) != NULL && yesno(a) == 1 &&
	    (s->listen.n == 0 || strcmp(s->listen.v[0], "::") == 0)) {
		if (s->listen.n == 0)
			strv_add(&s->listen, "::");
		addr_v6only(s, "v6only = yes");
	}
}

/* server, server_args (argv[0] first with NAMEINARGS), user, group. */
static void
map_program(struct svc *s, const struct xentry *e, int b)
{
	const struct xattr *args = find(e, "server_args");
	const char *server = value(e, NULL, "server");
	const struct xattr *redirect = find(e, "redirect");
	struct strv none = { 0 };
	const struct strv *v = args != NULL ? &args->values : &none;

	if (redirect != NULL)
		svc_disable(s, "redirect = %s %s: replyd does not forward "
		    "connections", redirect->values.v[0], redirect->values.v[1]);
	if (server == NULL) {
		if (redirect == NULL)
			svc_disable(s, "no server: xinetd ignores such a "
			    "service");
		return;
	}
	if (s->user == NULL)
		svc_disable(s, "no user: xinetd ignores such a service");
	if (!(b & F_NAMEINARGS))
		svc_unwrap(s, server, NULL, v->v, v->n);
	else if (v->n == 0)
		svc_disable(s, "NAMEINARGS without server_args: xinetd "
		    "ignores such a service");
	else
		svc_unwrap(s, server, v->v[0], v->v + 1, v->n - 1);
}

/* Internal services, and the program otherwise. */
static void
map_handler(struct svc *s, const struct xentry *e, int b)
{
	const struct xattr *a;
	int wait;

	s->user = value(e, NULL, "user") ? xstrdup(value(e, NULL, "user")) :
	    NULL;
	s->group = value(e, NULL, "group") ?
	    xstrdup(value(e, NULL, "group")) : NULL;
	if (b & F_SENSOR)
		svc_disable(s, "flags SENSOR: replyd has no sensor");
	else if (b & T_INTERNAL) {
		if ((s->handler = svc_builtin(e->name)) == NULL)
			svc_disable(s, "xinetd's internal %s: replyd has no such "
			    "built-in (it has echo, discard, daytime, time and "
			    "chargen)", e->name);
		if (s->user == NULL) {
			s->user = xstrdup("nobody");
			svc_note(s, "xinetd ran it inside itself; a built-in "
			    "handler needs no privilege: user nobody");
		}
	} else
		map_program(s, e, b);
	if ((a = find(e, "wait")) == NULL) {
		svc_disable(s, "no wait attribute: xinetd ignores such a "
		    "service");
		return;
	}
	if ((wait = yesno(a)) == 1 && s->program != NULL)
		s->wait = 1;
	else if (wait == 0 && s->program != NULL && s->proto == SVC_UDP)
		svc_note(s, "a datagram service: replyd gives the program "
		    "each datagram on standard input and sends back what it "
		    "writes; a program that reads the socket itself "
		    "(recvfrom) does not work so");
}

/* A count or UNLIMITED: 0 and *n (-1 for UNLIMITED), or -1. */
static int
count(const struct xattr *a, long *n)
{
	if (strcmp(a->values.v[0], "UNLIMITED") == 0) {
		*n = -1;
		return 0;
	}
	if (svc_number(a->values.v[0], 0, 1000000000, n) == 0)
		return 0;
	diag_error(a->file, a->line, "%s must be a number or UNLIMITED (got "
	    "\"%s\")", a->name, a->values.v[0]);
	return -1;
}

static void
map_limits(struct svc *s, const struct xentry *e, const struct xentry *d)
{
	const struct xattr *a;
	long n, wait;

	if ((a = one(e, d, "instances")) != NULL && count(a, &n) == 0) {
		if (n == 0)
			svc_disable(s, "instances = 0 lets no client in");
		else if (n < 0)
			svc_note(s, "instances = UNLIMITED: replyd has a limit, "
			    "max_children (64 unless set, at most 65536)");
		s->max_children = n > 65536 ? 65536 : n;
	}
	/* xinetd's 0 refuses everyone; replyd's 0 is no limit. */
	if ((a = one(e, d, "per_source")) != NULL && count(a, &n) == 0) {
		if (n == 0)
			svc_disable(s, "per_source = 0 lets no client in "
			    "(replyd's per_source = 0 would mean no limit)");
		s->per_source = n == 0 ? -1 : n > 65536 ? 65536 : n;
	}
	if ((a = one(e, d, "cps")) == NULL)
		return;
	if (svc_number(a->values.v[0], 0, 1000000, &n) < 0 ||
	    svc_number(a->values.v[1], 0, 1000000000, &wait) < 0) {
		diag_error(a->file, a->line, "cps must be two numbers, "
		    "connections a second and seconds to wait (got \"%s %s\")",
		    a->values.v[0], a->values.v[1]);
		return;
	}
	s->rate = (double)n;
	svc_note(s, "cps = %ld %ld: over %ld connections a second xinetd "
	    "stopped the service for %ld seconds; replyd's rate pauses "
	    "accepting instead", n, wait, n, wait);
}

static void
map_access(struct svc *s, const struct xentry *e, const struct xentry *d)
{
	struct strv from = { 0 }, no = { 0 };
	int has_from = list(e, d, "only_from", &from);
	size_t i, d0 = s->deny.n;	/* after the IPv6-only deny */

	list(e, d, "no_access", &no);
	for (i = 0; i < from.n; i++)
		if (addr_access(s, from.v[i], &s->allow) < 0)
			svc_restrict(s, "only_from %s %s; write its "
			    "addresses in allow", from.v[i],
			    addr_why(from.v[i]));
	for (i = 0; i < no.n; i++)
		if (addr_access(s, no.v[i], &s->deny) < 0)
			svc_restrict(s, "no_access %s %s; write its "
			    "addresses in deny", no.v[i], addr_why(no.v[i]));
	if (has_from && s->allow.n == 0 && from.n == 0)
		svc_disable(s, "only_from lets no client in");
	for (i = 0; i < s->allow.n * (s->deny.n - d0); i++) {
		const char *in = s->allow.v[i / (s->deny.n - d0)];
		const char *out = s->deny.v[d0 + i % (s->deny.n - d0)];

		if (addr_inside(in, out))
			svc_note(s, "only_from %s is inside no_access %s: xinetd "
			    "let it in (the closer match wins), replyd refuses "
			    "it (deny wins)", in, out);
	}
	strv_clear(&from);
	strv_clear(&no);
}

/* env, and passenv with the values replyd-import itself was given. */
static void
map_env(struct svc *s, const struct xentry *e, const struct xentry *d)
{
	struct strv env = { 0 }, pass = { 0 };
	const char *v;
	size_t i, n;

	if (s->program == NULL)
		return;		/* a built-in handler has no environment */
	list(e, NULL, "env", &env);
	list(e, d, "passenv", &pass);
	for (i = 0; i < env.n; i++) {
		n = strspn(env.v[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_");
		if (n > 0 && env.v[i][n] == '=')
			strv_add(&s->env, env.v[i]);
		else
			svc_note(s, "env %s is not NAME=value: left out",
			    env.v[i]);
	}
	for (i = 0; i < pass.n; i++)
		if ((v = getenv(pass.v[i])) != NULL) {
			strv_addf(&s->env, "%s=%s", pass.v[i], v);
			svc_note(s, "passenv %s: the value it had when "
			    "replyd-import ran", pass.v[i]);
		} else
			svc_note(s, "passenv %s: not set when replyd-import ran, "
			    "left out", pass.v[i]);
	strv_clear(&env);
	strv_clear(&pass);
}

/*
 * A note for each attribute replyd has no counterpart for; one that
 * restricted access (the service's, or the defaults' it inherits)
 * disables the service.
 */
static void
map_rest(struct svc *s, const struct xentry *e, const struct xentry *d)
{
	const struct xspec *sp;
	size_t i;
	char *v;

	for (i = 0; i < e->nattrs; i++) {
		if ((sp = xattr_spec(e->attrs[i].name)) == NULL) {
			svc_note(s, "%s is no xinetd attribute: left out",
			    e->attrs[i].name);
			continue;
		}
		if (sp->why == NULL)
			continue;
		v = joined(&e->attrs[i].values);
		if (sp->restricts)
			svc_restrict(s, "%s = %s not carried: %s", sp->name, v,
			    sp->why);
		else
			svc_note(s, "%s = %s not carried: %s", sp->name, v,
			    sp->why);
		free(v);
	}
	for (i = 0; d != NULL && i < d->nattrs; i++)
		if ((sp = xattr_spec(d->attrs[i].name)) != NULL &&
		    sp->restricts && sp->defaults && find(e, sp->name) == NULL) {
			v = joined(&d->attrs[i].values);
			svc_restrict(s, "defaults %s = %s not carried: %s",
			    sp->name, v, sp->why);
			free(v);
		}
}

/* flags KEEPALIVE and NODELAY: replyd's keys of the same names. */
static void
map_sockflags(struct svc *s, int b)
{
	if (!(b & (F_KEEPALIVE | F_NODELAY)))
		return;
	if (s->proto == SVC_UDP) {
		svc_note(s, "flags KEEPALIVE and NODELAY are for TCP: left out");
		return;
	}
	s->keepalive = (b & F_KEEPALIVE) ? 1 : -1;
	s->nodelay = (b & F_NODELAY) ? 1 : -1;
}

/* disable = yes, and the defaults' disabled and enabled lists. */
static void
map_enabled(struct svc *s, const struct xentry *e, const struct xentry *d,
    const char *id)
{
	const struct xattr *a = find(e, "disable");
	struct strv ids = { 0 };
	char *why = NULL;

	if (a != NULL && yesno(a) == 1)
		svc_off(s, "disable = yes");
	if (list(NULL, d, "disabled", &ids) && strv_has(&ids, id))
		why = xprintf("%s is in the defaults' disabled list", id);
	strv_clear(&ids);
	if (why == NULL && list(NULL, d, "enabled", &ids) &&
	    !strv_has(&ids, id))
		why = xprintf("%s is not in the defaults' enabled list", id);
	if (why != NULL)
		svc_off(s, why);
	free(why);
	strv_clear(&ids);
}

void
xattr_service(struct svclist *l, const struct xentry *e,
    const struct xentry *d)
{
	const char *id = value(e, NULL, "id");
	const struct xattr *a;
	struct svc *s;
	char *origin;
	int b;

	origin = xprintf("service %s", e->name);
	s = svc_new(e->file, e->line, origin);
	free(origin);
	s->name = xstrdup(id != NULL ? id : e->name);
	b = bits(s, e, "type") | bits(s, e, "flags");
	map_enabled(s, e, d, s->name);
	if (e->rejected != NULL)
		svc_disable(s, "%s", e->rejected);
	if (b & T_RPC)
		svc_disable(s, "an RPC service: replyd does not register "
		    "services with rpcbind");
	if (b & T_TCPMUX)
		svc_disable(s, "a TCPMUX service: replyd has no TCPMUX");
	map_socket(s, e, d, b);
	map_handler(s, e, b);
	map_limits(s, e, d);
	map_access(s, e, d);
	map_env(s, e, d);
	map_rest(s, e, d);
	if (!(b & (F_NOLIBWRAP | T_INTERNAL)) && svc_hosts_rules())
		svc_restrict(s, "xinetd checked the rules of /etc/hosts.allow "
		    "and /etc/hosts.deny (libwrap), which replyd does not "
		    "read");
	if ((a = one(e, d, "groups")) != NULL)
		s->groups = yesno(a);
	xproc_map(s, e, d);
	map_sockflags(s, b);
	if (!strv_has(&l->notes, LIBWRAP))
		strv_add(&l->notes, LIBWRAP);
	svc_add(l, s);
}

/*
 * What of defaults replyd cannot carry, said once for all services;
 * the rest is applied to each service by xattr_service.
 */
void
xattr_defaults(struct svclist *l, const struct xentry *d)
{
	const struct xspec *sp;
	size_t i;
	char *v;

	for (i = 0; i < d->nattrs; i++) {
		const struct xattr *a = &d->attrs[i];

		sp = xattr_spec(a->name);
		v = joined(&a->values);
		if (sp == NULL || !sp->defaults)
			strv_addf(&l->notes, "%s:%d: %s is no attribute of "
			    "defaults, which xinetd ignores: left out", a->file,
			    a->line, a->name);
		else if (sp->why != NULL)
			strv_addf(&l->notes, "%s:%d: defaults %s = %s not "
			    "carried: %s", a->file, a->line, a->name, v, sp->why);
		free(v);
	}
}
