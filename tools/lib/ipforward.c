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

/* A sysctl held on by meshes: its file, the holders' directory, a label. */
struct held {
	const char *path, *run_dir, *label;
};

static const struct held ipfwd = { IPFWD_SYSCTL, IPFWD_RUN_DIR,
				   "ip_forward" };
static const struct held srcvmark = { SRCVMARK_SYSCTL, SRCVMARK_RUN_DIR,
				      "src_valid_mark" };

/* IPFWD_RUN_DIR/net-<inode of this network namespace>. */
static int ns_dir(const struct held *h, char *buf, size_t len, char *err,
		  size_t errlen)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st)) {
		snprintf(err, errlen, "%s: /proc/self/ns/net: %s", h->label,
			 strerror(errno));
		return -1;
	}
	snprintf(buf, len, "%s/net-%llu", h->run_dir,
		 (unsigned long long)st.st_ino);
	return 0;
}

static int read_sysctl(const struct held *h, char *v, char *err,
		       size_t errlen)
{
	FILE *f = fopen(h->path, "re");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	if (c == EOF) {
		snprintf(err, errlen, "%s: cannot read %s: %s", h->label,
			 h->path, f ? "empty" : strerror(errno));
		return -1;
	}
	*v = (char)c;
	return 0;
}

static int write_sysctl(const struct held *h, const char *v, char *err,
			size_t errlen)
{
	int fd = open(h->path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, v, 1) != 1) {
		snprintf(err, errlen, "%s: cannot write %s: %s", h->label,
			 h->path, strerror(errno));
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

static int mkdirs(const struct held *h, const char *dir, char *err,
		  size_t errlen)
{
	char p[512];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = strchr(p + 1, '/'); ; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s: %s", h->label, p,
				 strerror(errno));
			return -1;
		}
		if (!s)
			return 0;
		*s = '/';
	}
}

static int hold_file(const struct held *h, const char *path, char *err,
		     size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s: %s", h->label, path,
			 strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int hold(const struct held *h, const char *mesh, bool *enabled,
		char *err, size_t errlen)
{
	char dir[256], path[512], v;
	struct stat st;

	*enabled = false;
	if (ns_dir(h, dir, sizeof(dir), err, errlen) ||
	    read_sysctl(h, &v, err, errlen))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, mesh);
	if (!stat(path, &st)) {
		/* Ours, but someone set it back to 0: on again. */
		if (v == '0' && write_sysctl(h, "1", err, errlen))
			return -1;
		*enabled = v == '0';
		return 0;
	}
	if (v != '0' && !holders(dir))
		return 0;	/* the administrator's */
	if (mkdirs(h, dir, err, errlen) || hold_file(h, path, err, errlen))
		return -1;
	if (v == '0') {
		if (write_sysctl(h, "1", err, errlen)) {
			unlink(path);
			return -1;
		}
		*enabled = true;
	}
	return 0;
}

static int release(const struct held *h, const char *mesh, bool *restored,
		   char *err, size_t errlen)
{
	char dir[256], path[512];

	*restored = false;
	if (ns_dir(h, dir, sizeof(dir), err, errlen))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, mesh);
	if (unlink(path)) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s: %s", h->label, path,
			 strerror(errno));
		return -1;
	}
	if (holders(dir))
		return 0;
	rmdir(dir);
	if (write_sysctl(h, "0", err, errlen))
		return -1;
	*restored = true;
	return 0;
}

int ipfwd_hold(const char *mesh, bool *enabled, char *err, size_t errlen)
{
	return hold(&ipfwd, mesh, enabled, err, errlen);
}

int ipfwd_release(const char *mesh, bool *restored, char *err,
		  size_t errlen)
{
	return release(&ipfwd, mesh, restored, err, errlen);
}

int srcvmark_hold(const char *mesh, bool *enabled, char *err, size_t errlen)
{
	return hold(&srcvmark, mesh, enabled, err, errlen);
}

int srcvmark_release(const char *mesh, bool *restored, char *err,
		     size_t errlen)
{
	return release(&srcvmark, mesh, restored, err, errlen);
}
