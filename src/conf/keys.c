/*
 * The table of configuration keys, and what it drives: reading a value
 * of each type with its range check, the defaults, the list of allowed
 * keys in messages and printing a value back in libconfig's syntax.
 * A new key of an existing type is one row here, one paragraph in
 * replyd.conf(5) and one file in tests/data/bad/.
 */
#include "config.h"

#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "conf/internal.h"
#include "lib/log.h"

#define FIELD(f)	.off = offsetof(struct service, f), \
			.size = sizeof(((struct service *)0)->f)
#define LENGTH(f)	.len_off = offsetof(struct service, f)
#define BOTH		(CK_TOP | CK_SVC)

static const char *const protocols[] = { "tcp", "udp", NULL };
static const char *const log_levels[] = { "errors", "connections",
    "requests", NULL };
/* The facilities a program may log to (kern is the kernel's). */
static const char *const facilities[] = { "daemon", "user", "auth",
    "authpriv", "cron", "ftp", "lpr", "mail", "news", "syslog", "uucp",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6",
    "local7", NULL };
static const int facility_codes[] = { LOG_DAEMON, LOG_USER, LOG_AUTH,
    LOG_AUTHPRIV, LOG_CRON, LOG_FTP, LOG_LPR, LOG_MAIL, LOG_NEWS, LOG_SYSLOG,
    LOG_UUCP, LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3, LOG_LOCAL4,
    LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7 };

const struct conf_key conf_keys[] = {
	{ .name = "name", .type = CT_SPECIAL, .where = CK_SVC,
	  .parse = conf_parse_name,
	  .help = "the service's name, for logs and counters" },
	{ .name = "disable", .type = CT_BOOL, .where = BOTH,
	  FIELD(disable), .help = "true: checked and printed, not served" },
	{ .name = "port", .type = CT_INT, .where = BOTH, .lo = 0, .hi = 65535,
	  .def.i = CONF_DEFAULT_PORT, FIELD(port),
	  .help = "0: any free port (the bound port is logged)" },
	{ .name = "listen", .type = CT_SPECIAL, .where = BOTH,
	  .parse = conf_parse_listen, .print = conf_print_listen,
	  .help = "numeric addresses, or unix:/path, to listen on" },
	{ .name = "protocol", .type = CT_ENUM, .where = BOTH,
	  .values = protocols, .def.i = PROTO_TCP, FIELD(proto),
	  .help = "tcp, or udp: one exchange per datagram" },
	{ .name = "handler", .type = CT_HANDLER, .where = BOTH,
	  .def.s = "reply", FIELD(handler_name),
	  .help = "a built-in handler: reply, echo, exec, module..." },
	{ .name = "reply", .type = CT_STR, .where = BOTH,
	  .def.s = CONF_DEFAULT_REPLY, FIELD(reply), LENGTH(reply_len),
	  .help = "what the reply handler writes" },
	{ .name = "max_request", .type = CT_INT, .where = BOTH, .lo = 1,
	  .hi = CONF_MAX_REQUEST_LIMIT, .def.i = CONF_DEFAULT_MAX_REQUEST,
	  FIELD(max_request), .unit = "bytes",
	  .help = "bytes read from one request, at most" },
	{ .name = "timeout", .type = CT_INT, .where = BOTH, .lo = 1,
	  .hi = 86400, .def.i = CONF_DEFAULT_TIMEOUT, FIELD(timeout),
	  .unit = "seconds", .help = "seconds a silent client is kept" },
	{ .name = "session_timeout", .type = CT_INT, .where = BOTH, .lo = 0,
	  .hi = 7 * 86400, FIELD(session_timeout), .unit = "seconds",
	  .help = "seconds one child may live, 0: no limit" },
	{ .name = "max_children", .type = CT_INT, .where = BOTH, .lo = 1,
	  .hi = 65536, .def.i = CONF_DEFAULT_MAX_CHILDREN,
	  FIELD(max_children),
	  .help = "children at once; more clients wait in the backlog" },
	{ .name = "reuse_port", .type = CT_BOOL, .where = BOTH,
	  FIELD(reuse_port), .help = "SO_REUSEPORT: several replyd on one port" },
	{ .name = "backlog", .type = CT_INT, .where = BOTH, .needs = CN_STREAM,
	  .lo = 1, .hi = 65535, .def.i = SOMAXCONN, FIELD(backlog),
	  .help = "listen(2) backlog, capped at net.core.somaxconn" },
	{ .name = "keepalive", .type = CT_BOOL, .where = BOTH, .needs = CN_TCP,
	  FIELD(keepalive), .help = "SO_KEEPALIVE on the TCP connections" },
	{ .name = "nodelay", .type = CT_BOOL, .where = BOTH, .needs = CN_TCP,
	  FIELD(nodelay), .help = "TCP_NODELAY: small writes go out at once" },
	{ .name = "freebind", .type = CT_BOOL, .where = BOTH, .needs = CN_IP,
	  FIELD(freebind), .help = "bind addresses not (yet) on the host" },
	{ .name = "interface", .type = CT_STR, .where = BOTH, .needs = CN_IP,
	  .lo = 1, .hi = IFNAMSIZ - 1, FIELD(interface),
	  .help = "SO_BINDTODEVICE: only this network interface" },
	{ .name = "user", .type = CT_SPECIAL, .where = BOTH,
	  .parse = conf_parse_user, .print = conf_print_user,
	  .help = "handlers run as this user when started as root" },
	{ .name = "group", .type = CT_SPECIAL, .where = BOTH,
	  .parse = conf_parse_group, .print = conf_print_group,
	  .help = "and with this group (default: the user's)" },
	{ .name = "groups", .type = CT_BOOL, .where = BOTH, FIELD(groups),
	  .help = "handlers get user's supplementary groups too" },
	{ .name = "nice", .type = CT_INT, .where = BOTH, .lo = -20, .hi = 19,
	  FIELD(nice), .help = "handlers' nice value, 0: the master's" },
	{ .name = "umask", .type = CT_SPECIAL, .where = BOTH,
	  .parse = conf_parse_umask, .print = conf_print_umask,
	  .help = "handlers' umask, in octal; unset: the master's" },
	{ .name = "rlimit_as", .type = CT_INT, .where = BOTH, .lo = 0,
	  .hi = 1048576, FIELD(rlimit_as), .unit = "MiB",
	  .help = "a handler's address space, MiB, 0: the master's" },
	{ .name = "rlimit_cpu", .type = CT_INT, .where = BOTH, .lo = 0,
	  .hi = 31536000, FIELD(rlimit_cpu), .unit = "seconds",
	  .help = "a handler's CPU seconds, 0: the master's" },
	{ .name = "rlimit_files", .type = CT_INT, .where = BOTH, .lo = 0,
	  .hi = 1048576, FIELD(rlimit_files),
	  .help = "a handler's open files, 0: the master's" },
	{ .name = "rlimit_nproc", .type = CT_INT, .where = BOTH, .lo = 0,
	  .hi = 4194304, FIELD(rlimit_nproc),
	  .help = "processes of the handler's user, 0: the master's" },
	{ .name = "rlimit_core", .type = CT_INT, .where = BOTH, .lo = 0,
	  .hi = 1048576, .def.i = -1, FIELD(rlimit_core), .unit = "MiB",
	  .help = "a handler's core files, MiB, 0: none; unset: the master's" },
	{ .name = "wait", .type = CT_BOOL, .where = BOTH, FIELD(wait),
	  .help = "exec: the program serves the socket itself (inetd wait)" },
	{ .name = "exec", .type = CT_SPECIAL, .where = BOTH,
	  .parse = conf_parse_exec, .print = conf_print_exec,
	  .help = "the program of handler \"exec\"" },
	{ .name = "module", .type = CT_SPECIAL, .where = BOTH,
	  .parse = conf_parse_module, .print = conf_print_module,
	  .help = "the shared object of handler \"module\"" },
	{ .name = "log", .type = CT_ENUM, .where = BOTH,
	  .values = log_levels, .def.i = CONF_LOG_CONNECTIONS, FIELD(log),
	  .help = "errors, connections (a line each) or requests too" },
	{ .name = "log_facility", .type = CT_ENUM, .where = BOTH,
	  .values = facilities, .codes = facility_codes, .def.i = LOG_DAEMON,
	  FIELD(log_facility), .help = "syslog facility: daemon, local0..." },
	{ .name = "sandbox", .type = CT_SPECIAL, .where = BOTH,
	  .parse = conf_parse_sandbox, .print = conf_print_sandbox,
	  .help = "the children's confinement: syscalls, allow" },
	{ .name = "allow", .type = CT_ACL, .where = BOTH, FIELD(allow),
	  .help = "clients let in (CIDR); empty: everybody" },
	{ .name = "deny", .type = CT_ACL, .where = BOTH, FIELD(deny),
	  .help = "clients refused (CIDR), before allow" },
	{ .name = "per_source", .type = CT_INT, .where = BOTH, .lo = 0,
	  .hi = 65536, FIELD(per_source),
	  .help = "children at once per client source, 0: no limit" },
	{ .name = "per_source_ipv6_prefix", .type = CT_INT, .where = BOTH,
	  .lo = 1, .hi = 128, .def.i = 64, FIELD(per_source_prefix6),
	  .unit = "bits", .help = "IPv6 clients count per prefix this long" },
	{ .name = "rate", .type = CT_NUM, .where = BOTH, .lo = CONF_MIN_RATE,
	  .hi = CONF_MAX_RATE, .zero_off = 1, FIELD(rate),
	  .unit = "connections per second",
	  .help = "new connections per second, 0: no limit" },
	{ .name = "per_source_rate", .type = CT_NUM, .where = BOTH,
	  .lo = CONF_MIN_RATE, .hi = CONF_MAX_RATE, .zero_off = 1,
	  FIELD(per_source_rate), .unit = "connections per second",
	  .help = "the same, per client source" },
	{ .name = "busy_reply", .type = CT_STR, .where = BOTH,
	  FIELD(busy_reply), LENGTH(busy_reply_len),
	  .help = "to clients over a per-source limit" },
	{ .name = "max_amplification", .type = CT_NUM, .where = BOTH,
	  .lo = 0.01, .hi = CONF_MAX_RATE, .zero_off = 1,
	  .def.d = CONF_DEFAULT_AMPLIFICATION, FIELD(max_amplification),
	  .help = "UDP: reply bytes per request byte, 0: no limit" },
	{ .name = "proxy_protocol", .type = CT_BOOL, .where = BOTH,
	  FIELD(proxy_protocol),
	  .help = "PROXY v1/v2 headers from proxy_from" },
	{ .name = "proxy_from", .type = CT_ACL, .where = BOTH,
	  FIELD(proxy_from), .help = "the balancers trusted to send them" },
	{ .name = "socket_mode", .type = CT_SPECIAL, .where = BOTH,
	  .parse = conf_parse_socket_mode, .print = conf_print_socket_mode,
	  .help = "a unix: listener's file mode, in octal" },
	{ .name = "socket_user", .type = CT_SPECIAL, .where = BOTH,
	  .parse = conf_parse_socket_user, .print = conf_print_socket_user,
	  .help = "a unix: listener's file owner" },
	{ .name = "socket_group", .type = CT_SPECIAL, .where = BOTH,
	  .parse = conf_parse_socket_group, .print = conf_print_socket_group,
	  .help = "a unix: listener's file group" },
	{ .name = "services", .type = CT_SPECIAL, .where = CK_TOP,
	  .help = "several services, each a group with its name" },
};
const size_t conf_nkeys = sizeof(conf_keys) / sizeof(conf_keys[0]);

const struct conf_key *
conf_key_find(const char *name)
{
	size_t i;

	for (i = 0; i < conf_nkeys; i++)
		if (strcmp(conf_keys[i].name, name) == 0)
			return &conf_keys[i];
	return NULL;
}

/*
 * Optimal string alignment distance of a and b; 9 for a name longer than
 * any key could be a typo of (the keys have at most 22 letters).
 */
static int
distance(const char *a, const char *b)
{
	int d[33][33], i, j, la = strlen(a), lb = strlen(b), c;

	if (la > 32 || lb > 32)
		return 9;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

const struct conf_key *
conf_key_nearest(const char *name, unsigned where)
{
	const struct conf_key *best = NULL;
	int dist, most = 2;
	size_t i;

	if (strlen(name) <= 2 || conf_key_find(name) != NULL)
		return NULL;	/* a key, only not here: the list says where */
	if (strlen(name) <= 4)
		most = 1;
	for (i = 0; i < conf_nkeys; i++)
		if ((conf_keys[i].where & where) &&
		    (dist = distance(name, conf_keys[i].name)) <= most &&
		    (size_t)dist < strlen(name)) {
			best = &conf_keys[i];
			most = dist - 1;
		}
	/* A key cut short ("max_child"): the first that starts so. */
	for (i = 0; best == NULL && i < conf_nkeys && strlen(name) >= 4; i++)
		if ((conf_keys[i].where & where) &&
		    strncmp(conf_keys[i].name, name, strlen(name)) == 0)
			best = &conf_keys[i];
	return best;
}

const char *
conf_key_names(unsigned where)
{
	static char buf[2][1024];
	char *b = buf[where == CK_SVC];
	size_t i, n = 0;

	if (b[0] != '\0')
		return b;
	for (i = 0; i < conf_nkeys && n < sizeof(buf[0]); i++)
		if (conf_keys[i].where & where)
			n += snprintf(b + n, sizeof(buf[0]) - n, "%s%s",
			    n > 0 ? ", " : "", conf_keys[i].name);
	return b;
}

void
conf_errf(struct conf_ctx *x, const config_setting_t *s, const char *fmt,
    ...)
{
	char what[1024];
	const char *file;
	unsigned line;
	va_list ap;

	x->nerr++;
	if (x->errs == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	file = conf_text_where(x->text, s ? config_setting_source_line(s) : 0,
	    &line);
	if (line > 0)
		errlist_add(x->errs, "%s:%u: %s", file, line, what);
	else
		errlist_add(x->errs, "%s: %s", x->path, what);
}

void
conf_num_text(double v, char *buf, size_t bufsz)
{
	int p;

	if (v >= -1e15 && v <= 1e15 && v == (double)(long long)v) {
		snprintf(buf, bufsz, "%lld", (long long)v);
		return;
	}
	for (p = 1; p < 17; p++) {
		snprintf(buf, bufsz, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			return;
	}
	snprintf(buf, bufsz, "%.17g", v);
}

static int
is_int(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64;
}

/*
 * How many integer settings like s (same line, value and width) come
 * before s in the file, in g and its members: the tree keeps the file's
 * order.  Returns 1 once s is found.
 */
static int
before(const config_setting_t *g, const config_setting_t *s, int *k)
{
	const config_setting_t *e;
	int i;

	if (g == s)
		return 1;
	if (is_int(g) && config_setting_type(g) == config_setting_type(s) &&
	    config_setting_source_line(g) == config_setting_source_line(s) &&
	    config_setting_get_int64(g) == config_setting_get_int64(s))
		(*k)++;
	if (!config_setting_is_aggregate(g))
		return 0;
	for (i = 0; (e = config_setting_get_elem(g, i)) != NULL; i++)
		if (before(e, s, k))
			return 1;
	return 0;
}

/* The literal an integer setting was, if libconfig wrapped it. */
static const char *
wrapped(struct conf_ctx *x, const config_setting_t *s)
{
	unsigned n = config_setting_source_line(s);
	long long v = config_setting_get_int64(s);
	int is64 = config_setting_type(s) == CONFIG_TYPE_INT64, k = 0;
	const config_setting_t *root = s;

	if (!conf_text_mixed(x->text, n, v, is64))
		return conf_text_wrapped(x->text, n, v, is64, -1);
	while (config_setting_parent(root) != NULL)
		root = config_setting_parent(root);
	before(root, s, &k);
	return conf_text_wrapped(x->text, n, v, is64, k);
}

const char *
conf_quote(char *buf, size_t bufsz, const char *v)
{
	size_t n;

	if (bufsz < 3)
		return "";
	buf[0] = '"';
	n = 1 + log_escape(buf + 1, bufsz - 2, v, strlen(v));
	buf[n] = '"';
	buf[n + 1] = '\0';
	return buf;
}

const char *
conf_got(struct conf_ctx *x, const config_setting_t *s, char *buf,
    size_t bufsz)
{
	const char *lit;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		if ((lit = wrapped(x, s)) != NULL)
			snprintf(buf, bufsz, "%s", lit);
		else
			snprintf(buf, bufsz, "%lld",
			    (long long)config_setting_get_int64(s));
		return buf;
	case CONFIG_TYPE_STRING:
		return conf_quote(buf, bufsz, config_setting_get_string(s));
	case CONFIG_TYPE_FLOAT:
		return "a decimal number";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	case CONFIG_TYPE_GROUP:
		return "a group";
	}
	return "something else";
}

int
conf_get_int64(struct conf_ctx *x, const config_setting_t *s,
    long long *out)
{
	*out = config_setting_get_int64(s);
	if (!is_int(s))
		return -1;
	return wrapped(x, s) == NULL ? 0 : -1;
}

static int
get_int(struct conf_ctx *x, const config_setting_t *s,
    const struct conf_key *k, long long *out)
{
	char buf[96], lo[32], hi[32];

	if (conf_get_int64(x, s, out) == 0 && *out >= k->lo && *out <= k->hi)
		return 0;
	conf_num_text(k->lo, lo, sizeof(lo));
	conf_num_text(k->hi, hi, sizeof(hi));
	conf_errf(x, s, "%s must be an integer from %s to %s (got %s)",
	    k->name, lo, hi, conf_got(x, s, buf, sizeof(buf)));
	return -1;
}

/* A number: a float, or an integer that was not wrapped. */
static int
get_num(struct conf_ctx *x, const config_setting_t *s,
    const struct conf_key *k, double *out)
{
	char buf[96], lo[32], hi[32];
	long long i;
	int ok;

	if (config_setting_type(s) == CONFIG_TYPE_FLOAT) {
		*out = config_setting_get_float(s);
		ok = 1;
	} else {
		ok = conf_get_int64(x, s, &i) == 0;
		*out = i;
	}
	if (ok && ((*out >= k->lo && *out <= k->hi) ||
	    (k->zero_off && *out == 0)))
		return 0;
	conf_num_text(k->lo, lo, sizeof(lo));
	conf_num_text(k->hi, hi, sizeof(hi));
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		conf_num_text(*out, buf, sizeof(buf));
	else
		conf_got(x, s, buf, sizeof(buf));
	conf_errf(x, s, "%s must be %sa number from %s to %s (got %s)",
	    k->name, k->zero_off ? "0 (no limit) or " : "", lo, hi, buf);
	return -1;
}

int
conf_get_bool(struct conf_ctx *x, const config_setting_t *s,
    const char *key, int *out)
{
	char buf[96];

	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		conf_errf(x, s, "%s must be true or false (got %s)", key,
		    conf_got(x, s, buf, sizeof(buf)));
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 0;
}

/* A copy of a string setting in *out (whose old value is freed). */
int
conf_get_string(struct conf_ctx *x, const config_setting_t *s,
    const char *key, char **out)
{
	char buf[96], *copy;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_errf(x, s, "%s must be a string (got %s)", key,
		    conf_got(x, s, buf, sizeof(buf)));
		return -1;
	}
	if ((copy = strdup(config_setting_get_string(s))) == NULL) {
		conf_errf(x, s, "out of memory");
		return -1;
	}
	free(*out);
	*out = copy;
	return 0;
}

void
conf_strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* v[*k] = a copy of str, the next in v: 0, or -1 (said). */
static int
append(struct conf_ctx *x, const config_setting_t *s, char **v, int *k,
    const char *str)
{
	if ((v[*k] = strdup(str)) == NULL) {
		conf_errf(x, s, "out of memory");
		return -1;
	}
	(*k)++;
	return 0;
}

/*
 * A string or a list/array of strings into a NULL-terminated vector
 * after `first` (which, if not NULL, becomes element 0).
 */
int
conf_get_strv(struct conf_ctx *x, const config_setting_t *s, const char *key,
    const char *first, size_t max, char ***out)
{
	int t = config_setting_type(s), n, i, k = 0, bad = 0;
	char buf[96], **v;

	if (t != CONFIG_TYPE_STRING && t != CONFIG_TYPE_ARRAY &&
	    t != CONFIG_TYPE_LIST) {
		conf_errf(x, s, "%s must be a string or a list of strings "
		    "(got %s)", key, conf_got(x, s, buf, sizeof(buf)));
		return -1;
	}
	n = t == CONFIG_TYPE_STRING ? 1 : config_setting_length(s);
	if ((size_t)n > max) {
		conf_errf(x, s, "%s has %d entries, at most %zu are allowed",
		    key, n, max);
		return -1;
	}
	if ((v = calloc(n + 2, sizeof(char *))) == NULL) {
		conf_errf(x, s, "out of memory");
		return -1;
	}
	bad |= first != NULL && append(x, s, v, &k, first) < 0;
	for (i = 0; i < n; i++) {
		const config_setting_t *e = t == CONFIG_TYPE_STRING ? s :
		    config_setting_get_elem(s, i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_errf(x, e, "%s must hold only strings (got %s)",
			    key, conf_got(x, e, buf, sizeof(buf)));
			bad = 1;
			continue;
		}
		bad |= append(x, e, v, &k, config_setting_get_string(e)) < 0;
	}
	if (bad) {
		conf_strv_free(v);
		return -1;
	}
	conf_strv_free(*out);
	*out = v;
	return 0;
}

static int
get_acl(struct conf_ctx *x, const config_setting_t *s, const char *key,
    struct acl *acl)
{
	struct cidr *v;
	char **strs = NULL, q[CONF_QUOTE_MAX];
	size_t i, n;
	int bad = 0;

	if (conf_get_strv(x, s, key, NULL, CONF_MAX_ACL, &strs) < 0)
		return -1;
	for (n = 0; strs[n] != NULL; n++)
		;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL) {
		conf_errf(x, s, "out of memory");
		conf_strv_free(strs);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (cidr_parse(strs[i], &v[i]) == 0)
			continue;
		conf_errf(x, s, "%s entries must be IPv4 or IPv6 addresses or "
		    "prefixes such as \"10.0.0.0/8\" or \"::1\" (got %s)",
		    key, conf_quote(q, sizeof(q), strs[i]));
		bad = 1;
	}
	conf_strv_free(strs);
	if (bad) {
		free(v);
		return -1;
	}
	free(acl->v);
	acl->v = v;
	acl->n = n;
	return 0;
}

/* One of values, as its index in *out. */
int
conf_get_enum(struct conf_ctx *x, const config_setting_t *s, const char *key,
    const char *const *values, int *out)
{
	char *v = NULL, allowed[512] = "", q[CONF_QUOTE_MAX];
	int i;

	if (conf_get_string(x, s, key, &v) < 0)
		return -1;
	for (i = 0; values[i] != NULL; i++) {
		if (strcmp(v, values[i]) == 0) {
			free(v);
			*out = i;
			return 0;
		}
		snprintf(allowed + strlen(allowed), sizeof(allowed) -
		    strlen(allowed), "%s\"%s\"", i == 0 ? "" :
		    values[i + 1] == NULL ? " or " : ", ", values[i]);
	}
	conf_errf(x, s, "%s must be %s (got %s)", key, allowed,
	    conf_quote(q, sizeof(q), v));
	free(v);
	return -1;
}

/*
 * A handler's name, one of those the caller knows (conf_opts.handlers):
 * the configuration holds the name, the handler table resolves it.
 */
static int
get_handler(struct conf_ctx *x, const config_setting_t *s,
    const struct conf_key *k, char **out)
{
	const char *const *h = x->opts->handlers;
	char *v = NULL, names[256] = "", q[CONF_QUOTE_MAX];
	size_t i, n = 0;

	if (conf_get_string(x, s, k->name, &v) < 0)
		return -1;
	for (i = 0; h != NULL && h[i] != NULL; i++)
		if (strcmp(h[i], v) == 0)
			break;
	if (h == NULL || h[i] != NULL) {
		free(*out);
		*out = v;
		return 0;
	}
	for (i = 0; h[i] != NULL && n < sizeof(names); i++)
		n += snprintf(names + n, sizeof(names) - n, "%s%s",
		    i > 0 ? ", " : "", h[i]);
	conf_errf(x, s, "%s must be one of %s (got %s)", k->name,
	    names, conf_quote(q, sizeof(q), v));
	free(v);
	return -1;
}

/* A string whose length the table bounds (an interface name). */
static int
check_length(struct conf_ctx *x, const config_setting_t *s,
    const struct conf_key *k, char **field)
{
	char q[CONF_QUOTE_MAX];
	size_t n = strlen(*field);

	if (n >= k->lo && n <= k->hi)
		return 0;
	conf_errf(x, s, "%s must be %.0f to %.0f bytes long (got %s)", k->name,
	    k->lo, k->hi, conf_quote(q, sizeof(q), *field));
	free(*field);
	*field = NULL;
	return -1;
}

static void
store_int(void *field, size_t size, long long v)
{
	if (size == sizeof(size_t))
		*(size_t *)field = v;
	else
		*(int *)field = v;
}

/* Check setting s as key k and store it in svc: 0, or -1 (reported). */
int
conf_key_apply(struct conf_ctx *x, const struct conf_key *k,
    struct service *svc, const config_setting_t *s)
{
	void *field = (char *)svc + k->off;
	long long i;
	int rc;

	switch (k->type) {
	case CT_INT:
		if ((rc = get_int(x, s, k, &i)) == 0)
			store_int(field, k->size, i);
		return rc;
	case CT_NUM:
		return get_num(x, s, k, field);
	case CT_BOOL:
		return conf_get_bool(x, s, k->name, field);
	case CT_STR:
		if ((rc = conf_get_string(x, s, k->name, field)) == 0 &&
		    k->hi > 0)
			rc = check_length(x, s, k, field);
		if (rc == 0 && k->len_off != 0)
			*(size_t *)((char *)svc + k->len_off) =
			    strlen(*(char **)field);
		return rc;
	case CT_ENUM:
		if ((rc = conf_get_enum(x, s, k->name, k->values, field)) ==
		    0 && k->codes != NULL)
			*(int *)field = k->codes[*(int *)field];
		return rc;
	case CT_HANDLER:
		return get_handler(x, s, k, field);
	case CT_ACL:
		return get_acl(x, s, k->name, field);
	case CT_SPECIAL:
		break;
	}
	return k->parse != NULL ? k->parse(x, svc, s) : 0;
}

/* Every key's default in a zeroed service. */
void
conf_key_defaults(struct service *svc)
{
	const struct conf_key *k;
	void *field;

	for (k = conf_keys; k < conf_keys + conf_nkeys; k++) {
		field = (char *)svc + k->off;
		if (k->type == CT_INT || k->type == CT_BOOL ||
		    k->type == CT_ENUM)
			store_int(field, k->size, k->def.i);
		else if (k->type == CT_NUM)
			*(double *)field = k->def.d;
		else if ((k->type == CT_STR || k->type == CT_HANDLER) &&
		    k->def.s != NULL) {
			*(char **)field = strdup(k->def.s);
			if (k->len_off != 0)
				*(size_t *)((char *)svc + k->len_off) =
				    strlen(k->def.s);
		}
	}
}
