// SPDX-License-Identifier: GPL-2.0
/*
 * net.ipv4.ip_forward held on by the meshes that turned it on: see
 * ipforward.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ipforward.h"

/* IPFWD_RUN_DIR/net-<inode of this network namespace>. */
static int ns_dir(char *buf, size_t len, char *err, size_t errlen)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st)) {
		snprintf(err, errlen, "ip_forward: /proc/self/ns/net: %s",
			 strerror(errno));
		return -1;
	}
	snprintf(buf, len, "%s/net-%llu", IPFWD_RUN_DIR,
		 (unsigned long long)st.st_ino);
	return 0;
}

static int read_sysctl(char *v, char *err, size_t errlen)
{
	FILE *f = fopen(IPFWD_SYSCTL, "re");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	if (c == EOF) {
		snprintf(err, errlen, "ip_forward: cannot read %s: %s",
			 IPFWD_SYSCTL, f ? "empty" : strerror(errno));
		return -1;
	}
	*v = (char)c;
	return 0;
}

static int write_sysctl(const char *v, char *err, size_t errlen)
{
	int fd = open(IPFWD_SYSCTL, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, v, 1) != 1) {
		snprintf(err, errlen, "ip_forward: cannot write %s: %s",
			 IPFWD_SYSCTL, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* How many meshes hold it in @dir (0 when it does not exist). */
static size_t holders(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int mkdirs(const char *dir, char *err, size_t errlen)
{
	char p[512];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = strchr(p + 1, '/'); ; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST) {
			snprintf(err, errlen, "ip_forward: %s: %s", p,
				 strerror(errno));
			return -1;
		}
		if (!s)
			return 0;
		*s = '/';
	}
}

static int hold_file(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(err, errlen, "ip_forward: %s: %s", path,
			 strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

int ipfwd_hold(const char *mesh, bool *enabled, char *err, size_t errlen)
{
	char dir[256], path[512], v;
	struct stat st;

	*enabled = false;
	if (ns_dir(dir, sizeof(dir), err, errlen) ||
	    read_sysctl(&v, err, errlen))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, mesh);
	if (!stat(path, &st)) {
		/* Ours, but someone set it back to 0: on again. */
		if (v == '0' && write_sysctl("1", err, errlen))
			return -1;
		*enabled = v == '0';
		return 0;
	}
	if (v != '0' && !holders(dir))
		return 0;	/* the administrator's */
	if (mkdirs(dir, err, errlen) || hold_file(path, err, errlen))
		return -1;
	if (v == '0') {
		if (write_sysctl("1", err, errlen)) {
			unlink(path);
			return -1;
		}
		*enabled = true;
	}
	return 0;
}

int ipfwd_release(const char *mesh, bool *restored, char *err,
		  size_t errlen)
{
	char dir[256], path[512];

	*restored = false;
	if (ns_dir(dir, sizeof(dir), err, errlen))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, mesh);
	if (unlink(path)) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "ip_forward: %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (holders(dir))
		return 0;
	rmdir(dir);
	if (write_sysctl("0", err, errlen))
		return -1;
	*restored = true;
	return 0;
}
