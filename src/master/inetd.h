/*
 * `replyd -i`: the handler only, under inetd, xinetd or systemd.
 */
#ifndef REPLYD_MASTER_INETD_H
#define REPLYD_MASTER_INETD_H

struct conf;
struct service;

void	inetd_prepare(void);
int	inetd_serve(const struct conf *c);
int	inetd_wait(const struct service *svc);

#endif
