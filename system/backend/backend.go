package backend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// Backend is a kind of system under test, such as "raftkv" or "memory".
type Backend interface {
	// Name is the backend's name as used in configs ("raftkv").
	Name() string
	// Start brings up a cluster as described by spec and returns once it
	// is ready to serve clients, or an error.
	Start(ctx context.Context, spec Spec) (Cluster, error)
}

// Mode says where a cluster's nodes run.
type Mode string

// Modes a Spec can ask for.
const (
	// ModeProcess runs every node as a separate OS process, so that kills
	// and pauses are real signals.
	ModeProcess Mode = "process"
	// ModeInProcess runs every node as goroutines of the harness, still
	// talking over real TCP on loopback.
	ModeInProcess Mode = "inprocess"
)

// Spec describes the cluster to start.
type Spec struct {
	// Nodes is the number of nodes (replicas) to start.
	Nodes int
	// Mode is where nodes run.
	Mode Mode
	// Dir is a directory the cluster owns for data, logs and sockets. It
	// exists and is empty; the harness removes it afterwards.
	Dir string
	// Fsync says whether durable writes must reach the disk before they are
	// acknowledged.
	Fsync bool
	// Exec is the command that starts a node process in ModeProcess: the
	// harness binary with its node-mode arguments. Backends append their own
	// arguments.
	Exec []string
	// Seed seeds any randomness the backend uses.
	Seed int64
	// Options holds backend-specific settings from the config.
	Options map[string]string
	// Logger receives the backend's diagnostics; nil discards them.
	Logger *slog.Logger
	// StorageFaults asks for every node's data directory on a
	// fault-injecting file system, for a fault schedule with storage
	// faults (a StorageFaulter cluster). False mounts nothing.
	StorageFaults bool
}

// Validate checks the spec's fields.
func (s Spec) Validate() error {
	if s.Nodes < 1 {
		return fmt.Errorf("backend spec: Nodes = %d, want >= 1", s.Nodes)
	}
	switch s.Mode {
	case ModeProcess:
		if len(s.Exec) == 0 {
			return errors.New("backend spec: Mode = process needs Exec")
		}
	case ModeInProcess:
	default:
		return fmt.Errorf("backend spec: Mode = %q, want %q or %q", s.Mode, ModeProcess, ModeInProcess)
	}
	if s.Dir == "" {
		return errors.New("backend spec: Dir is empty")
	}
	return nil
}

// Cluster is a running system under test.
type Cluster interface {
	// Nodes names the cluster's nodes, in a stable order.
	Nodes() []string
	// Client returns a new client for worker id. Clients are used by one
	// goroutine at a time.
	Client(ctx context.Context, id int) (Client, error)
	// Stop shuts every node down and releases every resource (processes,
	// listeners, goroutines). It is safe to call more than once.
	Stop(ctx context.Context) error
}

// Client issues key/value operations. Every method blocks until the
// operation completes or ctx is done.
//
// Errors classify the outcome the way a history needs it: an error that
// matches ErrDefinite (errors.Is) means the operation certainly did not take
// effect (Jepsen's fail); any other error means the outcome is unknown
// (Jepsen's info), for example a timeout.
type Client interface {
	KV
	Close() error
}

// ErrDefinite marks an error after which the operation certainly did not
// take effect. Wrap it: fmt.Errorf("%w: wrong group", backend.ErrDefinite).
var ErrDefinite = errors.New("operation definitely failed")

// ErrUnsupported is returned (wrapped) when a backend cannot do what was
// asked, for example a fault it has no power for.
var ErrUnsupported = errors.New("not supported by this backend")
