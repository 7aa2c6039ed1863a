// SPDX-License-Identifier: GPL-2.0
/* wgmesh genkey / pubkey: the same formats as wg genkey / wg pubkey. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "lib/keys.h"

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Where the key goes: FILE is created 0600, and an existing FILE (a
 * machine's identity, perhaps) is only replaced with @force; stdout as
 * is, except that a regular file open on it that group or others may
 * access is tightened to 0600 first (or refused), so no key ever lands
 * world-readable.
 */
static int open_output(const char *file, bool force, const char **name)
{
	struct stat st;
	int fd;

	if (!file) {
		*name = "standard output";
		if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & (S_IRWXG | S_IRWXO))) {
			if (fchmod(STDOUT_FILENO, st.st_mode & S_IRWXU)) {
				cli_err("genkey: standard output is a file "
					   "with mode %04o that cannot be made "
					   "private (%s); set umask 077",
					   (unsigned int)(st.st_mode & 07777),
					   strerror(errno));
				return -1;
			}
			fprintf(stderr, "wgmesh genkey: warning: made the "
				"output file private (mode %04o); consider "
				"umask 077\n",
				(unsigned int)(st.st_mode & S_IRWXU));
		}
		return STDOUT_FILENO;
	}
	*name = file;
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
		  (force ? 0 : O_EXCL), 0600);
	if (fd < 0 && errno == EEXIST && !force) {
		cli_err("genkey: %s exists: not overwritten (it may be a "
			"machine's key); use --force to replace it", file);
		return -1;
	}
	if (fd < 0) {
		cli_err("genkey: %s: %s", file, strerror(errno));
		return -1;
	}
	/*
	 * An existing file keeps its mode on open: make it private before
	 * emptying it, so a failure leaves the old content untouched.
	 */
	if (fchmod(fd, 0600) || ftruncate(fd, 0)) {
		cli_err("genkey: %s: %s", file, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int cmd_genkey(int argc, char **argv)
{
	uint8_t key[WGMESH_KEY_LEN];
	char b64[WGMESH_KEY_B64_LEN + 2];
	const char *name, *file = NULL;
	bool force = false;
	const struct cli_opt opts[] = {
		{ .name = "--force", .flag = &force },
		{ 0 }
	};
	int fd, ret = 0;

	if (cli_parse(&cli_genkey, argc, argv, opts, &file, 1))
		return 1;
	if (file && !strcmp(file, "-"))
		file = NULL;
	fd = open_output(file, force, &name);
	if (fd < 0)
		return 1;
	wgmesh_key_generate(key);
	wgmesh_key_to_base64(key, b64);
	strcat(b64, "\n");
	if (write_all(fd, b64, strlen(b64)))
		ret = cli_err("genkey: writing %s: %s", name,
				 strerror(errno));
	if (fd != STDOUT_FILENO && close(fd) && !ret)
		ret = cli_err("genkey: closing %s: %s", name,
				 strerror(errno));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(b64, sizeof(b64));
	return ret;
}

const struct cli_cmd cli_genkey = {
	.name = "genkey", .run = cmd_genkey,
	.args = "[--force] [FILE]",
	.summary = "print a new private key (or write it to FILE, mode 0600)",
	.help = "The key is base64, as from wg genkey. Written to standard "
		"output (FILE -),\na file open there is made private first. An "
		"existing FILE is refused (it\nmay be a machine's identity) unless "
		"--force replaces it.\n",
};

static int cmd_pubkey(int argc, char **argv)
{
	uint8_t priv[WGMESH_KEY_LEN], pub[WGMESH_KEY_LEN];
	char buf[WGMESH_KEY_B64_LEN + 64], b64[WGMESH_KEY_B64_LEN + 1];
	size_t n;
	int ret = 1;

	(void)argv;
	if (argc > 1)
		return cli_usage_err(&cli_pubkey, "too many arguments");
	n = fread(buf, 1, sizeof(buf) - 1, stdin);
	/* Like wg: the key, then nothing but white space. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
			 buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	if (wgmesh_key_from_base64(buf, priv) ||
	    wgmesh_key_public(pub, priv)) {
		cli_err("pubkey: standard input is not a private key "
			   "(44 characters of base64)");
		goto out;
	}
	wgmesh_key_to_base64(pub, b64);
	if (puts(b64) < 0 || fflush(stdout)) {
		cli_err("pubkey: writing standard output: %s",
			   strerror(errno));
		goto out;
	}
	ret = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(priv, sizeof(priv));
	return ret;
}

const struct cli_cmd cli_pubkey = {
	.name = "pubkey", .run = cmd_pubkey,
	.args = "< PRIVATE_KEY",
	.summary = "print the public key of the private key read from stdin",
};
