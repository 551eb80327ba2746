package exec

import (
	"fmt"
	"syscall"
	"time"
)

// Description is a cluster of server processes as its YAML file
// describes it (see the package doc for the file's keys).
type Description struct {
	// File is the file it was read from, for errors.
	File string
	// Roles are the kinds of node, in order: nodes n0, n1, ... are the
	// first role's nodes, then the second's, and so on.
	Roles []Role
	// Proxies is how peers reach each other: ProxiesPerLink, ProxiesEtcd
	// or ProxiesSource.
	Proxies string
	// Protocol is how the harness's clients speak to the cluster.
	Protocol Protocol
	// Stop is how every node is stopped at the end of a run.
	Stop Stop
	// lines locates top-level keys in the file.
	lines map[string]int
}

// Ways peers reach each other through the network-fault proxies.
const (
	// ProxiesPerLink gives node i a proxy of its own for every other node
	// j: the peer list node i's templates see names those addresses, so
	// every connection i opens to j crosses link i -> j. For servers that
	// dial the addresses they are given (Redis's replicaof, Sentinel's
	// monitor).
	ProxiesPerLink = "per-link"
	// ProxiesEtcd gives every node one advertised peer address, a Front
	// of the etcd backend that routes each connection to the proxy of its
	// link by etcd's sender header: for etcd members, which advertise one
	// peer URL to all.
	ProxiesEtcd = "etcd-fronts"
	// ProxiesSource gives every node its own loopback host (127.0.1.1 for
	// n0, ...) and one advertised address, a front that routes each
	// connection to the proxy of its link by the connection's source
	// address: for servers that learn addresses from each other (Redis
	// Sentinel) and bind their outgoing connections to their own host
	// (bind-source-addr).
	ProxiesSource = "source-fronts"
)

// Role is one kind of node: how many, and how to run, check and stop
// them.
type Role struct {
	Name  string
	Count int
	// Command is the program and its arguments, each a template.
	Command []string
	// Env holds NAME=template pairs added to the environment.
	Env []string
	// Files maps a file name in the node's data directory to a template
	// of its content, written before the node's first start only, so
	// that what the server rewrites there survives its restarts.
	Files map[string]string
	// PeerPort says which port other nodes dial: "client" or "peer".
	PeerPort string
	Ready    Ready
	// lines locates the role's keys in the file ("command", "ready.command").
	lines map[string]int
}

// Ready is how the harness learns that a started node serves.
type Ready struct {
	// TCP, if set, is the port ("client" or "peer") that must accept a
	// connection.
	TCP string
	// Command, if set, must exit with status 0 (each word a template).
	Command []string
	// Within bounds the wait, at the start and after every restart.
	Within time.Duration
}

// Stop is how a node is stopped at the end of a run.
type Stop struct {
	Signal syscall.Signal
	Grace  time.Duration
}

// Client protocols.
const (
	ProtoRESP      = "resp"
	ProtoEtcd      = "etcd-v3"
	ProtoMaelstrom = "maelstrom-lin-kv"
)

// Read modes of the RESP protocol.
const (
	ReadPrimary = "primary"
	ReadAny     = "any"
)

// Protocol is the client side: what the harness's clients speak, and to
// which nodes.
type Protocol struct {
	Name string
	// Serve lists the roles whose nodes take clients' operations (all
	// but Sentinel's role by default).
	Serve []string
	// ReadFrom is the RESP read mode: ReadPrimary or ReadAny.
	ReadFrom string
	// Sentinel, if set, is the role of Redis Sentinels and Master the
	// name they monitor: writes (and primary reads) go to whichever node
	// the sentinels name as the master.
	Sentinel, Master string
	// Timeout bounds each library call (dial, read, write).
	Timeout time.Duration
	line    int
}

// Defaults of a description.
const (
	DefaultWithin  = 20 * time.Second
	DefaultGrace   = 5 * time.Second
	DefaultTimeout = 2 * time.Second
	maxNodes       = 64
)

// Nodes is the number of nodes of every role together.
func (d *Description) Nodes() int {
	n := 0
	for _, r := range d.Roles {
		n += r.Count
	}
	return n
}

// roleOf returns the role of node i and i's index among its role's nodes.
func (d *Description) roleOf(i int) (*Role, int) {
	for k := range d.Roles {
		r := &d.Roles[k]
		if i < r.Count {
			return r, i
		}
		i -= r.Count
	}
	panic(fmt.Sprintf("exec: node %d out of range", i))
}

// serves reports whether role name's nodes take clients' operations.
func (p *Protocol) serves(name string) bool {
	for _, s := range p.Serve {
		if s == name {
			return true
		}
	}
	return false
}

// posError is a problem at a line of a description file.
type posError struct {
	file string
	line int
	path string
	msg  string
}

func (e *posError) Error() string {
	s := e.file
	if e.line > 0 {
		s += fmt.Sprintf(":%d", e.line)
	}
	if e.path != "" {
		s += ": " + e.path
	}
	return s + ": " + e.msg
}
