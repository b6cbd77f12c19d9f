/*
 * Admission: the order of deny and allow, the local-only rule (Unix
 * clients are local), per_source from the caller's count, a PROXY
 * service's count left to its children, per_source_rate; refusals
 * closed or lingered, and counted; a child's refusal read back from its
 * exit status.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/admit.h"
#include "client/refused.h"
#include "handlers/handler.h"
#include "lib/acl.h"
#include "lib/addr.h"
#include "check_run.h"

static struct sockaddr_storage ss;

static const struct sockaddr *
sa(const char *ip)
{
	socklen_t len;

	ck_assert_int_eq(addr_parse(ip, 1234, &ss, &len), 0);
	return (const struct sockaddr *)&ss;
}

static const struct sockaddr *
unix_client(void)
{
	static struct sockaddr_un sun = { .sun_family = AF_UNIX };

	return (const struct sockaddr *)&sun;
}

static struct acl
acl_of(const char *cidr)
{
	struct acl a = { calloc(1, sizeof(struct cidr)), 1 };

	ck_assert_int_eq(cidr_parse(cidr, &a.v[0]), 0);
	return a;
}

/* Each test's service (a reply one), its run state and the time. */
static struct service svc;
static struct svc_state r;
static const struct timespec now = { 100, 0 };

static void
setup(void)
{
	memset(&svc, 0, sizeof(svc));
	svc.name = "s";
	svc.handler = handler_find("reply");
	svc.per_source_prefix6 = 64;
	memset(&r, 0, sizeof(r));
	r.svc = &svc;
}

static struct srckey
source(const char *ip)
{
	struct srckey k;

	srckey_make(&k, sa(ip), 64);
	return k;
}

START_TEST(deny_wins_allow_must_match)
{
	ck_assert_int_eq(admit_client(&svc, sa("192.0.2.7"), 0), ADMIT_OK);
	svc.allow = acl_of("192.0.2.0/24");
	ck_assert_int_eq(admit_client(&svc, sa("192.0.2.7"), 0), ADMIT_OK);
	ck_assert_int_eq(admit_client(&svc, sa("198.51.100.1"), 0),
	    ADMIT_DENIED);
	svc.deny = acl_of("192.0.2.7");
	ck_assert_int_eq(admit_client(&svc, sa("192.0.2.7"), 0), ADMIT_DENIED);
	/* A Unix client has no address for the lists to judge. */
	ck_assert_int_eq(admit_client(&svc, unix_client(), 0), ADMIT_OK);
}
END_TEST

START_TEST(status_serves_local_clients)
{
	svc.handler = handler_find("status");
	svc.local_only = 1;
	ck_assert_int_eq(admit_client(&svc, sa("127.0.0.5"), 0), ADMIT_OK);
	ck_assert_int_eq(admit_client(&svc, sa("::1"), 0), ADMIT_OK);
	ck_assert_int_eq(admit_client(&svc, sa("::ffff:127.0.0.1"), 0),
	    ADMIT_OK);
	ck_assert_int_eq(admit_client(&svc, unix_client(), 0), ADMIT_OK);
	ck_assert_int_eq(admit_client(&svc, sa("192.0.2.7"), 0), ADMIT_DENIED);
	ck_assert_int_eq(admit_client(&svc, sa("::ffff:192.0.2.7"), 0),
	    ADMIT_DENIED);
	svc.allow = acl_of("192.0.2.0/24");
	ck_assert_int_eq(admit_client(&svc, sa("192.0.2.7"), 0), ADMIT_OK);
}
END_TEST

/* A client of a family it cannot place is not known to be local. */
START_TEST(unknown_family_is_not_local)
{
	struct sockaddr_storage other;

	memset(&other, 0, sizeof(other));
	other.ss_family = AF_UNSPEC;
	svc.handler = handler_find("status");
	svc.local_only = 1;
	ck_assert_int_eq(admit_client(&svc, (struct sockaddr *)&other, 0),
	    ADMIT_DENIED);
}
END_TEST

START_TEST(per_source_from_the_count)
{
	struct srckey src = source("192.0.2.7");

	ck_assert_int_eq(admit_client(&svc, sa("192.0.2.7"), 1000), ADMIT_OK);
	svc.per_source = 2;
	ck_assert_int_eq(admit_client(&svc, sa("192.0.2.7"), 1), ADMIT_OK);
	ck_assert_int_eq(admit_client(&svc, sa("192.0.2.7"), 2), ADMIT_BUSY);
	ck_assert_int_eq(admit_check(&r, 2, sa("192.0.2.7"), &src, &now),
	    ADMIT_BUSY);
	/* Behind a balancer the master's count is the balancer's. */
	svc.proxy_protocol = 1;
	ck_assert_int_eq(admit_check(&r, 2, sa("192.0.2.7"), &src, &now),
	    ADMIT_OK);
	svc.per_source = 1;
	ck_assert_int_eq(admit_check(&r, 5, sa("192.0.2.7"), &src, &now),
	    ADMIT_OK);
}
END_TEST

START_TEST(per_source_rate_in_the_master)
{
	struct srckey src = source("192.0.2.7");
	int i, ok = 0;

	svc.per_source_rate = 1;
	for (i = 0; i < 10; i++)
		ok += admit_check(&r, 0, sa("192.0.2.7"), &src, &now) ==
		    ADMIT_OK;
	ck_assert_int_eq(ok, 1);	/* a burst of max(rate, 1) */
	ck_assert_int_eq(admit_check(&r, 0, sa("192.0.2.7"), &src, &now),
	    ADMIT_LIMITED);
	free(r.srcrate);
}
END_TEST

/* What the client end of a refused connection reads: "" at EOF. */
static const char *
peer_reads(int fd)
{
	static char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return buf;
}

START_TEST(refused_are_closed_and_counted)
{
	struct refused_clients lg = { .n = 0 };
	int p[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
	admit_refuse(&r, p[0], ADMIT_DENIED, unix_client(), NULL, &now);
	ck_assert_int_eq(fcntl(p[0], F_GETFD), -1);
	ck_assert_str_eq(peer_reads(p[1]), "");
	close(p[1]);
	ck_assert_uint_eq(r.stats.denied, 1);

	/* busy_reply, then the linger set takes the connection over. */
	svc.busy_reply = "busy\n";
	svc.busy_reply_len = 5;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
	admit_refuse(&r, p[0], ADMIT_BUSY, unix_client(), &lg, &now);
	ck_assert_uint_eq(lg.n, 1);
	ck_assert_int_eq(lg.fd[0], p[0]);
	ck_assert_str_eq(peer_reads(p[1]), "busy\n");
	ck_assert_str_eq(peer_reads(p[1]), "");	/* half-closed */
	refused_end(&lg);
	close(p[1]);

	/* Never busy_reply to a denied client. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
	admit_refuse(&r, p[0], ADMIT_DENIED, unix_client(), &lg, &now);
	ck_assert_int_eq(fcntl(p[0], F_GETFD), -1);
	ck_assert_str_eq(peer_reads(p[1]), "");
	close(p[1]);

	/* Without a linger set (the -i wait mode): closed at once. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
	admit_refuse(&r, p[0], ADMIT_LIMITED, unix_client(), NULL, &now);
	ck_assert_int_eq(fcntl(p[0], F_GETFD), -1);
	ck_assert_str_eq(peer_reads(p[1]), "busy\n");
	close(p[1]);
	ck_assert_uint_eq(r.stats.busy, 1);
	ck_assert_uint_eq(r.stats.limited, 1);
}
END_TEST

START_TEST(refusals_from_exit_statuses)
{
	int denied = admit_exit_status(ADMIT_DENIED) << 8;
	int busy = admit_exit_status(ADMIT_BUSY) << 8;

	ck_assert(WIFEXITED(denied) && WIFEXITED(busy) && denied != busy);
	/* Only a PROXY service's children judge their clients. */
	ck_assert_int_eq(admit_exited(&svc, denied), ADMIT_OK);
	svc.proxy_protocol = 1;
	ck_assert_int_eq(admit_exited(&svc, denied), ADMIT_DENIED);
	ck_assert_int_eq(admit_exited(&svc, busy), ADMIT_BUSY);
	ck_assert_int_eq(admit_exited(&svc, 0), ADMIT_OK);
	ck_assert_int_eq(admit_exited(&svc, 1 << 8), ADMIT_OK);
	ck_assert_int_eq(admit_exited(&svc, 9), ADMIT_OK);	/* SIGKILL */
	ck_assert_int_eq(admit_exited(NULL, denied), ADMIT_OK);
}
END_TEST

/* Lines logged since log_to_file(): stderr goes to a file meanwhile. */
static FILE *logged;
static int saved_stderr = -1;

static void
log_to_file(void)
{
	logged = tmpfile();
	ck_assert_ptr_nonnull(logged);
	saved_stderr = dup(2);
	ck_assert_int_eq(dup2(fileno(logged), 2), 2);
}

/* The lines logged since the last call. */
static const char *
logged_since(void)
{
	static char text[65536];
	static long at;
	size_t n;

	ck_assert_int_eq(fseek(logged, at, SEEK_SET), 0);
	n = fread(text, 1, sizeof(text) - 1, logged);
	text[n] = '\0';
	at = ftell(logged);
	return text;
}

/* How many lines of text contain what. */
static int
lines_with(const char *text, const char *what)
{
	const char *p, *nl;
	int n = 0;

	for (p = text; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		if ((p = strstr(p, what)) != NULL && p < nl)
			n++;
	}
	return n;
}

/* The start of a new second, so that what follows shares one. */
static void
new_second(void)
{
	time_t t = time(NULL);

	while (time(NULL) == t)
		usleep(1000);
}

/*
 * Refusals are logged once a second for each service and reason; the
 * next line says how many were not logged.
 */
START_TEST(refusals_logged_once_a_second)
{
	struct service other = svc;
	static const char full[] = "full", shut[] = "shut";
	const char *t;
	int i;

	other.name = "t";
	log_to_file();
	new_second();
	for (i = 0; i < 5; i++)
		admit_note(&svc, full, "s: refused client %d: full", i);
	admit_note(&svc, shut, "s: refused client: shut");
	admit_note(&svc, shut, "s: refused client: shut");
	admit_note(&other, full, "t: refused client: full");
	t = logged_since();
	ck_assert_int_eq(lines_with(t, "refused client"), 3);
	ck_assert_int_eq(lines_with(t, "client 0: full"), 1);
	ck_assert_int_eq(lines_with(t, "more like it"), 0);
	new_second();
	admit_note(&svc, full, "s: refused client 5: full");
	admit_note(&svc, shut, "s: refused client: shut");
	admit_note(&other, full, "t: refused client: full");
	t = logged_since();
	ck_assert_int_eq(lines_with(t, "refused client"), 3);
	ck_assert_int_eq(lines_with(t, "client 5: full (and 4 more like it "
	    "before)"), 1);
	ck_assert_int_eq(lines_with(t, "shut (and 1 more like it before)"),
	    1);
	ck_assert_int_eq(lines_with(t, "t: refused client: full\n"), 1);
}
END_TEST

/*
 * Many services share the table: 256 pairs are all held (each logs
 * its first refusal only); a pair beyond that takes a slot from
 * another, which then logs once more, not at each refusal.
 */
START_TEST(many_services_share_the_note_table)
{
	static const char why[] = "full";
	static char names[257][16];	/* "m" and any int */
	struct service many[257];
	int i, pass, n;

	log_to_file();
	new_second();
	for (pass = 0; pass < 3; pass++)
		for (i = 0; i < 256; i++) {
			many[i] = svc;
			snprintf(names[i], sizeof(names[i]), "m%d", i);
			many[i].name = names[i];
			admit_note(&many[i], why, "%s: refused", names[i]);
		}
	ck_assert_int_eq(lines_with(logged_since(), "refused"), 256);
	many[256] = svc;
	many[256].name = "m256";
	for (pass = 0; pass < 3; pass++)
		for (i = 0; i < 257; i++)
			admit_note(&many[i], why, "%s: refused", many[i].name);
	/* m256's first, and at most one line for each slot it took. */
	n = lines_with(logged_since(), "refused");
	ck_assert_int_ge(n, 1);
	ck_assert_int_le(n, 1 + 2 * 3);
}
END_TEST

/* A refused datagram: counted, and logged with its sender. */
START_TEST(refused_datagrams_logged_by_sender)
{
	const char *t;

	log_to_file();
	admit_log(&r, ADMIT_DENIED, sa("192.0.2.7"));
	t = logged_since();
	ck_assert_uint_eq(r.stats.denied, 1);
	ck_assert_msg(lines_with(t, "s: refused 192.0.2.7:1234: access "
	    "denied") == 1, "%s", t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("admit");
	TCase *tc = tcase_create("admit");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, deny_wins_allow_must_match);
	tcase_add_test(tc, status_serves_local_clients);
	tcase_add_test(tc, unknown_family_is_not_local);
	tcase_add_test(tc, per_source_from_the_count);
	tcase_add_test(tc, per_source_rate_in_the_master);
	tcase_add_test(tc, refused_are_closed_and_counted);
	tcase_add_test(tc, refusals_from_exit_statuses);
	tcase_add_test(tc, refusals_logged_once_a_second);
	tcase_add_test(tc, many_services_share_the_note_table);
	tcase_add_test(tc, refused_datagrams_logged_by_sender);
	suite_add_tcase(s, tc);
	return check_run(s);
}
