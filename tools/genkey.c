// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh genkey / pubkey: the same formats as wg genkey / wg pubkey; and
 * genpsk, a mesh's secret ([Mesh] PresharedKeyFile, see lib/psk.h).
 */
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
 * Where the key of command @cmd goes: FILE is created 0600, and an
 * existing FILE (@what: a machine's identity, perhaps) is only replaced
 * with @force; stdout (genkey only) as is, except that a regular file
 * open on it that group or others may access is tightened to 0600 first
 * (or refused), so no key ever lands world-readable.
 */
static int open_output(const char *cmd, const char *file, bool force,
		       const char *what, const char **name)
{
	struct stat st;
	int fd;

	if (!file) {
		*name = "standard output";
		if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & (S_IRWXG | S_IRWXO))) {
			if (fchmod(STDOUT_FILENO, st.st_mode & S_IRWXU)) {
				cli_err("%s: standard output is a file "
					   "with mode %04o that cannot be made "
					   "private (%s); set umask 077", cmd,
					   (unsigned int)(st.st_mode & 07777),
					   strerror(errno));
				return -1;
			}
			fprintf(stderr, "wgmesh %s: warning: made the "
				"output file private (mode %04o); consider "
				"umask 077\n", cmd,
				(unsigned int)(st.st_mode & S_IRWXU));
		}
		return STDOUT_FILENO;
	}
	*name = file;
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
		  (force ? 0 : O_EXCL), 0600);
	if (fd < 0 && errno == EEXIST && !force) {
		cli_err("%s: %s exists: not overwritten (it may be %s); use "
			"--force to replace it", cmd, file, what);
		return -1;
	}
	if (fd < 0) {
		cli_err("%s: %s: %s", cmd, file, strerror(errno));
		return -1;
	}
	/*
	 * An existing file keeps its mode on open: make it private before
	 * emptying it, so a failure leaves the old content untouched.
	 */
	if (fchmod(fd, 0600) || ftruncate(fd, 0)) {
		cli_err("%s: %s: %s", cmd, file, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* @key in base64 and a newline to @fd, then close it (unless stdout). */
static int write_key(const char *cmd, int fd, const char *name,
		     const uint8_t key[WGMESH_KEY_LEN])
{
	char b64[WGMESH_KEY_B64_LEN + 2];
	int ret = 0;

	wgmesh_key_to_base64(key, b64);
	strcat(b64, "\n");
	if (write_all(fd, b64, strlen(b64)))
		ret = cli_err("%s: writing %s: %s", cmd, name, strerror(errno));
	if (fd != STDOUT_FILENO && close(fd) && !ret)
		ret = cli_err("%s: closing %s: %s", cmd, name, strerror(errno));
	sodium_memzero(b64, sizeof(b64));
	return ret;
}

static int cmd_genkey(int argc, char **argv)
{
	uint8_t key[WGMESH_KEY_LEN];
	const char *name, *file = NULL;
	bool force = false;
	const struct cli_opt opts[] = {
		{ .name = "--force", .flag = &force },
		{ 0 }
	};
	int fd, ret;

	if (cli_parse(&cli_genkey, argc, argv, opts, &file, 1))
		return 1;
	if (file && !strcmp(file, "-"))
		file = NULL;
	fd = open_output("genkey", file, force, "a machine's key", &name);
	if (fd < 0)
		return 1;
	wgmesh_key_generate(key);
	ret = write_key("genkey", fd, name, key);
	sodium_memzero(key, sizeof(key));
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

/* The mesh secret: 32 random bytes, like wg genpsk, but never printed. */
static int cmd_genpsk(int argc, char **argv)
{
	uint8_t key[WGMESH_KEY_LEN];
	const char *name, *file = NULL;
	bool force = false;
	const struct cli_opt opts[] = {
		{ .name = "--force", .flag = &force },
		{ 0 }
	};
	int fd, ret;

	if (cli_parse(&cli_genpsk, argc, argv, opts, &file, 1))
		return 1;
	if (!file)
		return cli_usage_err(&cli_genpsk, "missing FILE (the mesh secret "
				     "is never printed)");
	if (!strcmp(file, "-"))
		return cli_usage_err(&cli_genpsk, "FILE cannot be standard "
				     "output: the mesh secret is never printed");
	fd = open_output("genpsk", file, force, "a mesh's secret, which all "
			 "its preshared keys come from", &name);
	if (fd < 0)
		return 1;
	randombytes_buf(key, sizeof(key));
	ret = write_key("genpsk", fd, name, key);
	sodium_memzero(key, sizeof(key));
	return ret;
}

const struct cli_cmd cli_genpsk = {
	.name = "genpsk", .run = cmd_genpsk,
	.args = "[--force] FILE",
	.summary = "write a new mesh secret for PresharedKeyFile to FILE (mode 0600)",
	.help = "32 random bytes in base64, as from wg genpsk, written to FILE (created\n"
		"with mode 0600) and never printed. Every machine derives the preshared\n"
		"key of each of its pairs from it ([Mesh] PresharedKeyFile, see\n"
		"wgmesh.conf(5)). An existing FILE is refused (the mesh's keys come from\n"
		"it) unless --force replaces it.\n",
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
