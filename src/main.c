/*
 * replyd: parse the command line, load the configuration, dispatch to
 * the master (master_run; under -i for the socket inetd_opts finds) or
 * the check (-t, and -T which prints the effective configuration).
 * Everything else lives in libreplyd.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "handlers/handler.h"
#include "lib/log.h"
#include "master/daemon.h"
#include "master/inetd.h"
#include "master/master.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static const char usage[] =
"Usage: replyd [-c FILE] [-f] [-i] [-t] [-T] [-p PORT] [-P PIDFILE] [-h] [-V] [FILE]\n"
"Answer network clients with a reply produced by a swappable handler.\n"
"\n"
"  -c, --config FILE    configuration file (default " SYSCONFDIR "/replyd.conf)\n"
"  -f, --foreground     do not daemonize; log to stderr\n"
"  -i, --inetd          handler only: serve the connection on stdin/stdout\n"
"  -t, --check          check the configuration and exit\n"
"  -T, --print          check it and print it, defaults included, and exit\n"
"  -p, --port PORT      listen on PORT instead of the configured port\n"
"  -P, --pidfile FILE   write the master's pid to FILE\n"
"  -h, --help           show this help and exit\n"
"  -V, --version        show the version and exit\n"
"  FILE                 the configuration file, as with -c\n"
"\n"
"See replyd(8) and replyd.conf(5).\n";

static int
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "replyd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'replyd --help' for more information.\n");
	return EX_USAGE;
}

/* The config is re-read after chdir("/"), so keep its absolute path. */
static char *
absolute(const char *path)
{
	char cwd[PATH_MAX], *abs;

	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return strdup(path);
	if (asprintf(&abs, "%s/%s", cwd, path) < 0)
		return NULL;
	return abs;
}

/*
 * -t and -T: the file, then its modules in a child process (no module
 * code runs here) that blocks the master's signals first, as the master
 * does, and its sandboxes as start would make them, then "ok" or the
 * configuration.
 */
static int
check_conf(const char *path, int port, int print)
{
	struct conf_opts co = { .port = port, .as_root = geteuid() == 0 };
	struct errlist errs = { 0 };
	struct conf *c;
	sigset_t block;

	c = handler_conf_load(path, &co, &errs);
	errlist_log(&errs);
	errlist_free(&errs);
	master_sigmask(&block);
	if (c == NULL || module_conf_check(c, &block) < 0 ||
	    master_check(c) < 0) {
		conf_free(c);
		return EX_CONFIG;
	}
	if (print)
		conf_print(stdout, c);
	else
		printf("replyd: %s: ok\n", path);
	conf_free(c);
	return fflush(stdout) == 0 ? 0 : EX_IOERR;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "foreground",	no_argument,		NULL, 'f' },
		{ "inetd",	no_argument,		NULL, 'i' },
		{ "check",	no_argument,		NULL, 't' },
		{ "print",	no_argument,		NULL, 'T' },
		{ "port",	required_argument,	NULL, 'p' },
		{ "pidfile",	required_argument,	NULL, 'P' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct master_opts so = { .config = SYSCONFDIR "/replyd.conf",
	    .port = -1 };
	char *config, *pidfile;
	int ch, inetd = 0, check = 0, config_given = 0, rc;
	struct conf *c;
	sigset_t block;
	char *end;
	long v;

	if (daemon_sane_fds() < 0)
		return EX_OSERR;
	log_journal_detect();
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:fitTp:P:hV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			so.config = optarg;
			config_given = 1;
			break;
		case 'f':
			so.foreground = 1;
			break;
		case 'i':
			inetd = 1;
			break;
		case 't':
			check = check ? check : 't';
			break;
		case 'T':
			check = 'T';
			break;
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 0 || v > 65535)
				return usage_error("-p wants a port from 0 to "
				    "65535 (got \"%s\")", optarg);
			so.port = v;
			break;
		case 'P':
			so.pidfile = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("replyd %s\n", PACKAGE_VERSION);
			return 0;
		case ':':
			return usage_error("option %s needs an argument",
			    argv[optind - 1]);
		default:
			return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	/* "replyd -t /etc/replyd.conf" reads as it is meant. */
	if (optind < argc && !config_given)
		so.config = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (inetd && check)
		return usage_error("-i and -%c do not go together", check);

	if (check)
		return check_conf(so.config, so.port, check == 'T');
	/*
	 * Under inetd even a config error must not reach the client.  The
	 * master (`-i` runs it too) blocks its signals before master_load()
	 * runs any module code.
	 */
	if (inetd)
		inetd_prepare();
	else if (!so.foreground)
		log_also_syslog();	/* start-up lines, a daemon's too */
	master_sigmask(&block);
	sigprocmask(SIG_BLOCK, &block, NULL);
	if ((c = master_load(so.config, so.port)) == NULL)
		return EX_CONFIG;
	log_set_facility(c->log_facility);
	if (inetd && (rc = inetd_opts(c, &so)) != 0) {
		master_conf_free(c);
		return rc;
	}
	if (inetd)
		return master_run(c, &so);
	so.config = config = absolute(so.config);
	so.pidfile = pidfile = so.pidfile ? absolute(so.pidfile) : NULL;
	rc = config == NULL ? EX_OSERR : master_run(c, &so);
	free(config);
	free(pidfile);
	return rc;
}
