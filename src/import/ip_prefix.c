/*
 * Addresses.  replyd takes numeric addresses and CIDR prefixes only;
 * xinetd's only_from and no_access also take its older forms, which
 * are written here as the prefixes they mean.  Names are never
 * resolved: what a name stands for at import time is not what it
 * stands for when a client connects.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"

/* 4 for an IPv4 address, 6 for IPv6, 0 for anything else. */
int
addr_numeric(const char *a)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, a, buf) == 1)
		return 4;
	if (inet_pton(AF_INET6, a, buf) == 1)
		return 6;
	return 0;
}

/*
 * Why an address replyd cannot take was left out: a name (never
 * resolved), or a mistyped address, which no name can be: names hold
 * none of "{}/:," and are not all digits and dots.
 */
const char *
addr_why(const char *a)
{
	if (strpbrk(a, "{}/:,") != NULL || a[strspn(a, "0123456789.")] == '\0')
		return "is not a valid address";
	return "is a host name: replyd-import does not resolve names";
}

/* "ADDR/BITS" with a numeric address and a prefix length it allows. */
static int
prefix(const char *a)
{
	const char *slash = strrchr(a, '/');
	char *host;
	long bits;
	int fam;

	if (slash == NULL)
		return 0;
	host = strndup(a, (size_t)(slash - a));
	fam = host ? addr_numeric(host) : 0;
	free(host);
	return fam != 0 && svc_number(slash + 1, 0, fam == 4 ? 32 : 128,
	    &bits) == 0;
}

/*
 * xinetd's "128.138.{1,2,3}": the leading octets, then each listed
 * one, a network of its own.
 */
static int
factorized(const char *a, struct strv *out)
{
	const char *open = strchr(a, '{');
	struct strv alts = { 0 }, nets = { 0 };
	char *head, *list, *p, *net;
	size_t i, dots = 0;
	int ok = 1;

	if (open == NULL || open == a || open[-1] != '.' ||
	    strcmp(open + strcspn(open, "}"), "}") != 0)
		return 0;
	head = strndup(a, (size_t)(open - a));
	list = strndup(open + 1, strcspn(open + 1, "}"));
	for (p = head; p && *p; p++)
		dots += *p == '.';
	for (p = list; p && *p; p++)
		if (*p == ',')
			*p = ' ';
	if (head == NULL || list == NULL || dots > 3)
		ok = 0;
	strv_split(&alts, list ? list : "");
	for (i = 0; ok && i < alts.n; i++) {
		net = xprintf("%s%s%s", head, alts.v[i], dots == 3 ? "" :
		    dots == 2 ? ".0" : ".0.0");
		if (addr_numeric(net) == 4)
			strv_addf(&nets, "%s/%zu", net, 8 * (dots + 1));
		else
			ok = 0;
		free(net);
	}
	ok = ok && alts.n > 0;
	/* All or nothing: "10.{1,x}" must not leave 10.1.0.0/16 behind. */
	for (i = 0; ok && i < nets.n; i++)
		strv_add(out, nets.v[i]);
	strv_clear(&nets);
	strv_clear(&alts);
	free(head);
	free(list);
	return ok;
}

/* An IPv4 address whose last octets are 0: xinetd's wildcard. */
static void
wildcard(const char *a, struct strv *out)
{
	size_t len = strlen(a), zeros = 0;

	while (zeros < 4 && len >= 2 &&
	    strncmp(a + len - 2, ".0", 2) == 0) {
		zeros++;
		len -= 2;
	}
	if (zeros == 3 && strcmp(a, "0.0.0.0") == 0)
		zeros = 4;
	if (zeros == 0)
		strv_add(out, a);
	else if (zeros == 4) {
		strv_add(out, "0.0.0.0/0");
		strv_add(out, "::/0");
	} else
		strv_addf(out, "%s/%zu", a, 32 - 8 * zeros);
}

/*
 * One entry of only_from or no_access as CIDR strings added to out:
 * 0, or -1 for a name (not resolved).
 */
int
addr_access(struct svc *s, const char *a, struct strv *out)
{
	int fam = addr_numeric(a);

	if (fam == 6 || prefix(a))
		strv_add(out, a);
	else if (fam == 4)
		wildcard(a, out);
	else if (strcmp(a, "localhost") == 0) {
		strv_add(out, "127.0.0.1");
		strv_add(out, "::1");
		svc_note(s, "localhost taken as 127.0.0.1 and ::1");
	} else if (!factorized(a, out))
		return -1;
	return 0;
}

/* "ADDR" or "ADDR/BITS" as family, bytes and prefix length: 0, or -1. */
static int
cidr(const char *a, int *fam, unsigned char *buf, long *bits)
{
	char *host = xstrdup(a), *slash = strchr(host, '/');
	int rc = -1;

	if (slash != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, host, buf) == 1)
		*fam = 4;
	else if (inet_pton(AF_INET6, host, buf) == 1)
		*fam = 6;
	else
		*fam = 0;
	*bits = *fam == 4 ? 32 : 128;
	if (*fam != 0 && (slash == NULL ||
	    svc_number(slash + 1, 0, *bits, bits) == 0))
		rc = 0;
	free(host);
	return rc;
}

/* Whether every address of the prefix inner is in the prefix outer. */
int
addr_inside(const char *inner, const char *outer)
{
	unsigned char a[16], b[16];
	int fa, fb;
	long ba, bb, i;

	if (cidr(inner, &fa, a, &ba) < 0 || cidr(outer, &fb, b, &bb) < 0 ||
	    fa != fb || ba < bb)
		return 0;
	for (i = 0; i < bb; i++)
		if (((a[i / 8] ^ b[i / 8]) >> (7 - i % 8)) & 1)
			return 0;
	return 1;
}

/* IPv6 only: replyd's "::" takes IPv4 clients too; deny them. */
void
addr_v6only(struct svc *s, const char *what)
{
	if (!strv_has(&s->deny, "0.0.0.0/0"))
		strv_add(&s->deny, "0.0.0.0/0");
	svc_note(s, "%s took IPv6 clients only: replyd's \"::\" takes IPv4 "
	    "clients too, refused by deny 0.0.0.0/0", what);
}
