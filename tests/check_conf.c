/*
 * Configuration loading: values, defaults, inheritance, and that every
 * error is reported with its line.  (The corpus of bad files in
 * data/bad/ is run through the real binary by t-badconf.sh.)
 */
#include <arpa/inet.h>
#include <check.h>
#include <dlfcn.h>
#include <stddef.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/internal.h"
#include "conf/keys.h"
#include "check_run.h"

static char path[64];
static struct errlist errs;
/* When >= 0: the allocations to go before one fails (malloc, calloc). */
static long fail_in = -1;
/* Heap blocks in use (see malloc below). */
static long blocks;

#if !defined(__SANITIZE_ADDRESS__) && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define __SANITIZE_ADDRESS__ 1
#endif
#endif
/*
 * What the heap holds now, to compare before and after.  A sanitizer
 * allocates for the calls it intercepts (strdup, asprintf) without
 * coming through malloc below, so it is asked instead: bytes, not blocks.
 */
#ifdef __SANITIZE_ADDRESS__
size_t	__sanitizer_get_current_allocated_bytes(void);

static long
in_use(void)
{
	return (long)__sanitizer_get_current_allocated_bytes();
}
#else
static long
in_use(void)
{
	return blocks;
}
#endif
/* What `handler` may say: the caller's list, not the handler table. */
static const char *const names[] = { "reply", "echo", "exec", "module",
    NULL };

/* text in a new file at path (the one before is removed). */
static void
write_text(const char *text)
{
	int fd;

	if (path[0] != '\0')
		unlink(path);
	strcpy(path, "/tmp/check_conf.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
}

static struct conf *
load_text(const char *text, int port, int as_root)
{
	struct conf_opts o = { .port = port, .as_root = as_root,
	    .handlers = names };

	write_text(text);
	errlist_free(&errs);
	return conf_load(path, &o, &errs);
}

static void
teardown(void)
{
	unlink(path);
	errlist_free(&errs);
}

/* The n-th error, without the "FILE" prefix. */
static const char *
err(size_t n)
{
	ck_assert_uint_gt(errs.n, n);
	return errs.msg[n] + strlen(path);
}

START_TEST(tutorial_file)
{
	struct conf *c = load_text("port = 7788;\nreply = \"thank you !\\n\";\n",
	    -1, 0);

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->nsvc, 1);
	ck_assert_str_eq(c->svc[0].name, "7788/tcp");
	ck_assert_int_eq(c->svc[0].port, 7788);
	ck_assert_str_eq(c->svc[0].reply, "thank you !\n");
	ck_assert_uint_eq(c->svc[0].reply_len, 12);
	conf_free(c);
}
END_TEST

START_TEST(defaults)
{
	struct conf *c = load_text("", -1, 0);
	const struct service *s;

	ck_assert_ptr_nonnull(c);
	s = &c->svc[0];
	ck_assert_int_eq(s->port, 7788);
	ck_assert_ptr_null(s->listen);
	ck_assert_str_eq(s->handler_name, "reply");
	ck_assert_ptr_null(s->handler);	/* the handler table's to set */
	ck_assert_str_eq(s->reply, "thank you !\n");
	ck_assert_uint_eq(s->reply_len, 12);
	ck_assert_ptr_null(s->busy_reply);
	ck_assert_uint_eq(s->busy_reply_len, 0);
	ck_assert_int_eq(s->proto, PROTO_TCP);
	ck_assert_int_eq(s->log, CONF_LOG_CONNECTIONS);
	ck_assert_int_eq(s->log_facility, LOG_DAEMON);
	ck_assert_uint_eq(s->max_request, 1024);
	ck_assert_int_eq(s->timeout, 10);
	ck_assert_int_eq(s->max_children, 64);
	ck_assert_int_eq(s->session_timeout, 0);
	conf_free(c);
}
END_TEST

/* Every key of the table, each set to a value that is not its default. */
static const char every_key_text[] =
    "port = 1;\n"
    "listen = [ \"127.0.0.1\", \"::1\" ];\n"
    "protocol = \"tcp\";\n"	/* udp: see protocol_udp */
    "handler = \"exec\";\n"
    "reply = \"r\";\n"
    "max_request = 5;\n"
    "timeout = 6;\n"
    "session_timeout = 7;\n"
    "max_children = 8;\n"
    "reuse_port = true;\n"
    "user = \"root\";\n"
    "group = \"daemon\";\n"
    "exec = { program = \"/bin/sh\"; args = [ \"-c\", \"x\" ];\n"
    "  env = [ \"A=1\" ]; passenv = [ \"TZ\" ]; chroot = \"/\";\n"
    "  no_new_privs = false; };\n"
    "module = { path = \"/nonexistent/m.so\"; k = \"v\"; n = 5; };\n"
    "sandbox = { syscalls = \"module\"; allow = [ \"socket\", \"connect\" ]; };\n"
    "allow = [ \"192.0.2.0/24\", \"2001:db8::/32\" ];\n"
    "deny = [ \"::ffff:192.0.2.1\" ];\n"
    "per_source = 9;\n"
    "per_source_ipv6_prefix = 48;\n"
    "rate = 2.5;\n"
    "per_source_rate = 0.5;\n"
    "busy_reply = \"busy\";\n"
    "max_amplification = 1.5;\n"
    "proxy_protocol = true;\n"
    "proxy_from = [ \"10.0.0.0/8\" ];\n"
    "socket_mode = \"0640\";\n"
    "socket_user = \"root\";\n"
    "socket_group = \"daemon\";\n"
    "groups = true;\n"
    "nice = 3;\n"
    "umask = \"0027\";\n"
    "rlimit_as = 64;\n"
    "rlimit_cpu = 9;\n"
    "rlimit_files = 10;\n"
    "rlimit_nproc = 11;\n"
    "rlimit_core = 0;\n"
    "backlog = 12;\n"
    "keepalive = true;\n"
    "nodelay = true;\n"
    "freebind = true;\n"
    "interface = \"lo\";\n"

    "log = \"errors\";\n"
    "log_facility = \"local5\";\n";

START_TEST(every_key)
{
	struct conf *c = load_text(every_key_text, -1, 1);
	const struct service *s;

	ck_assert_ptr_nonnull(c);
	s = &c->svc[0];
	ck_assert_int_eq(s->port, 1);
	ck_assert_str_eq(s->listen[0], "127.0.0.1");
	ck_assert_str_eq(s->listen[1], "::1");
	ck_assert_ptr_null(s->listen[2]);
	ck_assert_int_eq(s->proto, PROTO_TCP);
	ck_assert_str_eq(s->handler_name, "exec");
	ck_assert_str_eq(s->reply, "r");
	ck_assert_uint_eq(s->reply_len, 1);
	ck_assert_uint_eq(s->max_request, 5);
	ck_assert_int_eq(s->timeout, 6);
	ck_assert_int_eq(s->session_timeout, 7);
	ck_assert_int_eq(s->max_children, 8);
	ck_assert_int_eq(s->reuse_port, 1);
	ck_assert_str_eq(s->user, "root");
	ck_assert_int_eq(s->uid, 0);
	ck_assert_str_eq(s->group, "daemon");
	ck_assert_int_eq(s->gid, 1);
	ck_assert_int_eq(s->group_set, 1);
	ck_assert_int_eq(s->exec.seen, 1);
	ck_assert_str_eq(s->exec.program, "/bin/sh");
	ck_assert_str_eq(s->exec.argv[0], "/bin/sh");
	ck_assert_str_eq(s->exec.argv[1], "-c");
	ck_assert_str_eq(s->exec.argv[2], "x");
	ck_assert_ptr_null(s->exec.argv[3]);
	ck_assert_str_eq(s->exec.env[0], "A=1");
	ck_assert_ptr_null(s->exec.env[1]);
	ck_assert_str_eq(s->exec.passenv[0], "TZ");
	ck_assert_ptr_null(s->exec.passenv[1]);
	ck_assert_str_eq(s->exec.chroot, "/");
	ck_assert_int_eq(s->exec.no_new_privs, 0);
	ck_assert_int_eq(s->module.seen, 1);
	ck_assert_str_eq(s->module.path, "/nonexistent/m.so");
	ck_assert_uint_eq(s->module.n, 2);
	ck_assert_str_eq(s->module.keys[0], "k");
	ck_assert_str_eq(s->module.values[0], "v");
	ck_assert_str_eq(s->module.keys[1], "n");
	ck_assert_str_eq(s->module.values[1], "5");
	ck_assert_int_eq(s->sandbox.syscalls, SB_MODULE);
	ck_assert_str_eq(s->sandbox.allow[0], "socket");
	ck_assert_str_eq(s->sandbox.allow[1], "connect");
	ck_assert_ptr_null(s->sandbox.allow[2]);
	ck_assert_uint_eq(s->allow.n, 2);
	ck_assert_int_eq(s->allow.v[0].family, AF_INET);
	ck_assert_int_eq(s->allow.v[0].bits, 24);
	ck_assert_int_eq(s->allow.v[1].family, AF_INET6);
	ck_assert_int_eq(s->allow.v[1].bits, 32);
	ck_assert_uint_eq(s->deny.n, 1);
	ck_assert_int_eq(s->deny.v[0].family, AF_INET);	/* unmapped */
	ck_assert_int_eq(s->deny.v[0].bits, 32);
	ck_assert_int_eq(s->per_source, 9);
	ck_assert_int_eq(s->per_source_prefix6, 48);
	ck_assert_double_eq(s->rate, 2.5);
	ck_assert_double_eq(s->per_source_rate, 0.5);
	ck_assert_str_eq(s->busy_reply, "busy");
	ck_assert_int_eq(s->log, CONF_LOG_ERRORS);
	ck_assert_int_eq(s->log_facility, LOG_LOCAL5);
	ck_assert_int_eq(c->log_facility, LOG_LOCAL5);
	ck_assert_uint_eq(s->busy_reply_len, 4);
	ck_assert_double_eq(s->max_amplification, 1.5);
	ck_assert_int_eq(s->proxy_protocol, 1);
	ck_assert_uint_eq(s->proxy_from.n, 1);
	ck_assert_int_eq(s->proxy_from.v[0].bits, 8);
	ck_assert_int_eq(s->socket_mode, 0640);
	ck_assert_str_eq(s->socket_user, "root");
	ck_assert_int_eq(s->socket_uid, 0);
	ck_assert_str_eq(s->socket_group, "daemon");
	ck_assert_int_eq(s->socket_gid, getgrnam("daemon")->gr_gid);
	ck_assert_int_eq(s->groups, 1);
	ck_assert_int_ge(s->nsgroups, 1);	/* root's, daemon first */
	ck_assert_int_eq(s->sgroups[0], 1);
	ck_assert_int_eq(s->nice, 3);
	ck_assert_int_eq(s->umask, 027);
	ck_assert_int_eq(s->rlimit_as, 64);
	ck_assert_int_eq(s->rlimit_cpu, 9);
	ck_assert_int_eq(s->rlimit_files, 10);
	ck_assert_int_eq(s->rlimit_nproc, 11);
	ck_assert_int_eq(s->rlimit_core, 0);
	ck_assert_int_eq(s->backlog, 12);
	ck_assert_int_eq(s->keepalive, 1);
	ck_assert_int_eq(s->nodelay, 1);
	ck_assert_int_eq(s->freebind, 1);
	ck_assert_str_eq(s->interface, "lo");
	conf_free(c);
}
END_TEST

/* The test above covers every key of the table a file's top level takes. */
START_TEST(every_key_covers_the_table)
{
	char want[64];
	size_t i;

	for (i = 0; i < conf_nkeys; i++) {
		/*
		 * disable = true leaves one service: disabled_services;
		 * wait = true refuses allow and the like: wait_service.
		 */
		if (!(conf_keys[i].where & CK_TOP) ||
		    strcmp(conf_keys[i].name, "services") == 0 ||
		    strcmp(conf_keys[i].name, "disable") == 0 ||
		    strcmp(conf_keys[i].name, "wait") == 0)
			continue;
		snprintf(want, sizeof(want), "\n%s = ", conf_keys[i].name);
		if (strncmp(every_key_text, want + 1, strlen(want + 1)) != 0)
			ck_assert_msg(strstr(every_key_text, want) != NULL,
			    "every_key does not set %s", conf_keys[i].name);
	}
}
END_TEST

/*
 * wait = true: an exec service, inheriting like any key; what judges a
 * single client, inherited or not, is refused with it.
 */
START_TEST(wait_service)
{
	struct conf *c = load_text("wait = true;\nhandler = \"exec\";\n"
	    "exec = { program = \"/bin/cat\"; };\nservices = (\n"
	    "{ name = \"a\"; protocol = \"udp\"; },\n"
	    "{ name = \"b\"; port = 1; wait = false; } );\n", -1, 0);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->svc[0].wait, 1);
	ck_assert_int_eq(c->svc[1].wait, 0);
	conf_free(c);
	ck_assert_ptr_null(load_text("wait = true;\n", -1, 0));
	ck_assert_ptr_null(load_text("wait = true;\nhandler = \"exec\";\n"
	    "exec = { program = \"/bin/cat\"; };\n"
	    "deny = [ \"10.0.0.0/8\" ];\n", -1, 0));
	ck_assert_ptr_null(load_text("allow = [ \"10.0.0.0/8\" ];\n"
	    "services = ( { name = \"a\"; wait = true; handler = \"exec\";\n"
	    "exec = { program = \"/bin/cat\"; }; } );\n", -1, 0));
	ck_assert_ptr_null(load_text("wait = true;\nhandler = \"exec\";\n"
	    "exec = { program = \"/bin/cat\"; };\n"
	    "proxy_protocol = true;\nproxy_from = [ \"::1\" ];\n", -1, 0));
}
END_TEST

/* A disabled service is loaded (for -t and -T), counted apart. */
START_TEST(disabled_services)
{
	struct conf *c = load_text("disable = true;\nservices = (\n"
	    "{ name = \"a\"; },\n{ name = \"b\"; disable = false; } );\n",
	    -1, 0);

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->nsvc, 2);
	ck_assert_uint_eq(c->nenabled, 1);
	ck_assert_int_eq(c->svc[0].disable, 1);
	ck_assert_int_eq(c->svc[1].disable, 0);
	conf_free(c);
	ck_assert_ptr_null(load_text("disable = true;\n", -1, 0));
	ck_assert_str_eq(err(0), ": no services defined (every service is "
	    "disabled)");
}
END_TEST

START_TEST(protocol_udp)
{
	struct conf *c = load_text("protocol = \"udp\";\n", -1, 0);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->svc[0].proto, PROTO_UDP);
	conf_free(c);
}
END_TEST

/* A value of another type than the key's, for each type. */
static const char *
wrong_type(const struct conf_key *k)
{
	switch (k->type) {
	case CT_INT:
	case CT_NUM:
		return "\"1\"";
	case CT_ACL:
		return "true";
	case CT_SPECIAL:
		/* socket_mode and umask take digits as a number or a
		 * string alike. */
		if (strcmp(k->name, "listen") == 0 ||
		    strcmp(k->name, "socket_mode") == 0 ||
		    strcmp(k->name, "umask") == 0)
			return "true";
		return "1";
	default:
		return "1";
	}
}

/*
 * Load "KEY = VALUE;" on line 2 (in a service for keys only services
 * take): it must fail, and the first error be about KEY on line 2.
 */
static void
refused(const struct conf_key *k, const char *value)
{
	char text[256], want[64];

	if (k->where & CK_TOP)
		snprintf(text, sizeof(text), "# %s\n%s = %s;\n", k->name,
		    k->name, value);
	else
		snprintf(text, sizeof(text), "services = (\n{ %s = %s; } );\n",
		    k->name, value);
	ck_assert_msg(load_text(text, -1, 0) == NULL, "%s = %s; is taken",
	    k->name, value);
	snprintf(want, sizeof(want), ":2: %s must ", k->name);
	ck_assert_msg(strncmp(err(0), want, strlen(want)) == 0,
	    "%s = %s; gives \"%s\"", k->name, value, err(0));
}

START_TEST(every_key_refuses_a_wrong_type)
{
	size_t i;

	for (i = 0; i < conf_nkeys; i++)
		refused(&conf_keys[i], wrong_type(&conf_keys[i]));
}
END_TEST

static int
exists(const char *key, const char *end)
{
	char f[256];

	snprintf(f, sizeof(f), TOP_SRCDIR "/tests/data/bad/range-%s-%s.conf",
	    key, end);
	return access(f, R_OK) == 0;
}

/*
 * Just below and just above each range, and for numbers that may be 0
 * (off), a tiny positive one; each ranged key has a file of each in
 * data/bad/, which t-badconf.sh runs through replyd -t.
 */
START_TEST(every_ranged_key_refuses_what_is_outside)
{
	const struct conf_key *k;
	char v[64];
	size_t i;

	for (i = 0; i < conf_nkeys; i++) {
		k = &conf_keys[i];
		if (k->type != CT_INT && k->type != CT_NUM)
			continue;
		ck_assert(k->lo <= k->hi);
		snprintf(v, sizeof(v), "%.17g", k->type == CT_INT ? k->lo - 1 :
		    k->zero_off ? -1 : k->lo / 2);
		refused(k, v);
		snprintf(v, sizeof(v), "%.17g", k->hi + 1);
		refused(k, v);
		if (k->type == CT_NUM && k->zero_off) {
			snprintf(v, sizeof(v), "%.17g", k->lo / 2);
			refused(k, v);
			ck_assert_msg(exists(k->name, "tiny"),
			    "no data/bad/range-%s-tiny.conf", k->name);
		}
		ck_assert_msg(exists(k->name, "low") && exists(k->name, "high"),
		    "no data/bad/range-%s-{low,high}.conf", k->name);
	}
}
END_TEST

/* Every row is whole, and its default is a value it would accept. */
START_TEST(table_rows_are_whole)
{
	const struct conf_key *k;
	size_t i;

	for (i = 0; i < conf_nkeys; i++) {
		k = &conf_keys[i];
		ck_assert_ptr_nonnull(k->help);
		ck_assert_ptr_eq(conf_key_find(k->name), k);
		ck_assert(k->where != 0);
		/* Below the range is unset (rlimit_core: the master's). */
		if (k->type == CT_INT)
			ck_assert(k->def.i >= k->lo - 1 && k->def.i <= k->hi);
		if (k->type == CT_NUM)
			ck_assert((k->def.d >= k->lo && k->def.d <= k->hi) ||
			    (k->zero_off && k->def.d == 0));
		if (k->type == CT_SPECIAL && k->where & CK_TOP &&
		    strcmp(k->name, "services") != 0)
			ck_assert_msg(k->parse && k->print, "%s", k->name);
	}
}
END_TEST

/* "unix:/path" listeners and the socket file's mode and owners. */
START_TEST(unix_sockets)
{
	struct conf *c = load_text("listen = [ \"unix:/run/r/a.sock\", "
	    "\"127.0.0.1\" ];\nservices = (\n { name = \"a\"; },\n"
	    " { name = \"b\"; socket_mode = 0640; socket_user = \"root\";\n"
	    "   socket_group = \"root\"; listen = \"unix:/run/r/b.sock\"; },\n"
	    " { name = \"c\"; socket_mode = \"0600\"; port = 1;\n"
	    "   listen = \"unix:/run/r/c.sock\"; },\n"
	    " { name = \"d\"; socket_mode = 0; port = 2;\n"
	    "   listen = \"unix:/run/r/d.sock\"; }\n);\n", -1, 0);
	const struct service *s;

	ck_assert_ptr_nonnull(c);
	s = &c->svc[0];
	ck_assert_str_eq(s->listen[0], "unix:/run/r/a.sock");
	ck_assert_str_eq(s->listen[1], "127.0.0.1");
	ck_assert_int_eq(s->socket_mode, 0666);
	ck_assert_ptr_null(s->socket_user);
	ck_assert_int_eq(s->socket_uid, (uid_t)-1);
	ck_assert_int_eq(s->socket_gid, (gid_t)-1);
	s = &c->svc[1];
	ck_assert_int_eq(s->socket_mode, 0640);
	ck_assert_str_eq(s->socket_user, "root");
	ck_assert_str_eq(s->socket_group, "root");
	ck_assert_int_eq(s->socket_uid, 0);
	ck_assert_int_eq(s->socket_gid, 0);
	ck_assert_int_eq(c->svc[2].socket_mode, 0600);
	ck_assert_int_eq(c->svc[3].socket_mode, 0);
	conf_free(c);
	ck_assert_ptr_null(load_text("socket_mode = 1000;\n", -1, 0));
	ck_assert_ptr_nonnull(strstr(err(0), ":1: socket_mode must be"));
	ck_assert_ptr_null(load_text("socket_mode = 4294967296;\n", -1, 0));
	ck_assert_ptr_null(load_text("socket_mode = -1;\n", -1, 0));
	ck_assert_ptr_null(load_text("listen = \"unix:\";\n", -1, 0));
	ck_assert_ptr_null(load_text("listen = \"unix:/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\";\n", -1, 0));
	ck_assert_ptr_nonnull(strstr(err(0), "at most 107 bytes"));
}
END_TEST

START_TEST(port_override)
{
	struct conf *c = load_text("port = 1;\n", 2345, 0);

	ck_assert_int_eq(c->svc[0].port, 2345);
	conf_free(c);
}
END_TEST

START_TEST(all_errors_reported_with_lines)
{
	struct conf *c = load_text("port = 70000;\n# comment\n"
	    "handler = \"nope\";\nmax_children = 0;\nfoo = 1;\n", -1, 0);

	ck_assert_ptr_null(c);
	ck_assert_uint_eq(errs.n, 4);
	ck_assert_str_eq(err(0),
	    ":1: port must be an integer from 0 to 65535 (got 70000)");
	ck_assert_str_eq(err(1),
	    ":3: handler must be one of reply, echo, exec, module "
	    "(got \"nope\")");
	ck_assert_str_eq(err(2),
	    ":4: max_children must be an integer from 1 to 65536 (got 0)");
	ck_assert_ptr_nonnull(strstr(err(3), ":5: unknown key \"foo\""));
}
END_TEST

/*
 * The handler is a name: checked against the caller's list, or kept as
 * it is without one; exec and module still need their groups.
 */
START_TEST(handler_is_a_name)
{
	struct conf_opts o = { .port = -1 };
	struct conf *c;

	ck_assert_ptr_null(load_text("handler = \"echo\";\nservices = (\n"
	    " { name = \"a\"; handler = \"qotd\"; }\n);\n", -1, 0));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(err(0), ":3: handler must be one of reply, echo, "
	    "exec, module (got \"qotd\")");
	c = conf_load(path, &o, &errs);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->svc[0].handler_name, "qotd");
	conf_free(c);
	ck_assert_ptr_null(load_text("handler = \"exec\";\n", -1, 0));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(err(0), ": service \"7788/tcp\": handler \"exec\" "
	    "needs exec = { program = \"/absolute/path\"; }");
	ck_assert_ptr_null(load_text("services = (\n"
	    " { name = \"m\"; handler = \"module\"; }\n);\n", -1, 0));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(err(0), ":2: service \"m\": handler \"module\" "
	    "needs module = { path = \"/absolute/path/to/module.so\"; }");
}
END_TEST

START_TEST(wrapped_integers_are_caught)
{
	/* libconfig 1.5 reads 4294967376 as 80 */
	ck_assert_ptr_null(load_text("port = 4294967376;\n", -1, 0));
	ck_assert_str_eq(err(0),
	    ":1: port must be an integer from 0 to 65535 (got 4294967376)");
	ck_assert_ptr_null(load_text("timeout = 0x100000005;\n", -1, 0));
	ck_assert_ptr_nonnull(strstr(err(0), "(got 0x100000005)"));
	/* rate reads integers too: 4294967297 is read as 1 */
	ck_assert_ptr_null(load_text("rate = 4294967297;\n", -1, 0));
	ck_assert_ptr_nonnull(strstr(err(0), "rate must be"));
	ck_assert_ptr_nonnull(strstr(err(0), "(got 4294967297)"));
}
END_TEST

/*
 * Two integers on one line that libconfig reads as the same value: only
 * the one that was written wrapped is an error, and it is named.
 */
START_TEST(wrapped_beside_a_plain_twin)
{
	ck_assert_ptr_null(load_text(
	    "timeout = 80; max_request = 4294967376; port = 80;\n", -1, 0));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(err(0), ":1: max_request must be an integer from 1 "
	    "to 1048576 (got 4294967376)");
	ck_assert_ptr_null(load_text(
	    "max_request = 4294967376; timeout = 80;\n", -1, 0));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_ptr_nonnull(strstr(err(0), "max_request must be"));
	conf_free(load_text("timeout = 80; port = 80;\n", -1, 0));
	ck_assert_uint_eq(errs.n, 0);
}
END_TEST

START_TEST(wrong_types)
{
	ck_assert_ptr_null(load_text("reply = 1;\nlisten = true;\n"
	    "max_request = \"1\";\nexec = 3;\n", -1, 0));
	ck_assert_uint_eq(errs.n, 4);
	ck_assert_str_eq(err(0), ":1: reply must be a string (got 1)");
	ck_assert_str_eq(err(1),
	    ":2: listen must be a string or a list of strings (got a boolean)");
	ck_assert_ptr_nonnull(strstr(err(2), "(got \"1\")"));
	ck_assert_ptr_nonnull(strstr(err(3), ":4: exec must be a group"));
}
END_TEST

START_TEST(root_needs_user)
{
	ck_assert_ptr_null(load_text("port = 1;\n", -1, 1));
	ck_assert_ptr_nonnull(strstr(err(0), "refusing to run handlers as root"));
	conf_free(load_text("port = 1;\nuser = \"root\";\n", -1, 1));
	ck_assert_uint_eq(errs.n, 0);
}
END_TEST

START_TEST(services_inherit_defaults)
{
	struct conf *c = load_text("reply = \"top\\n\";\ntimeout = 3;\n"
	    "services = (\n { name = \"a\"; port = 1; },\n"
	    " { name = \"b\"; port = 2; reply = \"own\\n\"; handler = \"echo\"; }\n"
	    ");\n", -1, 0);
	struct service *a, *b;

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->nsvc, 2);
	a = conf_service(c, "a");
	b = conf_service(c, "b");
	ck_assert_str_eq(a->reply, "top\n");
	ck_assert_int_eq(a->timeout, 3);
	ck_assert_int_eq(a->port, 1);
	ck_assert_str_eq(b->reply, "own\n");
	ck_assert_int_eq(b->timeout, 3);
	ck_assert_str_eq(a->handler_name, "reply");
	ck_assert_str_eq(b->handler_name, "echo");
	ck_assert_ptr_null(conf_service(c, "c"));
	conf_free(c);
}
END_TEST

/*
 * sandbox.syscalls defaults by the handler's kind; the group is
 * inherited member by member.
 */
START_TEST(sandbox_defaults_and_inheritance)
{
	struct conf *c = load_text("sandbox = { allow = [ \"socket\" ]; };\n"
	    "services = (\n { name = \"r\"; port = 1; },\n"
	    " { name = \"e\"; port = 2; handler = \"exec\";\n"
	    "   exec = { program = \"/bin/cat\"; }; },\n"
	    " { name = \"m\"; port = 3; handler = \"module\";\n"
	    "   module = { path = \"/nonexistent/m.so\"; }; },\n"
	    " { name = \"n\"; port = 4; sandbox = { syscalls = \"none\"; }; }\n"
	    ");\n", -1, 0);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(conf_service(c, "r")->sandbox.syscalls, SB_HANDLER);
	ck_assert_int_eq(conf_service(c, "e")->sandbox.syscalls, SB_SERVICE);
	ck_assert_int_eq(conf_service(c, "m")->sandbox.syscalls, SB_MODULE);
	ck_assert_int_eq(conf_service(c, "n")->sandbox.syscalls, SB_NONE);
	ck_assert_str_eq(conf_service(c, "n")->sandbox.allow[0], "socket");
	conf_free(c);
}
END_TEST

/* Names are libseccomp's for this architecture; errors say where. */
START_TEST(sandbox_errors)
{
	ck_assert_ptr_null(load_text("port = 1;\nsandbox = { syscalls = "
	    "\"all\";\n allow = [ \"read\", \"nosuchcall\" ]; colour = 1; };\n"
	    "", -1, 0));
	ck_assert_uint_eq(errs.n, 3);
	ck_assert_str_eq(err(0), ":2: sandbox.syscalls must be \"handler\", "
	    "\"module\", \"service\" or \"none\" (got \"all\")");
	ck_assert_str_eq(err(1), ":3: sandbox.allow must name system calls "
	    "of this architecture, such as \"socket\" (got \"nosuchcall\")");
	ck_assert_ptr_nonnull(strstr(err(2),
	    ":3: unknown key \"sandbox.colour\""));
	ck_assert_ptr_null(load_text("sandbox = \"none\";\n", -1, 0));
	ck_assert_ptr_nonnull(strstr(err(0), ":1: sandbox must be a group"));
}
END_TEST

START_TEST(services_errors_once)
{
	/* A bad default is reported once, not once per service. */
	ck_assert_ptr_null(load_text("timeout = 0;\nservices = (\n"
	    " { name = \"a\"; port = 1; },\n { name = \"b\"; port = 2; }\n"
	    ");\n", -1, 0));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_ptr_nonnull(strstr(err(0), ":1: timeout must be"));
}
END_TEST

START_TEST(missing_file)
{
	struct conf_opts o = { .port = -1 };

	errlist_free(&errs);
	ck_assert_ptr_null(conf_load("/nonexistent/replyd.conf", &o, &errs));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(errs.msg[0], "/nonexistent/replyd.conf: cannot read: "
	    "No such file or directory");
}
END_TEST

START_TEST(shipped_config_is_valid)
{
	struct conf_opts o = { .port = -1 };
	struct conf *c;

	errlist_free(&errs);
	c = conf_load(TOP_SRCDIR "/conf/replyd.conf", &o, &errs);
	if (c == NULL && errs.n == 1 &&
	    strstr(errs.msg[0], "user \"replyd\" does not exist"))
		return;	/* no replyd user on this machine, and nothing else */
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->svc[0].port, 7788);
	ck_assert_str_eq(c->svc[0].reply, "thank you !\n");
	conf_free(c);
}
END_TEST

/* The value of k's field in svc, as a double. */
static double
field_value(const struct conf_key *k, const struct service *svc)
{
	const char *f = (const char *)svc + k->off;
	int i;
	long long ll;
	double d;

	if (k->type == CT_NUM) {
		memcpy(&d, f, sizeof(d));
		return d;
	}
	if (k->size == sizeof(ll)) {
		memcpy(&ll, f, sizeof(ll));
		return (double)ll;
	}
	ck_assert_uint_eq(k->size, sizeof(i));
	memcpy(&i, f, sizeof(i));
	return i;
}

/* Load "name = value;": taken, and the field holds want. */
static void
taken(const struct conf_key *k, const char *value, double want)
{
	char text[128];
	struct conf *c;

	snprintf(text, sizeof(text), "%s = %s;\n", k->name, value);
	c = load_text(text, -1, 0);
	ck_assert_msg(c != NULL, "%s = %s; is refused: %s", k->name, value,
	    errs.n > 0 ? errs.msg[0] : "?");
	ck_assert_msg(field_value(k, &c->svc[0]) == want, "%s = %s; gives %g",
	    k->name, value, field_value(k, &c->svc[0]));
	conf_free(c);
}

/* "\-20" in roff is "-20". */
static double
man_number(char *s)
{
	char *m = strstr(s, "\\-");

	if (m != NULL)
		memmove(m, m + 1, strlen(m));
	return strtod(s, NULL);
}

/*
 * The ranges and defaults replyd.conf(5) gives for numbers, as in
 * ".BR port \" (integer, 0 to 65535; default 7788)\"": both ends of
 * each range are taken as written, and a file without the key gets the
 * default.
 */
START_TEST(ranges_and_defaults_as_documented)
{
	FILE *man = fopen(TOP_SRCDIR "/man/replyd.conf.5", "r");
	char line[512], name[64], lo[32], hi[32], def[32], *sec;
	const struct conf_key *k;
	struct conf *c;
	int n = 0;

	ck_assert_ptr_nonnull(man);
	while (fgets(line, sizeof(line), man) != NULL) {
		if ((sec = strstr(line, "integer seconds,")) != NULL)
			memmove(sec + 7, sec + 15, strlen(sec + 15) + 1);
		if (sscanf(line, ".BR %63s \" (integer, %31s to %31[^;]; "
		    "default %31[^,)]", name, lo, hi, def) != 4 &&
		    sscanf(line, ".BR %63s \" (number, 0 or %31s to %31[^;]; "
		    "default %31[^,)]", name, lo, hi, def) != 4)
			continue;
		k = conf_key_find(name);
		ck_assert_msg(k != NULL, "%s: documented, not a key", name);
		ck_assert_msg(k->type == CT_INT || k->type == CT_NUM, "%s", name);
		taken(k, lo, man_number(lo));
		taken(k, hi, man_number(hi));
		c = load_text("", -1, 0);
		ck_assert_ptr_nonnull(c);
		/* "default unset": none of the range's values. */
		ck_assert_msg(strcmp(def, "unset") == 0 ?
		    field_value(k, &c->svc[0]) < man_number(lo) :
		    field_value(k, &c->svc[0]) == man_number(def),
		    "%s: default %g, documented %s", name,
		    field_value(k, &c->svc[0]), def);
		conf_free(c);
		n++;
	}
	fclose(man);
	ck_assert_int_ge(n, 11);
}
END_TEST

/*
 * The key an unknown name is a likely typo of: at most two letters
 * added, dropped, changed or swapped (one in a name of four, and fewer
 * than the name has), or a key cut short; NULL for anything else.
 */
START_TEST(typos_are_named)
{
	static const char *const cases[][2] = {
		{ "prot", "port" }, { "pory", "port" }, { "pxry", NULL },
		{ "timout", "timeout" }, { "timeeout", "timeout" },
		{ "tineout", "timeout" }, { "max_chidlren", "max_children" },
		{ "mx_chldren", "max_children" }, { "m_chldren", NULL },
		{ "max_child", "max_children" }, { "rply", "reply" },
		{ "per_source_ipv6_prefx", "per_source_ipv6_prefix" },
		{ "xyz", NULL }, { "po", NULL }, { "port", NULL },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL },
		{ "timeoutxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL },
		{ "", NULL },
		/* Two letters, not one, in a name of four or fewer. */
		{ "lo", NULL }, { "lgo", "log" }, { "oprt", "port" },
		{ "opry", NULL }, { "tmot", NULL },
		/* Two in a longer one, three never. */
		{ "rxplx", "reply" }, { "timeoutxx", "timeout" },
		{ "timut", "timeout" }, { "timeoutxxx", NULL },
		{ "portxyz", NULL }, { "xyzport", NULL },
		{ "mxchldrn", NULL }, { "source_rate", NULL },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL },
		/* The nearest; of equally near ones, the first in the table. */
		{ "rlimit_cp", "rlimit_cpu" }, { "rlimit_ces", "rlimit_as" },
		/* Cut short: four letters at least. */
		{ "rlim", "rlimit_as" }, { "per", NULL },
	};
	const struct conf_key *k;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k = conf_key_nearest(cases[i][0], CK_TOP);
		if (cases[i][1] == NULL)
			ck_assert_msg(k == NULL, "%s: %s", cases[i][0], k->name);
		else
			ck_assert_msg(k != NULL &&
			    strcmp(k->name, cases[i][1]) == 0, "%s: %s",
			    cases[i][0], k != NULL ? k->name : "none");
	}
	/* Where a key may not be written, it is not offered. */
	ck_assert_ptr_null(conf_key_nearest("servces", CK_SVC));
	ck_assert_ptr_eq(conf_key_nearest("servces", CK_TOP),
	    conf_key_find("services"));
	ck_assert_ptr_null(conf_key_nearest("servi", CK_SVC));
	ck_assert_ptr_null(conf_key_nearest("zzzzzz", CK_SVC));
	ck_assert_ptr_eq(conf_key_nearest("nmae", CK_SVC),
	    conf_key_find("name"));
	ck_assert_ptr_null(conf_key_nearest("nmae", CK_TOP));
}
END_TEST

/* Numbers as -T prints them: the shortest text that reads back. */
START_TEST(numbers_print_shortest)
{
	static const struct { double v; const char *text; } cases[] = {
		{ 0.001, "0.001" }, { 1000000, "1000000" }, { 2.5, "2.5" },
		{ 0.1, "0.1" }, { 1e15, "1000000000000000" },
		{ -1e15, "-1000000000000000" }, { 1e16, "1e+16" },
		{ 1.234567890123456, "1.234567890123456" },
		{ 0.30000000000000004, "0.30000000000000004" },
		{ 5.442292252959518, "5.442292252959518" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		conf_num_text(cases[i].v, buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[i].text);
	}
}
END_TEST

/*
 * An error of the whole file names the file, no line; each unknown key
 * lists the keys allowed there, the second as the first.
 */
START_TEST(errors_of_the_file_and_of_each_key)
{
	ck_assert_ptr_null(load_text("disable = true;\n", -1, 0));
	ck_assert_msg(strncmp(err(0), ": no services defined", 21) == 0, "%s",
	    err(0));
	ck_assert_ptr_null(load_text("pot = 1;\nrepyl = \"x\";\n", -1, 0));
	ck_assert_uint_eq(errs.n, 2);
	ck_assert_ptr_nonnull(strstr(err(0), "(allowed: disable, port,"));
	ck_assert_ptr_nonnull(strstr(err(1), "(allowed: disable, port,"));
}
END_TEST

/* "allow = [ "10.0.0.1", ... ];" with n entries, in text. */
static void
allow_list(char *text, size_t size, int n)
{
	size_t at;
	int i;

	at = (size_t)snprintf(text, size, "allow = [");
	for (i = 0; i < n; i++)
		at += (size_t)snprintf(text + at, size - at, "%s\"10.0.%d.%d\"",
		    i > 0 ? ", " : " ", i / 256, i % 256);
	snprintf(text + at, size - at, " ];\n");
}

/*
 * A list holds at most its documented number of entries, each a
 * string: 4096 CIDR strings are taken, one more or a number among them
 * are errors, said.
 */
START_TEST(lists_have_a_size_and_strings_only)
{
	static char text[4097 * 24];
	struct conf *c;

	allow_list(text, sizeof(text), 4096);
	c = load_text(text, -1, 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->svc[0].allow.n, 4096);
	conf_free(c);
	allow_list(text, sizeof(text), 4097);
	ck_assert_ptr_null(load_text(text, -1, 0));
	ck_assert_msg(strstr(err(0), "allow has 4097 entries, at most 4096 "
	    "are allowed") != NULL, "%s", err(0));
	ck_assert_ptr_null(load_text("listen = ( \"127.0.0.1\", 5 );\n",
	    -1, 0));
	ck_assert_msg(strstr(err(0), "listen must hold only strings (got 5)")
	    != NULL, "%s", err(0));
}
END_TEST

/*
 * Each place's list of allowed keys, as unknown-key messages give it:
 * its keys in the table's order, ", " between them, asked twice alike.
 */
START_TEST(allowed_keys_are_listed)
{
	static const unsigned places[] = { CK_TOP, CK_SVC };
	const char *list, *at;
	size_t i, p, n;

	for (p = 0; p < 2; p++) {
		list = at = conf_key_names(places[p]);
		for (i = 0; i < conf_nkeys; i++) {
			if (!(conf_keys[i].where & places[p]))
				continue;
			if (at != list) {
				ck_assert_msg(strncmp(at, ", ", 2) == 0, "%s", at);
				at += 2;
			}
			n = strlen(conf_keys[i].name);
			ck_assert_msg(strncmp(at, conf_keys[i].name, n) == 0,
			    "%s not at \"%s\"", conf_keys[i].name, at);
			at += n;
		}
		ck_assert_str_eq(at, "");
		ck_assert_str_eq(conf_key_names(places[p]), list);
	}
	ck_assert_ptr_nonnull(strstr(conf_key_names(CK_SVC), "name, "));
	ck_assert_ptr_null(strstr(conf_key_names(CK_TOP), "name, "));
}
END_TEST

/*
 * A value in a message is quoted within the buffer it is given: nothing
 * past it is written, a value without room is cut and marked.
 */
START_TEST(values_are_quoted_within_their_buffer)
{
	char b[16], name[201], text[256], want[256];

	memset(b, 'Z', sizeof(b));
	ck_assert_str_eq(conf_quote(b, 2, "abc"), "");
	ck_assert_int_eq(b[0], 'Z');
	ck_assert_int_eq(b[2], 'Z');
	ck_assert_str_eq(conf_quote(b, 3, "abc"), "\"\"");
	ck_assert_int_eq(b[3], 'Z');
	ck_assert_str_eq(conf_quote(b, sizeof(b), "a\"b"), "\"a\\\"b\"");
	/* A long name in its message: cut to fit CONF_QUOTE_MAX bytes. */
	memset(name, 'u', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(text, sizeof(text), "user = \"%s\";\n", name);
	ck_assert_ptr_null(load_text(text, -1, 0));
	snprintf(want, sizeof(want), ":1: user \"%.150s...\" does not exist",
	    name);
	ck_assert_str_eq(err(0), want);
}
END_TEST

/* What a value of the wrong type was, as "(got ...)" says it. */
START_TEST(wrong_values_are_named)
{
	static const char *const cases[][2] = {
		{ "1.5", "a decimal number" }, { "[ 1 ]", "an array" },
		{ "( 1 )", "a list" }, { "{ a = 1; }", "a group" },
		{ "true", "a boolean" }, { "5L", "5" }, { "-7", "-7" },
		{ "4294967376", "4294967376" },
	};
	char text[64], want[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "reply = %s;\n", cases[i][0]);
		ck_assert_ptr_null(load_text(text, -1, 0));
		snprintf(want, sizeof(want), ":1: reply must be a string "
		    "(got %s)", cases[i][1]);
		ck_assert_str_eq(err(0), want);
	}
	ck_assert_ptr_null(load_text("reuse_port = \"yes\";\n", -1, 0));
	ck_assert_str_eq(err(0), ":1: reuse_port must be true or false "
	    "(got \"yes\")");
	ck_assert_ptr_null(load_text("rate = 2e6;\nper_source_rate = -1;\n",
	    -1, 0));
	ck_assert_str_eq(err(0), ":1: rate must be 0 (no limit) or a number "
	    "from 0.001 to 1000000 (got 2000000)");
	ck_assert_str_eq(err(1), ":2: per_source_rate must be 0 (no limit) "
	    "or a number from 0.001 to 1000000 (got -1)");
}
END_TEST

/* Integers written with L (libconfig's 64-bit ones) are integers too. */
START_TEST(long_integers)
{
	struct conf *c = load_text("port = 80L;\nmax_request = 4096L;\n"
	    "rate = 2L;\nservices = ( { name = \"a\"; timeout = 5L; } );\n",
	    -1, 0);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->svc[0].port, 80);
	ck_assert_uint_eq(c->svc[0].max_request, 4096);
	ck_assert_double_eq(c->svc[0].rate, 2);
	ck_assert_int_eq(c->svc[0].timeout, 5);
	conf_free(c);
	ck_assert_ptr_null(load_text("port = 65536L;\n", -1, 0));
	ck_assert_str_eq(err(0),
	    ":1: port must be an integer from 0 to 65535 (got 65536)");
}
END_TEST

/*
 * A plain integer's twins are the integers of the same kind, line and
 * value only: none of these is taken for the wrapped one.
 */
START_TEST(wrapped_twins_are_only_alike_integers)
{
	static const char *const texts[] = {
		"port = 80;\ntimeout = 80; max_request = 4294967376;\n",
		"port = 81; timeout = 80; max_request = 4294967376;\n",
		"timeout = 80L; port = 80; max_request = 4294967376;\n",
		"port = 80; timeout = 80; max_request = 4294967376;\n",
		"reply = \"80\"; timeout = 80; max_request = 4294967376;\n",
		"listen = [ \"::1\" ]; timeout = 80; max_request = 4294967376;\n",
		"services = ( { name = \"a\"; max_request = 4294967376; },"
		    " { name = \"b\"; port = 80; } );\n",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		ck_assert_ptr_null(load_text(texts[i], -1, 0));
		ck_assert_msg(errs.n == 1 && strstr(err(0), "max_request must "
		    "be an integer from 1 to 1048576 (got 4294967376)"),
		    "%s: %zu errors, %s", texts[i], errs.n, err(0));
	}
}
END_TEST

/* interface: 1 to IFNAMSIZ - 1 bytes, both ends taken. */
START_TEST(interface_length)
{
	struct conf *c = load_text("interface = \"a\";\nservices = (\n"
	    " { name = \"a\"; },\n"
	    " { name = \"b\"; port = 1; interface = \"fifteen-bytes-0\"; } );\n",
	    -1, 0);

	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->svc[0].interface, "a");
	ck_assert_str_eq(c->svc[1].interface, "fifteen-bytes-0");
	conf_free(c);
	ck_assert_ptr_null(load_text("interface = \"sixteen-bytes-01\";\n",
	    -1, 0));
	ck_assert_str_eq(err(0), ":1: interface must be 1 to 15 bytes long "
	    "(got \"sixteen-bytes-01\")");
}
END_TEST

/* A list of strings: one string is a list of one; each error once. */
START_TEST(string_lists)
{
	struct conf *c = load_text("listen = \"127.0.0.1\";\n"
	    "services = ( { name = \"a\"; listen = ( \"::1\", \"127.0.0.2\" );"
	    " allow = [ \"::1\" ]; } );\nallow = [ \"10.0.0.0/8\" ];\n",
	    -1, 0);

	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->svc[0].listen[0], "::1");
	ck_assert_str_eq(c->svc[0].listen[1], "127.0.0.2");
	ck_assert_ptr_null(c->svc[0].listen[2]);
	ck_assert_uint_eq(c->svc[0].allow.n, 1);
	ck_assert_int_eq(c->svc[0].allow.v[0].family, AF_INET6);
	conf_free(c);
	c = load_text("listen = \"127.0.0.1\";\n", -1, 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->svc[0].listen[0], "127.0.0.1");
	ck_assert_ptr_null(c->svc[0].listen[1]);
	conf_free(c);
	ck_assert_ptr_null(load_text("listen = ( 5 );\n", -1, 0));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(err(0), ":1: listen must hold only strings (got 5)");
	ck_assert_ptr_null(load_text("allow = [ \"nope\", \"10.0.0.1\" ];\n",
	    -1, 0));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_ptr_nonnull(strstr(err(0), "(got \"nope\")"));
	ck_assert_ptr_null(load_text("deny = [ \"::1\", \"nope\" ];\n",
	    -1, 0));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_ptr_nonnull(strstr(err(0), "(got \"nope\")"));
}
END_TEST

/* Every value of each enum key is taken, anything else listed. */
START_TEST(enum_values)
{
	static const struct { const char *v; int code; } fac[] = {
		{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
		{ "cron", LOG_CRON }, { "ftp", LOG_FTP }, { "lpr", LOG_LPR },
		{ "mail", LOG_MAIL }, { "news", LOG_NEWS },
		{ "syslog", LOG_SYSLOG }, { "uucp", LOG_UUCP },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};
	static const char *const levels[] = { "errors", "connections",
	    "requests" };
	char text[64];
	struct conf *c;
	size_t i;

	for (i = 0; i < sizeof(fac) / sizeof(fac[0]); i++) {
		snprintf(text, sizeof(text), "log_facility = \"%s\";\n",
		    fac[i].v);
		c = load_text(text, -1, 0);
		ck_assert_ptr_nonnull(c);
		ck_assert_int_eq(c->svc[0].log_facility, fac[i].code);
		conf_free(c);
	}
	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "log = \"%s\";\n", levels[i]);
		c = load_text(text, -1, 0);
		ck_assert_ptr_nonnull(c);
		ck_assert_int_eq(c->svc[0].log, (int)i);
		conf_free(c);
	}
	ck_assert_int_eq(CONF_LOG_ERRORS, 0);
	ck_assert_int_eq(CONF_LOG_REQUESTS, 2);
	ck_assert_ptr_null(load_text("log = \"all\";\nlog_facility = \"kern\";"
	    "\n", -1, 0));
	ck_assert_str_eq(err(0), ":1: log must be \"errors\", \"connections\" "
	    "or \"requests\" (got \"all\")");
	ck_assert_str_eq(err(1), ":2: log_facility must be \"daemon\", "
	    "\"user\", \"auth\", \"authpriv\", \"cron\", \"ftp\", \"lpr\", "
	    "\"mail\", \"news\", \"syslog\", \"uucp\", \"local0\", \"local1\", "
	    "\"local2\", \"local3\", \"local4\", \"local5\", \"local6\" or "
	    "\"local7\" (got \"kern\")");
}
END_TEST

/* Free what svc holds, as a configuration frees its services. */
static void
service_release(const struct service *svc)
{
	struct conf *c = calloc(1, sizeof(*c));

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(c->svc = malloc(sizeof(*svc)));
	*c->svc = *svc;
	c->nsvc = 1;
	conf_free(c);
}

/*
 * The first setting of text applied to a service with the defaults, as
 * conf_load applies each: 0, or -1 when it reported an error (and then
 * only), whatever the key's type.
 */
static int
applied_failing(const char *text, long fail, int *failed)
{
	struct conf_opts o = { .port = -1, .handlers = names };
	struct conf_text t;
	struct conf_ctx x = { .opts = &o, .text = &t };
	struct service svc;
	const config_setting_t *s;
	config_t cf;
	long held;
	int rc;

	write_text(text);
	x.path = path;
	ck_assert_int_eq(conf_text_read(&t, path), 0);
	config_init(&cf);
	ck_assert_int_eq(config_read_string(&cf, t.buf), CONFIG_TRUE);
	s = config_setting_get_elem(config_root_setting(&cf), 0);
	memset(&svc, 0, sizeof(svc));
	conf_key_defaults(&svc);
	held = in_use();
	fail_in = fail;
	rc = conf_key_apply(&x, conf_key_find(config_setting_name(s)), &svc,
	    s);
	*failed = fail >= 0 && fail_in < 0;
	fail_in = -1;
	ck_assert_msg(rc == (x.nerr > 0 ? -1 : 0), "%s: %d, %d error(s)", text,
	    rc, x.nerr);
	/*
	 * A value of the table's types, refused, keeps no memory (a group
	 * such as exec may keep its members read, freed with the service).
	 */
	ck_assert_msg(rc == 0 || in_use() == held || conf_key_find(
	    config_setting_name(s))->type == CT_SPECIAL, "%s: %ld kept",
	    text, in_use() - held);
	config_destroy(&cf);
	conf_text_free(&t);
	service_release(&svc);
	return rc;
}

static int
applied(const char *text)
{
	int failed;

	return applied_failing(text, -1, &failed);
}

/*
 * Memory running out while a value is copied: an error said, never a
 * list read in part (a short allow lets fewer in, a short deny more).
 */
START_TEST(memory_running_out_is_an_error)
{
	static const char *const texts[] = {
		"reply = \"x\";", "log = \"errors\";", "handler = \"echo\";",
		"listen = [ \"::1\", \"127.0.0.1\" ];",
		"deny = [ \"::1\", \"10.0.0.0/8\" ];",
		"exec = { program = \"/bin/sh\"; args = [ \"-c\" ]; };",
	};
	size_t i;
	long n;
	int failed, rc;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		for (n = 0; n < 100; n++) {
			rc = applied_failing(texts[i], n, &failed);
			if (!failed) {
				ck_assert_int_eq(rc, 0);
				break;
			}
			ck_assert_msg(rc == -1, "%s: allocation %ld failed, "
			    "but it is taken", texts[i], n);
		}
}
END_TEST

START_TEST(applying_a_key_says_whether_it_failed)
{
	static const char *const good[] = {
		"port = 1;", "rate = 2.5;", "rate = 0;", "rate = 2;",
		"reuse_port = true;", "reply = \"x\";", "interface = \"lo\";",
		"log = \"errors\";", "log_facility = \"local1\";",
		"handler = \"echo\";", "allow = [ \"::1\" ];",
		"listen = \"::1\";", "disable = false;",
		"services = ( { name = \"a\"; } );",
	};
	static const char *const bad[] = {
		"port = 70000;", "port = 4294967376;", "port = \"1\";",
		"rate = 5e6;", "rate = 5000000;", "rate = true;",
		"reuse_port = 1;", "reply = 1;", "interface = \"\";",
		"interface = 1;", "log = \"x\";", "log = 1;",
		"log_facility = \"kern\";", "handler = \"x\";", "handler = 1;",
		"allow = [ \"x\" ];", "allow = 1;", "allow = ( 1 );",
		"listen = 1;", "disable = 1;",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(applied(good[i]) == 0, "%s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(applied(bad[i]) == -1, "%s", bad[i]);
}
END_TEST

/* An error of no one setting (the whole file's) names the file alone. */
START_TEST(errors_of_no_setting_name_the_file)
{
	struct conf_text t;
	struct conf_ctx x = { .errs = &errs, .text = &t };

	write_text("port = 1;\n");
	x.path = path;
	ck_assert_int_eq(conf_text_read(&t, path), 0);
	errlist_free(&errs);
	conf_errf(&x, NULL, "no services %s", "here");
	ck_assert_int_eq(x.nerr, 1);
	ck_assert_str_eq(err(0), ": no services here");
	conf_text_free(&t);
}
END_TEST

/*
 * Heap blocks in use, counted exactly: glibc's own figures (mallinfo2)
 * also count the blocks its caches keep after free().  Every call of the
 * program and its libraries comes here (glibc lets malloc be replaced),
 * and goes on to the next allocator in line: glibc's, or a sanitizer's,
 * which must see every block it is given back.  dlsym() may itself ask
 * for memory before it has found them: that comes from a static buffer.
 */
static void *(*next_malloc)(size_t), *(*next_calloc)(size_t, size_t),
    *(*next_realloc)(void *, size_t);
static void (*next_free)(void *);
static _Alignas(max_align_t) char early[4096];
static size_t early_used;
static int finding;

/* 0 once the next allocator is known; -1 while dlsym() looks for it. */
static int
find_next(void)
{
	if (next_free != NULL)
		return 0;
	if (finding)
		return -1;
	finding = 1;
	next_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	next_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	next_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	next_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	finding = 0;
	return next_free != NULL ? 0 : -1;
}

/* For dlsym() while it looks: zeroed, 16-aligned, never given back. */
static void *
early_alloc(size_t n, size_t size)
{
	size_t at = (early_used + 15) & ~(size_t)15;

	if (size != 0 && n > (sizeof(early) - at) / size)
		return NULL;
	early_used = at + n * size;
	return early + at;
}

static int
is_early(const void *p)
{
	return (const char *)p >= early && (const char *)p < early + sizeof(early);
}

void *
malloc(size_t n)
{
	void *p;

	if (fail_in >= 0 && fail_in-- == 0)
		return NULL;
	if (find_next() < 0)
		return early_alloc(n, 1);
	if ((p = next_malloc(n)) != NULL)
		blocks++;
	return p;
}

void *
calloc(size_t n, size_t size)
{
	void *p;

	if (fail_in >= 0 && fail_in-- == 0)
		return NULL;
	if (find_next() < 0)
		return early_alloc(n, size);
	if ((p = next_calloc(n, size)) != NULL)
		blocks++;
	return p;
}

void *
realloc(void *old, size_t n)
{
	void *p;

	if (is_early(old)) {	/* its size is not kept: copy what can be */
		if ((p = malloc(n)) != NULL)
			memcpy(p, old, n < (size_t)(early + sizeof(early) -
			    (char *)old) ? n : (size_t)(early +
			    sizeof(early) - (char *)old));
		return p;
	}
	if (find_next() < 0)
		return NULL;
	p = next_realloc(old, n);
	blocks += (old == NULL && p != NULL) - (old != NULL && n == 0);
	return p;
}

void
free(void *p)
{
	if (p == NULL || is_early(p) || find_next() < 0)
		return;
	blocks--;
	next_free(p);
}

/*
 * Files that replace a value on the way (a service's own over the
 * default) or are refused half-read: every path that frees.
 */
static const char *const churn[] = {
	every_key_text,
	"reply = \"a\";\nlisten = \"127.0.0.1\";\nallow = [ \"10.0.0.0/8\" ];\n"
	"services = ( { name = \"a\"; reply = \"b\"; handler = \"echo\";\n"
	"  listen = \"::1\"; allow = [ \"::1\" ]; log = \"errors\"; },\n"
	"{ name = \"b\"; port = 2; handler = \"exec\";\n"
	"  exec = { program = \"/bin/sh\"; args = [ \"-c\", \"y\" ]; }; } );\n"
	"exec = { program = \"/bin/sh\"; args = [ \"-c\", \"x\" ]; };\n",
	"protocol = \"sctp\";\nhandler = \"qotd\";\ninterface = \"\";\n"
	"allow = [ \"nope\" ];\nlisten = ( \"127.0.0.1\", 5 );\nreply = 1;\n"
	"services = ( { name = \"a\"; interface = \"a-name-too-long-0\"; } );\n",
};

/* A reload (SIGHUP) loads and frees: any number of them leaks nothing. */
START_TEST(loads_give_back_their_memory)
{
	size_t i, round;
	long before = 0;

	for (round = 0; round < 3; round++) {
		if (round == 1)
			before = in_use();
		for (i = 0; i < sizeof(churn) / sizeof(churn[0]); i++)
			conf_free(load_text(churn[i], -1, i == 0));
	}
	ck_assert_int_eq(in_use(), before);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, tutorial_file);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, every_key);
	tcase_add_test(tc, every_key_covers_the_table);
	tcase_add_test(tc, disabled_services);
	tcase_add_test(tc, wait_service);
	tcase_add_test(tc, protocol_udp);
	tcase_add_test(tc, every_key_refuses_a_wrong_type);
	tcase_add_test(tc, every_ranged_key_refuses_what_is_outside);
	tcase_add_test(tc, table_rows_are_whole);
	tcase_add_test(tc, ranges_and_defaults_as_documented);
	tcase_add_test(tc, typos_are_named);
	tcase_add_test(tc, numbers_print_shortest);
	tcase_add_test(tc, errors_of_the_file_and_of_each_key);
	tcase_add_test(tc, lists_have_a_size_and_strings_only);
	tcase_add_test(tc, allowed_keys_are_listed);
	tcase_add_test(tc, values_are_quoted_within_their_buffer);
	tcase_add_test(tc, wrong_values_are_named);
	tcase_add_test(tc, long_integers);
	tcase_add_test(tc, wrapped_twins_are_only_alike_integers);
	tcase_add_test(tc, interface_length);
	tcase_add_test(tc, string_lists);
	tcase_add_test(tc, enum_values);
	tcase_add_test(tc, loads_give_back_their_memory);
	tcase_add_test(tc, applying_a_key_says_whether_it_failed);
	tcase_add_test(tc, errors_of_no_setting_name_the_file);
	tcase_add_test(tc, memory_running_out_is_an_error);
	tcase_add_test(tc, unix_sockets);
	tcase_add_test(tc, port_override);
	tcase_add_test(tc, all_errors_reported_with_lines);
	tcase_add_test(tc, handler_is_a_name);
	tcase_add_test(tc, wrapped_integers_are_caught);
	tcase_add_test(tc, wrapped_beside_a_plain_twin);
	tcase_add_test(tc, wrong_types);
	tcase_add_test(tc, root_needs_user);
	tcase_add_test(tc, services_inherit_defaults);
	tcase_add_test(tc, services_errors_once);
	tcase_add_test(tc, sandbox_defaults_and_inheritance);
	tcase_add_test(tc, sandbox_errors);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, shipped_config_is_valid);
	suite_add_tcase(s, tc);
	return check_run(s);
}
