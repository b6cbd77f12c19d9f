/*
 * Shared by the files that read and print the configuration (conf.c,
 * keys.c, print.c), and by nothing else: libconfig's types
 * stay behind this header.
 */
#ifndef REPLYD_CONF_INTERNAL_H
#define REPLYD_CONF_INTERNAL_H

#include <libconfig.h>
#include <stdio.h>

#include "conf/conf.h"
#include "conf/keys.h"
#include "conf/text.h"

/* One load of one file. */
struct conf_ctx {
	const char		*path;
	const struct conf_opts	*opts;
	struct errlist		*errs;	/* NULL while re-applying defaults */
	int			 nerr;
	const struct conf_text	*text;
	int			 user_failed;	/* no "set user" advice then */
};

void	conf_errf(struct conf_ctx *x, const config_setting_t *s,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* What a wrong value was, for "(got ...)". */
const char *conf_got(struct conf_ctx *x, const config_setting_t *s,
	    char *buf, size_t bufsz);
int	conf_get_string(struct conf_ctx *x, const config_setting_t *s,
	    const char *key, char **out);
int	conf_get_strv(struct conf_ctx *x, const config_setting_t *s,
	    const char *key, const char *first, size_t max, char ***out);
int	conf_get_bool(struct conf_ctx *x, const config_setting_t *s,
	    const char *key, int *out);
/* An integer setting's value, -1 if libconfig wrapped what was written. */
int	conf_get_int64(struct conf_ctx *x, const config_setting_t *s,
	    long long *out);
void	conf_strv_free(char **v);
int	conf_get_enum(struct conf_ctx *x, const config_setting_t *s,
	    const char *key, const char *const *values, int *out);

/* The keys with a shape of their own (conf.c). */
int	conf_parse_name(struct conf_ctx *, struct service *,
	    const struct config_setting_t *);
int	conf_parse_listen(struct conf_ctx *, struct service *,
	    const struct config_setting_t *);
int	conf_parse_user(struct conf_ctx *, struct service *,
	    const struct config_setting_t *);
int	conf_parse_group(struct conf_ctx *, struct service *,
	    const struct config_setting_t *);
int	conf_parse_exec(struct conf_ctx *, struct service *,
	    const struct config_setting_t *);
int	conf_parse_module(struct conf_ctx *, struct service *,
	    const struct config_setting_t *);

/* The sandbox group (sandbox.c); its profiles' names by index. */
extern const char *const conf_sandbox_profiles[];
extern const char *const conf_sandbox_fs[];
int	conf_parse_sandbox(struct conf_ctx *, struct service *,
	    const struct config_setting_t *);
void	conf_print_sandbox(FILE *, const struct conf_key *,
	    const struct service *, int);
void	conf_sandbox_default(struct service *);
void	conf_sandbox_free(struct sandbox_spec *);

/* Unix domain listeners' keys and rules (unix.c). */
int	conf_unix_listen_check(struct conf_ctx *, const config_setting_t *,
	    const char *spec);
int	conf_parse_socket_mode(struct conf_ctx *, struct service *,
	    const struct config_setting_t *);
int	conf_parse_umask(struct conf_ctx *, struct service *,
	    const struct config_setting_t *);
void	conf_print_umask(FILE *, const struct conf_key *,
	    const struct service *, int);
int	conf_parse_socket_user(struct conf_ctx *, struct service *,
	    const struct config_setting_t *);
int	conf_parse_socket_group(struct conf_ctx *, struct service *,
	    const struct config_setting_t *);
void	conf_print_socket_mode(FILE *, const struct conf_key *,
	    const struct service *, int);
void	conf_print_socket_user(FILE *, const struct conf_key *,
	    const struct service *, int);
void	conf_print_socket_group(FILE *, const struct conf_key *,
	    const struct service *, int);
void	conf_unix_service_check(struct conf_ctx *, const struct service *,
	    const config_setting_t *);
int	conf_unix_only(const struct service *);
/* The listener keys a service cannot use (sockopt.c). */
void	conf_sockopt_check(struct conf_ctx *, const struct service *,
	    const config_setting_t *);

/* wait = true: what cannot apply to a wait service (wait.c). */
void	conf_wait_check(struct conf_ctx *, const struct service *,
	    const config_setting_t *);

/* ... and how they print (print.c). */
void	conf_print_listen(FILE *, const struct conf_key *,
	    const struct service *, int);
void	conf_print_user(FILE *, const struct conf_key *,
	    const struct service *, int);
void	conf_print_group(FILE *, const struct conf_key *,
	    const struct service *, int);
void	conf_print_exec(FILE *, const struct conf_key *,
	    const struct service *, int);
void	conf_print_module(FILE *, const struct conf_key *,
	    const struct service *, int);
/* A string in libconfig's syntax, quoted and escaped. */
void	conf_print_string(FILE *fp, const char *s);
/*
 * One setting "name = value;" at indent, with its help as a comment;
 * value NULL: the key is not set, which is said in a comment.
 */
void	conf_print_line(FILE *fp, int indent, const char *name,
	    const char *value, const char *help);

#endif
