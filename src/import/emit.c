/*
 * Writing the services as a replyd.conf: a `services` list, enabled
 * services first, then the disabled ones commented out, each line
 * behind a "#" with no blank after it, so that removing the "#" of
 * those lines (its leading comma included) enables one.  What the input
 * itself had off (its examples) is a line each at the end, unless asked
 * for whole.  Comments say where each service came from and what it
 * could not carry.  Strings are escaped for libconfig; comments never
 * hold control characters.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"

#define WIDTH	76

/* A libconfig string: quotes, backslashes and control bytes escaped. */
static void
quoted(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02x", c);
		else
			putc(c, fp);
	}
	putc('"', fp);
}

/* A comment, wrapped at blanks; indent is "" or "\t". */
static void
comment(const char *indent, const char *lead, const char *text)
{
	size_t width = WIDTH - (*indent ? 8 : 0), col, n, i;
	int first = 1;

	col = printf("%s# %s", indent, lead) - strlen(indent);
	for (;;) {
		text += strspn(text, " ");
		if ((n = strcspn(text, " ")) == 0)
			break;
		if (!first && col + 1 + n > width)
			col = printf("\n%s#   ", indent) - 1 - strlen(indent);
		else if (!first)
			col += printf(" ");
		for (i = 0; i < n; i++)
			putchar((unsigned char)text[i] < 0x20 ? '?' : text[i]);
		col += n;
		text += n;
		first = 0;
	}
	putchar('\n');
}

static void
key_str(FILE *fp, const char *pfx, const char *key, const char *v)
{
	fprintf(fp, "%s%s = ", pfx, key);
	quoted(fp, v);
	fputs(";\n", fp);
}

static void
key_list(FILE *fp, const char *pfx, const char *key, const struct strv *v)
{
	size_t i, len = strlen(pfx) * 8 + strlen(key) + 6;

	for (i = 0; i < v->n; i++)
		len += strlen(v->v[i]) + 4;
	fprintf(fp, "%s%s = [", pfx, key);
	for (i = 0; i < v->n; i++) {
		fputs(i ? "," : "", fp);
		if (len > WIDTH)
			fprintf(fp, "\n%s\t", pfx);
		else
			putc(' ', fp);
		quoted(fp, v->v[i]);
	}
	fprintf(fp, len > WIDTH ? "\n%s];\n" : " ];\n", pfx);
}

/*
 * v as the shortest decimal that reads back as v: "%.6g" wrote nowait.7's
 * 7/60 as 0.116667, another rate.
 */
static const char *
exact(double v, char buf[32])
{
	int prec;

	if (v >= 0 && v < 1e15 && v == (double)(long long)v) {
		snprintf(buf, 32, "%lld", (long long)v);
		return buf;
	}
	for (prec = 6; prec < 17; prec++) {
		snprintf(buf, 32, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return buf;
	}
	snprintf(buf, 32, "%.17g", v);
	return buf;
}

/*
 * The keys a service may share with every other, so that they can be
 * written once at the top level, where replyd makes them defaults.
 */
enum shared { K_USER, K_GROUP, K_MAXCHILD, K_PERSOURCE, K_RATE, K_SRCRATE,
	K_ALLOW, K_DENY, K_NSHARED };

static void
shared_key(FILE *fp, const struct svc *s, enum shared k, const char *pfx)
{
	char num[32];

	if (k == K_USER && s->user != NULL)
		key_str(fp, pfx, "user", s->user);
	else if (k == K_GROUP && s->group != NULL)
		key_str(fp, pfx, "group", s->group);
	else if (k == K_MAXCHILD && s->max_children > 0)
		fprintf(fp, "%smax_children = %ld;\n", pfx, s->max_children);
	else if (k == K_PERSOURCE && s->per_source >= 0)
		fprintf(fp, "%sper_source = %ld;\n", pfx, s->per_source);
	else if (k == K_RATE && s->rate > 0)
		fprintf(fp, "%srate = %s;\n", pfx, exact(s->rate, num));
	else if (k == K_SRCRATE && s->per_source_rate > 0)
		fprintf(fp, "%sper_source_rate = %s;\n", pfx,
		    exact(s->per_source_rate, num));
	else if (k == K_ALLOW && s->allow.n > 0)
		key_list(fp, pfx, "allow", &s->allow);
	else if (k == K_DENY && s->deny.n > 0)
		key_list(fp, pfx, "deny", &s->deny);
}

/* Key k as one service writes it, or NULL if it does not set it. */
static char *
shared_text(const struct svc *s, enum shared k)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp;

	if ((fp = open_memstream(&buf, &n)) == NULL)
		return NULL;
	shared_key(fp, s, k, "");
	fclose(fp);
	if (n == 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Which keys every service (disabled ones too: enabled later, they get
 * the same) sets to the same value, when there are two or more.
 */
static void
find_shared(const struct svclist *l, int common[K_NSHARED])
{
	const struct svc *s;
	char *first, *t;
	int k;

	for (k = 0; k < K_NSHARED; k++) {
		common[k] = l->head != NULL && l->head->next != NULL &&
		    (first = shared_text(l->head, k)) != NULL;
		if (!common[k])
			continue;
		for (s = l->head->next; s != NULL && common[k]; s = s->next) {
			t = shared_text(s, k);
			common[k] = t != NULL && strcmp(t, first) == 0;
			free(t);
		}
		free(first);
	}
}

/* What the handlers' processes and the connections get. */
static void
process_keys(const struct svc *s, const char *pfx)
{
	if (s->groups == 1)
		printf("%sgroups = true;\n", pfx);
	if (s->nice_set)
		printf("%snice = %d;\n", pfx, s->nice);
	if (s->umask != NULL)
		key_str(stdout, pfx, "umask", s->umask);
	if (s->rlimit_as > 0)
		printf("%srlimit_as = %ld;\n", pfx, s->rlimit_as);
	if (s->rlimit_cpu > 0)
		printf("%srlimit_cpu = %ld;\n", pfx, s->rlimit_cpu);
	if (s->rlimit_files > 0)
		printf("%srlimit_files = %ld;\n", pfx, s->rlimit_files);
	if (s->keepalive == 1)
		printf("%skeepalive = true;\n", pfx);
	if (s->nodelay == 1)
		printf("%snodelay = true;\n", pfx);
}

/* The keys of one service; pfx is "\t\t" or, disabled, "#\t\t". */
static void
keys(const struct svc *s, const char *pfx, const int common[K_NSHARED])
{
	int k;

	key_str(stdout, pfx, "name", s->final);
	if (s->port >= 0)
		printf("%sport = %d;\n", pfx, s->port);
	if (s->proto == SVC_UDP)
		key_str(stdout, pfx, "protocol", "udp");
	if (s->listen.n > 0)
		key_list(stdout, pfx, "listen", &s->listen);
	if (s->handler != NULL)
		key_str(stdout, pfx, "handler", s->handler);
	if (s->wait)
		printf("%swait = true;\n", pfx);
	if (s->program != NULL) {
		printf("%sexec = {\n", pfx);
		printf("%s\t", pfx);
		key_str(stdout, "", "program", s->program);
		if (s->args.n > 0)
			key_list(stdout, *pfx == '#' ? "#\t\t\t" : "\t\t\t",
			    "args", &s->args);
		if (s->env.n > 0)
			key_list(stdout, *pfx == '#' ? "#\t\t\t" : "\t\t\t",
			    "env", &s->env);
		printf("%s};\n", pfx);
	}
	for (k = 0; k < K_NSHARED; k++)
		if (!common[k])
			shared_key(stdout, s, k, pfx);
	process_keys(s, pfx);
}

/* One service; comma: whether a list element comes before it. */
static void
entry(const struct svc *s, int comma, int last, const int common[K_NSHARED])
{
	char *where = xprintf("%s:%d: %s", s->file, s->line, s->origin);
	size_t i;

	putchar('\n');
	comment("\t", "", where);
	for (i = 0; i < s->why.n; i++)
		comment("\t", "disabled: ", s->why.v[i]);
	for (i = 0; i < s->notes.n; i++)
		comment("\t", "- ", s->notes.v[i]);
	free(where);
	if (s->disabled) {
		printf("#\t%s{\n", comma ? ", " : "");
		keys(s, "#\t\t", common);
		printf("#\t}\n");
	} else {
		printf("\t{\n");
		keys(s, "\t\t", common);
		printf("\t}%s\n", last ? "" : ",");
	}
}

/* Whether s is written whole (else as a line of the examples' summary). */
static int
whole(const struct svc *s, int all)
{
	return !s->off || all;
}

/*
 * An example the input had off, in one line: name, port, program and
 * where; why it is off when that is not the usual "commented out".
 */
static void
summary_line(const struct svc *s)
{
	const char *base = strrchr(s->file, '/');
	char port[16] = "", *line, *t;
	size_t i;

	if (s->port >= 0)
		snprintf(port, sizeof(port), "%d/", s->port);
	line = xprintf("%s %s%s: %s", s->final, port,
	    s->proto == SVC_UDP ? "udp" : "tcp",
	    s->program != NULL ? s->program : s->handler ? s->handler :
	    "internal");

	for (i = 0; s->program != NULL && i < s->args.n; i++) {
		t = xprintf("%s %s", line, s->args.v[i]);
		free(line);
		line = t;
	}
	t = xprintf("%s [%s:%d%s%s]", line, base ? base + 1 : s->file, s->line,
	    strcmp(s->why.v[0], "commented out") ? ", " : "",
	    strcmp(s->why.v[0], "commented out") ? s->why.v[0] : "");
	/* Not wrapped: one line each, for grep. */
	fputs("#   ", stdout);
	for (i = 0; t[i] != '\0'; i++)
		putchar((unsigned char)t[i] < 0x20 ? '?' : t[i]);
	putchar('\n');
	free(t);
	free(line);
}

static void
summary(const struct svclist *l, size_t n)
{
	const struct svc *s;

	if (n == 0)
		return;
	printf("\n# Off in the input (commented out, disable = yes): %zu "
	    "service%s, a line\n# each.  \"replyd-import --all\" writes them "
	    "whole, ready to enable.\n", n, n == 1 ? "" : "s");
	for (s = l->head; s != NULL; s = s->next)
		if (!whole(s, 0))
			summary_line(s);
}

static void
header(const struct svclist *l, size_t enabled, size_t disabled,
    size_t examples)
{
	size_t i;

	printf("# replyd.conf services made by replyd-import from\n");
	for (i = 0; i < l->inputs.n; i++)
		comment("", "  ", l->inputs.v[i]);
	printf("#\n# %zu service%s enabled, %zu disabled.  Check the file "
	    "with \"replyd -t -c FILE\".\n", enabled, enabled == 1 ? "" : "s",
	    disabled);
	if (examples > 0)
		printf("# %zu of the disabled were off in the input: they are "
		    "listed at the end.\n", examples);
	if (disabled > examples)
		printf("# Disabled services come last, commented out: to "
		    "enable one, remove the\n# \"#\" at the start of its "
		    "lines, the comma before its \"{\" included.\n");
	for (i = 0; i < l->notes.n; i++)
		comment("", "- ", l->notes.v[i]);
}

void
emit_conf(const struct svclist *l, int all)
{
	const struct svc *s;
	size_t on = 0, off = 0, examples = 0, n;
	int pass, common[K_NSHARED], k, said = 0;

	for (s = l->head; s != NULL; s = s->next) {
		s->disabled ? off++ : on++;
		examples += !whole(s, all);
	}
	header(l, on, off, examples);
	find_shared(l, common);
	for (k = 0; k < K_NSHARED; k++)
		if (common[k] && l->head != NULL) {	/* common: two or more */
			if (!said++)
				printf("# What every service below has, once: "
				    "the defaults they inherit.\n");
			shared_key(stdout, l->head, k, "");
		}
	/*
	 * Commented out whole, the list would leave an empty file, which
	 * replyd serves as its tutorial on port 7788: disable that too, so
	 * replyd refuses the file ("no services defined") until a service
	 * is enabled.
	 */
	if (on == 0)
		printf("# No service is enabled, so the whole list is "
		    "commented out, and\n# replyd refuses this file (\"no "
		    "services defined\") until one is: enable\n# one and "
		    "remove \"disable = true;\".\ndisable = true;\n");
	printf("%sservices = (\n", on == 0 ? "#" : "");
	for (pass = 0, n = 0; pass < 2; pass++)
		for (s = l->head; s != NULL; s = s->next)
			if (s->disabled == pass && whole(s, all)) {
				n++;
				entry(s, n > 1, n == on, common);
			}
	printf("%s);\n", on == 0 ? "#" : "");
	summary(l, examples);
}
