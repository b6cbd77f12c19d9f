/*
 * replyd-import: read inetd.conf and xinetd files (or directories of
 * them, such as /etc/xinetd.d) and write the equivalent replyd.conf
 * `services` list on standard output.  This file reads the command
 * line, tells the two formats apart and decides the exit status; the
 * readers, the last pass and the writer are in the files beside it.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "import/import.h"

static const char usage[] =
"Usage: replyd-import [-a] [-h] [-V] FILE|DIR...\n"
"Write the replyd.conf services equivalent to inetd.conf lines and xinetd\n"
"service files on standard output.  A directory is read as xinetd reads\n"
"/etc/xinetd.d; each file's format is recognised by its first entry.\n"
"\n"
"  -a, --all      write the services the input had off (commented out,\n"
"                 disable = yes) whole, not in a line each\n"
"  -h, --help     show this help and exit\n"
"  -V, --version  show the version and exit\n"
"\n"
"See replyd-import(8).\n";

static void
read_file(struct svclist *l, const char *file)
{
	if (xinetd_is(file))
		xinetd_read(l, file);
	else
		inetd_read(l, file);
}

static void
read_arg(struct svclist *l, const char *arg)
{
	struct strv files = { 0 };
	struct stat st;
	size_t i;

	if (stat(arg, &st) < 0) {
		diag_unreadable(arg, errno);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		read_file(l, arg);
		return;
	}
	if (input_dir(arg, &files) == 0)
		for (i = 0; i < files.n; i++)
			read_file(l, files.v[i]);
	strv_clear(&files);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all",	no_argument,	NULL, 'a' },
		{ "help",	no_argument,	NULL, 'h' },
		{ "version",	no_argument,	NULL, 'V' },
		{ NULL,		0,		NULL, 0 }
	};
	struct svclist l;
	const struct svc *s;
	int c, on = 0, rc, all = 0;

	while ((c = getopt_long(argc, argv, "ahV", longopts, NULL)) != -1)
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return EX_OK;
		case 'V':
			printf("replyd-import %s\n", PACKAGE_VERSION);
			return EX_OK;
		default:
			fputs("Try 'replyd-import --help' for more "
			    "information.\n", stderr);
			return EX_USAGE;
		}
	if (optind == argc) {
		fprintf(stderr, "replyd-import: name at least one file or "
		    "directory to import\nTry 'replyd-import --help' for more "
		    "information.\n");
		return EX_USAGE;
	}
	memset(&l, 0, sizeof(l));
	for (; optind < argc; optind++)
		read_arg(&l, argv[optind]);
	xinetd_finish(&l);
	if ((rc = diag_status()) == EX_OK) {
		finish_services(&l);
		emit_conf(&l, all);
		for (s = l.head; s != NULL; s = s->next)
			on += !s->disabled;
		if (on == 0)
			fprintf(stderr, "replyd-import: no services defined: "
			    "no service of the input is enabled, and replyd "
			    "refuses what was written until one is\n");
		if (fflush(stdout) != 0 || ferror(stdout)) {
			perror("replyd-import: standard output");
			rc = EX_IOERR;
		}
	}
	finish_free(&l);
	return rc;
}
