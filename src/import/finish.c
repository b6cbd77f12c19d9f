/*
 * The last pass over every service read: what this host lacks (a user,
 * a group, the program), two enabled services on one port, and names.
 * A service replyd would refuse is written disabled, with the reason,
 * so that the output passes "replyd -t" on the host it was made on.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import/import.h"

/* A numeric user or group becomes its name, as replyd wants names. */
static void
check_ids(struct svc *s, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	struct group *gr;
	long n;

	pw = getpwnam(s->user);
	if (pw == NULL && svc_number(s->user, 0, 0x7fffffff, &n) == 0 &&
	    (pw = getpwuid((uid_t)n)) != NULL) {
		free(s->user);
		s->user = xstrdup(pw->pw_name);
	}
	if (pw == NULL) {
		svc_disable(s, "user \"%s\" does not exist on this host",
		    s->user);
		return;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (s->group == NULL)
		return;
	gr = getgrnam(s->group);
	if (gr == NULL && svc_number(s->group, 0, 0x7fffffff, &n) == 0 &&
	    (gr = getgrgid((gid_t)n)) != NULL) {
		free(s->group);
		s->group = xstrdup(gr->gr_name);
	}
	if (gr == NULL)
		svc_disable(s, "group \"%s\" does not exist on this host",
		    s->group);
	else
		*gid = gr->gr_gid;
}

/*
 * Whether the service's user may run the program, judged as replyd -t
 * judges it: by the mode bits that apply to that user when run as
 * root, by any execute bit otherwise.
 */
static void
check_program(struct svc *s, uid_t uid, gid_t gid)
{
	struct stat st;
	int x;

	if (stat(s->program, &st) < 0) {
		svc_disable(s, "%s: %s", s->program, strerror(errno));
		return;
	}
	if (geteuid() != 0 || uid == 0)
		x = (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0;
	else if (st.st_uid == uid)
		x = (st.st_mode & S_IXUSR) != 0;
	else if (st.st_gid == gid)
		x = (st.st_mode & S_IXGRP) != 0;
	else
		x = (st.st_mode & S_IXOTH) != 0;
	if (!S_ISREG(st.st_mode) || !x)
		svc_disable(s, "%s is not a program user \"%s\" can run on "
		    "this host", s->program, s->user);
}

/* Whether two listen lists can take the same address. */
static int
wild(const char *a)
{
	return strcmp(a, "::") == 0 || strcmp(a, "0.0.0.0") == 0;
}

static int
overlap(const struct strv *a, const struct strv *b)
{
	size_t i, j;

	if (a->n == 0 || b->n == 0)
		return 1;
	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++) {
			const char *x = a->v[i], *y = b->v[j];

			if (strcmp(x, y) == 0 || strcmp(x, "::") == 0 ||
			    strcmp(y, "::") == 0 ||
			    (wild(x) && !strchr(y, ':')) ||
			    (wild(y) && !strchr(x, ':')))
				return 1;
		}
	return 0;
}

static void
check_ports(struct svclist *l)
{
	struct svc *s, *t;

	for (s = l->head; s != NULL; s = s->next)
		for (t = l->head; t != s && !s->disabled; t = t->next)
			if (!t->disabled && t->port == s->port &&
			    t->proto == s->proto && s->port > 0 &&
			    overlap(&s->listen, &t->listen))
				svc_disable(s, "port %d/%s is %s:%d's already",
				    s->port, s->proto == SVC_UDP ? "udp" :
				    "tcp", t->file, t->line);
}

/*
 * A wait service's program takes its clients from the socket: replyd
 * never sees them, and refuses allow and deny, per_source and
 * per_source_rate on it.  Access rules cannot be carried (nothing
 * restricted is written open); the per-source limits never bit, as
 * inetd and xinetd ran one program at a time for such a service.
 */
static void
check_wait(struct svc *s)
{
	if (!s->wait)
		return;
	svc_note(s, "wait: the program gets the listening or UDP socket and "
	    "serves every client itself; replyd starts it again for the "
	    "next client once it has exited");
	if (s->allow.n > 0 || s->deny.n > 0)
		svc_restrict(s, "access rules (only_from, no_access) cannot "
		    "apply to a wait service, whose clients only the program "
		    "sees: restrict them with a firewall or in the program");
	if (s->per_source >= 0 || s->per_source_rate > 0)
		svc_note(s, "per-source limits dropped: they cannot apply "
		    "to a wait service, whose one program serves every "
		    "client");
	s->per_source = -1;
	s->per_source_rate = 0;
}

static int
taken(const struct svclist *l, const char *name)
{
	const struct svc *s;

	for (s = l->head; s != NULL; s = s->next)
		if (s->final != NULL && strcmp(s->final, name) == 0)
			return 1;
	return 0;
}

/* replyd's names: 1 to 64 letters, digits, '_', '.', '-'; unique. */
static void
name_one(struct svclist *l, struct svc *s)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
	char base[57], *n;
	size_t i, len = 0;
	int k;

	for (i = 0; s->name[i] != '\0' && len < sizeof(base) - 1; i++)
		base[len++] = strchr(ok, s->name[i]) ? s->name[i] : '-';
	base[len] = '\0';
	if (len == 0)
		strcpy(base, "service");
	if (strcmp(base, s->name) != 0)
		svc_note(s, "the name \"%s\" is not one replyd allows: %s",
		    s->name, base);
	if (!taken(l, base)) {
		s->final = xstrdup(base);
		return;
	}
	n = xprintf("%s-%s", base, s->proto == SVC_UDP ? "udp" : "tcp");
	for (k = 2; taken(l, n); k++) {
		free(n);
		n = xprintf("%s-%d", base, k);
	}
	svc_note(s, "named %s: another service is %s", n, base);
	s->final = n;
}

static void
svc_free(struct svc *s)
{
	free(s->file);
	free(s->origin);
	free(s->name);
	free(s->final);
	free(s->program);
	free(s->user);
	free(s->group);
	free(s->umask);
	strv_clear(&s->listen);
	strv_clear(&s->args);
	strv_clear(&s->env);
	strv_clear(&s->allow);
	strv_clear(&s->deny);
	strv_clear(&s->why);
	strv_clear(&s->notes);
	free(s);
}

/*
 * replyd's own inetd.conf line or xinetd file (replyd -i behind inetd)
 * is what the output replaces: as a service it would run replyd -i for
 * every client of a port replyd now serves itself.  It is left out,
 * and said so at the top.
 */
static void
drop_own(struct svclist *l)
{
	struct svc **p = &l->head, *s;
	const char *base;

	while ((s = *p) != NULL) {
		base = s->program ? strrchr(s->program, '/') : NULL;
		if (base == NULL || strcmp(base + 1, "replyd") != 0) {
			p = &s->next;
			continue;
		}
		strv_addf(&l->notes, "%s:%d: %s is replyd's own entry (replyd "
		    "run by inetd): left out, as replyd serves this "
		    "configuration itself", s->file, s->line, s->origin);
		*p = s->next;
		svc_free(s);
	}
	for (l->tail = &l->head; *l->tail != NULL; l->tail = &(*l->tail)->next)
		;
}

void
finish_services(struct svclist *l)
{
	struct svc *s;
	uid_t uid = 0;
	gid_t gid = 0;
	int pass;

	drop_own(l);
	for (s = l->head; s != NULL; s = s->next) {
		check_wait(s);
		if (s->user == NULL)
			continue;
		check_ids(s, &uid, &gid);
		if (s->program != NULL && s->program[0] == '/')
			check_program(s, uid, gid);
	}
	check_ports(l);
	confine_notes(l);
	for (s = l->head; s != NULL && s->program == NULL; s = s->next)
		;
	if (s != NULL)
		strv_add(&l->notes, "inetd and xinetd passed their own "
		    "environment on to programs; replyd gives them a clean one: "
		    "PATH, the connection's variables and exec.env");
	/* Enabled services first, so that they keep the names they had. */
	for (pass = 0; pass < 2; pass++)
		for (s = l->head; s != NULL; s = s->next)
			if (s->disabled == pass)
				name_one(l, s);
}

void
finish_free(struct svclist *l)
{
	struct svc *s, *next;

	for (s = l->head; s != NULL; s = next) {
		next = s->next;
		svc_free(s);
	}
	strv_clear(&l->inputs);
	strv_clear(&l->notes);
	l->head = NULL;
	l->tail = NULL;
}
