// Package etcd is the Faultline backend that runs real etcd (v3.6, through
// go.etcd.io/etcd/server/v3/embed) as the system under test, so that any
// workload and fault schedule can be run against etcd and against
// Faultline's own stack and compared.
//
// Start launches Spec.Nodes members named n0, n1, ... on free loopback
// ports, each with its own data directory under Spec.Dir, as goroutines of
// the harness (backend.ModeInProcess) or as separate OS processes started
// from Spec.Exec plus this package's node arguments
// (backend.ModeProcess); the harness's node subcommand hands those
// arguments to RunNode. Spec.Fsync = false sets etcd's UnsafeNoFsync.
//
// # Operations
//
// Clients use go.etcd.io/etcd/client/v3 with every member as an endpoint,
// sharing a pool of clientv3 clients (see Connections).
// Get is a linearizable range read (a missing key reads as ""), Put is a
// put, and Append, which etcd lacks, is a read followed by a transaction
// that writes old+value only if the key's ModRevision is unchanged,
// retried (with the value the failed transaction returns) on conflict.
//
// Errors keep their meaning in the history: a definite refusal (invalid
// or oversized request, quota, too many requests, and an Append whose
// read failed or that gave up after conflicts) wraps backend.ErrDefinite;
// a timeout, cancellation or unavailability (etcd's "no leader" and
// "request timed out" included) is a plain error, an unknown outcome.
//
// # Powers
//
//   - backend.Killer: SIGKILL of the member's process group in process mode,
//     and Restart re-executes it on the same data directory and ports. In
//     in-process mode Kill hard-stops the server (no leadership handover)
//     and closes it; this is approximate, since etcd flushes what it has on
//     the way down, where a real crash would lose unsynced writes.
//   - backend.Pauser: SIGSTOP/SIGCONT in process mode, returning once the
//     kernel reports the member stopped (or running); in-process members
//     cannot be frozen and Pause returns backend.ErrUnsupported.
//   - backend.LeaderFinder: asks every member for its status and names the
//     leader reported in the highest term.
//   - backend.Served: clients report the member named in the last response
//     header.
//
// # Network faults through proxies
//
// Faultline does not own etcd's networking, so network faults reach it
// through TCP proxies on peer traffic. With the backend option peer-proxy
// set to "true", Start puts a transport/proxy Mesh between the members (one
// proxy per directed link) and the cluster offers it to the chaos
// controller as its link fault table (Cluster.Faults, chaos.FaultSeam);
// without it Faults is nil and the cluster takes no network faults. The
// Mesh closes when the cluster stops.
//
// The mechanism under it is Backend.PeerProxy, a hook a caller may also set
// to route peers through proxies of its own: Start then gives every member
// a peer listen address and a distinct advertised peer address, and calls
// the hook with the plan (PeerLink: node, listen and advertised addresses,
// and the member ID etcd will derive from them) before any member starts.
// The hook must forward each advertised address to its listen address
// until the returned io.Closer is closed (Cluster.Stop does so after the
// members stopped). Cluster.PeerLinks repeats the plan and
// Cluster.MemberIDs maps etcd's member IDs to names.
//
// etcd advertises one peer URL per member to all the others, so a plain
// proxy on an advertised address sees every peer's traffic into that
// member: one proxy per destination, not per link. ServeFronts closes the
// gap: it listens on the advertised addresses and routes each incoming
// connection by its sender, which every rafthttp request names in its
// X-Server-From header, to an address of the caller's choosing, such as
// the per-link proxy of a Mesh. A connection that member i opens to j
// carries i's messages to j in its requests (pipeline and snapshot POSTs)
// and j's messages to i in its responses (the stream GETs
// /raft/stream/{msgapp,message}/<id of i>), which is exactly how a Mesh
// link i -> j treats the two directions of its bytes. So with Fronts in
// front of a Mesh, partitions and link faults are per directed link and
// exact at the level of TCP streams (transport/proxy documents how loss
// and reordering are shown on a stream); peer-proxy wires them so
// (peerproxy.go).
//
// Approximations: requests without a sender header (version checks
// between members, lease renewals forwarded to the leader) cannot be
// attributed; ServeFronts passes them to route with an empty sender and
// peer-proxy sends them straight to the member, unfaulted. They do
// not carry Raft messages, and Faultline's workloads use no leases. Client
// traffic does not go through proxies either: clients talk to members
// directly, so a partition cuts members off from each other, not from
// their clients (as in Jepsen's etcd tests).
//
// # Authentication
//
// etcd's client and peer traffic is etcd's own (gRPC and rafthttp over
// plain HTTP on loopback), not Faultline's transport, so the per-run
// secret that every other backend's cluster gets (nodeproc.NewSecret)
// does not cover it: any local process can reach an etcd member started
// by this backend. Securing it would mean etcd's own client and peer TLS
// (embed.Config's ClientTLSInfo and PeerTLSInfo), which this backend does
// not configure.
//
// # Connections
//
// The harness's clients share a bounded pool of clientv3 clients, each
// with its own gRPC client connection (one HTTP/2 connection per member,
// which multiplexes concurrent calls; clientv3 balances requests over the
// members round-robin): client i uses pool slot i mod conns, made on
// first use, and slot k lists the members from member k mod n. A Client's Close leaves the shared clientv3 client
// open; the cluster's Stop closes the pool. Each Client still records the
// member named in the header of its own last response, so LastNode
// (backend.Served) stays per op. This is how etcd's own benchmark tool
// drives etcd (--conns apart from --clients): one connection per client
// costs client-side and server-side goroutines, buffers and HTTP/2 flow
// control per connection for nothing.
//
// DefaultConns (2) was chosen by measurement on the 2-core machine the
// project is developed on: one in-process 3-member cluster, fsync off, 64
// closed-loop clients, linearizable Get then Put of 10k uniform keys of
// 128 B, pools of 1, 2, 4, 8, 16 and 64 clientv3 clients, 1 s each,
// alternating the order of the sizes round by round, median of 9 rounds
// (BenchmarkConns, go test -run '^$' -bench BenchmarkConns/etcd -benchtime 3x
// ./bench/): Get 6172, 7197, 5999, 2970, 3195 and 3089 ops/s;
// Put 2801, 2877, 2543, 2830, 2622 and 1858 ops/s. One or two connections
// beat eight or more by about 2x for reads, and 64 (one per client, what
// the backend did before) is the worst for both. The machine was shared
// and loaded (throughput drifted 4x within the run), so only the order is
// trusted; rerun the benchmark on other hardware before relying on the
// default there.
//
// Cluster.ClientSettings (backend.ClientSetup) declares the pool size, the
// library, the read mode (linearizable) and the dial timeout;
// Cluster.Bare (backend.Barer) runs the bare loop: clientv3 Get and Put
// called directly on the same pool.
//
// # Options
//
// Spec.Options accepts "tick-ms" (heartbeat interval, default 100),
// "election-ms" (election timeout, default 1000), "snapshot-count",
// "peer-proxy" ("true" or "false", the default) and "conns" (clientv3
// clients shared by the harness's clients, 1 to backend.MaxConns, default
// DefaultConns); anything else is an error.
//
// # Imports
//
// It may import system/backend and its nodeproc supervisor, transport and
// transport/proxy, and etcd's own modules; never workloads, chaos, bench
// or reports.
package etcd
