/*
 * Reading the input: each file once (xinetd.conf may include a
 * directory that is also named on the command line), line by line, and
 * directories the way xinetd's includedir reads them: every regular
 * file whose name has no '.' and does not end in '~', in C-locale
 * order.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "import/import.h"
#include "lib/regfile.h"

struct seen {
	dev_t	dev;
	ino_t	ino;
};

static struct seen	*seen;
static size_t		 nseen;

static int
already(const struct stat *st)
{
	size_t i;

	for (i = 0; i < nseen; i++)
		if (seen[i].dev == st->st_dev && seen[i].ino == st->st_ino)
			return 1;
	// cppcheck-suppress memleakOnRealloc ; a failed realloc exits at once
	if ((seen = realloc(seen, (nseen + 1) * sizeof(*seen))) == NULL) {
		perror("replyd-import");
		exit(EX_OSERR);
	}
	seen[nseen].dev = st->st_dev;
	seen[nseen++].ino = st->st_ino;
	return 0;
}

/*
 * Open path for reading as replyd opens its own files (regfile.c) and
 * only if it holds at most INPUT_MAX bytes: a FIFO would block the read
 * for ever, a device such as /dev/zero never ends.  NULL with *why.
 */
FILE *
input_fopen(const char *path, struct stat *st, const char **why)
{
	static char err[256];
	FILE *fp;
	int fd;

	*why = err;
	if ((fd = regfile_open(path, err, sizeof(err))) < 0)
		return NULL;
	if (fstat(fd, st) < 0)
		snprintf(err, sizeof(err), "%s", strerror(errno));
	else if (st->st_size > INPUT_MAX)
		snprintf(err, sizeof(err), "larger than 16 MiB");
	else if ((fp = fdopen(fd, "re")) != NULL)
		return fp;
	else
		snprintf(err, sizeof(err), "%s", strerror(errno));
	close(fd);
	return NULL;
}

/* Forget which files were read: a fuzzer reads one path again and again. */
void
input_forget(void)
{
	free(seen);
	seen = NULL;
	nseen = 0;
}

/*
 * Open a file to read: 0 and *fp, 1 when it was read already, -1 when
 * it cannot be read (reported).
 */
int
input_open(const char *path, FILE **fp)
{
	struct stat st;
	const char *why;

	if ((*fp = input_fopen(path, &st, &why)) == NULL) {
		diag_cannot_read(path, why);
		return -1;
	}
	if (already(&st)) {
		fclose(*fp);
		return 1;
	}
	return 0;
}

/*
 * The next line without its end of line, or NULL at the end.  A read
 * error or a line memory cannot hold is no end of file: it is reported
 * against path (unless path is NULL) and counts toward the exit status.
 */
char *
input_line(FILE *fp, const char *path, char **buf, size_t *cap)
{
	ssize_t n;

	errno = 0;
	if ((n = getline(buf, cap, fp)) < 0) {
		if (path != NULL && (ferror(fp) || !feof(fp)))
			diag_unreadable(path, errno != 0 ? errno : EIO);
		return NULL;
	}
	while (n > 0 && ((*buf)[n - 1] == '\n' || (*buf)[n - 1] == '\r'))
		(*buf)[--n] = '\0';
	return *buf;
}

static int
byname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of a directory that xinetd would read, sorted: 0 or -1. */
int
input_dir(const char *dir, struct strv *files)
{
	struct dirent *d;
	struct stat st;
	DIR *dp;
	char *path;

	if ((dp = opendir(dir)) == NULL) {
		diag_unreadable(dir, errno);
		return -1;
	}
	while ((d = readdir(dp)) != NULL) {
		size_t len = strlen(d->d_name);

		if (strchr(d->d_name, '.') != NULL ||
		    (len > 0 && d->d_name[len - 1] == '~'))
			continue;
		path = xprintf("%s/%s", dir, d->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			strv_add(files, path);
		free(path);
	}
	closedir(dp);
	if (files->n > 1)
		qsort(files->v, files->n, sizeof(*files->v), byname);
	return 0;
}
