/*
 * `replyd -i`: the handler only, under inetd, xinetd or systemd.
 */
#ifndef REPLYD_INETD_H
#define REPLYD_INETD_H

struct conf;

void	inetd_prepare(void);
int	inetd_serve(const struct conf *c);

#endif
