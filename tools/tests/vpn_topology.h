/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The small mesh the derive and report tests build states from: instance
 * "vpn" of the addressing notes, two controllers (one with its own port
 * and an [IPv6]:port endpoint), one peer designated to each. Key i is 31
 * zero bytes and then i.
 */
#ifndef WGMESH_TESTS_VPN_TOPOLOGY_H
#define WGMESH_TESTS_VPN_TOPOLOGY_H

static const char vpn_topology[] =
	"[Mesh]\nName = vpn\nMTU = 1400\n"
	"[Controller controller1]\nEndpoint = 192.0.2.1\n"
	"PublicKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=\n"
	"[Controller controller2]\nEndpoint = [2001:db8::2]:51821\nPort = 51821\n"
	"PublicKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAI=\n"
	"[Peer peer1]\nController = controller1\n"
	"PublicKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAM=\n"
	"[Peer peer2]\nController = controller2\n"
	"PublicKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQ=\n";

#endif /* WGMESH_TESTS_VPN_TOPOLOGY_H */
