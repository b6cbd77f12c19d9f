/*
 * Client addresses as the master judges them before it forks: access
 * lists of CIDR prefixes, and the "source" a client counts as for
 * per_source limits (its IPv4 address, or its IPv6 address cut to a
 * prefix, /64 by default, since one host usually owns a whole /64).
 */
#ifndef REPLYD_LIB_ACL_H
#define REPLYD_LIB_ACL_H

#include <stddef.h>
#include <sys/socket.h>

struct cidr {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	addr[16];
	int		bits;
};

/* Room for cidr_text(): an IPv6 address, "/128" and the NUL. */
#define CIDR_STRLEN	(46 + 4)

struct acl {
	struct cidr	*v;
	size_t		 n;
};

struct srckey {
	unsigned char	b[17];		/* family tag, then the address */
};

int	cidr_parse(const char *s, struct cidr *c);
void	cidr_text(const struct cidr *c, char *buf, size_t bufsz);
int	acl_match(const struct acl *a, const struct sockaddr *sa);
void	srckey_make(struct srckey *k, const struct sockaddr *sa, int bits6);
int	srckey_eq(const struct srckey *a, const struct srckey *b);
unsigned srckey_hash(const struct srckey *k);

#endif
