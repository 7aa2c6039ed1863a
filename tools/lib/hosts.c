// SPDX-License-Identifier: GPL-2.0
/*
 * The mesh's /etc/hosts lines and their marked block in /etc/hosts, see
 * hosts.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "array.h"
#include "hosts.h"

/* Machine @i's IPv4 line, after its IPv6 line, when the mesh has IPv4. */
static int ipv4_line(FILE *f, const struct wgmesh_topology *t, size_t i)
{
	char buf[INET_ADDRSTRLEN];

	if (!t->ipv4_len)
		return 0;
	return fprintf(f, "%s %s.%s\n",
		       wgmesh_ipv4_str(wgmesh_machine_owned(t, i)->ipv4, buf),
		       wgmesh_machine_name(t, i), t->domain) < 0 ? -1 : 0;
}

int hosts_write(FILE *f, const struct wgmesh_topology *t)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a;

	/* Controllers and peers are already sorted by name. */
	for (size_t i = 0; i < t->n_controllers; i++) {
		const struct wgmesh_controller *c = &t->controllers[i];

		wgmesh_controller_addr(t->name, c->name, &a);
		if (fprintf(f, "%s %s.%s\n", wgmesh_addr_str(&a, buf), c->name,
			    t->domain) < 0 || ipv4_line(f, t, i))
			return -1;
	}
	for (size_t i = 0; i < t->n_peers; i++) {
		const struct wgmesh_peer *p = &t->peers[i];

		wgmesh_peer_addr(t->name, t->controllers[p->controller].name,
				 p->name, &a);
		if (fprintf(f, "%s %s.%s\n", wgmesh_addr_str(&a, buf), p->name,
			    t->domain) < 0 ||
		    ipv4_line(f, t, t->n_controllers + i))
			return -1;
	}
	return 0;
}

char *hosts_text(const struct wgmesh_topology *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err;

	if (!f)
		return NULL;
	err = hosts_write(f, t);
	if (fclose(f) || err) {
		free(text);
		return NULL;
	}
	return text;
}

/* Find the line equal to @want at or after @from; its offset or -1. */
static long find_line(const char *s, size_t len, size_t from, const char *want)
{
	size_t wl = strlen(want);

	while (from < len) {
		const char *nl = memchr(s + from, '\n', len - from);
		size_t end = nl ? (size_t)(nl - s) : len;

		if (end - from == wl && !memcmp(s + from, want, wl))
			return (long)from;
		from = end + 1;
	}
	return -1;
}

char *hosts_block_rewrite(const char *old, size_t len, const char *instance,
			  const char *lines, char *err, size_t errlen)
{
	char begin[128], end[128];
	size_t head, tail, size = 0;
	char *out = NULL;
	long b, e;
	FILE *f;

	snprintf(begin, sizeof(begin), "# BEGIN wgmesh %s", instance);
	snprintf(end, sizeof(end), "# END wgmesh %s", instance);
	if (!old)
		len = 0;
	b = find_line(old, len, 0, begin);
	if (b < 0 && !lines) {
		out = strndup(old ? old : "", len);
		if (!out)
			goto nomem;
		return out;
	}
	if (b < 0) {
		head = tail = len;
	} else {
		e = find_line(old, len, (size_t)b, end);
		if (e < 0) {
			snprintf(err, errlen, "'%s' without '%s'", begin, end);
			return NULL;
		}
		head = (size_t)b;
		tail = (size_t)e + strlen(end);
		if (tail < len && old[tail] == '\n')
			tail++;
	}
	f = open_memstream(&out, &size);
	if (!f)
		goto nomem;
	if (head) {
		fwrite(old, 1, head, f);
		/* Appending to a last line without its newline. */
		if (old[head - 1] != '\n')
			fputc('\n', f);
	}
	if (lines)
		fprintf(f, "%s\n%s%s\n", begin, lines, end);
	if (len > tail)
		fwrite(old + tail, 1, len - tail, f);
	if (fclose(f))
		goto nomem;
	return out;
nomem:
	free(out);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

/* The file and its stat; NULL with errno (any read error is EIO). */
static char *read_all(const char *path, size_t *len, struct stat *st)
{
	FILE *f = fopen(path, "r");
	char *buf;

	*len = 0;
	if (!f)
		return NULL;
	if (fstat(fileno(f), st)) {
		fclose(f);
		return NULL;
	}
	buf = array_read_file(f, SIZE_MAX, len);
	if (!buf && errno != ENOMEM)
		errno = EIO;
	fclose(f);
	return buf;
}

static int write_fd(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * /etc/hosts bind-mounted over (containers, "ip netns exec") cannot be
 * renamed onto: rewrite it in place then, which is the best left to do.
 */
static int write_in_place(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = write_fd(fd, text, strlen(text));
	if (close(fd))
		ret = -1;
	return ret;
}

static int install(const char *path, const char *text, const struct stat *st)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + sizeof(".wgmesh-XXXXXX"));
	int fd, saved;

	if (!tmp)
		return -1;
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".wgmesh-XXXXXX", sizeof(".wgmesh-XXXXXX"));
	fd = mkstemp(tmp);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	if (fchmod(fd, st ? st->st_mode & 07777 : 0644) ||
	    (st && fchown(fd, st->st_uid, st->st_gid) && errno != EPERM) ||
	    write_fd(fd, text, strlen(text)) || fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path)) {
		if (errno != EBUSY && errno != EXDEV)
			goto fail;
		if (write_in_place(path, text))
			goto fail;
		unlink(tmp);
	}
	free(tmp);
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	errno = saved;
	return -1;
}

/*
 * Rewrite the block of @instance in the hosts file into @lines (NULL:
 * remove it). 0 when written, 1 when the file already said that, -1 with
 * @err and errno set.
 */
static int update(const char *instance, const char *lines, char *path,
		  size_t pathlen, char *err, size_t errlen)
{
	const char *name = getenv(HOSTS_ENV);
	char rerr[256], *old, *text, *real;
	struct stat st;
	size_t len;
	int rc = -1, saved = 0;

	if (!name || !*name)
		name = HOSTS_PATH;
	/* Replace the file a symlink points to, never the symlink. */
	real = realpath(name, NULL);
	snprintf(path, pathlen, "%s", real ? real : name);
	free(real);
	old = read_all(path, &len, &st);
	if (!old && (errno != ENOENT || !lines)) {
		saved = errno;
		if (saved == ENOENT)
			rc = 1;		/* no file: no block to remove */
		else
			snprintf(err, errlen, "%s: %s", path, strerror(saved));
		errno = saved;
		return rc;
	}
	text = hosts_block_rewrite(old, len, instance, lines, rerr,
				   sizeof(rerr));
	if (!text) {
		saved = EINVAL;
		snprintf(err, errlen, "%s: %s", path, rerr);
	} else if (old && !strcmp(old, text)) {
		rc = 1;		/* already up to date: leave the file alone */
	} else if (install(path, text, old ? &st : NULL)) {
		saved = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(saved));
	} else {
		rc = 0;
	}
	free(text);
	free(old);
	errno = saved;
	return rc;
}

int hosts_install(const struct wgmesh_topology *t, char *path,
		  size_t pathlen, char *err, size_t errlen)
{
	char *lines = hosts_text(t);
	int rc;

	if (!lines) {
		snprintf(err, errlen, "hosts: out of memory");
		errno = ENOMEM;
		return -1;
	}
	rc = update(t->name, lines, path, pathlen, err, errlen);
	free(lines);
	return rc < 0 ? -1 : 0;
}

int hosts_remove(const char *instance, char *path, size_t pathlen, char *err,
		 size_t errlen)
{
	return update(instance, NULL, path, pathlen, err, errlen);
}

const char *hosts_hint(int err, const char *path)
{
	if (err == EROFS || !strncmp(path, "/nix/store/", 11))
		return " (read-only: on NixOS put the lines of 'wgmesh hosts "
		       "FILE' in networking.extraHosts instead)";
	if (err == EACCES || err == EPERM)
		return " (needs root)";
	return "";
}
