/*
 * The keys of Unix domain listeners: "unix:/path" in listen, and the
 * socket file's permission bits and owners (socket_mode, socket_user,
 * socket_group), with the rules that tie them to the rest of a service.
 */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libconfig.h>

#include "conf/internal.h"
#include "lib/addr.h"
#include "lib/log.h"

/* One "unix:/path" entry of listen. */
int
conf_unix_listen_check(struct conf_ctx *x, const config_setting_t *s,
    const char *spec)
{
	const char *path = addr_unix_path(spec);
	char q[CONF_QUOTE_MAX], p[CONF_QUOTE_MAX];
	struct stat st;

	if (path[0] != '/' || strlen(path) >= (size_t)ADDR_UNIX_PATH_MAX) {
		conf_errf(x, s, "listen %s must name an absolute path "
		    "of at most %d bytes, such as \"unix:/run/replyd/NAME.sock\"",
		    conf_quote(q, sizeof(q), spec), ADDR_UNIX_PATH_MAX - 1);
		return -1;
	}
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		log_escape(p, sizeof(p), path, strlen(path));
		conf_errf(x, s, "listen %s: %s exists and is not a socket "
		    "(replyd replaces a stale socket, never another file)",
		    conf_quote(q, sizeof(q), spec), p);
		return -1;
	}
	return 0;
}

/* Octal permission bits, written 0660, 660 or "0660" (as chmod reads them). */
/* Permission bits in octal, 0 to 0777: 0, or -1 (reported). */
static int
get_mode(struct conf_ctx *x, const config_setting_t *s, const char *key,
    int *out)
{
	int t = config_setting_type(s);
	const char *txt = NULL;
	char num[32], buf[96];
	long long v;
	size_t n;

	if (t == CONFIG_TYPE_STRING)
		txt = config_setting_get_string(s);
	else if ((t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) &&
	    conf_get_int64(x, s, &v) == 0 && v >= 0) {
		/* libconfig reads 0660 as decimal 660: take the digits. */
		snprintf(num, sizeof(num), "%lld", v);
		txt = num;
	}
	n = txt ? strlen(txt) : 0;
	if (n == 0 || n > 4 || strspn(txt, "01234567") != n ||
	    strtol(txt, NULL, 8) > 0777) {
		conf_errf(x, s, "%s must be permission bits in octal from 0 to "
		    "0777, such as 0660 or \"0660\" (got %s)", key,
		    conf_got(x, s, buf, sizeof(buf)));
		return -1;
	}
	*out = (int)strtol(txt, NULL, 8);
	return 0;
}

int
conf_parse_socket_mode(struct conf_ctx *x, struct service *svc,
    const config_setting_t *s)
{
	return get_mode(x, s, "socket_mode", &svc->socket_mode);
}

/* The mode bits a handler's new files leave out (umask(2)). */
int
conf_parse_umask(struct conf_ctx *x, struct service *svc,
    const config_setting_t *s)
{
	return get_mode(x, s, "umask", &svc->umask);
}

void
conf_print_umask(FILE *fp, const struct conf_key *k,
    const struct service *svc, int indent)
{
	char v[16];

	snprintf(v, sizeof(v), "\"0%03o\"", (unsigned)svc->umask);
	conf_print_line(fp, indent, k->name, svc->umask < 0 ? NULL : v,
	    k->help);
}

int
conf_parse_socket_user(struct conf_ctx *x, struct service *svc,
    const config_setting_t *s)
{
	struct passwd *pw;
	char *name = NULL, q[CONF_QUOTE_MAX];

	if (conf_get_string(x, s, "socket_user", &name) < 0)
		return -1;
	if ((pw = getpwnam(name)) == NULL) {
		conf_errf(x, s, "socket_user %s does not exist",
		    conf_quote(q, sizeof(q), name));
		free(name);
		return -1;
	}
	free(svc->socket_user);
	svc->socket_user = name;
	svc->socket_uid = pw->pw_uid;
	return 0;
}

int
conf_parse_socket_group(struct conf_ctx *x, struct service *svc,
    const config_setting_t *s)
{
	struct group *gr;
	char *name = NULL, q[CONF_QUOTE_MAX];

	if (conf_get_string(x, s, "socket_group", &name) < 0)
		return -1;
	if ((gr = getgrnam(name)) == NULL) {
		conf_errf(x, s, "socket_group %s does not exist",
		    conf_quote(q, sizeof(q), name));
		free(name);
		return -1;
	}
	free(svc->socket_group);
	svc->socket_group = name;
	svc->socket_gid = gr->gr_gid;
	return 0;
}

void
conf_print_socket_mode(FILE *fp, const struct conf_key *k,
    const struct service *svc, int indent)
{
	char text[16];

	snprintf(text, sizeof(text), "\"0%03o\"", (unsigned)svc->socket_mode);
	conf_print_line(fp, indent, k->name, text, k->help);
}

static void
print_owner(FILE *fp, const struct conf_key *k, const char *name,
    int indent)
{
	char *text = NULL;
	size_t len;
	FILE *mem;

	if (name == NULL) {
		conf_print_line(fp, indent, k->name, NULL,
		    "the socket file keeps replyd's own");
		return;
	}
	if ((mem = open_memstream(&text, &len)) == NULL)
		return;
	conf_print_string(mem, name);
	fclose(mem);
	conf_print_line(fp, indent, k->name, text, k->help);
	free(text);
}

void
conf_print_socket_user(FILE *fp, const struct conf_key *k,
    const struct service *svc, int indent)
{
	print_owner(fp, k, svc->socket_user, indent);
}

void
conf_print_socket_group(FILE *fp, const struct conf_key *k,
    const struct service *svc, int indent)
{
	print_owner(fp, k, svc->socket_group, indent);
}

/*
 * A Unix listener is a stream socket with no IP peer: no datagrams, no
 * PROXY header, and allow/deny cannot judge its clients.  Access lists
 * the service's own group sets are an error only when the service has
 * no IP listener they could apply to.
 */
static void
count_unix(const struct service *svc, size_t *nunix, size_t *n)
{
	size_t i;

	*nunix = *n = 0;
	for (i = 0; svc->listen != NULL && svc->listen[i] != NULL; i++, ++*n)
		*nunix += addr_unix_path(svc->listen[i]) != NULL;
}

/* 1 if every listener of svc is a Unix socket (allow/deny mean nothing). */
int
conf_unix_only(const struct service *svc)
{
	size_t nunix, n;

	count_unix(svc, &nunix, &n);
	return nunix > 0 && nunix == n;
}

void
conf_unix_service_check(struct conf_ctx *x, const struct service *svc,
    const config_setting_t *g)
{
	const config_setting_t *acl;
	size_t nunix, n;

	count_unix(svc, &nunix, &n);
	if (nunix == 0)
		return;
	if (svc->proto == PROTO_UDP)
		conf_errf(x, g, "service \"%s\": a \"unix:\" listener needs "
		    "protocol = \"tcp\" (a stream socket; Unix datagram "
		    "sockets are not supported)", svc->name);
	if (svc->proxy_protocol)
		conf_errf(x, g, "service \"%s\": proxy_protocol is not "
		    "supported on \"unix:\" listeners", svc->name);
	if (nunix < n || g == NULL)
		return;
	if ((acl = config_setting_get_member(g, "allow")) != NULL ||
	    (acl = config_setting_get_member(g, "deny")) != NULL)
		conf_errf(x, acl, "service \"%s\": allow and deny do not apply "
		    "to \"unix:\" listeners, and it has no other (per_source "
		    "counts Unix clients by user id)", svc->name);
}
