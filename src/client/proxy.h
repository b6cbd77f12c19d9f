/*
 * HAProxy's PROXY protocol, versions 1 (text) and 2 (binary): the header
 * a load balancer puts before the client's bytes to say who the client
 * really is.
 */
#ifndef REPLYD_CLIENT_PROXY_H
#define REPLYD_CLIENT_PROXY_H

#include <stddef.h>
#include <sys/socket.h>

/* The longest header accepted: v1's limit, or v2 with 496 bytes of TLVs. */
#define PROXY_MAX 512

struct proxy_info {
	int			 version;	/* 1 or 2 */
	int			 local;		/* v2 LOCAL: the balancer's own */
	int			 unknown;	/* UNKNOWN, UNSPEC: no addresses */
	struct sockaddr_storage	 src, dst;
};

int	proxy_parse(const unsigned char *buf, size_t n, struct proxy_info *pi);
int	proxy_looks_like(const unsigned char *buf, size_t n);
int	proxy_signature(const unsigned char *buf, size_t n);
int	proxy_read(int fd, int timeout, struct proxy_info *pi);

#endif
