// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh exec's cgroup: see cgroup.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "cgroup.h"

int cgroup_root(char *buf, size_t len, char *err, size_t errlen)
{
	struct statfs st;

	if (statfs(CGROUP_ROOT, &st)) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "cgroup: %s: %s", CGROUP_ROOT,
			 strerror(errno));
		return -1;
	}
	if (st.f_type != CGROUP2_SUPER_MAGIC)
		return 1;
	snprintf(buf, len, "%s", CGROUP_ROOT);
	return 0;
}

int cgroup_rel(const char *mesh, char *buf, size_t len, char *err,
	       size_t errlen)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st)) {
		snprintf(err, errlen, "cgroup: /proc/self/ns/net: %s",
			 strerror(errno));
		return -1;
	}
	snprintf(buf, len, CGROUP_DIR "/net-%llu/%s",
		 (unsigned long long)st.st_ino, mesh);
	return 0;
}

int cgroup_make(const char *root, const char *rel, char *err, size_t errlen)
{
	char p[4096];
	size_t n = strlen(root);

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *s = strchr(p + n + 1, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			snprintf(err, errlen, "cgroup: mkdir %s: %s", p,
				 strerror(errno));
			return -1;
		}
		if (!s)
			return 0;
		*s = '/';
	}
}

int cgroup_unmake(const char *root, const char *rel, char *err,
		  size_t errlen)
{
	char p[4096], *s;
	size_t n = strlen(root);

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (rmdir(p) && errno != ENOENT) {
		snprintf(err, errlen, "cgroup: rmdir %s: %s%s", p,
			 strerror(errno), errno == EBUSY ?
			 " (processes of wgmesh exec still run in it)" : "");
		return -1;
	}
	/*
	 * The parents, while empty (other meshes' keep them), but not
	 * CGROUP_DIR: a sandboxed unit may write below it only while it
	 * exists (wgmesh@.service makes it).
	 */
	n += 1 + strlen(CGROUP_DIR);
	while ((s = strrchr(p, '/')) && (size_t)(s - p) > n) {
		*s = '\0';
		if ((size_t)(s - p) == n || rmdir(p))
			break;
	}
	return 0;
}

int cgroup_enter(const char *root, const char *rel, char *err,
		 size_t errlen)
{
	char p[4096], pid[24];
	int fd, len;

	snprintf(p, sizeof(p), "%s/%s/cgroup.procs", root, rel);
	len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, pid, (size_t)len) != len) {
		snprintf(err, errlen, "cgroup: %s: %s%s", p, strerror(errno),
			 errno == ENOENT ? " (is the mesh up here, with Table "
			 "and FwMark?)" : errno == EACCES || errno == EPERM ?
			 " (moving a process there needs root)" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
