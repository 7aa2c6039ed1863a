// SPDX-License-Identifier: GPL-2.0
/* Problems of a mesh interface, see health.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "health.h"

static void add(struct health *h, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add(struct health *h, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (h->n == HEALTH_MAX) {
		h->more++;
		return;
	}
	h->v[h->n].code = code;
	va_start(ap, fmt);
	vsnprintf(h->v[h->n].message, sizeof(h->v[h->n].message), fmt, ap);
	va_end(ap);
	h->n++;
}

void health_interface(const struct health_input *in, struct health *h)
{
	memset(h, 0, sizeof(*h));
	if (in->not_in_file)
		add(h, "not_in_file", "its public key is not a machine of "
		    "the topology file");
	if (in->attached && !in->has_topology)
		add(h, "no_topology", "wgmesh.ko is attached but has no "
		    "topology (run wgmesh up)");
	if (!in->role_known || !in->controller || in->attached)
		return;
	if (!in->module_loaded)
		add(h, "module_not_loaded", "a controller without wgmesh.ko: "
		    "the module is not loaded, nothing is forwarded or "
		    "policed (run wgmesh up)");
	else
		add(h, "module_not_attached", "a controller without wgmesh.ko "
		    "attached: nothing is forwarded or policed (run wgmesh "
		    "up)");
}

void health_no_endpoint(struct health *h, const char *name)
{
	add(h, "no_endpoint", "controller %s has no endpoint (did its host "
	    "name resolve?)", name);
}
