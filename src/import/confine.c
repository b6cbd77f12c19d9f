/*
 * What the package's replyd.service lets an imported program do, and a
 * note on the programs known to need more.  inetd and xinetd ran their
 * programs with the whole system writable; replyd.service runs every
 * program replyd starts with /usr, /boot, /etc and /home read-only and
 * a private /tmp, which most inetd programs never notice and a few fail
 * under.  The invariant: a note is only a warning; nothing is disabled
 * for it, since the unit is the administrator's to change.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "import/import.h"

/* A program by its file name, and what it writes that the unit keeps. */
struct writer {
	const char	*name;
	const char	*arg;	/* only with this argument, or NULL */
	const char	*what;
};

static const struct writer writers[] = {
	{ "in.ftpd", NULL, "uploads into home directories" },
	{ "ftpd", NULL, "uploads into home directories" },
	{ "proftpd", NULL, "uploads into home directories" },
	{ "vsftpd", NULL, "uploads into home directories" },
	{ "pure-ftpd", NULL, "uploads into home directories" },
	{ "swat", NULL, "writes Samba's configuration under /etc" },
	{ "rsync", "--daemon", "writes its modules' folders" },
	{ "cvs", "pserver", "writes its repository" },
	{ "in.tftpd", "-c", "creates the files clients upload" },
	{ "tftpd", "-c", "creates the files clients upload" },
};

static const struct writer *
writer_of(const struct svc *s)
{
	const char *base = strrchr(s->program, '/');
	size_t i;

	base = base != NULL ? base + 1 : s->program;
	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (strcmp(base, writers[i].name) == 0 &&
		    (writers[i].arg == NULL || strv_has(&s->args, writers[i].arg)))
			return &writers[i];
	return NULL;
}

void
confine_notes(struct svclist *l)
{
	const struct writer *w;
	struct svc *s;
	int programs = 0;

	for (s = l->head; s != NULL; s = s->next) {
		if (s->program == NULL)
			continue;
		programs = 1;
		if ((w = writer_of(s)) == NULL)
			continue;
		svc_note(s, "%s %s: under the package's replyd.service only "
		    "/var, /srv, /opt and a private /tmp are writable; allow "
		    "the rest with a drop-in (ReadWritePaths=, replyd(8))",
		    s->program, w->what);
		if (!s->disabled)
			fprintf(stderr, "replyd-import: %s:%d: service %s: %s "
			    "%s, which replyd.service may not allow: see "
			    "replyd(8)\n", s->file, s->line, s->name,
			    s->program, w->what);
	}
	if (programs)
		strv_add(&l->notes, "under the package's replyd.service, "
		    "programs run with /usr, /boot, /etc and /home read-only "
		    "and a private /tmp (replyd(8) says how to change it)");
}
