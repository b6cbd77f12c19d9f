/*
 * Loading and validating the libconfig file.  (The prefix is conf_, not
 * config_, which is libconfig's own namespace.)
 *
 * text.c reads the files; libconfig parses them; each setting is
 * then checked and stored by its row in the key table (keys.c).
 * This file walks the groups, holds the keys of a shape of their own
 * (listen, user, group, exec, module, name) and the checks that need a
 * whole service.  A file is checked completely: each problem is recorded
 * as "FILE:LINE: what is wrong and what is allowed", and only a file with
 * no problem becomes a struct conf.  With a `services` list the
 * top-level keys are defaults: they are checked once on their own, then
 * applied again (silently) under each service before the service's own.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/internal.h"
#include "lib/addr.h"

int
conf_parse_name(struct conf_ctx *x, struct service *svc,
    const config_setting_t *s)
{
	char *v = NULL, q[CONF_QUOTE_MAX];
	size_t n;

	if (conf_get_string(x, s, "name", &v) < 0)
		return -1;
	n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-");
	if (v[0] == '\0' || v[n] != '\0' || n > 64) {
		conf_errf(x, s, "name must be 1 to 64 letters, digits, '_', '.' "
		    "or '-' (got %s)", conf_quote(q, sizeof(q), v));
		free(v);
		return -1;
	}
	free(svc->name);
	svc->name = v;
	return 0;
}

int
conf_parse_listen(struct conf_ctx *x, struct service *svc,
    const config_setting_t *s)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char **v = NULL, q[CONF_QUOTE_MAX];
	size_t i, j;
	int bad = 0;

	if (conf_get_strv(x, s, "listen", NULL, 64, &v) < 0)
		return -1;
	for (i = 0; v[i] != NULL; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(v[i], v[j]) == 0) {
				conf_errf(x, s, "listen names %s twice",
				    conf_quote(q, sizeof(q), v[i]));
				bad = 1;
			}
		if (addr_unix_path(v[i]) != NULL) {
			bad |= conf_unix_listen_check(x, s, v[i]) < 0;
			continue;
		}
		if (addr_parse(v[i], 0, &ss, &len) == 0)
			continue;
		conf_errf(x, s, "listen must name numeric IPv4 or IPv6 addresses "
		    "such as \"127.0.0.1\" or \"::\", or \"unix:/path\" (got "
		    "%s)", conf_quote(q, sizeof(q), v[i]));
		bad = 1;
	}
	if (v[0] == NULL) {
		conf_errf(x, s, "listen must name at least one address");
		bad = 1;
	}
	if (bad) {
		conf_strv_free(v);
		return -1;
	}
	conf_strv_free(svc->listen);
	svc->listen = v;
	return 0;
}

int
conf_parse_user(struct conf_ctx *x, struct service *svc,
    const config_setting_t *s)
{
	struct passwd *pw;
	char *name = NULL, q[CONF_QUOTE_MAX];

	if (conf_get_string(x, s, "user", &name) < 0) {
		x->user_failed = 1;
		return -1;
	}
	if ((pw = getpwnam(name)) == NULL) {
		conf_errf(x, s, "user %s does not exist",
		    conf_quote(q, sizeof(q), name));
		free(name);
		x->user_failed = 1;
		return -1;
	}
	free(svc->user);
	svc->user = name;
	svc->uid = pw->pw_uid;
	if (svc->group == NULL)
		svc->gid = pw->pw_gid;
	return 0;
}

int
conf_parse_group(struct conf_ctx *x, struct service *svc,
    const config_setting_t *s)
{
	struct group *gr;
	char *name = NULL, q[CONF_QUOTE_MAX];

	if (conf_get_string(x, s, "group", &name) < 0)
		return -1;
	if ((gr = getgrnam(name)) == NULL) {
		conf_errf(x, s, "group %s does not exist",
		    conf_quote(q, sizeof(q), name));
		free(name);
		return -1;
	}
	free(svc->group);
	svc->group = name;
	svc->gid = gr->gr_gid;
	svc->group_set = 1;
	return 0;
}

static int
exec_program(struct conf_ctx *x, struct exec_spec *e,
    const config_setting_t *s)
{
	char *prog = NULL, full[4096], q[CONF_QUOTE_MAX];
	struct stat st;

	if (conf_get_string(x, s, "exec.program", &prog) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s%s", e->chroot ? e->chroot : "", prog);
	if (prog[0] != '/')
		conf_errf(x, s, "exec.program must be an absolute path (got "
		    "%s)", conf_quote(q, sizeof(q), prog));
	else if (stat(full, &st) < 0)
		conf_errf(x, s, "exec.program %s: %s",
		    conf_quote(q, sizeof(q), full), strerror(errno));
	else if (!S_ISREG(st.st_mode) || access(full, X_OK) < 0)
		conf_errf(x, s, "exec.program %s is not an executable file",
		    conf_quote(q, sizeof(q), prog));
	else {
		free(e->program);
		e->program = prog;
		return 0;
	}
	free(prog);
	return -1;
}

/*
 * exec.env ("NAME=value", end '=') or exec.passenv (names of the master's
 * variables, end '\0') into *out.
 */
static int
exec_vars(struct conf_ctx *x, const config_setting_t *s, const char *key,
    char end, const char *what, char ***out)
{
	char **v = NULL, q[CONF_QUOTE_MAX];
	size_t i, n;
	int bad = 0;

	if (conf_get_strv(x, s, key, NULL, CONF_MAX_ENV, &v) < 0)
		return -1;
	for (i = 0; v[i] != NULL; i++) {
		n = strspn(v[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789_");
		if (n > 0 && v[i][n] == end && !(v[i][0] >= '0' && v[i][0] <= '9'))
			continue;
		conf_errf(x, s, "%s entries must %s (got %s)", key, what,
		    conf_quote(q, sizeof(q), v[i]));
		bad = 1;
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
exec_chroot(struct conf_ctx *x, struct exec_spec *e,
    const config_setting_t *s)
{
	struct stat st;
	char *dir = NULL, q[CONF_QUOTE_MAX];

	if (conf_get_string(x, s, "exec.chroot", &dir) < 0)
		return -1;
	if (dir[0] != '/' || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		conf_errf(x, s, "exec.chroot must be an existing directory given "
		    "by its absolute path (got %s)",
		    conf_quote(q, sizeof(q), dir));
		free(dir);
		return -1;
	}
	free(e->chroot);
	e->chroot = dir;
	return 0;
}

/* argv: the program, then args if given. */
static int
exec_argv(struct conf_ctx *x, struct exec_spec *e,
    const config_setting_t *args)
{
	if (args != NULL)
		return conf_get_strv(x, args, "exec.args", e->program, 256,
		    &e->argv);
	conf_strv_free(e->argv);
	if ((e->argv = calloc(2, sizeof(char *))) == NULL ||
	    (e->argv[0] = strdup(e->program)) == NULL)
		return -1;
	return 0;
}

/*
 * exec = { program = "/path"; args = [ ... ]; env = [ "A=b" ]; }
 * args become argv[1..]; argv[0] is the program.
 */
int
conf_parse_exec(struct conf_ctx *x, struct service *svc,
    const config_setting_t *s)
{
	const config_setting_t *e, *args = NULL;
	char buf[96];
	int i, rc = 0;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		conf_errf(x, s, "exec must be a group { program = \"...\"; args "
		    "= [...]; env = [...]; } (got %s)", conf_got(x, s, buf,
		    sizeof(buf)));
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
			rc |= exec_vars(x, e, "exec.env", '=', "look like "
			    "\"NAME=value\"", &svc->exec.env);
		else if (strcmp(name, "passenv") == 0)
			rc |= exec_vars(x, e, "exec.passenv", '\0', "be variable "
			    "names such as \"TZ\"", &svc->exec.passenv);
		else if (strcmp(name, "no_new_privs") == 0)
			rc |= conf_get_bool(x, e, "exec.no_new_privs",
			    &svc->exec.no_new_privs);
		else if (strcmp(name, "chroot") != 0) {
			conf_errf(x, e, "unknown key \"exec.%s\" (allowed: "
			    "program, args, env, passenv, chroot, no_new_privs)",
			    name);
			rc = -1;
		}
	}
	if (svc->exec.program == NULL && config_setting_get_member(s,
	    "program") == NULL) {
		conf_errf(x, s, "exec needs program = \"/absolute/path\"");
		rc = -1;
	}
	if (svc->exec.program == NULL)
		return -1;
	return rc | exec_argv(x, &svc->exec, args);
}

/* A module setting's value as the string the module is handed. */
static char *
setting_text(struct conf_ctx *x, const config_setting_t *s)
{
	char *v = NULL;
	long long i;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		return strdup(config_setting_get_string(s));
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		if (conf_get_int64(x, s, &i) < 0 || asprintf(&v, "%lld", i) < 0)
			return NULL;
		return v;
	case CONFIG_TYPE_FLOAT:
		if (asprintf(&v, "%.17g", config_setting_get_float(s)) < 0)
			return NULL;
		return v;
	case CONFIG_TYPE_BOOL:
		return strdup(config_setting_get_bool(s) ? "true" : "false");
	}
	return NULL;
}

static void
module_spec_free(struct module_spec *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->keys[i]);
		free(m->values[i]);
	}
	free(m->keys);
	free(m->values);
	free(m->path);
	free(m->where);
	memset(m, 0, sizeof(*m));
}

/*
 * module = { path = "/x.so"; any = "setting"; ... }: only read here; the
 * module handler loads it, and it checks its settings then.
 */
int
conf_parse_module(struct conf_ctx *x, struct service *svc,
    const config_setting_t *s)
{
	struct module_spec *m = &svc->module;
	const config_setting_t *e;
	unsigned line;
	const char *file;
	char buf[96];
	long long i64;
	int i, n, rc = 0;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		conf_errf(x, s, "module must be a group { path = \"/path/to/"
		    "x.so\"; ... } (got %s)", conf_got(x, s, buf, sizeof(buf)));
		return -1;
	}
	module_spec_free(m);
	m->seen = 1;
	n = config_setting_length(s);
	file = conf_text_where(x->text, config_setting_source_line(s), &line);
	if ((m->keys = calloc(n + 1, sizeof(char *))) == NULL ||
	    (m->values = calloc(n + 1, sizeof(char *))) == NULL ||
	    asprintf(&m->where, "%s:%u", file, line) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if (strcmp(config_setting_name(e), "path") == 0)
			rc |= conf_get_string(x, e, "module.path", &m->path);
		else if (conf_get_int64(x, e, &i64) < 0 && (config_setting_type(e)
		    == CONFIG_TYPE_INT || config_setting_type(e) ==
		    CONFIG_TYPE_INT64)) {
			conf_errf(x, e, "module.%s must be an integer from %d "
			    "to %d, or a string (got %s)",
			    config_setting_name(e), INT_MIN, INT_MAX,
			    conf_got(x, e, buf, sizeof(buf)));
			rc = -1;
		} else if ((m->values[m->n] = setting_text(x, e)) == NULL) {
			conf_errf(x, e, "module.%s must be a string, number or "
			    "boolean (got %s)", config_setting_name(e),
			    conf_got(x, e, buf, sizeof(buf)));
			rc = -1;
		} else
			m->keys[m->n++] = strdup(config_setting_name(e));
	}
	if (rc == 0 && (m->path == NULL || m->path[0] != '/')) {
		conf_errf(x, s, "module needs path = \"/absolute/path/to/"
		    "module.so\"");
		rc = -1;
	}
	return rc;
}

static void
unknown_key(struct conf_ctx *x, const config_setting_t *s, unsigned where)
{
	const struct conf_key *k = conf_key_nearest(config_setting_name(s),
	    where);

	if (k != NULL)
		conf_errf(x, s, "unknown key \"%s\"; did you mean \"%s\"? "
		    "(allowed: %s)", config_setting_name(s), k->name,
		    conf_key_names(where));
	else
		conf_errf(x, s, "unknown key \"%s\" (allowed: %s)",
		    config_setting_name(s), conf_key_names(where));
}

/* Apply every setting of one group (the file's root or a service). */
static void
apply_group(struct conf_ctx *x, struct service *svc,
    const config_setting_t *g, unsigned where)
{
	const config_setting_t *s;
	const struct conf_key *k;
	int i;

	for (i = 0; (s = config_setting_get_elem(g, i)) != NULL; i++) {
		if ((k = conf_key_find(config_setting_name(s))) == NULL ||
		    !(k->where & where))
			unknown_key(x, s, where);
		else if (strcmp(k->name, "services") != 0)
			conf_key_apply(x, k, svc, s);
	}
}

static void
service_init(struct service *svc)
{
	memset(svc, 0, sizeof(*svc));
	conf_key_defaults(svc);
	svc->exec.no_new_privs = 1;
	svc->sandbox.syscalls = SB_BY_KIND;
	svc->sandbox.network = 1;
	svc->uid = getuid();
	svc->gid = getgid();
	svc->socket_mode = CONF_DEFAULT_SOCKET_MODE;
	svc->umask = -1;
	svc->socket_uid = (uid_t)-1;
	svc->socket_gid = (gid_t)-1;
}

static void
service_free(struct service *svc)
{
	free(svc->name);
	free(svc->handler_name);
	conf_strv_free(svc->listen);
	free(svc->reply);
	free(svc->user);
	free(svc->group);
	free(svc->exec.program);
	free(svc->exec.chroot);
	module_spec_free(&svc->module);
	conf_sandbox_free(&svc->sandbox);
	conf_strv_free(svc->exec.argv);
	conf_strv_free(svc->exec.env);
	conf_strv_free(svc->exec.passenv);
	free(svc->sgroups);
	free(svc->allow.v);
	free(svc->proxy_from.v);
	free(svc->deny.v);
	free(svc->busy_reply);
	free(svc->socket_user);
	free(svc->socket_group);
	free(svc->interface);
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

static int
handler_is(const struct service *svc, const char *name)
{
	return svc->handler_name != NULL &&
	    strcmp(svc->handler_name, name) == 0;
}

/*
 * groups = true: the user's supplementary groups, looked up now (the
 * child that uses them may not call the name service).
 */
static void
supplementary(struct conf_ctx *x, struct service *svc,
    const config_setting_t *g)
{
	int n = 0;

	free(svc->sgroups);
	svc->sgroups = NULL;
	svc->nsgroups = 0;
	if (!svc->groups)
		return;
	if (svc->user == NULL) {
		conf_errf(x, g, "service \"%s\": groups needs user, whose "
		    "groups they are", svc->name);
		return;
	}
	getgrouplist(svc->user, svc->gid, NULL, &n);
	if ((svc->sgroups = calloc(n + 1, sizeof(gid_t))) == NULL ||
	    getgrouplist(svc->user, svc->gid, svc->sgroups, &n) < 0) {
		conf_errf(x, g, "service \"%s\": cannot list the groups of "
		    "user \"%s\"", svc->name, svc->user);
		return;
	}
	svc->nsgroups = n;
}

/* Checks that need the whole service: keys that depend on each other. */
static void
service_check(struct conf_ctx *x, struct service *svc,
    const config_setting_t *g)
{
	char q[CONF_QUOTE_MAX];

	supplementary(x, svc, g);
	if (handler_is(svc, "exec") && !svc->exec.seen)
		conf_errf(x, g, "service \"%s\": handler \"exec\" needs exec = "
		    "{ program = \"/absolute/path\"; }", svc->name);
	if (handler_is(svc, "module") && !svc->module.seen)
		conf_errf(x, g, "service \"%s\": handler \"module\" needs module "
		    "= { path = \"/absolute/path/to/module.so\"; }", svc->name);
	if (svc->proto == PROTO_UDP && svc->proxy_protocol)
		conf_errf(x, g, "service \"%s\": proxy_protocol is for TCP "
		    "services", svc->name);
	if (svc->proxy_protocol && svc->proxy_from.n == 0)
		conf_errf(x, g, "service \"%s\": proxy_protocol needs proxy_from, "
		    "the addresses of the load balancers to trust", svc->name);
	if (x->opts->as_root && svc->user != NULL && svc->uid != 0 &&
	    svc->exec.program != NULL && !runs_as(svc))
		conf_errf(x, g, "service \"%s\": exec.program %s is not "
		    "executable by user \"%s\"", svc->name,
		    conf_quote(q, sizeof(q), svc->exec.program), svc->user);
	/* A disabled service runs nothing, as root or not. */
	if (x->opts->as_root && svc->user == NULL && !x->user_failed &&
	    !svc->disable)
		conf_errf(x, g, "service \"%s\": refusing to run handlers as "
		    "root: set user (user = \"root\" allows it)", svc->name);
	svc->as_root = x->opts->as_root;
	conf_unix_service_check(x, svc, g);
	conf_sockopt_check(x, svc, g);
	conf_wait_check(x, svc, g);
	conf_sandbox_default(svc);
}

/*
 * Whether two listen addresses (NULL: the default, "::") meet.  A Unix
 * socket meets only the same path.
 */
static int
addr_meet(const char *a, const char *b)
{
	const char *ua = a ? addr_unix_path(a) : NULL;
	const char *ub = b ? addr_unix_path(b) : NULL;
	struct sockaddr_storage sa, sb;
	socklen_t la, lb;
	int wa, wb;

	if (ua != NULL || ub != NULL)
		return ua != NULL && ub != NULL && strcmp(ua, ub) == 0;
	if (a == NULL || b == NULL || addr_parse(a, 0, &sa, &la) < 0 ||
	    addr_parse(b, 0, &sb, &lb) < 0)
		return 1;
	/* "::" takes IPv4 too (IPV6_V6ONLY off); "0.0.0.0" all of IPv4. */
	wa = strcmp(a, "::") == 0 ? 2 : strcmp(a, "0.0.0.0") == 0;
	wb = strcmp(b, "::") == 0 ? 2 : strcmp(b, "0.0.0.0") == 0;
	if (wa == 2 || wb == 2)
		return 1;
	if (sa.ss_family != sb.ss_family)
		return 0;
	return wa || wb || (la == lb && memcmp(&sa, &sb, la) == 0);
}

/*
 * Two services that would bind the same port (or the same Unix socket
 * path, whatever their ports): the second cannot.
 */
static void
same_port(struct conf_ctx *x, const struct service *a,
    const struct service *b, const config_setting_t *g)
{
	const char *la, *lb;
	size_t i, j;
	int ip;

	for (i = 0; i == 0 || (a->listen && a->listen[i]); i++)
		for (j = 0; j == 0 || (b->listen && b->listen[j]); j++) {
			la = a->listen ? a->listen[i] : NULL;
			lb = b->listen ? b->listen[j] : NULL;
			ip = (la == NULL || addr_unix_path(la) == NULL) &&
			    (lb == NULL || addr_unix_path(lb) == NULL);
			if (ip && (a->port == 0 || a->port != b->port ||
			    a->proto != b->proto))
				continue;
			if (!addr_meet(la, lb))
				continue;
			if (ip)
				conf_errf(x, g, "services \"%s\" and \"%s\" "
				    "both listen on port %d (%s)%s%s", a->name,
				    b->name, b->port, a->proto == PROTO_UDP ?
				    "udp" : "tcp", lb ? " at " : "", lb ? lb : "");
			else
				conf_errf(x, g, "services \"%s\" and \"%s\" "
				    "both listen on %s", a->name, b->name, lb);
			return;
		}
}

/*
 * Read the files (text.c) and hand libconfig the joined text.  Its
 * messages get the file and line they are about, and context.
 */
static int
parse(struct conf_ctx *x, struct conf_text *t, config_t *cf)
{
	char what[512];
	const char *file;
	unsigned line;
	size_t i;

	if (conf_text_read(t, x->path) < 0) {
		for (i = 0; i < t->nerrs; i++)
			if (x->errs != NULL)
				errlist_add(x->errs, "%s", t->errs[i]);
		x->nerr += t->nerrs > 0 ? t->nerrs : 1;
		return -1;
	}
	/*
	 * The text holds no @include any more.  Should libconfig still see
	 * one, it would prefix this to the name (it does, even to absolute
	 * names), so it can never open a file itself.
	 */
	config_set_include_dir(cf, "/dev/null");
	if (config_read_string(cf, t->buf) == CONFIG_TRUE)
		return 0;
	conf_text_explain(t, config_error_line(cf), config_error_text(cf),
	    what, sizeof(what));
	file = conf_text_where(t, config_error_line(cf), &line);
	x->nerr++;
	if (x->errs != NULL)
		errlist_add(x->errs, "%s:%u: %s", file, line, what);
	return -1;
}

/*
 * One service from the root group alone (no `services` list).  It has
 * no name key: it is named by its port and protocol ("7788/tcp"), so
 * that log lines read "replyd: 7788/tcp: listening", not "replyd:
 * replyd: ..."; one with only Unix sockets is "unix".
 */
static int
load_single(struct conf_ctx *x, struct conf *c, const config_setting_t *root)
{
	struct service *svc;

	if ((c->svc = calloc(1, sizeof(*c->svc))) == NULL)
		return -1;
	c->nsvc = 1;
	svc = &c->svc[0];
	service_init(svc);
	apply_group(x, svc, root, CK_TOP);
	if (x->opts->port >= 0)
		svc->port = x->opts->port;
	c->log_facility = svc->log_facility;
	if (conf_unix_only(svc))
		svc->name = strdup("unix");
	else if (asprintf(&svc->name, "%d/%s", svc->port,
	    svc->proto == PROTO_UDP ? "udp" : "tcp") < 0)
		svc->name = NULL;
	if (svc->name == NULL)
		return -1;
	service_check(x, svc, root);
	return 0;
}

/*
 * Service i of the list: the defaults, then its own keys.  Returns 0, or
 * -1 if a key of it is wrong (then no other service is compared with it).
 */
static int
load_entry(struct conf_ctx *x, struct conf *c, const config_setting_t *root,
    const config_setting_t *g, size_t i, const char *bad)
{
	struct errlist *errs = x->errs;
	struct service *svc = &c->svc[i];
	int nerr = x->nerr, ok;
	char buf[96];
	size_t j;

	service_init(svc);
	conf_text_where(x->text, config_setting_source_line(g), &svc->line);
	x->user_failed = 0;
	x->errs = NULL;
	apply_group(x, svc, root, CK_TOP);
	x->errs = errs;
	if (x->opts->port >= 0)
		svc->port = x->opts->port;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		conf_errf(x, g, "services entries must be groups { name = "
		    "\"...\"; ... } (got %s)", conf_got(x, g, buf, sizeof(buf)));
		return -1;
	}
	apply_group(x, svc, g, CK_SVC);
	if (svc->name == NULL) {
		/* A name given but refused is reported already, as such. */
		if (config_setting_get_member(g, "name") == NULL)
			conf_errf(x, g, "a service needs a name "
			    "(name = \"...\";)");
		return -1;
	}
	ok = x->nerr == nerr;
	for (j = 0; j < i; j++) {
		if (c->svc[j].name == NULL)
			continue;
		if (strcmp(c->svc[j].name, svc->name) == 0)
			conf_errf(x, g, "service name \"%s\" is used twice",
			    svc->name);
		else if (!bad[j] && ok && !svc->disable && !c->svc[j].disable)
			same_port(x, &c->svc[j], svc, g);
	}
	service_check(x, svc, g);
	return ok ? 0 : -1;
}

static int
load_services(struct conf_ctx *x, struct conf *c, const config_setting_t *root,
    const config_setting_t *list)
{
	struct service defaults;
	int i, n = config_setting_length(list);
	char buf[96], *bad;

	if (config_setting_type(list) != CONFIG_TYPE_LIST || n == 0) {
		conf_errf(x, list, "services must be a non-empty list of groups "
		    "( { name = \"...\"; ... }, ... ) (got %s)",
		    conf_got(x, list, buf, sizeof(buf)));
		return -1;
	}
	/* The defaults are checked once, on their own. */
	service_init(&defaults);
	apply_group(x, &defaults, root, CK_TOP);
	c->log_facility = defaults.log_facility;
	service_free(&defaults);
	if ((c->svc = calloc(n, sizeof(*c->svc))) == NULL ||
	    (bad = calloc(n, 1)) == NULL)
		return -1;
	c->listed = 1;
	for (i = 0; i < n; i++) {
		bad[i] = load_entry(x, c, root, config_setting_get_elem(list, i),
		    i, bad) < 0;
		c->nsvc++;
	}
	free(bad);
	return 0;
}

/*
 * Returns the configuration, or NULL when the file has any problem; then
 * errs (if not NULL) lists them all.
 */
struct conf *
conf_load(const char *path, const struct conf_opts *opts,
    struct errlist *errs)
{
	struct conf_ctx x = { .path = path, .opts = opts, .errs = errs };
	const config_setting_t *root, *list;
	struct conf_text text;
	struct conf *c;
	config_t cf;
	size_t i;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(path)) == NULL) {
		free(c);
		return NULL;
	}
	x.text = &text;
	config_init(&cf);
	if (parse(&x, &text, &cf) == 0) {
		root = config_root_setting(&cf);
		if ((list = config_setting_get_member(root, "services")) != NULL)
			load_services(&x, c, root, list);
		else
			load_single(&x, c, root);
	}
	config_destroy(&cf);
	conf_text_free(&text);
	for (i = 0; i < c->nsvc; i++)
		c->nenabled += !c->svc[i].disable;
	if (x.nerr == 0 && c->nsvc > 0 && c->nenabled == 0)
		conf_errf(&x, NULL, "no services defined (every service is "
		    "disabled)");
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

struct service *
conf_service(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsvc; i++)
		if (strcmp(c->svc[i].name, name) == 0)
			return &c->svc[i];
	return NULL;
}
