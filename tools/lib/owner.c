// SPDX-License-Identifier: GPL-2.0
/* Which mesh owns a WireGuard interface, see owner.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "owner.h"

void owner_alias(const char *mesh, char *buf, size_t len)
{
	snprintf(buf, len, OWNER_PREFIX "%s", mesh);
}

const char *owner_mesh(const char *alias)
{
	size_t n = strlen(OWNER_PREFIX);

	if (strncmp(alias, OWNER_PREFIX, n) || !alias[n])
		return NULL;
	return alias + n;
}

enum owner owner_of(const char *alias, const char *mesh, bool wgmesh_routes)
{
	const char *m = owner_mesh(alias);

	if (m)
		return strcmp(m, mesh) ? OWNER_OTHER_MESH : OWNER_THIS;
	return !*alias && wgmesh_routes ? OWNER_LEGACY : OWNER_FOREIGN;
}

int owner_links(struct nls *s, const char *mesh, const char *except,
		char (**names)[16], size_t *n)
{
	char (*all)[16] = NULL;
	size_t n_all = 0;
	int ret;

	*names = NULL;
	*n = 0;
	ret = nlrt_link_list(s, "wireguard", &all, &n_all);
	if (ret)
		return ret;
	for (size_t i = 0; i < n_all; i++) {
		struct nlrt_link link;
		const char *m;

		if (!strcmp(all[i], except))
			continue;
		/* Gone since the dump: not ours to worry about. */
		if (nlrt_link_get(s, all[i], &link))
			continue;
		m = owner_mesh(link.alias);
		if (m && !strcmp(m, mesh))
			memmove(all[(*n)++], all[i], sizeof(all[i]));
	}
	if (*n)
		*names = all;
	else
		free(all);
	return 0;
}
