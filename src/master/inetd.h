/*
 * `replyd -i`: the handler only, under inetd, xinetd or systemd.
 */
#ifndef REPLYD_MASTER_INETD_H
#define REPLYD_MASTER_INETD_H

struct conf;
struct master_opts;

void	inetd_prepare(void);
int	inetd_opts(const struct conf *c, struct master_opts *o);

#endif
