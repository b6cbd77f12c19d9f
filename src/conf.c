/*
 * Loading and validating the libconfig file.  (The prefix is conf_, not
 * config_, which is libconfig's own namespace.)
 *
 * Every key has an entry in one table with the function that checks and
 * stores it.  A file is checked completely: each problem is recorded as
 * "FILE:LINE: what is wrong and what is allowed", and only a file with no
 * problem becomes a struct conf.  With a `services` list the top-level
 * keys are defaults: they are checked once on their own, then applied
 * again (silently) under each service before the service's own keys.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <libconfig.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "handler.h"

struct ctx {
	const char		*path;
	const struct conf_opts	*opts;
	struct conf_errors	*errs;	/* NULL while re-applying defaults */
	int			 nerr;
};

struct key {
	const char	*name;
	int		 where;
#define AT_TOP	1
#define AT_SVC	2
	int		(*apply)(struct ctx *, struct service *,
			    const config_setting_t *);
};

static void
errf(struct ctx *x, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
errf(struct ctx *x, const config_setting_t *s, const char *fmt, ...)
{
	const char *file = s ? config_setting_source_file(s) : NULL;
	unsigned line = s ? config_setting_source_line(s) : 0;
	char what[512], *msg, **grown;
	va_list ap;

	x->nerr++;
	if (x->errs == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (file == NULL)
		file = x->path;
	if ((line > 0 ? asprintf(&msg, "%s:%u: %s", file, line, what) :
	    asprintf(&msg, "%s: %s", file, what)) < 0)
		return;
	grown = realloc(x->errs->msg, (x->errs->n + 1) * sizeof(char *));
	if (grown == NULL) {
		free(msg);
		return;
	}
	x->errs->msg = grown;
	x->errs->msg[x->errs->n++] = msg;
}

/* What a wrong value was, for "(got ...)". */
static const char *
got(const config_setting_t *s, char *buf, size_t bufsz)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(buf, bufsz, "%lld",
		    (long long)config_setting_get_int64(s));
		return buf;
	case CONFIG_TYPE_STRING:
		snprintf(buf, bufsz, "\"%.64s\"", config_setting_get_string(s));
		return buf;
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

/*
 * The source text from the setting's line on (up to 8 lines joined), with
 * strings and comments blanked out, so that a key's name is only found
 * where it is a key.
 */
static int
source_text(struct ctx *x, const config_setting_t *s, char *text, size_t sz)
{
	const char *file = config_setting_source_file(s);
	unsigned line = config_setting_source_line(s), n = 0;
	size_t len = 0, i;
	char buf[1024];
	int quote = 0, comment = 0;
	FILE *fp;

	if (line == 0 || (fp = fopen(file ? file : x->path, "re")) == NULL)
		return -1;
	while (fgets(buf, sizeof(buf), fp) != NULL && ++n < line + 8) {
		if (n < line)
			continue;
		for (i = 0; buf[i] != '\0' && len + 1 < sz; i++) {
			char c = buf[i];

			if (comment == 1 && c == '\n')
				comment = 0;
			else if (comment == 2 && c == '*' && buf[i + 1] == '/') {
				comment = 0;
				buf[i + 1] = ' ';
			} else if (!comment && quote && c == '\\' && buf[i + 1])
				buf[++i] = ' ';
			else if (!comment && c == '"')
				quote = !quote;
			else if (!comment && !quote && (c == '#' ||
			    (c == '/' && buf[i + 1] == '/')))
				comment = 1;
			else if (!comment && !quote && c == '/' && buf[i + 1] == '*')
				comment = 2;
			text[len++] = comment || quote || c == '"' ? ' ' : c;
		}
	}
	fclose(fp);
	text[len] = '\0';
	return 0;
}

/*
 * libconfig 1.5 silently wraps an integer literal that does not fit in 32
 * bits (port = 4294967376 reads as 80), so the literal is read again from
 * the file.  Returns 1 and the literal as written when the value libconfig
 * gives is such a wrapped one, else 0.
 */
static int
wrapped(struct ctx *x, const config_setting_t *s, long long v, char *lit,
    size_t litsz)
{
	const char *name = config_setting_name(s), *p, *q;
	char text[8192], *end;
	long long raw;
	size_t nl;

	if (config_setting_type(s) != CONFIG_TYPE_INT || name == NULL ||
	    source_text(x, s, text, sizeof(text)) < 0)
		return 0;
	nl = strlen(name);
	for (p = text; (p = strstr(p, name)) != NULL; p += nl) {
		if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		q = p + nl + strspn(p + nl, " \t\r\n");
		if (*q != '=' && *q != ':')
			continue;
		q += 1 + strspn(q + 1, " \t\r\n");
		errno = 0;
		raw = strtoll(q, &end, strncasecmp(q, "0x", 2) == 0 ? 16 : 10);
		/* Another setting of that name (in a group, say)? */
		if (end == q || (errno != ERANGE && (int)raw != (int)v))
			continue;
		if (errno == ERANGE || raw != v) {
			snprintf(lit, litsz, "%.*s", (int)strcspn(q, " \t\r\n;,"),
			    q);
			return 1;
		}
		return 0;
	}
	return 0;
}

static int
get_int(struct ctx *x, const config_setting_t *s, const char *key,
    long long lo, long long hi, long long *out)
{
	int t = config_setting_type(s);
	char buf[96];
	long long v;

	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		v = config_setting_get_int64(s);
		if (wrapped(x, s, v, buf, sizeof(buf))) {
			errf(x, s, "%s must be an integer from %lld to %lld "
			    "(got %s)", key, lo, hi, buf);
			return -1;
		}
		if (v >= lo && v <= hi) {
			*out = v;
			return 0;
		}
	}
	errf(x, s, "%s must be an integer from %lld to %lld (got %s)", key, lo,
	    hi, got(s, buf, sizeof(buf)));
	return -1;
}

static int
get_string(struct ctx *x, const config_setting_t *s, const char *key,
    char **out)
{
	char buf[96], *copy;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		errf(x, s, "%s must be a string (got %s)", key,
		    got(s, buf, sizeof(buf)));
		return -1;
	}
	if ((copy = strdup(config_setting_get_string(s))) == NULL) {
		errf(x, s, "out of memory");
		return -1;
	}
	free(*out);
	*out = copy;
	return 0;
}

static void
strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/*
 * A string or a list/array of strings into a NULL-terminated vector
 * after `first` (which, if not NULL, becomes element 0).
 */
static int
get_strv(struct ctx *x, const config_setting_t *s, const char *key,
    const char *first, size_t max, char ***out)
{
	int t = config_setting_type(s), n, i, k = 0, bad = 0;
	char buf[96], **v;

	n = t == CONFIG_TYPE_STRING ? 1 : config_setting_length(s);
	if (t != CONFIG_TYPE_STRING && t != CONFIG_TYPE_ARRAY &&
	    t != CONFIG_TYPE_LIST) {
		errf(x, s, "%s must be a string or a list of strings (got %s)",
		    key, got(s, buf, sizeof(buf)));
		return -1;
	}
	if ((size_t)n > max) {
		errf(x, s, "%s has %d entries, at most %zu are allowed", key, n,
		    max);
		return -1;
	}
	if ((v = calloc(n + 2, sizeof(char *))) == NULL)
		return -1;
	if (first != NULL)
		v[k++] = strdup(first);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = t == CONFIG_TYPE_STRING ? s :
		    config_setting_get_elem(s, i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			errf(x, e, "%s must hold only strings (got %s)", key,
			    got(e, buf, sizeof(buf)));
			bad = 1;
			continue;
		}
		v[k++] = strdup(config_setting_get_string(e));
	}
	if (bad) {
		strv_free(v);
		return -1;
	}
	strv_free(*out);
	*out = v;
	return 0;
}

/*
 * Unix domain sockets: "unix:/path" in listen, and the socket file's
 * permission bits and owners (socket_mode, socket_user, socket_group).
 */

/* One "unix:/path" entry of listen. */
static int
unix_listen_check(struct ctx *x, const config_setting_t *s, const char *spec)
{
	const char *path = addr_unix_path(spec);
	struct stat st;

	if (path[0] != '/' || strlen(path) >= (size_t)ADDR_UNIX_PATH_MAX) {
		errf(x, s, "listen \"%.128s\" must name an absolute path of at "
		    "most %d bytes, such as \"unix:/run/replyd/NAME.sock\"",
		    spec, ADDR_UNIX_PATH_MAX - 1);
		return -1;
	}
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		errf(x, s, "listen \"%.128s\": %s exists and is not a socket "
		    "(replyd replaces a stale socket, never another file)",
		    spec, path);
		return -1;
	}
	return 0;
}

/* Octal permission bits, written 0660, 660 or "0660" (as chmod reads them). */
static int
k_socket_mode(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	int t = config_setting_type(s);
	char buf[96], num[32];
	const char *txt = NULL;
	long long v;
	size_t n;

	if (t == CONFIG_TYPE_STRING)
		txt = config_setting_get_string(s);
	else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		/* libconfig reads 0660 as decimal 660: take the digits. */
		v = config_setting_get_int64(s);
		if (!wrapped(x, s, v, buf, sizeof(buf)) && v >= 0) {
			snprintf(num, sizeof(num), "%lld", v);
			txt = num;
		}
	}
	n = txt ? strlen(txt) : 0;
	if (n == 0 || n > 4 || strspn(txt, "01234567") != n ||
	    strtol(txt, NULL, 8) > 0777) {
		errf(x, s, "socket_mode must be permission bits in octal from "
		    "0 to 0777, such as 0660 or \"0660\" (got %s)",
		    got(s, buf, sizeof(buf)));
		return -1;
	}
	svc->socket_mode = (int)strtol(txt, NULL, 8);
	return 0;
}

static int
k_socket_user(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	struct passwd *pw;

	if (get_string(x, s, "socket_user", &svc->socket_user) < 0)
		return -1;
	if ((pw = getpwnam(svc->socket_user)) == NULL) {
		errf(x, s, "socket_user \"%.64s\" does not exist",
		    svc->socket_user);
		return -1;
	}
	svc->socket_uid = pw->pw_uid;
	return 0;
}

static int
k_socket_group(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	struct group *gr;

	if (get_string(x, s, "socket_group", &svc->socket_group) < 0)
		return -1;
	if ((gr = getgrnam(svc->socket_group)) == NULL) {
		errf(x, s, "socket_group \"%.64s\" does not exist",
		    svc->socket_group);
		return -1;
	}
	svc->socket_gid = gr->gr_gid;
	return 0;
}

/*
 * A Unix listener is a stream socket with no IP peer: no datagrams, no
 * PROXY header, and allow/deny cannot judge its clients.  Access lists
 * the service's own group sets are an error only when the service has
 * no IP listener they could apply to.
 */
static void
unix_service_check(struct ctx *x, const struct service *svc,
    const config_setting_t *g)
{
	const config_setting_t *acl;
	size_t i, nunix = 0, n = 0;

	for (i = 0; svc->listen != NULL && svc->listen[i] != NULL; i++, n++)
		nunix += addr_unix_path(svc->listen[i]) != NULL;
	if (nunix == 0)
		return;
	if (svc->proto == PROTO_UDP)
		errf(x, g, "service \"%s\": a \"unix:\" listener needs "
		    "protocol = \"tcp\" (a stream socket; Unix datagram "
		    "sockets are not supported)", svc->name);
	if (svc->proxy_protocol)
		errf(x, g, "service \"%s\": proxy_protocol is not supported on "
		    "\"unix:\" listeners", svc->name);
	if (nunix < n || g == NULL)
		return;
	if ((acl = config_setting_get_member(g, "allow")) != NULL ||
	    (acl = config_setting_get_member(g, "deny")) != NULL)
		errf(x, acl, "service \"%s\": allow and deny do not apply to "
		    "\"unix:\" listeners, and it has no other (per_source "
		    "counts Unix clients by user id)", svc->name);
}

static int
k_port(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	long long v;

	if (get_int(x, s, "port", 0, 65535, &v) < 0)
		return -1;
	svc->port = v;
	return 0;
}

static int
k_listen(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char **v = NULL;
	size_t i;
	int bad = 0;

	if (get_strv(x, s, "listen", NULL, 64, &v) < 0)
		return -1;
	for (i = 0; v[i] != NULL; i++) {
		if (addr_unix_path(v[i]) != NULL) {
			bad |= unix_listen_check(x, s, v[i]) < 0;
			continue;
		}
		if (addr_parse(v[i], 0, &ss, &len) == 0)
			continue;
		errf(x, s, "listen must name numeric IPv4 or IPv6 addresses "
		    "such as \"127.0.0.1\" or \"::\", or \"unix:/path\" (got "
		    "\"%.64s\")", v[i]);
		bad = 1;
	}
	if (v[0] == NULL) {
		errf(x, s, "listen must name at least one address");
		bad = 1;
	}
	if (bad) {
		strv_free(v);
		return -1;
	}
	strv_free(svc->listen);
	svc->listen = v;
	return 0;
}

static int
k_protocol(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	char *v = NULL;
	int rc = 0;

	if (get_string(x, s, "protocol", &v) < 0)
		return -1;
	if (strcmp(v, "tcp") == 0)
		svc->proto = PROTO_TCP;
	else if (strcmp(v, "udp") == 0)
		svc->proto = PROTO_UDP;
	else {
		errf(x, s, "protocol must be \"tcp\" or \"udp\" (got \"%.64s\")",
		    v);
		rc = -1;
	}
	free(v);
	return rc;
}

static int
k_handler(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	const struct handler *h;
	char *v = NULL;

	if (get_string(x, s, "handler", &v) < 0)
		return -1;
	if ((h = handler_find(v)) == NULL)
		errf(x, s, "handler must be one of %s (got \"%.64s\")",
		    handler_names(), v);
	else
		svc->handler = h;
	free(v);
	return h == NULL ? -1 : 0;
}

static int
k_reply(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	if (get_string(x, s, "reply", &svc->reply) < 0)
		return -1;
	svc->reply_len = strlen(svc->reply);
	return 0;
}

static int
k_max_request(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	long long v;

	if (get_int(x, s, "max_request", 1, CONF_MAX_REQUEST_LIMIT, &v) < 0)
		return -1;
	svc->max_request = v;
	return 0;
}

static int
k_timeout(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	long long v;

	if (get_int(x, s, "timeout", 1, 86400, &v) < 0)
		return -1;
	svc->timeout = v;
	return 0;
}

static int
k_session_timeout(struct ctx *x, struct service *svc,
    const config_setting_t *s)
{
	long long v;

	if (get_int(x, s, "session_timeout", 0, 7 * 86400, &v) < 0)
		return -1;
	svc->session_timeout = v;
	return 0;
}

static int
k_max_children(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	long long v;

	if (get_int(x, s, "max_children", 1, 65536, &v) < 0)
		return -1;
	svc->max_children = v;
	return 0;
}

static int
get_bool(struct ctx *x, const config_setting_t *s, const char *key, int *out)
{
	char buf[96];

	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		errf(x, s, "%s must be true or false (got %s)", key,
		    got(s, buf, sizeof(buf)));
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 0;
}

static int
k_reuse_port(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	return get_bool(x, s, "reuse_port", &svc->reuse_port);
}

static int
k_user(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	struct passwd *pw;
	char *name = NULL;

	if (get_string(x, s, "user", &name) < 0)
		return -1;
	if ((pw = getpwnam(name)) == NULL) {
		errf(x, s, "user \"%.64s\" does not exist", name);
		free(name);
		return -1;
	}
	free(svc->user);
	svc->user = name;
	svc->uid = pw->pw_uid;
	if (!svc->group_set)
		svc->gid = pw->pw_gid;
	return 0;
}

static int
k_group(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	struct group *gr;
	char *name = NULL;

	if (get_string(x, s, "group", &name) < 0)
		return -1;
	if ((gr = getgrnam(name)) == NULL) {
		errf(x, s, "group \"%.64s\" does not exist", name);
		free(name);
		return -1;
	}
	free(name);
	svc->gid = gr->gr_gid;
	svc->group_set = 1;
	return 0;
}

static int
get_acl(struct ctx *x, const config_setting_t *s, const char *key,
    struct acl *acl)
{
	struct cidr *v;
	char **strs = NULL;
	size_t i, n;
	int bad = 0;

	if (get_strv(x, s, key, NULL, 4096, &strs) < 0)
		return -1;
	for (n = 0; strs[n] != NULL; n++)
		;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL) {
		strv_free(strs);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (cidr_parse(strs[i], &v[i]) == 0)
			continue;
		errf(x, s, "%s entries must be IPv4 or IPv6 addresses or "
		    "prefixes such as \"10.0.0.0/8\" or \"::1\" (got \"%.64s\")",
		    key, strs[i]);
		bad = 1;
	}
	strv_free(strs);
	if (bad) {
		free(v);
		return -1;
	}
	free(acl->v);
	acl->v = v;
	acl->n = n;
	return 0;
}

static int
k_allow(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	return get_acl(x, s, "allow", &svc->allow);
}

static int
k_deny(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	return get_acl(x, s, "deny", &svc->deny);
}

static int
k_proxy_from(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	return get_acl(x, s, "proxy_from", &svc->proxy_from);
}

static int
k_proxy_protocol(struct ctx *x, struct service *svc,
    const config_setting_t *s)
{
	return get_bool(x, s, "proxy_protocol", &svc->proxy_protocol);
}

static int
k_per_source(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	long long v;

	if (get_int(x, s, "per_source", 0, 65536, &v) < 0)
		return -1;
	svc->per_source = v;
	return 0;
}

static int
k_per_source_prefix6(struct ctx *x, struct service *svc,
    const config_setting_t *s)
{
	long long v;

	if (get_int(x, s, "per_source_ipv6_prefix", 1, 128, &v) < 0)
		return -1;
	svc->per_source_prefix6 = v;
	return 0;
}

static int
get_rate(struct ctx *x, const config_setting_t *s, const char *key,
    double *out)
{
	int t = config_setting_type(s);
	char buf[96];
	double v;

	if (t == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else if ((t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) &&
	    !wrapped(x, s, config_setting_get_int64(s), buf, sizeof(buf)))
		v = config_setting_get_int64(s);
	else
		v = -1;
	if (v >= 0 && v <= CONF_MAX_RATE) {
		*out = v;
		return 0;
	}
	errf(x, s, "%s must be a number from 0 to %d, 0 for no limit "
	    "(got %s)", key, CONF_MAX_RATE, t == CONFIG_TYPE_FLOAT ?
	    "a negative or huge number" : got(s, buf, sizeof(buf)));
	return -1;
}

static int
k_rate(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	return get_rate(x, s, "rate", &svc->rate);
}

static int
k_per_source_rate(struct ctx *x, struct service *svc,
    const config_setting_t *s)
{
	return get_rate(x, s, "per_source_rate", &svc->per_source_rate);
}

static int
k_max_amplification(struct ctx *x, struct service *svc,
    const config_setting_t *s)
{
	return get_rate(x, s, "max_amplification", &svc->max_amplification);
}

static int
k_busy_reply(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	if (get_string(x, s, "busy_reply", &svc->busy_reply) < 0)
		return -1;
	svc->busy_reply_len = strlen(svc->busy_reply);
	return 0;
}

static int
k_name(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	char *v = NULL;
	size_t n;

	if (get_string(x, s, "name", &v) < 0)
		return -1;
	n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-");
	if (v[0] == '\0' || v[n] != '\0' || n > 64) {
		errf(x, s, "name must be 1 to 64 letters, digits, '_', '.' or "
		    "'-' (got \"%.64s\")", v);
		free(v);
		return -1;
	}
	free(svc->name);
	svc->name = v;
	return 0;
}

static int
exec_program(struct ctx *x, struct exec_spec *e, const config_setting_t *s)
{
	char *prog = NULL, full[4096];
	struct stat st;

	if (get_string(x, s, "exec.program", &prog) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s%s", e->chroot ? e->chroot : "", prog);
	if (prog[0] != '/')
		errf(x, s, "exec.program must be an absolute path (got \"%.64s\")",
		    prog);
	else if (stat(full, &st) < 0)
		errf(x, s, "exec.program \"%.64s\": %s", full, strerror(errno));
	else if (!S_ISREG(st.st_mode) || access(full, X_OK) < 0)
		errf(x, s, "exec.program \"%.64s\" is not an executable file",
		    prog);
	else {
		free(e->program);
		e->program = prog;
		return 0;
	}
	free(prog);
	return -1;
}

static int
exec_env(struct ctx *x, struct exec_spec *e, const config_setting_t *s)
{
	char **v = NULL;
	size_t i, n;
	int bad = 0;

	if (get_strv(x, s, "exec.env", NULL, CONF_MAX_ENV, &v) < 0)
		return -1;
	for (i = 0; v[i] != NULL; i++) {
		n = strspn(v[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789_");
		if (n > 0 && v[i][n] == '=' && !(v[i][0] >= '0' && v[i][0] <= '9'))
			continue;
		errf(x, s, "exec.env entries must look like \"NAME=value\" "
		    "(got \"%.64s\")", v[i]);
		bad = 1;
	}
	if (bad) {
		strv_free(v);
		return -1;
	}
	strv_free(e->env);
	e->env = v;
	return 0;
}

static int
exec_chroot(struct ctx *x, struct exec_spec *e, const config_setting_t *s)
{
	struct stat st;
	char *dir = NULL;

	if (get_string(x, s, "exec.chroot", &dir) < 0)
		return -1;
	if (dir[0] != '/' || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		errf(x, s, "exec.chroot must be an existing directory given "
		    "by its absolute path (got \"%.64s\")", dir);
		free(dir);
		return -1;
	}
	free(e->chroot);
	e->chroot = dir;
	return 0;
}

static int
exec_nnp(struct ctx *x, struct exec_spec *e, const config_setting_t *s)
{
	return get_bool(x, s, "exec.no_new_privs", &e->no_new_privs);
}

/*
 * exec = { program = "/path"; args = [ ... ]; env = [ "A=b" ]; }
 * args become argv[1..]; argv[0] is the program.
 */
static int
k_exec(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	const config_setting_t *e, *args = NULL;
	char buf[96];
	int i, rc = 0;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		errf(x, s, "exec must be a group { program = \"...\"; args = "
		    "[...]; env = [...]; } (got %s)", got(s, buf, sizeof(buf)));
		return -1;
	}
	svc->exec.seen = 1;
	/* The program is looked for inside the chroot: read that first. */
	if ((e = config_setting_get_member(s, "chroot")) != NULL)
		rc |= exec_chroot(x, &svc->exec, e);
	for (i = 0; (e = config_setting_get_elem(s, i)) != NULL; i++) {
		const char *name = config_setting_name(e);

		if (strcmp(name, "program") == 0)
			rc |= exec_program(x, &svc->exec, e);
		else if (strcmp(name, "args") == 0)
			args = e;
		else if (strcmp(name, "env") == 0)
			rc |= exec_env(x, &svc->exec, e);
		else if (strcmp(name, "chroot") == 0)
			continue;
		else if (strcmp(name, "no_new_privs") == 0)
			rc |= exec_nnp(x, &svc->exec, e);
		else {
			errf(x, e, "unknown key \"exec.%s\" (allowed: program, "
			    "args, env, chroot, no_new_privs)", name);
			rc = -1;
		}
	}
	if (svc->exec.program == NULL && config_setting_get_member(s,
	    "program") == NULL) {
		errf(x, s, "exec needs program = \"/absolute/path\"");
		rc = -1;
	}
	if (svc->exec.program == NULL)
		return -1;
	if (args != NULL)
		return rc | get_strv(x, args, "exec.args", svc->exec.program,
		    256, &svc->exec.argv);
	strv_free(svc->exec.argv);
	if ((svc->exec.argv = calloc(2, sizeof(char *))) == NULL ||
	    (svc->exec.argv[0] = strdup(svc->exec.program)) == NULL)
		return -1;
	return rc;
}

/* A module setting's value as the string the module is handed. */
static char *
setting_text(const config_setting_t *s)
{
	char *v = NULL;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		return strdup(config_setting_get_string(s));
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		if (asprintf(&v, "%lld",
		    (long long)config_setting_get_int64(s)) < 0)
			return NULL;
		return v;
	case CONFIG_TYPE_FLOAT:
		if (asprintf(&v, "%g", config_setting_get_float(s)) < 0)
			return NULL;
		return v;
	case CONFIG_TYPE_BOOL:
		return strdup(config_setting_get_bool(s) ? "true" : "false");
	}
	return NULL;
}

static void
module_free(struct module_spec *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->keys[i]);
		free(m->values[i]);
	}
	free(m->keys);
	free(m->values);
	free(m->path);
	memset(m, 0, sizeof(*m));
}

/*
 * module = { path = "/x.so"; any = "setting"; ... }: loaded here, in the
 * master, so that a module that cannot serve is a configuration error.
 */
static int
k_module(struct ctx *x, struct service *svc, const config_setting_t *s)
{
	struct module_spec *m = &svc->module;
	const config_setting_t *e;
	char buf[256];
	int i, n;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		errf(x, s, "module must be a group { path = \"/path/to/x.so\"; "
		    "... } (got %s)", got(s, buf, sizeof(buf)));
		return -1;
	}
	module_free(m);
	m->seen = 1;
	n = config_setting_length(s);
	m->keys = calloc(n + 1, sizeof(char *));
	m->values = calloc(n + 1, sizeof(char *));
	if (m->keys == NULL || m->values == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if (strcmp(config_setting_name(e), "path") == 0) {
			if (get_string(x, e, "module.path", &m->path) < 0)
				return -1;
			continue;
		}
		if ((m->values[m->n] = setting_text(e)) == NULL) {
			errf(x, e, "module.%s must be a string, number or "
			    "boolean (got %s)", config_setting_name(e),
			    got(e, buf, sizeof(buf)));
			return -1;
		}
		m->keys[m->n++] = strdup(config_setting_name(e));
	}
	if (m->path == NULL || m->path[0] != '/') {
		errf(x, s, "module needs path = \"/absolute/path/to/module.so\"");
		return -1;
	}
	if (module_load(m, buf, sizeof(buf)) < 0) {
		errf(x, s, "module \"%.64s\": %s", m->path, buf);
		return -1;
	}
	return 0;
}

static const struct key keys[] = {
	{ "port",		AT_TOP | AT_SVC,	k_port },
	{ "listen",		AT_TOP | AT_SVC,	k_listen },
	{ "protocol",		AT_TOP | AT_SVC,	k_protocol },
	{ "handler",		AT_TOP | AT_SVC,	k_handler },
	{ "reply",		AT_TOP | AT_SVC,	k_reply },
	{ "max_request",	AT_TOP | AT_SVC,	k_max_request },
	{ "timeout",		AT_TOP | AT_SVC,	k_timeout },
	{ "session_timeout",	AT_TOP | AT_SVC,	k_session_timeout },
	{ "max_children",	AT_TOP | AT_SVC,	k_max_children },
	{ "reuse_port",		AT_TOP | AT_SVC,	k_reuse_port },
	{ "user",		AT_TOP | AT_SVC,	k_user },
	{ "group",		AT_TOP | AT_SVC,	k_group },
	{ "exec",		AT_TOP | AT_SVC,	k_exec },
	{ "module",		AT_TOP | AT_SVC,	k_module },
	{ "allow",		AT_TOP | AT_SVC,	k_allow },
	{ "deny",		AT_TOP | AT_SVC,	k_deny },
	{ "per_source",		AT_TOP | AT_SVC,	k_per_source },
	{ "per_source_ipv6_prefix", AT_TOP | AT_SVC,	k_per_source_prefix6 },
	{ "rate",		AT_TOP | AT_SVC,	k_rate },
	{ "per_source_rate",	AT_TOP | AT_SVC,	k_per_source_rate },
	{ "busy_reply",		AT_TOP | AT_SVC,	k_busy_reply },
	{ "max_amplification",	AT_TOP | AT_SVC,	k_max_amplification },
	{ "proxy_protocol",	AT_TOP | AT_SVC,	k_proxy_protocol },
	{ "proxy_from",		AT_TOP | AT_SVC,	k_proxy_from },
	{ "socket_mode",	AT_TOP | AT_SVC,	k_socket_mode },
	{ "socket_user",	AT_TOP | AT_SVC,	k_socket_user },
	{ "socket_group",	AT_TOP | AT_SVC,	k_socket_group },
	{ "name",		AT_SVC,			k_name },
	{ "services",		AT_TOP,			NULL },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static void
unknown_key(struct ctx *x, const config_setting_t *s, int where)
{
	char allowed[512] = "";
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (!(keys[i].where & where))
			continue;
		if (allowed[0] != '\0')
			strcat(allowed, ", ");
		strcat(allowed, keys[i].name);
	}
	errf(x, s, "unknown key \"%s\" (allowed: %s)", config_setting_name(s),
	    allowed);
}

/* Apply every setting of one group (the file's root or a service). */
static void
apply_group(struct ctx *x, struct service *svc, const config_setting_t *g,
    int where)
{
	const config_setting_t *s;
	size_t k;
	int i;

	for (i = 0; (s = config_setting_get_elem(g, i)) != NULL; i++) {
		const char *name = config_setting_name(s);

		for (k = 0; k < NKEYS; k++)
			if (strcmp(keys[k].name, name) == 0)
				break;
		if (k == NKEYS || !(keys[k].where & where))
			unknown_key(x, s, where);
		else if (keys[k].apply != NULL)
			keys[k].apply(x, svc, s);
	}
}

static void
service_init(struct service *svc)
{
	memset(svc, 0, sizeof(*svc));
	svc->port = CONF_DEFAULT_PORT;
	svc->proto = PROTO_TCP;
	svc->handler = handler_find("reply");
	svc->reply = strdup(CONF_DEFAULT_REPLY);
	svc->reply_len = strlen(CONF_DEFAULT_REPLY);
	svc->max_request = CONF_DEFAULT_MAX_REQUEST;
	svc->timeout = CONF_DEFAULT_TIMEOUT;
	svc->max_children = CONF_DEFAULT_MAX_CHILDREN;
	svc->per_source_prefix6 = 64;
	svc->max_amplification = CONF_DEFAULT_AMPLIFICATION;
	svc->exec.no_new_privs = 1;
	svc->uid = getuid();
	svc->gid = getgid();
	svc->socket_mode = CONF_DEFAULT_SOCKET_MODE;
	svc->socket_uid = (uid_t)-1;
	svc->socket_gid = (gid_t)-1;
}

static void
service_free(struct service *svc)
{
	free(svc->name);
	strv_free(svc->listen);
	free(svc->reply);
	free(svc->user);
	free(svc->exec.program);
	free(svc->exec.chroot);
	module_free(&svc->module);
	strv_free(svc->exec.argv);
	strv_free(svc->exec.env);
	free(svc->allow.v);
	free(svc->proxy_from.v);
	free(svc->deny.v);
	free(svc->busy_reply);
	free(svc->socket_user);
	free(svc->socket_group);
}

/*
 * Whether the service's user may execute its program: access() would
 * answer for root, who checks the configuration, not for the user.
 */
static int
runs_as(const struct service *svc)
{
	char full[4096];
	struct stat st;

	snprintf(full, sizeof(full), "%s%s",
	    svc->exec.chroot ? svc->exec.chroot : "", svc->exec.program);
	if (stat(full, &st) < 0)
		return 1;	/* reported already */
	if (st.st_uid == svc->uid)
		return (st.st_mode & S_IXUSR) != 0;
	if (st.st_gid == svc->gid)
		return (st.st_mode & S_IXGRP) != 0;
	return (st.st_mode & S_IXOTH) != 0;
}

/* Checks that need the whole service: keys that depend on each other. */
static void
service_check(struct ctx *x, struct service *svc, const config_setting_t *g)
{
	if (svc->handler == handler_find("exec") && !svc->exec.seen)
		errf(x, g, "service \"%s\": handler \"exec\" needs exec = { "
		    "program = \"/absolute/path\"; }", svc->name);
	if (svc->handler == handler_find("module") && !svc->module.seen)
		errf(x, g, "service \"%s\": handler \"module\" needs module = "
		    "{ path = \"/absolute/path/to/module.so\"; }", svc->name);
	if (svc->proto == PROTO_UDP && svc->proxy_protocol)
		errf(x, g, "service \"%s\": proxy_protocol is for TCP services",
		    svc->name);
	if (svc->proxy_protocol && svc->proxy_from.n == 0)
		errf(x, g, "service \"%s\": proxy_protocol needs proxy_from, "
		    "the addresses of the load balancers to trust", svc->name);
	if (x->opts->as_root && svc->user != NULL && svc->uid != 0 &&
	    svc->exec.program != NULL && !runs_as(svc))
		errf(x, g, "service \"%s\": exec.program \"%.64s\" is not "
		    "executable by user \"%s\"", svc->name, svc->exec.program,
		    svc->user);
	if (x->opts->as_root && svc->user == NULL)
		errf(x, g, "service \"%s\": refusing to run handlers as root: "
		    "set user (user = \"root\" allows it)", svc->name);
	svc->as_root = x->opts->as_root;
	unix_service_check(x, svc, g);
}

static int
read_file(struct ctx *x, config_t *cf)
{
	char *copy;
	FILE *fp;
	int ok;

	if ((fp = fopen(x->path, "re")) == NULL) {
		errf(x, NULL, "cannot read: %s", strerror(errno));
		return -1;
	}
	/* Relative @include paths are relative to the file itself. */
	if ((copy = strdup(x->path)) != NULL)
		config_set_include_dir(cf, dirname(copy));
	free(copy);
	ok = config_read(cf, fp);
	fclose(fp);
	if (ok == CONFIG_TRUE)
		return 0;
	x->nerr++;
	if (x->errs != NULL) {
		const char *file = config_error_file(cf);
		struct conf_errors *e = x->errs;
		char *msg, **grown;

		if (asprintf(&msg, "%s:%d: %s", file ? file : x->path,
		    config_error_line(cf), config_error_text(cf)) < 0)
			return -1;
		if ((grown = realloc(e->msg, (e->n + 1) * sizeof(*grown))) ==
		    NULL) {
			free(msg);
			return -1;
		}
		e->msg = grown;
		e->msg[e->n++] = msg;
	}
	return -1;
}

/* One service from the root group alone (no `services` list). */
static int
load_single(struct ctx *x, struct conf *c, const config_setting_t *root)
{
	if ((c->svc = calloc(1, sizeof(*c->svc))) == NULL)
		return -1;
	c->nsvc = 1;
	service_init(&c->svc[0]);
	c->svc[0].name = strdup(CONF_DEFAULT_NAME);
	apply_group(x, &c->svc[0], root, AT_TOP);
	if (x->opts->port >= 0)
		c->svc[0].port = x->opts->port;
	service_check(x, &c->svc[0], root);
	return 0;
}

static int
load_services(struct ctx *x, struct conf *c, const config_setting_t *root,
    const config_setting_t *list)
{
	struct conf_errors *errs = x->errs;
	struct service defaults;
	int i, j, n = config_setting_length(list);
	char buf[96];

	if (config_setting_type(list) != CONFIG_TYPE_LIST || n == 0) {
		errf(x, list, "services must be a non-empty list of groups "
		    "( { name = \"...\"; ... }, ... ) (got %s)",
		    got(list, buf, sizeof(buf)));
		return -1;
	}
	/* The defaults are checked once, on their own. */
	service_init(&defaults);
	apply_group(x, &defaults, root, AT_TOP);
	service_free(&defaults);
	if ((c->svc = calloc(n, sizeof(*c->svc))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		struct service *svc = &c->svc[c->nsvc++];

		service_init(svc);
		svc->line = config_setting_source_line(g);
		x->errs = NULL;
		apply_group(x, svc, root, AT_TOP);
		x->errs = errs;
		if (x->opts->port >= 0)
			svc->port = x->opts->port;
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			errf(x, g, "services entries must be groups { name = "
			    "\"...\"; ... } (got %s)", got(g, buf, sizeof(buf)));
			continue;
		}
		apply_group(x, svc, g, AT_SVC);
		if (svc->name == NULL) {
			errf(x, g, "a service needs a name (name = \"...\";)");
			continue;
		}
		for (j = 0; j < i; j++)
			if (c->svc[j].name && strcmp(c->svc[j].name,
			    svc->name) == 0)
				errf(x, g, "service name \"%s\" is used twice",
				    svc->name);
		service_check(x, svc, g);
	}
	return 0;
}

/*
 * Returns the configuration, or NULL when the file has any problem; then
 * errs (if not NULL) lists them all.
 */
struct conf *
conf_load(const char *path, const struct conf_opts *opts,
    struct conf_errors *errs)
{
	struct ctx x = { .path = path, .opts = opts, .errs = errs };
	const config_setting_t *root, *list;
	struct conf *c;
	config_t cf;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(path)) == NULL) {
		free(c);
		return NULL;
	}
	config_init(&cf);
	if (read_file(&x, &cf) == 0) {
		root = config_root_setting(&cf);
		if ((list = config_setting_get_member(root, "services")) != NULL)
			load_services(&x, c, root, list);
		else
			load_single(&x, c, root);
	}
	config_destroy(&cf);
	if (x.nerr > 0 || c->nsvc == 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsvc; i++)
		service_free(&c->svc[i]);
	free(c->svc);
	free(c->path);
	free(c);
}

void
conf_errors_free(struct conf_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		free(errs->msg[i]);
	free(errs->msg);
	errs->msg = NULL;
	errs->n = 0;
}

struct service *
conf_service(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsvc; i++)
		if (strcmp(c->svc[i].name, name) == 0)
			return &c->svc[i];
	return NULL;
}
