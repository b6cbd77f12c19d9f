/*
 * CIDR matching.  IPv4 clients of a dual-stack socket arrive as
 * ::ffff:a.b.c.d; they are judged as the IPv4 address they are, so that
 * "deny = [ "10.0.0.0/8" ]" holds whichever socket accepted them, and a
 * rule written the mapped way is read as the IPv4 rule it names.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/acl.h"

/*
 * A rule written as a v4-mapped IPv6 address (::ffff:192.0.2.1/120) is
 * the IPv4 rule it names (192.0.2.1/24): clients are judged as IPv4
 * (see unwrap() below), so as IPv6 it could never match anybody.  A
 * prefix shorter than /96 reaches beyond the mapped addresses and stays
 * IPv6.
 */
static void
unmap(struct cidr *c)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };

	if (c->bits < 96 || memcmp(c->addr, mapped, sizeof(mapped)) != 0)
		return;
	memmove(c->addr, c->addr + 12, 4);
	memset(c->addr + 4, 0, 12);
	c->family = AF_INET;
	c->bits -= 96;
}

/* "a.b.c.d", "a.b.c.d/n", "x::y", "x::y/n"; 0, or -1 with EINVAL. */
int
cidr_parse(const char *s, struct cidr *c)
{
	char buf[INET6_ADDRSTRLEN + 4], *slash, *end;
	long bits = -1;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		bits = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || bits < 0 || bits > 128)
			goto bad;
	}
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, buf, c->addr) == 1) {
		c->family = AF_INET;
		c->bits = bits < 0 ? 32 : bits;
		if (c->bits > 32)
			goto bad;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		c->family = AF_INET6;
		c->bits = bits < 0 ? 128 : bits;
		if (c->bits > 128)
			goto bad;
		unmap(c);
	} else
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* "a.b.c.d/n" or "x::y/n", as cidr_parse reads it back. */
void
cidr_text(const struct cidr *c, char *buf, size_t bufsz)
{
	char ip[INET6_ADDRSTRLEN];

	if (inet_ntop(c->family, c->addr, ip, sizeof(ip)) == NULL)
		strcpy(ip, "?");
	snprintf(buf, bufsz, "%s/%d", ip, c->bits);
}

/* The address as family and bytes, mapped IPv4 unwrapped. */
static int
unwrap(const struct sockaddr *sa, const unsigned char **addr)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET) {
		*addr = (const unsigned char *)
		    &((const struct sockaddr_in *)sa)->sin_addr;
		return AF_INET;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		*addr = in6->sin6_addr.s6_addr + 12;
		return AF_INET;
	}
	*addr = in6->sin6_addr.s6_addr;
	return AF_INET6;
}

static int
prefix_eq(const unsigned char *a, const unsigned char *b, int bits)
{
	int whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[whole] ^ b[whole]) & (0xff << (8 - rest))) == 0;
}

/* 1 if sa falls in any prefix of a. */
int
acl_match(const struct acl *a, const struct sockaddr *sa)
{
	const unsigned char *addr = NULL;
	int family = unwrap(sa, &addr);
	size_t i;

	for (i = 0; family > 0 && a != NULL && i < a->n; i++)
		if (a->v[i].family == family &&
		    prefix_eq(a->v[i].addr, addr, a->v[i].bits))
			return 1;
	return 0;
}

void
srckey_make(struct srckey *k, const struct sockaddr *sa, int bits6)
{
	const unsigned char *addr = NULL;
	int family = unwrap(sa, &addr), i;

	memset(k, 0, sizeof(*k));
	k->b[0] = (unsigned char)family;
	if (family == AF_INET) {
		memcpy(k->b + 1, addr, 4);
		return;
	}
	if (family != AF_INET6)
		return;
	for (i = 0; i < 16 && bits6 > 0; i++, bits6 -= 8)
		k->b[1 + i] = addr[i] & (bits6 >= 8 ? 0xff : 0xff << (8 - bits6));
}

int
srckey_eq(const struct srckey *a, const struct srckey *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/* FNV-1a: cheap and good enough to spread sources over buckets. */
unsigned
srckey_hash(const struct srckey *k)
{
	unsigned h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(k->b); i++)
		h = (h ^ k->b[i]) * 16777619u;
	return h;
}
