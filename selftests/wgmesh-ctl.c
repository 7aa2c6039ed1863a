// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh-ctl: a small driver of the wgmesh genl family for the VM selftests.
 *
 * Usage:
 *   wgmesh-ctl attach DEV
 *   wgmesh-ctl detach DEV
 *   wgmesh-ctl set DEV --prefix PREFIX --self CID [--generation N]
 *                      [--default-deny] [--controller CID[:GROUPS]]...
 *                      [--peer PID[:GROUPS[:isolated]]]... [--allow G-H]...
 *                      [--random-peers N[:SEED]]
 *   wgmesh-ctl show DEV
 *   wgmesh-ctl stats DEV [--device | --member c:CID | --member p:PID]
 *
 * DEV is an interface name, or "@N" for ifindex N. CID is a controller id
 * (address bytes 5..6), PID a peer id (address bytes 8..11), GROUPS a 64-bit
 * group bitmask, N and G numbers; all accept C syntax (0x3bf7, 10).
 * PREFIX is the mesh /40 as an address, e.g. fdeb:f20c::. --self's
 * controller is added to the controllers if not listed. --random-peers adds
 * N random distinct peer ids (groups 0, reproducible with SEED).
 *
 * Output (one line per record, space separated key=value, ids in hex):
 *   show:  topology ifindex=5 ifname=wg0 generation=7 prefix=fdeb:f20c::
 *                   self=0x3bf7 flags=default-deny controllers=2 peers=3
 *                   allow=0-1,2-2            (flags=none / allow=none if empty)
 *          controller id=0x3bf7 groups=0x1 flags=none
 *          peer id=0x698750a0 groups=0x2 flags=isolated
 *          (a device attached without topology prints only
 *           "topology ifindex=5 ifname=wg0 generation=none")
 *   stats: device rx_packets=.. rx_bytes=.. local_packets=.. local_bytes=..
 *                 fwd_packets=.. fwd_bytes=.. tx_packets=.. tx_bytes=..
 *                 pass_packets=.. drop_spoofed=.. drop_outside=..
 *                 drop_unknown=.. drop_policy=.. drop_isolated=..
 *                 drop_hoplimit=.. drop_toobig=.. drop_malformed=..
 *                 drop_xmit=..
 *          controller id=0x3bf7 <same keys>
 *          peer id=0x698750a0 <same keys>
 *          --device / --member print only that line (exit 1 if no such
 *          member).
 * Errors: one line on stderr "wgmesh-ctl: <op> <dev>: <strerror>: <kernel
 * extack message>", exit 1 (2 for usage errors).
 */
