/*
 * Writing the services as a replyd.conf: a `services` list, enabled
 * services first, then the disabled ones commented out, each line
 * behind a "#" with no blank after it, so that removing the "#" of
 * those lines (its leading comma included) enables one.  Comments say
 * where each service came from and what it could not carry.  Strings
 * are escaped for libconfig; comments never hold control characters.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"

#define WIDTH	76

/* A libconfig string: quotes, backslashes and control bytes escaped. */
static void
quoted(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
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
key_str(const char *pfx, const char *key, const char *v)
{
	printf("%s%s = ", pfx, key);
	quoted(v);
	fputs(";\n", stdout);
}

static void
key_list(const char *pfx, const char *key, const struct strv *v)
{
	size_t i, len = strlen(pfx) * 8 + strlen(key) + 6;

	for (i = 0; i < v->n; i++)
		len += strlen(v->v[i]) + 4;
	printf("%s%s = [", pfx, key);
	for (i = 0; i < v->n; i++) {
		fputs(i ? "," : "", stdout);
		if (len > WIDTH)
			printf("\n%s\t", pfx);
		else
			putchar(' ');
		quoted(v->v[i]);
	}
	printf(len > WIDTH ? "\n%s];\n" : " ];\n", pfx);
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

/* The keys of one service; pfx is "\t\t" or, disabled, "#\t\t". */
static void
keys(const struct svc *s, const char *pfx)
{
	char num[32];

	key_str(pfx, "name", s->final);
	if (s->port >= 0)
		printf("%sport = %d;\n", pfx, s->port);
	if (s->proto == SVC_UDP)
		key_str(pfx, "protocol", "udp");
	if (s->listen.n > 0)
		key_list(pfx, "listen", &s->listen);
	if (s->handler != NULL)
		key_str(pfx, "handler", s->handler);
	if (s->program != NULL) {
		printf("%sexec = {\n", pfx);
		printf("%s\t", pfx);
		key_str("", "program", s->program);
		if (s->args.n > 0)
			key_list(*pfx == '#' ? "#\t\t\t" : "\t\t\t", "args",
			    &s->args);
		if (s->env.n > 0)
			key_list(*pfx == '#' ? "#\t\t\t" : "\t\t\t", "env",
			    &s->env);
		printf("%s};\n", pfx);
	}
	if (s->user != NULL)
		key_str(pfx, "user", s->user);
	if (s->group != NULL)
		key_str(pfx, "group", s->group);
	if (s->max_children > 0)
		printf("%smax_children = %ld;\n", pfx, s->max_children);
	if (s->per_source >= 0)
		printf("%sper_source = %ld;\n", pfx, s->per_source);
	if (s->rate > 0)
		printf("%srate = %s;\n", pfx, exact(s->rate, num));
	if (s->allow.n > 0)
		key_list(pfx, "allow", &s->allow);
	if (s->deny.n > 0)
		key_list(pfx, "deny", &s->deny);
}

/* One service; comma: whether a list element comes before it. */
static void
entry(const struct svc *s, int comma, int last)
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
		keys(s, "#\t\t");
		printf("#\t}\n");
	} else {
		printf("\t{\n");
		keys(s, "\t\t");
		printf("\t}%s\n", last ? "" : ",");
	}
}

static void
header(const struct svclist *l, size_t enabled, size_t disabled)
{
	size_t i;

	printf("# replyd.conf services made by replyd-import from\n");
	for (i = 0; i < l->inputs.n; i++)
		comment("", "  ", l->inputs.v[i]);
	printf("#\n# %zu service%s enabled, %zu disabled.  Check the file "
	    "with \"replyd -t -c FILE\".\n", enabled, enabled == 1 ? "" : "s",
	    disabled);
	if (disabled > 0)
		printf("# Disabled services come last, commented out: to "
		    "enable one, remove the\n# \"#\" at the start of its "
		    "lines, the comma before its \"{\" included.\n");
	for (i = 0; i < l->notes.n; i++)
		comment("", "- ", l->notes.v[i]);
}

void
emit_conf(const struct svclist *l)
{
	const struct svc *s;
	size_t on = 0, off = 0, n;
	int pass;

	for (s = l->head; s != NULL; s = s->next)
		s->disabled ? off++ : on++;
	header(l, on, off);
	if (on == 0)
		printf("# No service is enabled, so the whole list is "
		    "commented out.\n");
	printf("%sservices = (\n", on == 0 ? "#" : "");
	for (pass = 0, n = 0; pass < 2; pass++)
		for (s = l->head; s != NULL; s = s->next)
			if (s->disabled == pass) {
				n++;
				entry(s, n > 1, n == on);
			}
	printf("%s);\n", on == 0 ? "#" : "");
}
