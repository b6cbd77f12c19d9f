/*
 * The configuration keys, as one table: each key's name, type, range or
 * allowed values, default, place in struct service and one line of
 * help.  Checking a value, defaults, inheritance into `services`, the
 * list of allowed keys in messages and `replyd -T` all read this table;
 * only keys of a shape of their own (listen, user, group, exec, module,
 * name, services) bring functions.
 */
#ifndef REPLYD_CONF_KEYS_H
#define REPLYD_CONF_KEYS_H

#include <stddef.h>
#include <stdio.h>

#include "conf/conf.h"

struct conf_ctx;
struct config_setting_t;	/* libconfig's, seen only by conf*.c */

enum conf_type {
	CT_INT,		/* an integer from lo to hi */
	CT_NUM,		/* a number from lo to hi, or 0 for off if zero_off */
	CT_BOOL,
	CT_STR,
	CT_ENUM,	/* one of values, stored as its index */
	CT_HANDLER,	/* a handler's name, from conf_opts.handlers */
	CT_ACL,		/* a list of CIDR strings */
	CT_SPECIAL,	/* parse and print functions of its own */
};

/*
 * What a listener key needs of its service (conf_key_unfit): a stream
 * socket (not UDP), an IP socket (not only "unix:" listeners), or both.
 */
#define CN_STREAM	1
#define CN_IP		2
#define CN_TCP		(CN_STREAM | CN_IP)

/* Where a key may be written. */
#define CK_TOP	1	/* the file's top level */
#define CK_SVC	2	/* an entry of `services` */

struct conf_key {
	const char	 *name;
	enum conf_type	  type;
	unsigned	  where;
	unsigned	  needs;	/* CN_*, or 0 */
	double		  lo, hi;	/* CT_INT, CT_NUM; CT_STR: length */
	int		  zero_off;	/* CT_NUM: 0 is allowed too, as off */
	union {
		long long	 i;	/* CT_INT, CT_BOOL, CT_ENUM */
		double		 d;	/* CT_NUM */
		const char	*s;	/* CT_STR, CT_HANDLER */
	}		  def;
	size_t		  off, size;	/* the field in struct service */
	size_t		  len_off;	/* CT_STR: its length's field, or 0 */
	const char *const *values;	/* CT_ENUM */
	const int	 *codes;	/* CT_ENUM: stored instead of the index */
	const char	 *unit;		/* "seconds", for messages */
	int		(*parse)(struct conf_ctx *, struct service *,
			    const struct config_setting_t *);
	void		(*print)(FILE *, const struct conf_key *,
			    const struct service *, int indent);
	const char	 *help;
};

extern const struct conf_key	conf_keys[];
extern const size_t		conf_nkeys;

const struct conf_key *conf_key_find(const char *name);
/*
 * The key allowed where that name is a likely typo of (at most two
 * letters added, dropped, changed or swapped, one in a name of four,
 * and fewer than the name has) or the start of, or NULL.
 */
const struct conf_key *conf_key_nearest(const char *name, unsigned where);
/* "port, listen, ...": the keys allowed where (CK_TOP or CK_SVC). */
const char	*conf_key_names(unsigned where);
void		 conf_key_defaults(struct service *svc);
/*
 * Why key k has no use in svc ("UDP services"), or NULL if it has:
 * written in the service's own group that is an error, inherited it is
 * left unused, and -T says so instead of printing it.
 */
const char	*conf_key_unfit(const struct conf_key *k,
		    const struct service *svc);
int		 conf_key_apply(struct conf_ctx *x, const struct conf_key *k,
		    struct service *svc, const struct config_setting_t *s);
void		 conf_key_print(FILE *fp, const struct conf_key *k,
		    const struct service *svc, int indent);
/* "1000000", "0.001": the shortest text that reads back as v. */
void		 conf_num_text(double v, char *buf, size_t bufsz);
/*
 * A value from the file as a message quotes it: in double quotes, escaped
 * as client data is (log_escape), so that no value can end a message's
 * line or forge another; long values are cut, marked "...".
 */
#define CONF_QUOTE_MAX 160
const char	*conf_quote(char *buf, size_t bufsz, const char *v);

#endif
