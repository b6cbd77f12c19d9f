/*
 * Printing the effective configuration (replyd -T): every service with
 * every key of the table, defaults resolved, in libconfig's syntax that
 * replyd reads back to the same configuration.  The output depends only
 * on the configuration, never on how the file was written, so printing
 * what was printed gives the same bytes again.
 */
#include "config.h"

#include <grp.h>
#include <stdlib.h>
#include <string.h>

#include "conf/internal.h"

#define HELP_COLUMN	40

void
conf_print_string(FILE *fp, const char *s)
{
	const unsigned char *p;

	putc('"', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else
			putc(*p, fp);
	}
	putc('"', fp);
}

void
conf_print_line(FILE *fp, int indent, const char *name, const char *value,
    const char *help)
{
	int col = indent * 8, n, i;

	for (i = 0; i < indent; i++)
		putc('\t', fp);
	if (value != NULL)
		n = fprintf(fp, "%s = %s;", name, value);
	else
		n = fprintf(fp, "# %s: not set", name);
	col += n;
	if (help == NULL) {
		putc('\n', fp);
		return;
	}
	fprintf(fp, "%*s# %s\n", col < HELP_COLUMN ? HELP_COLUMN - col : 2, "",
	    help);
}

/* A NULL-terminated vector as [ "a", "b" ]. */
static void
print_strv(FILE *fp, char *const *v)
{
	fputs("[", fp);
	for (; v != NULL && *v != NULL; v++) {
		fputs(" ", fp);
		conf_print_string(fp, *v);
		if (v[1] != NULL)
			fputs(",", fp);
	}
	fputs(" ]", fp);
}

static void
print_acl(FILE *fp, const struct acl *a)
{
	char buf[CIDR_STRLEN];
	size_t i;

	fputs("[", fp);
	for (i = 0; i < a->n; i++) {
		cidr_text(&a->v[i], buf, sizeof(buf));
		fprintf(fp, " \"%s\"%s", buf, i + 1 < a->n ? "," : "");
	}
	fputs(" ]", fp);
}

/* Which of an enum's values v is: its index, or the index of its code. */
static int
enum_index(const struct conf_key *k, int v)
{
	int i;

	for (i = 0; k->codes != NULL && k->values[i] != NULL; i++)
		if (k->codes[i] == v)
			return i;
	return k->codes != NULL ? 0 : v;
}

/* The value of a key of a plain type into fp. */
static void
print_value(FILE *fp, const struct conf_key *k, const struct service *svc)
{
	const void *field = (const char *)svc + k->off;
	char buf[64];

	switch (k->type) {
	case CT_INT:
		fprintf(fp, "%lld", k->size == sizeof(size_t) ?
		    (long long)*(const size_t *)field :
		    (long long)*(const int *)field);
		break;
	case CT_NUM:
		conf_num_text(*(const double *)field, buf, sizeof(buf));
		fputs(buf, fp);
		break;
	case CT_BOOL:
		fputs(*(const int *)field ? "true" : "false", fp);
		break;
	case CT_STR:
	case CT_HANDLER:
		conf_print_string(fp, *(char *const *)field);
		break;
	case CT_ENUM:
		conf_print_string(fp, k->values[enum_index(k,
		    *(const int *)field)]);
		break;
	case CT_ACL:
		print_acl(fp, field);
		break;
	case CT_SPECIAL:
		break;
	}
}

void
conf_key_print(FILE *fp, const struct conf_key *k, const struct service *svc,
    int indent)
{
	const char *unfit = conf_key_unfit(k, svc);
	char *text = NULL;
	size_t len;
	FILE *mem;

	if (unfit != NULL) {
		conf_print_line(fp, indent, k->name, NULL, unfit);
		return;
	}
	/* An integer below its range is unset (rlimit_core: the master's). */
	if (k->type == CT_INT && k->size == sizeof(int) &&
	    *(const int *)((const char *)svc + k->off) < k->lo) {
		conf_print_line(fp, indent, k->name, NULL, k->help);
		return;
	}
	if (k->type == CT_SPECIAL) {
		if (k->print != NULL)
			k->print(fp, k, svc, indent);
		return;
	}
	if ((k->type == CT_STR || k->type == CT_HANDLER) &&
	    *(char *const *)((const char *)svc + k->off) == NULL) {
		conf_print_line(fp, indent, k->name, NULL, k->help);
		return;
	}
	/*
	 * Access lists a Unix-only service inherited judge none of its
	 * clients, and written in it they are an error: -T must read back.
	 */
	if ((strcmp(k->name, "allow") == 0 || strcmp(k->name, "deny") == 0) &&
	    conf_unix_only(svc)) {
		conf_print_line(fp, indent, k->name, NULL,
		    "no use on \"unix:\" listeners");
		return;
	}
	if ((mem = open_memstream(&text, &len)) == NULL)
		return;
	print_value(mem, k, svc);
	fclose(mem);
	conf_print_line(fp, indent, k->name, text, k->help);
	free(text);
}

void
conf_print_listen(FILE *fp, const struct conf_key *k,
    const struct service *svc, int indent)
{
	char *text = NULL;
	size_t len;
	FILE *mem;

	if (svc->listen == NULL) {
		conf_print_line(fp, indent, k->name, NULL,
		    "every address, IPv6 and IPv4");
		return;
	}
	if ((mem = open_memstream(&text, &len)) == NULL)
		return;
	print_strv(mem, svc->listen);
	fclose(mem);
	conf_print_line(fp, indent, k->name, text, k->help);
	free(text);
}

static void
print_name(FILE *fp, int indent, const char *key, const char *name,
    const char *help)
{
	char *text = NULL;
	size_t len;
	FILE *mem;

	if ((mem = open_memstream(&text, &len)) == NULL)
		return;
	conf_print_string(mem, name);
	fclose(mem);
	conf_print_line(fp, indent, key, text, help);
	free(text);
}

void
conf_print_user(FILE *fp, const struct conf_key *k,
    const struct service *svc, int indent)
{
	if (svc->user == NULL)
		conf_print_line(fp, indent, k->name, NULL,
		    "handlers run as whoever starts replyd");
	else
		print_name(fp, indent, k->name, svc->user, k->help);
}

/* The group by name: the one given, else the user's primary group. */
void
conf_print_group(FILE *fp, const struct conf_key *k,
    const struct service *svc, int indent)
{
	const struct group *gr;

	if (svc->group != NULL)
		print_name(fp, indent, k->name, svc->group, k->help);
	else if (svc->user != NULL && (gr = getgrgid(svc->gid)) != NULL)
		print_name(fp, indent, k->name, gr->gr_name, k->help);
	else
		conf_print_line(fp, indent, k->name, NULL, svc->user == NULL ?
		    "the group of whoever starts replyd" :
		    "the user's primary group, which has no name");
}

static void
tabs(FILE *fp, int n)
{
	while (n-- > 0)
		putc('\t', fp);
}

/* "name = {", with the key's help, for a group's first line. */
static void
open_group(FILE *fp, int indent, const struct conf_key *k)
{
	int col = indent * 8 + strlen(k->name) + 4;

	tabs(fp, indent);
	fprintf(fp, "%s = {%*s# %s\n", k->name, col < HELP_COLUMN ?
	    HELP_COLUMN - col : 2, "", k->help);
}

void
conf_print_exec(FILE *fp, const struct conf_key *k,
    const struct service *svc, int indent)
{
	const struct exec_spec *e = &svc->exec;

	if (!e->seen) {
		conf_print_line(fp, indent, k->name, NULL, k->help);
		return;
	}
	open_group(fp, indent, k);
	tabs(fp, indent + 1);
	fputs("program = ", fp);
	conf_print_string(fp, e->program);
	fputs(";\n", fp);
	tabs(fp, indent + 1);
	fputs("args = ", fp);
	print_strv(fp, e->argv + 1);
	fputs(";\n", fp);
	tabs(fp, indent + 1);
	fputs("env = ", fp);
	print_strv(fp, e->env);
	fputs(";\n", fp);
	tabs(fp, indent + 1);
	fputs("passenv = ", fp);
	print_strv(fp, e->passenv);
	fputs(";\n", fp);
	if (e->chroot == NULL)
		conf_print_line(fp, indent + 1, "chroot", NULL, NULL);
	else {
		tabs(fp, indent + 1);
		fputs("chroot = ", fp);
		conf_print_string(fp, e->chroot);
		fputs(";\n", fp);
	}
	tabs(fp, indent + 1);
	fprintf(fp, "no_new_privs = %s;\n", e->no_new_privs ? "true" : "false");
	tabs(fp, indent);
	fputs("};\n", fp);
}

void
conf_print_module(FILE *fp, const struct conf_key *k,
    const struct service *svc, int indent)
{
	const struct module_spec *m = &svc->module;
	size_t i;

	if (!m->seen) {
		conf_print_line(fp, indent, k->name, NULL, k->help);
		return;
	}
	open_group(fp, indent, k);
	tabs(fp, indent + 1);
	fputs("path = ", fp);
	conf_print_string(fp, m->path);
	fputs(";\n", fp);
	for (i = 0; i < m->n; i++) {
		tabs(fp, indent + 1);
		fprintf(fp, "%s = ", m->keys[i]);
		conf_print_string(fp, m->values[i]);
		fputs(";\n", fp);
	}
	tabs(fp, indent);
	fputs("};\n", fp);
}

void
conf_print_sandbox(FILE *fp, const struct conf_key *k,
    const struct service *svc, int indent)
{
	const struct sandbox_spec *sb = &svc->sandbox;

	open_group(fp, indent, k);
	tabs(fp, indent + 1);
	fprintf(fp, "syscalls = \"%s\";\n",
	    conf_sandbox_profiles[sb->syscalls]);
	tabs(fp, indent + 1);
	fputs("allow = ", fp);
	print_strv(fp, sb->allow);
	fputs(";\n", fp);
	tabs(fp, indent + 1);
	fprintf(fp, "network = %s;\n", sb->network ? "true" : "false");
	tabs(fp, indent + 1);
	fprintf(fp, "filesystem = \"%s\";\n",
	    conf_sandbox_fs[sb->filesystem]);
	tabs(fp, indent + 1);
	fprintf(fp, "private_tmp = %s;\n", sb->private_tmp ? "true" : "false");
	tabs(fp, indent);
	fputs("};\n", fp);
}

static void
print_service(FILE *fp, const struct service *svc, unsigned where,
    int indent)
{
	const struct conf_key *k;

	for (k = conf_keys; k < conf_keys + conf_nkeys; k++) {
		if (!(k->where & where))
			continue;
		if (strcmp(k->name, "name") == 0)
			print_name(fp, indent, k->name, svc->name, k->help);
		else if (strcmp(k->name, "services") != 0)
			conf_key_print(fp, k, svc, indent);
	}
}

/*
 * Without a `services` list the one service is the top level; with one,
 * every service is printed whole, so no top-level key is needed.
 */
void
conf_print(FILE *fp, const struct conf *c)
{
	size_t i;

	fputs("# The effective configuration (replyd -T): every key of every "
	    "service,\n# defaults included.  See replyd.conf(5).\n", fp);
	if (!c->listed) {
		print_service(fp, &c->svc[0], CK_TOP, 0);
		return;
	}
	fputs("services = (\n", fp);
	for (i = 0; i < c->nsvc; i++) {
		fputs("\t{\n", fp);
		print_service(fp, &c->svc[i], CK_SVC, 2);
		fprintf(fp, "\t}%s\n", i + 1 < c->nsvc ? "," : "");
	}
	fputs(");\n", fp);
}
