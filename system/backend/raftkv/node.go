package raftkv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"faultline/system/backend/nodeproc"
	"faultline/system/kvraft"
	"faultline/system/raft"
)

// DefaultMaxRaftState is the Raft state size at which a node snapshots when
// the backend options do not say.
const DefaultMaxRaftState = 4 << 20

// NodeConfig describes one node.
//
// It travels to a node process as arguments (nodeproc.EncodeArgs).
type NodeConfig struct {
	// ID is the node's index in Addrs.
	ID int
	// Addrs lists every node's "host:port", index for index.
	Addrs []string `arg:"peers"`
	// Dir is the node's data directory.
	Dir string
	// Fsync makes durable writes reach the disk before Raft acknowledges
	// them; false opens the persister with NoSync.
	Fsync bool
	// MaxRaftState is kvraft's snapshot threshold in bytes; <= 0 never
	// snapshots.
	MaxRaftState int
	// SecretFile is the path of the cluster's secret file
	// (nodeproc.NewSecret): the node's listener and all its clients
	// authenticate with it. The path travels, never the secret.
	SecretFile string `arg:"secret-file"`
	// Reads is "linearizable" (the default when empty) or "unsafe-local",
	// the deliberately broken mode of kvraft.ReadLocalUnsafe that the
	// harness's self-test must catch.
	Reads string
}

// Read modes a node accepts.
const (
	ReadsLinearizable = "linearizable"
	ReadsUnsafeLocal  = "unsafe-local"
)

// Validate checks the config.
func (c NodeConfig) Validate() error {
	if len(c.Addrs) == 0 {
		return errors.New("raftkv: node config: Addrs is empty")
	}
	if c.ID < 0 || c.ID >= len(c.Addrs) {
		return fmt.Errorf("raftkv: node config: ID = %d, want in [0, %d)", c.ID, len(c.Addrs))
	}
	if c.Dir == "" {
		return errors.New("raftkv: node config: Dir is empty")
	}
	if c.Reads != "" && c.Reads != ReadsLinearizable && c.Reads != ReadsUnsafeLocal {
		return fmt.Errorf("raftkv: node config: Reads = %q, want %q or %q", c.Reads, ReadsLinearizable, ReadsUnsafeLocal)
	}
	return nil
}

// nodeName is the name of node i in link faults, logs and LastNode.
func nodeName(i int) string { return fmt.Sprintf("n%d", i) }

// node is one running kvraft server with its transport and storage.
type node struct {
	*nodeproc.DiskNode
	kv *kvraft.KVServer
}

// startNode opens the node's storage, starts its kvraft server and serves
// it on its address. Diagnostics go to logger; nil discards them.
func startNode(cfg NodeConfig, logger *slog.Logger) (nodeproc.Stopper, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d, err := nodeproc.OpenDiskNode(nodeproc.DiskConfig{Name: nodeName(cfg.ID), Link: nodeName(cfg.ID),
		Seed: int64(cfg.ID + 1), Dir: cfg.Dir, Fsync: cfg.Fsync, SecretFile: cfg.SecretFile, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("raftkv: node %d: %w", cfg.ID, err)
	}
	n := &node{DiskNode: d}
	peers := make([]raft.Peer, len(cfg.Addrs))
	for i, addr := range cfg.Addrs {
		peers[i] = n.Host.DialNamed(nodeName(i), addr)
	}
	n.kv = kvraft.StartKVServer(peers, cfg.ID, n.Store, cfg.MaxRaftState)
	if cfg.Reads == ReadsUnsafeLocal {
		n.kv.SetReadMode(kvraft.ReadLocalUnsafe)
		n.Logger.Warn("serving reads from local state without confirming leadership: NOT linearizable")
	}
	// Stop kills the server first: pending requests answer at once.
	if err := n.Serve(cfg.Addrs[cfg.ID], n.kv.Raft(), n.kv.Kill, n.kv, n.kv.Raft()); err != nil {
		return nil, fmt.Errorf("raftkv: node %d: %w", cfg.ID, err)
	}
	return n, nil
}

// RunNode runs one node, configured by args (a NodeConfig as
// nodeproc.EncodeArgs renders it), until ctx ends or the process receives
// SIGTERM or SIGINT; then it stops the node cleanly and returns.
// Diagnostics go to stderr.
func RunNode(ctx context.Context, args []string) error {
	return nodeproc.RunNode(ctx, args, NodeConfig{Fsync: true, MaxRaftState: DefaultMaxRaftState}, startNode)
}
