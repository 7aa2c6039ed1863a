/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the commands share. Each command file defines one struct cli_cmd
 * (cli_up in up.c, ...) and main.c lists them all in one sorted table
 * for dispatch, --help and "help CMD". A command gets argc/argv with
 * argv[0] = its name, prints its own errors on one line and returns the
 * exit status.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;	/* synopsis after the name */
	const char *summary;	/* one line for --help */
	const char *help;	/* extra lines for "help CMD", or NULL */
};

/* The commands, one per file (main.c: "help"). */
extern const struct cli_cmd cli_addresses, cli_check, cli_conf, cli_down,
	cli_exec, cli_genkey, cli_genpsk, cli_help, cli_hosts, cli_pubkey, cli_reach,
	cli_status, cli_up, cli_watch;

/*
 * Exit statuses, the same for every command: 0 done (or "yes"), 1 failed
 * (nothing or not all of it done, and an error says why), 2 the answer
 * is "no" (reach: may not talk; status --check: problems found), 3 partly
 * done (up: everything applied but an endpoint that did not resolve; down:
 * the interface is gone but not its /etc/hosts block).
 */
enum {
	CLI_OK = 0,
	CLI_FAILED = 1,
	CLI_NO = 2,
	CLI_PARTLY = 3,
};

/* Print "usage: wgmesh NAME ARGS" for @c to @f. */
void cli_usage(FILE *f, const struct cli_cmd *c);

/*
 * "wgmesh: " + message + newline on stderr; returns 1 so that commands
 * can "return cli_err(...)". Every message is one line: control
 * characters (from file contents, names, arguments) are escaped, see
 * cli_escape(), in this and every printing function below.
 */
int cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "wgmesh: warning: " + message on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A message line (newline added) on standard output. */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * @s for a terminal, into @out (@outlen bytes, always terminated,
 * truncated if need be): bytes below 0x20, DEL, C1 controls and bytes that
 * are not UTF-8 become \xNN (\n, \r and \t for those three); valid UTF-8
 * is kept. Returns @out.
 */
char *cli_escape(const char *s, char *out, size_t outlen);

/*
 * Whether this process may configure network devices (CAP_NET_ADMIN in
 * its effective set, as root has). If not, prints "wgmesh CMD: needs root
 * or CAP_NET_ADMIN (to WHAT)" and returns -1.
 */
int cli_need_net_admin(const struct cli_cmd *c, const char *what);
/* Error for a bad argument: "wgmesh NAME: message", then @c's usage. */
int cli_usage_err(const struct cli_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * One option of a command: a flag (@flag becomes true) or, with @value,
 * an option whose value is the next argument.
 */
struct cli_opt {
	const char *name;	/* "--json" */
	const char *alias;	/* "-q", or NULL */
	bool *flag;
	const char **value;
	const char *needs;	/* what a missing value is: "a PATH" ("a value") */
};

/*
 * Parse argv[1..] of @c: the options in @opts (ended by an entry without a
 * name) anywhere, and up to @npos positional arguments into @pos in order
 * ("-" is one: standard input; absent ones stay as they were). Prints the
 * usage error and returns -1 on an unknown option, an option without its
 * value or one argument too many.
 */
int cli_parse(const struct cli_cmd *c, int argc, char **argv,
	      const struct cli_opt *opts, const char **pos, size_t npos);

/* @s as a JSON string, quotes included, on standard output. */
void cli_json_str(const char *s);

struct wgmesh_topology;

/*
 * Load and validate topology FILE ("-": stdin) for a command; on error
 * prints the parser's one line ("wgmesh: FILE:LINE: ...") and returns -1.
 */
int cli_load(const char *file, struct wgmesh_topology **t);

/*
 * For a command whose one argument is the topology FILE: cli_parse(),
 * "missing FILE" when there is none, then cli_load(). 0, or -1 once the
 * error is printed.
 */
int cli_parse_load(const struct cli_cmd *c, int argc, char **argv,
		   const struct cli_opt *opts, struct wgmesh_topology **t);

#endif /* CLI_H */
