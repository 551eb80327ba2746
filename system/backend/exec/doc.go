// Package exec is the Faultline backend that runs real server binaries
// (Redis, etcd, anyone's) as the system under test, described by a YAML
// file instead of Go code: the backend option "cluster" names it.
//
// # The description
//
//	proxies: per-link          # or etcd-fronts (see below)
//	stop: {signal: TERM, grace: 5s}
//	protocol:
//	  name: resp               # resp, etcd-v3 or maelstrom-lin-kv
//	  read-from: any           # resp: primary (default) or any
//	  serve: [redis]           # roles that take clients' ops (default: all but the sentinels)
//	  sentinel: {role: sentinel, master: mymaster}   # resp: writes go to the master the sentinels name
//	  timeout: 2s              # every library dial, read and write
//	roles:
//	  - name: redis
//	    count: 3
//	    peer-port: client      # the port other nodes dial: client or peer (default)
//	    command: [redis-server, --port, "{{.ClientPort}}", --dir, "{{.DataDir}}"]
//	    env: {NAME: template}
//	    files: {name.conf: template}    # written into the data directory before the first start
//	    ready: {tcp: client, command: [...], within: 20s}
//
// Nodes are n0, n1, ... in the order of the roles; the config's
// backend.nodes must be their number. Every word of a command, every
// environment value, file and ready command is a text/template over Vars:
// the node's Index, RoleIndex, ID, Role, Host, ClientPort, PeerPort,
// Advertise, DataDir, Dir, Token and Seed, and Nodes, every node as this
// one must dial it (Peer: Index, ID, Role, Host, Port, Addr); the
// function role NAME lists the nodes of one role. A missing variable, an
// unknown key or protocol, or a program that is not on PATH is an error
// naming the description's file and line, reported by Check before any
// node starts.
//
// # Processes
//
// Nodes run under the project's one supervisor (nodeproc.Set), each in its
// own process group with its own data directory DIR/ID (kept across
// restarts) and log DIR/ID.log. A node is ready when its role's check
// passes: a TCP connect to its client or peer port and/or a command that
// exits 0, within ready.within; a node that exits before, or is not ready
// in time, fails Start with the end of its log in the error. Kill is
// SIGKILL of the group and Restart runs the same command on the same data
// directory and ports and waits for the check again; Pause and Resume are
// SIGSTOP and SIGCONT. Stop sends stop.signal, then SIGKILL after
// stop.grace. A node that exits by itself during a run is reported as an
// "exit" event (backend.Observer).
//
// # Network faults
//
// Peers never dial each other directly: every directed link goes through
// a byte-stream proxy of a transport/proxy Mesh, the cluster's link fault
// table (chaos.FaultSeam), as for the etcd backend. With proxies
// per-link, node i's Nodes[j] is the address of its own proxy to j, so
// servers that dial the addresses they are given (Redis's replicaof,
// Sentinel's monitor) cross link i -> j. With etcd-fronts every node has
// one advertised address (Advertise, each node's Nodes entry), a Front of
// the etcd backend that routes each connection to the proxy of its link
// by etcd's sender header; members must use --initial-cluster-token
// {{.Token}}. Clients never cross proxies: a partition cuts nodes off from
// each other, not from the harness, and an address a server names to a
// client (a Sentinel's master) is mapped back to the node's real one.
// Addresses a server learns by itself rather than from its templates
// (Sentinel learns the replicas from the master's INFO, and after a
// failover names real addresses) bypass the proxies.
//
// # Protocols
//
//   - resp: github.com/redis/go-redis/v9 (chosen over redigo for its
//     context-aware calls with per-call deadlines and its Sentinel
//     failover client). Get is GET (a missing key reads ""), Put SET,
//     Append APPEND; writes go to the primary (the first serving node, or
//     the master the sentinels name), reads too or, with read-from any, to
//     serving node id mod their number. No retries (a retried APPEND
//     could apply twice); an error reply is definite, anything else
//     unknown. Neither go-redis nor redigo bounds a reply's announced
//     length, so every connection is guarded (guardConn).
//   - etcd-v3: the etcd backend's client side (etcd.Members: its Client
//     with linearizable reads and compare-and-swap Append, pool, bare
//     loop and leader).
//
// Option "conns" (default DefaultConns) is the number of pool slots the
// clients share (backend.ConnsOption).
//
// # Imports
//
// It may import system/backend, nodeproc, the etcd backend's client side,
// transport and transport/proxy, go-redis and yaml.v3; never workloads,
// chaos, bench or reports.
package exec
